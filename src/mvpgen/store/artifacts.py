"""Save and load the project's model without pickle, and only the model this project wrote.

The model is saved with skops, whose loader builds only the types it is told to trust.
What it is told to trust is exact: the card beside the model (``models/model.json``)
lists the types the save produced and the file's SHA-256. A model file loads only if
its bytes are the ones the card names, every type it asks for is on the card, and each
of those is a class (skops calls functions it is allowed to load; mvpgen allows none).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from mvpgen.errors import ModelError

LIBRARIES = ("scikit-learn", "pandas", "numpy", "skops")
MAX_MODEL_BYTES = 512 * 1024 * 1024
# Packages whose modules may be imported to check that a name is a class: the
# libraries a model is made of. Other modules are checked only when already loaded.
_IMPORTABLE = ("sklearn", "numpy", "scipy", "pandas", "mvpgen")


def model_bytes(model: Any) -> tuple[bytes, list[str]]:
    """Return a model's skops bytes and the types loading them needs to trust.

    Raises:
        ModelError: when the model holds a function (e.g. a FunctionTransformer's),
            which mvpgen will not let skops call when loading.
    """
    import skops.io as sio

    data = sio.dumps(model)
    types = sorted(sio.get_untrusted_types(data=data))
    functions = [name for name in types if not _is_class(name, extra=())]
    if functions:
        msg = (f"the model holds {', '.join(functions)}, which is not a class: loading it would "
               "mean letting skops call it; wrap that step in a small transformer class in "
               "features.py or models.py")
        raise ModelError(msg)
    return data, types


def card_entries(data: bytes, types: list[str]) -> dict[str, Any]:
    """Return what the card records about the model file: its hash, its types, versions."""
    return {"model_sha256": hashlib.sha256(data).hexdigest(), "trusted_types": types,
            "versions": {"python": platform.python_version(),
                         **{name: metadata.version(name) for name in LIBRARIES}}}


def load_model(model_path: Path, card_path: Path,
               package: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Load the saved model and its card, trusting exactly the types the card lists.

    Raises:
        ModelError: when there is no model yet, the card or the model is damaged, the
            model is not the file the card describes, or it asks for anything else.
    """
    import skops.io as sio

    if not model_path.is_file() or not card_path.is_file():
        msg = f"there is no saved model in {model_path.parent}; run the baseline step first"
        raise ModelError(msg)
    card = read_card(card_path)
    if model_path.stat().st_size > MAX_MODEL_BYTES:
        msg = f"{model_path} is larger than any model this project saves; run the baseline again"
        raise ModelError(msg)
    data = model_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != card.get("model_sha256"):
        msg = (f"{model_path} is not the file this project's baseline wrote (its SHA-256 "
               f"differs from the one in {card_path.name}); refusing to load it; run the "
               "baseline step again")
        raise ModelError(msg)
    allowed = card.get("trusted_types")
    if not isinstance(allowed, list) or not all(isinstance(t, str) for t in allowed):
        msg = f"{card_path} lists no trusted types; run the baseline step again"
        raise ModelError(msg)
    try:
        asked = sio.get_untrusted_types(data=data)
    except Exception as err:  # skops raises many kinds on a damaged file
        msg = f"{model_path} cannot be read as a model ({err}); run the baseline step again"
        raise ModelError(msg) from err
    extra = (package,) if package else ()
    refused = sorted(t for t in asked if t not in allowed or not _is_class(t, extra=extra))
    if refused:
        msg = (f"{model_path} asks to load {', '.join(refused)}, which this project never "
               "saves; refusing to load it; run the baseline step again")
        raise ModelError(msg)
    try:
        model = sio.loads(data, trusted=sorted(asked))
    except Exception as err:  # a truncated or hand-made file
        msg = f"{model_path} cannot be loaded ({type(err).__name__}); run the baseline again"
        raise ModelError(msg) from err
    _check_fits(card, model, card_path)
    return model, card


def read_card(path: Path) -> dict[str, Any]:
    """Return the model card.

    Raises:
        ModelError: when it is not the JSON document this project writes.
    """
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        msg = f"{path} is damaged ({type(err).__name__}); run the baseline step again"
        raise ModelError(msg) from err
    needed = ("task", "features", "feature_kinds", "model_sha256")
    if not isinstance(card, dict) or any(k not in card for k in needed):
        msg = f"{path} is not a model card of this mvpgen; run the baseline step again"
        raise ModelError(msg)
    problem = _card_problem(card)
    if problem:
        msg = f"{path} is damaged or was edited by hand ({problem}); run the baseline step again"
        raise ModelError(msg)
    return card


# What each entry of a card holds, as the baseline writes it (the readers rely on it).
_NUMBER = (int, float)
_CARD = {"task": str, "target": str, "model_sha256": str, "contender": (str, type(None)),
         "decision_threshold": (*_NUMBER, type(None)), "features": list,
         "feature_kinds": dict, "categories": dict, "ranges": dict, "id_columns": list,
         "labels": list, "versions": dict, "trusted_types": list}


def _card_problem(card: dict[str, Any]) -> str | None:
    """Return the first entry of a card that is not what the baseline writes, or None."""
    for key, kinds in _CARD.items():
        if key in card and not isinstance(card[key], kinds):
            return f"{key} holds {type(card[key]).__name__}"
    if card["task"] not in ("binary", "multiclass", "regression"):
        return f"task is {card['task']!r}"
    if not card["features"] or not all(isinstance(c, str) for c in card["features"]):
        return "features is not a list of column names"
    if not all(isinstance(c, str) for c in card.get("id_columns", [])):
        return "id_columns is not a list of column names"
    for name, seen in card.get("categories", {}).items():
        if not isinstance(seen, list):
            return f"categories.{name} is not a list"
    for name, bounds in card.get("ranges", {}).items():
        if not (isinstance(bounds, list) and len(bounds) == 2
                and all(isinstance(b, _NUMBER) for b in bounds)):
            return f"ranges.{name} is not [low, high]"
    versions = card.get("versions", {})
    if not all(k in ("python", *LIBRARIES) and isinstance(v, str) for k, v in versions.items()):
        return "versions names something other than python and " + ", ".join(LIBRARIES)
    if card["task"] == "binary" and card.get("positive_label") not in card.get("labels", []):
        return "positive_label is not one of labels"
    return None


def _check_fits(card: dict[str, Any], model: Any, path: Path) -> None:
    """Refuse a card that describes another model than the one it stands beside."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None and [str(n) for n in names] != card["features"]:
        problem = "its features are not the model's"
    elif card["task"] == "regression" or not hasattr(model, "classes_"):
        problem = None
    elif [str(c) for c in model.classes_] != [str(c) for c in card.get("labels", [])]:
        problem = "its labels are not the model's classes"
    elif card["task"] == "binary" and card.get("positive_label") not in list(model.classes_):
        problem = "its positive_label is not one of the model's classes"
    else:
        problem = None
    if problem:
        msg = f"{path} does not describe the saved model ({problem}); run the baseline step again"
        raise ModelError(msg)


def _is_class(name: str, *, extra: tuple[str, ...]) -> bool:
    """Return whether a dotted name is a class (never calling or importing anything odd).

    Modules of the libraries a model is made of may be imported to look; any other
    module must already be loaded (the project's own package is, by the steps).
    """
    module_name, _, attribute = name.rpartition(".")
    if not module_name or not attribute:
        return False
    top = module_name.split(".")[0]
    module = sys.modules.get(module_name)
    if module is None and top in (*_IMPORTABLE, *extra):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return False
    obj = getattr(module, attribute, None) if module is not None else None
    return isinstance(obj, type)


def to_json(document: dict[str, Any]) -> str:
    """Return stable, readable JSON: the same results always give the same bytes.

    NaN and infinity become null (JSON has neither).
    """
    return json.dumps(_finite(document), indent=2, ensure_ascii=False, default=_plain,
                      allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
