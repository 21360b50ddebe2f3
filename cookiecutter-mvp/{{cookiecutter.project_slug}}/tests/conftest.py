"""Shared fixtures: the project root, its mapping, and its package's modules."""

import importlib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# The one package under src/ (its name is the project's; finding it keeps tests generic).
PACKAGE = next(p.name for p in (ROOT / "src").iterdir() if (p / "__main__.py").is_file())


def module(name: str) -> ModuleType:
    """Import ``<package>.<name>``."""
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def mapping_file() -> Path:
    return ROOT / "mvp.yaml"


@pytest.fixture
def raw_mapping(mapping_file: Path) -> dict:
    return yaml.safe_load(mapping_file.read_text(encoding="utf-8"))
