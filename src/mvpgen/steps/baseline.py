"""The baseline step: run the evaluation, then write its files as one set.

The report is rendered and the model serialised before anything is written, so a
failure leaves the previous run's files; the files are then replaced together (see
``store.files.write_together``), the run is added to the history, and the checklist
and README are brought up to date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from mvpgen.errors import MvpgenError
from mvpgen.evaluation.baseline import BaselineRun, run_baseline
from mvpgen.evaluation.result import BaselineResult
from mvpgen.project import PATHS, Project
from mvpgen.reports.baseline_page import render
from mvpgen.spreadsheet import safe_csv
from mvpgen.store.artifacts import card_entries, model_bytes, to_json
from mvpgen.store.files import write_together
from mvpgen.store.history import HISTORY, history_text, mapping_hash, read_history
from mvpgen.store.lock import project_lock


def baseline_step(project: Project, *,
                  progress: Callable[[str], None] = lambda message: None) -> BaselineRun:
    """Evaluate every contender and write the results, the report and the model.

    Raises:
        MvpgenError: for data or a project that cannot be evaluated (one line each).
    """
    from mvpgen.steps.docs import refresh_after
    from mvpgen.store.files import require_writable

    require_writable(project.root, "reports", "models")  # refused before the work
    # The evaluation reads only what no step rewrites in place (the data, mvp.yaml, the
    # label log), so it runs before the lock is taken: the EDA of the same `run` can
    # write meanwhile. What this step reads and writes back is read under the lock.
    run = run_baseline(project, progress=progress)
    with project_lock(project.root, writes=("reports", "models"), say=progress):
        before = _previous_result(project)
        progress("Writing the report")
        result = run.result
        moved = threshold_moved(before, result)
        if moved:
            result.feedback["threshold_moved"] = moved
        # What the evidence was drawn from, so the status can tell a changed mvp.yaml
        # from one merely copied or touched.
        result.data["mapping_sha256"] = mapping_hash(project.mapping)
        entry = _history_entry(run)
        history = [*read_history(project.root), {k: str(v) for k, v in entry.items()}]
        page = render(run, project, history)
        files: dict[str, str | bytes] = {
            PATHS.metrics: to_json(result.to_dict()),
            PATHS.baseline_report: page,
            PATHS.holdout: safe_csv(run.holdout),
            HISTORY.as_posix(): history_text(project.root, entry),
        }
        if run.model is not None:
            data, types = model_bytes(run.model, package=project.package)
            files[PATHS.model] = data
            files[PATHS.model_card] = to_json(run.card | card_entries(data, types))
        write_together(project.root, files)
        if run.model is None:  # no contender to save: an older model must not answer for it
            for stale in (PATHS.model_card, PATHS.model):
                project.path(stale).unlink(missing_ok=True)
        refresh_after(project, "the reports were")
    return run


def _history_entry(run: BaselineRun) -> dict[str, object]:
    goal = run.result.goal
    return {"run_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "data_fingerprint": run.result.data["fingerprint"],
            "mapping_sha256": run.result.data["mapping_sha256"], "verdict": goal.verdict,
            "recommendation": run.result.recommendation.code, "metric": goal.metric,
            "contender": goal.contender, "value": goal.value,
            "ci_low": goal.ci[0], "ci_high": goal.ci[1]}


def _previous_result(project: Project) -> BaselineResult | None:
    """Return the last run's result, or None when there is none to compare with."""
    try:
        document = json.loads((project.root / PATHS.metrics).read_text(encoding="utf-8"))
        return BaselineResult.from_dict(document)
    except (OSError, ValueError, MvpgenError):
        return None  # no earlier run, or one from another version: nothing to compare


def threshold_moved(before: BaselineResult | None, now: BaselineResult) -> str | None:
    """Say when new labels moved the saved model's decision threshold beyond chance.

    Reviewers' corrections change what the model learns, so its threshold moves; it
    also moves by chance, about as much as it does from one fold to the next. Only a
    move past that spread is worth a reader's attention.
    """
    saved = now.saved_model
    if before is None or saved is None or before.saved_model != saved:
        return None
    if before.feedback.get("used", 0) == now.feedback.get("used", 0):
        return None  # no new labels: a move is the data's or the mapping's doing
    old = before.contenders[saved].decision_threshold
    new = now.contenders[saved].decision_threshold
    spread = now.contenders[saved].threshold_spread
    if old is None or new is None or spread is None or abs(new - old) <= spread:
        return None
    text = (f"The reviewers' labels moved {saved}'s decision threshold from {old:.3f} to "
            f"{new:.3f}, more than it moves from fold to fold (±{spread:.3f}), so its "
            "decisions changed with them")
    if (before.goal.metric == now.goal.metric and before.goal.value is not None
            and now.goal.value is not None):
        text += (f"; {now.goal.metric} went from {before.goal.value:.3f} to "
                 f"{now.goal.value:.3f}")
    return text
