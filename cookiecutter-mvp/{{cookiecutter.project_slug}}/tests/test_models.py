"""Tests of models.py: every contender has its own name, fits and predicts every row."""

import pytest
from mvpgen.testing import Sample, contenders_of


def test_contenders_have_distinct_names(sample: Sample) -> None:
    names = [c.name for c in contenders_of(sample)]
    assert names and len(names) == len(set(names))


@pytest.mark.parametrize("position", range(4))
def test_each_contender_fits_and_predicts(sample: Sample, position: int) -> None:
    listed = contenders_of(sample)
    if position >= len(listed):
        pytest.skip(f"models.py lists {len(listed)} contenders")
    contender = listed[position]
    fitted = contender.estimator.fit(sample.x, sample.y)
    predicted = fitted.predict(sample.x)
    assert len(predicted) == len(sample.x), contender.name
    if sample.task != "regression":
        proba = fitted.predict_proba(sample.x)
        assert proba.shape == (len(sample.x), len(set(sample.y))), contender.name
