"""Rewrite the generated canonical-column reference in docs/data/mapping.md from the code.

    .venv/bin/python scripts/canonical_tables.py          # rewrite the doc
    .venv/bin/python scripts/canonical_tables.py --check  # exit 1 when the doc is stale (the test does the same)
"""

from __future__ import annotations

import sys
from pathlib import Path

from cxcert.ingest.column_reference import updated

DOC = Path(__file__).resolve().parents[1] / "docs" / "data" / "mapping.md"


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    fresh = updated(current)
    if "--check" in argv:
        if fresh != current:
            print(f"{DOC} is stale: run python scripts/canonical_tables.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        DOC.write_text(fresh, encoding="utf-8")
        print(f"rewrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
