"""The pictures of the baseline report, each a PNG inside the page.

Text in a chart is never read as math (a category like ``plan_$10_$20`` stays text),
and every chart is drawn off-screen.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mvpgen.evaluation.result import BaselineResult
    from mvpgen.metrics import Predictions

VERDICT_COLOURS = {"met": "#1b7f3b", "not_met": "#b3261e", "inconclusive": "#8a6d00"}
KIND_COLOURS = {"trivial": "#9e9e9e", "rule": "#f0a030", "model": "#2f6db5"}
GOAL_COLOUR = "#444444"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    return plt


def figure(width: float = 7, height: float = 3.4, columns: int = 1) -> Any:
    """Return a new figure and its axes."""
    return _pyplot().subplots(1, columns, figsize=(width, height), dpi=100)


def image(fig: Any, alt: str) -> str:
    """Return the figure as an <img> with its data inside, and close it."""
    import html

    import matplotlib
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    from mvpgen.words import printable

    plt = _pyplot()
    # A name holding an escape shows it, as text (drawn raw, it would be a missing glyph);
    # "$10" is money, not the start of math.
    for text in fig.findobj(Text):
        text.set_text(printable(text.get_text(), keep="\n"))
        text.set_parse_math(False)
        text.set_usetex(False)
    for axes in fig.axes:  # tick labels given as text are drawn anew from their formatter
        for axis in (axes.xaxis, axes.yaxis):
            named = axis.get_major_formatter()
            if isinstance(named, (FixedFormatter, FuncFormatter)):
                axis.set_major_formatter(FuncFormatter(
                    lambda x, pos, named=named: printable(named(x, pos), keep="\n")))
    buffer = io.BytesIO()
    # Tick labels are made while drawing: they read the setting here, not the caller's.
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        fig.tight_layout()
        fig.savefig(buffer, format="png")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<img alt='{html.escape(alt, quote=True)}' src='data:image/png;base64,{data}'>"


def contenders_against_goal(result: BaselineResult) -> Any:
    """Every contender's value with its interval, the goal as a line."""
    metric = result.primary_metric
    names = list(result.contenders)
    fig, axis = figure(7.2, 0.55 * len(names) + 1.3)
    for i, name in enumerate(reversed(names)):
        c = result.contenders[name]
        value, (low, high) = c.value(metric), c.ci
        if value is None:
            axis.text(0.02, i, "undefined", va="center", transform=axis.get_yaxis_transform())
            continue
        colour = KIND_COLOURS.get(c.kind, "#2f6db5")
        if low is not None and high is not None:
            axis.plot([low, high], [i, i], color=colour, linewidth=6, alpha=0.35,
                      solid_capstyle="butt")
        axis.plot(value, i, "o", color=VERDICT_COLOURS[c.verdict], markersize=8)
    axis.axvline(result.goal.threshold, color=GOAL_COLOUR, linestyle="--", linewidth=1.2)
    axis.annotate(f"goal {result.goal.threshold:g}", (result.goal.threshold, len(names) - 0.4),
                  fontsize=8, ha="center", color=GOAL_COLOUR)
    axis.set_yticks(range(len(names)), list(reversed(names)))
    axis.set_ylim(-0.6, len(names) - 0.2)
    # Two lines: one would run past the figure's edges on a narrow chart.
    axis.set_xlabel(f"{metric} on the held-out rows (dot: value, bar: 95 % interval)\n"
                    "green meets the goal, red misses it, amber may", fontsize=8)
    return fig


