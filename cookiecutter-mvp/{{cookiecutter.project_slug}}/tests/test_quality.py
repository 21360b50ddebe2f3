"""The data-quality summary flags what is planted and nothing that is clean."""

from conftest import module

config = module("config")
data = module("data")
quality = module("quality")


def test_a_planted_leak_and_identifier_are_flagged(small_project):
    mapping = config.load_mapping(small_project / "mvp.yaml")
    summary = quality.data_quality(data.load_dataset(mapping, small_project), mapping,
                                   task="binary")
    assert summary["leakage_suspects"] == [
        {"column": "refund_reason", "reason": "filled_for_one_class", "class": "yes"}]
    assert summary["id_like_columns"] == ["customer_id"]
    assert summary["constant_columns"] == []
    assert summary["datetime_columns"] == {
        "signup": {"min": "2024-01-01T00:00:00", "max": "2025-02-03T00:00:00"}}
    assert summary["issues"][0]["code"] == "leakage_suspect"
    assert summary["rows"] == 400
