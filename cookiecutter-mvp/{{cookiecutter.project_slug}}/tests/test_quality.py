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


def test_among_a_hundred_columns_the_screen_keeps_the_informative_ones():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = 500
    frame = pd.DataFrame(rng.normal(size=(rows, 100)), columns=[f"noise_{i}" for i in range(100)])
    frame["tenure"] = rng.normal(size=rows)
    frame["region"] = rng.choice(["north", "south", "east"], rows)
    y = np.where(frame["tenure"] + 0.8 * (frame["region"] == "north") > 0.3, "yes", "no")
    screening = module("screening")
    kept = screening.strongest(frame, y, list(frame.columns), "binary", keep=5)
    assert {"tenure", "region"} <= set(kept)
    assert kept == [c for c in frame.columns if c in kept]  # in table order
    frame["leak"] = np.where(y == "yes", 1.0, 0.0) + rng.normal(0, 0.01, rows)
    frame["churned"] = y
    infos = module("columns").describe_columns(frame.drop(columns="churned"))
    suspects = quality.leakage_suspects(frame, "churned", "binary", infos)
    assert [s["column"] for s in suspects] == ["leak"]
