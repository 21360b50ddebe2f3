"""Free-text project names become safe folders and importable, non-shadowing packages."""

from __future__ import annotations

import pytest

from mvpgen.generator.naming import package_name, package_problem, project_slug


@pytest.mark.parametrize(("name", "slug", "package"), [
    ("Churn MVP", "churn-mvp", "churn_mvp"),
    ("../../etc/passwd", "etc-passwd", "etc_passwd"),
    ("C:\\Users\\me", "c-users-me", "c_users_me"),
    ("Prévision des ventes — Zürich", "prevision-des-ventes-zurich", "prevision_des_ventes_zurich"),
    ("売上予測", "mvp", "mvp"),
    ("2026 forecast", "2026-forecast", "mvp_2026_forecast"),
    ("class", "class", "class_mvp"),
    ("match", "match", "match_mvp"),
    ("json", "json", "json_mvp"),
    ("pandas", "pandas", "pandas_mvp"),
    ("mvpgen", "mvpgen", "mvpgen_mvp"),  # a project imports mvpgen: it must not shadow it
    ("tests", "tests", "tests_mvp"),
    ("nul", "nul-mvp", "nul_mvp"),
    ("   ", "mvp", "mvp"),
])
def test_names_become_safe_slugs_and_packages(name, slug, package):
    assert project_slug(name) == slug
    assert package_name(slug) == package
    assert package.isidentifier()
    assert package_problem(package) is None


IDENTIFIER = "it must be a Python identifier that starts with a letter and is not a keyword"
TAKEN = "it is the name of a standard module or of an installed package"


@pytest.mark.parametrize(("package", "problem"), [
    ("churn_mvp", None),
    ("2026_forecast", IDENTIFIER),
    ("churn-mvp", IDENTIFIER),
    ("class", IDENTIFIER),
    ("match", IDENTIFIER),
    ("json", TAKEN),
    ("pandas", TAKEN),
    ("mvpgen", TAKEN),
    ("conftest", TAKEN),
])
def test_a_typed_package_name_is_checked_by_the_same_rule(package, problem):
    assert package_problem(package) == problem


def test_a_long_name_is_cut_without_a_trailing_dash():
    slug = project_slug("word " * 40)
    assert len(slug) <= 60
    assert not slug.endswith("-")
