"""One small generated centre shared by the synth tests (generation is the expensive part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.synth import GenerationSummary, generate, load_profile

SMALL_CONTACTS = 40_000
SMALL_MONTHS = 2


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    """Two months, about 40 thousand contacts, seed 7, the default profile."""
    out = tmp_path_factory.mktemp("synth") / "run"
    return generate(out, contacts=SMALL_CONTACTS, months=SMALL_MONTHS, seed=7, profile=load_profile(), entity_id="t")


@pytest.fixture(scope="session")
def small_out(small_run: GenerationSummary) -> Path:
    return small_run.out_dir
