"""The mapping schema: types, unknown keys, and how the fields must fit together."""

from __future__ import annotations

import pytest

from mvpgen.errors import MappingError
from mvpgen.mapping import Settings, dump_mapping, load_mapping, parse_mapping


def problems(raw: dict) -> list[str]:
    return [str(p) for p in parse_mapping(raw)[1]]


def test_the_churn_example_is_a_valid_mapping(churn_raw):
    mapping, found = parse_mapping(churn_raw)
    assert found == []
    assert mapping.technical.task == "binary"
    assert mapping.technical.positive_label == "yes"
    assert mapping.data.id_columns == ("customer_id",)
    assert mapping.costs.false_negative == 150
    assert mapping.costs.true_positive == -80
    assert mapping.costs.true_negative is None
    assert mapping.costs.of("true_negative") == 0.0
    assert mapping.business.capacity == 200
    assert (mapping.technical.metric, mapping.technical.threshold) == ("recall_at_budget", 0.30)
    assert mapping.metric.needs_capacity
    assert mapping.data.not_leaks == {}
    assert mapping.settings == Settings(test_share=0.2, folds=5, seed=0,
                                        bootstrap_resamples=1000, eda="quick", contenders=())
    assert mapping.humans.review_budget == 200
    assert mapping.business.deadline.isoformat() == "2027-03-31"


def test_an_unknown_key_names_the_closest_known_key(churn_raw):
    churn_raw["busines"] = churn_raw.pop("business")
    assert problems(churn_raw) == [
        "busines: unknown key — known keys here: project, business, technical, data, costs, "
        "humans, settings, advantage (did you mean 'business'?)",
        "business: missing — add the 'business:' section",
    ]


def test_a_nested_unknown_key_is_reported_with_its_path(churn_raw):
    churn_raw["costs"]["false_postive"] = churn_raw["costs"].pop("false_positive")
    assert problems(churn_raw) == [
        "costs.false_postive: unknown key — known keys here: false_positive, false_negative, "
        "true_positive, true_negative (did you mean 'false_positive'?)",
        "costs.false_positive: missing — give the cost of acting on a case that needed no action",
    ]


@pytest.mark.parametrize(("field", "value", "line"), [
    ("threshold", "high", "technical.threshold: expected a number, got text ('high') — give "
                          "the metric value that counts as success offline, e.g. 0.70"),
    ("threshold", True, "technical.threshold: expected a number, got true/false (true) — give "
                        "the metric value that counts as success offline, e.g. 0.70"),
    ("threshold", float("nan"), "technical.threshold: nan is not a finite number — give the "
                                "metric value that counts as success offline, e.g. 0.70"),
    ("target", "", "technical.target: expected text, got an empty text — give the column the "
                   "model predicts, e.g. 'churned'"),
    ("target", ["a"], "technical.target: expected text, got a list — give the column the "
                      "model predicts, e.g. 'churned'"),
])
def test_wrong_types_are_named_with_the_value_received(churn_raw, field, value, line):
    churn_raw["technical"][field] = value
    assert problems(churn_raw) == [line]


def test_a_metric_must_fit_the_task(churn_raw):
    churn_raw["technical"].update(task="regression", metric="recall")
    del churn_raw["technical"]["positive_label"]
    assert problems(churn_raw) == [
        "technical.metric: 'recall' does not fit a regression task — use one of: mae, rmse, r2, "
        "mape",
    ]


def test_an_unknown_metric_suggests_the_closest_for_the_task(churn_raw):
    churn_raw["technical"]["metric"] = "recal"
    assert problems(churn_raw) == [
        "technical.metric: 'recal' is not a known metric — use one of: roc_auc, "
        "average_precision, accuracy, balanced_accuracy, precision, recall, f1, log_loss, "
        "recall_at_budget, precision_at_budget (did you mean 'recall'?)",
    ]


@pytest.mark.parametrize(("metric", "threshold", "line"), [
    ("roc_auc", 1.2, "technical.threshold: 1.2 is outside the range of roc_auc — choose a "
                     "value from 0 to 1"),
    ("roc_auc", 0.5, "technical.threshold: 0.5 is what guessing scores on roc_auc — choose a "
                     "value above 0.5"),
    ("log_loss", -0.1, "technical.threshold: -0.1 is outside the range of log_loss — choose a "
                       "value from 0 to infinity"),
    ("recall_at_budget", 1.5, "technical.threshold: 1.5 is outside the range of "
                              "recall_at_budget — choose a value from 0 to 1"),
])
def test_the_threshold_must_lie_in_the_metrics_range(churn_raw, metric, threshold, line):
    churn_raw["technical"].update(metric=metric, threshold=threshold)
    assert problems(churn_raw) == [line]


def test_a_regression_threshold_may_be_any_amount(churn_raw):
    churn_raw["technical"].update(task="regression", metric="mae", threshold=1250.0)
    del churn_raw["technical"]["positive_label"]
    assert problems(churn_raw) == []