def cost_by_threshold(p: Predictions, costs: Any, chosen: float, name: str,
                      capacity: float | None = None) -> Any:
    """The expected cost per 1,000 decisions at every decision threshold, chosen one marked.

    With a ``capacity`` (the share of cases the business can act on), the thresholds
    that would act on more are shaded and their part of the curve dashed: the curve is
    often lowest there, at a saving nobody has the hands to make.
    """
    from matplotlib.ticker import FuncFormatter

    from mvpgen.evaluation.fitting import cost_per_1000

    thresholds = np.unique(np.append(np.linspace(0, 1, 201), chosen))
    values = np.array([cost_per_1000(p.truth, p.score >= t, costs) for t in thresholds])
    fig, axis = figure(6.4, 3.4 if capacity is not None else 2.9)
    axis.yaxis.set_major_formatter(FuncFormatter(lambda y, pos: f"{y:,.0f}"))
    axis.set(xlabel=f"decision threshold of {name} (act when its score reaches it)",
             ylabel="cost per 1,000 decisions")
    if capacity is None:
        axis.plot(thresholds, values, color=KIND_COLOURS["model"])
        axis.axvline(chosen, color=GOAL_COLOUR, linestyle="--", linewidth=1)
        axis.annotate(f"chosen {chosen:.2f}", (chosen, max(values)), fontsize=8, ha="left")
        return fig
    edge = _capacity_edge(p.score, thresholds, capacity)
    within = thresholds >= edge
    beyond = f"beyond capacity (acts on more than {capacity * 1000:,.0f} of every 1,000)"
    axis.axvspan(0, edge, color=KIND_COLOURS["trivial"], alpha=0.25, linewidth=0, label=beyond)
    # The dashed part runs up to the edge, so the curve shows no gap where it changes.
    axis.plot(thresholds[thresholds <= edge], values[thresholds <= edge],
              color=KIND_COLOURS["trivial"], linestyle="--")
    axis.plot(thresholds[within], values[within], color=KIND_COLOURS["model"],
              label="within capacity")
    axis.axvline(chosen, color=GOAL_COLOUR, linestyle="--", linewidth=1)
    at_chosen = values[np.searchsorted(thresholds, chosen)]
    axis.plot(chosen, at_chosen, "o", color=GOAL_COLOUR,
              label=f"chosen {chosen:.2f} (cheapest within capacity): {at_chosen:,.0f} "
                    "per 1,000")
    axis.set_xlim(0, 1)
    # Below the chart: inside, it would hide the curve wherever the curve happens to run.
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, frameon=False)
    return fig


def _capacity_edge(score: np.ndarray, thresholds: np.ndarray, capacity: float) -> float:
    """Return the lowest threshold that acts on no more than the capacity's share.

    As the money table judges a policy: acting on a little more than the share, within
    three standard errors of it, is chance (the threshold was chosen on other rows).
    """
    slack = 3 * np.sqrt(capacity * (1 - capacity) / max(len(score), 1))
    acted = np.array([np.mean(score >= t) if len(score) else 0.0 for t in thresholds])
    fits = thresholds[acted <= capacity + slack]
    return float(fits[0]) if len(fits) else float(thresholds[-1])


def confusion(truth: np.ndarray, decided: np.ndarray, labels: tuple[str, str],
              costs: Any | None) -> Any:
    """The 2×2 table of decisions, in counts and, with costs, in money."""
    fig, axis = figure(4.4, 3.4)
    cells = [[(~truth & ~decided).sum(), (~truth & decided).sum()],
             [(truth & ~decided).sum(), (truth & decided).sum()]]
    outcomes = [["true_negative", "false_positive"], ["false_negative", "true_positive"]]
    axis.imshow(np.array(cells, dtype=float), cmap="Blues")
    for r in range(2):
        for c in range(2):
            text = f"{cells[r][c]:,}"
            if costs is not None:
                text += f"\n{cells[r][c] * costs.of(outcomes[r][c]):,.0f} in money"
            axis.text(c, r, text, ha="center", va="center", fontsize=9,
                      color="black" if cells[r][c] < max(max(cells)) * 0.6 else "white")
    negative, positive = labels
    axis.set_xticks([0, 1], [f"not flagged ({negative})", f"flagged ({positive})"], fontsize=8)
    axis.set_yticks([0, 1], [f"actually {negative}", f"actually {positive}"], fontsize=8)
    return fig


def multiclass_confusion(truth: np.ndarray, predicted: np.ndarray) -> Any:
    """The table of actual against predicted classes."""
    from sklearn.metrics import ConfusionMatrixDisplay

    fig, axis = figure(5, 4)
    ConfusionMatrixDisplay.from_predictions(truth.astype(str), predicted.astype(str), ax=axis,
                                            colorbar=False, cmap="Blues")
    axis.set(xlabel="predicted", ylabel="actual")
    return fig


def calibration(p: Predictions, name: str) -> Any:
    """Predicted chance against what happened, by tenth of the predicted chance."""
    fig, axis = figure(4.6, 3.4)
    bins = np.clip((p.score * 10).astype(int), 0, 9)
    shown_x, shown_y, sizes = [], [], []
    for b in range(10):
        rows = bins == b
        if rows.sum() >= 5:
            shown_x.append(p.score[rows].mean())
            shown_y.append(p.truth[rows].mean())
            sizes.append(rows.sum())
    axis.plot([0, 1], [0, 1], color="#bbbbbb", linestyle=":")
    axis.scatter(shown_x, shown_y, s=np.clip(np.array(sizes) / max(sizes or [1]) * 200, 15, 200),
                 color=KIND_COLOURS["model"])
    axis.plot(shown_x, shown_y, color=KIND_COLOURS["model"])
    axis.set(xlabel=f"chance {name} gives", ylabel="share that happened", xlim=(0, 1),
             ylim=(0, 1))
    return fig


