"""Shared by the benchmarks: the seeded synthetic table and a wall-time/peak-memory meter."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Run in a fresh interpreter so that each measurement's peak memory is its own. Peak
# memory is the largest sum of resident memory over the command's whole process tree
# (mvpgen runs the project's pipeline in a child process), sampled every 20 ms, and
# never less than the largest single process the kernel saw.
_METER = """
import json, os, resource, subprocess, sys, threading, time

def tree_rss(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            pass
    return total

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
peak = [0]
def sample():
    while child.poll() is None:
        peak[0] = max(peak[0], tree_rss(child.pid))
        time.sleep(0.02)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
out, err = child.communicate()
seconds = time.perf_counter() - start
sampler.join()
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "returncode": child.returncode,
                  "peak_mb": max(peak[0], largest) / 2**20, "stdout": out[-4000:],
                  "stderr": err[-2000:]}))
"""


def synthetic_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """A seeded table of 20 columns: 12 numeric, 6 categorical, a date and a binary target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"num_{i}": rng.normal(size=rows).round(4) for i in range(12)})
    for i in range(6):
        frame[f"cat_{i}"] = rng.choice([f"level_{k}" for k in range(3 + i)], rows)
    frame["event_date"] = (pd.Timestamp("2022-01-01")
                           + pd.to_timedelta(rng.integers(0, 1000, rows), unit="D"))
    score = frame["num_0"] - 0.5 * frame["num_1"] + 0.8 * (frame["cat_0"] == "level_1")
    frame["converted"] = np.where(score + rng.normal(size=rows) > 1.2, "yes", "no")
    return frame


def write_table(rows: int, folder: Path, seed: int = 0) -> Path:
    """Write the table as CSV once per size; later runs reuse it."""
    path = folder / f"synthetic_{rows}.csv"
    if not path.exists():
        synthetic_table(rows, seed).to_csv(path, index=False)
    return path


def write_parquet_dataset(rows: int, folder: Path, *, chunk: int = 1_000_000) -> Path:
    """Write the table as a folder of Parquet files, one chunk at a time, once per size.

    Each chunk is drawn with its own seed, so the table never has to fit in memory.
    """
    dataset = folder / f"synthetic_{rows}_parquet"
    done = folder / f"synthetic_{rows}_parquet.complete"  # beside it: the folder holds data
    if not done.exists():
        dataset.mkdir(exist_ok=True)
        for part, start in enumerate(range(0, rows, chunk)):
            table = synthetic_table(min(chunk, rows - start), seed=part)
            table.to_parquet(dataset / f"part-{part:04d}.parquet", index=False)
        done.touch()
    return dataset


def measure(command: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run ``command``; return its wall time in seconds and its peak memory in MB.

    Raises:
        RuntimeError: when the command fails (its stderr is included).
    """
    out = subprocess.run([sys.executable, "-c", _METER, *command], cwd=cwd, env=env,
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    if result["returncode"] != 0:
        msg = f"{' '.join(command)} failed:\n{result['stderr']}"
        raise RuntimeError(msg)
    return result


def table(rows: list[tuple[str, dict]], reference: str | None = None) -> str:
    """Format measurements side by side, with the ratio to a reference row."""
    base = dict(rows).get(reference) if reference else None
    lines = [f"{'measurement':<48} {'seconds':>9} {'peak MB':>9}"
             + (f" {'x ' + reference:>14}" if base else "")]
    for name, m in rows:
        line = f"{name:<48} {m['seconds']:>9.2f} {m['peak_mb']:>9.0f}"
        if base:
            line += f" {m['seconds'] / base['seconds']:>14.2f}"
        lines.append(line)
    return "\n".join(lines)


BUSINESS = """\
project: {name: Conversion benchmark}
business:
  requirement: Raise trial-to-paid conversions with targeted onboarding calls
  kpi: trial conversion rate
  current: 0.10
  goal: 0.12
"""


def make_project(folder: Path, data: Path) -> Path:
    """Generate (once) a project for the synthetic table with ``mvpgen new``."""
    project = folder / f"project-{data.stem}"
    if not project.exists():
        mapping = folder / "business.yaml"
        mapping.write_text(BUSINESS, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "mvpgen", "new", str(project), "--mapping",
                        str(mapping), "--data", str(data), "--target", "converted",
                        "--metric", "average_precision", "--threshold", "0.5", "--no-input"],
                       check=True, capture_output=True)
    return project


@dataclass(frozen=True)
class Setup:
    """What every benchmark starts from: the table, a project for it, how to run it."""

    rows: int
    folder: Path
    data: Path
    project: Path
    package: str
    env: dict


def setup(description: str) -> Setup:
    """Parse ``--rows`` and ``--folder``, write the table and generate its project once."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "mvpgen-bench")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    data = write_table(args.rows, args.folder)
    project = make_project(args.folder, data)
    package = next(p.name for p in (project / "src").iterdir() if p.is_dir())
    env = {**os.environ, "PYTHONPATH": "src", "TQDM_DISABLE": "1"}
    return Setup(args.rows, args.folder, data, project, package, env)