def test_positive_label_belongs_to_binary_tasks_only(churn_raw):
    churn_raw["technical"].update(task="multiclass", metric="f1_macro")
    assert problems(churn_raw) == [
        "technical.positive_label: is only used by binary tasks, not multiclass — remove it, "
        "or set task: binary",
    ]


def test_costs_must_not_be_negative_and_the_budget_must_be_positive(churn_raw):
    churn_raw["costs"]["false_positive"] = -5
    churn_raw["humans"]["review_budget"] = 0
    assert problems(churn_raw) == [
        "costs.false_positive: -5 is negative — give the cost as a positive amount (0 if free)",
        "humans.review_budget: 0 is not positive — give how many items a reviewer can check per "
        "cycle, e.g. 200",
    ]


def test_the_review_budget_must_be_a_whole_number(churn_raw):
    churn_raw["humans"]["review_budget"] = 20.5
    assert problems(churn_raw) == [
        "humans.review_budget: expected a whole number, got a number (20.5) — give how many "
        "predictions they can review per cycle",
    ]


def test_special_columns_cannot_be_the_target(churn_raw):
    churn_raw["data"].update(time_column="churned", id_columns=["customer_id", "churned"])
    assert problems(churn_raw) == [
        "data.time_column: is the target column 'churned' — name a different column",
        "data.id_columns: includes the target column 'churned' — remove it from id_columns",
    ]


def test_a_mapping_round_trips_through_yaml(churn_raw, tmp_path):
    mapping, _ = parse_mapping(churn_raw)
    path = tmp_path / "mvp.yaml"
    path.write_text(dump_mapping(mapping), encoding="utf-8")
    assert load_mapping(path) == mapping


