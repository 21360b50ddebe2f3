"""Data where it lives: a DuckDB query, a SQLite table, a PostgreSQL query and Parquet
datasets each make a project that runs end to end, with the same verdict as the file,
and no secret ever lands in a report."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CHURN, run, scaffold

from mvpgen.data.sources import Source, expand, read_source, redacted
from mvpgen.errors import DataError

POSTGRES_URL = os.environ.get("MVPGEN_TEST_POSTGRES")  # postgresql://user:${PGPASSWORD}@...


def churn() -> pd.DataFrame:
    return pd.read_csv(CHURN / "customers.csv")


def project_on(isolated: Path, **data: str) -> Path:
    """Make the churn project with its data in another place; return the project."""
    raw = yaml.safe_load((CHURN / "mvp.yaml").read_text(encoding="utf-8"))
    raw["data"] = {**{k: v for k, v in raw["data"].items() if k != "path"}, **data}
    mapping = isolated / "sourced.yaml"
    mapping.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    made = scaffold("demo", "--mapping", str(mapping), "--no-input", "-q")
    assert made.exit_code == 0, made.output
    return isolated / "demo"


def verdict(project: Path) -> dict:
    result = run("-C", str(project), "baseline", "-q")
    assert result.exit_code == 0, result.output
    return json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def from_file(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The churn example's verdict when read from its CSV file."""
    folder = tmp_path_factory.mktemp("file")
    here = os.getcwd()
    os.chdir(folder)
    try:
        assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
        return verdict(folder / "demo")
    finally:
        os.chdir(here)


def same_verdict(sourced: dict, from_file: dict) -> None:
    assert sourced["goal"] == from_file["goal"]
    assert sourced["recommendation"] == from_file["recommendation"]
    assert sourced["data"]["rows"] == 5000


@pytest.mark.slow
def test_a_duckdb_query_over_a_database_file(isolated: Path, from_file: dict) -> None:
    import duckdb

    with duckdb.connect(str(isolated / "shop.duckdb")) as db:
        db.register("frame", churn())
        db.execute("CREATE TABLE customers AS SELECT * FROM frame")
    project = project_on(isolated, query="SELECT * FROM customers",
                         connection=f"duckdb:///{isolated / 'shop.duckdb'}")  # absolute
    sourced = verdict(project)
    same_verdict(sourced, from_file)
    assert len(sourced["data"]["fingerprint"]) == 64  # the rows read, hashed


