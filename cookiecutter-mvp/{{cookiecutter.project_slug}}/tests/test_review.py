"""The human loop: review the uncertain cases, take labels back, learn from them."""

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import make_small_project, module

cli = module("cli")


def run(project, *args):
    return CliRunner().invoke(cli.main, ["--mapping", str(project / "mvp.yaml"), *args])


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path, rows, fields=None):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A small project with a fitted baseline; 20 rows of its data lack the target."""
    folder = make_small_project(tmp_path_factory.mktemp("fitted") / "project")
    data = pd.read_csv(folder / "data/raw/customers.csv")
    data.loc[data.index[-20:], "churned"] = np.nan
    data.to_csv(folder / "data/raw/customers.csv", index=False)
    assert run(folder, "baseline", "--quiet").exit_code == 0
    return folder


@pytest.fixture
def project(fitted, tmp_path):
    """A fresh copy of the fitted project, for one test to change."""
    return Path(shutil.copytree(fitted, tmp_path / "project"))


def test_review_puts_the_least_certain_cases_first_and_never_asks_twice(project, tmp_path):
    result = run(project, "review", "--limit", "12")
    assert result.exit_code == 0, result.output
    assert "chose 12 of 400 rows of customers.csv for review" in result.output
    rows = read_csv(project / "reports/review.csv")
    assert len(rows) == 12
    assert list(rows[0])[:2] == ["row_id", "source"]
    assert list(rows[0])[-2:] == ["human_label", "comment"]
    # without costs: the closer the score to the decision threshold, the earlier
    card = json.loads((project / "models/baseline.json").read_text(encoding="utf-8"))
    distance = [abs(float(r["score"]) - card["decision_threshold"]) for r in rows]
    assert distance == sorted(distance)
    page = (project / "reports/review.html").read_text(encoding="utf-8")
    assert rows[0]["row_id"] in page
    assert "http://" not in page and "https://" not in page  # opens offline

    for row in rows[:4]:
        row["human_label"] = "yes"
    write_csv(tmp_path / "filled.csv", rows)
    assert run(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    assert run(project, "review", "--limit", "12").exit_code == 0
    again = {r["row_id"] for r in read_csv(project / "reports/review.csv")}
    assert not again & {r["row_id"] for r in rows[:4]}
    assert {r["row_id"] for r in rows[4:]} <= again


def test_feedback_lists_bad_lines_skips_them_and_keeps_the_log(project, tmp_path):
    assert run(project, "review", "--limit", "5").exit_code == 0
    rows = read_csv(project / "reports/review.csv")
    rows[0]["human_label"] = "Yes"  # the class 'yes', however it is capitalised
    rows[1]["human_label"] = "perhaps"
    rows[2]["row_id"], rows[2]["human_label"] = "C999999", "no"
    write_csv(tmp_path / "filled.csv", rows)
    result = run(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    assert "skipped line 3: 'perhaps' is not a class; use one of: no, yes" in result.output
    assert ("skipped line 4: row id 'C999999' is in neither customers.csv nor the reviewed "
            "new rows") in result.output
    assert "added 1 labels" in result.output
    log = read_csv(project / "data/feedback/labels.csv")
    assert [(entry["row_id"], entry["human_label"]) for entry in log] == [
        (rows[0]["row_id"], "yes")]

    before = (project / "data/feedback/labels.csv").read_bytes()
    rows[0]["human_label"] = "maybe"
    write_csv(tmp_path / "bad.csv", rows[:2])
    result = run(project, "feedback", str(tmp_path / "bad.csv"))
    assert result.exit_code == 2
    assert "bad.csv: no label added; 2 line(s) are invalid (first: line 2:" in result.output
    assert (project / "data/feedback/labels.csv").read_bytes() == before


def test_baseline_learns_from_labels_and_keeps_the_holdout(project, tmp_path):
    holdout_before = pd.read_csv(project / "reports/holdout_predictions.csv")
    data = pd.read_csv(project / "data/raw/customers.csv")
    held_out = set(holdout_before["customer_id"])
    trained = data[data["churned"].notna() & ~data["customer_id"].isin(held_out)]
    flipped = trained.head(6)
    unlabelled = data[data["churned"].isna()].head(3)
    labels = [{"row_id": r.customer_id, "human_label": "no" if r.churned == "yes" else "yes",
               "prediction": "yes"} for r in flipped.itertuples()]
    labels += [{"row_id": r.customer_id, "human_label": "yes", "prediction": "yes"}
               for r in unlabelled.itertuples()]
    write_csv(tmp_path / "filled.csv", labels)
    result = run(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    assert "model and reviewers agree on" in result.output

    assert run(project, "baseline", "--quiet").exit_code == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    feedback = metrics["feedback"]
    assert feedback["used"] == 9
    assert feedback["changed"] == 6
    assert feedback["added_rows"] == {"data_without_target": 3, "new": 0, "train": 3,
                                      "test": 0}
    assert metrics["split"]["train_rows"] == len(trained) + 3
    holdout_after = pd.read_csv(project / "reports/holdout_predictions.csv")
    assert list(holdout_after["customer_id"]) == list(holdout_before["customer_id"])
    agreed = sum(label["human_label"] == "yes" for label in labels)
    assert feedback["agreement"] == pytest.approx(agreed / len(labels), abs=1e-4)
    page = (project / "reports/baseline.html").read_text(encoding="utf-8")
    assert "6 corrected the recorded churned" in page


def test_review_of_new_rows_keeps_their_values_for_training(project, tmp_path):
    data = pd.read_csv(project / "data/raw/customers.csv").head(30).drop(columns="churned")
    data["customer_id"] = [f"N{i}" for i in range(30)]
    data.to_csv(tmp_path / "new.csv", index=False)
    assert run(project, "review", "--data", str(tmp_path / "new.csv"),
               "--limit", "8").exit_code == 0
    rows = read_csv(project / "reports/review.csv")
    kept = pd.read_csv(project / "data/feedback/reviewed_rows.csv")
    assert sorted(kept["row_id"]) == sorted(r["row_id"] for r in rows)
    for row in rows:
        row["human_label"] = "no"
    write_csv(tmp_path / "filled.csv", rows)
    assert run(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    assert run(project, "baseline", "--quiet").exit_code == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["feedback"]["added_rows"]["new"] == 8
    assert metrics["feedback"]["added_rows"]["train"] == 8


def test_checklist_follows_the_loop_and_keeps_hand_ticks(project, tmp_path):
    checklist = project / "CHECKLIST.md"
    text = checklist.read_text(encoding="utf-8")
    text = text.replace("- [ ] human review done", "- [x] human review done")
    text = text.replace("- [ ] The KPI owner agrees", "- [X] The KPI owner agrees")
    checklist.write_text(text + "\nOur own note.\n", encoding="utf-8")
    assert run(project, "review", "--limit", "3").exit_code == 0
    assert run(project, "baseline", "--quiet").exit_code == 0
    text = checklist.read_text(encoding="utf-8")
    assert "- [x] human review done" in text  # ticked by hand, kept
    assert "- [X] The KPI owner agrees" in text
    assert text.endswith("\nOur own note.\n")
    assert "- Review set: [reports/review.csv]" in text
    status = run(project, "status", "--json")
    state = json.loads(status.output)
    assert [q["state"] for q in state["questions"]][:2] == ["answered", "evidence"]
    assert state["stage"] == "review"


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty.csv is empty; download the filled CSV from reports/review.html again"),
    ("row_id,comment\nC100001,hm\n", "empty.csv has no column 'human_label'"),
    ('row_id,human_label,comment\nC100001,yes,"cut sho',
     "empty.csv line 2: unexpected end of data (the file looks cut short); download it "
     "again; nothing was added"),
    ("row_id,human_label\nC100001,yes,surplus,fields\n",
     "empty.csv: no label added; 1 line(s) are invalid (first: line 2: 4 fields where the "
     "header has 2; the line is cut short or has extra commas)"),
    ("row_id,human_label\nC100001,\n", "empty.csv: no label added; every human_label is empty"),
    ("\x00\x01binary", "empty.csv is not a text file"),
])
def test_feedback_refuses_a_broken_file_and_adds_nothing(project, tmp_path, content, message):
    log = project / "data/feedback/labels.csv"
    write_csv(tmp_path / "first.csv", [{"row_id": "C100001", "human_label": "yes"}])
    assert run(project, "feedback", str(tmp_path / "first.csv")).exit_code == 0
    before = log.read_bytes()
    (tmp_path / "empty.csv").write_text(content, encoding="utf-8", newline="")
    result = run(project, "feedback", str(tmp_path / "empty.csv"))
    assert result.exit_code == 2
    assert message in result.output
    assert log.read_bytes() == before


def test_a_crash_between_writing_and_renaming_leaves_the_log_intact(project, tmp_path,
                                                                   monkeypatch):
    log = project / "data/feedback/labels.csv"
    write_csv(tmp_path / "first.csv", [{"row_id": "C100001", "human_label": "yes"}])
    assert run(project, "feedback", str(tmp_path / "first.csv")).exit_code == 0
    before = log.read_bytes()
    write_csv(tmp_path / "second.csv", [{"row_id": "C100002", "human_label": "no"}])

    def power_cut(*args):
        message = "power cut"
        raise OSError(message)

    monkeypatch.setattr(module("files").os, "replace", power_cut)
    result = run(project, "feedback", str(tmp_path / "second.csv"))
    assert result.exit_code == 3  # not bad input: the machine failed
    assert "power cut" in result.output
    monkeypatch.undo()
    assert log.read_bytes() == before
    assert sorted(p.name for p in log.parent.iterdir()) == ["labels.csv"]


def test_a_row_keeps_its_id_however_its_columns_were_read():
    row_ids = module("rowkeys").row_ids
    read_one_way = pd.DataFrame({
        "count": [1, 2, None], "plan": ["basic", None, "pro"],
        "day": pd.to_datetime(["2024-01-01", None, "2024-01-03"])})
    read_another = pd.DataFrame({
        "plan": pd.Categorical(["basic", None, "pro"]), "count": [1.0, 2.0, np.nan],
        "day": pd.to_datetime(["2024-01-01", None, "2024-01-03"]), "churned": ["no"] * 3})
    keys = ["count", "plan", "day"]
    first = row_ids(read_one_way, [], keys)
    assert list(first) == list(row_ids(read_another, [], keys))
    assert len(set(first)) == 3
    assert all(key.startswith("r") and len(key) == 17 for key in first)
    ids = row_ids(pd.DataFrame({"shop": ["s1", "s2"], "n": [7, 8.0]}), ["shop", "n"], [])
    assert list(ids) == ["s1 / 7", "s2 / 8"]


def test_classes_read_as_floats_are_named_as_written(tmp_path):
    folder = make_small_project(tmp_path / "numeric")
    data = pd.read_csv(folder / "data/raw/customers.csv")
    data["churned"] = np.where(data["churned"] == "yes", 1.0, 0.0)
    data.loc[data.index[:5], "churned"] = np.nan  # gaps: the column is read as 0.0 / 1.0
    data.to_csv(folder / "data/raw/customers.csv", index=False)
    mapping = (folder / "mvp.yaml").read_text(encoding="utf-8")
    (folder / "mvp.yaml").write_text(mapping.replace("positive_label: 'yes'", "positive_label: 1")
                                     .replace('positive_label: "yes"', "positive_label: 1")
                                     .replace("positive_label: yes", "positive_label: 1"),
                                     encoding="utf-8")
    assert run(folder, "baseline", "--quiet").exit_code == 0
    card = json.loads((folder / "models/baseline.json").read_text(encoding="utf-8"))
    assert card["labels"] == [0, 1]
    assert run(folder, "review", "--limit", "4").exit_code == 0
    rows = read_csv(folder / "reports/review.csv")
    assert {r["prediction"] for r in rows} <= {"0", "1"}
    rows[0]["human_label"] = "1"
    write_csv(tmp_path / "filled.csv", rows)
    assert run(folder, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    result = run(folder, "baseline", "--quiet")
    assert result.exit_code == 0, result.output
    metrics = json.loads((folder / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["feedback"]["used"] == 1


def test_feedback_leaves_out_empty_ids_and_conflicting_answers(project, tmp_path):
    long_comment = "very long " * 20_000
    lines = [{"row_id": "", "human_label": "yes", "comment": ""},
             {"row_id": "C100001", "human_label": "yes", "comment": long_comment},
             {"row_id": "C100002", "human_label": "yes", "comment": ""},
             {"row_id": "C100002", "human_label": "no", "comment": ""}]
    write_csv(tmp_path / "filled.csv", lines)
    result = run(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    assert "skipped line 2: row id '' is in neither customers.csv" in result.output
    assert ("skipped line 5: row id 'C100002' already has the label 'yes' on line 4; both "
            "left out") in result.output
    log = read_csv(project / "data/feedback/labels.csv")
    assert [e["row_id"] for e in log] == ["C100001"]
    assert len(log[0]["comment"]) == len(long_comment.strip())


def test_a_label_log_saved_by_a_spreadsheet_still_reads(project, tmp_path):
    write_csv(tmp_path / "filled.csv", [{"row_id": "C100001", "human_label": "yes"}])
    assert run(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    log = project / "data/feedback/labels.csv"
    log.write_bytes(b"\xef\xbb\xbf" + log.read_bytes().replace(b"\n", b"\r\n"))
    result = run(project, "review", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "1 already labelled were skipped" in result.output


def test_review_of_new_rows_names_a_missing_id_column_and_an_empty_result(project, tmp_path):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(3)
    rows.drop(columns=["customer_id", "churned"]).to_csv(tmp_path / "noid.csv", index=False)
    result = run(project, "review", "--data", str(tmp_path / "noid.csv"))
    assert result.exit_code == 2
    assert "noid.csv has no column 'customer_id'" in result.output
    rows.drop(columns="churned").to_csv(tmp_path / "known.csv", index=False)
    filled = [{"row_id": r, "human_label": "no"} for r in rows["customer_id"]]
    write_csv(tmp_path / "filled.csv", filled)
    assert run(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    result = run(project, "review", "--data", str(tmp_path / "known.csv"))
    assert result.exit_code == 0, result.output
    assert ("every one of the 3 rows of known.csv has a reviewer's label already; nothing to "
            "review") in result.output


def test_a_feature_named_like_a_review_column_keeps_its_values(tmp_path):
    folder = make_small_project(tmp_path / "clash")
    data = pd.read_csv(folder / "data/raw/customers.csv")
    data["score"] = np.arange(len(data)) % 7 + 300
    data.to_csv(folder / "data/raw/customers.csv", index=False)
    assert run(folder, "baseline", "--quiet").exit_code == 0
    assert run(folder, "review", "--limit", "3").exit_code == 0
    rows = read_csv(folder / "reports/review.csv")
    assert all(300 <= int(r["score (data)"]) <= 306 for r in rows)
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


def test_regression_labels_written_with_a_decimal_comma_are_numbers():
    decimal_comma = module("feedback")._decimal_comma
    assert decimal_comma("12,5") == "12.5"
    assert decimal_comma("1.234,5") == "1.234,5"  # thousands too: left for the check to refuse
    assert decimal_comma("12") == "12"


def test_a_persons_tick_survives_a_step_that_ticks_and_unticks_the_box():
    keep_ticks = module("blocks").keep_ticks
    by_person = "- [x] verdict reached: not yet\n- [ ] human review done"
    step_agrees = keep_ticks(by_person, "- [x] verdict reached: met\n- [ ] human review done")
    assert "mvpgen:ticked" not in step_agrees  # the tick is still the person's
    later = keep_ticks(step_agrees, "- [ ] verdict reached: inconclusive")
    assert later == "- [x] verdict reached: inconclusive"
    by_step = keep_ticks("", "- [x] data collected")
    assert keep_ticks(by_step, "- [ ] data collected") == "- [ ] data collected"
    with_note = "- [X] human review done by Ann on Monday"
    assert keep_ticks(with_note, "- [ ] human review done (`review`)") == \
        "- [X] human review done (`review`)"


def test_added_rows_follow_the_splits_rule_for_time_and_groups():
    splits = module("splits")
    days = pd.date_range("2025-01-01", periods=100, freq="D")
    frame = pd.DataFrame({"day": [*list(days), days[5], days[6], days[95]],
                          "household": [f"H{i % 40}" for i in range(100)] + ["H99", "H1", "H2"],
                          "y": [0, 1] * 50 + [0, 1, 0]})
    base, added = np.arange(100), np.arange(100, 103)
    split = splits.holdout(frame.iloc[base], frame["y"].iloc[base], "binary", seed=0,
                           time_column="day", group_column="household")
    held_out = set(frame["household"].iloc[split.test])
    assert "H1" in held_out and "H99" not in held_out
    placed = splits.place_added(split, base, added, frame, time_column="day",
                                group_column="household")
    assert 100 in placed.train  # early, in a group never held out: learnt from
    assert 101 not in placed.train and 101 not in placed.test  # early, held-out group
    assert 102 in placed.test  # as late as the holdout: judged on
    assert placed.purged == split.purged + 1
