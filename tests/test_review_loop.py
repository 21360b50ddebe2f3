"""The human loop on the engine inside mvpgen: review, take labels back, learn from them.

Ported from the tests every generated project used to carry (its own review, baseline,
command-line and EDA tests), now run against mvpgen's steps in a real generated
project: ``mvpgen.steps.review``, ``mvpgen.steps.feedback``, ``mvpgen.loop.relabel``,
``mvpgen.loop.rowkeys`` and ``mvpgen.store.labels``, through the command line a user
types (``mvpgen -C PROJECT ...``) and, for their rules, directly.
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import in_project, run_project

from mvpgen.generator.generate import generate_project
from mvpgen.mapping import parse_mapping
from mvpgen.project import Project

ROWS = 400


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def synthetic_customers(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """A seeded table a linear model learns in part: an id, a date, a plan, a usage."""
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=rows)
    churned = np.where(usage + rng.normal(scale=0.8, size=rows) < -0.3, "yes", "no")
    return pd.DataFrame({
        "customer_id": [f"C{100000 + i}" for i in range(rows)],
        "signup": pd.date_range("2024-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
        "plan": rng.choice(["basic", "plus", "pro"], rows),
        "usage": usage.round(3),
        "churned": churned,
    })


def make_project(folder: Path, frame: pd.DataFrame, positive_label: object = "yes") -> Path:
    """Generate a project for ``frame`` as `mvpgen new` would, with exactly this mapping.

    No time column is declared, so the holdout is a stratified random one and a row's
    place in it does not depend on its date.
    """
    source = folder.parent / f"{folder.name}-data"
    source.mkdir(parents=True)
    data = source / "customers.csv"
    frame.to_csv(data, index=False)
    raw = {
        "project": {"name": "Small churn"},
        "business": {"requirement": "Keep customers who would leave", "kpi": "churn rate",
                     "current": 0.3, "goal": 0.2},
        "technical": {"task": "binary", "target": "churned", "positive_label": positive_label,
                      "metric": "roc_auc", "threshold": 0.7},
        "data": {"path": str(data), "id_columns": ["customer_id"]},
        "humans": {"reviewer": "Account managers"},
        "settings": {"bootstrap_resamples": 200, "eda": "off"},
    }
    mapping, problems = parse_mapping(raw)
    assert mapping is not None, problems
    return generate_project(mapping, folder, data_file=data)


def baseline(project: Path) -> dict:
    result = in_project(project, "baseline", "--quiet")
    assert result.exit_code == 0, result.output
    return json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project with a fitted baseline; 20 rows of its data lack the target."""
    base = tmp_path_factory.mktemp("fitted")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))  # matplotlib's cache, not the user's
        frame = synthetic_customers()
        frame.loc[frame.index[-20:], "churned"] = np.nan
        project = make_project(base / "project", frame)
        baseline(project)
    return project


@pytest.fixture
def project(fitted: Path, tmp_path: Path) -> Path:
    """A fresh copy of the fitted project, for one test to change."""
    return Path(shutil.copytree(fitted, tmp_path / "project"))


# --- review ---------------------------------------------------------------------------------


