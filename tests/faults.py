"""Run ``mvpgen ARGS`` and kill it hard (SIGKILL) at its Nth write point.

A write point is an ``os.fsync`` or an ``os.replace``: where a crash or a power cut
can fall between two files. ``N = 0`` kills nothing and prints how many points the
command passed, so a test can try each one.

    python tests/faults.py N ARGS...
"""

import os
import signal
import sys


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
    from mvpgen.cli import main as mvpgen

    try:
        mvpgen(args, prog_name="mvpgen")
    finally:
        if at == 0:
            print(f"write points: {passed}", file=sys.stderr)


if __name__ == "__main__":
    main()
