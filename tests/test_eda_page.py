"""The EDA page: the data as it is, the target against its strongest columns, safe to open.

The browser tests run headless Chromium (Debian's ``chromium``) through Playwright.
Without a Chromium they are skipped, unless MVPGEN_REQUIRE_BROWSER=1 (as in CI), where
a missing browser is a failure.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import chromium, run_project, scaffold

from mvpgen.data import quality
from mvpgen.data.read import load_dataset
from mvpgen.mapping import parse_mapping
from mvpgen.reports.eda_page import Section, for_display, profile_page, with_policy
from mvpgen.reports.target_view import split_rows, target_view

PWNED = "document.title='pwned'"
IMG_NAME = f"<img src=x onerror={PWNED}>"
SCRIPT_NAME = f"<script>{PWNED}</script>"
CLOSING_VALUE = f"</script><script>{PWNED}</script>"
REFRESH_VALUE = "<meta http-equiv='refresh' content='0;url=http://127.0.0.1:9/pwned'>"
PROJECT_NAME = f"Churn <script>{PWNED}</script> MVP"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser():
    """Open pages and record what they did: requests, console messages, dialogs."""
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = launched.new_context()
        yield Browser(context)
        context.close()
        launched.close()


class Browser:
    def __init__(self, context):
        self.context = context
        self.requests, self.console, self.dialogs = [], [], []

    def open(self, path):
        page = self.context.new_page()
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append(message.text))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message),
                                          dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page

    def ran_nothing_foreign(self, page, title):
        """Assert the page kept its title, opened no dialog and asked for nothing outside."""
        assert page.title() == title
        assert self.dialogs == []
        assert all(url.startswith(("file:", "data:")) for url in self.requests), self.requests
        # Nothing was refused either: no injected script reached the page, and the
        # library's own scripts are the ones the policy allows.
        assert not [m for m in self.console if "Content Security Policy" in m], self.console


def churn_like(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "customer_id": [f"C{100000 + i}" for i in range(rows)],
        "signup_date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(
            rng.integers(0, 900, rows), unit="D")).astype("datetime64[ms]"),
        "tenure": rng.integers(0, 30, rows),
        "plan": rng.choice(["basic", "premium"], rows),
    })
    frame["churned"] = np.where(rng.random(rows) < np.where(frame["plan"] == "basic", 0.4, 0.1),
                                "yes", "no")
    return frame


# --- what the profile shows -------------------------------------------------------------------


def test_the_target_dates_and_ids_are_profiled_as_what_they_are():
    frame = churn_like()
    assert str(frame["signup_date"].dtype) == "datetime64[ms]"  # as the reader returns dates
    page = profile_page(frame, target="churned", task="binary", title="Churn: churned",
                        description="A test.", full=False, categorical=("plan",))
    # The target first, as classes with their balance; an id as text, without a cloud.
    assert page.types == {"churned": "Categorical", "customer_id": "Text",
                          "signup_date": "DateTime", "tenure": "Numeric",
                          "plan": "Categorical"}
    assert "wordcloud" not in page.html.lower()
    # Real dates on the date histogram's axis (in milliseconds they read 1970-01-01 00:28).
    assert "1970-01-01" not in page.html
    ticks = re.findall(r"<!-- (\d{4})-\d\d-\d\d \d\d:\d\d:\d\d -->", page.html)
    assert ticks and set(ticks) <= {"2022", "2023", "2024", "2025"}
    assert frame["signup_date"].dtype == "datetime64[ms]"  # the caller's frame is untouched


def test_dates_nanoseconds_cannot_hold_are_said_to_be_shown_as_missing():
    frame = pd.DataFrame({"ends": np.array(["2024-05-01", "9999-12-31"] * 30,
                                           dtype="datetime64[ms]"), "y": ["a", "b"] * 30})
    page = profile_page(frame, target="y", task="binary", title="T", description="Data.",
                        full=False)
    assert ("Data. 30 dates before 1677 or after 2262 (placeholders such as 9999-12-31?) are "
            "shown as missing: the profile cannot hold them.") in page.html
    assert [(a["type"], a["column"]) for a in page.alerts] == [("constant", "ends"),
                                                               ("missing", "ends")]
    assert page.alerts[1]["values"]["n_missing"] == 30


def test_full_mode_shows_no_word_cloud_either():
    page = profile_page(churn_like(), target="churned", task="binary", title="T",
                        description="", full=True)
    assert page.types["customer_id"] == "Text"
    assert "wordcloud" not in page.html.lower()


def test_text_in_the_library_pictures_is_never_read_as_math():
    import matplotlib

    frame = pd.DataFrame({"band": ["$\\bar{$", "$10-$20", "b"] * 20, "y": ["a", "b"] * 30})
    page = profile_page(frame, target="y", task="binary", title="T", description="",
                        full=True, categorical=("band",))  # bars labelled by the values
    assert page.types["band"] == "Categorical"
    assert matplotlib.rcParams["text.parse_math"]  # the caller's setting is left as it was


def test_the_profile_alerts_are_explained_for_the_project(tmp_path):
    rng = np.random.default_rng(1)
    rows = 500
    frame = pd.DataFrame({
        "account_no": [f"A{i:05d}" for i in rng.permutation(rows)],  # not declared
        "spend": np.where(rng.random(rows) < 0.1, np.nan, rng.gamma(2.0, 30.0, rows).round(2)),
        "visits": rng.poisson(0.5, rows),
        "churned": np.where(rng.random(rows) < 0.08, "yes", "no"),
    })
    raw = {"project": {"name": "T"}, "business": {"requirement": "Keep customers"},
           "technical": {"target": "churned", "task": "binary", "positive_label": "yes",
                         "metric": "recall", "threshold": 0.5},
           "data": {"path": "t.csv"}}
    mapping = parse_mapping(raw)[0]
    frame.to_csv(tmp_path / "t.csv", index=False)
    dataset = load_dataset(mapping, tmp_path)
    summary = quality.data_quality(dataset, mapping, task="binary")
    page = profile_page(dataset.frame, target="churned", task="binary", title="T",
                        description="", full=False)
    explained = quality.explain_alerts(page.alerts, summary, mapping)
    assert [(a["message"], a["benign"]) for a in explained] == [
        ("'churned' is highly imbalanced (61.2%)", False),  # 1 - entropy / log 2 of 462:38
        ("'account_no' has unique values", False),
        ("'spend' has 43 (8.6%) missing values", True),
        ("'visits' has 319 (63.8%) zeros", True),
    ]
    assert dataset.frame["churned"].value_counts().to_dict() == {"no": 462, "yes": 38}
    assert explained[0]["note"] == ("the classes are 'no' 92.4%, 'yes' 7.6%; accuracy would "
                                    "flatter a model that never predicts the rare one")
    assert explained[1]["note"] == ("it looks like an identifier: declare it in "
                                    "data.id_columns so it is never a feature")
    assert explained[2]["note"] == ("the baseline fills gaps with the median and adds a flag "
                                    "that says the value was missing")


# --- the target against its strongest columns ----------------------------------------------------

PANEL_ROW = re.compile(r"<th scope='row' title='([^']*)'>[^<]*</th><td class='mv-n'>([\d,]+)"
                       r"</td><td class='mv-track'>.*?</td><td class='mv-v'>([^<]*)</td>")


def panels(section: str) -> dict[str, list[tuple[str, str, str]]]:
    """Return each chart's rows, (label, rows, figure), by column."""
    found = {}
    for chunk in section.split("<figure class='mv-panel'>")[1:]:
        name = re.match(r"<figcaption><strong>([^<]*)</strong>", chunk).group(1)
        found[name] = PANEL_ROW.findall(chunk)
    return found


