"""The baseline step: three models, honest numbers, a saved model that predicts."""

import html as html_text
import json
import zipfile

import pandas as pd
from click.testing import CliRunner
from conftest import module

cli = module("cli")


def run(project, *args):
    return CliRunner().invoke(cli.main, ["--mapping", str(project / "mvp.yaml"), *args])


def test_baseline_writes_metrics_report_predictions_and_model(small_project):
    result = run(small_project, "baseline", "--quiet")
    assert result.exit_code == 0, result.output
    metrics = json.loads((small_project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["models"]) == {"trivial", "heuristic", "linear"}
    assert metrics["split"]["train_rows"] + metrics["split"]["test_rows"] == 400
    assert metrics["goal"]["verdict"] in {"met", "not_met", "inconclusive"}
    low, high = metrics["confidence_intervals"]["linear"]["roc_auc"]
    assert low <= metrics["models"]["linear"]["test"]["roc_auc"] <= high
    # the planted leak is named before anyone trusts the numbers
    assert any(w["code"] == "leakage_suspect" and w["columns"] == ["refund_reason"]
               for w in metrics["warnings"])
    holdout = pd.read_csv(small_project / "reports/holdout_predictions.csv")
    assert len(holdout) == metrics["split"]["test_rows"]
    assert {"customer_id", "actual", "linear_prediction", "linear_score"} <= set(holdout)
    assert zipfile.is_zipfile(small_project / "models/baseline.skops")  # skops, not pickle
    html = (small_project / "reports/baseline.html").read_text(encoding="utf-8")
    verdict = html_text.escape(metrics["goal"]["message"].split(" — ")[0])
    assert html.index(verdict) < html.index("Read this first")
    checklist = (small_project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [x] baseline evaluated" in checklist


def test_predict_scores_new_rows_and_names_missing_columns(small_project, tmp_path):
    assert run(small_project, "baseline", "--quiet").exit_code == 0
    rows = pd.read_csv(small_project / "data/raw/customers.csv").head(5)
    rows.drop(columns=["churned"]).to_csv(tmp_path / "new.csv", index=False)
    result = run(small_project, "predict", str(tmp_path / "new.csv"), str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["customer_id"].tolist() == rows["customer_id"].tolist()
    assert set(out["prediction"]) <= {"yes", "no"}
    rows.drop(columns=["churned", "plan", "usage"]).to_csv(tmp_path / "bad.csv", index=False)
    result = run(small_project, "predict", str(tmp_path / "bad.csv"), str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "lacks 2 column(s) the model needs: usage, plan" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_predict_names_a_value_of_the_wrong_kind(small_project, tmp_path):
    assert run(small_project, "baseline", "--quiet").exit_code == 0
    rows = pd.read_csv(small_project / "data/raw/customers.csv").head(3).drop(columns="churned")
    rows["usage"] = rows["usage"].astype(object)
    rows.loc[1, "usage"] = "twelve"
    rows.to_csv(tmp_path / "new.csv", index=False)
    result = run(small_project, "predict", str(tmp_path / "new.csv"), str(tmp_path / "out.csv"))
    assert result.exit_code == 2
    assert "column 'usage' holds 'twelve', which is not a number as in training" in result.output
