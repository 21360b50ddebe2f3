"""Every page mvpgen writes, for a project whose names and values are all hostile.

The project's name, its columns' names, their values and the reviewer's name hold
markup that would run a script, and a template expression. Opened in headless Chromium
(the ``browser_page`` fixture of conftest.py: skipped without a Chromium, a failure then
under MVPGEN_REQUIRE_BROWSER=1), each page must show them as text, run nothing they
hold, open no dialog and ask for nothing beyond the page itself. Each page also carries
a restrictive Content-Security-Policy, first in its head, so that even markup that got
through would not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_project, scaffold, write_mapping

PWNED = "document.title='pwned'"
IMAGE = f"</script><img src=x onerror=\"{PWNED}\">"
SCRIPT = f"<script>{PWNED}</script>"
TEMPLATE = "{{ 7*7 }}"
NAME = f"Churn {IMAGE} {TEMPLATE}"
PAGES = ("eda", "baseline", "review")


@pytest.fixture
def hostile_project(isolated: Path, tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    rows = 150
    usage = rng.normal(size=rows).round(3)
    frame = pd.DataFrame({
        "customer_id": [f"C{i:04d}" for i in range(rows)],
        SCRIPT: rng.choice([IMAGE, SCRIPT, TEMPLATE], rows),  # a category column
        IMAGE: usage,  # a number column
        TEMPLATE: rng.choice(["a", "b"], rows),
        "churned": np.where(usage + rng.normal(0, 1, rows) < 0, "yes", "no"),
    })
    data = tmp_path / "customers.csv"
    frame.to_csv(data, index=False)
    business = write_mapping(tmp_path / "business.yaml", {
        "business": {"requirement": f"Keep customers {SCRIPT}", "kpi": f"churn {TEMPLATE}",
                     "current": 0.1, "goal": 0.08},
        "humans": {"reviewer": SCRIPT}})
    made = scaffold("demo", "--mapping", str(business), "--data", str(data), "--name", NAME,
                    "--target", "churned", "--metric", "roc_auc", "--threshold", "0.6",
                    "--id-columns", "customer_id", "--no-input")
    assert made.exit_code == 0, made.output
    project = isolated / "demo"
    for step in ("eda", "baseline", "review"):
        done = run_project(project, step, "--quiet")
        assert done.returncode == 0, done.stderr
    return project


def policy_of(page: str) -> str:
    """Return the page's Content-Security-Policy, checking it comes before any content."""
    meta = re.search(r"<meta http-equiv=['\"]Content-Security-Policy['\"] content=\"([^\"]*)\">",
                     page)
    assert meta is not None
    head = page[:page.index("</head>")]
    first = min(head.index(tag) for tag in ("<title", "<style", "<script") if tag in head)
    assert meta.start() < first  # a policy applies only to what follows it
    return meta[1]


@pytest.mark.slow
def test_hostile_names_show_as_text_and_run_nothing_on_every_page(hostile_project: Path,
                                                                   browser_page):
    page = browser_page
    requests, dialogs, console = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    titles = {"eda": f"{NAME}: churned (binary), all 150 rows",
              "baseline": f"{NAME}: baseline", "review": f"{NAME}: review"}
    for name in PAGES:
        path = hostile_project / f"reports/{name}.html"
        text = path.read_text(encoding="utf-8")
        policy = policy_of(text)
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
        scripts = directives.get("script-src", "'none'")
        assert "unsafe" not in scripts  # only scripts named by their hash may run
        assert all(s.startswith("'sha256-") for s in scripts.split()) or scripts == "'none'"

        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.title() == titles[name], name  # no injected script retitled it
        body = page.locator("body").inner_text()
        for hostile in (IMAGE, TEMPLATE):  # shown as text; {{ 7*7 }} never became 49
            assert hostile in body, (name, hostile)
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("script:not([type='application/json'])").evaluate_all(
            f"nodes => nodes.filter(n => n.textContent.includes(\"{PWNED}\")).length") == 0
    assert SCRIPT in page.locator("body").inner_text()  # the reviewer, on the review page
    # The review page's own script runs under its policy; an injected one would not.
    assert page.locator("#progress").inner_text().endswith("cases labelled")
    assert page.locator("section.case").count() > 0
    assert dialogs == []
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    assert not [m for m in console if "Content Security Policy" in m], console
