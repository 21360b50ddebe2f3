"""The EDA step writes a self-contained report and keeps the user's checklist notes."""

import json

from click.testing import CliRunner
from conftest import module

cli = module("cli")


def run_eda(project, *args):
    return CliRunner().invoke(cli.main, ["--mapping", str(project / "mvp.yaml"), "eda",
                                         "--quiet", *args])


def test_eda_writes_the_report_and_the_summary(small_project):
    result = run_eda(small_project, "--sample-rows", "250")
    assert result.exit_code == 0, result.output
    html = (small_project / "reports/eda.html").read_text(encoding="utf-8")
    assert "Small churn: churned (binary), sample of 250 of 400 rows" in html
    assert '<script src="http' not in html and '<link href="http' not in html
    summary = json.loads((small_project / "reports/data_quality.json").read_text())
    assert summary["eda"] == {"mode": "quick", "profiled_rows": 250, "profiled_columns": 6,
                              "seed": 0, "report": "reports/eda.html"}


def test_eda_keeps_what_the_user_wrote_in_the_checklist(small_project):
    checklist = small_project / "CHECKLIST.md"
    text = checklist.read_text(encoding="utf-8").replace(
        "## 2.", "My note, kept as is.\n- [x] ticked by hand\n\n## 2.")
    checklist.write_text(text, encoding="utf-8")
    for _ in range(2):
        assert run_eda(small_project).exit_code == 0
    after = checklist.read_text(encoding="utf-8")
    assert "My note, kept as is.\n- [x] ticked by hand\n\n## 2." in after
    assert "the profile covers all 400 rows" in after
    assert "'refund_reason' is filled only for class 'yes'" in after


def test_full_mode_profiles_every_row(small_project):
    result = run_eda(small_project, "--full")
    assert result.exit_code == 0, result.output
    html = (small_project / "reports/eda.html").read_text(encoding="utf-8")
    assert "Small churn: churned (binary), all 400 rows" in html
    summary = json.loads((small_project / "reports/data_quality.json").read_text())
    assert summary["eda"]["mode"] == "full"
