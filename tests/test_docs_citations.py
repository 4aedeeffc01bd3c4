"""The product's docs, README and sources never cite a file that is not in the repository.

Checked: every relative Markdown link in README.md and docs/ resolves; every `*.md` file named in docs/, README.md
or src/ exists (beside the citing file, at the repository root or in docs/); every path under docs/, src/, tests/,
benchmarks/ or scripts/ that they name exists; and nothing points outside the clone (`../shared/...`), since a
user of the product has only the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_TEXT = {".md", ".py", ".yaml", ".yml", ".toml", ".txt"}
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_MD_NAME = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.md)\b")
_REPO_PATH = re.compile(r"(?<![\w/.$-])((?:docs|src|tests|benchmarks|scripts)/[\w./-]*\w)")
_OUTSIDE = re.compile(r"\.\./shared\b")  # the material beside the clone ("../../x" is a hostile id, not a citation)


def _sources() -> list[Path]:
    files = [REPO / "README.md", *sorted((REPO / "docs").rglob("*")), *sorted((REPO / "src").rglob("*"))]
    return [f for f in files if f.is_file() and f.suffix in _TEXT]


def _exists(cited: str, citing: Path) -> bool:
    return any((base / cited).exists() for base in (citing.parent, REPO, REPO / "docs"))


def test_every_relative_markdown_link_resolves() -> None:
    broken = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for target in _LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            if not (doc.parent / target.split("#")[0]).exists():
                broken.append(f"{doc.relative_to(REPO)}: {target}")
    assert not broken, broken


def test_every_cited_file_is_in_the_repository() -> None:
    missing = []
    for source in _sources():
        text = source.read_text(encoding="utf-8")
        for match in _OUTSIDE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            missing.append(f"{source.relative_to(REPO)}:{line}: points outside the repository ({match.group(0)}...)")
        for pattern in (_MD_NAME, _REPO_PATH):
            for match in pattern.finditer(text):
                cited = match.group(1).rstrip(".")
                if "*" in cited or not _exists(cited, source):
                    line = text.count("\n", 0, match.start()) + 1
                    missing.append(f"{source.relative_to(REPO)}:{line}: {cited}")
    assert not missing, "\n".join(missing)


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    """The patterns find the citations the issue named (a check that finds nothing proves nothing)."""
    text = "see DOMAIN.md section 5 and ../shared/data/x.tsv, and `src/cxcert/nowhere.py`"
    assert [m.group(1) for m in _MD_NAME.finditer(text)] == ["DOMAIN.md"]
    assert _OUTSIDE.search(text) is not None
    assert [m.group(1) for m in _REPO_PATH.finditer(text)] == ["src/cxcert/nowhere.py"]
    assert not _exists("DOMAIN.md", REPO / "src" / "cxcert" / "x.py")
    assert _exists("docs/domain.md", REPO / "src" / "cxcert" / "x.py")
