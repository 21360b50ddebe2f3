"""Finish a new project: drop copied bytecode, fill the mapping blocks from mvp.yaml.

The project's own code fills the blocks (``python -m <package> refresh``), so a project
made by plain ``cookiecutter`` is the same as one made by ``mvpgen new``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

# An installed template carries the __pycache__ folders pip compiled; a project must not.
for cache in list(Path().rglob("__pycache__")):
    shutil.rmtree(cache)

package = next(p.name for p in Path("src").iterdir() if (p / "__main__.py").is_file())
env = {**os.environ, "PYTHONPATH": "src", "PYTHONDONTWRITEBYTECODE": "1"}
subprocess.run([sys.executable, "-m", package, "refresh"], check=True, env=env,
               stdout=subprocess.DEVNULL)
