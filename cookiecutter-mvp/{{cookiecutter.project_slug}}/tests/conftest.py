"""Shared fixtures: the project root, its mapping, its package's modules, a small project."""

import importlib
import shutil
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
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


def synthetic_customers(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    """A seeded table with a planted identifier and a planted leak of the target."""
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=rows)
    churned = np.where(usage + rng.normal(scale=0.8, size=rows) < -0.3, "yes", "no")
    return pd.DataFrame({
        "customer_id": [f"C{100000 + i}" for i in range(rows)],
        "signup": pd.date_range("2024-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
        "plan": rng.choice(["basic", "plus", "pro"], rows),
        "usage": usage.round(3),
        "refund_reason": np.where(churned == "yes", "price", None),  # known only afterwards
        "churned": churned,
    })


def make_small_project(folder: Path, rows: int = 400) -> Path:
    """Write a copy of this project's documents with its own small data and mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("README.md", "CHECKLIST.md"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "data/raw").mkdir(parents=True)
    synthetic_customers(rows).to_csv(folder / "data/raw/customers.csv", index=False)
    mapping = {
        "project": {"name": "Small churn"},
        "business": {"requirement": "Keep customers", "kpi": "churn", "current": 0.3,
                     "goal": 0.2},
        "technical": {"task": "binary", "target": "churned", "positive_label": "yes",
                      "metric": "roc_auc", "threshold": 0.7},
        "data": {"path": "data/raw/customers.csv", "id_columns": ["customer_id"]},
    }
    (folder / "mvp.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False),
                                     encoding="utf-8")
    return folder


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A copy of this project's documents with its own small data and mapping."""
    return make_small_project(tmp_path)
