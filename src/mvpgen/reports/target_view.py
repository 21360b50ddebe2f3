"""The target against the columns that explain it best: one small chart per column.

Each chart splits the rows by one column: its frequent categories, or up to ten bins
of its numbers or dates, each holding about the same number of rows (a column with few
values keeps one bar per value); missing values have a bar of their own. In each
group it shows, for two classes, the share of the positive class; for more classes,
the share of each class; for a quantity, its spread (box: the middle half; whiskers:
the 5th to the 95th percentile). The dashed line is the same figure over all rows.

The columns are the ones the quick screen of :mod:`mvpgen.data.screening` finds
strongest, drawn from a seeded sample, strongest first. The charts are HTML bars, like
the profile's own frequency bars: drawn in microseconds where a picture library takes
a tenth of a second a chart, sharp at any zoom, and their text is escaped text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

VIEW_ROWS = 20_000  # the rates of ten bins are as good as exact on this many rows
VIEW_COLUMNS = 6
BARS = 10  # bins of a number or date; categories shown, the rest as "other"
CLASSES = 6  # classes drawn by name in a multiclass chart; the rest as "other classes"
VIEWED_ROLES = ("numeric", "categorical", "datetime")  # not identifiers, text, constants
COLOURS = ("#2f6db5", "#f0a030", "#1b7f3b", "#b3261e", "#7b4fa0", "#8c6d31", "#9e9e9e")
_LABEL_CHARACTERS = 28


@dataclass(frozen=True)
class Groups:
    """One column's rows split into the groups a chart shows."""

    column: str
    kind: str  # number, date or category
    labels: list[str]
    codes: np.ndarray  # each row's group

    def sizes(self) -> np.ndarray:
        """Return how many rows each group holds."""
        return np.bincount(self.codes, minlength=len(self.labels))


@dataclass(frozen=True)
class TargetView:
    """The charts of the target against its strongest columns, as one HTML section."""

    html: str
    columns: list[str]  # strongest first
    rows: int  # the rows the charts are drawn from


def target_view(frame: pd.DataFrame, target: str, task: str, roles: dict[str, str], *,
                positive: Any = None, seed: int = 0) -> TargetView:
    """Draw the target against the columns that explain it best.

    Args:
        frame: the rows with a target.
        target: the target column.
        task: binary, multiclass or regression.
        roles: each column's role (numeric, categorical, datetime, text, id, constant);
            only numbers, categories and dates are drawn.
        positive: the positive class of a binary target.
        seed: the seed of the sample the charts are drawn from.

    Returns:
        The section (escaped HTML), the columns drawn, strongest first, and the rows used.
    """
    from mvpgen.data.screening import strongest

    sample = frame if len(frame) <= VIEW_ROWS else frame.sample(n=VIEW_ROWS,
                                                                 random_state=seed)
    y = sample[target]
    candidates = [c for c in frame.columns if c != target and roles.get(c) in VIEWED_ROLES]
    chosen = strongest(sample, y.to_numpy(), candidates, task, VIEW_COLUMNS)
    groups = [split_rows(sample[column]) for column in chosen]
    groups = [g for g in groups if len(g.labels) > 1]
    indicators = _indicators(y, task)
    groups.sort(key=lambda g: -explained(g.codes, indicators))
    panels = [_panel(g, y, task, positive) for g in groups]
    return TargetView(_section(panels, target, task, positive, len(y), len(frame),
                               len(candidates)),
                      [g.column for g in groups], len(sample))


# --- groups ---------------------------------------------------------------------------------


def split_rows(series: pd.Series) -> Groups:
    """Split a column's rows into the groups its chart shows, missing values last."""
    import pandas as pd

    name = str(series.name)
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        unit = np.datetime_data(series.dtype)[0]
        numbers = series.to_numpy().astype(np.int64).astype(float)
        numbers[series.isna().to_numpy()] = np.nan
        groups = _binned(name, "date", numbers, _date_label(unit, "%Y-%m-%d"))
        if len(set(groups.labels)) < len(groups.labels):  # bins within a day
            groups = _binned(name, "date", numbers, _date_label(unit, "%Y-%m-%d %H:%M"))
        return groups
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return _binned(name, "number", series.to_numpy(dtype=float, na_value=np.nan),
                       _number)
    return _categories(name, series)


