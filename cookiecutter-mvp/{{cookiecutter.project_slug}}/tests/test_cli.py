"""The command line prints the mapping and keeps the user's words in the documents."""

import shutil

from click.testing import CliRunner
from conftest import ROOT, module

cli = module("cli")
config = module("config")


def test_show_prints_the_mapping_in_plain_words(mapping_file):
    result = CliRunner().invoke(cli.main, ["--mapping", str(mapping_file), "show"])
    mapping = config.load_mapping(mapping_file)
    assert result.exit_code == 0, result.output
    assert mapping.business.requirement in result.output
    assert f"of the column {mapping.technical.target!r}" in result.output


def test_show_refuses_a_broken_mapping_with_exit_code_2(tmp_path):
    broken = tmp_path / "mvp.yaml"
    broken.write_text("project: {name: X}\nbusiness: {requirement: Y}\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["--mapping", str(broken), "show"])
    assert result.exit_code == 2
    assert "technical: missing" in result.output


def test_refresh_keeps_everything_outside_the_markers(tmp_path):
    for name in ("mvp.yaml", "README.md", "CHECKLIST.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    checklist = tmp_path / "CHECKLIST.md"
    checklist.write_text(checklist.read_text(encoding="utf-8") + "\nMy own note.\n- [x] done\n",
                         encoding="utf-8")
    args = ["--mapping", str(tmp_path / "mvp.yaml"), "refresh"]
    for _ in range(2):
        assert CliRunner().invoke(cli.main, args).exit_code == 0
    text = checklist.read_text(encoding="utf-8")
    assert text.endswith("\nMy own note.\n- [x] done\n")
    assert config.load_mapping(tmp_path / "mvp.yaml").business.requirement in text


def test_refresh_refuses_a_broken_marker_and_writes_nothing(tmp_path):
    for name in ("mvp.yaml", "README.md", "CHECKLIST.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    edited = (tmp_path / "mvp.yaml").read_text(encoding="utf-8").replace(
        "requirement: ", "requirement: Changed ", 1)
    (tmp_path / "mvp.yaml").write_text(edited, encoding="utf-8")
    checklist = tmp_path / "CHECKLIST.md"
    broken = checklist.read_text(encoding="utf-8").replace("<!-- mvpgen:end q1 -->", "")
    checklist.write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["--mapping", str(tmp_path / "mvp.yaml"), "refresh"])
    assert result.exit_code == 2
    assert "nothing was written" in result.output
    assert checklist.read_text(encoding="utf-8") == broken
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == readme