def test_review_puts_the_likeliest_mistakes_first_and_never_asks_twice(project, tmp_path):
    result = in_project(project, "review", "--limit", "12")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "chose 12 of 400 rows of customers.csv for review"
    rows = read_csv(project / "reports/review.csv")
    assert len(rows) == 12
    assert list(rows[0])[:2] == ["row_id", "source"]
    assert list(rows[0])[-6:] == ["recorded", "prediction", "score", "why", "human_label",
                                  "comment"]
    assert {r["source"] for r in rows} == {"customers.csv"}
    # without costs: the likelier the model's decision is wrong, the earlier
    card = json.loads((project / "models/model.json").read_text(encoding="utf-8"))
    threshold = card["decision_threshold"]
    scores = [float(r["score"]) for r in rows]
    wrong = [1 - s if s >= threshold else s for s in scores]
    assert all(a >= b - 1e-3 for a, b in itertools.pairwise(wrong)), wrong  # shown to 3 dp
    for row, score in zip(rows, scores, strict=True):
        decided = "yes" if score >= threshold else "no"
        assert f", decided '{decided}': " in row["why"], row["why"]
        assert row["prediction"] == decided
        assert row["why"].endswith("likely wrong")
    page = (project / "reports/review.html").read_text(encoding="utf-8")
    assert rows[0]["row_id"] in page
    assert "http://" not in page and "https://" not in page  # opens offline

    for row in rows[:4]:
        row["human_label"] = "yes"
    write_csv(tmp_path / "filled.csv", rows)
    assert in_project(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    again = in_project(project, "review", "--limit", "12")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == ("chose 12 of 400 rows of customers.csv for review; "
                                            "4 already labelled were skipped")
    chosen = {r["row_id"] for r in read_csv(project / "reports/review.csv")}
    assert not chosen & {r["row_id"] for r in rows[:4]}
    assert {r["row_id"] for r in rows[4:]} <= chosen


def test_the_review_step_can_be_called_on_a_project(project):
    from mvpgen.steps.review import build_review

    chosen = build_review(Project.find(project / "src"), limit=5)  # found from below, too
    assert (len(chosen.table), chosen.candidates, chosen.already_labelled) == (5, 400, 0)
    assert (chosen.task, chosen.classes, chosen.target) == ("binary", ["no", "yes"], "churned")
    assert list(chosen.rows["row_id"]) == list(chosen.table["row_id"])
    assert not (project / "reports/review.csv").exists()  # building writes nothing


def test_a_feature_named_like_a_review_column_keeps_its_values(tmp_path):
    frame = synthetic_customers()
    frame["score"] = np.arange(len(frame)) % 7 + 300
    folder = make_project(tmp_path / "clash", frame)
    baseline(folder)
    assert in_project(folder, "review", "--limit", "3").exit_code == 0
    rows = read_csv(folder / "reports/review.csv")
    assert all(300 <= int(r["score (data)"]) <= 306 for r in rows)
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


# --- feedback -------------------------------------------------------------------------------


def test_feedback_lists_bad_lines_skips_them_and_keeps_the_log(project, tmp_path):
    assert in_project(project, "review", "--limit", "5").exit_code == 0
    rows = read_csv(project / "reports/review.csv")
    rows[0]["human_label"] = "Yes"  # the class 'yes', however it is capitalised
    rows[1]["human_label"] = "perhaps"
    rows[2]["row_id"], rows[2]["human_label"] = "C999999", "no"
    write_csv(tmp_path / "filled.csv", rows)
    result = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "skipped line 3: 'perhaps' is not a class; use one of: no, yes",
        "skipped line 4: row id 'C999999' is in neither customers.csv nor the reviewed new "
        "rows"]
    assert result.stdout.splitlines()[0] == ("added 1 label to data/feedback/labels.csv; 2 lines "
                                             "skipped; 2 cases left unlabelled")
    log = read_csv(project / "data/feedback/labels.csv")
    assert [(entry["row_id"], entry["human_label"]) for entry in log] == [
        (rows[0]["row_id"], "yes")]
    assert log[0]["model_prediction"] == rows[0]["prediction"]
    assert log[0]["source"] == "filled.csv"

    before = (project / "data/feedback/labels.csv").read_bytes()
    rows[0]["human_label"] = "maybe"
    write_csv(tmp_path / "bad.csv", rows[:2])
    result = in_project(project, "feedback", str(tmp_path / "bad.csv"))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: bad.csv: no label added; 2 line(s) are invalid (first: line 2: 'maybe' is not "
        "a class; use one of: no, yes)\n")
    assert (project / "data/feedback/labels.csv").read_bytes() == before


def test_the_same_file_taken_in_twice_adds_nothing_twice(project, tmp_path):
    write_csv(tmp_path / "filled.csv", [{"row_id": "C100001", "human_label": "yes"},
                                        {"row_id": "C100002", "human_label": "no"}])
    first = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert first.exit_code == 0, first.output
    log = project / "data/feedback/labels.csv"
    before = log.read_bytes()
    second = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[0] == ("added 0 labels to data/feedback/labels.csv; 2 "
                                             "already taken in before")
    assert log.read_bytes() == before