def _binned(name: str, kind: str, values: np.ndarray, label: Any) -> Groups:
    known = ~np.isnan(values)
    codes = np.zeros(len(values), dtype=np.int64)
    inside = values[known]
    distinct = np.unique(inside)
    if len(distinct) <= BARS:
        codes[known] = np.searchsorted(distinct, inside)
        labels = [label(v) for v in distinct]
    else:
        edges = np.unique(np.quantile(inside, np.linspace(0, 1, BARS + 1)))
        # The first bin holds its lower edge; every bin holds its upper edge.
        bins = np.searchsorted(edges[1:-1], inside, side="left")
        codes[known] = bins
        # Each bin is labelled with the smallest and largest value it holds.
        labels = []
        for b in range(len(edges) - 1):
            held = inside[bins == b]
            if len(held) == 0:
                labels.append("")  # dropped with the other empty groups
                continue
            low, high = label(held.min()), label(held.max())
            labels.append(low if low == high else f"{low} – {high}")
    return _with_missing(name, kind, labels, codes, known)


def _categories(name: str, series: pd.Series) -> Groups:
    values = series.astype(object)
    known = values.notna().to_numpy()
    counts = values[known].value_counts()
    shown = list(counts.index[:BARS - 1] if len(counts) > BARS else counts.index)
    position = {value: i for i, value in enumerate(shown)}
    codes = np.zeros(len(values), dtype=np.int64)
    codes[known] = values[known].map(position).fillna(len(shown)).to_numpy(dtype=np.int64)
    labels = [str(value) for value in shown]
    if len(counts) > len(shown):
        labels.append(f"other ({len(counts) - len(shown):,} values)")
    return _with_missing(name, "category", labels, codes, known)


def _with_missing(name: str, kind: str, labels: list[str], codes: np.ndarray,
                  known: np.ndarray) -> Groups:
    if not known.all():
        codes[~known] = len(labels)
        labels = [*labels, "missing"]
    used = np.bincount(codes, minlength=len(labels)) > 0
    if not used.all():  # quantile bins of tied values can come out empty
        new = np.cumsum(used) - 1
        codes = new[codes]
        labels = [label for label, keep in zip(labels, used, strict=True) if keep]
    return Groups(name, kind, labels, codes)


def _number(value: float) -> str:
    """Return a number as people write it: 1,250, 45, 3.14, 0.0012."""
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _date_label(unit: str, pattern: str) -> Any:
    """Return a labeller of dates held as counts of ``unit``."""
    import pandas as pd

    def label(value: float) -> str:
        return pd.Timestamp(np.datetime64(int(value), unit)).strftime(pattern)

    return label


# --- what the target does in each group -----------------------------------------------------


def _indicators(y: pd.Series, task: str) -> np.ndarray:
    """Return the target as columns of numbers: itself, or one 0/1 column per class."""
    if task == "regression":
        return y.to_numpy(dtype=float).reshape(-1, 1)
    _, codes = np.unique(y.astype(str).to_numpy(), return_inverse=True)
    return np.eye(codes.max() + 1)[codes]


def explained(codes: np.ndarray, indicators: np.ndarray) -> float:
    """Return the share of the target's variance that lies between the groups (eta²)."""
    counts = np.bincount(codes).astype(float)
    used = counts > 0
    between = total = 0.0
    for column in indicators.T:
        sums = np.bincount(codes, weights=column, minlength=len(counts))
        mean = column.mean()
        between += float((sums[used] ** 2 / counts[used]).sum() - len(column) * mean**2)
        total += float(((column - mean) ** 2).sum())
    return between / total if total > 0 else 0.0


