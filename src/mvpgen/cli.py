"""The ``mvpgen`` command line: parse, call one library function, print, map errors.

Two kinds of command: ``new``, ``init``, ``check``, ``update`` and ``examples`` make and
look after projects; ``eda``, ``baseline``, ``review``, ``feedback``, ``predict``,
``status``, ``summary`` and ``run`` work inside one (found by walking up to ``mvp.yaml``,
as git finds ``.git``). A project's ``python -m <package>`` and its Makefile call the
same project commands.

Only click is imported at start-up; everything else is imported by the command that
needs it, so ``mvpgen --help`` stays fast.
"""

from __future__ import annotations

import math
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mvpgen import __version__
from mvpgen.words import printable

if TYPE_CHECKING:
    from mvpgen.errors import MvpgenError

TASKS = ("binary", "multiclass", "regression")
# 0 success, 1 findings, 2 bad usage or input, 130 interrupted; a crash is none of
# these, so that a script checking for findings never mistakes one for the other.
BUG_EXIT_CODE = 3
INTERRUPTED_EXIT_CODE = 130
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """A group that reports mvpgen's errors as one line and the right exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except KeyboardInterrupt:  # pragma: no cover - needs a real Ctrl-C
            echo("\nInterrupted; nothing was left half-written.", err=True)
            sys.exit(INTERRUPTED_EXIT_CODE)
        except BrokenPipeError:
            # The reader went away (`mvpgen summary | head`): stop quietly, as tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as err:  # an option of mvpgen itself, e.g. -C FOLDER
            _usage_error(err)

    def invoke(self, ctx: click.Context) -> Any:
        from mvpgen.errors import MvpgenError

        try:
            return super().invoke(ctx)
        except MvpgenError as err:
            if _debug(ctx):
                raise
            for finding in getattr(err, "findings", ()):
                echo(finding, err=True)
            echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)
        except click.UsageError as err:
            _usage_error(err)
        except click.ClickException as err:
            echo(f"Error: {err.format_message()}", err=True)
            ctx.exit(err.exit_code)
        except (click.Abort, KeyboardInterrupt):
            echo("\nInterrupted; nothing was left half-written.", err=True)
            ctx.exit(INTERRUPTED_EXIT_CODE)
        except (click.exceptions.Exit, BrokenPipeError):
            raise
        except MemoryError:
            echo("Error: out of memory; sample the data (e.g. data.engine: duckdb) or use "
                 "a larger machine", err=True)
            ctx.exit(2)
        except Exception as err:  # a bug, not bad input: say so in one line
            if _debug(ctx):
                raise
            refusal = _system_refusal(err)
            if refusal is not None:  # the machine refused, not mvpgen: the user can fix it
                echo(f"Error: {refusal}; nothing was left half-written", err=True)
                ctx.exit(2)
            echo(f"Error: unexpected {type(err).__name__}: {err} — run "
                 "'mvpgen --debug ...' to see where, and please report it", err=True)
            ctx.exit(BUG_EXIT_CODE)


def _system_refusal(err: Exception) -> str | None:
    """Say what to do when the system refused a file (permissions, a full or read-only disk)."""
    import errno

    if not isinstance(err, OSError) or err.filename is None:
        return None
    path = Path(err.filename)
    place = path if path.exists() else path.parent  # a file being made: its folder
    if err.errno in (errno.EACCES, errno.EPERM):
        return (f"permission denied on {place}; give yourself access to it (e.g. chmod -R "
                f"u+rwX {shlex.quote(str(place))}), then run the command again")
    if err.errno == errno.EROFS:
        return f"{place} is on a read-only disk; work on a copy in a writable folder"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left to write in {path.parent}; free some space, then run it again"
    return None


def _usage_error(err: click.UsageError) -> NoReturn:
    """Say what is wrong in one line, like every other error, and where the help is."""
    command = err.ctx.command_path if err.ctx else "mvpgen"
    echo(f"Error: {err.format_message()} (see '{command} --help')", err=True)
    raise click.exceptions.Exit(err.exit_code)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    r"""Print for a person: names and values from the data never reach the terminal raw.

    Every line mvpgen prints goes through here, so an escape sequence hidden in a column
    name, a category or a project name is shown as text (``\x1b]0;...``) and never
    retitles the window or clears the screen.
    """
    click.echo(printable(str(message)), err=err, nl=nl)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.params.get("debug")) or os.environ.get("MVPGEN_DEBUG") == "1"


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="mvpgen")
@click.option("--debug", is_flag=True, help="Show tracebacks (also MVPGEN_DEBUG=1).")
@click.option("-C", "--project", "project_dir",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="MVPGEN_PROJECT",
              help="Run as if started in this folder (as git -C does): a project command "
                   "finds the project there, and relative paths start there.")
@click.pass_context
def main(ctx: click.Context, debug: bool, project_dir: Path | None) -> None:
    """Turn a business problem and a data extract into an honest, runnable ML MVP.

    Exit codes: 0 success, 1 findings (check, update), 2 bad usage or bad input,
    3 mvpgen itself failed (please report it), 130 interrupted.

    \b
    Start with a bundled example:
      mvpgen new churn-demo --example churn --no-input
    or with your own data, answering a few questions:
      mvpgen new my-mvp --data customers.csv
    or in a mapping file to fill in first:
      mvpgen init --data customers.csv
    Inside a project:
      mvpgen run            EDA, baseline, review, then the summary
      mvpgen status         where the five product questions stand
    """  # noqa: D301 - "\b" (a backspace) keeps click from rewrapping the lines below it
    if project_dir is not None:
        os.chdir(project_dir)
    reads = sys.modules.get("mvpgen.data.read")
    if reads is not None:  # a query runs anew in each command (one `run` shares one read)
        reads.forget_reads()


# --- making projects ---------------------------------------------------------------------


def _metric(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from mvpgen.metrics import METRICS

    if value not in METRICS:
        msg = f"'{value}' is not a metric; choose one of: {', '.join(METRICS)}"
        raise click.BadParameter(msg)
    return value


def _complete_metric(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from mvpgen.metrics import METRICS

    return [name for name in METRICS if name.startswith(incomplete)]


def _complete_example(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    from mvpgen.generator.template import examples_dir

    names = sorted(p.parent.name for p in examples_dir().glob("*/mvp.yaml"))
    return [name for name in names if name.startswith(incomplete)]


def _number(kind: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Return a callback reading ``38%``, ``1,000`` and ``1 000`` where unambiguous."""

    def read(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        from mvpgen.generator.numbers import parse_number

        try:
            number = parse_number(str(value))
        except ValueError as err:
            raise click.BadParameter(str(err)) from None
        if not math.isfinite(number):
            msg = f"{value} is not a finite number; give a value such as 0.7"
            raise click.BadParameter(msg)
        return number if kind == "float" else int(number)

    return read


def _capacity(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from mvpgen.generator.numbers import parse_capacity

    try:
        return parse_capacity(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


@main.command(context_settings=CONTEXT)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A mapping file (mvp.yaml) with the answers; `mvpgen init` writes one.")
@click.option("--example", metavar="NAME", shell_complete=_complete_example,
              help="Use a bundled example's mapping and data (list: mvpgen examples).")
@click.option("--data", type=click.Path(path_type=Path),
              help="The data extract: a CSV or Parquet file, or a folder or glob of Parquet "
                   "files; it is only read, never changed.")
@click.option("--query", metavar="SQL",
              help="Read the data with this SQL query instead (DuckDB, embedded, unless "
                   "--connection names a database).")
@click.option("--connection", metavar="URL",
              help="Where --query runs: a SQLAlchemy URL, secrets as ${VARIABLE} from the "
                   "environment, e.g. 'postgresql://ann:${PGPASSWORD}@db/shop'.")
@click.option("--name", help="The project's name (default: the DIRECTORY's name).")
@click.option("--requirement", metavar="TEXT",
              help="The business requirement, e.g. 'Reduce monthly churn'.")
@click.option("--kpi", metavar="TEXT", help="The KPI the business tracks.")
@click.option("--current", metavar="X", callback=_number("float"),
              help="Today's value of the KPI (38% and 1,000 are read as numbers).")
@click.option("--goal", metavar="X", callback=_number("float"),
              help="The KPI value that counts as success.")
@click.option("--target", metavar="COLUMN", help="The column the model predicts.")
@click.option("--task", type=click.Choice(TASKS), help="Inferred from the target when omitted.")
@click.option("--positive-label", metavar="VALUE",
              help="Binary tasks: the target value the KPI counts (inferred when obvious).")
@click.option("--metric", metavar="NAME", callback=_metric, shell_complete=_complete_metric,
              help="The offline metric, e.g. roc_auc, recall_at_budget, f1_macro, mae, r2.")
@click.option("--threshold", metavar="X", callback=_number("float"),
              help="The metric value that counts as success offline.")
@click.option("--capacity", metavar="N", callback=_capacity,
              help="Cases in every 1,000 the business can act on (200, or 20%); needed by "
                   "recall_at_budget and precision_at_budget.")
@click.option("--time-column", metavar="COLUMN",
              help="A date column: the holdout is then the most recent rows.")
@click.option("--group-column", metavar="COLUMN",
              help="Rows of one group (a customer, a store) never straddle train and test.")
@click.option("--id-columns", metavar="A,B", help="Identifier columns, never used as features.")
@click.option("--no-input", is_flag=True,
              help="Ask nothing: a missing answer is an error naming the option to pass.")
@click.option("--allow-findings", is_flag=True,
              help="Generate despite findings about the business question; they are "
                   "recorded in CHECKLIST.md.")
@click.option("--no-run", is_flag=True,
              help="Only generate the project; run nothing (later: mvpgen run).")
@click.option("--eda", "eda_mode", type=click.Choice(["quick", "full", "off"]),
              default="quick", show_default=True,
              help="quick profiles a sample of up to 100,000 rows; full every row with "
                   "every statistic (slower); off skips the profile.")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress and no data overview: the summary and errors only.")
def new(directory: Path | None, mapping_file: Path | None, example: str | None,
        data: Path | None, query: str | None, connection: str | None, name: str | None,
        requirement: str | None, kpi: str | None,
        current: float | None, goal: float | None, target: str | None, task: str | None,
        positive_label: str | None, metric: str | None, threshold: float | None,
        capacity: float | None, time_column: str | None, group_column: str | None,
        id_columns: str | None,
        no_input: bool, allow_findings: bool, no_run: bool, eda_mode: str,
        quiet: bool) -> None:
    """Generate an ML MVP project in DIRECTORY (default: named after the project).

    Answers come from --mapping (or --example), then from the options, which win over
    the file; whatever is still missing is asked for, one question at a time, and the
    answers are shown for confirmation before anything is written. An existing,
    non-empty DIRECTORY is never touched.

    With data (--data, --example, or data.path in the mapping), the project's own
    pipeline then runs: the EDA report, the baseline with its verdict, the review
    set and the checklist, ending with a summary. If a step fails, the project is
    kept and the message says how to run that step again.

    \b
    Examples:
      mvpgen new churn-demo --example churn --no-input
      mvpgen new my-mvp --data customers.csv
      mvpgen new my-mvp --data customers.csv --no-input --requirement 'Reduce churn' \\
          --kpi 'monthly churn' --current 8% --goal 6% --target churned \\
          --metric recall_at_budget --capacity 200 --threshold 0.4
    """  # noqa: D301 - "\b" (a backspace) keeps click from rewrapping the examples
    from mvpgen.generator.new import NewRequest, create_project

    columns = [c.strip() for c in id_columns.split(",") if c.strip()] if id_columns else None
    overrides = {"project.name": name, "business.requirement": requirement,
                 "business.kpi": kpi, "business.current": current, "business.goal": goal,
                 "technical.target": target, "technical.task": task,
                 "technical.positive_label": positive_label, "technical.metric": metric,
                 "technical.threshold": threshold, "business.capacity": capacity,
                 "data.time_column": time_column,
                 "data.group_column": group_column, "data.id_columns": columns,
                 "data.query": query, "data.connection": connection}
    if query is not None and data is not None:
        msg = "--data and --query both name the data; pass one (a query can read files)"
        raise click.UsageError(msg)
    request = NewRequest(directory=directory, mapping_file=mapping_file, example=example,
                         data=data, overrides=overrides, interactive=not no_input,
                         allow_findings=allow_findings,
                         echo=(lambda line: None) if quiet else echo)
    try:
        made = create_project(request)
    except KeyboardInterrupt:
        raise click.Abort from None  # reported as interrupted, exit code 130
    if made is None:
        echo("Nothing was written; run the command again to change an answer.")
        return
    if not quiet:
        for field, value in made.inferred.items():
            echo(f"inferred {field}: {value!r}")
        for finding in made.findings:
            echo(f"recorded in CHECKLIST.md: {finding}")
    shown = shlex.quote(_shown(made.path))
    echo(f"Created {_shown(made.path)} (package {made.package})")
    if no_run or not made.has_data:
        later = "mvpgen run    # EDA, baseline, review" if made.has_data else (
            "mvpgen show    # then put the data in data/raw/, set data.path, mvpgen run")
        echo(f"Next: cd {shown} && {later}")
        return
    from mvpgen.data.inspection import forget_reads
    from mvpgen.generator.pipeline import run_pipeline

    forget_reads()  # the pipeline reads the data itself; a million rows twice is too many
    try:
        result = run_pipeline(made.path, eda=eda_mode, quiet=quiet)
    except KeyboardInterrupt:
        raise click.Abort from None
    echo(result.summary)
    if not quiet:
        echo(f"(in {result.seconds['total']:.0f} s; run it again with: cd {shown} && "
                   "mvpgen run)")


def _shown(path: Path) -> str:
    """Return ``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command(context_settings=CONTEXT)
@click.argument("file", required=False, default="mvp.yaml",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="Fill in what the data says: its path, columns, a proposed target.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def init(file: Path, data: Path | None, force: bool) -> None:
    """Write a commented mapping file (default: mvp.yaml) to fill in.

    Every field is explained where it stands. With --data, what the data can answer is
    filled in: its path, a proposed target (and the other candidates), the task, the
    metric and what guessing scores on it, and the time, group and id columns.
    Then: mvpgen check FILE, and mvpgen new DIRECTORY --mapping FILE.
    """
    from mvpgen.generator.init import write_blank_mapping

    try:
        written = write_blank_mapping(file, data=data, force=force)
    except KeyboardInterrupt:
        raise click.Abort from None  # reported as interrupted, exit code 130
    echo(f"wrote {written}; fill it in, then: mvpgen check {shlex.quote(str(file))}")


@main.command(context_settings=CONTEXT)
def examples() -> None:
    """List the bundled examples, each a business question with its data.

    Generate one with: mvpgen new DIRECTORY --example NAME
    """
    from mvpgen.generator.catalog import list_examples

    for example in list_examples():
        echo(f"{example.name:<10} {example.task:<11} {example.title}: "
                   f"{example.requirement} ({example.rows:,} rows)")
    echo("Try: mvpgen new my-mvp --example churn --no-input")


@main.command(context_settings=CONTEXT)
@click.argument("file_or_project", type=click.Path(path_type=Path))
@click.option("--record", is_flag=True,
              help="In a project: record the data file's current fingerprint and row count "
                   "in mvp.yaml (after checking it is the extract you mean).")
def check(file_or_project: Path, record: bool) -> None:
    """Check a mapping file (or a project's mvp.yaml): one line per finding.

    Checks the business question (a KPI and a measurable goal), the schema, the data
    (the target fits the task), whether a policy needing no model already meets the
    goal, and, in a project, whether the data is the file mvp.yaml recorded.
    Exit code 0 when the mapping is sound, 1 with findings, 2 when it cannot be read.
    """
    from mvpgen.checks import check_path

    report = check_path(file_or_project, record=record)
    for line in report.notes:
        echo(line)
    for finding in report.findings:
        echo(finding)
    if report.findings:
        echo(f"{report.path}: {len(report.findings)} finding(s)", err=True)
        raise SystemExit(1)
    echo(f"{report.path}: sound")


@main.command(context_settings=CONTEXT)
@click.argument("project", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
def update(project: Path | None, dry_run: bool) -> None:
    """Bring a project made by an older mvpgen up to this version, keeping your edits.

    The template's files are merged three ways: the files as the old version made
    them, your files, and the new version's. Lines you changed stay; where you and the
    new version changed the same lines, standard conflict markers are left, the files
    listed, and the exit code is 1. The project's pin on mvpgen is raised. Works
    offline. --dry-run prints the changes as a diff.
    """
    from mvpgen.generator.update import update_project

    result = update_project(_project_root(project), dry_run=dry_run)
    for line in result.lines:
        echo(line)
    if result.conflicts and not dry_run:
        from mvpgen.errors import UpdateConflictError

        msg = (f"{len(result.conflicts)} file(s) were changed by you and by this mvpgen in the "
               "same lines; keep the lines you want, delete the markers, then `mvpgen run`")
        raise UpdateConflictError(msg, result.conflicts)


# --- inside a project --------------------------------------------------------------------


def _project_root(explicit: Path | None = None) -> Path:
    return Path(explicit) if explicit is not None else Path.cwd()


def _project(explicit: Path | None = None) -> Any:
    from mvpgen.project import Project

    return Project.find(_project_root(explicit))


_RUN_STEP = "mvpgen.run_step"  # set by `run`: the step whose progress is being shown


def _run_step() -> str | None:
    """Return the step of `run` this command is, if it is one (in this process or beside it)."""
    from mvpgen.steps.beside import RUN_STEP_ENV

    return click.get_current_context().meta.get(_RUN_STEP) or os.environ.get(RUN_STEP_ENV)


def _progress(quiet: bool) -> Callable[[str], None]:
    """Return how a step reports what it is doing: a line on stderr, or nothing.

    Under `run`, each line names its step ("[baseline] Fitting ..."), whatever
    ``quiet`` says, so that whoever runs the pipeline can show where it is; and a step
    kept waiting for the project's lock is waiting for another step of the same run.
    """
    step = _run_step()
    if step is not None:
        from mvpgen.store.lock import WAITING

        def tagged(message: str) -> None:
            if message == WAITING:
                message = "Waiting for another step to finish writing"
            echo(f"[{step}] {message} ...", err=True)

        return tagged
    if quiet:
        return lambda message: None
    return lambda message: echo(f"{message} ...", err=True)


@main.command(context_settings=CONTEXT)
def show() -> None:
    """Print the project's business-to-technical mapping in plain words."""
    from mvpgen.mapping.describe import describe_mapping

    project = _project()
    echo(project.mapping.project.name)
    for label, sentence in describe_mapping(project.mapping):
        echo(f"  {label:<12} {sentence}")


@main.command(context_settings=CONTEXT)
def refresh() -> None:
    """Update the machine-written blocks of README.md and CHECKLIST.md.

    Only the text between the mvpgen:begin/end markers changes; everything else in
    those files is yours and is kept as it is.
    """
    from mvpgen.steps.docs import refresh_all

    for path in refresh_all(_project()):
        echo(f"updated {path.name}")


@main.command(context_settings=CONTEXT)
@click.option("--full", is_flag=True,
              help="Profile every row with the explorative settings (slower).")
@click.option("--sample-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              envvar="MVPGEN_EDA_SAMPLE_ROWS", show_envvar=True,
              help="Quick mode profiles a random sample of at most this many rows.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def eda(full: bool, sample_rows: int, quiet: bool) -> None:
    """Profile the data (reports/eda.html) and summarise its quality.

    Writes reports/eda.html, a self-contained page that opens offline, and
    reports/data_quality.json, and records the evidence in CHECKLIST.md.
    """
    project = _project()
    interactive = not quiet and _run_step() is None and sys.stderr.isatty()
    if not interactive:
        # tqdm reads this when first imported; the profiling library draws bars with it.
        os.environ.setdefault("TQDM_DISABLE", "1")
    from mvpgen.steps.eda import eda_step

    result = eda_step(project, full=full, sample_rows=sample_rows, show_progress=interactive,
                      progress=_progress(quiet))
    if not quiet:
        root = project.root
        echo(f"wrote {result.report.relative_to(root)} ({result.profiled_rows:,} of "
                   f"{result.rows:,} rows) and {result.quality_file.relative_to(root)}")
        issues = result.quality["issues"]
        for issue in issues[:3]:
            echo(f"  - {issue['message']}")
        if len(issues) > 3:
            echo(f"  ... {len(issues) - 3} more in {result.quality_file.relative_to(root)}")


@main.command(context_settings=CONTEXT)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def baseline(quiet: bool) -> None:
    """Judge every contender against the goal: no model, the rule, your models.

    Writes reports/metrics.json, reports/baseline.html (the recommendation first),
    reports/holdout_predictions.csv, the model in models/ and the checklist's evidence.
    The settings (split, folds, seed, bootstrap) are in mvp.yaml's settings section.
    """
    from mvpgen.steps.baseline import baseline_step

    run = baseline_step(_project(), progress=_progress(quiet))
    if not quiet:
        result = run.result
        echo(result.recommendation.sentence)
        echo(result.goal.message)
        feedback = result.feedback
        if feedback.get("used"):
            echo(f"learnt from {feedback['used']:,} reviewers' labels "
                       f"({feedback['changed']:,} corrected the data)")
        for warning in result.warnings:
            echo(f"  warning: {warning.message}")


@main.command(context_settings=CONTEXT)
@click.option("--data", "new_data", type=click.Path(dir_okay=False, path_type=Path),
              help="Review new rows from this CSV or Parquet file instead of the project's "
                   "data.")
@click.option("--limit", type=click.IntRange(min=1),
              help="How many cases to choose [default: humans.review_budget in mvp.yaml, "
                   "else 50].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def review(new_data: Path | None, limit: int | None, quiet: bool) -> None:
    """Choose the cases a person should check first and write them for review.

    Ranks rows by how likely the model is wrong (and, with costs in mvp.yaml, by what
    a mistake would cost), skips rows a reviewer has already labelled, and writes
    reports/review.csv and reports/review.html: a page that opens offline, where a
    reviewer picks a label per case and downloads the filled CSV for `feedback`.
    """
    from mvpgen.steps.review import review_step

    chosen = review_step(_project(), new_data=new_data, limit=limit, progress=_progress(quiet))
    for note in chosen.notes:
        echo(f"warning: {note}", err=True)
    if chosen.table.empty:
        echo(f"every one of the {chosen.candidates:,} rows of {chosen.source} has a "
                   "reviewer's label already; nothing to review")
        return
    if not quiet:
        skipped = (f"; {chosen.already_labelled:,} already labelled were skipped"
                   if chosen.already_labelled else "")
        echo(f"chose {len(chosen.table):,} of {chosen.candidates:,} rows of "
                   f"{chosen.source} for review{skipped}")
        echo("wrote reports/review.csv and reports/review.html: open the page, label "
                   "the cases, download the filled CSV, then run `mvpgen feedback FILLED.csv`")


@main.command(context_settings=CONTEXT)
@click.argument("filled", type=click.Path(dir_okay=False, path_type=Path))
def feedback(filled: Path) -> None:
    """Add a reviewer's filled CSV to data/feedback/labels.csv.

    Checks every line (a known row id; a class of the target, or a number), lists the
    lines it leaves out and why, and appends the rest to the label log in one step.
    A file taken in before adds nothing. The next `baseline` learns from the labels;
    a later label for a row wins.
    """
    from mvpgen.steps.feedback import feedback_step

    result = feedback_step(_project(), filled, progress=_progress(False))
    for note in result.notes:
        echo(f"note: {note}", err=True)
    for line in result.skipped:
        echo(f"skipped {line}", err=True)
    skipped = len(result.skipped)
    echo(f"added {result.added:,} label{'s' if result.added != 1 else ''} to "
               "data/feedback/labels.csv"
               + (f"; {skipped:,} line{'s' if skipped != 1 else ''} skipped" if skipped else "")
               + (f"; {result.already:,} already taken in before" if result.already else "")
               + (f"; {result.unanswered:,} cases left unlabelled" if result.unanswered else ""))
    share = result.agreement.share
    if share is not None:
        echo(f"model and reviewers agree on {share:.0%} of the "
                   f"{result.agreement.labels:,} rows labelled so far")
    if result.added:
        echo("run `mvpgen baseline` to learn from them")


@main.command(context_settings=CONTEXT)
@click.argument("project", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the same as a stable JSON document (schema_version 2).")
def status(project: Path | None, as_json: bool) -> None:
    """Show where a PROJECT (default: the one here) stands on the five questions.

    The recommendation first; then each question, answered, with evidence, or open,
    with its key figure; the last line is the next step. Evidence older than mvp.yaml
    or the data is marked stale. Exit code 1 when mvp.yaml is invalid, else 0.
    """
    from mvpgen.steps.status import render_status, status_of

    state = status_of(_project_root(project))
    if as_json:
        import json

        from mvpgen.words import printable_json

        click.echo(printable_json(json.dumps(state, indent=2, ensure_ascii=False)))
    else:
        echo(render_status(state))
    if state["stage"] == "invalid mapping":
        raise SystemExit(1)


@main.command(context_settings=CONTEXT)
@click.argument("rows", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--engine", type=click.Choice(["pandas", "spark"]),
              help="pandas reads ROWS into memory and writes OUT as CSV; spark scores ROWS "
                   "on the cluster and writes OUT as a folder of Parquet files [default: "
                   "spark when mvp.yaml has Spark read the data, else pandas].")
def predict(rows: Path, out: Path, force: bool, engine: str | None) -> None:
    """Score the rows of ROWS with the saved model; write OUT.

    ROWS is a CSV or Parquet file; with --engine spark also a folder or glob of them, a
    location such as s3a://bucket/new/, or a table of Spark's catalog. OUT keeps the id
    columns and adds the prediction, its score (for classes) and new_values: the columns
    where a row holds a category training never saw, or a number outside the training
    range. OUT is never one of the project's inputs.
    """
    from mvpgen.steps.predict import score

    scored = score(_project(), rows, out, force=force, engine=engine)
    for note in scored.notes:
        echo(f"note: {note}", err=True)
    for note in scored.unseen_notes():
        echo(f"note: {note}", err=True)
    echo(f"wrote {scored.rows:,} predictions to {out}")


@main.command(context_settings=CONTEXT)
def summary() -> None:
    """Print the recommendation, the contenders, the money, the files and the next step."""
    from mvpgen.steps.summary import summary_lines

    for line in summary_lines(_project()):
        echo(line)


@main.command(name="run", context_settings=CONTEXT)
@click.option("--eda", "eda_mode", type=click.Choice(["quick", "full", "off"]),
              help="How to profile the data, or not [default: settings.eda in mvp.yaml].")
@click.option("--quiet", "-q", is_flag=True, help="Print the summary and errors only.")
@click.pass_context
def run_all(ctx: click.Context, eda_mode: str | None, quiet: bool) -> None:
    """Run the whole MVP: eda, baseline, review, then print the summary.

    The EDA runs in a process of its own beside the baseline and the review (it reads
    nothing they write). Each step is the same command you can run alone; a step that
    fails stops the run, keeps what the other steps wrote, and says how to run it again
    once fixed.
    """
    from threadpoolctl import threadpool_limits

    from mvpgen.errors import MvpgenError
    from mvpgen.steps.beside import StepBeside

    project = _project()
    mode = eda_mode or project.mapping.settings.eda
    profiling, threads = None, None
    if mode != "off":
        # The two branches share the cores: numerical libraries that each took them all
        # would spin against each other and both run slower.
        threads = max(1, (os.cpu_count() or 2) // 2)
        profiling = StepBeside(project.root, "eda", ["--full"] if mode == "full" else [],
                               tagged=not quiet, say=lambda line: echo(line, err=True),
                               threads=threads)
    failed: MvpgenError | None = None
    with threadpool_limits(threads):
        for name, command in (("baseline", baseline), ("review", review)):
            if not quiet:
                ctx.meta[_RUN_STEP] = name
            try:
                ctx.invoke(command, quiet=True)
            except MvpgenError as err:
                failed = _step_failed(name, str(err), err.exit_code)
                break
            finally:
                ctx.meta.pop(_RUN_STEP, None)
            if not quiet:
                echo(f"[{name}] done", err=True)
    if profiling is not None:
        code, problem = profiling.wait()
        if code != 0:  # the first step in the run's order is the one to fix first
            failed = _step_failed("eda", problem or "", code)
    if failed is not None:
        raise failed
    ctx.invoke(summary)


def _step_failed(step: str, problem: str, exit_code: int) -> MvpgenError:
    """Return the error a run reports for a failed step: its problem and how to rerun it."""
    from mvpgen.errors import MvpgenError

    failed = MvpgenError(f"the {step} step failed: {problem}; once fixed, run it again with "
                         f"`mvpgen {step}`, then the rest with `mvpgen run`")
    failed.exit_code = exit_code
    return failed


PROJECT_COMMANDS = ("show", "refresh", "eda", "baseline", "review", "feedback", "status",
                    "predict", "summary", "run")


def project_main(package: str) -> None:
    """Run the project commands as ``python -m <package>``: the same as ``mvpgen``'s."""
    group = _Group(name=package, help=f"The steps of the ML MVP in package {package}; the "
                   "same commands as `mvpgen COMMAND` inside the project.",
                   context_settings=CONTEXT,
                   params=[click.Option(["--debug"], is_flag=True, help="Show tracebacks.")])
    for name in PROJECT_COMMANDS:
        group.add_command(main.commands[name], name)
    group.main(prog_name=f"python -m {package}")
