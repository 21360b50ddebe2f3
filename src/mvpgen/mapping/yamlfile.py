"""Read YAML the way people write it, and safely.

PyYAML follows YAML 1.1, where ``yes`` and ``no`` are booleans (so ``positive_label:
yes`` would mean ``True``) and ``7e-1`` is text. This loader follows YAML 1.2 for
those scalars, refuses a key given twice (the second would silently win), and, being
a SafeLoader, never builds Python objects from tags.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = "tag:yaml.org,2002:bool"
_FLOAT = "tag:yaml.org,2002:float"


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader with YAML 1.2 booleans and numbers, refusing duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that appears twice."""
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                msg = f"the key '{key}' appears twice; keep one"
                raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
StrictLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
                   |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))
# A bare number like 7 is matched by the int resolver first, as before.


def load_yaml(text: str) -> Any:
    """Parse YAML text with :class:`StrictLoader`.

    Raises:
        yaml.YAMLError: for malformed YAML, a duplicate key or a disallowed tag.
        ValueError: for a value YAML accepts but Python cannot build (e.g. 2027-02-30).
    """
    return yaml.load(text, Loader=StrictLoader)
