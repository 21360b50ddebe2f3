"""The verdict cannot be fooled: planted leaks are named, trivial goals are called so,
and the recommendation is one sentence from the fixed set, on real runs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CHURN, run, scaffold
from planted import PLANTED, clean

from mvpgen.evaluation.baseline import run_baseline
from mvpgen.evaluation.result import RECOMMENDATIONS, VERDICTS, ContenderResult
from mvpgen.evaluation.verdict import decide, judge, rows_to_settle
from mvpgen.project import Project


def make_project(folder: Path, frame: pd.DataFrame, meta: dict[str, Any],
                 **data: Any) -> Project:
    """Generate a project (no run) for a planted table; return it."""
    frame.to_csv(folder.parent / f"{folder.name}.csv", index=False)
    technical = {"task": meta["task"], "target": meta["target"], "metric": meta["metric"],
                 "threshold": round(float(meta["threshold"]), 4)}
    if "positive_label" in meta:
        technical["positive_label"] = meta["positive_label"]
    raw = {"project": {"name": folder.name},
           "business": {"requirement": "Decide sooner who needs a call", "kpi": "calls",
                        "current": 1, "goal": 2},
           "technical": technical,
           "data": {"path": str(folder.parent / f"{folder.name}.csv"), **data}}
    mapping = folder.parent / f"{folder.name}.yaml"
    mapping.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = scaffold(str(folder), "--mapping", str(mapping), "--no-input", "--allow-findings",
                      "-q")
    assert result.exit_code == 0, result.output
    return Project.find(folder)


# --- planted leaks ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PLANTED))
def test_every_planted_leak_is_named_and_none_reads_met(name: str, isolated: Path) -> None:
    frame, meta = PLANTED[name]()
    project = make_project(isolated / name, frame, meta, time_column="order_date")
    result = run_baseline(project).result
    named = {c for s in result.leak_suspects for c in s["columns"]}
    assert meta["leaks"] <= named, (name, result.leak_suspects)
    assert result.goal.verdict == "suspect_leak"
    assert result.recommendation.code == "stop_leak"
    assert result.recommendation.sentence.startswith("Stop: the data may leak the answer")
    assert not result.costs_trusted
    assert result.warnings[0].code == "leakage_suspect"
    # Every planted table is one where a model with the leak "meets" the goal.
    assert any(c.verdict == "met" for c in result.contenders.values() if c.kind == "model")


@pytest.mark.slow
def test_the_second_leak_is_found_in_the_same_run(isolated: Path) -> None:
    frame, meta = PLANTED["two_leaks"]()
    result = run_baseline(make_project(isolated / "two", frame, meta)).result
    rounds = result.leaks["rounds"]
    assert rounds[0]["named"] == ["cancel_reason"]
    assert rounds[1]["set_aside_before"] == ["cancel_reason"]
    assert rounds[1]["named"] == ["refund_amount"]
    assert rounds[-1]["named"] == []  # the screen went on until a round named nothing


@pytest.mark.slow
def test_a_clean_table_names_nothing_and_is_judged(isolated: Path) -> None:
    frame, meta = clean()
    result = run_baseline(make_project(isolated / "clean", frame, meta,
                                       time_column="order_date")).result
    assert result.leak_suspects == []
    assert result.goal.verdict == "met"
    assert result.recommendation.code == "build_model"
    assert result.contenders["linear model"].value("roc_auc") == pytest.approx(0.8009, abs=1e-3)


@pytest.mark.slow
def test_a_cleared_column_is_reported_and_no_longer_blocks(isolated: Path) -> None:
    frame, meta = PLANTED["noisy_copy"]()
    why = "filled in by the billing system when the invoice is sent"
    project = make_project(isolated / "cleared", frame, meta,
                           not_leaks={"recorded_days": why})
    result = run_baseline(project).result
    assert result.leak_suspects == []
    assert result.leaks["cleared"][0]["cleared"] == {"recorded_days": why}
    assert result.goal.verdict == "met"
    cleared = [w for w in result.warnings if w.code == "leak_cleared"]
    assert cleared and why in cleared[0].message


# --- goals met without a model ----------------------------------------------------------------


def churn_with(isolated: Path, **technical: Any) -> Path:
    raw = yaml.safe_load((CHURN / "mvp.yaml").read_text(encoding="utf-8"))
    raw["data"]["path"] = str(CHURN / raw["data"]["path"])
    raw["technical"].update(technical)
    raw["business"].pop("capacity")
    path = isolated / "churn.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_check_flags_a_recall_goal_that_acting_on_all_meets(isolated: Path) -> None:
    result = run("check", str(churn_with(isolated, metric="recall", threshold=0.7)))
    assert result.exit_code == 1
    assert ("technical.threshold: the goal is met without any model: recall reaches 1.0 by "
            "acting on every case, and nothing bounds how many are acted on — state "
            "business.capacity and use recall_at_budget or precision_at_budget") in result.output


@pytest.mark.slow
def test_a_recall_goal_is_trivially_met_and_says_what_to_use(isolated: Path) -> None:
    mapping = churn_with(isolated, metric="recall", threshold=0.7)
    made = scaffold("demo", "--mapping", str(mapping), "--no-input", "--allow-findings", "-q")
    assert made.exit_code == 0, made.output
    result = run_baseline(Project.find(isolated / "demo")).result
    assert result.goal.verdict == "trivially_met"
    assert result.goal.contender == "act on all"
    assert result.recommendation.code == "change_goal"
    assert result.recommendation.sentence == (
        "Change the goal: act on all already reaches recall 1.000 (goal >= 0.7) without any "
        "model; a recall goal needs a bound on how many cases can be acted on: state "
        "business.capacity and use recall_at_budget")


def imbalanced(rows: int = 3000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=rows)
    fraud = usage + rng.normal(scale=1.0, size=rows) > 2.55
    return pd.DataFrame({"usage": usage.round(3), "country": rng.choice(["a", "b", "c"], rows),
                         "amount": rng.gamma(2, 20, rows).round(2),
                         "fraud": np.where(fraud, "yes", "no")})


@pytest.mark.slow
def test_an_accuracy_goal_under_the_majority_share_is_trivially_met(isolated: Path) -> None:
    frame = imbalanced()
    assert frame["fraud"].eq("no").mean() == pytest.approx(0.967, abs=0.002)
    meta = {"task": "binary", "target": "fraud", "metric": "accuracy", "threshold": 0.95,
            "positive_label": "yes"}
    checked = run("check", str(_mapping_only(isolated, frame, meta)))
    assert checked.exit_code == 1
    assert "accuracy 0.95 is no more than the majority's share (0.966)" in checked.output
    result = run_baseline(make_project(isolated / "fraud", frame, meta)).result
    assert result.goal.verdict == "trivially_met"
    assert result.goal.contender in ("no model", "act on none")
    assert result.recommendation.code == "change_goal"
    assert "use balanced_accuracy" in result.recommendation.sentence


def _mapping_only(isolated: Path, frame: pd.DataFrame, meta: dict[str, Any]) -> Path:
    frame.to_csv(isolated / "fraud.csv", index=False)
    raw = {"project": {"name": "Fraud"},
           "business": {"requirement": "Stop fraudulent orders", "kpi": "losses",
                        "current": 100, "goal": 50},
           "technical": {k: v for k, v in meta.items()}, "data": {"path": "fraud.csv"}}
    path = isolated / "fraud.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


# --- the churn example ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_churn_example_builds_the_model_with_money_and_intervals(isolated: Path) -> None:
    made = scaffold("demo", "--example", "churn", "--no-input", "-q")
    assert made.exit_code == 0, made.output
    result = run_baseline(Project.find(isolated / "demo")).result
    assert result.primary_metric == "recall_at_budget"
    assert result.capacity == {"per_1000": 200.0, "share": 0.2, "source": "business.capacity"}
    assert result.goal.verdict == "met"
    assert result.recommendation.code == "build_model"
    linear = result.contenders["linear model"]
    assert linear.value("recall_at_budget") == pytest.approx(0.367, abs=0.002)
    assert list(result.contenders) == ["no model", "rule", "linear model", "act on all",
                                       "act on none"]
    business = result.business
    assert business["stated"] == {"true_positive": True, "false_positive": True,
                                  "false_negative": True, "true_negative": False}
    assert "true negative cost 0: not given in mvp.yaml" in business["message"]
    low, high = business["savings_versus_best_trivial"]["linear model"]["ci"]
    assert business["cheapest"] == "linear model" and low > 0 < high
    # Acting on all (or on the rule's whole group) needs more hands than the 200 per 1,000
    # the business has: shown, never counted; the saving is against acting on none.
    assert business["beyond_capacity"] == ["no model", "rule", "act on all"]
    assert business["best_trivial"] == "act on none"
    assert "would act on more cases than the business can" in business["message"]
    assert result.contenders["linear model"].decision_threshold > 0.2
    # The rule says whom it flags, in the business's words.
    assert result.contenders["rule"].rule.startswith("Flag the rows whose contract is")

    # New labels that move the threshold past its fold-to-fold spread are said; within it, not.
    from mvpgen.steps.baseline import threshold_moved

    spread = linear.threshold_spread
    assert spread is not None and 0 < spread < 0.2
    before = copy.deepcopy(result)
    before.feedback["used"] = result.feedback.get("used", 0) + 4
    assert threshold_moved(before, result) is None  # the same threshold
    before.contenders["linear model"].decision_threshold = linear.decision_threshold - 2 * spread
    before.goal.value = 0.401
    said = threshold_moved(before, result)
    assert said == (f"The reviewers' labels moved linear model's decision threshold from "
                    f"{linear.decision_threshold - 2 * spread:.3f} to "
                    f"{linear.decision_threshold:.3f}, more than it moves from fold to fold "
                    f"(±{spread:.3f}), so its decisions changed with them; recall_at_budget went "
                    f"from 0.401 to {result.goal.value:.3f}")
    before.contenders["linear model"].decision_threshold = linear.decision_threshold - spread / 2
    assert threshold_moved(before, result) is None  # within the spread: chance


# --- the decision, unit by unit ---------------------------------------------------------------


def contender(name: str, kind: str, value: float, low: float, high: float,
              threshold: float = 0.7, metric: str = "roc_auc") -> ContenderResult:
    return ContenderResult(name=name, kind=kind, description="", test={metric: value},
                           ci=[low, high], verdict=judge(metric, threshold, value, low, high))


def decided(*contenders: ContenderResult, differences: dict | None = None, **kwargs: Any):
    options = {"suspects": [], "too_good": [], "test_rows": 1000, "test_share": 0.2,
               "more_data_helps": None} | kwargs
    return decide({c.name: c for c in contenders}, "roc_auc", 0.7,
                  differences=differences or {}, **options)


def test_judge_reads_intervals_in_the_metric_direction() -> None:
    assert judge("roc_auc", 0.7, 0.8, 0.72, 0.88) == "met"
    assert judge("roc_auc", 0.7, 0.72, 0.68, 0.76) == "inconclusive"
    assert judge("roc_auc", 0.7, 0.6, 0.55, 0.66) == "not_met"
    assert judge("mae", 5, 4.3, 4.1, 4.5) == "met"
    assert judge("mae", 5, 6.0, 5.5, 6.5) == "not_met"
    assert judge("roc_auc", 0.7, None, None, None) == "inconclusive"


def test_the_rule_is_launched_when_no_model_is_clearly_better() -> None:
    goal, recommendation = decided(
        contender("no model", "trivial", 0.5, 0.45, 0.55),
        contender("rule", "rule", 0.78, 0.74, 0.82),
        contender("linear model", "model", 0.80, 0.76, 0.84),
        differences={"linear model - rule": {"roc_auc": [-0.01, 0.05]},
                     "linear model - no model": {"roc_auc": [0.25, 0.35]}})
    assert (goal.verdict, goal.contender, recommendation.code) == ("met", "rule", "launch_rule")


def test_the_model_is_built_only_when_it_clearly_beats_every_baseline() -> None:
    goal, recommendation = decided(
        contender("no model", "trivial", 0.5, 0.45, 0.55),
        contender("rule", "rule", 0.70, 0.66, 0.74),
        contender("linear model", "model", 0.85, 0.81, 0.89),
        differences={"linear model - rule": {"roc_auc": [0.1, 0.2]},
                     "linear model - no model": {"roc_auc": [0.3, 0.4]}})
    assert (goal.verdict, recommendation.code) == ("met", "build_model")


def test_not_yet_says_how_far_and_what_the_learning_curve_says() -> None:
    goal, recommendation = decided(contender("no model", "trivial", 0.5, 0.45, 0.55),
                                   contender("linear model", "model", 0.62, 0.58, 0.66),
                                   more_data_helps=False)
    assert goal.verdict == "not_met"
    assert recommendation.sentence == (
        "Not yet: the best contender, linear model roc_auc 0.620 [0.580, 0.660], 0.08 short of "
        "the goal 0.7; the learning curve is flat, so more of the same rows alone will not get "
        "there")


def test_not_yet_says_when_rows_left_out_of_the_fit_could_help() -> None:
    models = (contender("no model", "trivial", 0.5, 0.45, 0.55),
              contender("linear model", "model", 0.62, 0.58, 0.66))
    _, sampled = decided(*models, more_data_helps=True, unfitted_rows=699_651)
    assert sampled.code == "not_yet"
    assert sampled.sentence.endswith(
        "; the learning curve says more rows would likely help, and 699,651 training rows "
        "were left out of the fit: raise settings.fit_rows in mvp.yaml")
    _, whole = decided(*models, more_data_helps=True)
    assert whole.sentence.endswith("; the learning curve says more rows would likely help")


def test_inconclusive_says_about_how_many_rows_would_settle_it() -> None:
    leader = contender("linear model", "model", 0.72, 0.68, 0.76)
    # The half-width 0.04 must shrink to the distance 0.02: four times the held-out rows.
    assert rows_to_settle(leader, "roc_auc", 0.7, 1000, 0.2) == (
        "about 15,000 more labelled rows (about 4,000 held out) would settle it")
    goal, recommendation = decided(contender("no model", "trivial", 0.5, 0.45, 0.55), leader)
    assert (goal.verdict, recommendation.code) == ("inconclusive", "inconclusive")


def test_a_leak_blocks_every_other_verdict() -> None:
    goal, recommendation = decided(contender("linear model", "model", 0.95, 0.93, 0.97),
                                   suspects=["refund_amount"])
    assert goal.verdict == "suspect_leak"
    assert "the leak screen names 'refund_amount'" in recommendation.sentence


def test_a_rule_whose_groups_decide_alike_counts_as_that_trivial_policy() -> None:
    rule = contender("rule", "rule", 1.0, 0.99, 1.0, metric="roc_auc")
    rule.acts_like = "act on all"
    goal, recommendation = decided(contender("linear model", "model", 0.8, 0.75, 0.85), rule)
    assert goal.verdict == "trivially_met"
    assert recommendation.sentence.startswith(
        "Change the goal: rule, which flags every row, already reaches roc_auc 1.000")


def test_every_verdict_and_recommendation_is_documented() -> None:
    assert set(VERDICTS) == {"met", "not_met", "inconclusive", "trivially_met", "suspect_leak"}
    assert set(RECOMMENDATIONS) == {"build_model", "launch_rule", "not_yet", "inconclusive",
                                    "stop_leak", "change_goal"}


# --- money within the business's capacity --------------------------------------------------------


def test_the_cheapest_threshold_never_acts_on_more_than_the_capacity() -> None:
    from mvpgen.evaluation.fitting import cheapest_threshold
    from mvpgen.mapping.schema import Costs
    from mvpgen.metrics import Predictions

    rng = np.random.default_rng(4)
    score = rng.uniform(size=2000)
    truth = rng.uniform(size=2000) < score  # the higher the score, the likelier a case
    p = Predictions(truth, score >= 0.5, score, (False, True))
    # Missing a case costs far more than a needless call: unbounded, act on nearly all.
    costs = Costs(false_positive=1, false_negative=50)
    assert np.mean(score >= cheapest_threshold(p, costs)) > 0.9
    bounded = cheapest_threshold(p, costs, capacity=0.2)
    assert np.mean(score >= bounded) == pytest.approx(0.2, abs=0.002)


def test_a_policy_beyond_the_capacity_is_shown_but_never_the_cheapest() -> None:
    from mvpgen.evaluation.costs import business_case
    from mvpgen.mapping.schema import Costs
    from mvpgen.metrics import Predictions

    rng = np.random.default_rng(5)
    truth = rng.uniform(size=1000) < 0.3
    score = np.where(truth, 0.6, 0.3) + rng.normal(0, 0.2, 1000)
    top = score >= np.quantile(score, 0.8)
    policies = {"model": Predictions(truth, top, score, (False, True)),
                "act on all": Predictions(truth, np.ones(1000, bool), score, (False, True)),
                "act on none": Predictions(truth, np.zeros(1000, bool), score, (False, True))}
    costs = Costs(false_positive=1, false_negative=50)
    resampled = {n: np.full(50, 0.0) for n in policies}
    for name, p in policies.items():  # each policy's cost on 50 resamples of the rows
        rows = [rng.integers(0, 1000, 1000) for _ in range(50)]
        resampled[name] = np.array([1000 * (np.sum(p.label[r] & ~truth[r])
                                            + 50 * np.sum(~p.label[r] & truth[r])) / 1000
                                    for r in rows])
    free = business_case(policies, costs, resampled, trivial=["act on all", "act on none"],
                         trusted=True)
    assert free["cheapest"] == "act on all" and free["beyond_capacity"] == []
    bounded = business_case(policies, costs, resampled, trivial=["act on all", "act on none"],
                            trusted=True, capacity=0.2)
    assert bounded["beyond_capacity"] == ["act on all"]
    assert bounded["cheapest"] == "model" and bounded["best_trivial"] == "act on none"
    assert bounded["per_1000"]["act on all"]["value"] < bounded["per_1000"]["model"]["value"]
    assert "act on all would act on more cases than the business can" in bounded["message"]
