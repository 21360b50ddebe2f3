"""The baseline report: one self-contained HTML page a product manager can read.

The verdict comes first, then what could make it wrong (the warnings), then the
evidence: the three models side by side with their intervals, the curves, the
learning curve, what the linear model relies on, and the money.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from .models import MODEL_NAMES

if TYPE_CHECKING:
    from .baseline import BaselineRun
    from .config import Mapping

COLOURS = {"trivial": "#9e9e9e", "heuristic": "#f0a030", "linear": "#2f6db5"}
VERDICT_COLOURS = {"met": "#1b7f3b", "not_met": "#b3261e", "inconclusive": "#8a6d00"}
TOP_COEFFICIENTS = 15


def render(run: BaselineRun, mapping: Mapping) -> str:
    """Return the report as one HTML page with its charts inside."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    m = run.metrics
    goal = m["goal"]
    sections = [
        f"<h1>{_e(mapping.project.name)}: baseline</h1>",
        f"<p class='lead'>{_e(mapping.business.requirement)}</p>",
        f"<div class='verdict' style='border-color:{VERDICT_COLOURS[goal['verdict']]}'>"
        f"<h2 style='color:{VERDICT_COLOURS[goal['verdict']]}'>{_e(goal['message'])}</h2>"
        f"<p>{_e(m['versus_rule']['message'])}.</p>{_cost_sentence(m)}</div>",
        _warnings(m["warnings"]),
        "<h2>Trivial vs. rule vs. linear</h2>",
        _image(_comparison_chart(m)),
        _metrics_table(m),
        f"<p><b>The rule:</b> {_e(m['models']['heuristic']['rule'])}.</p>",
        _task_section(run),
        "<h2>Would more data help?</h2>",
        _image(_learning_chart(m)) if m["learning_curve"]["points"] else "",
        f"<p>{_e(m['learning_curve'].get('message', 'Too few rows to tell.'))}.</p>",
        _defer_section(m),
        _feedback_section(m),
        _coefficients(run),
        _cost_table(m),
        _footer(m),
    ]
    body = "\n".join(s for s in sections if s)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{_e(mapping.project.name)}: baseline</title><style>{_CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _e(text: Any) -> str:
    return html.escape(str(text))


def _cost_sentence(m: dict[str, Any]) -> str:
    business = m.get("business")
    if not business:
        return ""
    costs = business["expected_cost_per_1000"]
    cheapest = business["cheapest"]
    words = {"act_on_all": "acting on every case", "act_on_none": "acting on no case",
             "linear": "the linear model", "heuristic": "the rule", "trivial": "no model"}
    saving = costs["act_on_none"] - costs["linear"]
    versus = (f"{saving:,.0f} less than doing nothing" if saving > 0 else
              "no less than doing nothing")
    return (f"<p>In money: {_e(words[cheapest])} is cheapest, at {costs[cheapest]:,.0f} per "
            f"1,000 decisions; the linear model costs {costs['linear']:,.0f} ({versus}).</p>")


def _warnings(warnings: list[dict[str, Any]]) -> str:
    if not warnings:
        return "<p class='ok'>No warnings.</p>"
    items = "".join(f"<li><b>{_e(w['code'])}</b>: {_e(w['message'])}</li>" for w in warnings)
    return f"<div class='warnings'><h2>Read this first</h2><ul>{items}</ul></div>"


def _metrics_table(m: dict[str, Any]) -> str:
    names = list(m["models"]["linear"]["test"])
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = []
    for model in MODEL_NAMES:
        entry = m["models"][model]
        cells = "".join(
            f"<td>{_number(entry['test'][n])}<br><small>cv {_number(entry['cv'][n]['mean'])}"
            f" ± {_number(entry['cv'][n]['std'])}</small></td>" for n in names)
        rows.append(f"<tr><th>{model}</th>{cells}</tr>")
    return (f"<table><tr><th>model</th>{head}</tr>{''.join(rows)}</table>"
            f"<p><small>Holdout values; below each, the mean ± standard deviation over "
            f"{m['split']['cv_folds']} cross-validation folds of the training rows"
            f"{' (a sample)' if m['split']['cv_rows'] < m['split']['train_rows'] else ''}."
            f"{_CV_THRESHOLD_NOTE if m['task'] == 'binary' else ''}</small></p>")


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}"


def _task_section(run: BaselineRun) -> str:
    task = run.metrics["task"]
    if task == "binary":
        return ("<h2>How well each model ranks the cases</h2>" + _image(_curves(run))
                + "<h2>The linear model's mistakes at its decision threshold</h2>"
                + _image(_confusion(run)))
    if task == "multiclass":
        return "<h2>The linear model's mistakes</h2>" + _image(_confusion(run))
    return "<h2>Predicted against actual</h2>" + _image(_regression(run))


def _figure(width: float = 7, height: float = 3.6) -> Any:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), dpi=100)


