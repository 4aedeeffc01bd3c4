"""docs/data/mapping.md's column reference is generated from the code and must be current.

Oracle: the reference is regenerated here from :mod:`cxcert.canonical`, the validation rules and the parser; a
stale doc fails with the command that fixes it. The spot checks name values the code defines.
"""

from __future__ import annotations

from pathlib import Path

from cxcert.canonical import CHANNELS, TABLES
from cxcert.ingest.column_reference import END, START, boolean_spellings, reference_markdown, updated

DOC = Path(__file__).resolve().parents[2] / "docs" / "data" / "mapping.md"


def test_the_doc_holds_the_current_reference() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert updated(text) == text, "docs/data/mapping.md is stale: run .venv/bin/python scripts/canonical_tables.py"


def test_every_table_and_column_is_described() -> None:
    reference = reference_markdown()
    assert reference.startswith(START) and reference.endswith(END)
    for table, schema in TABLES.items():
        assert f"### {table}\n" in reference
        for name in schema.names:
            assert f"| `{name}`" in reference, (table, name)
    assert "one of " + ", ".join(f"`{c}`" for c in CHANNELS) in reference
    assert "one of `pass`, `fail`, `na`" in reference  # evaluation_items.result
    assert "one of `csat`, `nps`, `ces`" in reference  # surveys.instrument
    assert "| `ivr_hangup` | hung up in the IVR before reaching the agents' queue: never offered" in reference
    assert "| `contact_id` (key) | text | **yes** |" in reference


def test_boolean_spellings_are_what_the_parser_reads() -> None:
    truthy, falsy = boolean_spellings()
    assert {"true", "1", "yes", "Y"} <= set(truthy) and {"false", "0", "no", "N"} <= set(falsy)
    assert "on" not in truthy + falsy  # not read as a boolean: needs a code map


def test_updating_replaces_only_the_generated_block() -> None:
    doc = f"# Title\n\nprose\n\n{START}\nold\n{END}\n\nafter\n"
    fresh = updated(doc)
    assert fresh.startswith("# Title\n\nprose\n\n") and fresh.endswith("\n\nafter\n") and "\nold\n" not in fresh
    assert updated("# Bare\n").endswith(reference_markdown() + "\n")
