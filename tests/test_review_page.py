"""The review page in a real browser: label, download, feed back, learn.

Runs headless Chromium (Debian's ``chromium``) through Playwright (the ``browser_page``
fixture of conftest.py). Without a Chromium the test is skipped, unless
MVPGEN_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_project, scaffold

HOSTILE = "</script><img src=x onerror=\"document.title='pwned'\">"


@pytest.mark.slow
def test_a_reviewer_labels_the_page_and_the_next_baseline_learns(isolated, browser_page):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "churn"
    # a hostile value in the data must show as text on the page, never run
    data = project / "data/raw/customers.csv"
    table = pd.read_csv(data)
    table["region"] = table["region"].astype(object)
    table.loc[table.index[::2], "region"] = HOSTILE
    table.to_csv(data, index=False)
    assert run_project(project, "baseline", "--quiet").returncode == 0
    assert run_project(project, "review", "--limit", "6").returncode == 0
    with (project / "reports/review.csv").open(encoding="utf-8", newline="") as handle:
        review = list(csv.DictReader(handle))

    page = browser_page
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((project / "reports/review.html").as_uri())
    assert page.title() == "Churn MVP: review"
    assert page.locator("section.case").count() == 6
    assert page.locator("#progress").inner_text() == "0 of 6 cases labelled"
    assert page.get_by_text(HOSTILE).count() >= 1  # shown as text

    answers = {0: "yes", 1: "no", 3: "yes"}
    for index, label in answers.items():
        page.locator(f"input[name='label-{index}'][value='{label}']").check()
    comment = 'called them: staying, "for now"'
    page.locator("section.case").nth(0).locator("textarea").fill(comment)
    assert page.locator("#progress").inner_text() == "3 of 6 cases labelled"

    page.reload()  # answers are kept in the browser until downloaded
    assert page.locator("input[name='label-1'][value='no']").is_checked()
    assert page.locator("#progress").inner_text() == "3 of 6 cases labelled"

    with page.expect_download() as download:
        page.locator("#download").click()
    filled = isolated / download.value.suggested_filename
    download.value.save_as(filled)
    assert filled.name.startswith("review-filled-")
    assert page.title() == "Churn MVP: review"  # the hostile value ran nothing
    assert all(url.startswith(("file:", "blob:", "data:")) for url in requests), requests

    taken = run_project(project, "feedback", str(filled))
    assert taken.returncode == 0, taken.stderr
    assert "added 3 labels to data/feedback/labels.csv; 3 cases left unlabelled" in taken.stdout
    with (project / "data/feedback/labels.csv").open(encoding="utf-8", newline="") as handle:
        log = list(csv.DictReader(handle))
    assert [(e["row_id"], e["human_label"]) for e in log] == [
        (review[i]["row_id"], label) for i, label in answers.items()]
    assert log[0]["comment"] == comment
    assert log[0]["model_prediction"] == review[0]["prediction"]
    with filled.open(encoding="utf-8", newline="") as handle:
        downloaded = list(csv.DictReader(handle))
    assert downloaded[0]["labelled_at"].endswith("Z")  # the browser's clock, when chosen
    labelled = dt.datetime.fromisoformat(log[0]["labelled_at"])
    received = dt.datetime.fromisoformat(log[0]["received_at"])
    # the log keeps the browser's time of the label, and when feedback took it in
    assert labelled == dt.datetime.fromisoformat(downloaded[0]["labelled_at"].replace("Z",
                                                                                      "+00:00"))
    assert labelled.replace(microsecond=0) <= received

    assert run_project(project, "baseline", "--quiet").returncode == 0
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["feedback"]["used"] == 3
    expected = [label != review[i]["recorded"] for i, label in answers.items()]
    assert metrics["feedback"]["changed"] == sum(expected)


def test_the_page_is_self_contained(tmp_path):
    """No script, style or image is fetched from anywhere: it opens on a plane."""
    from mvpgen.reports import review_page

    source = Path(review_page.__file__).read_text(encoding="utf-8")
    assert "http://" not in source and "https://" not in source
    assert "default-src 'none'" in source  # the page itself forbids fetching


@pytest.mark.slow
def test_the_keyboard_labels_every_case_and_the_recorded_label_stays_hidden(isolated,
                                                                           browser_page):
    assert scaffold("churn", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "churn"
    assert run_project(project, "baseline", "--quiet").returncode == 0
    assert run_project(project, "review", "--limit", "4").returncode == 0
    with (project / "reports/review.csv").open(encoding="utf-8", newline="") as handle:
        review = list(csv.DictReader(handle))

    page = browser_page
    page.goto((project / "reports/review.html").as_uri())
    cases = page.locator("section.case")
    assert "Keys: j k next / previous case" in page.locator("#keys").inner_text()
    # The saved contender speaks by its name, as in the baseline report.
    assert "where linear model is least sure" in page.locator("#intro").inner_text()
    assert cases.nth(0).locator(".model").inner_text().startswith(
        f"Linear model says: {review[0]['prediction']} (score {review[0]['score']})")
    # What the data recorded would anchor the reviewer: hidden until asked for.
    recorded = cases.nth(0).locator(".recorded")
    assert recorded.count() == 1 and not recorded.is_visible()
    page.locator("#show-recorded").check()
    assert recorded.is_visible() and review[0]["recorded"] in recorded.inner_text()
    page.locator("#show-recorded").uncheck()
    assert not recorded.is_visible()

    page.locator("body").click(position={"x": 5, "y": 5})
    assert cases.nth(0).get_attribute("class") == "case current"
    page.keyboard.press("2")  # the second class ("yes"), then on to the next case
    assert cases.nth(0).locator("input[value='yes']").is_checked()
    page.keyboard.press("1")
    assert cases.nth(1).locator("input[value='no']").is_checked()
    page.keyboard.press("j")  # the third case stays unlabelled
    page.keyboard.press("0")  # the fourth: not sure
    assert cases.nth(3).locator("input[value='']").is_checked()
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("c")  # back on the second case: a comment that looks like a formula
    page.keyboard.type("=HYPERLINK(\"x\") no")
    page.keyboard.press("Escape")
    page.keyboard.press("k")
    assert "current" in (cases.nth(0).get_attribute("class") or "")
    assert page.locator("#progress").inner_text() == "2 of 4 cases labelled"

    with page.expect_download() as download:
        page.keyboard.press("d")
    name = download.value.suggested_filename
    # Named when downloaded, not when the page was made: yyyymmdd-hhmm, the browser's clock.
    stamp = dt.datetime.strptime(name, "review-filled-%Y%m%d-%H%M.csv")
    assert abs(stamp - dt.datetime.now()) < dt.timedelta(minutes=5)
    filled = isolated / name
    download.value.save_as(filled)
    with filled.open(encoding="utf-8", newline="") as handle:
        downloaded = list(csv.DictReader(handle))
    assert [r["human_label"] for r in downloaded] == ["yes", "no", "", ""]
    assert downloaded[1]["comment"] == "'=HYPERLINK(\"x\") no"  # shown, never run

    taken = run_project(project, "feedback", str(filled))
    assert taken.returncode == 0, taken.stderr
    with (project / "data/feedback/labels.csv").open(encoding="utf-8", newline="") as handle:
        log = list(csv.DictReader(handle))
    assert [(e["row_id"], e["human_label"]) for e in log] == [
        (review[0]["row_id"], "yes"), (review[1]["row_id"], "no")]
    assert log[1]["comment"] == "'=HYPERLINK(\"x\") no"
    again = run_project(project, "feedback", str(filled))
    assert again.returncode == 0  # the same file again adds nothing, comment and all
    assert "added 0 labels to data/feedback/labels.csv; 2 already taken in before" in again.stdout
