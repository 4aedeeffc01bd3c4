"""Shared test data for the ingest tests: well-formed canonical contacts, a workspace that knows the entities."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from cli.runner import invoke, ok_json
from cxcert.canonical import CONTACTS

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def keyed(warehouse_root: Path, number: str) -> str:
    """The customer key an ingest must store for ``number``: HMAC-SHA-256 (the standard library's ``hmac``, not
    the adapter's own construction) under the workspace key, which lives beside the warehouse."""
    key = bytes.fromhex((warehouse_root.parent / "secrets" / "customer-key").read_text().strip())
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def _contacts(n: int, *, entity: str = "demo") -> pa.Table:
    """``n`` well-formed contacts: every 10th abandoned after 30 s, others answered after i % 40 s."""
    arrived = [T0 + timedelta(seconds=17 * i) for i in range(n)]
    abandoned = [i % 10 == 0 for i in range(n)]
    wait = [30.0 if a else float(i % 40) for i, a in enumerate(abandoned)]
    answered = [None if a else t + timedelta(seconds=w) for t, a, w in zip(arrived, abandoned, wait, strict=True)]
    return pa.table(
        {
            "entity_id": [entity] * n,
            "program": ["care"] * n,
            "source": ["generator"] * n,
            "contact_id": [f"c{i:07d}" for i in range(n)],
            "queue": ["billing" if i % 3 else "sales" for i in range(n)],
            "channel": ["voice"] * n,
            "direction": ["inbound"] * n,
            "arrived_at": arrived,
            "answered_at": answered,
            "ended_at": [t + timedelta(seconds=600) for t in arrived],
            "abandoned": abandoned,
            "wait_s": wait,
            "talk_s": [None if a else 240.0 for a in abandoned],
            "hold_s": [None] * n,
            "acw_s": [None] * n,
            "agent_id": [None if a else f"a{i % 7}" for i, a in enumerate(abandoned)],
            "customer_key": [None] * n,
            "transferred": [False] * n,
            "outcome": [None] * n,
        },
        schema=CONTACTS,
    )


MakeContacts = Callable[..., pa.Table]


@pytest.fixture()
def contacts() -> MakeContacts:
    """``contacts(n)``: ``n`` well-formed canonical contacts (see ``_contacts``)."""
    return _contacts


ENTITIES = ("paris", "bank")
"""The entities the ``workspace`` knows (``cxcert ingest`` refuses data for any other)."""


@pytest.fixture(scope="session")
def workspace_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once through the CLI (init, entity create); each test gets a copy (migrating is the slow part)."""
    home = tmp_path_factory.mktemp("ingest-template") / "home"
    ok_json(invoke("init", "--json", home=home))
    for entity in ENTITIES:
        ok_json(
            invoke("entity", "create", "--id", entity, "--name", entity.title(), "--organisation", "acme",
                   "--location", "par:Paris:FR:Europe/Paris", "--json", home=home)
        )  # fmt: skip
    return home


@pytest.fixture()
def workspace(home: Path, workspace_template: Path) -> Path:
    """CXCERT_HOME (the ``home`` fixture's) with an initialised database and the entities :data:`ENTITIES`."""
    shutil.copytree(workspace_template, home)
    return home
