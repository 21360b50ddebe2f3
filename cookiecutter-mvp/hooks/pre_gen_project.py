"""Refuse a package name that cannot be imported or would shadow a module it needs.

mvpgen chooses safe names itself (and runs no hooks); this guards plain ``cookiecutter``
use, where the package name is typed in. The rule is mvpgen's own, when mvpgen is
installed beside cookiecutter (it has to be, for the project to run).
"""

import keyword
import sys

package = "{{ cookiecutter.package_name }}"
try:
    from mvpgen.generator.naming import package_problem
except ImportError:  # mvpgen is not installed here: the basic rule only
    def package_problem(name: str) -> str | None:
        """Return why ``name`` cannot be the package, or None."""
        ok = name.isidentifier() and not keyword.iskeyword(name)
        return None if ok else "it must be a Python identifier that is not a keyword"

problem = package_problem(package)
if problem:
    print(f"ERROR: package_name '{package}' is not usable: {problem}; answer package_name "
          "with another, e.g. my_project", file=sys.stderr)
    sys.exit(1)
