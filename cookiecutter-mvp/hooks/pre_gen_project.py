"""Refuse a package name that cannot be imported or would shadow a module it needs.

mvpgen chooses safe names itself; this guards plain ``cookiecutter`` use, where the
package name is typed in. A message and exit code 1 make cookiecutter stop cleanly.
"""

import keyword
import sys

package = "{{ cookiecutter.package_name }}"
taken = set(sys.stdlib_module_names) | {
    "click", "conftest", "data_profiling", "matplotlib", "numpy", "pandas", "pyarrow",
    "pytest", "scipy", "sklearn", "src", "tests", "yaml",
}
if not package.isidentifier() or keyword.iskeyword(package) or package in taken:
    print(f"ERROR: package_name '{package}' is not usable: it must be a Python identifier "
          "that starts with a letter and is not a keyword, a standard module or a "
          "dependency; answer package_name with another, e.g. my_project", file=sys.stderr)
    sys.exit(1)