def test_the_class_rate_by_category_and_by_value():
    frame = pd.DataFrame({
        "plan": ["basic"] * 60 + ["premium"] * 40,
        "calls": [0] * 50 + [1] * 30 + [2] * 20,
        "customer_id": [f"C{i}" for i in range(100)],
        "churned": ["yes"] * 30 + ["no"] * 30 + ["yes"] * 10 + ["no"] * 30,
    })
    roles = {"plan": "categorical", "calls": "numeric", "customer_id": "id"}
    view = target_view(frame, "churned", "binary", roles, positive="yes")
    assert view.columns == ["calls", "plan"]  # the identifier is never drawn; strongest first
    assert view.rows == 100
    assert panels(view.html) == {
        "calls": [("0", "50", "60%"), ("1", "30", "33%"), ("2", "20", "0%")],
        "plan": [("basic", "60", "50%"), ("premium", "40", "25%")],
    }
    assert "dashed line: all rows, 40.0%." in view.html


def test_more_classes_and_quantities_get_their_own_charts():
    frame = pd.DataFrame({"region": ["north"] * 6 + ["south"] * 4,
                          "size": ["s", "m", "l", "s", "m", "l", "s", "s", "s", "l"],
                          "price": [10.0, 12, 14, 16, 18, 30, 32, 34, 36, 38]})
    roles = {"region": "categorical", "size": "categorical"}
    classes = target_view(frame, "size", "multiclass", roles)
    assert panels(classes.html) == {"region": [("north", "6", "33%"), ("south", "4", "75%")]}
    assert "the number is the share of s." in classes.html
    spread = target_view(frame, "price", "regression", roles)
    assert panels(spread.html) == {"region": [("north", "6", "15"), ("south", "4", "35")],
                                   "size": [("s", "5", "32"), ("l", "3", "30"),
                                            ("m", "2", "15")]}
    assert spread.columns == ["region", "size"]
    assert "dashed line: median of all rows, 24." in spread.html