def _image(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<img alt='chart' src='data:image/png;base64,{data}'>"


def _comparison_chart(m: dict[str, Any]) -> Any:
    figure, axis = _figure(7, 2.4)
    metric = m["primary_metric"]
    for i, model in enumerate(MODEL_NAMES):
        value = m["models"][model]["test"][metric]
        low, high = m["confidence_intervals"][model][metric]
        if value is None:
            continue
        axis.barh(i, value, color=COLOURS[model])
        if low is not None and high is not None:
            axis.errorbar(value, i, xerr=[[value - low], [high - value]], color="black",
                          capsize=4)
    axis.axvline(m["goal"]["threshold"], color=VERDICT_COLOURS[m["goal"]["verdict"]],
                 linestyle="--", label=f"goal {m['goal']['threshold']:g}")
    axis.set_yticks(range(len(MODEL_NAMES)), MODEL_NAMES)
    axis.set_xlabel(f"{metric} on the holdout, with 95 % interval")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), frameon=False)
    return figure


def _curves(run: BaselineRun) -> Any:
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    figure, (roc, pr) = plt.subplots(1, 2, figsize=(9, 3.8), dpi=100)
    truth = run.holdout["actual"].to_numpy() == run.positive_label
    for model in MODEL_NAMES:
        score = run.holdout[f"{model}_score"].to_numpy()
        fpr, tpr, _ = roc_curve(truth, score)
        roc.plot(fpr, tpr, color=COLOURS[model], label=model)
        precision, recall, _ = precision_recall_curve(truth, score)
        pr.plot(recall, precision, color=COLOURS[model], label=model)
    roc.plot([0, 1], [0, 1], color="#cccccc", linestyle=":")
    roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    pr.set(xlabel="recall", ylabel="precision", title="precision–recall")
    roc.legend(loc="lower right")
    return figure


def _confusion(run: BaselineRun) -> Any:
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axis = _figure(4.6, 3.8)
    ConfusionMatrixDisplay.from_predictions(
        run.holdout["actual"].astype(str), run.holdout["linear_prediction"].astype(str),
        ax=axis, colorbar=False, cmap="Blues")
    axis.set(xlabel="predicted", ylabel="actual")
    return figure


def _regression(run: BaselineRun) -> Any:
    import matplotlib.pyplot as plt

    figure, (scatter, residuals) = plt.subplots(1, 2, figsize=(9, 3.8), dpi=100)
    actual = run.holdout["actual"].astype(float).to_numpy()
    predicted = run.holdout["linear_prediction"].to_numpy()
    scatter.scatter(actual, predicted, s=6, alpha=0.4, color=COLOURS["linear"])
    low, high = np.nanmin(actual), np.nanmax(actual)
    scatter.plot([low, high], [low, high], color="#888888", linestyle=":")
    scatter.set(xlabel="actual", ylabel="predicted", title="linear model")
    residuals.hist(actual - predicted, bins=40, color=COLOURS["linear"])
    residuals.set(xlabel="actual − predicted", title="residuals")
    return figure


def _learning_chart(m: dict[str, Any]) -> Any:
    figure, axis = _figure(6, 2.8)
    points = m["learning_curve"]["points"]
    axis.plot([p["train_rows"] for p in points], [p["value"] for p in points], marker="o",
              color=COLOURS["linear"])
    axis.set(xlabel="training rows", ylabel=m["primary_metric"],
             title="linear model on the same holdout")
    return figure


def _defer_section(m: dict[str, Any]) -> str:
    defer = m.get("defer")
    if not defer or not defer["points"]:
        return ""
    figure, axis = _figure(6, 2.8)
    points = defer["points"]
    axis.plot([p["coverage"] for p in points], [p["accuracy"] for p in points], marker="o",
              color=COLOURS["linear"])
    for p in points:
        axis.annotate(f"{p['confidence']:.0%}", (p["coverage"], p["accuracy"]), fontsize=7,
                      textcoords="offset points", xytext=(3, 3))
    axis.set(xlabel="share of cases the model decides", ylabel="accuracy on them",
             title="deciding only when confident (labels: confidence)")
    return ("<h2>When should a person decide instead?</h2>" + _image(figure)
            + f"<p>{_e(defer['message'])}.</p>")


