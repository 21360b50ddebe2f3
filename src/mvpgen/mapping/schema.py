"""Load and validate ``mvp.yaml``, the single source of truth of this project.

``mvp.yaml`` maps the business problem (requirement, KPI, measurable goal) to the
technical one (task, target column, metric, success threshold). Every other module
reads its settings from the :class:`Mapping` returned by :func:`load_mapping`, so an
edit to ``mvp.yaml`` is all it takes to change what the project does.

Validation is strict on purpose: an unknown key is usually a typo that would
otherwise be ignored silently, so it is reported with the closest known key. Every
problem is reported at once, one ``field: problem — fix`` line each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mvpgen.errors import MappingError
from mvpgen.mapping.typed import Problem, build, describe_value, did_you_mean, help_text
from mvpgen.mapping.yamlfile import load_yaml
from mvpgen.metrics import METRICS, TASKS, Metric, metrics_for

MAPPING_FILE = "mvp.yaml"
MAX_MAPPING_BYTES = 1024 * 1024
ENGINES = ("pandas", "duckdb", "spark")


@dataclass(frozen=True)
class Project:
    """What the project is called."""

    name: str = field(metadata=help_text("a short name for the project, e.g. 'Churn MVP'"))


@dataclass(frozen=True)
class Business:
    """The business side: the requirement, its KPI and the measurable goal."""

    requirement: str = field(
        metadata=help_text("the business requirement in one sentence, e.g. 'Reduce monthly churn'")
    )
    kpi: str | None = field(
        default=None, metadata=help_text("the KPI the business tracks, e.g. 'monthly churn rate'")
    )
    current: float | None = field(
        default=None, metadata=help_text("today's value of the KPI, e.g. 0.08")
    )
    goal: float | None = field(
        default=None, metadata=help_text("the KPI value that counts as success, e.g. 0.06")
    )
    deadline: dt.date | None = field(
        default=None, metadata=help_text("when the goal should be reached, as YYYY-MM-DD")
    )
    capacity: float | None = field(
        default=None,
        metadata=help_text("how many cases in every 1,000 the business can act on, e.g. 100"),
    )


@dataclass(frozen=True, kw_only=True)
class Technical:
    """The technical side: task, target column, offline metric and success threshold."""

    task: str | None = field(
        default=None, metadata=help_text("binary, multiclass or regression")
    )
    target: str = field(metadata=help_text("the column the model predicts, e.g. 'churned'"))
    positive_label: str | int | bool | None = field(
        default=None,
        metadata=help_text("the target value the KPI counts (binary tasks), e.g. 'yes'"),
    )
    metric: str = field(
        metadata=help_text("the offline metric that stands in for the KPI, e.g. 'recall'")
    )
    threshold: float = field(
        metadata=help_text("the metric value that counts as success offline, e.g. 0.70")
    )


@dataclass(frozen=True)
class Data:
    """Where the data is and which columns play a special role."""

    path: str | None = field(
        default=None, metadata=help_text(
            "the data file (CSV or Parquet), a folder or glob of Parquet files, relative to "
            "mvp.yaml")
    )
    query: str | None = field(
        default=None, metadata=help_text(
            "a SQL query whose rows are the data (instead of path), e.g. SELECT * FROM sales")
    )
    connection: str | None = field(
        default=None, metadata=help_text(
            "where the query runs: a SQLAlchemy URL, secrets as ${VARIABLE}, e.g. "
            "postgresql://ann:${PGPASSWORD}@db/shop (default: DuckDB, embedded)")
    )
    table: str | None = field(
        default=None, metadata=help_text(
            "a table of Spark's catalog whose rows are the data (instead of path), read by "
            "Spark, e.g. sales.customers")
    )
    engine: str = field(
        default="pandas", metadata=help_text(
            "pandas (read it all), duckdb (out of core: all rows counted, a sample fitted) "
            "or spark (on a cluster: all rows counted, a sample fitted, the whole holdout "
            "scored there; pip install 'mvpgen[spark]')") | {"quiet_default": True}
    )
    spark_master: str | None = field(
        default=None, metadata=help_text(
            "the Spark master, e.g. spark://host:7077 (default: local[*], Spark embedded; "
            "MVPGEN_SPARK_MASTER in the environment wins)")
    )
    # Recorded when the project is made, so a changed extract does not go unnoticed.
    rows: int | None = field(default=None, metadata=help_text("the number of data rows"))
    size_bytes: int | None = field(default=None, metadata=help_text("the file's size in bytes"))
    sha256: str | None = field(
        default=None, metadata=help_text("the SHA-256 fingerprint of the file's content")
    )
    time_column: str | None = field(
        default=None, metadata=help_text("a date column; the holdout is then the most recent rows")
    )
    group_column: str | None = field(
        default=None, metadata=help_text("rows of one group never straddle training and test")
    )
    id_columns: tuple[str, ...] = field(
        default=(), metadata=help_text("identifier columns, never used as features")
    )
    # A column the leak screen named, cleared by a person who knows it is available
    # when the prediction is made; the reason is shown wherever the column would be.
    not_leaks: dict[str, str] = field(
        default_factory=dict,
        metadata=help_text("columns cleared of leaking, each with the reason, e.g. "
                           "{tenure: known at signup}"),
    )


@dataclass(frozen=True)
class Costs:
    """What each kind of error costs the business, in its own currency."""

    false_positive: float = field(
        metadata=help_text("the cost of acting on a case that needed no action")
    )
    false_negative: float = field(
        metadata=help_text("the cost of missing a case that needed action")
    )
    true_positive: float | None = field(
        default=None, metadata=help_text(
            "the cost of acting on a case that needed it (negative for a benefit); 0 if absent")
    )
    true_negative: float | None = field(
        default=None, metadata=help_text("the cost of leaving alone a case that needed no "
                                         "action; 0 if absent")
    )

    def of(self, outcome: str) -> float:
        """Return the cost of an outcome (``true_positive``, ...); an absent one is 0."""
        value = getattr(self, outcome)
        return 0.0 if value is None else float(value)


@dataclass(frozen=True)
class Humans:
    """Who reviews the model's predictions, and how many per review cycle."""

    reviewer: str | None = field(
        default=None, metadata=help_text("who reviews predictions, e.g. 'Customer success team'")
    )
    review_budget: int | None = field(
        default=None, metadata=help_text("how many predictions they can review per cycle")
    )


