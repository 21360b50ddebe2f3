"""``mvpgen new``: answers, checks, refusals, and nothing lost or half-written."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CHURN, run, scaffold, tree_digest, write_mapping
from test_bake import expected_files, files_of

from mvpgen.generator import generate


def test_the_churn_example_generates_a_project(isolated):
    result = scaffold("churn-demo", "--example", "churn", "--no-input")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == ["Inspecting customers.csv ...",
                         "5,000 rows, 12 columns:",
                         "  column                 role         missing",
                         "  customer_id            id             0.0%"]
    assert "  monthly_charges        numeric        2.0%" in lines
    assert "  signup_date            datetime       0.0%" in lines
    assert lines[-2:] == [
        "Created churn-demo (package churn_mvp)",
        "Next: cd churn-demo && mvpgen run    # EDA, baseline, review",
    ]
    project = isolated / "churn-demo"
    assert files_of(project) == expected_files("churn_mvp", "customers.csv")
    source = CHURN / "customers.csv"
    assert (project / "data/raw/customers.csv").read_bytes() == source.read_bytes()
    mapping = yaml.safe_load((project / "mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["data"]["path"] == "data/raw/customers.csv"
    assert mapping["technical"] == {"task": "binary", "target": "churned",
                                    "positive_label": "yes", "metric": "recall_at_budget",
                                    "threshold": 0.3}
    assert mapping["business"]["capacity"] == 200
    assert mapping["costs"] == {"false_positive": 40, "false_negative": 150,
                                "true_positive": -80}


def test_options_win_over_the_mapping_file(isolated):
    result = scaffold("p", "--example", "churn", "--no-input", "--metric", "f1",
                 "--threshold", "0.55", "--name", "Retention")
    assert result.exit_code == 0, result.output
    mapping = yaml.safe_load((isolated / "p/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["project"]["name"] == "Retention"
    assert (mapping["technical"]["metric"], mapping["technical"]["threshold"]) == ("f1", 0.55)
    assert (isolated / "p/src/retention").is_dir()


def test_no_input_names_the_option_for_each_missing_answer(isolated):
    result = scaffold("demo", "--no-input")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: missing with --no-input: business.requirement (pass --requirement TEXT); "
        "technical.target (pass --target COLUMN); "
        "technical.metric (pass --metric NAME); technical.threshold (pass --threshold X); "
        "technical.task (pass --task binary|multiclass|regression)\n")
    assert list(isolated.iterdir()) == []


def test_an_unclear_positive_label_is_asked_for_with_the_values(isolated, tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame({"x": range(12), "city": ["a", "b"] * 6}).to_csv(data, index=False)
    business = write_mapping(tmp_path / "b.yaml", {"business": {
        "requirement": "Route parcels to the right city", "kpi": "misrouted parcels",
        "current": 0.04, "goal": 0.02}})
    result = scaffold("demo", "--mapping", str(business), "--data", str(data), "--target",
                 "city", "--metric", "f1", "--threshold", "0.8", "--no-input")
    assert result.exit_code == 2
    assert result.stderr == ("Error: missing with --no-input: technical.positive_label (pass "
                             "--positive-label VALUE; one of: 'a', 'b')\n")


def test_an_unknown_metric_option_is_bad_usage(isolated):
    result = scaffold("demo", "--example", "churn", "--no-input", "--metric", "auc")
    assert result.exit_code == 2
    assert "'auc' is not a metric; choose one of: roc_auc," in result.stderr


def test_findings_stop_generation_and_write_nothing(isolated, churn_raw):
    churn_raw["business"] = {"requirement": "Use AI to grow the business"}
    mapping = write_mapping(isolated.parent / "vague.yaml", churn_raw)
    result = scaffold("demo", "--mapping", str(mapping), "--no-input")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: 4 finding(s) in the mapping: fix the mapping, or pass --allow-findings to "
        "record them in the checklist and go on")
    assert result.stderr.startswith("business.requirement: 'Use AI to grow the business' names")
    assert list(isolated.iterdir()) == []


def test_allowed_findings_are_recorded_in_the_checklist(isolated, churn_raw):
    del churn_raw["business"]["kpi"]
    mapping = write_mapping(isolated.parent / "nokpi.yaml", churn_raw)
    result = scaffold("demo", "--mapping", str(mapping), "--no-input", "--allow-findings")
    assert result.exit_code == 0, result.output
    assert "recorded in CHECKLIST.md: business.kpi: missing" in result.stdout
    checklist = (isolated / "demo/CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [ ] business.kpi: missing — What metric are you tracking?" in checklist


def test_findings_that_would_break_the_project_cannot_be_allowed(isolated, churn_raw):
    churn_raw["technical"]["target"] = "churnd"
    mapping = write_mapping(isolated.parent / "bad.yaml", churn_raw)
    result = scaffold("demo", "--mapping", str(mapping), "--no-input", "--allow-findings")
    assert result.exit_code == 2
    assert result.stderr == "Error: customers.csv has no column 'churnd'; did you mean 'churned'?\n"
    assert list(isolated.iterdir()) == []
    churn_raw["technical"]["target"] = "churned"
    churn_raw["technical"]["positive_label"] = "Yes"
    write_mapping(isolated.parent / "bad.yaml", churn_raw)
    result = scaffold("demo", "--mapping", str(mapping), "--no-input", "--allow-findings")
    assert result.exit_code == 1
    assert "these cannot be allowed" in result.stderr
    assert list(isolated.iterdir()) == []


def test_an_existing_non_empty_directory_is_refused_and_untouched(isolated):
    target = isolated / "demo"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree_digest(isolated)
    result = scaffold("demo", "--example", "churn", "--no-input")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {target} already exists and is not empty; nothing was "
                             "changed. Choose another DIRECTORY, or move that one away first\n")
    assert tree_digest(isolated) == before
    assert sorted(p.name for p in isolated.iterdir()) == ["demo"]


def test_an_existing_empty_directory_is_used(isolated):
    (isolated / "demo").mkdir()
    assert scaffold("demo", "--example", "churn", "--no-input").exit_code == 0
    assert (isolated / "demo/mvp.yaml").is_file()


def test_an_unwritable_place_is_refused_cleanly(isolated):
    result = scaffold("/proc/mvpgen-demo", "--example", "churn", "--no-input")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "/proc" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_failure_while_writing_leaves_no_partial_project(isolated, monkeypatch):
    def broken_copy(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generate.shutil, "copyfile", broken_copy)
    result = scaffold("demo", "--example", "churn", "--no-input")
    assert result.exit_code == 2
    assert result.stderr.endswith("No space left on device\n")
    assert list(isolated.iterdir()) == []


def test_a_crash_after_rendering_leaves_no_partial_project(isolated, monkeypatch):
    render = generate.render

    def render_then_crash(context, output_dir, template=None):
        project = render(context, output_dir, template)
        assert (Path(project) / "mvp.yaml").is_file()  # the crash comes mid-way
        raise RuntimeError("crash")

    monkeypatch.setattr(generate, "render", render_then_crash)
    result = scaffold("demo", "--example", "churn", "--no-input")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: unexpected RuntimeError: crash — run 'mvpgen --debug")
    assert list(isolated.iterdir()) == []
    with pytest.raises(RuntimeError, match="crash"):
        run("--debug", "new", "--no-run", "demo", "--example", "churn", "--no-input")
    assert list(isolated.iterdir()) == []


PAYLOAD = ('Stop churn {{ cycler.__init__.__globals__.os.system("touch PWNED") }} '
           '{% for x in range(3) %}x{% endfor %} {{ 7*7 }}')


def test_template_syntax_in_free_text_is_data(isolated, churn_raw):
    churn_raw["business"].update(requirement=PAYLOAD, kpi=PAYLOAD)
    churn_raw["advantage"] = PAYLOAD
    churn_raw["humans"]["reviewer"] = PAYLOAD
    churn_raw["project"]["name"] = "{{ 7*7 }} MVP"
    mapping = write_mapping(isolated.parent / "payload.yaml", churn_raw)
    result = scaffold("demo", "--mapping", str(mapping), "--no-input")
    assert result.exit_code == 0, result.output
    project = isolated / "demo"
    assert not list(isolated.parent.rglob("PWNED"))
    for name in ("README.md", "CHECKLIST.md", "mvp.yaml"):
        text = (project / name).read_text(encoding="utf-8")
        assert PAYLOAD in text, name
        assert "49" not in text, name
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# {{ 7*7 }} MVP\n")
    assert (project / "src/mvp_7_7_mvp/features.py").is_file()


def test_a_name_with_path_parts_stays_inside(isolated):
    result = scaffold("--example", "churn", "--no-input", "--name", "../../etc/passwd")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in isolated.iterdir()) == ["etc-passwd"]
    assert (isolated / "etc-passwd/src/etc_passwd/features.py").is_file()


def test_the_data_file_is_only_read(isolated, tmp_path):
    data = tmp_path / "loans.csv"
    frame = pd.DataFrame({"loan_id": range(40), "amount": [100 + 7 * i for i in range(40)],
                          "defaulted": [i % 3 == 0 for i in range(40)]})
    frame.to_csv(data, index=False)
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    mtime = data.stat().st_mtime_ns
    business = write_mapping(tmp_path / "business.yaml", {"business": {
        "requirement": "Cut loan losses", "kpi": "loss rate", "current": 0.05, "goal": 0.04}})
    result = scaffold("loans", "--mapping", str(business), "--data", str(data), "--no-input",
                 "--name", "Loan defaults", "--target", "defaulted", "--metric", "roc_auc",
                 "--threshold", "0.7")
    assert result.exit_code == 0, result.output
    assert "inferred technical.task: 'binary'" in result.stdout
    assert "inferred technical.positive_label: True" in result.stdout
    assert hashlib.sha256(data.read_bytes()).hexdigest() == digest
    assert data.stat().st_mtime_ns == mtime
    assert (isolated / "loans/data/raw/loans.csv").read_bytes() == data.read_bytes()


def test_a_large_data_file_is_referenced_not_copied(isolated, monkeypatch):
    monkeypatch.setattr(generate, "COPY_LIMIT_BYTES", 1000)
    assert scaffold("demo", "--example", "churn", "--no-input").exit_code == 0
    mapping = yaml.safe_load((isolated / "demo/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["data"]["path"] == str((CHURN / "customers.csv").resolve())
    assert not (isolated / "demo/data/raw/customers.csv").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--example", "nope"],
     "Error: there is no example 'nope'; examples are: churn, delivery, tickets\n"),
    (["--example", "churn", "--mapping", "x.yaml"],
     "Error: --mapping and --example both name a mapping; pass only one of them\n"),
    (["--mapping", "missing.yaml"], "Error: mapping file missing.yaml does not exist\n"),
    (["--example", "churn", "--data", "missing.csv"],
     "does not exist; check data.path or --data\n"),
])
def test_bad_input_is_one_line_and_exit_2(isolated, args, message):
    result = scaffold("demo", "--no-input", *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert list(isolated.iterdir()) == []


def test_prompts_explain_and_ask_again_on_invalid_answers(isolated, tmp_path):
    data = tmp_path / "invoices.csv"
    pd.DataFrame({"invoice": range(30), "days": range(30),
                  "late": [i % 2 for i in range(30)]}).to_csv(data, index=False)
    answers = [
        "",                              # project name: the default, the folder's name
        "Use AI to grow the business",   # refused: vague
        "Cut late invoice payments",
        "late payment rate", "0.2",
        "0.2",                           # refused: equals today's value
        "0.15",
        "lat",                           # refused: not a column
        "late",
        "", "",                          # task and positive label: the inferred defaults
        "",                              # metric: the default for binary tasks
        "1.5",                           # refused: outside roc_auc's range
        "0.75",
        "", "",                          # group and id columns: none
        "", "", "",                      # costs, reviewer, advantage: skipped
        "",                              # the answers shown: create the project (yes)
    ]
    result = scaffold("invoices", "--data", str(data), input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "What metric are you tracking? What is your measurable goal?" in out
    assert "Error: 'Use AI to grow the business' names no concrete outcome." in out
    assert "Error: the goal equals today's value; nothing would change" in out
    assert "Error: 'lat' is not a column; columns are: invoice, days, late" in out
    assert "Error: 1.5 is outside the range of roc_auc; choose a value from 0 to 1" in out
    assert "  invoice       numeric        0.0%" in out
    assert "Target column [late]: lat" in out
    assert "Create the project with these answers? [Y/n]: " in out
    mapping = yaml.safe_load((isolated / "invoices/mvp.yaml").read_text(encoding="utf-8"))
    assert mapping["project"]["name"] == "invoices"
    assert mapping["business"] == {"requirement": "Cut late invoice payments",
                                   "kpi": "late payment rate", "current": 0.2, "goal": 0.15}
    assert mapping["technical"] == {"task": "binary", "target": "late", "positive_label": 1,
                                    "metric": "roc_auc", "threshold": 0.75}
    assert mapping["data"]["rows"] == 30
    assert "costs" not in mapping


@pytest.mark.slow
def test_new_leaves_nothing_in_the_system_temp_folder(isolated, tmp_path):
    """mvpgen finishes the project itself: no hook script is copied out to run."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    made = subprocess.run([sys.executable, "-m", "mvpgen", "new", "demo", "--example", "churn",
                           "--no-input", "--quiet"], cwd=isolated, capture_output=True,
                          text=True, env={**os.environ, "TMPDIR": str(temp)})
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[:3] == [
        "Created demo (package churn_mvp)", "Churn MVP",
        "Recommendation: Build the model: linear model meets the goal (linear model "
        "recall_at_budget 0.367 [0.317, 0.420]) and clearly beats the rule and the trivial "
        "policies"]
    assert list(temp.iterdir()) == []
    assert not [p for p in isolated.iterdir() if p.name.startswith(".mvpgen-")]
