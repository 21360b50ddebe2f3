"""Run a freshly generated project's own pipeline, showing where it is.

mvpgen runs the project's ``run`` command (what ``make all`` runs) in a child process,
so the steps have the machine's memory to themselves, and follows the progress lines
the steps print (``[baseline] Fitting on ... rows ...``). In a terminal one status
line is redrawn with the step and the elapsed time; elsewhere each line is printed
as it comes; under ``--quiet`` nothing is.
"""

from __future__ import annotations

import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mvpgen.errors import MvpgenError
from mvpgen.words import printable

_PROGRESS = re.compile(r"^\[(\w+)\] (.*?)(?: \.\.\.)?$")
TICK_SECONDS = 0.2


class StepError(MvpgenError):
    """Raised when a step of the generated project's pipeline fails; the project is kept."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class PipelineResult:
    """What the pipeline printed as its summary, and how long each step took."""

    summary: str
    seconds: dict[str, float]


def run_pipeline(project: Path, *, eda: str = "quick", quiet: bool = False,
                 out: IO[str] | None = None) -> PipelineResult:
    """Run ``mvpgen run`` in ``project`` and follow its progress.

    Raises:
        StepError: naming the step that failed, its own message, and how to re-run it.
    """
    out = out or sys.stderr
    steps = (["eda"] if eda != "off" else []) + ["baseline", "review"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "mvpgen", "run", "--eda", eda],
                             cwd=project, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             encoding="utf-8", errors="replace")
    lines: queue.Queue[str | None] = queue.Queue()
    stdout: list[str] = []
    readers = [threading.Thread(target=_pump, args=(child.stderr, lines.put, True),
                                daemon=True),
               threading.Thread(target=_pump, args=(child.stdout, stdout.append, False),
                                daemon=True)]
    for reader in readers:
        reader.start()
    display = _Display(out, steps, quiet=quiet)
    errors: list[str] = []
    while True:
        try:
            line = lines.get(timeout=TICK_SECONDS)
        except queue.Empty:
            display.tick()
            continue
        if line is None:
            break
        match = _PROGRESS.match(line)
        if match:
            display.show(match.group(1), match.group(2))
        elif line.startswith("Error: "):
            errors.append(line.removeprefix("Error: "))
        elif line.strip():
            display.note(line)
    code = child.wait()
    for reader in readers:
        reader.join()
    for stream in (child.stdout, child.stderr):
        if stream is not None:
            stream.close()
    display.finish(failed=code != 0)
    if code != 0:
        raise StepError(_failure(project, display.step, errors, code), code)
    seconds = display.seconds | {"total": round(time.perf_counter() - started, 2)}
    return PipelineResult("\n".join(stdout), seconds)


def _pump(stream: IO[str] | None, put: Callable[[str | None], None], signal_end: bool) -> None:
    """Copy a child's stream line by line; then, if asked, None to say it has ended."""
    for line in stream or ():
        put(line.rstrip("\n"))
    if signal_end:
        put(None)


_STEP_FAILED = re.compile(r"^the (\w+) step failed(?: \(above\))?(?:: (.*?))?; once fixed",
                          re.DOTALL)


def _failure(project: Path, step: str | None, errors: list[str], code: int) -> str:
    """Return one line: which step failed, its own message, and how to run it again."""
    problem = None
    for error in errors:
        match = _STEP_FAILED.match(error)
        if match:
            step = match.group(1)
            problem = problem or match.group(2)
        else:
            problem = problem or error
    problem = problem or f"it stopped with exit code {code}"
    folder = shlex.quote(str(_shown(project)))
    where = f"the {step} step" if step else "the pipeline"
    rerun = f"mvpgen {step}" if step else "mvpgen run"
    return (f"{where} failed: {problem} — the project is kept in {folder}; once fixed, "
            f"run `cd {folder} && {rerun}`" + (" then `mvpgen run`" if step else ""))


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


class _Display:
    """Where the pipeline is: a redrawn status line in a terminal, plain lines elsewhere.

    Steps may overlap (the EDA runs beside the baseline): each is open from its first
    progress line to its ``done`` line, and the status line shows every open one.
    """

    def __init__(self, out: IO[str], steps: list[str], *, quiet: bool) -> None:
        self.out, self.steps, self.quiet = out, steps, quiet
        self.live = not quiet and out.isatty()
        self.step: str | None = None  # the step heard from last
        self.running: dict[str, tuple[float, str]] = {}  # step -> (started, message)
        self.seconds: dict[str, float] = {}

    def show(self, step: str, message: str) -> None:
        self.step = step
        if message == "done":
            self._close(step)
            return
        started = self.running.get(step, (time.perf_counter(), ""))[0]
        self.running[step] = (started, message)
        if self.live:
            self.tick()
        elif not self.quiet:
            print(printable(f"{step}: {message}"), file=self.out, flush=True)

    def note(self, line: str) -> None:
        """A line that is not progress (a warning of a library, say): pass it on."""
        if not self.quiet:
            self._clear()
            print(printable(line), file=self.out, flush=True)

    def tick(self) -> None:
        if not self.live or not self.running:
            return
        now = time.perf_counter()
        parts = []
        for step, (started, message) in self.running.items():
            number = self.steps.index(step) + 1 if step in self.steps else 0
            parts.append(f"[{number}/{len(self.steps)}] {step}: {message} "
                         f"({now - started:.0f} s)")
        text = printable(" · ".join(parts), keep="")
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.out.write("\r\x1b[K" + text[:width])
        self.out.flush()

    def finish(self, *, failed: bool) -> None:
        if failed:
            self._clear()
            return
        for step in list(self.running):
            self._close(step)

    def _close(self, step: str) -> None:
        if step not in self.running:
            return
        started, _ = self.running.pop(step)
        seconds = round(time.perf_counter() - started, 2)
        self.seconds[step] = seconds
        if self.live:
            self._clear()
        if not self.quiet:
            print(f"{step} done in {seconds:.1f} s", file=self.out, flush=True)
        if self.live:
            self.tick()

    def _clear(self) -> None:
        if self.live:
            self.out.write("\r\x1b[K")
            self.out.flush()
