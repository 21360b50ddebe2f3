"""The bundled examples: what each one is about, for ``mvpgen examples``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mvpgen.generator.template import examples_dir


@dataclass(frozen=True)
class Example:
    """One bundled example: its name, task, business requirement and data size."""

    name: str
    task: str
    title: str
    requirement: str
    rows: int


def list_examples(folder: Path | None = None) -> list[Example]:
    """Return the bundled examples, by name."""
    import yaml

    found = []
    for mapping_file in sorted((folder or examples_dir()).glob("*/mvp.yaml")):
        raw = yaml.safe_load(mapping_file.read_text(encoding="utf-8"))
        data = mapping_file.parent / raw["data"]["path"]
        with data.open("rb") as handle:
            rows = sum(1 for _ in handle) - 1  # the header
        found.append(Example(mapping_file.parent.name, raw["technical"]["task"],
                             raw["project"]["name"], raw["business"]["requirement"], rows))
    return found