EDA_MODES = ("quick", "full", "off")
# Above this many training rows the contenders are fitted on a sample of them. A
# baseline's score has mostly stopped moving by then, and the learning curve, drawn up
# to as many rows (evaluation.fitting.LEARNING_MAX_ROWS), says if it had not.
FIT_ROWS = 100_000


@dataclass(frozen=True)
class Settings:
    """How the steps run: the split, the folds, the seed, the bootstrap, the EDA."""

    test_share: float = field(
        default=0.2, metadata=help_text("the share of rows held out, from 0.05 to 0.5"))
    folds: int = field(
        default=5, metadata=help_text("cross-validation folds on the training rows, 2 to 20"))
    seed: int = field(default=0, metadata=help_text("the seed of every random choice"))
    bootstrap_resamples: int = field(
        default=1000, metadata=help_text("bootstrap resamples of the holdout, 100 to 10000"))
    eda: str = field(default="quick", metadata=help_text("quick, full or off"))
    fit_rows: int = field(
        default=FIT_ROWS, metadata=help_text(
            "the most training rows the contenders are fitted on; above it, a sample "
            "(the learning curve says if more would help)") | {"quiet_default": True})
    contenders: tuple[str, ...] = field(
        default=(), metadata=help_text("which contenders of models.py run, by name "
                                       "(default: all of them)"))


@dataclass(frozen=True)
class Mapping:
    """The whole business-to-technical mapping of ``mvp.yaml``."""

    project: Project
    business: Business
    technical: Technical
    data: Data = field(default_factory=Data)
    costs: Costs | None = None
    humans: Humans | None = None
    settings: Settings = field(default_factory=Settings)
    advantage: str | None = field(
        default=None, metadata=help_text("why customers would choose this over the alternatives")
    )

    @property
    def metric(self) -> Metric:
        """Return the primary metric's definition."""
        return METRICS[self.technical.metric]


# --- reading ------------------------------------------------------------------------------


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping file safely: loading never runs code.

    Returns:
        The top-level mapping as a dict.

    Raises:
        MappingError: when the file cannot be read or is not a YAML mapping.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file (a device or a pipe)"
        raise MappingError(str(path), [Problem("file", f"is {what}",
                                               "pass the mvp.yaml file itself")])
    if path.is_file() and path.stat().st_size > MAX_MAPPING_BYTES:
        raise MappingError(str(path), [Problem("file", "is larger than any mapping (over 1 MB)",
                                               "pass the mvp.yaml file itself")])
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM is not part of the text
    except FileNotFoundError as err:
        raise MappingError(str(path), [Problem("file", "does not exist")]) from err
    except (OSError, UnicodeDecodeError) as err:
        raise MappingError(str(path), [Problem("file", f"cannot be read ({err})")]) from err
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as err:
        raise MappingError(str(path), [_yaml_problem(err)]) from err
    except (ValueError, OverflowError) as err:  # e.g. a date such as 2027-02-30
        raise MappingError(str(path), [Problem("file", f"holds a value that is not valid: "
                                               f"{err}", "correct it")]) from err
    except RecursionError as err:
        raise MappingError(str(path), [Problem("file", "is nested too deeply",
                                               "a mapping needs two levels")]) from err
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        msg = f"holds {describe_value(raw)}, not a mapping of sections"
        raise MappingError(str(path), [Problem("file", msg, "start with 'project:'")])
    return raw


