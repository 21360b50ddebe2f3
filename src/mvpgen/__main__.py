"""Allow ``python -m mvpgen``."""

from mvpgen.cli import main

main()
