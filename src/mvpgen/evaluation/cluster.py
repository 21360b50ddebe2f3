"""Every contender measured on the held-out rows where they live: scored on the cluster.

A table read by Spark is fitted on the sample the driver loaded, while its held-out rows
stay on the cluster (see :mod:`mvpgen.data.spark`). Once the contenders are fitted, each
held-out row (or a stated sample of them, beyond ``MEASURED_ROWS``) is scored there by
all of them in one pass: the fitted models go out to the workers once, each worker reads
its rows as training read them (the project's ``derive``, each column as the kind it
had) and sends back only the target, the split's group and time, and what each contender
said. The metrics and intervals are then computed from those, as from any holdout; a
reviewer's label replaces the value the data recorded, as it does in memory.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from mvpgen.data.spark import ClusterHoldout
    from mvpgen.features import FeaturePlan

_LABEL = "__mvpgen_label"


@dataclass
class Measured:
    """What the contenders said about the held-out rows scored on the cluster."""

    target: pd.Series  # each scored row's target; a reviewer's label where one was given
    groups: np.ndarray | None  # each row's group, as text, when the split held groups out
    times: pd.Series | None  # each row's time, under a time split
    outputs: dict[str, tuple[np.ndarray, tuple[Any, ...]]]  # contender -> (output, classes)
    total: int  # every held-out row on the cluster

    def __len__(self) -> int:
        return len(self.target)


def measure(cluster: ClusterHoldout, models: dict[str, Any], *, task: str, target: str,
            plan: FeaturePlan, package: str | None, package_dir: Path | None,
            group: str | None, time_column: str | None, labels: dict[str, str],
            classes: list[Any] | None, id_columns: list[str],
            key_columns: list[str]) -> Measured:
    """Score the held-out rows on the cluster with every fitted contender.

    Args:
        cluster: the held-out rows where they live.
        models: the fitted contenders, by name.
        task: the task.
        target: the target column.
        plan: the features the contenders use, and the kind each had in training.
        package: the project's package, when its features.py has a ``derive``, which
            then runs on the workers too.
        package_dir: the package's folder, sent to the workers.
        group: the split's group column, if any.
        time_column: the split's time column, under a time split.
        labels: the reviewers' latest label of each row id (empty without labels).
        classes: the target's classes (None for regression), to read the labels.
        id_columns: the declared id columns, which name rows for the labels.
        key_columns: the columns whose values name a row without id columns.

    Raises:
        DataError: when the rows cannot be scored (a worker's error said as raised).
    """
    from mvpgen.data import spark as sparks
    from mvpgen.loop.relabel import label_value

    session = sparks.session("data.engine is spark")
    sparks.ship(session, package_dir)
    names = list(models)
    fitted = [models[name] for name in names]
    shapes = [() if task == "regression" else tuple(model.classes_) for model in fitted]
    keep = list(dict.fromkeys(c for c in (target, group, time_column) if c))
    schema = sparks.schema_of(cluster.frame, keep)
    for i, shape in enumerate(shapes):
        schema += [f"`_m{i}_{j}` double" for j in range(max(len(shape), 1))]
    if labels:
        schema.append(f"`{_LABEL}` string")
    batches = partial(_score, models=sparks.share(session, fitted), package=package,
                      used=list(plan.used), kinds=dict(plan.kinds), keep=keep,
                      dates=(time_column,) if time_column else (),
                      labels=sparks.share(session, labels) if labels else None,
                      ids=list(id_columns), keys=list(key_columns),
                      regression=task == "regression")
    scored = cluster.scored(batches, ", ".join(schema))
    values = scored[target]
    if labels:
        given = scored[_LABEL].notna().to_numpy()
        if given.any():
            values = values.astype(object)
            values[given] = [label_value(label, classes) for label in scored[_LABEL][given]]
    outputs = {}
    for i, (name, shape) in enumerate(zip(names, shapes, strict=True)):
        columns = [f"_m{i}_{j}" for j in range(max(len(shape), 1))]
        block = scored[columns].to_numpy(dtype=float)
        outputs[name] = (block[:, 0] if task == "regression" else block, shape)
    return Measured(values.reset_index(drop=True),
                    scored[group].astype(str).to_numpy() if group else None,
                    scored[time_column].reset_index(drop=True) if time_column else None,
                    outputs, cluster.rows)


def _score(batches: Iterator[pd.DataFrame], *, models: Any, package: str | None,
           used: list[str], kinds: dict[str, str], keep: list[str], dates: tuple[str, ...],
           labels: Any, ids: list[str], keys: list[str],
           regression: bool) -> Iterator[pd.DataFrame]:
    """Score batches of held-out rows with every contender (runs on the workers)."""
    import pandas as pd

    from mvpgen.data.spark import as_read
    from mvpgen.features import as_trained
    from mvpgen.loop.rowkeys import row_ids

    derive = _derive(package)
    fitted = models.value
    human = labels.value if labels is not None else {}
    for batch in batches:
        out = {c: batch[c].copy() for c in keep}
        rows = as_read(batch, dates)
        frame = derive(rows.copy()) if derive is not None else rows
        x = as_trained(frame[used], kinds, "the held-out rows")
        for i, model in enumerate(fitted):
            said = (np.asarray(model.predict(x), dtype=float)[:, None] if regression else
                    np.asarray(model.predict_proba(x), dtype=float))
            for j in range(said.shape[1]):
                out[f"_m{i}_{j}"] = said[:, j]
        if human:
            out[_LABEL] = [human.get(row) for row in row_ids(rows, ids, keys)]
        yield pd.DataFrame(out, index=batch.index)


def _derive(package: str | None) -> Any:
    """Return the project's ``derive``, imported on the worker as on the driver."""
    if package is None:
        return None
    return importlib.import_module(f"{package}.features").derive
