"""The baseline page a product manager reads: the answer first, then the evidence in order,
warnings in words, and a cost chart that respects what the business can act on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import churn_after_baseline

import mvpgen.evaluation.warnings as warnings_module

# A recorded fingerprint that is not the data's: the page then has a warning to show.
OTHER_FINGERPRINT = "ab" * 32


@pytest.fixture(scope="module")
def churn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The churn example after one baseline, its mvp.yaml recording another extract."""
    def record_another_extract(project: Path) -> None:
        mapping = project / "mvp.yaml"
        text = mapping.read_text(encoding="utf-8")
        mapping.write_text(re.sub(r"sha256: \w+", f"sha256: {OTHER_FINGERPRINT}", text),
                           encoding="utf-8")

    return churn_after_baseline(tmp_path_factory.mktemp("baseline-page"),
                                record_another_extract)


def positions(page: str, *marks: str) -> list[int]:
    """Return where each mark first occurs in the page, failing on one that is missing."""
    found = []
    for mark in marks:
        assert mark in page, mark
        found.append(page.index(mark))
    return found


def warning_codes() -> set[str]:
    """Return every code a warning of the baseline can carry."""
    source = Path(warnings_module.__file__).read_text(encoding="utf-8")
    return set(re.findall(r'Warning\("([a-z_]+)"', source))


@pytest.mark.slow
def test_the_page_answers_first_then_shows_the_evidence_in_order(churn):
    page = (churn / "reports/baseline.html").read_text(encoding="utf-8")
    metrics = json.loads((churn / "reports/metrics.json").read_text(encoding="utf-8"))
    sentence = f"{metrics['recommendation']['sentence']}."
    order = positions(
        page, sentence, "<img alt='every contender against the goal'", "Read this first",
        "<h2>In money</h2>", "<img alt='cost by decision threshold'",
        "<img alt='decisions against what happened'", "<img alt='calibration'",
        "<img alt='what linear model relies on'", "<img alt='learning curve'",
        "<img alt='model and people together'")
    assert order == sorted(order)
    assert page.index(sentence) < page.index("<img")  # the answer before any chart

    # The full metric table is folded away, every metric of the holdout in it.
    summary = "<details><summary>Every metric, with cross-validation</summary>"
    folded = page[page.index(summary):]
    folded = folded[:folded.index("</details>")]
    for metric in metrics["models"]["linear model"]["test"]:
        assert f"<th>{metric}</th>" in folded, metric

    # Warnings are sentences: no code of metrics.json reaches the reader.
    start = page.index("<div class='warnings'>")
    warnings = page[start:page.index("</div>", start)]
    assert "the data is not the file mvp.yaml recorded" in warnings
    assert [w["code"] for w in metrics["warnings"]][:1] == ["data_changed"]
    shown = re.sub(r"<[^>]+>", " ", warnings)
    assert not {code for code in warning_codes() if code in shown}
    columns = set(metrics["data"]["features"]) | set(metrics["features"]["dropped"])
    assert not set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", shown)) - columns


@pytest.mark.slow
def test_the_cost_chart_says_what_lies_beyond_capacity(churn):
    page = (churn / "reports/baseline.html").read_text(encoding="utf-8")
    metrics = json.loads((churn / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["capacity"]["per_1000"] == 200
    chart = page.index("<img alt='cost by decision threshold'")
    caption = page[page.index("<p><small>", chart):]
    caption = caption[:caption.index("</small></p>")]
    threshold = metrics["models"]["linear model"]["decision_threshold"]
    assert "The business can act on 200 cases in every 1,000 (its capacity)" in caption
    assert "Thresholds in the grey band would act on more" in caption
    assert (f"marks the threshold it uses, {threshold:.2f}: the cheapest on its training folds "
            "that stays within capacity") in caption


def chart_of(capacity: float | None) -> tuple[list[str], list[tuple[float, float]]]:
    """Draw the cost chart of 1,000 cases; return its legend and its shaded spans."""
    import numpy as np

    from mvpgen.mapping import Costs
    from mvpgen.metrics import Predictions
    from mvpgen.reports import charts

    score = np.linspace(0, 1, 1000, endpoint=False)
    truth = np.random.default_rng(0).random(1000) < score
    p = Predictions(truth, score >= 0.8, score)
    costs = Costs(false_positive=40, false_negative=150, true_positive=-80)
    fig = charts.cost_by_threshold(p, costs, 0.8, "model", capacity=capacity)
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()] if legend else []
    spans = [(patch.get_x(), patch.get_x() + patch.get_width())
             for patch in fig.axes[0].patches]
    charts.image(fig, "cost")  # drawn and closed as the page does
    return labels, spans


def test_the_cost_chart_shades_the_thresholds_beyond_capacity():
    labels, spans = chart_of(0.2)
    assert labels == ["beyond capacity (acts on more than 200 of every 1,000)",
                      "within capacity",
                      "chosen 0.80 (cheapest within capacity): " + labels[2].split(": ")[1]]
    # Scores spread evenly: acting on 20 % (plus chance, three standard errors) starts
    # at the threshold 0.8 - 0.038.
    ((start, end),) = spans
    assert start == 0
    assert end == pytest.approx(0.8 - 3 * (0.2 * 0.8 / 1000) ** 0.5, abs=0.006)


def test_the_cost_chart_without_a_capacity_shades_nothing():
    assert chart_of(None) == ([], [])
