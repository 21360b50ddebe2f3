"""A model file loads only if this project wrote it: crafted, pickled, truncated and
garbage files are refused in one line, and nothing in them runs."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import pickle
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run, scaffold

MARK = '''

def leave_mark(path: str) -> None:
    """A function of the user's package with a side effect, as any package may have."""
    from pathlib import Path

    Path(path).write_text("ran", encoding="utf-8")
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("model-file")
    import os

    here = os.getcwd()
    os.chdir(folder)
    try:
        assert scaffold("demo", "--example", "churn", "--no-input", "-q").exit_code == 0
        features = next((folder / "demo").glob("src/*/features.py"))
        features.write_text(features.read_text(encoding="utf-8") + MARK, encoding="utf-8")
        result = run("-C", str(folder / "demo"), "baseline", "-q")
        assert result.exit_code == 0, result.output
    finally:
        os.chdir(here)
    yield folder / "demo"


@pytest.fixture
def saved(project: Path) -> Iterator[Path]:
    """The project; its model and card restored after each test."""
    model, card = project / "models/model.skops", project / "models/model.json"
    original = model.read_bytes(), card.read_bytes()
    yield project
    model.write_bytes(original[0])
    card.write_bytes(original[1])


_IDS = itertools.count(1)


def node(loader: str, cls: str, module: str, **more: object) -> dict:
    # Each node its own id: skops takes a repeated id for the same object.
    return {"__class__": cls, "__module__": module, "__loader__": loader, "__id__": next(_IDS),
            **more}


def text(value: str) -> dict:
    return node("JsonNode", "str", "builtins", content=json.dumps(value), is_json=True)


def value(given: object) -> dict:
    """The skops node of a string, a whole number or a list of them."""
    if isinstance(given, list):
        return node("ListNode", "list", "builtins", content=[value(v) for v in given])
    if isinstance(given, int):
        return node("JsonNode", "int", "builtins", content=json.dumps(given), is_json=True)
    return text(str(given))


def calling(function: str, module: str, *args: object) -> bytes:
    """A hand-written skops file whose loading calls ``module.function(*args)``."""
    schema = node("ConstructorFromReduceNode", function, module,
                  content=node("TupleNode", "tuple", "builtins",
                               content=[value(a) for a in args]),
                  protocol=2, _skops_version="0.16.0")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return (Path.write_text, (Path(self.path), "ran"))


def forge_card(project: Path, data: bytes, *trusted: str) -> None:
    """Do what an attacker who can write both files would: make the card match."""
    card_file = project / "models/model.json"
    card = json.loads(card_file.read_text(encoding="utf-8"))
    card["model_sha256"] = hashlib.sha256(data).hexdigest()
    card["trusted_types"] = sorted({*card["trusted_types"], *trusted})
    card_file.write_text(json.dumps(card), encoding="utf-8")


def refused(project: Path, isolated: Path) -> list[str]:
    """Run predict and review; return their outputs (each must be exit 2, one line)."""
    outputs = []
    for command in (("predict", "data/raw/customers.csv", str(isolated / "out.csv")),
                    ("review",)):
        result = run("-C", str(project), *command)
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
        outputs.append(result.output)
    assert not (isolated / "out.csv").exists()
    return outputs


def test_the_model_this_project_wrote_loads_and_predicts(saved: Path, isolated: Path) -> None:
    result = run("-C", str(saved), "predict", "data/raw/customers.csv", str(isolated / "o.csv"))
    assert result.exit_code == 0, result.output
    assert (isolated / "o.csv").read_text(encoding="utf-8").startswith(
        "customer_id,prediction,score,new_values\n")


@pytest.mark.parametrize(("function", "module"), [
    ("leave_mark", "churn_mvp.features"),  # the package's own function
    ("default_preprocessor", "churn_mvp.features"),  # a function the package imports
    ("get_type_hints", "typing"),  # evaluates a string annotation: code
])
def test_a_crafted_file_that_calls_a_function_is_refused(saved: Path, isolated: Path,
                                                         function: str, module: str) -> None:
    marker = isolated / "marker.txt"
    crafted = calling(function, module, str(marker))
    (saved / "models/model.skops").write_bytes(crafted)
    # The card was not forged: the file is not the one this project wrote.
    assert refused(saved, isolated)[0] == (
        f"Error: {saved / 'models/model.skops'} is not the file this project's baseline wrote "
        "(its SHA-256 differs from the one in model.json); refusing to load it; run the "
        "baseline step again\n")
    forge_card(saved, crafted)  # the hash now matches, but the function is on no card
    assert f"asks to load {module}.{function}, which this project never saves" in \
        refused(saved, isolated)[0]
    forge_card(saved, crafted, f"{module}.{function}")  # on the card too: still no class
    assert f"asks to load {module}.{function}, which this project never saves" in \
        refused(saved, isolated)[1]
    assert not marker.exists()


