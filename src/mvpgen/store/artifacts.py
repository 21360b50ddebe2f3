"""Save and load the project's model without pickle, and only the model this project wrote.

The model is saved with skops, whose loader builds only the types it is told to trust.
The card beside the model (``models/model.json``) records the file's SHA-256 and the
types the save produced, but a card can be written by whoever writes the model, so what
skops is told to trust comes from this code: scikit-learn's estimators and the parts of
fitted models, numpy and scipy arrays, mvpgen's transformers, and the estimator classes
the project's own package defines. skops calls the types it loads (a function with the
file's arguments, a class's constructor too), so anything else is refused, whatever the
card lists. A model file loads only if its bytes are the ones the card names and every
type it asks for is on the card and trusted here.
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
# Libraries whose modules may be imported to look a type's name up.
_LIBRARIES = ("sklearn", "numpy", "scipy")
# mvpgen's modules that define the transformers and rules a baseline saves.
_MVPGEN_MODULES = ("mvpgen.features", "mvpgen.rules")
# The modules of the project's package the steps import themselves; any other module of
# the package counts only once they have imported it.
_PACKAGE_MODULES = ("features", "models")
# Parts of a library's test helpers and vendored code: never imported to look a name up,
# and none of their classes trusted (scikit-learn's test helpers write files).
_NOT_MODEL_CODE = frozenset({"tests", "testing", "_testing", "_mocking", "estimator_checks",
                             "externals", "conftest", "__main__", "_pytesttester", "f2py",
                             "distutils"})
# Parts of fitted scikit-learn models that are not estimators themselves: the trees of
# forests and boosting, neighbour search trees, a network's optimiser, a calibrated
# classifier's calibrations, the Bunch that holds a stack's or a vote's estimators.
_SKLEARN_PARTS = frozenset({
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.utils._bunch.Bunch",
})


def model_bytes(model: Any, package: str | None = None) -> tuple[bytes, list[str]]:
    """Return a model's skops bytes and the types loading them needs to trust.

    Args:
        model: the fitted model.
        package: the project's package; by default a class from outside the libraries
            is taken to be the project's own.

    Raises:
        ModelError: when the model holds a function (e.g. a FunctionTransformer's),
            which mvpgen will not let skops call when loading, or a class
            ``load_model`` would refuse.
    """
    import skops.io as sio

    data = sio.dumps(model)
    types = sorted(sio.get_untrusted_types(data=data))
    functions = [name for name in types if _resolve(name, package=None) is None]
    if functions:
        msg = (f"the model holds {', '.join(functions)}, which is not a class: loading it would "
               "mean letting skops call it; wrap that step in a small transformer class in "
               "features.py or models.py")
        raise ModelError(msg)
    # Refused now, not when the model is loaded back.
    others = [name for name in types
              if not _trusted(name, package=package or _owner(name))]
    if others:
        msg = (f"the model holds {', '.join(others)}, a class mvpgen does not load back (it "
               "loads scikit-learn's estimators, numpy and scipy arrays, mvpgen's transformers "
               "and the project's own estimator classes); make that step a scikit-learn "
               "estimator class (a subclass of BaseEstimator) in features.py or models.py")
        raise ModelError(msg)
    return data, types


def card_entries(data: bytes, types: list[str]) -> dict[str, Any]:
    """Return what the card records about the model file: its hash, its types, versions."""
    return {"model_sha256": hashlib.sha256(data).hexdigest(), "trusted_types": types,
            "versions": {"python": platform.python_version(),
                         **{name: metadata.version(name) for name in LIBRARIES}}}


def load_model(model_path: Path, card_path: Path,
               package: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Load the saved model and its card, trusting the types the card lists that mvpgen trusts.

    Args:
        model_path: the model file (``models/model.skops``).
        card_path: its card (``models/model.json``).
        package: the project's package, whose estimator classes a model may hold.

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
    # The card only narrows what loads: what may load at all is decided here.
    refused = sorted(t for t in asked if t not in allowed or not _trusted(t, package=package))
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


def _trusted(name: str, *, package: str | None) -> bool:
    """Return whether skops may build the type ``name`` when loading a model.

    Trusted are: scikit-learn's estimators and the parts of fitted models; numpy's array,
    dtype, scalar and random generator types (not its other arrays: a memmap writes a
    file); scipy's sparse matrices; mvpgen's transformers and rules; and estimator
    classes that ``package`` itself defines.
    """
    cls = _resolve(name, package=package)
    if cls is None or not _NOT_MODEL_CODE.isdisjoint(cls.__module__.split(".")):
        return False
    top = cls.__module__.split(".")[0]
    if top == "sklearn":
        return _is_estimator(cls) or name in _SKLEARN_PARTS or _is_distance(cls)
    if top == "numpy":
        return _is_numpy_type(cls)
    if top == "scipy":
        return _is_sparse(cls)
    if top == "mvpgen":
        return cls.__module__ in _MVPGEN_MODULES and _is_estimator(cls)
    return top == package and _is_estimator(cls)


def _resolve(name: str, *, package: str | None) -> type | None:
    """Return the class a dotted name stands for, or None when it names no class.

    The name must be the class's own (where it is defined, not where it is imported),
    and no odd module is imported to look: only the libraries' modules (not their tests),
    mvpgen's model modules and the package's features and models; any other module
    counts only when it is loaded already.
    """
    module_name, _, attribute = name.rpartition(".")
    if not module_name or not attribute:
        return None
    module = sys.modules.get(module_name)
    if module is None and package is not None and module_name.split(".")[0] == package:
        # The package's other modules are loaded by its features and models, as a step does.
        _import_quietly(*(f"{package}.{m}" for m in _PACKAGE_MODULES))
        module = sys.modules.get(module_name)
    if module is None and _importable(module_name, package=package):
        module = _import_quietly(module_name)
    cls = getattr(module, attribute, None) if module is not None else None
    if not isinstance(cls, type) or f"{cls.__module__}.{cls.__qualname__}" != name:
        return None
    return cls


def _import_quietly(*names: str) -> Any:
    """Import modules; return the last one, or None when it cannot be imported."""
    module = None
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            module = None
    return module


def _importable(module_name: str, *, package: str | None) -> bool:
    """Return whether a module may be imported to look a name of a model file up."""
    if not _NOT_MODEL_CODE.isdisjoint(module_name.split(".")):
        return False
    if module_name.split(".")[0] in _LIBRARIES:
        return True
    if module_name in _MVPGEN_MODULES:
        return True
    return package is not None and module_name in {f"{package}.{m}" for m in _PACKAGE_MODULES}


def _owner(name: str) -> str | None:
    """Return the package a type outside the libraries and mvpgen belongs to, or None."""
    top = name.split(".")[0]
    return None if top in (*_LIBRARIES, "mvpgen") else top


def _is_estimator(cls: type) -> bool:
    from sklearn.base import BaseEstimator, TransformerMixin

    return issubclass(cls, (BaseEstimator, TransformerMixin))


def _is_distance(cls: type) -> bool:
    """Return whether ``cls`` is a distance of scikit-learn's neighbour search trees."""
    from sklearn.metrics import DistanceMetric

    return issubclass(cls, DistanceMetric)


def _is_numpy_type(cls: type) -> bool:
    import numpy as np

    # Exactly these arrays: a subclass such as memmap does more than hold numbers.
    return (cls in (np.ndarray, np.ma.MaskedArray, np.random.RandomState, np.random.Generator)
            or issubclass(cls, (np.dtype, np.generic, np.random.BitGenerator)))


def _is_sparse(cls: type) -> bool:
    from scipy import sparse

    return issubclass(cls, (sparse.spmatrix, sparse.sparray))


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
