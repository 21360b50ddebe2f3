"""Write the baseline's results, and save and load its model without pickle.

The model is saved with skops, whose loader builds only the types it is told to trust,
so opening a model file cannot run code hidden in it. A JSON file beside it records
the columns and library versions the model was trained with.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import write_atomically

if TYPE_CHECKING:
    from .baseline import BaselineRun
    from .config import Mapping

METRICS_FILE = Path("reports/metrics.json")
HOLDOUT_FILE = Path("reports/holdout_predictions.csv")
MODEL_FILE = Path("models/baseline.skops")
MODEL_CARD = Path("models/baseline.json")
REPORT_FILE = Path("reports/baseline.html")
_LIBRARIES = ("scikit-learn", "pandas", "numpy", "skops")
# Besides this project's own functions, the only type skops asks to trust in our
# pipelines: a plain numpy dtype, which holds no code.
_SAFE_TYPES = frozenset({"numpy.dtype"})


class ModelError(ValueError):
    """Raised when the saved model is missing, unreadable or holds an untrusted type."""


def save_run(run: BaselineRun, mapping: Mapping, root: Path) -> list[Path]:
    """Write metrics.json, the holdout predictions and the linear model.

    Returns:
        The files written.
    """
    import skops.io as sio

    from .report import render

    report = render(run, mapping)  # first: a failure here must not leave half the files new
    write_atomically(root / METRICS_FILE, to_json(run.metrics))
    write_atomically(root / REPORT_FILE, report)
    write_atomically(root / HOLDOUT_FILE, run.holdout.to_csv(index=False))
    (root / MODEL_FILE).parent.mkdir(parents=True, exist_ok=True)
    model_bytes = sio.dumps(run.models["linear"])
    temporary = root / MODEL_FILE.with_suffix(".skops.tmp")
    temporary.write_bytes(model_bytes)
    temporary.replace(root / MODEL_FILE)
    card = {
        "model": "linear",
        "task": run.metrics["task"],
        "target": run.metrics["target"],
        "positive_label": run.positive_label,
        "labels": run.labels,
        "decision_threshold": run.metrics["models"]["linear"].get("decision_threshold"),
        "features": run.feature_columns,
        "feature_kinds": run.feature_kinds,
        "id_columns": list(mapping.data.id_columns),
        "trained_rows": run.metrics["split"]["train_rows"],
        "data_fingerprint": mapping.data.sha256,
        "versions": {"python": platform.python_version(),
                     **{name: metadata.version(name) for name in _LIBRARIES}},
    }
    write_atomically(root / MODEL_CARD, to_json(card))
    return [root / p for p in (METRICS_FILE, REPORT_FILE, HOLDOUT_FILE, MODEL_FILE, MODEL_CARD)]


def load_model(root: Path) -> tuple[Any, dict[str, Any]]:
    """Load the saved model and its card, trusting only the types the card lists.

    Raises:
        ModelError: when there is no model yet, or the file holds a type not on the card.
    """
    import skops.io as sio

    path, card_path = root / MODEL_FILE, root / MODEL_CARD
    if not path.exists() or not card_path.exists():
        msg = f"there is no saved model in {path.parent}; run the baseline step first"
        raise ModelError(msg)
    card = json.loads(card_path.read_text(encoding="utf-8"))
    untrusted = sio.get_untrusted_types(file=path)
    own = f"{__package__}."
    unexpected = sorted(t for t in untrusted if not t.startswith(own) and t not in _SAFE_TYPES)
    if unexpected:
        msg = (f"{path} holds types this project never saves ({', '.join(unexpected)}); "
               "refusing to load it; run the baseline step again")
        raise ModelError(msg)
    return sio.load(path, trusted=untrusted), card


def to_json(document: dict[str, Any]) -> str:
    """Return stable, readable JSON: the same results always give the same bytes."""
    return json.dumps(document, indent=2, ensure_ascii=False, default=_plain) + "\n"


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