def _yaml_problem(err: yaml.YAMLError) -> Problem:
    """Turn a YAML error into a problem that names the line and the likely fix."""
    mark = getattr(err, "problem_mark", None)
    line = f" at line {mark.line + 1}" if mark is not None else ""
    detail = getattr(err, "problem", None) or ""
    if isinstance(err, yaml.constructor.ConstructorError) and "appears twice" in detail:
        return Problem("file", f"is not valid{line}: {detail}")
    if isinstance(err, yaml.constructor.ConstructorError):
        return Problem("file", f"uses a YAML tag that is not allowed{line}",
                       "mvp.yaml holds plain values only: remove the '!!' tag")
    return Problem("file", f"is not valid YAML{line}", "check indentation and quotes")


def load_mapping(path: Path | str = MAPPING_FILE) -> Mapping:
    """Read and validate a mapping file.

    Returns:
        The validated mapping.

    Raises:
        MappingError: listing every problem found.
    """
    mapping, problems = parse_mapping(read_yaml(Path(path)))
    if mapping is None or problems:
        raise MappingError(str(path), problems)
    return mapping


def parse_mapping(raw: dict[str, Any]) -> tuple[Mapping | None, list[Problem]]:
    """Validate a raw mapping (as read from YAML).

    Returns:
        The mapping (``None`` when its structure is too broken to build) and the list
        of problems; a mapping is valid when that list is empty.
    """
    problems: list[Problem] = []
    mapping = build(Mapping, raw, "", problems)
    if mapping is not None:
        problems.extend(_consistency_problems(mapping))
    return mapping, problems


def _consistency_problems(m: Mapping) -> list[Problem]:
    """Check that the fields fit each other (task, metric, threshold, columns, costs)."""
    out: list[Problem] = []
    tech = m.technical
    if tech.task is not None and tech.task not in TASKS:
        out.append(Problem("technical.task", f"'{tech.task}' is not a task",
                           f"use one of: {', '.join(TASKS)}"))
    metric = METRICS.get(tech.metric)
    if metric is None:
        allowed = metrics_for(tech.task) if tech.task in TASKS else list(METRICS)
        fix = f"use one of: {', '.join(allowed)}{did_you_mean(tech.metric, allowed)}"
        out.append(Problem("technical.metric", f"'{tech.metric}' is not a known metric", fix))
    elif tech.task in TASKS and tech.task not in metric.tasks:
        out.append(Problem("technical.metric", f"'{tech.metric}' does not fit a {tech.task} task",
                           f"use one of: {', '.join(metrics_for(tech.task))}"))
    problem = metric.threshold_problem(tech.threshold) if metric is not None else None
    if problem is not None:
        out.append(Problem("technical.threshold", *problem))
    if tech.positive_label is not None and tech.task in ("multiclass", "regression"):
        out.append(Problem("technical.positive_label", f"is only used by binary tasks, "
                           f"not {tech.task}", "remove it, or set task: binary"))
    if m.data.time_column is not None and m.data.time_column == m.data.group_column:
        out.append(Problem("data.group_column", f"is the time column '{m.data.time_column}'",
                           "name the column that groups rows, e.g. a customer or household"))
    for name in ("time_column", "group_column"):
        if getattr(m.data, name) == tech.target:
            out.append(Problem(f"data.{name}", f"is the target column '{tech.target}'",
                               "name a different column"))
    if m.data.query is not None and m.data.path is not None:
        out.append(Problem("data.query", "and data.path both name the data",
                           "keep one: a query may read files itself, e.g. "
                           "SELECT * FROM 'data/raw/*.parquet'"))
    if m.data.connection is not None and m.data.query is None:
        out.append(Problem("data.connection", "is set but data.query is not",
                           "give the query to run there, e.g. query: SELECT * FROM customers"))
    if m.data.engine not in ENGINES:
        out.append(Problem("data.engine", f"'{m.data.engine}' is not an engine",
                           f"use one of: {', '.join(ENGINES)}"))
    out.extend(_spark_problems(m.data))
    if tech.target in m.data.not_leaks:
        out.append(Problem("data.not_leaks", f"names the target column '{tech.target}'",
                           "list only feature columns the leak screen named"))
    if tech.target in m.data.id_columns:
        out.append(Problem("data.id_columns", f"includes the target column '{tech.target}'",
                           "remove it from id_columns"))
    if m.costs is not None:
        for name in ("false_positive", "false_negative"):
            if getattr(m.costs, name) < 0:
                out.append(Problem(f"costs.{name}", f"{getattr(m.costs, name):g} is negative",
                                   "give the cost as a positive amount (0 if free)"))
    capacity = m.business.capacity
    if capacity is not None and not 0 < capacity <= 1000:
        out.append(Problem("business.capacity", f"{capacity:g} is not more than 0 and at "
                           "most 1,000",
                           "give how many cases in every 1,000 the business can act on, "
                           "e.g. 100"))
    out.extend(_settings_problems(m.settings))
    if m.humans is not None and m.humans.review_budget is not None and m.humans.review_budget < 1:
        out.append(Problem("humans.review_budget", f"{m.humans.review_budget} is not positive",
                           "give how many items a reviewer can check per cycle, e.g. 200"))
    return out


