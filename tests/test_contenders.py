"""Any scikit-learn-compatible estimator plugs in: swap the linear model for gradient
boosting in a generated project's models.py, and every step names and judges it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run, run_project, scaffold

from mvpgen.contenders import Contender, project_contenders
from mvpgen.errors import ProjectError

BOOSTING = '''\
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    boosting = (HistGradientBoostingRegressor if task == "regression"
                else HistGradientBoostingClassifier)(max_iter=60, random_state=seed)
    return [
        Contender("rule", OneColumnRule(task, seed=seed),
                  "the best one-column rule a person could write down", kind="rule"),
        Contender("gradient boosting", make_pipeline(features(), boosting),
                  "gradient-boosted trees on the same columns"),
    ]
'''


def swap_in_boosting(project: Path) -> None:
    models = next(project.glob("src/*/models.py"))
    text = models.read_text(encoding="utf-8")
    start = text.index("    return [")
    models.write_text(text[:start] + BOOSTING, encoding="utf-8")


@pytest.mark.slow
def test_gradient_boosting_replaces_the_linear_model_end_to_end(isolated: Path) -> None:
    assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
    project = isolated / "demo"
    swap_in_boosting(project)
    made = subprocess.run(["make", "all", f"PYTHON={sys.executable}"], cwd=project,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["models"]) == ["no model", "rule", "gradient boosting", "act on all",
                                       "act on none"]
    assert metrics["models"]["gradient boosting"]["verdict"] in ("met", "inconclusive",
                                                                 "not_met")
    assert metrics["saved_model"] == "gradient boosting"
    assert metrics["models"]["gradient boosting"]["importance"][0]["column"] == "contract"
    assert "coefficients" not in metrics["models"]["gradient boosting"]  # it has none
    assert "linear" not in json.dumps(metrics["recommendation"])
    for report in ("reports/baseline.html", "CHECKLIST.md"):
        assert "gradient boosting" in (project / report).read_text(encoding="utf-8")
    assert "gradient boosting" in made.stdout  # the summary
    card = json.loads((project / "models/model.json").read_text(encoding="utf-8"))
    assert card["contender"] == "gradient boosting"
    predicted = run_project(project, "predict", "data/raw/customers.csv",
                            str(isolated / "out.csv"))
    assert predicted.returncode == 0, predicted.stderr
    header = (isolated / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "customer_id,prediction,score,new_values"
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=project, capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout


class _NoProbabilities:
    def fit(self, x: object, y: object) -> _NoProbabilities:
        return self

    def predict(self, x: object) -> list:
        return []


class _Full(_NoProbabilities):
    def predict_proba(self, x: object) -> list:
        return []


class _Models:
    def __init__(self, listed: list) -> None:
        self.listed = listed

    def contenders(self, task: str, features: object, seed: int) -> list:
        return self.listed


@pytest.mark.parametrize(("listed", "message"), [
    ([], "models.py lists no contender; add at least the rule or a model"),
    (["a string"], "models.py: contenders() returned str, not a Contender; wrap each "
                   "estimator: Contender('name', estimator)"),
    ([Contender("no model", _NoProbabilities())],
     "models.py: 'no model' is the name of a policy mvpgen judges anyway; call the contender "
     "something else"),
    ([Contender("a", _Full()), Contender("a", _Full())],
     "models.py: two contenders are called 'a'; give each its own name"),
    ([Contender("svm", _NoProbabilities())],
     "models.py: contender 'svm' (_NoProbabilities) has no predict_proba (wrap a classifier "
     "without it in CalibratedClassifierCV)"),
])
def test_a_broken_list_of_contenders_is_refused_in_one_line(listed: list, message: str) -> None:
    with pytest.raises(ProjectError) as raised:
        project_contenders(_Models(listed), "binary", lambda: None, 0)
    assert str(raised.value) == message


def test_settings_contenders_must_name_listed_ones(isolated: Path) -> None:
    assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
    mapping = isolated / "demo" / "mvp.yaml"
    text = mapping.read_text(encoding="utf-8")
    assert "\nsettings:\n" in text  # the defaults are written out, for users to see
    mapping.write_text(text.replace("\nsettings:\n", "\nsettings:\n  contenders: [rule, lasso]\n"),
                       encoding="utf-8")
    result = run("-C", str(isolated / "demo"), "baseline", "-q")
    assert result.exit_code == 2
    assert result.output == ("Error: settings.contenders names 'lasso', which models.py does "
                             "not list; its contenders are: linear model, rule\n")
