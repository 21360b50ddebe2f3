"""The baseline report: one self-contained HTML page a product manager reads in ten seconds.

The recommendation comes first, in one sentence, with one picture of every contender
against the goal; then what could make it wrong (warnings, in words); then the
evidence, the parts that apply to the task: money, mistakes, calibration, what the
models rely on, whether more data would help, when people should decide, the leak
screen, human review, and the run history. Every value is escaped, and the page
allows no script and no outside request (Content-Security-Policy).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from mvpgen.evaluation.result import held_out_words
from mvpgen.reports import charts

if TYPE_CHECKING:
    from mvpgen.evaluation.baseline import BaselineRun
    from mvpgen.evaluation.result import BaselineResult
    from mvpgen.project import Project

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
RECOMMENDATION_COLOURS = {"build_model": "#1b7f3b", "launch_rule": "#1b7f3b",
                          "not_yet": "#b3261e", "inconclusive": "#8a6d00",
                          "stop_leak": "#b3261e", "change_goal": "#b3261e"}
COMPACT = {"binary": ("roc_auc", "precision", "recall"),
           "multiclass": ("accuracy", "balanced_accuracy", "f1_macro"),
           "regression": ("mae", "rmse", "r2")}


def render(run: BaselineRun, project: Project, history: list[dict[str, str]]) -> str:
    """Return the report as one HTML page with its charts inside."""
    result = run.result
    mapping = project.mapping
    colour = RECOMMENDATION_COLOURS[result.recommendation.code]
    sections = [
        f"<h1>{_e(mapping.project.name)}</h1>",
        f"<p class='lead'>{_e(mapping.business.requirement)}</p>",
        f"<div class='verdict' style='border-color:{colour}'>"
        f"<h2 style='color:{colour}'>{_e(result.recommendation.sentence)}.</h2>"
        f"<p>{_e(result.goal.message)}.</p>"
        + charts.image(charts.contenders_against_goal(result),
                       "every contender against the goal") + "</div>",
        _warnings(result),
        _table(result),
        _rules(result),
        _money(run, mapping),
        _task_section(run, mapping),
        _reliance(result),
        _learning(result),
        _defer(result),
        _leaks(result),
        _time(result),
        _feedback(result),
        _history(history, result),
        _footer(result),
    ]
    body = "\n".join(s for s in sections if s)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_e(mapping.project.name)}: baseline</title><style>{_CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _capital(name: str) -> str:
    """Return a contender's name as a heading starts it: Linear model."""
    return name[:1].upper() + name[1:]