def test_bins_are_labelled_with_the_values_they_hold():
    numbers = split_rows(pd.Series([*range(100), None], name="n", dtype="Int64"))
    assert numbers.labels == ["0 – 9", "10 – 19", "20 – 29", "30 – 39", "40 – 49", "50 – 59",
                              "60 – 69", "70 – 79", "80 – 89", "90 – 99", "missing"]
    assert numbers.sizes().tolist() == [10] * 10 + [1]
    days = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(range(100), unit="D"),
                     name="d").astype("datetime64[ms]")
    assert split_rows(days).labels[:2] == ["2023-01-01 – 2023-01-10", "2023-01-11 – 2023-01-20"]
    assert split_rows(days).labels[-1] == "2023-04-01 – 2023-04-10"
    hours = pd.Series(pd.date_range("2024-03-30", periods=60, freq="h", tz="Europe/Berlin"))
    assert split_rows(hours).labels[:2] == ["2024-03-30 00:00 – 2024-03-30 05:00",
                                            "2024-03-30 06:00 – 2024-03-30 11:00"]
    many = split_rows(pd.Series([f"v{i % 12}" for i in range(120)], name="c"))
    assert many.labels[-1] == "other (3 values)" and len(many.labels) == 10


# --- safe to open ---------------------------------------------------------------------------------


def test_names_and_values_reach_the_library_escaped():
    frame = pd.DataFrame({IMG_NAME: [1.0, 2.0], "R&D": ["R&D", CLOSING_VALUE],
                          "y": pd.Series(["a", SCRIPT_NAME], dtype="category")})
    shown, names = for_display(frame, "y", "binary")
    assert list(shown.columns) == [
        "y", "&lt;img src=x onerror=document.title=&#x27;pwned&#x27;&gt;", "R&D"]
    assert names[shown.columns[1]] == IMG_NAME
    # Text that could open markup is escaped; an ampersand alone is shown as it is.
    assert shown["R&D"].tolist() == [
        "R&D", "&lt;/script&gt;&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;"]
    assert list(shown["y"].cat.categories) == [
        "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;", "a"]