def _panel(groups: Groups, y: pd.Series, task: str, positive: Any) -> str:
    """Return one column's chart: a row per group, its label, its size and its bar."""
    if task == "binary":
        tracks, values, note = _rates(groups, y, positive)
    elif task == "multiclass":
        tracks, values, note = _shares(groups, y)
    else:
        tracks, values, note = _spreads(groups, y)
    rows = "".join(
        f"<tr><th scope='row' title='{_e(label)}'>{_e(_cut(label))}</th>"
        f"<td class='mv-n'>{size:,}</td><td class='mv-track'>{track}</td>"
        f"<td class='mv-v'>{value}</td></tr>"
        for label, size, track, value in zip(groups.labels, groups.sizes(), tracks, values,
                                             strict=True))
    return (f"<figure class='mv-panel'><figcaption><strong>{_e(groups.column)}</strong> "
            f"<small>{groups.kind}</small></figcaption>"
            f"<table class='mv-bars'><thead><tr><th></th><td class='mv-n'>rows</td><td></td>"
            f"<td></td></tr></thead><tbody>{rows}</tbody></table>"
            f"<p class='mv-note'>{note}</p></figure>")


def _rates(groups: Groups, y: pd.Series, positive: Any) -> tuple[list[str], list[str], str]:
    hits = (y.to_numpy() == positive).astype(float)
    rates = np.bincount(groups.codes, weights=hits, minlength=len(groups.labels)) / (
        groups.sizes())
    overall = float(hits.mean())
    top = min(1.0, max(float(rates.max()), overall) * 1.1) or 1.0
    line = f"<span class='mv-ref' style='left:{overall / top:.1%}'></span>"
    tracks = [f"<span class='mv-bar' style='width:{rate / top:.1%}'></span>{line}"
              for rate in rates]
    note = (f"Bar: share of {_e(y.name)} = {_e(positive)} in the group (scale 0 to "
            f"{top:.0%}); dashed line: all rows, {overall:.1%}.")
    return tracks, [f"{rate:.0%}" for rate in rates], note


def _shares(groups: Groups, y: pd.Series) -> tuple[list[str], list[str], str]:
    classes = y.astype(str).to_numpy()
    counts = y.astype(str).value_counts()
    named = list(counts.index[:CLASSES])
    layers = [(name, classes == name) for name in named]
    if len(counts) > CLASSES:
        layers.append(("other classes", ~np.isin(classes, named)))
    sizes = groups.sizes()
    shares = [np.bincount(groups.codes, weights=rows.astype(float),
                          minlength=len(sizes)) / sizes for _, rows in layers]
    tracks = []
    for g in range(len(sizes)):
        parts = "".join(
            f"<span style='width:{share[g]:.1%};background:{COLOURS[i % len(COLOURS)]}' "
            f"title='{_e(name)} {share[g]:.0%}'></span>"
            for i, ((name, _), share) in enumerate(zip(layers, shares, strict=True)))
        tracks.append(f"<span class='mv-stack'>{parts}</span>")
    first = _e(layers[0][0])
    legend = "".join(f"<span class='mv-key' style='background:{COLOURS[i % len(COLOURS)]}'>"
                     f"</span>{_e(name)}" for i, (name, _) in enumerate(layers))
    note = (f"Bar: share of each class of {_e(y.name)} in the group; the number is the "
            f"share of {first}. {legend}")
    return tracks, [f"{share:.0%}" for share in shares[0]], note