MARKER = "<marker>"


@pytest.mark.parametrize(("cls", "module", "args"), [
    ("Popen", "subprocess", ([["touch", MARKER]])),  # runs a command
    ("memmap", "numpy", (MARKER, "uint8", "w+", 0, 4)),  # creates a file, an array type
    ("TempMemmap", "sklearn.utils._testing", (MARKER,)),  # a class of scikit-learn's tests
], ids=["subprocess.Popen", "numpy.memmap", "sklearn-test-helper"])
def test_a_crafted_file_that_constructs_a_class_is_refused(saved: Path, isolated: Path,
                                                           cls: str, module: str,
                                                           args: tuple) -> None:
    marker = isolated / "marker.txt"
    crafted = calling(cls, module, *(_marked(a, marker) for a in args))
    (saved / "models/model.skops").write_bytes(crafted)
    assert "is not the file this project's baseline wrote" in refused(saved, isolated)[0]
    # The attacker writes the card too: its hash and its types; a class is no function,
    # yet only the classes mvpgen's own code trusts load, whatever the card lists.
    forge_card(saved, crafted, f"{module}.{cls}")
    for output in refused(saved, isolated):
        assert output == (f"Error: {saved / 'models/model.skops'} asks to load {module}.{cls}, "
                          "which this project never saves; refusing to load it; run the "
                          "baseline step again\n")
    assert not marker.exists()


def _marked(arg: object, marker: Path) -> object:
    """Return ``arg`` with the marker's path in place of ``MARKER``."""
    if isinstance(arg, list):
        return [_marked(a, marker) for a in arg]
    return str(marker) if arg == MARKER else arg


