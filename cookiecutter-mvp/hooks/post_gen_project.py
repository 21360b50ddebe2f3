"""Fill the README's and the checklist's mapping blocks from the new mvp.yaml.

The project's own code does the work (``python -m <package> refresh``), so a project
made by plain ``cookiecutter`` is the same as one made by ``mvpgen new``.
"""

import os
import subprocess
import sys
from pathlib import Path

package = next(p.name for p in Path("src").iterdir() if (p / "__main__.py").is_file())
env = {**os.environ, "PYTHONPATH": "src"}
subprocess.run([sys.executable, "-m", package, "refresh"], check=True, env=env,
               stdout=subprocess.DEVNULL)
