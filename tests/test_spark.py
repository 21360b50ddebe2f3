"""Spark, embedded in local mode: a project whose data Spark reads reaches the pandas verdict,
and ``predict --engine spark`` writes the predictions pandas makes, as Parquet.

One local session serves the module (two cores, no UI, two shuffle partitions); the
tables are the churn example's 5,000 seeded rows written as Parquet. Without pyspark or
Java the tests are skipped, unless MVPGEN_REQUIRE_SPARK=1 (as in CI) makes that a failure.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import CHURN, run, scaffold

SPARK_MESSAGE = "Error: data.engine is spark but pyspark is not installed: pip install " \
                "'mvpgen[spark]'\n"


def require_spark() -> None:
    """Skip (or fail, when MVPGEN_REQUIRE_SPARK=1) without pyspark or Java."""
    missing = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "pyspark is not installed (pip install 'mvpgen[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if missing is None and shutil.which("java") is None and not (
            java_home and (Path(java_home) / "bin/java").is_file()):
        missing = "Java is not installed (apt-get install openjdk-17-jre-headless)"
    if missing is None:
        return
    if os.environ.get("MVPGEN_REQUIRE_SPARK") == "1":
        pytest.fail(f"{missing}, but MVPGEN_REQUIRE_SPARK=1 requires Spark")
    pytest.skip(f"{missing}; set MVPGEN_REQUIRE_SPARK=1 to make this fail")


@pytest.fixture(scope="module")
def spark():
    """The module's one local Spark session, started by mvpgen's own code."""
    require_spark()
    from mvpgen.data.spark import session

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MVPGEN_SPARK_MASTER", "local[2]")
        started = session("the tests")
    started.conf.set("spark.sql.shuffle.partitions", "2")
    yield started
    started.stop()


def set_data(project: Path, **fields: str) -> None:
    """Set fields of the data section of the project's mvp.yaml."""
    import yaml

    mapping = project / "mvp.yaml"
    raw = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    raw["data"].update(fields)
    mapping.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def baseline(project: Path) -> dict:
    result = run("-C", str(project), "baseline", "-q")
    assert result.exit_code == 0, result.output
    return json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The churn project on a Parquet table: its baseline by pandas, then by Spark."""
    folder = tmp_path_factory.mktemp("spark")
    here = os.getcwd()
    os.chdir(folder)
    try:
        assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
        project = folder / "demo"
        table = pd.read_csv(CHURN / "customers.csv", parse_dates=["signup_date"])
        table.to_parquet(project / "data/raw/customers.parquet", index=False)
        set_data(project, path="data/raw/customers.parquet")
        by_pandas = baseline(project)
        set_data(project, engine="spark")
        started = time.perf_counter()
        by_spark = baseline(project)
        seconds = time.perf_counter() - started
    finally:
        os.chdir(here)
    return SimpleNamespace(project=project, pandas=by_pandas, spark=by_spark, seconds=seconds)


@pytest.mark.slow
def test_spark_reaches_the_pandas_verdict_within_each_others_intervals(runs):
    spark, pandas = runs.spark, runs.pandas
    assert spark["recommendation"]["code"] == pandas["recommendation"]["code"] == "build_model"
    assert spark["goal"]["verdict"] == pandas["goal"]["verdict"] == "met"
    assert spark["goal"]["contender"] == pandas["goal"]["contender"]
    for one, other in ((spark, pandas), (pandas, spark)):
        low, high = other["goal"]["ci"]
        assert low <= one["goal"]["value"] <= high
    population = spark["data"]["population"]
    assert population["engine"] == "spark"
    assert population["rows"] == population["rows_with_target"] == 5000
    assert population["strategy"] == spark["split"]["strategy"] == "time"
    # every held-out row was scored on the cluster and measured
    assert spark["split"]["test_rows"] == population["holdout_rows"] > 900
    assert "data" not in pandas or "population" not in pandas["data"]


@pytest.mark.slow
def test_the_notes_say_what_covers_every_row_and_what_a_sample(runs):
    coverage = runs.spark["data"]["coverage"]
    held = runs.spark["data"]["population"]["holdout_rows"]
    assert coverage[0] == ("Counted by Spark over all 5,000 rows: the rows with a target, the "
                           "target's classes, each column's missing values")
    assert coverage[1].startswith("Fitted, cross-validated and screened for leaks on ")
    assert coverage[2] == (f"Metrics and intervals measured on all {held:,} held-out rows "
                           "(time split), scored on the cluster by every contender")
    assert coverage[3].startswith("The columns' profiles, the importances, the learning curve "
                                  "and the holdout table describe the ")
    page = html.unescape((runs.project / "reports/baseline.html").read_text(encoding="utf-8"))
    assert coverage[2] in page
    warning = next(w for w in runs.spark["warnings"] if w["code"] == "sampled_rows")
    assert warning["message"] == "; ".join(coverage)


@pytest.mark.slow
def test_a_holdout_beyond_the_limit_is_measured_on_a_stated_sample(runs, monkeypatch):
    import mvpgen.data.spark

    monkeypatch.setattr(mvpgen.data.spark, "MEASURED_ROWS", 400)
    sampled = baseline(runs.project)
    measured = sampled["split"]["test_rows"]
    held = sampled["data"]["population"]["holdout_rows"]
    assert 250 < measured < 550
    assert sampled["data"]["coverage"][2] == (
        f"Metrics and intervals measured on a random sample of {measured:,} of the {held:,} "
        "held-out rows (time split), scored on the cluster by every contender")
    low, high = sampled["goal"]["ci"]
    assert high - low > runs.spark["goal"]["ci"][1] - runs.spark["goal"]["ci"][0]
    assert low <= runs.pandas["goal"]["value"] <= high


@pytest.mark.slow
def test_predict_with_spark_writes_the_pandas_predictions_as_parquet(runs, spark, tmp_path):
    project = runs.project
    by_spark = run("-C", str(project), "predict", "--engine", "spark",
                   "data/raw/customers.parquet", str(tmp_path / "scored"))
    assert by_spark.exit_code == 0, by_spark.output
    assert by_spark.stdout == f"wrote 5,000 predictions to {tmp_path / 'scored'}\n"
    by_pandas = run("-C", str(project), "predict", "--engine", "pandas",
                    "data/raw/customers.parquet", str(tmp_path / "scored.csv"))
    assert by_pandas.exit_code == 0, by_pandas.output
    # the same notes of values training never saw, counted on the cluster
    assert by_spark.stderr == by_pandas.stderr
    assert "note: " in by_spark.stderr
    parquet = pd.read_parquet(tmp_path / "scored")
    csv = pd.read_csv(tmp_path / "scored.csv", keep_default_na=False)
    assert list(parquet.columns) == ["customer_id", "prediction", "score", "new_values"]
    both = parquet.merge(csv, on="customer_id", suffixes=(" spark", " pandas"))
    assert len(both) == 5000
    for column in ("prediction", "score", "new_values"):
        assert (both[f"{column} spark"] == both[f"{column} pandas"]).all(), column
    assert set(both["prediction spark"]) == {"yes", "no"}

    # a table of Spark's catalog; the engine is the mapping's (spark) by default
    spark.read.parquet(str(project / "data/raw/customers.parquet")).limit(7) \
        .createOrReplaceTempView("new_customers")
    result = run("-C", str(project), "predict", "new_customers", str(tmp_path / "table"))
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(tmp_path / "table")) == 7


def test_predict_with_spark_never_replaces_an_input_or_an_existing_folder(runs, tmp_path):
    project = runs.project
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/mine.txt").write_text("mine\n", encoding="utf-8")
    for out, force, message in (
            (project / "data", [], f"OUT {project / 'data'} holds the project's data; write "
             "the predictions to a folder of their own"),
            (project, ["--force"], f"OUT {project} holds the project's mvp.yaml; write the "
             "predictions to a folder of their own"),
            (tmp_path / "taken", [], f"OUT {tmp_path / 'taken'} exists; pass --force to "
             "replace it, or name another folder"),
            (tmp_path / "taken", ["--force"], f"OUT {tmp_path / 'taken'} is a folder holding "
             "other files than Parquet predictions; name a new folder for them")):
        result = run("-C", str(project), "predict", "--engine", "spark",
                     "data/raw/customers.parquet", str(out), *force)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"Error: {message}\n"
    assert (tmp_path / "taken/mine.txt").read_text(encoding="utf-8") == "mine\n"


def test_without_pyspark_spark_is_one_line_naming_the_extra(isolated, monkeypatch):
    assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
    set_data(isolated / "demo", engine="spark")
    for name in ("pyspark", "pyspark.sql"):
        monkeypatch.setitem(sys.modules, name, None)  # import pyspark fails, as uninstalled
    result = run("-C", str(isolated / "demo"), "baseline", "-q")
    assert result.exit_code == 2
    assert result.stderr == SPARK_MESSAGE
    result = run("-C", str(isolated / "demo"), "predict", "--engine", "spark",
                 "data/raw/customers.csv", str(isolated / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: there is no saved model")


def test_the_mapping_checks_what_only_spark_reads():
    from mvpgen.mapping import parse_mapping

    raw = _mapping()
    raw["data"] = {"table": "sales.customers", "engine": "duckdb", "path": "x.parquet",
                   "connection": "duckdb:///shop.duckdb"}
    _, problems = parse_mapping(raw)
    assert [str(p) for p in problems if str(p).startswith("data.")] == [
        "data.connection: is set but data.query is not — give the query to run there, e.g. "
        "query: SELECT * FROM customers",
        "data.table: and data.path both name the data — keep one: the table, or the files "
        "or query",
        "data.table: is a table of Spark's catalog, which DuckDB cannot read — set "
        "data.engine: spark"]
    raw["data"] = {"path": "x.parquet", "spark_master": "spark://host:7077"}
    _, problems = parse_mapping(raw)
    assert [str(p) for p in problems] == [
        "data.spark_master: is set but data.engine is pandas — set data.engine: spark, or "
        "remove spark_master"]


def test_spark_stays_unimported_until_a_command_needs_it():
    code = ("import sys\nfrom mvpgen.cli import main\ntry:\n    main(['predict', '--help'])\n"
            "except SystemExit:\n    pass\nimport mvpgen.data.spark, mvpgen.steps.predict_spark\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == "[]"
    assert "--engine [pandas|spark]" in out


def _mapping() -> dict:
    import yaml

    return yaml.safe_load((CHURN / "mvp.yaml").read_text(encoding="utf-8"))
