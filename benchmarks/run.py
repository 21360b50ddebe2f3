"""mvpgen beside the tools it replaces, on seeded tables of 100,000 and 1,000,000 rows.

    python benchmarks/run.py [--sizes 100000 1000000] [--repeat 5] [--folder DIR] [--huge]

Prints one table, then the ratios the targets are stated in. Every command runs in a
fresh process on this machine, in one run: wall time (the median of --repeat runs where
a run takes seconds; of 3 for `mvpgen new --data` and the floor, the two sides of the
ratios; of 1 run where it takes a minute) and peak memory (resident memory summed over
the command's process tree). The tables have 20 columns: 12 numeric, 6
categorical, a date and a yes/no target (see common.py); they are written once to
--folder and reused.

The comparisons:
  start-up      `mvpgen --help` against `cookiecutter --help`
  scaffold      `mvpgen new --no-run` (which also reads and inspects the data) against
                plain `cookiecutter` on the same template
  end to end    `mvpgen new --data` (scaffold, EDA, baseline, review, summary) against
                the floor (read the file, fit one LogisticRegression pipeline) and
                against the profiling library's default report alone
  huge          with --huge, the same table at 20,000,000 rows as a folder of Parquet
                files, end to end out of core, against the 1,000,000-row run

The targets on a 2-core machine: end to end at most 6x the floor at 1,000,000 rows and
8x at 100,000, peak memory under 3 GB at 1,000,000 rows and at 20,000,000, and the
20,000,000-row run under 4x the 1,000,000-row one.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from baseline import FLOOR
from common import BUSINESS, measure, write_parquet_dataset, write_table
from eda import DEFAULT_REPORT

REPO = Path(__file__).resolve().parents[1]
# The targets on a 2-core machine: seconds and MB by (what, rows); None: no target.
TARGETS = {("help", None): (0.1, None), ("end to end", 100_000): (15, None),
           ("end to end", 1_000_000): (45, 3 * 1024),
           ("huge", 20_000_000): (None, 3 * 1024)}
# End to end against the floor, by rows; the huge run against the 1,000,000-row one.
FLOOR_RATIOS = {100_000: 8, 1_000_000: 6}
HUGE_ROWS, HUGE_RATIO = 20_000_000, 4


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


def measurements(sizes: list[int], repeat: int, folder: Path, *,
                 huge: bool = False) -> list[tuple]:
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
        runs = 3  # the ratios are medians of three on both sides: a shared machine is noisy
        ends = [measure(new_command(fresh(scratch, f"e{i}"), data, mapping, "--quiet"))
                for i in range(runs)]
        rows.append(("end to end", "mvpgen new --data", size,
                     {"seconds": statistics.median(r["seconds"] for r in ends),
                      "peak_mb": max(r["peak_mb"] for r in ends), "runs": runs}))
        rows.append(("end to end", "floor: read + one LogisticRegression fit", size,
                     median_of(runs, [sys.executable, "-c", FLOOR, str(data)])))
        rows.append(("end to end", "profiling library, default report alone", size,
                     median_of(1, [sys.executable, "-c", DEFAULT_REPORT, str(data),
                                   str(scratch / "default.html")])))
    if huge:
        dataset = write_parquet_dataset(HUGE_ROWS, folder)
        rows.append(("huge", "mvpgen new --data FOLDER (Parquet)", HUGE_ROWS,
                     measure(new_command(fresh(scratch, "huge"), dataset, mapping, "--quiet"))
                     | {"runs": 1}))
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def ratios(rows: list[tuple]) -> str:
    """Return the ratios the targets are stated in, each with its verdict."""
    by = {(name, size): m for _, name, size, m in rows}
    lines = []
    for size, goal in FLOOR_RATIOS.items():
        end, floor = by.get(("mvpgen new --data", size)), by.get(
            ("floor: read + one LogisticRegression fit", size))
        if end and floor:
            ratio = end["seconds"] / floor["seconds"]
            lines.append(f"end to end / floor at {size:>10,} rows: {ratio:5.1f}x  "
                         f"(goal <= {goal}x: {'met' if ratio <= goal else 'MISSED'})")
    huge, million = by.get(("mvpgen new --data FOLDER (Parquet)", HUGE_ROWS)), by.get(
        ("mvpgen new --data", 1_000_000))
    if huge and million:
        ratio = huge["seconds"] / million["seconds"]
        lines.append(f"{HUGE_ROWS:,} rows / 1,000,000 rows: {ratio:5.1f}x  (goal < {HUGE_RATIO}x: "
                     f"{'met' if ratio < HUGE_RATIO else 'MISSED'})")
    return "\n".join(lines)


def render(rows: list[tuple]) -> str:
    lines = [f"{'what':<11} {'command':<41} {'rows':>9} {'runs':>4} {'seconds':>8} "
             f"{'peak MB':>8}  target"]
    for what, name, size, m in rows:
        key = ("help", None) if name == "mvpgen --help" else (
            (what, size) if name.startswith("mvpgen new --data") else None)
        target = TARGETS.get(key) if key else None
        verdict = ""
        if target:
            seconds, megabytes = target
            met = ((seconds is None or m["seconds"] < seconds)
                   and (megabytes is None or m["peak_mb"] < megabytes))
            verdict = ", ".join(([f"< {seconds:g} s"] if seconds else [])
                                + ([f"< {megabytes:,} MB"] if megabytes else []))
            verdict += ": met" if met else ": MISSED"
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
    parser.add_argument("--huge", action="store_true",
                        help="also run 20,000,000 rows of Parquet end to end (about 3 GB "
                             "of disk for the table; minutes)")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    rows = measurements(args.sizes, args.repeat, args.folder, huge=args.huge)
    print(render(rows))
    print()
    print(ratios(rows))


if __name__ == "__main__":
    main()
