"""Take the README's screenshots of the churn example's pages in headless Chromium.

    python docs/screenshots.py [--chromium /usr/bin/chromium]

Makes the churn example in a temporary folder (``mvpgen new --example churn``), then
saves the baseline report (whole page), the review page and the top of the EDA report
into docs/. Needs mvpgen installed with its test extra (Playwright drives the browser).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
# (page, picture, viewport height, the whole page or the first screen)
SHOTS = (("baseline.html", "baseline.png", 1000, True),
         ("review.html", "review.png", 1000, False),
         ("eda.html", "eda.png", 3400, False))


def main() -> int:
    """Make the example, take each picture, and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "mvpgen", "new", "churn-demo", "--example",
                        "churn", "--no-input", "--quiet"], cwd=folder, check=True)
        reports = Path(folder) / "churn-demo/reports"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=FLAGS)
            for page_name, picture, height, whole in SHOTS:
                page = browser.new_page(viewport={"width": 1280, "height": height})
                page.goto((reports / page_name).as_uri())
                page.wait_for_load_state("load")
                page.screenshot(path=str(DOCS / picture), full_page=whole)
                print(f"wrote docs/{picture}")
                page.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
