"""Score a whole table on the cluster with the saved model, and write Parquet.

``mvpgen predict --engine spark IN OUT`` is ``predict`` for tables one machine cannot
hold: Spark reads IN (a CSV or Parquet file, a folder or glob of them, a location such
as ``s3a://bucket/new/``, or a table of Spark's catalog), each worker scores its rows
with the saved model exactly as ``predict`` does (the model, loaded and checked on the
driver, is sent to every worker once), and OUT is a folder of Parquet files with the id
columns, the prediction, its score and ``new_values``. As with the CSV, OUT is never
one of the project's inputs and is replaced only with ``--force``; it appears whole or
not at all.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mvpgen.errors import MvpgenError
from mvpgen.project import PATHS, RECORD_FILE, Project
from mvpgen.steps.predict import Scored, load_saved, predictions_for, version_notes

if TYPE_CHECKING:
    import pandas as pd


def score_table(project: Project, rows: str, out: Path, *, force: bool = False) -> Scored:
    """Predict for every row of ``rows`` on the cluster; write Parquet to the folder ``out``.

    Raises:
        DataError: when Spark cannot read ``rows``, or a row cannot be scored (a missing
            column, a value of the wrong kind), or pyspark is not installed.
        MvpgenError: when ``out`` is or holds an input (or exists without ``force``).
        ModelError: when there is no trustworthy saved model.
    """
    from mvpgen.data import spark as sparks

    refuse_overwrite(project, rows, out, force=force)
    model, card = load_saved(project)
    session = sparks.session("--engine is spark", project.mapping.data.spark_master)
    table = sparks.read_rows(session, rows, Path.cwd())
    features = project.user_module("features")
    derive = features is not None and hasattr(features, "derive")
    if derive and project.package:
        sparks.ship(session, project.root / "src" / project.package)
    ids = [c for c in card.get("id_columns", []) if c in table.frame.columns]
    task = card["task"]
    schema = sparks.schema_of(table.frame, ids)
    schema.append("prediction " + ("double" if task == "regression"
                                   else sparks.spark_type(list(card.get("labels", [])))))
    schema += [] if task == "regression" else ["score double"]
    schema.append("new_values string")
    batches = partial(_score, model=sparks.share(session, model), card=card,
                      source=Path(rows).name or rows, ids=ids,
                      package=project.package if derive else None)
    scored = table.frame.mapInPandas(batches, ", ".join(schema))
    written = _write(session, scored, out, force=force)
    counted, unseen = _counts(written, card)
    return Scored(counted, out, version_notes(card), unseen, card)


def _score(batches: Iterator[pd.DataFrame], *, model: Any, card: dict[str, Any], source: str,
           ids: list[str], package: str | None) -> Iterator[pd.DataFrame]:
    """Score batches of rows with the saved model, as ``predict`` does (runs on the workers)."""
    from mvpgen.data.spark import as_read

    derive = importlib.import_module(f"{package}.features").derive if package else None
    saved = model.value
    for batch in batches:
        out = batch[ids].copy()
        predicted = predictions_for(saved, card, as_read(batch), source, derive)
        for column in predicted.columns:
            out[column] = predicted[column].to_numpy()
        yield out


def _write(session: Any, scored: Any, out: Path, *, force: bool) -> Any:
    """Write the scored rows to ``out``, whole or not at all; return them as written."""
    from mvpgen.data import spark as sparks

    where = str(out)
    if sparks.is_uri(where):
        mode = "overwrite" if force else "errorifexists"
        sparks.run(lambda: scored.write.mode(mode).parquet(where), "writing the predictions")
        return session.read.parquet(where)
    target = out.expanduser().resolve()
    partial_folder = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial_folder, ignore_errors=True)
    try:
        sparks.run(lambda: scored.write.parquet(str(partial_folder)),
                   "writing the predictions")
    except BaseException:
        shutil.rmtree(partial_folder, ignore_errors=True)
        raise
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    partial_folder.rename(target)
    return session.read.parquet(str(target))


def _counts(written: Any, card: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """Return how many rows were written, and per column how many hold a new value."""
    from pyspark.sql import functions as F

    from mvpgen.data import spark as sparks

    columns = [c for c, seen in card.get("categories", {}).items() if len(seen) < 1000]
    columns += [c for c in card.get("ranges", {}) if c not in columns]
    flags = F.split(F.col("new_values"), "; ")
    row = sparks.run(lambda: written.agg(F.count(F.lit(1)), *[
        F.sum(F.array_contains(flags, c).cast("int")) for c in columns]).first(),
        "counting the predictions")
    unseen = {c: int(n or 0) for c, n in zip(columns, row[1:], strict=True) if n}
    return int(row[0]), unseen


def refuse_overwrite(project: Project, rows: str, out: Path, *, force: bool) -> None:
    """Refuse an OUT that is, holds or lies inside an input, or exists without ``force``.

    Writing a folder of Parquet replaces the whole folder, so a folder that holds the
    project or its data is refused even with ``--force``, and so is one inside the rows
    being scored (the predictions would become rows to score).

    Raises:
        MvpgenError: naming the folder and what to do instead.
    """
    from mvpgen.data import spark as sparks

    if sparks.is_uri(str(out)):
        if str(out).rstrip("/") == rows.rstrip("/"):
            msg = f"OUT {out} is the rows being scored; write the predictions to another folder"
            raise MvpgenError(msg)
        return
    target = out.expanduser().resolve()
    for path, what in _inputs(project, rows).items():
        if target == path:
            msg = f"OUT {out} is {what}; write the predictions to another folder"
        elif target in path.parents:
            msg = f"OUT {out} holds {what}; write the predictions to a folder of their own"
        elif path in target.parents and path.is_dir():
            msg = f"OUT {out} is inside {what}; write the predictions to another folder"
        else:
            continue
        raise MvpgenError(msg)
    if target.exists() and not force:
        msg = f"OUT {out} exists; pass --force to replace it, or name another folder"
        raise MvpgenError(msg)
    if target.is_dir() and not _predictions_folder(target):
        msg = (f"OUT {out} is a folder holding other files than Parquet predictions; name a "
               "new folder for them")
        raise MvpgenError(msg)


def _inputs(project: Project, rows: str) -> dict[Path, str]:
    """Return the files and folders the project reads, and the rows being scored."""
    import glob as globbing

    inputs = {project.mapping_file.resolve(): "the project's mvp.yaml"}
    for where, what in ((Path(rows).expanduser(), "the rows being scored"),
                        (project.data_file, "the project's data")):
        if where is None:
            continue
        if any(c in where.name for c in "*?["):
            for match in globbing.glob(str(where), recursive=True):
                inputs[Path(match).resolve()] = what
        else:
            inputs[where.resolve()] = what
    return inputs | {project.path(PATHS.model).resolve(): "the saved model",
                     project.path(PATHS.model_card).resolve(): "the model's card",
                     project.path(PATHS.labels).resolve(): "the label log",
                     project.path(RECORD_FILE).resolve(): "the project's record"}


def _predictions_folder(folder: Path) -> bool:
    """Return whether a folder holds only what Spark writes (part files, markers)."""
    return all(p.is_file() and p.name.startswith(("part-", "_", ".")) for p in folder.iterdir())
