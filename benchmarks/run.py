"""mvpgen beside the tools it replaces, on seeded tables of 100,000 and 1,000,000 rows.

    python benchmarks/run.py [--sizes 100000 1000000] [--repeat 5] [--folder DIR]

Prints one table. Every command runs in a fresh process on this machine, in one run:
wall time (the median of --repeat runs where a run takes seconds, of 1 run where it
takes a minute) and peak memory (resident memory summed over the command's process
tree). The tables have 20 columns: 12 numeric, 6 categorical, a date and a yes/no
target (see common.py); they are written once to --folder and reused.

The comparisons:
  start-up      `mvpgen --help` against `cookiecutter --help`
  scaffold      `mvpgen new --no-run` (which also reads and inspects the data) against
                plain `cookiecutter` on the same template
  end to end    `mvpgen new --data` (scaffold, EDA, baseline, review, summary) against
                the floor (read the file, fit one LogisticRegression pipeline) and
                against the profiling library's default report alone
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from baseline import FLOOR
from common import BUSINESS, measure, write_table
from eda import DEFAULT_REPORT

REPO = Path(__file__).resolve().parents[1]
# The targets on a 2-core machine: seconds and MB by (what, rows); None: no target.
TARGETS = {("help", None): (0.1, None), ("end to end", 100_000): (15, None),
           ("end to end", 1_000_000): (45, 3 * 1024)}


def script(name: str) -> str:
    """Return the console script beside this Python (the one a user would type)."""
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else shutil.which(name) or name


def median_of(runs: int, command: list[str], **where: object) -> dict:
    results = [measure(command, **where) for _ in range(runs)]
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "peak_mb": max(r["peak_mb"] for r in results), "runs": runs}


def new_command(folder: Path, data: Path, mapping: Path, *extra: str) -> list[str]:
    return [script("mvpgen"), "new", str(folder), "--mapping", str(mapping), "--data",
            str(data), "--target", "converted", "--metric", "average_precision",
            "--threshold", "0.5", "--no-input", *extra]


def fresh(scratch: Path, name: str) -> Path:
    folder = scratch / name
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def measurements(sizes: list[int], repeat: int, folder: Path) -> list[tuple]:
    scratch = Path(tempfile.mkdtemp(prefix="mvpgen-bench-"))
    mapping = scratch / "business.yaml"
    mapping.write_text(BUSINESS, encoding="utf-8")
    rows: list[tuple] = [
        ("start-up", "mvpgen --help", None, median_of(repeat, [script("mvpgen"), "--help"])),
        ("start-up", "cookiecutter --help", None,
         median_of(repeat, [script("cookiecutter"), "--help"])),
        ("scaffold", "cookiecutter, plain (template only)", None,
         median_of(repeat, [script("cookiecutter"), str(REPO / "cookiecutter-mvp"),
                            "--no-input", "-f", "-o", str(scratch / "plain")])),
    ]
    for size in sizes:
        data = write_table(size, folder)
        big = size >= 1_000_000
        scaffolds = [measure(new_command(fresh(scratch, f"s{i}"), data, mapping, "--no-run"))
                     for i in range(1 if big else repeat)]
        rows.append(("scaffold", "mvpgen new --no-run (reads the data)", size,
                     {"seconds": statistics.median(r["seconds"] for r in scaffolds),
                      "peak_mb": max(r["peak_mb"] for r in scaffolds),
                      "runs": len(scaffolds)}))
        runs = 1 if big else 3
        ends = [measure(new_command(fresh(scratch, f"e{i}"), data, mapping, "--quiet"))
                for i in range(runs)]
        rows.append(("end to end", "mvpgen new --data", size,
                     {"seconds": statistics.median(r["seconds"] for r in ends),
                      "peak_mb": max(r["peak_mb"] for r in ends), "runs": runs}))
        rows.append(("end to end", "floor: read + one LogisticRegression fit", size,
                     median_of(1 if big else 3, [sys.executable, "-c", FLOOR, str(data)])))
        rows.append(("end to end", "profiling library, default report alone", size,
                     median_of(1, [sys.executable, "-c", DEFAULT_REPORT, str(data),
                                   str(scratch / "default.html")])))
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def render(rows: list[tuple]) -> str:
    lines = [f"{'what':<11} {'command':<41} {'rows':>9} {'runs':>4} {'seconds':>8} "
             f"{'peak MB':>8}  target"]
    for what, name, size, m in rows:
        key = ("help", None) if name == "mvpgen --help" else (
            (what, size) if name == "mvpgen new --data" else None)
        target = TARGETS.get(key) if key else None
        verdict = ""
        if target:
            seconds, megabytes = target
            met = m["seconds"] < seconds and (megabytes is None or m["peak_mb"] < megabytes)
            verdict = (f"< {seconds:g} s" + (f", < {megabytes:,} MB" if megabytes else "")
                       + (": met" if met else ": MISSED"))
        shown = f"{size:,}" if size else "-"
        lines.append(f"{what:<11} {name:<41} {shown:>9} {m['runs']:>4} {m['seconds']:>8.2f} "
                     f"{m['peak_mb']:>8.0f}  {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "mvpgen-bench")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    print(render(measurements(args.sizes, args.repeat, args.folder)))


if __name__ == "__main__":
    main()