def _spreads(groups: Groups, y: pd.Series) -> tuple[list[str], list[str], str]:
    values = y.to_numpy(dtype=float)
    stats = np.array([np.percentile(values[groups.codes == g], [5, 25, 50, 75, 95])
                      for g in range(len(groups.labels))])
    low, high = float(stats[:, 0].min()), float(stats[:, 4].max())
    width = (high - low) or 1.0

    def at(value: float) -> float:
        return (value - low) / width

    median = float(np.median(values))
    tracks = [f"<span class='mv-whisker' style='left:{at(p5):.1%};width:{at(p95) - at(p5):.1%}'>"
              f"</span><span class='mv-box' style='left:{at(q1):.1%};"
              f"width:{at(q3) - at(q1):.1%}'></span>"
              f"<span class='mv-med' style='left:{at(mid):.1%}'></span>"
              f"<span class='mv-ref' style='left:{at(median):.1%}'></span>"
              for p5, q1, mid, q3, p95 in stats]
    note = (f"{_e(y.name)} in the group: box, the middle half; whiskers, 5th to 95th "
            f"percentile; number and thick line, the median (scale {_number(low)} to "
            f"{_number(high)}); dashed line: median of all rows, {_number(median)}.")
    return tracks, [_number(row[2]) for row in stats], note


# --- the section ----------------------------------------------------------------------------


def _section(panels: list[str], target: str, task: str, positive: Any, drawn: int,
             rows: int, usable: int) -> str:
    if task == "binary":
        what = f"the share of {_e(target)} = {_e(positive)}"
    elif task == "multiclass":
        what = f"the share of each class of {_e(target)}"
    else:
        what = f"the spread of {_e(target)}"
    if not panels:
        return (f"<p>No column to draw {what} against: every column other than the target "
                "is an identifier, free text or constant.</p>")
    scope = (f"all {rows:,} rows" if drawn == rows else
             f"a random sample of {drawn:,} of the {rows:,} rows")
    intro = (f"<p>How {what} changes with the {len(panels)} columns that explain it best "
             f"(of {usable:,} numbers, categories and dates; identifiers and free text left "
             f"out), strongest first, on {scope}. Each row is a group of rows: a category, "
             "a value, or a bin holding about as many rows as the others. A column that "
             "separates the target almost perfectly may give the answer away (a leak).</p>")
    return (f"<style>{_CSS}</style><div class='mv-view'>{intro}"
            f"<div class='mv-grid'>{''.join(panels)}</div></div>")


def _cut(text: str, limit: int = _LABEL_CHARACTERS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


_CSS = (
    ".mv-view{padding:0 12px}"
    ".mv-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));"
    "gap:18px 32px;align-items:start}"
    ".mv-panel{margin:0}.mv-panel figcaption{margin-bottom:2px}"
    ".mv-panel figcaption small{color:#6c757d;margin-left:4px}"
    ".mv-bars{width:100%;border-collapse:collapse;font-size:.8rem;line-height:1.25}"
    ".mv-bars th{font-weight:normal;text-align:right;white-space:nowrap;padding:1px 6px 1px 0}"
    ".mv-bars td{padding:1px 4px}.mv-bars thead td{color:#6c757d;font-size:.7rem}"
    ".mv-n{color:#6c757d;text-align:right;width:4em}"
    ".mv-track{position:relative;width:58%;height:18px;background:#f3f5f8}"
    ".mv-bar{position:absolute;left:0;top:3px;bottom:3px;background:#2f6db5}"
    ".mv-ref{position:absolute;top:0;bottom:0;border-left:1px dashed #222}"
    ".mv-v{width:3.2em;white-space:nowrap}"
    ".mv-stack{position:absolute;left:0;right:0;top:3px;bottom:3px;display:flex}"
    ".mv-whisker{position:absolute;top:50%;height:1px;background:#2f6db5}"
    ".mv-box{position:absolute;top:4px;bottom:4px;background:#c9d9ef;"
    "border:1px solid #2f6db5}"
    ".mv-med{position:absolute;top:2px;bottom:2px;width:2px;margin-left:-1px;"
    "background:#2f6db5}"
    ".mv-note{font-size:.75rem;color:#6c757d;margin:3px 0 0}"
    ".mv-key{display:inline-block;width:.8em;height:.8em;margin:0 3px 0 8px;"
    "vertical-align:middle}"
)
