"""Fixtures for the proposal tests: one real identity per session (RSA key generation is the slow part),
and the sample projects the TCO feature ships plus a EUR project with accented names."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources import resource
from ui.report.identity import Identity, create_identity, load_identity

HERE = Path(__file__).parent
EUR_PROJECT = HERE / "data" / "eur_project.json"
PASSWORD = "correct horse battery"
SIGNER = "Zoë Ångström-Müller"


def sample_projects() -> list[Path]:
    folder = resource("samples")
    return sorted(Path(str(f)) for f in folder.iterdir() if f.name.endswith(".json"))


@pytest.fixture(scope="session")
def identity_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("identity") / "signer.p12"
    return create_identity(SIGNER, "Conseil Énergie SàRL", "zoe@example.com", PASSWORD, out)


@pytest.fixture(scope="session")
def identity(identity_file: Path) -> Identity:
    return load_identity(identity_file, PASSWORD)
