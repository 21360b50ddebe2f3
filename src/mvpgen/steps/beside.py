"""A step run in a process of its own, beside the steps that run in this one.

``mvpgen run`` profiles the data while the baseline is fitted: the EDA reads nothing
the baseline writes and takes the project's lock only to write its files, so on a
machine with two cores the run takes about as long as its longest branch. The step is
the same ``mvpgen`` command a user runs alone, in a child process: its progress lines
are passed on as they come, and its error line is kept so the run can report it as
its own, naming the step to run again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

# Set for the child: the step whose progress lines it tags ("[eda] Profiling ...").
RUN_STEP_ENV = "_MVPGEN_RUN_STEP"
_ERROR = "Error: "
# What OpenMP, OpenBLAS, MKL and the rest read for their number of threads.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


class StepBeside:
    """``mvpgen -C ROOT STEP ARGS`` running in a child process."""

    def __init__(self, root: Path, step: str, args: list[str], *, tagged: bool,
                 say: Callable[[str], None], threads: int | None = None) -> None:
        """Start the step.

        Args:
            root: the project.
            step: the command's name.
            args: its options.
            tagged: print the step's progress (tagged with its name) rather than nothing.
            say: where the child's lines other than its error go (stderr, as they come).
            threads: how many threads the child's numerical libraries may use.
        """
        self.step, self._tagged = step, tagged
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        if tagged:
            env[RUN_STEP_ENV] = step
        else:
            env.pop(RUN_STEP_ENV, None)
        if threads is not None:
            env |= dict.fromkeys(_THREAD_VARIABLES, str(threads))
        self._child = subprocess.Popen(
            [sys.executable, "-m", "mvpgen", "-C", str(root), step, *args,
             *([] if tagged else ["--quiet"])],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
        self._errors: list[str] = []
        self._reader = threading.Thread(target=self._pump, args=(say,), daemon=True)
        self._reader.start()

    def _pump(self, say: Callable[[str], None]) -> None:
        assert self._child.stderr is not None
        for line in self._child.stderr:
            line = line.rstrip("\n")
            if line.startswith(_ERROR):
                self._errors.append(line.removeprefix(_ERROR))
            elif line.strip():
                say(line)
        if self._tagged and self._child.wait() == 0:  # said as soon as it is true
            say(f"[{self.step}] done")

    def wait(self) -> tuple[int, str | None]:
        """Wait for the step to end; return its exit code and its error, if it failed."""
        code = self._child.wait()
        self._reader.join()
        if self._child.stderr is not None:
            self._child.stderr.close()
        if code == 0:
            return 0, None
        return code, (self._errors[-1] if self._errors
                      else f"it stopped with exit code {code}")
