"""A CLI workspace with one entity, built through the CLI itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .runner import invoke, ok_json

ENTITY_ARGS = (
    "entity", "create", "--id", "acme-care", "--name", "Acme Customer Care", "--organisation", "acme",
    "--organisation-name", "Acme Contact Ltd", "--location", "lon:London:GB:Europe/London",
    "--location", "cpt:Cape Town:ZA:Africa/Johannesburg", "--service", "inbound_customer_service",
    "--on", "2026-01-02", "--json",
)  # fmt: skip


@pytest.fixture(scope="session")
def workspace_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once through the CLI (init, entity create); each test gets a copy (migrating is the slow part)."""
    home = tmp_path_factory.mktemp("template") / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(invoke(*ENTITY_ARGS, home=home))
    return home


@pytest.fixture()
def workspace(tmp_path: Path, workspace_template: Path) -> Path:
    """CXCERT_HOME with an initialised SQLite database and the entity acme-care."""
    home = tmp_path / "home"
    shutil.copytree(workspace_template, home)
    return home
