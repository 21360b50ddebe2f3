"""Helpers for the tests a project keeps of its own code (features.py, models.py).

They give a test what the steps give the user's code: a sample of the project's data
after ``derive``, the plan, the target and fresh contenders, in a few lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import pandas as pd

    from mvpgen.contenders import Contender
    from mvpgen.features import FeaturePlan
    from mvpgen.project import Project


@dataclass
class Sample:
    """A sample of a project's rows, as the contenders see them."""

    project: Project
    raw: pd.DataFrame  # as read
    frame: pd.DataFrame  # after features.derive
    plan: FeaturePlan
    preprocessor: Callable[[], Any]
    x: pd.DataFrame  # the plan's columns
    y: np.ndarray  # the target, as the contenders learn it
    task: str
    target: str
    id_columns: list[str]


def sample_of(project: Project, rows: int = 300, seed: int = 0) -> Sample:
    """Return up to ``rows`` rows with a target, read and planned as the steps do."""
    import numpy as np

    from mvpgen.data.columns import describe_columns
    from mvpgen.data.read import load_dataset
    from mvpgen.data.target import python_values, resolve_task
    from mvpgen.features import default_plan, default_preprocessor

    mapping = project.mapping
    dataset = load_dataset(mapping, project.root)
    raw = dataset.frame
    if len(raw) > rows:
        raw = raw.sample(n=rows, random_state=seed).reset_index(drop=True)
    features = project.user_module("features")
    frame = features.derive(raw.copy()) if features and hasattr(features, "derive") else raw
    group = mapping.data.group_column
    ids = [*dataset.id_columns, *([group] if group else [])]
    infos = describe_columns(frame, id_columns=tuple(ids), time_column=mapping.data.time_column)
    candidates = [c for c in frame.columns if c != dataset.target
                  and c not in dataset.id_columns]
    plan = default_plan(infos, candidates, group_column=group,
                        time_column=mapping.data.time_column)
    if features is not None and hasattr(features, "plan"):
        plan = features.plan(plan)
    make = (features.preprocessor if features is not None and hasattr(features, "preprocessor")
            else default_preprocessor)
    task = resolve_task(mapping.technical.task, frame[dataset.target].unique())
    target = frame[dataset.target]
    y = (target.astype(float).to_numpy() if task == "regression"
         else np.asarray(python_values(target)))
    return Sample(project, raw, frame, plan, lambda: make(plan), frame[plan.used], y, task,
                  dataset.target, list(dataset.id_columns))


def contenders_of(sample: Sample) -> list[Contender]:
    """Return fresh contenders of the sample's project, as the baseline builds them."""
    from mvpgen.contenders import project_contenders

    models = sample.project.user_module("models")
    return project_contenders(models, sample.task, sample.preprocessor,
                              sample.project.mapping.settings.seed)
