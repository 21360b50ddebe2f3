"""Tests of models.py: every contender has its own name, fits and predicts every row."""

from mvpgen.testing import Sample, contenders_of


def test_contenders_have_distinct_names(sample: Sample) -> None:
    names = [c.name for c in contenders_of(sample)]
    assert names and len(names) == len(set(names))


def test_each_contender_fits_and_predicts_every_row(sample: Sample) -> None:
    classes = len(set(sample.y))
    for contender in contenders_of(sample):
        fitted = contender.estimator.fit(sample.x, sample.y)
        assert len(fitted.predict(sample.x)) == len(sample.x), contender.name
        if sample.task != "regression":
            proba = fitted.predict_proba(sample.x)
            assert proba.shape == (len(sample.x), classes), contender.name