@pytest.mark.parametrize(("encoding", "said"), [
    ("shift_jis", "note: filled.csv is not UTF-8: read as cp932 (detected); save it as UTF-8 "
                  "to be sure"),
    ("cp1251", "note: filled.csv is not UTF-8: read as cp1251 (detected); save it as UTF-8 "
               "to be sure"),
    ("utf-16-le", "note: filled.csv is UTF-16 without a byte-order mark: read as utf-16-le"),
    ("utf-16", None),  # with a byte-order mark: nothing to guess, nothing to say
])
def test_a_filled_file_in_another_encoding_keeps_the_reviewers_words(project, tmp_path,
                                                                    encoding, said):
    comments = {"shift_jis": "価格に不満", "cp1251": "клиент ушёл к конкуренту",
                "utf-16-le": "prix trop élevé", "utf-16": "zu teuer (Größe)"}
    text = f"row_id,human_label,comment\nC100001,yes,{comments[encoding]}\n"
    (tmp_path / "filled.csv").write_bytes(text.encode(encoding))
    result = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert notes == ([said] if said else [])
    with (project / "data/feedback/labels.csv").open(encoding="utf-8", newline="") as handle:
        logged = list(csv.DictReader(handle))
    assert [(r["row_id"], r["human_label"], r["comment"]) for r in logged] == [
        ("C100001", "yes", comments[encoding])]


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty.csv is empty; download the filled CSV from reports/review.html again"),
    ("row_id,comment\nC100001,hm\n",
     "empty.csv has no column 'human_label'; pass the CSV downloaded from reports/review.html, "
     "or reports/review.csv with human_label filled in"),
    ('row_id,human_label,comment\nC100001,yes,"cut sho',
     "empty.csv line 2: unexpected end of data (the file looks cut short); download it "
     "again; nothing was added"),
    ("row_id,human_label\nC100001,yes,surplus,fields\n",
     "empty.csv: no label added; 1 line(s) are invalid (first: line 2: 4 fields where the "
     "header has 2; the line is cut short or has extra commas)"),
    ("row_id,human_label\nC100001,\n", "empty.csv: no label added; every human_label is empty"),
    ("\x00\x01binary", "empty.csv is not a text file; pass the CSV downloaded from the review "
                       "page"),
    ("row_id,human_label,row_id\nC100001,yes,C100001\n",
     "empty.csv repeats a column name in its first line; download it again"),
])
def test_feedback_refuses_a_broken_file_and_adds_nothing(project, tmp_path, content, message):
    log = project / "data/feedback/labels.csv"
    write_csv(tmp_path / "first.csv", [{"row_id": "C100001", "human_label": "yes"}])
    assert in_project(project, "feedback", str(tmp_path / "first.csv")).exit_code == 0
    before = log.read_bytes()
    (tmp_path / "empty.csv").write_text(content, encoding="utf-8", newline="")
    result = in_project(project, "feedback", str(tmp_path / "empty.csv"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert log.read_bytes() == before


def test_a_crash_between_writing_and_renaming_leaves_the_log_intact(project, tmp_path,
                                                                   monkeypatch):
    from mvpgen.store import files

    log = project / "data/feedback/labels.csv"
    write_csv(tmp_path / "first.csv", [{"row_id": "C100001", "human_label": "yes"}])
    assert in_project(project, "feedback", str(tmp_path / "first.csv")).exit_code == 0
    before = log.read_bytes()
    write_csv(tmp_path / "second.csv", [{"row_id": "C100002", "human_label": "no"}])

    def power_cut(*args):
        message = "power cut"
        raise OSError(message)

    monkeypatch.setattr(files.os, "replace", power_cut)
    result = in_project(project, "feedback", str(tmp_path / "second.csv"))
    monkeypatch.undo()
    assert result.exit_code == 3  # not bad input: the machine failed
    assert result.stderr.startswith("Error: unexpected OSError: power cut")
    assert log.read_bytes() == before
    assert sorted(p.name for p in log.parent.iterdir()) == [".gitkeep", "labels.csv"]


def test_feedback_leaves_out_empty_ids_and_conflicting_answers(project, tmp_path):
    long_comment = "very long " * 20_000
    lines = [{"row_id": "", "human_label": "yes", "comment": ""},
             {"row_id": "C100001", "human_label": "yes", "comment": long_comment},
             {"row_id": "C100002", "human_label": "yes", "comment": ""},
             {"row_id": "C100002", "human_label": "no", "comment": ""}]
    write_csv(tmp_path / "filled.csv", lines)
    result = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    # Both conflicting lines are left out, so both are counted.
    assert result.stderr.splitlines() == [
        "skipped line 2: row id '' is in neither customers.csv nor the reviewed new rows",
        "skipped line 4: row id 'C100002' has another label on line 5; both left out",
        "skipped line 5: row id 'C100002' already has the label 'yes' on line 4; both left "
        "out"]
    assert "3 lines skipped" in result.stdout
    log = read_csv(project / "data/feedback/labels.csv")
    assert [e["row_id"] for e in log] == ["C100001"]
    assert log[0]["comment"] == long_comment.strip()


@pytest.mark.parametrize(("labels", "skipped"), [
    (["yes", "no"], [
        "skipped line 2: row id 'C100002' has another label on line 3; both left out",
        "skipped line 3: row id 'C100002' already has the label 'yes' on line 2; both left "
        "out"]),
    (["yes", "no", "yes"], [  # the third agrees with the first, but the case is in doubt
        "skipped line 2: row id 'C100002' has another label on line 3; both left out",
        "skipped line 3: row id 'C100002' already has the label 'yes' on line 2; both left "
        "out",
        "skipped line 4: row id 'C100002' has conflicting labels on lines 2 and 3; left out"]),
])
def test_every_line_of_a_case_in_conflict_is_counted_as_skipped(project, tmp_path, labels,
                                                                 skipped):
    lines = [{"row_id": "C100002", "human_label": label, "comment": ""} for label in labels]
    lines.append({"row_id": "C100003", "human_label": "no", "comment": ""})
    write_csv(tmp_path / "filled.csv", lines)
    result = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == skipped
    assert result.stdout.splitlines()[0] == (f"added 1 label to data/feedback/labels.csv; "
                                             f"{len(labels)} lines skipped")
    assert [e["row_id"] for e in read_csv(project / "data/feedback/labels.csv")] == ["C100003"]


def test_a_label_log_saved_by_a_spreadsheet_still_reads(project, tmp_path):
    write_csv(tmp_path / "filled.csv", [{"row_id": "C100001", "human_label": "yes"}])
    assert in_project(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    log = project / "data/feedback/labels.csv"
    log.write_bytes(b"\xef\xbb\xbf" + log.read_bytes().replace(b"\n", b"\r\n"))
    result = in_project(project, "review", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("chose 3 of 400 rows of customers.csv for review; "
                                             "1 already labelled were skipped")


def test_a_label_log_with_another_header_is_named_not_guessed(project, tmp_path):
    log = project / "data/feedback/labels.csv"
    log.write_text("id,label\nC100001,yes\n", encoding="utf-8")
    write_csv(tmp_path / "filled.csv", [{"row_id": "C100002", "human_label": "no"}])
    result = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: data/feedback/labels.csv has the columns id, label, not row_id, human_label, "
        "comment, model_prediction, model_score, labelled_at, received_at, source; restore its "
        "first line (the older labels below it are kept)\n")
    assert log.read_text(encoding="utf-8") == "id,label\nC100001,yes\n"


@pytest.mark.parametrize(("damage", "fields"), [
    (lambda line: line.rsplit(",", 3)[0], 5),  # cut short: the last three fields are gone
    (lambda line: line + ",extra", 9),
])
def test_a_damaged_line_in_the_label_log_is_named_and_nothing_is_appended(project, tmp_path,
                                                                          damage, fields):
    write_csv(tmp_path / "first.csv", [{"row_id": "C100001", "human_label": "yes"},
                                       {"row_id": "C100002", "human_label": "no"}])
    assert in_project(project, "feedback", str(tmp_path / "first.csv")).exit_code == 0
    log = project / "data/feedback/labels.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[2] = damage(lines[2])
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = log.read_bytes()
    write_csv(tmp_path / "second.csv", [{"row_id": "C100003", "human_label": "no"}])
    result = in_project(project, "feedback", str(tmp_path / "second.csv"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: data/feedback/labels.csv line 3 has {fields} fields, not 8; mend or delete "
        "that line (every other label is kept), then run again\n")
    assert log.read_bytes() == before


def test_free_text_in_the_label_log_never_runs_in_a_spreadsheet(project, tmp_path):
    formula = '=HYPERLINK("http://example.com","see")'
    write_csv(tmp_path / "=evil.csv", [
        {"row_id": "C100001", "human_label": "yes", "comment": formula},
        {"row_id": "C100002", "human_label": "no", "comment": "-3.5 hours late"},
        {"row_id": "C100003", "human_label": "no", "comment": "-3.5"}])
    first = in_project(project, "feedback", str(tmp_path / "=evil.csv"))
    assert first.exit_code == 0, first.output
    log = read_csv(project / "data/feedback/labels.csv")
    assert [e["comment"] for e in log] == ["'" + formula, "'-3.5 hours late", "-3.5"]
    assert {e["source"] for e in log} == {"'=evil.csv"}
    # Taken in again (or the label log itself): the same answers, nothing added.
    again = in_project(project, "feedback", str(tmp_path / "=evil.csv"))
    assert "added 0 labels to data/feedback/labels.csv; 3 already taken in before" in again.stdout
    itself = in_project(project, "feedback", str(project / "data/feedback/labels.csv"))
    assert "added 0 labels" in itself.stdout, itself.output


def test_regression_labels_written_with_a_decimal_comma_are_numbers():
    from mvpgen.steps.feedback import _decimal_comma

    assert _decimal_comma("12,5") == "12.5"
    assert _decimal_comma("1.234,5") == "1.234,5"  # thousands too: left for the check to refuse
    assert _decimal_comma("12") == "12"


def test_the_label_store_keeps_history_and_the_latest_label_wins(tmp_path):
    from mvpgen.store.labels import COLUMNS, agreement, append_labels, latest, read_labels

    assert read_labels(tmp_path) == []
    entry = dict.fromkeys(COLUMNS, "")
    append_labels(tmp_path, [entry | {"row_id": "a", "human_label": "yes",
                                      "model_prediction": "yes"},
                             entry | {"row_id": "b", "human_label": "no",
                                      "model_prediction": "yes"}])
    append_labels(tmp_path, [entry | {"row_id": "a", "human_label": "no",
                                      "model_prediction": "yes"}])
    log = read_labels(tmp_path)
    assert [(e["row_id"], e["human_label"]) for e in log] == [("a", "yes"), ("b", "no"),
                                                             ("a", "no")]
    newest = latest(log)
    assert {row: e["human_label"] for row, e in newest.items()} == {"a": "no", "b": "no"}
    shared = agreement(list(newest.values()), "binary")
    assert (shared.agreed, shared.labels, shared.share) == (0, 2, 0.0)
    assert agreement([], "binary").share is None


# --- learning from the labels ---------------------------------------------------------------


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
    result = in_project(project, "feedback", str(tmp_path / "filled.csv"))
    assert result.exit_code == 0, result.output
    agreed = sum(label["human_label"] == "yes" for label in labels)
    assert result.stdout.splitlines()[1] == (f"model and reviewers agree on "
                                             f"{agreed / len(labels):.0%} of the 9 rows labelled "
                                             "so far")

    metrics = baseline(project)
    feedback = metrics["feedback"]
    assert feedback["used"] == 9
    assert feedback["changed"] == 6
    assert feedback["added_rows"] == {"data_without_target": 3, "new": 0, "train": 3,
                                      "test": 0}
    assert metrics["split"]["train_rows"] == len(trained) + 3
    holdout_after = pd.read_csv(project / "reports/holdout_predictions.csv")
    assert list(holdout_after["customer_id"]) == list(holdout_before["customer_id"])
    assert feedback["agreement"] == pytest.approx(agreed / len(labels), abs=1e-4)
    page = html.unescape((project / "reports/baseline.html").read_text(encoding="utf-8"))
    assert "This run used 9: 6 corrected the recorded churned" in page


def test_the_relabelled_training_rows_carry_the_reviewers_labels(project, tmp_path):
    from mvpgen.data.read import load_dataset
    from mvpgen.loop.relabel import apply_labels

    data = pd.read_csv(project / "data/raw/customers.csv")
    known = data[data["churned"].notna()].head(2)
    gap = data[data["churned"].isna()].head(1)
    labels = [{"row_id": r.customer_id, "human_label": "no" if r.churned == "yes" else "yes"}
              for r in known.itertuples()]
    labels.append({"row_id": gap["customer_id"].iloc[0], "human_label": "no"})
    write_csv(tmp_path / "filled.csv", labels)
    assert in_project(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0

    found = Project.find(project)
    dataset = load_dataset(found.mapping, found.root)
    relabelled = apply_labels(dataset, found.mapping, found.root, "binary")
    frame = relabelled.frame.set_index("customer_id")
    for label in labels:
        assert frame.loc[label["row_id"], "churned"] == label["human_label"]
    assert len(frame) == ROWS - 20 + 1  # the labelled rows, and the one a label filled
    assert int(relabelled.added.sum()) == 1
    assert relabelled.summary["changed"] == 2
    assert relabelled.summary["added_rows"] == {"data_without_target": 1, "new": 0}


def test_review_of_new_rows_keeps_their_values_for_training(project, tmp_path):
    data = pd.read_csv(project / "data/raw/customers.csv").head(30).drop(columns="churned")
    data["customer_id"] = [f"N{i}" for i in range(30)]
    data.to_csv(tmp_path / "new.csv", index=False)
    result = in_project(project, "review", "--data", str(tmp_path / "new.csv"), "--limit", "8")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "chose 8 of 30 rows of new.csv for review"
    rows = read_csv(project / "reports/review.csv")
    assert {r["source"] for r in rows} == {"new.csv"}
    assert {r["recorded"] for r in rows} == {""}
    kept = pd.read_csv(project / "data/feedback/reviewed_rows.csv")
    assert sorted(kept["row_id"]) == sorted(r["row_id"] for r in rows)
    for row in rows:
        row["human_label"] = "no"
    write_csv(tmp_path / "filled.csv", rows)
    assert in_project(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    metrics = baseline(project)
    assert metrics["feedback"]["added_rows"]["new"] == 8
    assert metrics["feedback"]["added_rows"]["train"] == 8


def test_review_of_new_rows_names_a_missing_id_column_and_an_empty_result(project, tmp_path):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(3)
    rows.drop(columns=["customer_id", "churned"]).to_csv(tmp_path / "noid.csv", index=False)
    result = in_project(project, "review", "--data", str(tmp_path / "noid.csv"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: noid.csv has no column 'customer_id'; "
                                              "columns are: signup, plan, usage")
    assert not (project / "reports/review.csv").exists()
    rows.drop(columns="churned").to_csv(tmp_path / "known.csv", index=False)
    filled = [{"row_id": r, "human_label": "no"} for r in rows["customer_id"]]
    write_csv(tmp_path / "filled.csv", filled)
    assert in_project(project, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    result = in_project(project, "review", "--data", str(tmp_path / "known.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ("every one of the 3 rows of known.csv has a reviewer's label "
                             "already; nothing to review\n")


def test_classes_read_as_floats_are_named_as_written(tmp_path):
    frame = synthetic_customers()
    frame["churned"] = np.where(frame["churned"] == "yes", 1.0, 0.0)
    frame.loc[frame.index[:5], "churned"] = np.nan  # gaps: the column is read as 0.0 / 1.0
    folder = make_project(tmp_path / "numeric", frame, positive_label=1)
    baseline(folder)
    card = json.loads((folder / "models/model.json").read_text(encoding="utf-8"))
    assert card["labels"] == [0, 1]
    assert in_project(folder, "review", "--limit", "4").exit_code == 0
    rows = read_csv(folder / "reports/review.csv")
    assert {r["prediction"] for r in rows} <= {"0", "1"}
    rows[0]["human_label"] = "1"
    write_csv(tmp_path / "filled.csv", rows)
    assert in_project(folder, "feedback", str(tmp_path / "filled.csv")).exit_code == 0
    assert baseline(folder)["feedback"]["used"] == 1


def test_added_rows_follow_the_splits_rule_for_time_and_groups():
    from mvpgen.evaluation.split import holdout, place_added

    days = pd.date_range("2025-01-01", periods=100, freq="D")
    frame = pd.DataFrame({"day": [*list(days), days[5], days[6], days[95]],
                          "household": [f"H{i % 40}" for i in range(100)] + ["H99", "H1", "H2"],
                          "y": [0, 1] * 50 + [0, 1, 0]})
    base, added = np.arange(100), np.arange(100, 103)
    split = holdout(frame.iloc[base], frame["y"].iloc[base], "binary", seed=0,
                    time_column="day", group_column="household")
    held_out = set(frame["household"].iloc[split.test])
    assert "H1" in held_out and "H99" not in held_out
    placed = place_added(split, base, added, frame, time_column="day",
                         group_column="household")
    assert 100 in placed.train  # early, in a group never held out: learnt from
    assert 101 not in placed.train and 101 not in placed.test  # early, held-out group
    assert 102 in placed.test  # as late as the holdout: judged on
    assert placed.purged == split.purged + 1


def test_a_row_keeps_its_id_however_its_columns_were_read():
    from mvpgen.loop.rowkeys import row_ids

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


# --- the checklist and the status follow the loop -------------------------------------------


def test_checklist_follows_the_loop_and_keeps_hand_ticks(project):
    checklist = project / "CHECKLIST.md"
    text = checklist.read_text(encoding="utf-8")
    assert "- [ ] human review done" in text and "- [ ] The KPI owner agrees" in text
    text = text.replace("- [ ] human review done", "- [x] human review done")
    text = text.replace("- [ ] The KPI owner agrees", "- [X] The KPI owner agrees")
    checklist.write_text(text + "\nOur own note.\n", encoding="utf-8")
    assert in_project(project, "review", "--limit", "3").exit_code == 0
    baseline(project)
    text = checklist.read_text(encoding="utf-8")
    assert "- [x] human review done" in text  # ticked by hand, kept
    assert "- [X] The KPI owner agrees" in text
    assert text.endswith("\nOur own note.\n")
    assert "- Review set: [reports/review.csv]" in text
    state = json.loads(in_project(project, "status", "--json").stdout)
    assert [q["state"] for q in state["questions"]][:2] == ["answered", "evidence"]
    assert state["stage"] == "review"


def test_a_persons_tick_survives_a_step_that_ticks_and_unticks_the_box():
    from mvpgen.store.blocks import keep_ticks

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


# --- the other project commands the template's tests covered --------------------------------


def test_baseline_writes_its_files_as_one_set(project):
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["split"]["strategy"] == "stratified"
    assert metrics["split"]["train_rows"] + metrics["split"]["test_rows"] == ROWS - 20
    low, high = metrics["confidence_intervals"]["linear model"]["roc_auc"]
    assert low <= metrics["models"]["linear model"]["test"]["roc_auc"] <= high
    holdout = pd.read_csv(project / "reports/holdout_predictions.csv")
    assert len(holdout) == metrics["split"]["test_rows"]
    assert {"customer_id", "actual", "linear model: prediction",
            "linear model: score"} <= set(holdout)
    import zipfile

    assert zipfile.is_zipfile(project / "models/model.skops")  # skops, not pickle
    page = html.unescape((project / "reports/baseline.html").read_text(encoding="utf-8"))
    assert metrics["recommendation"]["sentence"] in page
    checklist = (project / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "- [x] baseline evaluated" in checklist


def test_predict_scores_new_rows_and_names_missing_columns(project, tmp_path):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(5)
    rows.drop(columns=["churned"]).to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out.csv"
    result = in_project(project, "predict", str(tmp_path / "new.csv"), str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 5 predictions to {out}\n"
    scored = pd.read_csv(out, keep_default_na=False)
    assert list(scored.columns) == ["customer_id", "prediction", "score", "new_values"]
    assert scored["customer_id"].tolist() == rows["customer_id"].tolist()
    assert set(scored["prediction"]) <= {"yes", "no"}
    assert scored["score"].between(0, 1).all()
    assert set(scored["new_values"]) == {""}

    rows.drop(columns=["churned", "plan", "usage"]).to_csv(tmp_path / "bad.csv", index=False)
    result = in_project(project, "predict", str(tmp_path / "bad.csv"), str(tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert result.stderr == ("Error: bad.csv lacks 2 column(s) the model needs: usage, plan; "
                             "add them (empty values are allowed)\n")
    assert not (tmp_path / "x.csv").exists()


def test_predict_names_a_value_of_the_wrong_kind(project, tmp_path):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(3).drop(columns="churned")
    rows["usage"] = rows["usage"].astype(object)
    rows.loc[1, "usage"] = "twelve"
    rows.to_csv(tmp_path / "new.csv", index=False)
    result = in_project(project, "predict", str(tmp_path / "new.csv"), str(tmp_path / "out.csv"))
    assert result.exit_code == 2
    assert "column 'usage' holds 'twelve', which is not a number as in training" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_predict_flags_values_training_never_saw(project, tmp_path):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(4).drop(columns="churned")
    rows.loc[0, "plan"] = "platinum"
    rows.loc[1, "usage"] = 1000.0
    rows.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out.csv"
    result = in_project(project, "predict", str(tmp_path / "new.csv"), str(out))
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out, keep_default_na=False)
    assert scored["new_values"].tolist() == ["plan", "usage", "", ""]
    ranges = json.loads((project / "models/model.json").read_text(encoding="utf-8"))["ranges"]
    low, high = ranges["usage"]
    assert result.stderr.splitlines()[-2:] == [
        "note: 1 row holds a category of 'plan' training never saw (see new_values)",
        f"note: 1 row holds a value of 'usage' outside the training range ({low:,.4g} to "
        f"{high:,.4g}; see new_values)"]


@pytest.mark.parametrize(("target", "what"), [
    ("new.csv", "the rows being scored"), ("data/raw/customers.csv", "the project's data"),
    ("mvp.yaml", "the project's mvp.yaml"), ("models/model.skops", "the saved model"),
    ("models/model.json", "the model's card")])
def test_predict_never_overwrites_an_input(project, tmp_path, target, what):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(3).drop(columns="churned")
    rows.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / target if target == "new.csv" else project / target
    before = out.read_bytes()
    for force in ([], ["--force"]):
        result = in_project(project, "predict", str(tmp_path / "new.csv"), str(out), *force)
        assert result.exit_code == 2, result.output
        assert result.stderr == (f"Error: OUT {out} is {what}; write the predictions to "
                                 "another file\n")
        assert out.read_bytes() == before


def test_predict_replaces_an_existing_file_only_with_force(project, tmp_path):
    rows = pd.read_csv(project / "data/raw/customers.csv").head(3).drop(columns="churned")
    rows.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out.csv"
    out.write_text("mine\n", encoding="utf-8")
    result = in_project(project, "predict", str(tmp_path / "new.csv"), str(out))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: OUT {out} exists; pass --force to replace it, or name "
                             "another file\n")
    assert out.read_text(encoding="utf-8") == "mine\n"
    result = in_project(project, "predict", str(tmp_path / "new.csv"), str(out), "--force")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 3


def test_show_prints_the_mapping_in_plain_words(project):
    result = in_project(project, "show")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Small churn"
    assert "Keep customers who would leave" in result.stdout
    assert "of the column 'churned'" in result.stdout


def test_show_refuses_a_broken_mapping_with_exit_code_2(project):
    (project / "mvp.yaml").write_text("project: {name: X}\nbusiness: {requirement: Y}\n",
                                      encoding="utf-8")
    result = in_project(project, "show")
    assert result.exit_code == 2
    assert "technical: missing" in result.stderr
    assert "Traceback" not in result.output


def test_refresh_keeps_everything_outside_the_markers(project):
    checklist = project / "CHECKLIST.md"
    checklist.write_text(checklist.read_text(encoding="utf-8") + "\nMy own note.\n- [x] done\n",
                         encoding="utf-8")
    mapping = project / "mvp.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        "requirement: Keep customers who would leave",
        "requirement: Keep customers who would leave, by calling them"), encoding="utf-8")
    first = in_project(project, "refresh")
    assert first.exit_code == 0, first.output
    assert set(first.stdout.splitlines()) == {"updated README.md", "updated CHECKLIST.md"}
    again = in_project(project, "refresh")
    assert (again.exit_code, again.stdout) == (0, "")  # nothing left to change
    text = checklist.read_text(encoding="utf-8")
    assert text.endswith("\nMy own note.\n- [x] done\n")
    assert "- **Requirement:** Keep customers who would leave, by calling them" in text


def test_refresh_refuses_a_broken_marker_and_writes_nothing(project):
    readme = (project / "README.md").read_text(encoding="utf-8")
    mapping = project / "mvp.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        "requirement: ", "requirement: Changed ", 1), encoding="utf-8")
    checklist = project / "CHECKLIST.md"
    broken = checklist.read_text(encoding="utf-8").replace("<!-- mvpgen:end q1 -->", "")
    checklist.write_text(broken, encoding="utf-8")
    result = in_project(project, "refresh")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: CHECKLIST.md: block 'q1' is not closed before")
    assert checklist.read_text(encoding="utf-8") == broken
    assert (project / "README.md").read_text(encoding="utf-8") == readme


@pytest.mark.slow
def test_eda_samples_quickly_and_profiles_every_row_in_full(project):
    # in a process of its own: the profiling library's warnings are not this suite's errors
    quick = run_project(project, "eda", "--quiet", "--sample-rows", "250")
    assert quick.returncode == 0, quick.stderr
    page = (project / "reports/eda.html").read_text(encoding="utf-8")
    # the rows with a target: 20 of the 400 have none
    assert "Small churn: churned (binary), sample of 250 of 380 rows" in page
    assert '<script src="http' not in page and '<link href="http' not in page
    summary = json.loads((project / "reports/data_quality.json").read_text(encoding="utf-8"))
    eda = summary["eda"]
    assert {k: eda[k] for k in ("mode", "profiled_rows", "profiled_columns", "seed",
                                "report")} == {"mode": "quick", "profiled_rows": 250,
                                               "profiled_columns": 5, "seed": 0,
                                               "report": "reports/eda.html"}

    full = run_project(project, "eda", "--quiet", "--full")
    assert full.returncode == 0, full.stderr
    page = (project / "reports/eda.html").read_text(encoding="utf-8")
    assert "Small churn: churned (binary), all 380 rows" in page
    summary = json.loads((project / "reports/data_quality.json").read_text(encoding="utf-8"))
    assert summary["eda"]["mode"] == "full"
    assert summary["eda"]["profiled_rows"] == 380


def test_a_filled_file_too_large_is_refused_before_it_is_read(project, tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: 60 MB on paper, nothing on disk
        handle.truncate(60 * 1024 * 1024)
    log = project / "data/feedback/labels.csv"
    before = log.read_bytes() if log.exists() else None
    result = in_project(project, "feedback", str(huge))
    assert result.exit_code == 2
    assert result.stderr == ("Error: huge.csv is 60 MB, too large for a filled review file; "
                             "pass the CSV downloaded from reports/review.html\n")
    assert (log.read_bytes() if log.exists() else None) == before