@pytest.mark.parametrize("kind", ["pickle", "truncated", "garbage"])
def test_a_file_that_is_no_model_of_ours_is_refused(saved: Path, isolated: Path,
                                                     kind: str) -> None:
    marker = isolated / "marker.txt"
    model = saved / "models/model.skops"
    data = {"pickle": pickle.dumps(_Marker(str(marker))),
            "truncated": model.read_bytes()[: len(model.read_bytes()) // 2],
            "garbage": bytes(range(256)) * 40}[kind]
    model.write_bytes(data)
    forge_card(saved, data)
    for output in refused(saved, isolated):
        assert "run the baseline step again" in output
    assert not marker.exists()


def test_a_damaged_card_is_refused_in_one_line(saved: Path, isolated: Path) -> None:
    (saved / "models/model.json").write_text("{not json", encoding="utf-8")
    assert refused(saved, isolated)[0] == (
        f"Error: {saved / 'models/model.json'} is damaged (JSONDecodeError); run the baseline "
        "step again\n")


@pytest.mark.parametrize(("entry", "value", "problem"), [
    ("task", "clustering", "is damaged or was edited by hand (task is 'clustering')"),
    ("positive_label", "maybe", "is damaged or was edited by hand (positive_label is not one "
     "of labels)"),
    ("features", [1, 2], "is damaged or was edited by hand (features is not a list of column "
     "names)"),
    ("features", None, "is damaged or was edited by hand (features holds NoneType)"),
    ("ranges", {"tenure_months": "6 to 30"}, "is damaged or was edited by hand "
     "(ranges.tenure_months is not [low, high])"),
    ("categories", {"plan": "basic"}, "is damaged or was edited by hand (categories.plan is "
     "not a list)"),
    ("versions", {"a-package-never-installed": "1.0"}, "is damaged or was edited by hand "
     "(versions names something other than python and scikit-learn, pandas, numpy, skops)"),
    ("id_columns", 5, "is damaged or was edited by hand (id_columns holds int)"),
    ("labels", ["no", "yes", "perhaps"], "does not describe the saved model (its labels are "
     "not the model's classes)"),
    ("features", ["tenure_months"], "does not describe the saved model (its features are not "
     "the model's)"),
])
def test_a_card_edited_by_hand_is_refused_in_one_line(saved: Path, isolated: Path, entry: str,
                                                      value: object, problem: str) -> None:
    card_file = saved / "models/model.json"
    card = json.loads(card_file.read_text(encoding="utf-8"))
    card[entry] = value  # the model file is untouched: its hash still matches
    card_file.write_text(json.dumps(card), encoding="utf-8")
    for output in refused(saved, isolated):
        assert output == f"Error: {card_file} {problem}; run the baseline step again\n"


def test_a_card_without_a_threshold_reviews_at_the_default(saved: Path) -> None:
    card_file = saved / "models/model.json"
    card = json.loads(card_file.read_text(encoding="utf-8"))
    del card["decision_threshold"]
    card_file.write_text(json.dumps(card), encoding="utf-8")
    result = run("-C", str(saved), "review", "--limit", "3", "-q")
    assert result.exit_code == 0, result.output
    import csv

    with (saved / "reports/review.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    clear = [row for row in rows if abs(float(row["score"]) - 0.5) > 0.001]  # not rounded
    for row in clear:  # decided at 0.5, not at the threshold the baseline chose (0.44)
        decided = "yes" if float(row["score"]) > 0.5 else "no"
        assert f"decided '{decided}'" in row["why"]
    assert any(0.444 < float(row["score"]) < 0.499 for row in clear)


def _fitted(estimator: object) -> object:
    """Return ``estimator`` fitted on a small two-column binary problem."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    estimator.fit(x, np.where(x["a"] + rng.normal(size=120) > 0, "yes", "no"))
    return estimator


def _save(folder: Path, model: object) -> tuple[Path, Path]:
    """Save ``model`` and its card as the baseline does; return both paths."""
    from mvpgen.store.artifacts import card_entries, model_bytes

    data, types = model_bytes(model)
    model_file, card_file = folder / "model.skops", folder / "model.json"
    model_file.write_bytes(data)
    card = {"task": "binary", "target": "y", "features": ["a", "b"], "feature_kinds": {},
            "labels": ["no", "yes"], "positive_label": "yes", **card_entries(data, types)}
    card_file.write_text(json.dumps(card), encoding="utf-8")
    return model_file, card_file


def _models() -> dict[str, object]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        RandomForestClassifier,
        StackingClassifier,
    )
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {"boosting": HistGradientBoostingClassifier(max_iter=10),
            "forest": RandomForestClassifier(n_estimators=5, random_state=0),
            "neighbours": KNeighborsClassifier(),
            "network": make_pipeline(StandardScaler(), MLPClassifier(max_iter=30)),
            "calibrated": CalibratedClassifierCV(LogisticRegression(), cv=3),
            "stack": StackingClassifier([("lr", LogisticRegression()),
                                         ("forest", RandomForestClassifier(n_estimators=3))])}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(_models()))
def test_a_users_scikit_learn_model_loads_back(tmp_path: Path, name: str) -> None:
    from mvpgen.store.artifacts import load_model

    model = _fitted(_models()[name])
    loaded, _ = load_model(*_save(tmp_path, model))
    assert type(loaded) is type(model)
    assert list(loaded.classes_) == ["no", "yes"]


PARTS = '''
from sklearn.base import BaseEstimator, TransformerMixin


class Clip(TransformerMixin, BaseEstimator):
    """The user's own transformer, in a module of their own that models.py imports."""

    def fit(self, x, y=None):
        return self

    def transform(self, x):
        return x.clip(-3, 3)
'''
PACKAGE = '''
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from .parts import Clip


class Helper:
    """A plain class: no estimator."""


class Wrapped(ClassifierMixin, BaseEstimator):
    """A classifier that keeps a plain object beside its model."""

    def fit(self, x, y):
        self.model_ = LogisticRegression().fit(x, y)
        self.helper_ = Helper()
        self.classes_ = self.model_.classes_
        return self
'''


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A project's package with its own classes in models.py, importable."""
    name = f"own_package_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "models.py").write_text(PACKAGE, encoding="utf-8")
    (folder / "parts.py").write_text(PARTS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return name


def test_an_estimator_class_of_the_projects_package_loads_only_for_it(tmp_path: Path,
                                                                       package: str) -> None:
    import importlib

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from mvpgen.errors import ModelError
    from mvpgen.store.artifacts import load_model

    own = importlib.import_module(f"{package}.models")
    paths = _save(tmp_path, _fitted(make_pipeline(own.Clip(), LogisticRegression())))
    with pytest.raises(ModelError, match=f"asks to load {package}.parts.Clip, which this "
                       "project never saves"):
        load_model(*paths, package="another_package")
    for name in [n for n in sys.modules if n.startswith(package)]:
        del sys.modules[name]  # as in a new process: its models.py imports the class
    loaded, card = load_model(*paths, package=package)
    assert card["trusted_types"] == [f"{package}.parts.Clip"]
    assert type(loaded.steps[0][1]).__module__ == f"{package}.parts"


def test_a_plain_class_in_a_model_is_refused_when_saving(package: str) -> None:
    import importlib

    from mvpgen.errors import ModelError
    from mvpgen.store.artifacts import model_bytes

    own = importlib.import_module(f"{package}.models")
    with pytest.raises(ModelError, match=f"the model holds {package}.models.Helper, a class "
                       "mvpgen does not load back"):
        model_bytes(_fitted(own.Wrapped()))
