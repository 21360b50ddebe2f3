"""The mapping schema: types, unknown keys, and how the fields must fit together."""

from __future__ import annotations

import pytest

from mvpgen.template import schema

config = schema()


def problems(raw: dict) -> list[str]:
    return [str(p) for p in config.parse_mapping(raw)[1]]


def test_the_churn_example_is_a_valid_mapping(churn_raw):
    mapping, found = config.parse_mapping(churn_raw)
    assert found == []
    assert mapping.technical.task == "binary"
    assert mapping.technical.positive_label == "yes"
    assert mapping.data.id_columns == ("customer_id",)
    assert mapping.costs.false_negative == 150
    assert mapping.humans.review_budget == 200
    assert mapping.business.deadline.isoformat() == "2027-03-31"


def test_an_unknown_key_names_the_closest_known_key(churn_raw):
    churn_raw["busines"] = churn_raw.pop("business")
    assert problems(churn_raw) == [
        "busines: unknown key — known keys here: project, business, technical, data, costs, "
        "humans, advantage (did you mean 'business'?)",
        "business: missing — add the 'business:' section",
    ]


def test_a_nested_unknown_key_is_reported_with_its_path(churn_raw):
    churn_raw["costs"]["false_postive"] = churn_raw["costs"].pop("false_positive")
    assert problems(churn_raw) == [
        "costs.false_postive: unknown key — known keys here: false_positive, false_negative "
        "(did you mean 'false_positive'?)",
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
        "average_precision, accuracy, balanced_accuracy, precision, recall, f1, log_loss "
        "(did you mean 'recall'?)",
    ]


@pytest.mark.parametrize(("metric", "threshold", "line"), [
    ("roc_auc", 1.2, "technical.threshold: 1.2 is outside the range of roc_auc — choose a "
                     "value from 0 to 1"),
    ("roc_auc", 0.5, "technical.threshold: 0.5 is what guessing scores on roc_auc — choose a "
                     "value above 0.5"),
    ("log_loss", -0.1, "technical.threshold: -0.1 is outside the range of log_loss — choose a "
                       "value from 0 to infinity"),
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
    mapping, _ = config.parse_mapping(churn_raw)
    path = tmp_path / "mvp.yaml"
    path.write_text(config.dump_mapping(mapping), encoding="utf-8")
    assert config.load_mapping(path) == mapping


def test_loading_yaml_never_runs_code(tmp_path):
    path = tmp_path / "mvp.yaml"
    marker = tmp_path / "ran"
    path.write_text(f"project: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(config.MappingError, match="uses a YAML tag that is not allowed at line 1"):
        config.load_mapping(path)
    assert not marker.exists()