def _feedback_section(m: dict[str, Any]) -> str:
    feedback = m["feedback"]
    if not feedback["labels"]:
        return ("<h2>Human review</h2><p>No reviewer's label yet: run the review step, "
                "label the cases on reports/review.html and take the filled CSV in with the "
                "feedback step; the next baseline learns from it.</p>")
    added = feedback["added_rows"]
    text = (f"<h2>Human review</h2><p>{feedback['rows_labelled']:,} rows carry a reviewer's "
            f"label ({feedback['labels']:,} labels in all). This run used {feedback['used']:,}: "
            f"{feedback['changed']:,} corrected the recorded {_e(m['target'])}, "
            f"{feedback['confirmed']:,} confirmed it, and "
            f"{added['data_without_target'] + added['new']:,} added rows "
            f"({added['train']:,} to training, {added['test']:,} to the holdout by the split's "
            "rule)." + (f" {feedback['unmatched']:,} labels name rows no longer in the data."
                        if feedback["unmatched"] else "") + "</p>")
    history = [h for h in feedback["history"] if h["agreement"] is not None]
    if not history:
        return text
    rows = "".join(f"<tr><td>{_e(h['received_at'])}</td><td>{h['compared']:,}</td>"
                   f"<td>{h['agreement']:.0%}</td></tr>" for h in history)
    table = ("<table><tr><th>labels received</th><th>compared</th>"
             f"<th>model agreed</th></tr>{rows}</table>")
    agreement = (f"<p>Over all rows labelled so far the model agreed with the reviewers on "
                 f"{feedback['agreement']:.0%} of {feedback['compared']:,}"
                 + (" (a number agrees within 10 % of the reviewer's)"
                    if m["task"] == "regression" else "") + ".</p>")
    if len(history) < 2:  # a line needs two points
        return text + agreement + table
    figure, axis = _figure(6, 2.6)
    axis.plot(range(len(history)), [h["agreement"] for h in history], marker="o",
              color=COLOURS["linear"])
    axis.set_xticks(range(len(history)), [h["received_at"][:10] for h in history],
                    fontsize=7)
    axis.set(ylim=(0, 1.02), ylabel="model agrees", title="agreement by batch of labels")
    return text + agreement + _image(figure) + table


def _coefficients(run: BaselineRun) -> str:
    pipeline = run.models["linear"]
    model = pipeline.named_steps["model"]
    names = pipeline.named_steps["features"].get_feature_names_out()
    weights = np.atleast_2d(model.coef_)
    size = np.abs(weights).max(axis=0)
    order = np.argsort(-size)[:TOP_COEFFICIENTS]
    rows = "".join(f"<tr><td>{_e(_plain_name(names[i]))}</td>"
                   + "".join(f"<td>{w[i]:+.3f}</td>" for w in weights) + "</tr>"
                   for i in order)
    head = ("<th>weight</th>" if len(weights) == 1 else
            "".join(f"<th>{_e(c)}</th>" for c in model.classes_))
    return ("<h2>What the linear model relies on</h2><p>The largest weights on scaled "
            "columns (a one-hot column is one category):</p>"
            f"<table><tr><th>column</th>{head}</tr>{rows}</table>")


def _plain_name(name: str) -> str:
    """Drop the step prefix: ``categorical__plan = basic`` becomes ``plan = basic``."""
    rest = name.partition("__")[2] or name
    return rest.replace("missingindicator_", "missing: ")


def _cost_table(m: dict[str, Any]) -> str:
    business = m.get("business")
    if not business:
        return ""
    rows = "".join(f"<tr><td>{_e(k.replace('_', ' '))}</td><td>{v:,.0f}</td></tr>"
                   for k, v in business["expected_cost_per_1000"].items())
    fp, fn = business["costs"]["false_positive"], business["costs"]["false_negative"]
    return ("<h2>Is ML cost-effective here?</h2>"
            f"<p>Expected cost per 1,000 decisions on the holdout, with a false positive at "
            f"{fp:g} and a false negative at {fn:g}; each model acts at the threshold that "
            "was cheapest on the training folds.</p>"
            f"<table><tr><th>policy</th><th>cost per 1,000</th></tr>{rows}</table>")


def _footer(m: dict[str, Any]) -> str:
    split = m["split"]
    return (f"<footer>Split: {split['strategy']}, {split['train_rows']:,} training rows, "
            f"{split['test_rows']:,} held out, seed {split['seed']}. Intervals: "
            f"{m['bootstrap']['resamples']:,} bootstrap resamples of the holdout's "
            f"{m['bootstrap']['unit']}s. "
            f"Data fingerprint {_e(m['data']['fingerprint'] or 'not recorded')}.</footer>")


# The holdout is the measurement; cross-validation is the second opinion, and this is
# where it leans optimistic.
_CV_THRESHOLD_NOTE = (" Decision metrics in cross-validation use the decision threshold "
                      "chosen on those same folds, so they lean optimistic; the holdout "
                      "values do not.")

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:980px;margin:0 auto;padding:24px}
h1{margin-bottom:0}.lead{color:#555;margin-top:4px}
.verdict{border-left:6px solid;background:#fff;padding:8px 16px;margin:16px 0}
.warnings{background:#fff4e5;padding:4px 16px;border-left:6px solid #f0a030}
.ok{color:#1b7f3b}
table{border-collapse:collapse;background:#fff;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}th:first-child{text-align:left}
img{max-width:100%;background:#fff}footer{color:#777;font-size:13px;margin-top:32px}
"""
