"""The rule a person could write down, in the business's words; the policy of deferring to
people, chosen where it cannot flatter itself; one target check everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from conftest import run, scaffold

from mvpgen.evaluation.defer import choose_share, least_sure, with_people
from mvpgen.metrics import Predictions
from mvpgen.rules import OneColumnRule


def contracts(seed: int = 0, rows: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    contract = rng.choice(["monthly", "annual", "two-year"], rows, p=[0.5, 0.3, 0.2])
    share = pd.Series(contract).map({"monthly": 0.32, "annual": 0.16, "two-year": 0.05})
    churned = np.where(rng.random(rows) < share, "yes", "no")
    tenure = rng.integers(1, 60, rows)
    return pd.DataFrame({"contract": contract, "tenure": tenure}), churned


def test_a_binary_rule_says_whom_to_flag() -> None:
    x, y = contracts()
    rule = OneColumnRule("binary", "contract").fit(x, y)
    assert rule.describe("churned", ("yes", "no", 0.2)) == (
        "Flag the rows whose contract is 'monthly' (33% of them are churned = 'yes'); don't "
        "flag the others (10% are)")
    # At a lower threshold the annual contracts are flagged too.
    assert rule.describe("churned", ("yes", "no", 0.12)) == (
        "Flag the rows whose contract is 'annual' or 'monthly' (26% of them are churned = "
        "'yes'); don't flag the others (4% are)")


def test_a_rule_whose_groups_decide_alike_says_it_flags_everyone() -> None:
    x, y = contracts()
    rule = OneColumnRule("binary", "contract").fit(x, y)
    assert rule.acts_alike(0.01) == "all" and rule.acts_alike(0.9) == "none"
    assert rule.acts_alike(0.2) is None
    assert rule.describe("churned", ("yes", "no", 0.01)).startswith(
        "Flag every row (on contract no group falls below the decision threshold")


def test_the_rule_chooses_its_column_on_the_rows_it_is_fitted_on() -> None:
    x, y = contracts()
    rule = OneColumnRule("binary", seed=0).fit(x, y)
    assert rule.column_ == "contract"
    assert rule.candidates_["contract"] > rule.candidates_["tenure"]
    ordered = OneColumnRule("binary", ordered=True).fit(x, y)
    assert ordered.column_ == "contract"


def test_a_numeric_rule_is_a_cut_in_words() -> None:
    rng = np.random.default_rng(1)
    distance = rng.uniform(0, 10, 500)
    minutes = 30 + 3 * distance + rng.normal(0, 2, 500)
    rule = OneColumnRule("regression", "distance").fit(pd.DataFrame({"distance": distance}),
                                                         minutes)
    words = rule.describe("delivery_minutes")
    assert words == ("Predict when distance is at most 5.021: delivery_minutes ≈ 37.31; when "
                     "distance is above 5.021: delivery_minutes ≈ 52.53")
    assert "delivery_minutes ≈ " in words


# --- deferring to people ----------------------------------------------------------------------


def decisions(seed: int = 0, rows: int = 1000) -> Predictions:
    rng = np.random.default_rng(seed)
    score = rng.random(rows)
    truth = rng.random(rows) < score
    return Predictions(truth, score >= 0.5, score, (False, True))


def test_people_take_the_cases_that_can_change_the_goal_metric() -> None:
    p = decisions()
    recall_first = least_sure(p, 0.5, "recall")
    # For recall only a missed positive can be fixed: the flagged cases are never first.
    assert (recall_first[p.label] == -1).all()
    together = with_people(p, 0.2, recall_first)
    assert together.label.sum() > p.label.sum()
    assert (together.label[together.label != p.label] == p.truth[together.label != p.label]).all()


def test_the_model_alone_is_proposed_only_when_it_met_the_goal() -> None:
    p = decisions()
    share, curve = choose_share(p, "accuracy", 0.5, 0.5, model_met=False)
    assert share == 0.05  # accuracy 0.5 is reached at once, but 0 is not allowed
    assert curve[0] == {"review_share": 0.0, "training_folds": 0.75}
    assert choose_share(p, "accuracy", 0.5, 0.5, model_met=True)[0] == 0.0
    assert choose_share(p, "accuracy", 0.99, 0.5, model_met=True)[0] is None


# --- one target check, everywhere ---------------------------------------------------------------


def test_a_three_class_column_declared_binary_is_refused_by_check_and_every_step(
        isolated: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=300),
                          "tier": rng.choice(["gold", "silver", "bronze"], 300)})
    frame.to_csv(isolated / "tiers.csv", index=False)
    made = scaffold("demo", "--data", str(isolated / "tiers.csv"), "--target", "tier",
                    "--task", "multiclass", "--metric", "accuracy", "--threshold", "0.6",
                    "--requirement", "Offer the right tier", "--kpi", "upgrades",
                    "--current", "10", "--goal", "20", "--no-input", "-q")
    assert made.exit_code == 0, made.output
    mapping = isolated / "demo" / "mvp.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        "task: multiclass", "task: binary").replace("metric: accuracy", "metric: roc_auc"),
        encoding="utf-8")
    expected = ("technical.task: binary, but 'tier' has 3 distinct values — set task: "
                "multiclass or regression, or choose another target")
    checked = run("check", str(isolated / "demo"))
    assert checked.exit_code == 1 and expected in checked.output
    for step in ("eda", "baseline"):
        result = run("-C", str(isolated / "demo"), step, "-q")
        assert result.exit_code == 2, result.output
        assert result.output == ("Error: tiers.csv: technical.task: binary, but 'tier' has 3 "
                                 "distinct values; set task: multiclass or regression, or "
                                 "choose another target\n")