def _spark_problems(data: Data) -> list[Problem]:
    """Check the fields only Spark reads: a catalog table, a master, a query run by Spark."""
    out = []
    if data.table is not None and (data.path is not None or data.query is not None):
        other = "data.path" if data.path is not None else "data.query"
        out.append(Problem("data.table", f"and {other} both name the data",
                           "keep one: the table, or the files or query"))
    if data.table is not None and data.engine == "duckdb":
        out.append(Problem("data.table", "is a table of Spark's catalog, which DuckDB cannot "
                           "read", "set data.engine: spark"))
    spark = data.engine == "spark" or (data.table is not None and data.engine != "duckdb")
    if data.spark_master is not None and not spark:
        out.append(Problem("data.spark_master", f"is set but data.engine is {data.engine}",
                           "set data.engine: spark, or remove spark_master"))
    if spark and data.connection is not None:
        out.append(Problem("data.connection", "is not read by Spark, which runs data.query "
                           "over its own catalog",
                           "remove data.connection, or set data.engine: duckdb"))
    return out


def _settings_problems(s: Settings) -> list[Problem]:
    out = []
    if not 0.05 <= s.test_share <= 0.5:
        out.append(Problem("settings.test_share", f"{s.test_share:g} is outside 0.05 to 0.5",
                           "hold out a fifth: test_share: 0.2"))
    if not 2 <= s.folds <= 20:
        out.append(Problem("settings.folds", f"{s.folds} is outside 2 to 20", "use folds: 5"))
    if not 100 <= s.bootstrap_resamples <= 10_000:
        out.append(Problem("settings.bootstrap_resamples", f"{s.bootstrap_resamples} is "
                           "outside 100 to 10000", "use bootstrap_resamples: 1000"))
    if not 0 <= s.seed < 2**32:
        out.append(Problem("settings.seed", f"{s.seed} is outside 0 to 4294967295",
                           "use a seed such as 0 or 42"))
    if s.fit_rows < 1_000:
        out.append(Problem("settings.fit_rows", f"{s.fit_rows} is under 1000",
                           "use fit_rows: 100000, or more to fit on more rows"))
    if s.eda not in EDA_MODES:
        out.append(Problem("settings.eda", f"'{s.eda}' is not an EDA mode",
                           f"use one of: {', '.join(EDA_MODES)}"))
    return out


# --- writing ------------------------------------------------------------------------------


def mapping_to_dict(mapping: Mapping) -> dict[str, Any]:
    """Return the mapping as plain data, leaving out empty optional fields."""

    def clean(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj):
            out = {}
            for f in dataclasses.fields(obj):
                value = clean(getattr(obj, f.name))
                if f.metadata.get("quiet_default") and value == f.default:
                    continue  # a default nobody needs to read in every mvp.yaml
                if value not in (None, [], {}):
                    out[f.name] = value
            return out
        if isinstance(obj, tuple):
            return list(obj)
        return obj

    return clean(mapping)


def dump_mapping(mapping: Mapping) -> str:
    """Return the mapping as YAML text that :func:`load_mapping` reads back unchanged."""
    header = (
        "# The business-to-technical mapping of this project; every step reads it.\n"
        "# Edit it freely: the next run picks up the change.\n"
    )
    data = mapping_to_dict(mapping)
    sections = [
        # An unlimited width keeps each text on one line, as the user wrote it.
        yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=math.inf)
        for key, value in data.items()
    ]
    return header + "\n".join(sections)


def find_mapping_file(start: Path | None = None) -> Path:
    """Find ``mvp.yaml`` in ``start`` (default: the working directory) or a parent of it.

    Returns:
        The path of the mapping file.

    Raises:
        MappingError: when no parent holds one.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / MAPPING_FILE
        if candidate.is_file():
            return candidate
    msg = f"there is no {MAPPING_FILE} in {here} or its parents"
    raise MappingError(MAPPING_FILE, [Problem("file", msg, "run this inside the project")])
