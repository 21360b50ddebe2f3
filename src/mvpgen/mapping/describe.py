"""Say what a mapping means, in plain words."""

from __future__ import annotations

from mvpgen.mapping.schema import Mapping

TASK_WORDS = {
    "binary": "binary classification",
    "multiclass": "multiclass classification",
    "regression": "regression",
}


def describe_mapping(m: Mapping) -> list[tuple[str, str]]:
    """Return the mapping as (label, sentence) pairs, in the order a reader needs them."""
    lines = [("Requirement", m.business.requirement)]
    if m.business.kpi:
        lines.append(("KPI", _kpi_sentence(m)))
    task = TASK_WORDS.get(m.technical.task or "", "a task inferred from the data")
    positive = (f" (the positive class is {m.technical.positive_label!r})"
                if m.technical.positive_label is not None else "")
    lines.append(("Task", f"{task} of the column {m.technical.target!r}{positive}"))
    sign = ">=" if m.metric.higher_is_better else "<="
    lines.append(("Success", f"{m.technical.metric} {sign} {m.technical.threshold:g} "
                             "on data the model has not seen"))
    lines.append(("Data", _data_sentence(m)))
    if m.costs is not None:
        text = (f"a false positive costs {m.costs.false_positive:g}, a false negative "
                f"{m.costs.false_negative:g}")
        for name, words in (("true_positive", "a true positive"),
                            ("true_negative", "a true negative")):
            value = getattr(m.costs, name)
            text += f", {words} {value:g}" if value is not None else f", {words} 0 (not given)"
        lines.append(("Costs", text))
    if m.humans is not None and (m.humans.reviewer or m.humans.review_budget):
        who = m.humans.reviewer or "a reviewer (not named yet)"
        budget = (f", {m.humans.review_budget} items per review cycle"
                  if m.humans.review_budget else "")
        lines.append(("Review", who + budget))
    lines.append(("Advantage", m.advantage or "not stated yet"))
    return lines


def _kpi_sentence(m: Mapping) -> str:
    b = m.business
    text = str(b.kpi)
    if b.current is not None and b.goal is not None:
        way = "lower" if b.goal < b.current else "higher"
        text += f": {b.current:g} today, goal {b.goal:g} ({way} is better)"
    elif b.goal is not None:
        text += f": goal {b.goal:g}"
    if b.deadline is not None:
        text += f" by {b.deadline.isoformat()}"
    return text


def _data_sentence(m: Mapping) -> str:
    d = m.data
    text = d.path or "no data file yet (put it in data/raw/ and set data.path)"
    roles = [f"time column {d.time_column!r}" if d.time_column else "",
             f"groups in {d.group_column!r}" if d.group_column else "",
             f"ids in {', '.join(d.id_columns)}" if d.id_columns else ""]
    roles = [r for r in roles if r]
    return text + (f" ({'; '.join(roles)})" if roles else "")
