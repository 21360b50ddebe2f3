"""The project's mapping loads, and a broken mapping is refused with the reason."""

import copy

import pytest
from conftest import module

config = module("config")


def test_the_projects_mapping_loads_as_written(mapping_file, raw_mapping):
    mapping = config.load_mapping(mapping_file)
    assert mapping.project.name == raw_mapping["project"]["name"]
    assert mapping.technical.target == raw_mapping["technical"]["target"]
    assert mapping.technical.threshold == pytest.approx(raw_mapping["technical"]["threshold"])
    assert mapping.technical.metric in config.METRICS


def test_dumped_mapping_reads_back_unchanged(mapping_file, tmp_path):
    mapping = config.load_mapping(mapping_file)
    copy_file = tmp_path / "mvp.yaml"
    copy_file.write_text(config.dump_mapping(mapping), encoding="utf-8")
    assert config.load_mapping(copy_file) == mapping


def test_a_misspelt_key_is_refused_with_the_closest_key(raw_mapping):
    raw = copy.deepcopy(raw_mapping)
    raw["technical"]["treshold"] = raw["technical"].pop("threshold")
    mapping, problems = config.parse_mapping(raw)
    lines = [str(p) for p in problems]
    assert "technical.treshold: unknown key" in lines[0]
    assert "did you mean 'threshold'?" in lines[0]
    assert any(line.startswith("technical.threshold: missing") for line in lines)
    assert mapping is None


def test_a_metric_that_does_not_fit_the_task_is_refused(raw_mapping):
    raw = copy.deepcopy(raw_mapping)
    raw["technical"].update(task="regression", metric="recall", threshold=0.5)
    raw["technical"].pop("positive_label", None)
    _, problems = config.parse_mapping(raw)
    assert [p.field for p in problems] == ["technical.metric"]
    assert "'recall' does not fit a regression task" in str(problems[0])


def test_loading_runs_no_code(tmp_path):
    evil = tmp_path / "mvp.yaml"
    evil.write_text("project: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(config.MappingError, match="YAML tag that is not allowed"):
        config.load_mapping(evil)
    assert not (tmp_path / "pwned").exists()
