"""Where each field of a document came from, so that errors point at a line (YAML) or a cell (workbook)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    line: int
    sheet: str | None = None
    column: str | None = None


@dataclass
class SourceMap:
    """Maps field paths (as pydantic reports them: ``('categories', 0, 'items', 2, 'points')``) to locations."""

    file: str
    locations: dict[FieldPath, Location] = field(default_factory=dict)

    def record(self, path: FieldPath, location: Location) -> None:
        self.locations.setdefault(path, location)

    def locate(self, path: Sequence[str | int]) -> Location | None:
        """The location of ``path``, or of its nearest recorded ancestor (a missing field is reported where its
        parent mapping starts)."""
        probe = tuple(path)
        while True:
            found = self.locations.get(probe)
            if found is not None:
                return found
            if not probe:
                return None
            probe = probe[:-1]


def format_path(path: Sequence[str | int]) -> str:
    """``('categories', 0, 'items', 2, 'points')`` -> ``categories[0].items[2].points``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(document)"