def bars(items: list[tuple[str, float]], xlabel: str, colour: str = "#2f6db5") -> Any:
    """Horizontal bars, largest at the top."""
    fig, axis = figure(6.6, 0.3 * len(items) + 1.1)
    labels = [_cut(name) for name, _ in reversed(items)]
    values = [value for _, value in reversed(items)]
    axis.barh(range(len(items)), values,
              color=[colour if v >= 0 else "#b3261e" for v in values])
    axis.set_yticks(range(len(items)), labels, fontsize=8)
    axis.axvline(0, color="#888888", linewidth=0.8)
    axis.set_xlabel(xlabel, fontsize=8)
    return fig


def learning(result: BaselineResult) -> Any:
    """The best model's holdout metric by training rows, with its 95 % band."""
    curve = result.learning_curve
    points = [p for p in curve["points"] if p["value"] is not None]
    fig, axis = figure(6, 2.9)
    rows = [p["train_rows"] for p in points]
    values = [p["value"] for p in points]
    lows = [p["ci"][0] if p["ci"][0] is not None else p["value"] for p in points]
    highs = [p["ci"][1] if p["ci"][1] is not None else p["value"] for p in points]
    axis.fill_between(rows, lows, highs, color=KIND_COLOURS["model"], alpha=0.2,
                      label="95 % interval")
    axis.plot(rows, values, marker="o", color=KIND_COLOURS["model"])
    axis.axhline(result.goal.threshold, color=GOAL_COLOUR, linestyle="--", linewidth=1,
                 label="goal")
    axis.set(xlabel="training rows", ylabel=result.primary_metric)
    axis.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def defer_curve(defer: dict[str, Any]) -> Any:
    """Model and people together: the metric by the share people review."""
    points = [p for p in defer["points"] if p["holdout"] is not None]
    fig, axis = figure(6, 2.9)
    share = [p["review_per_1000"] for p in points]
    axis.fill_between(share, [p["ci"][0] if p["ci"][0] is not None else p["holdout"]
                              for p in points],
                      [p["ci"][1] if p["ci"][1] is not None else p["holdout"] for p in points],
                      color=KIND_COLOURS["model"], alpha=0.2)
    axis.plot(share, [p["holdout"] for p in points], marker="o", color=KIND_COLOURS["model"])
    if defer["metric"] == defer["goal_metric"]:
        axis.axhline(defer["goal"], color=GOAL_COLOUR, linestyle="--", linewidth=1)
    proposed = defer.get("proposed")
    if proposed:
        axis.axvline(proposed["review_per_1000"], color="#1b7f3b", linestyle=":")
    axis.set(xlabel="cases people review, per 1,000", ylabel=f"{defer['metric']}, together")
    return fig


def regression(actual: np.ndarray, predicted: np.ndarray, name: str) -> Any:
    """Predicted against actual, and the residuals."""
    fig, (scatter, residuals) = figure(9, 3.6, columns=2)
    scatter.scatter(actual, predicted, s=6, alpha=0.4, color=KIND_COLOURS["model"])
    low, high = np.nanmin(actual), np.nanmax(actual)
    scatter.plot([low, high], [low, high], color="#888888", linestyle=":")
    scatter.set(xlabel="actual", ylabel="predicted", title=name)
    residuals.hist(actual - predicted, bins=40, color=KIND_COLOURS["model"])
    residuals.set(xlabel="actual − predicted", title="residuals")
    return fig


def history(runs: list[dict[str, str]], metric: str) -> Any:
    """The primary metric of the contender each past run showed, with its interval."""
    shown = [r for r in runs if r.get("metric") == metric and r.get("value")]
    fig, axis = figure(6, 2.6)
    x = range(len(shown))
    values = [float(r["value"]) for r in shown]
    lows = [float(r["ci_low"]) if r.get("ci_low") else v for r, v in zip(shown, values,
                                                                          strict=True)]
    highs = [float(r["ci_high"]) if r.get("ci_high") else v for r, v in zip(shown, values,
                                                                            strict=True)]
    axis.fill_between(x, lows, highs, color=KIND_COLOURS["model"], alpha=0.2)
    axis.plot(x, values, marker="o", color=KIND_COLOURS["model"])
    axis.set_xticks(list(x), [r["run_at"][:10] for r in shown], fontsize=7)
    axis.set(ylabel=metric)
    return fig


def _cut(text: str, limit: int = 45) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