def test_loading_yaml_never_runs_code(tmp_path):
    path = tmp_path / "mvp.yaml"
    marker = tmp_path / "ran"
    path.write_text(f"project: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(MappingError, match="uses a YAML tag that is not allowed at line 1"):
        load_mapping(path)
    assert not marker.exists()


def test_an_alias_bomb_is_read_as_references_and_refused_by_its_shape(tmp_path):
    """Nine levels of nine aliases would be 387,420,489 strings if expanded: they never are."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    path = tmp_path / "mvp.yaml"
    path.write_text("\n".join([*lines, "project: *a8"]) + "\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    found = str(caught.value)
    assert found == (f"{path} is not a valid mapping: a0: unknown key — known keys here: "
                     "project, business, technical, data, costs, humans, settings, advantage "
                     "(and 11 more above)")  # one line, never the expanded lists


# --- the optional fields: capacity, benefits, cleared columns, settings ----------------------


@pytest.mark.parametrize(("section", "key", "value", "read"), [
    ("business", "capacity", 1000, lambda m: m.business.capacity == 1000),
    ("business", "capacity", 0.5, lambda m: m.business.capacity == 0.5),
    ("costs", "true_positive", -80, lambda m: m.costs.of("true_positive") == -80.0),
    ("costs", "true_negative", 5, lambda m: m.costs.of("true_negative") == 5.0),
    ("data", "not_leaks", {"tenure": "known at signup"},
     lambda m: m.data.not_leaks == {"tenure": "known at signup"}),
])
def test_the_optional_fields_load(churn_raw, section, key, value, read):
    churn_raw[section][key] = value
    mapping, found = parse_mapping(churn_raw)
    assert found == []
    assert read(mapping)


def test_the_settings_section_loads_at_its_bounds(churn_raw):
    churn_raw["settings"] = {"test_share": 0.05, "folds": 20, "seed": 7,
                             "bootstrap_resamples": 10_000, "eda": "off",
                             "contenders": ["rule", "linear"]}
    mapping, found = parse_mapping(churn_raw)
    assert found == []
    assert mapping.settings == Settings(test_share=0.05, folds=20, seed=7,
                                        bootstrap_resamples=10_000, eda="off",
                                        contenders=("rule", "linear"))
    churn_raw["settings"] = {"test_share": 0.5, "folds": 2, "bootstrap_resamples": 100,
                             "eda": "full"}
    assert problems(churn_raw) == []


def test_an_empty_settings_section_means_the_defaults(churn_raw):
    churn_raw["settings"] = None
    mapping, found = parse_mapping(churn_raw)
    assert found == []
    assert mapping.settings == Settings()


CAPACITY_FIX = "give how many cases in every 1,000 the business can act on, e.g. 100"
NOT_LEAKS_FIX = "write it as {column: why it is known in time}"


@pytest.mark.parametrize(("section", "key", "value", "line"), [
    ("business", "capacity", 1001,
     f"business.capacity: 1001 is not more than 0 and at most 1,000 — {CAPACITY_FIX}"),
    ("business", "capacity", 0, f"business.capacity: 0 is not more than 0 and at most 1,000 — "
                                f"{CAPACITY_FIX}"),
    ("business", "capacity", "many", f"business.capacity: expected a number, got text "
                                     f"('many') — {CAPACITY_FIX}"),
    ("costs", "true_negative", "x", "costs.true_negative: expected a number, got text ('x') — "
                                    "give the cost of leaving alone a case that needed no "
                                    "action; 0 if absent"),
    ("data", "not_leaks", ["tenure"], "data.not_leaks: expected names each with a reason, got "
                                      f"a list — {NOT_LEAKS_FIX}"),
    ("data", "not_leaks", "tenure", "data.not_leaks: expected names each with a reason, got "
                                    f"text ('tenure') — {NOT_LEAKS_FIX}"),
    ("data", "not_leaks", {"tenure": ""}, "data.not_leaks: expected names each with a reason, "
                                          f"got a section of keys — {NOT_LEAKS_FIX}"),
])
def test_wrong_optional_fields_are_named(churn_raw, section, key, value, line):
    churn_raw[section][key] = value
    assert problems(churn_raw) == [line]


@pytest.mark.parametrize(("key", "value", "line"), [
    ("test_share", 0.9, "settings.test_share: 0.9 is outside 0.05 to 0.5 — hold out a fifth: "
                        "test_share: 0.2"),
    ("test_share", 0.01, "settings.test_share: 0.01 is outside 0.05 to 0.5 — hold out a "
                         "fifth: test_share: 0.2"),
    ("test_share", True, "settings.test_share: expected a number, got true/false (true) — give "
                         "the share of rows held out, from 0.05 to 0.5"),
    ("folds", 1, "settings.folds: 1 is outside 2 to 20 — use folds: 5"),
    ("folds", 21, "settings.folds: 21 is outside 2 to 20 — use folds: 5"),
    ("folds", 2.5, "settings.folds: expected a whole number, got a number (2.5) — give "
                   "cross-validation folds on the training rows, 2 to 20"),
    ("seed", "x", "settings.seed: expected a whole number, got text ('x') — give the seed of "
                  "every random choice"),
    ("bootstrap_resamples", 50, "settings.bootstrap_resamples: 50 is outside 100 to 10000 — "
                                "use bootstrap_resamples: 1000"),
    ("bootstrap_resamples", 20_000, "settings.bootstrap_resamples: 20000 is outside 100 to "
                                    "10000 — use bootstrap_resamples: 1000"),
    ("eda", "slow", "settings.eda: 'slow' is not an EDA mode — use one of: quick, full, off"),
    ("fit_rows", 500, "settings.fit_rows: 500 is under 1000 — use fit_rows: 100000, or more "
                      "to fit on more rows"),
    ("sede", 1, "settings.sede: unknown key — known keys here: test_share, folds, seed, "
                "bootstrap_resamples, eda, fit_rows, contenders (did you mean 'seed'?)"),
])
def test_wrong_settings_are_named_with_the_value_received(churn_raw, key, value, line):
    churn_raw["settings"] = {key: value}
    assert problems(churn_raw) == [line]


def test_settings_must_be_a_section(churn_raw):
    churn_raw["settings"] = ["seed"]
    assert problems(churn_raw) == [
        "settings: expected a section of keys, got a list — write 'settings:' followed by "
        "indented keys",
    ]


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_a_seed_numpy_cannot_use_is_refused(churn_raw, seed):
    churn_raw["settings"] = {"seed": seed}
    assert problems(churn_raw) == [
        f"settings.seed: {seed} is outside 0 to 4294967295 — use a seed such as 0 or 42"]


def test_the_target_cannot_be_cleared_of_leaking(churn_raw):
    churn_raw["data"]["not_leaks"] = {"churned": "it is the answer"}
    assert problems(churn_raw) == [
        "data.not_leaks: names the target column 'churned' — list only feature columns the "
        "leak screen named"]


def test_a_list_of_names_says_which_item_is_not_a_name(churn_raw):
    churn_raw["data"]["id_columns"] = ["customer_id", 1]
    assert problems(churn_raw) == [
        "data.id_columns: expected a list of names, got a list holding a number (1) — write it "
        "as [first, second]"]


def test_a_mapping_with_every_optional_field_round_trips_through_yaml(churn_raw, tmp_path):
    churn_raw["data"]["not_leaks"] = {"tenure": "known at signup"}
    churn_raw["costs"]["true_negative"] = 0
    churn_raw["settings"] = {"test_share": 0.25, "folds": 3, "seed": 7,
                             "bootstrap_resamples": 200, "eda": "off",
                             "contenders": ["rule", "linear"]}
    mapping, found = parse_mapping(churn_raw)
    assert found == []
    path = tmp_path / "mvp.yaml"
    path.write_text(dump_mapping(mapping), encoding="utf-8")
    assert load_mapping(path) == mapping
