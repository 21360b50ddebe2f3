"""Tests of features.py: the derived columns and the plan hold on the project's own data."""

import numpy as np
from mvpgen.testing import Sample


def test_derive_keeps_every_row_and_the_target(sample: Sample) -> None:
    assert len(sample.frame) == len(sample.raw)
    assert sample.target in sample.frame.columns


def test_the_plan_uses_no_identifier_and_not_the_target(sample: Sample) -> None:
    used = set(sample.plan.used)
    assert sample.target not in used
    assert not used & set(sample.id_columns)
    assert used, "the plan uses no column at all"


def test_the_preprocessor_turns_the_plan_into_finite_numbers(sample: Sample) -> None:
    numbers = sample.preprocessor().fit_transform(sample.x, sample.y)
    numbers = numbers.toarray() if hasattr(numbers, "toarray") else np.asarray(numbers)
    assert numbers.shape[0] == len(sample.x)
    assert np.isfinite(numbers.astype(float)).all()