def test_the_policy_runs_only_the_library_scripts(browser, tmp_path):
    """Were some markup to slip through the escaping, the policy would still stop it."""
    page = profile_page(churn_like(), target="churned", task="binary", title="Churn",
                        description="", full=False).html
    bare = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    planted = bare.replace("<div class=\"content\">",
                           f"<div class=\"content\">{SCRIPT_NAME}{IMG_NAME}", 1)
    assert planted != bare
    path = tmp_path / "planted.html"
    path.write_text(with_policy(planted), encoding="utf-8")
    opened = browser.open(path)
    assert opened.title() == "Churn"
    refused = [m for m in browser.console if "Content Security Policy" in m]
    # The planted script, the image's handler and the image's request: all refused.
    assert [m.split(" violates")[0] for m in refused] == [
        "Executing inline script", "Executing inline event handler",
        f"Loading the image '{(tmp_path / 'x').as_uri()}'"], refused
    # The library's own scripts still run: its tabs switch.
    opened.locator("#tab-overview-alerts").click()
    assert opened.locator("#tab-pane-overview-alerts").is_visible()
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', with_policy(bare))[1]
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    assert policy.count("'sha256-") == 2
    assert policy.endswith("style-src 'unsafe-inline'; img-src data:; font-src data:; "
                           "base-uri 'none'; form-action 'none'")


@pytest.mark.parametrize("full", [False, True])
def test_hostile_text_runs_nothing_in_either_mode(browser, tmp_path, full):
    rng = np.random.default_rng(0)
    frame = churn_like(120)
    frame[IMG_NAME] = rng.normal(size=120)
    frame[SCRIPT_NAME] = rng.choice(["a", CLOSING_VALUE, IMG_NAME], 120)
    frame["note"] = REFRESH_VALUE  # a constant: the library writes its value unescaped
    title = f"{PROJECT_NAME}: churned"
    view = target_view(frame, "churned", "binary", {IMG_NAME: "numeric",
                                                    SCRIPT_NAME: "categorical"},
                       positive="yes")
    page = profile_page(frame, target="churned", task="binary", title=title,
                        description=f"{SCRIPT_NAME} & {CLOSING_VALUE}", full=full,
                        sections=(Section("Target against columns", "target-view",
                                          view.html),))
    path = tmp_path / "eda.html"
    path.write_text(page.html, encoding="utf-8")
    opened = browser.open(path)
    browser.ran_nothing_foreign(opened, title)
    assert opened.get_by_text(IMG_NAME, exact=True).count() >= 1  # shown, as text
    assert opened.locator("#target-view").count() == 1


@pytest.mark.slow
def test_eda_html_of_a_hostile_project_runs_nothing(isolated, browser):
    assert scaffold("demo", "--example", "churn", "--no-input").exit_code == 0
    project = isolated / "demo"
    mapping = project / "mvp.yaml"
    raw = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    raw["project"]["name"] = PROJECT_NAME
    mapping.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True),
                       encoding="utf-8")
    data = project / raw["data"]["path"]
    table = pd.read_csv(data)
    table = table.rename(columns={"region": IMG_NAME, "plan": SCRIPT_NAME})
    table["contract"] = table["contract"].astype(object)
    table.loc[table.index[::3], "contract"] = CLOSING_VALUE
    table["note"] = REFRESH_VALUE
    table.to_csv(data, index=False)

    eda = run_project(project, "eda", "--quiet")
    assert eda.returncode == 0, eda.stderr
    opened = browser.open(project / "reports/eda.html")
    browser.ran_nothing_foreign(opened, f"{PROJECT_NAME}: churned (binary), all 5,000 rows")
    assert opened.get_by_text(IMG_NAME, exact=True).count() >= 1
    assert opened.get_by_text(SCRIPT_NAME, exact=True).count() >= 1
    opened.locator("#tab-overview-alerts").click()  # the library's scripts run
    assert opened.locator("#tab-pane-overview-alerts").is_visible()
