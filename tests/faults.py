"""Run ``mvpgen ARGS`` and kill it hard (SIGKILL) at its Nth write point.

A write point is an ``os.fsync`` or an ``os.replace``: where a crash or a power cut
can fall between two files. ``N = 0`` kills nothing and prints how many points the
command passed, so a test can try each one.

The clock the steps stamp their runs with is frozen, so two runs of one step on the
same project write the same reports: a test tells the old files from the new ones by
their digests.

    python tests/faults.py N ARGS...
"""

import datetime
import importlib.abc
import importlib.machinery
import os
import signal
import sys
import types

FROZEN = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


class _Clock(datetime.datetime):
    """A datetime whose ``now`` is always ``FROZEN``."""

    @classmethod
    def now(cls, tz=None):
        return FROZEN.astimezone(tz) if tz is not None else FROZEN.replace(tzinfo=None)


class _Module(types.ModuleType):
    """A stand-in for a module: ``overrides`` first, the real module for the rest."""

    def __init__(self, real: types.ModuleType, **overrides) -> None:
        super().__init__(real.__name__)
        self._real = real
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._real, name)


class _FrozenSteps(importlib.abc.MetaPathFinder):
    """Hand the steps that stamp times a frozen clock as each is imported.

    Only those steps see it; timeouts and every library keep the real clock. A step is
    frozen when it is imported, not before, so a command loads no step it does not run.
    """

    STEPS = ("mvpgen.steps.baseline", "mvpgen.steps.feedback", "mvpgen.steps.review")

    def find_spec(self, name, path, target=None):
        if name not in self.STEPS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            module.dt = _Module(datetime, datetime=_Clock)

        spec.loader.exec_module = exec_module
        return spec


def main() -> None:
    at, args = int(sys.argv[1]), sys.argv[2:]
    passed = 0
    real_replace, real_fsync = os.replace, os.fsync

    def point() -> None:
        nonlocal passed
        passed += 1
        if passed == at:
            os.kill(os.getpid(), signal.SIGKILL)

    def replace(*arguments, **options):
        point()
        return real_replace(*arguments, **options)

    def fsync(*arguments, **options):
        point()
        return real_fsync(*arguments, **options)

    os.replace, os.fsync = replace, fsync
    sys.meta_path.insert(0, _FrozenSteps())
    from mvpgen.cli import main as mvpgen

    try:
        mvpgen(args, prog_name="mvpgen")
    finally:
        if at == 0:
            print(f"write points: {passed}", file=sys.stderr)


if __name__ == "__main__":
    main()
