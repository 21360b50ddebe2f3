"""Fixtures for the tests of this project's own code: the project and a sample of its data."""

from pathlib import Path

import pytest
from mvpgen.project import Project
from mvpgen.testing import Sample, sample_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> Project:
    """This project, as mvpgen's steps see it."""
    return Project.find(ROOT)


@pytest.fixture(scope="session")
def sample(project: Project) -> Sample:
    """A few hundred rows of the project's data, after features.derive, with the plan."""
    if project.data_file is None or not project.data_file.exists():
        pytest.skip("no data yet: put the extract in data/raw/ and set data.path in mvp.yaml")
    return sample_of(project, rows=300)