def _number(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _warnings(result: BaselineResult) -> str:
    shown = [w for w in result.warnings if w.code != "dropped_columns"]
    if not shown:
        return ""
    items = "".join(f"<li>{_e(w.message)}</li>" for w in shown)
    return f"<div class='warnings'><h2>Read this first</h2><ul>{items}</ul></div>"


def _table(result: BaselineResult) -> str:
    metric = result.primary_metric
    compact = [metric, *[m for m in COMPACT[result.task] if m != metric]][:4]
    every = list(next(iter(result.contenders.values())).test)

    def rows(names: list[str], cv: bool) -> str:
        out = []
        for c in result.contenders.values():
            cells = "".join(f"<td>{_number(c.value(n))}" + (
                f"<br><small>cv {_number(c.cv[n]['mean'])} ± {_number(c.cv[n]['std'])}</small>"
                if cv and n in c.cv else "") + "</td>" for n in names)
            out.append(f"<tr><th>{_e(c.name)}</th>{cells}</tr>")
        return "".join(out)

    head = "".join(f"<th>{_e(n)}</th>" for n in compact)
    full_head = "".join(f"<th>{_e(n)}</th>" for n in every)
    cv_note = ("Below each holdout value, the mean ± standard deviation over "
               f"{result.split['cv_folds']} cross-validation folds of the training rows.")
    return (f"<h2>The contenders on {held_out_words(result)}</h2>"
            f"<table><tr><th>contender</th>{head}</tr>{rows(compact, False)}</table>"
            f"<details><summary>Every metric, with cross-validation</summary>"
            f"<table><tr><th>contender</th>{full_head}</tr>{rows(every, True)}</table>"
            f"<p><small>{_e(cv_note)}</small></p></details>")


def _rules(result: BaselineResult) -> str:
    rules = [c for c in result.of_kind("rule") if c.rule]
    return "".join(f"<p><b>{_e(c.name)}:</b> {_e(c.rule)}.</p>" for c in rules)


def _money(run: BaselineRun, mapping: Any) -> str:
    business = run.result.business
    if not business:
        return ""
    beyond = set(business.get("beyond_capacity", ()))
    rows = "".join(f"<tr><th>{_e(name)}" + (" <small>(beyond capacity)</small>" if name in beyond
                                            else "")
                   + f"</th><td>{entry['value']:,.0f}</td><td>{_range(entry['ci'])}</td></tr>"
                   for name, entry in business["per_1000"].items())
    capacity = run.result.capacity
    within = (f", acting on at most {capacity['per_1000']:,.0f} per 1,000 (the capacity)"
              if capacity else "")
    costs = business["costs"]
    stated = business["stated"]
    given = ", ".join(f"{o.replace('_', ' ')} {costs[o]:g}" + ("" if stated[o] else " (not given)")
                      for o in costs)
    text = (f"<h2>In money</h2><p>{_e(business['message'])}.</p>"
            f"<table><tr><th>policy</th><th>cost per 1,000 decisions</th><th>95 % interval</th>"
            f"</tr>{rows}</table><p><small>Costs per outcome: {_e(given)}. Each contender acts "
            f"at the decision threshold that was cheapest on its training folds{_e(within)}."
            "</small></p>")
    saved = run.result.saved_model
    p = run.predictions.get(saved) if saved else None
    threshold = run.result.contenders[saved].decision_threshold if saved else None
    if p is not None and threshold is not None and business["trusted"]:
        share = capacity["share"] if capacity else None
        text += (charts.image(charts.cost_by_threshold(p, mapping.costs, threshold, saved,
                                                       capacity=share),
                              "cost by decision threshold")
                 + f"<p><small>{_e(_cost_caption(saved, threshold, capacity))}</small></p>")
    return text


def _cost_caption(name: str, threshold: float, capacity: dict[str, Any] | None) -> str:
    """Return the cost chart's caption: what the curve is and why the mark sits where it does."""
    text = (f"What {name} would cost per 1,000 held-out decisions at each threshold: the "
            "lower the threshold, the more cases it acts on. ")
    if not capacity:
        return text + (f"The dashed line marks the threshold it uses, {threshold:.2f}, the "
                       "cheapest on its training folds.")
    return text + (f"The business can act on {capacity['per_1000']:,.0f} cases in every 1,000 "
                   "(its capacity). Thresholds in the grey band would act on more, so they "
                   "are not an option, however low the curve runs there. The dashed line "
                   f"marks the threshold it uses, {threshold:.2f}: the cheapest on its "
                   "training folds that stays within capacity.")


def _range(ci: list[Any]) -> str:
    low, high = ci
    return "–" if low is None or high is None else f"{low:,.0f} to {high:,.0f}"


def _task_section(run: BaselineRun, mapping: Any) -> str:
    result = run.result
    saved = result.saved_model
    if saved is None or saved not in run.predictions:
        return ""
    p = run.predictions[saved]
    if result.task == "binary":
        negative = next((str(v) for v in run.card.get("labels", []) if
                         str(v) != str(result.positive_label)), "other")
        costs = mapping.costs if result.costs_trusted else None
        text = (f"<h2>{_e(_capital(saved))}'s decisions on the holdout</h2>"
                + charts.image(charts.confusion(p.truth, p.label,
                                                (negative, str(result.positive_label)), costs),
                               "decisions against what happened"))
        text += ("<h2>Are its chances right?</h2><p>When it says 30 %, about 30 % should "
                 "happen; points on the dotted line are right.</p>"
                 + charts.image(charts.calibration(p, saved), "calibration"))
        return text
    if result.task == "multiclass":
        return (f"<h2>{_e(_capital(saved))}'s mistakes</h2>"
                + charts.image(charts.multiclass_confusion(p.truth, p.label), "mistakes"))
    return (f"<h2>{_e(_capital(saved))}: predicted against actual</h2>"
            + charts.image(charts.regression(p.truth, p.label, saved), "predicted and actual"))


def _reliance(result: BaselineResult) -> str:
    parts = []
    for c in result.contenders.values():
        if c.kind == "trivial":
            continue
        if c.importance:
            items = [(i["column"], i["importance"]) for i in c.importance[:12]]
            parts.append(f"<h3>{_e(_capital(c.name))}</h3>" + charts.image(
                charts.bars(items, "score lost when the column is shuffled (holdout sample)"),
                f"what {c.name} relies on"))
        if c.coefficients:
            items = [(w["feature"], w.get("weight", max(w.get("weights", {0: 0}).values(),
                                                         key=abs))) for w in c.coefficients]
            parts.append(f"<p>{_e(_capital(c.name))}'s largest weights, on scaled columns:</p>"
                         + charts.image(charts.bars(items, "weight"), f"{c.name}'s weights"))
    if not parts:
        return ""
    return "<h2>What the contenders rely on</h2>" + "".join(parts)


def _learning(result: BaselineResult) -> str:
    curve = result.learning_curve
    if not [p for p in curve["points"] if p["value"] is not None]:
        return ""
    return (f"<h2>Would more data help?</h2><p>{_e(_capital(curve['model']))} fitted on "
            f"growing shares of the training rows, measured on the same holdout: "
            f"{_e(curve.get('message', 'too few rows to tell'))}.</p>"
            + charts.image(charts.learning(result), "learning curve"))


def _defer(result: BaselineResult) -> str:
    defer = result.defer
    if not defer or not defer["points"]:
        return ""
    return ("<h2>When should a person decide instead?</h2>"
            f"<p>{_e(defer['message'])}.</p>" + charts.image(charts.defer_curve(defer),
                                                              "model and people together"))


def _leaks(result: BaselineResult) -> str:
    leaks = result.leaks
    rounds = "".join(
        f"<li>Round {r['round']}: {r['columns']} columns"
        + (f", after setting aside {_e(', '.join(r['set_aside_before']))}"
           if r["set_aside_before"] else "")
        + (f"; named {_e(', '.join(r['named']))}" if r["named"] else "; nothing named")
        + (f"; screening model {r['screen_score']:.3f}" if r.get("screen_score") is not None
           else "") + "</li>" for r in leaks.get("rounds", []))
    cleared = "".join(f"<li>{_e(c)}: cleared in mvp.yaml — {_e(why)}</li>"
                      for s in leaks.get("cleared", []) for c, why in s["cleared"].items())
    suspects = "".join(f"<li>{_e(s['evidence'])}</li>" for s in leaks.get("suspects", []))
    return ("<h2>The leak screen</h2><p>On the training rows only: a column alone, a few "
            "columns together, a flexible screening model and what carries its score, and "
            "names that sound like the outcome.</p>"
            + (f"<ul class='bad'>{suspects}</ul>" if suspects else "<p>Nothing named.</p>")
            + (f"<ul>{cleared}</ul>" if cleared else "") + f"<ul>{rounds}</ul>")


def _time(result: BaselineResult) -> str:
    features = result.features
    parts = features.get("time_parts")
    text = ""
    if features.get("time_column") and parts:
        text = (f"<p>The time column '{_e(features['time_column'])}' feeds the models as "
                f"{_e(', '.join(parts))}, so a trend over time is learnt.</p>")
    drift = result.drift
    if drift:
        text += (f"<p>Cross-validation on the training rows says {drift['metric']} "
                 f"{_number(drift['cv_mean'])} ± {_number(drift['cv_std'])}; the holdout says "
                 f"{_number(drift['holdout'])}"
                 + (": they disagree beyond their spread." if drift["drifted"] else
                    ", within their spread.") + "</p>")
    return ("<h2>Time and drift</h2>" + text) if text else ""


def _feedback(result: BaselineResult) -> str:
    feedback = result.feedback
    if not feedback.get("labels"):
        return ("<h2>Human review</h2><p>No reviewer's label yet: run the review step, label "
                "the cases on reports/review.html and take the filled CSV in with the "
                "feedback step; the next baseline learns from it.</p>")
    added = feedback["added_rows"]
    text = (f"<h2>Human review</h2><p>{feedback['rows_labelled']:,} rows carry a reviewer's "
            f"label. This run used {feedback['used']:,}: {feedback['changed']:,} corrected the "
            f"recorded {_e(result.target)}, {feedback['confirmed']:,} confirmed it, and "
            f"{added['data_without_target'] + added['new']:,} added rows ({added['train']:,} "
            f"to training, {added['test']:,} to the holdout by the split's rule).</p>")
    moved = feedback.get("threshold_moved")
    if moved:
        text += f"<p>{_e(moved)}</p>"
    if feedback.get("agreement") is not None:
        text += (f"<p>The model agreed with the reviewers on {feedback['agreement']:.0%} of "
                 f"{feedback['compared']:,} rows.</p>")
    return text


def _history(history: list[dict[str, str]], result: BaselineResult) -> str:
    shown = [h for h in history if h.get("metric") == result.primary_metric]
    if len(shown) < 2:
        return ""
    rows = "".join(f"<tr><td>{_e(h['run_at'])}</td><td>{_e(h['verdict'])}</td>"
                   f"<td>{_e(h['contender'])}</td><td>{_e(h['value'])}</td></tr>"
                   for h in shown[-8:])
    return ("<h2>How the verdict moved</h2>"
            + charts.image(charts.history(shown, result.primary_metric), "history")
            + f"<details><summary>Runs</summary><table><tr><th>run</th><th>verdict</th>"
              f"<th>contender</th><th>{_e(result.primary_metric)}</th></tr>{rows}</table>"
              "</details>")


def _footer(result: BaselineResult) -> str:
    split, bootstrap, data = result.split, result.bootstrap, result.data
    dropped = "; ".join(f"{c} ({why})" for c, why in result.features["dropped"].items())
    trained = (f"{split['train_rows']:,} of {split['sampled_from']:,} training rows (a "
               "random sample)" if split.get("sampled_from") else
               f"{split['train_rows']:,} training rows")
    return (f"<footer>Split: {split['strategy']}, {trained}, "
            f"{split['test_rows']:,} held out, seed {split['seed']}. Intervals: "
            f"{bootstrap['resamples']:,} resamples ({_e(bootstrap['method'])}) over "
            f"{bootstrap['units']:,} {bootstrap['unit']}s. "
            + (f"Not used: {_e(dropped)}. " if dropped else "")
            + f"Data: {data['rows']:,} rows, fingerprint {_e(data['fingerprint'][:16])}…"
            f"</footer>")


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:980px;margin:0 auto;padding:24px}
h1{margin-bottom:0}.lead{color:#555;margin-top:4px}
.verdict{border-left:6px solid;background:#fff;padding:8px 16px;margin:16px 0}
.warnings{background:#fff4e5;padding:4px 16px;border-left:6px solid #f0a030}
.bad li{color:#b3261e}
table{border-collapse:collapse;background:#fff;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}th:first-child{text-align:left}
details{margin:8px 0}img{max-width:100%;background:#fff}
footer{color:#777;font-size:13px;margin-top:32px}
"""