@pytest.mark.slow
def test_a_sqlite_table_relative_to_the_project(isolated: Path, from_file: dict) -> None:
    (isolated / "data").mkdir()
    with sqlite3.connect(isolated / "data/shop.db") as connection:
        churn().to_sql("customers", connection, index=False)
    project = project_on(isolated, query="SELECT * FROM customers",
                         connection="sqlite:///data/shop.db")
    # Made from the mapping's folder, the project names the database file it read.
    mapping = yaml.safe_load((project / "mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["data"]["connection"] == f"sqlite:///{isolated / 'data/shop.db'}"
    same_verdict(verdict(project), from_file)


def within_noise(sourced: dict, from_file: dict) -> None:
    """The same verdict, and a value inside the file's interval (a sample was drawn)."""
    goal = sourced["goal"]
    assert goal["verdict"] == from_file["goal"]["verdict"]
    assert sourced["recommendation"]["code"] == from_file["recommendation"]["code"]
    low, high = from_file["goal"]["ci"]
    assert low <= goal["value"] <= high


@pytest.mark.slow
def test_a_parquet_folder_and_a_glob(isolated: Path, from_file: dict) -> None:
    table = churn()
    parts = isolated / "parts"
    parts.mkdir()
    table.iloc[:2500].to_parquet(parts / "a.parquet")
    table.iloc[2500:].to_parquet(parts / "b.parquet")
    project = project_on(isolated, path=str(CHURN / "customers.csv"))
    mapping = project / "mvp.yaml"
    text = mapping.read_text(encoding="utf-8")
    for data in (str(parts), f"{parts}/*.parquet"):
        mapping.write_text(text.replace("path: data/raw/customers.csv", f"path: {data}"),
                           encoding="utf-8")
        sourced = verdict(project)
        # A dataset is read out of core: counted over every row, the split drawn by DuckDB.
        assert sourced["data"]["population"]["rows"] == 5000
        assert sourced["data"]["population"]["strategy"] == "time"
        within_noise(sourced, from_file)


@pytest.mark.slow
def test_a_postgresql_query_with_the_password_from_the_environment(
        isolated: Path, from_file: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    if POSTGRES_URL is None:
        if os.environ.get("MVPGEN_REQUIRE_POSTGRES") == "1":
            pytest.fail("MVPGEN_TEST_POSTGRES is not set, but PostgreSQL is required")
        pytest.skip("no PostgreSQL server: set MVPGEN_TEST_POSTGRES (and PGPASSWORD), as "
                    ".ci/run does")
    import sqlalchemy

    engine = sqlalchemy.create_engine(expand(POSTGRES_URL))
    with engine.begin() as connection:
        churn().to_sql("customers_test", connection, index=False, if_exists="replace")
    engine.dispose()
    project = project_on(isolated, query="SELECT * FROM customers_test",
                         connection=POSTGRES_URL)
    same_verdict(verdict(project), from_file)
    secret = os.environ["PGPASSWORD"]
    for path in project.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".md", ".csv", ".yaml"):
            assert secret not in path.read_text(encoding="utf-8", errors="replace"), path
    monkeypatch.delenv("PGPASSWORD")
    result = run("-C", str(project), "baseline", "-q")
    assert result.exit_code == 2
    assert result.output == ("Error: data.connection needs ${PGPASSWORD}, which is not set; "
                             "set it in the environment (export PGPASSWORD=...) and run again\n")


# --- fast ---------------------------------------------------------------------------------------


def test_secrets_come_from_the_environment_and_are_never_shown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_PASSWORD", "s3cr#t@1")
    url = "postgresql://ann:${SHOP_PASSWORD}@db.example/shop"
    assert expand(url) == "postgresql://ann:s3cr%23t%401@db.example/shop"
    assert redacted(url) == "postgresql://ann:***@db.example/shop"
    assert redacted("postgresql://ann:plain@db/shop") == "postgresql://ann:***@db/shop"
    assert Source("query", query="SELECT 1", connection=url).name == (
        "the query on postgresql://ann:***@db.example/shop")


def test_a_failing_query_is_one_line_naming_the_source(isolated: Path) -> None:
    with pytest.raises(DataError) as raised:
        read_source(Source("query", query="SELECT * FROM nowhere", root=isolated))
    assert str(raised.value).startswith("the query on DuckDB failed: Catalog Error: Table "
                                        "with name nowhere does not exist!")


def test_a_duckdb_query_reads_the_projects_files(isolated: Path) -> None:
    churn().to_parquet(isolated / "customers.parquet")
    frame = read_source(Source("query", query="SELECT * FROM 'customers.parquet' WHERE "
                               "plan = 'basic'", root=isolated))
    assert len(frame) == int((churn()["plan"] == "basic").sum())
    assert str(frame["signup_date"].dtype).startswith("datetime64")  # typed like a file


def test_a_query_and_a_path_together_are_refused(churn_raw: dict) -> None:
    from mvpgen.mapping import parse_mapping

    churn_raw["data"]["query"] = "SELECT * FROM customers"
    _, problems = parse_mapping(churn_raw)
    assert [str(p) for p in problems] == [
        "data.query: and data.path both name the data — keep one: a query may read files "
        "itself, e.g. SELECT * FROM 'data/raw/*.parquet'"]


@pytest.mark.slow
def test_mvpgen_new_reads_a_query_like_a_file(isolated: Path, from_file: dict) -> None:
    with sqlite3.connect(isolated / "shop.db") as connection:
        churn().to_sql("customers", connection, index=False)
    raw = yaml.safe_load((CHURN / "mvp.yaml").read_text(encoding="utf-8"))
    del raw["data"]["path"]
    (isolated / "base.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = run("new", "demo", "--mapping", str(isolated / "base.yaml"), "--query",
                 "SELECT * FROM customers", "--connection", f"sqlite:///{isolated / 'shop.db'}",
                 "--no-input", "-q")
    assert result.exit_code == 0, result.output
    assert f"Recommendation: {from_file['recommendation']['sentence']}" in result.output
    mapping = yaml.safe_load((isolated / "demo/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["data"]["query"] == "SELECT * FROM customers"
    assert mapping["data"]["rows"] == 5000 and "size_bytes" not in mapping["data"]
    assert list((isolated / "demo/data/raw").iterdir()) == [isolated / "demo/data/raw/.gitkeep"]
