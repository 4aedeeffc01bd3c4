"""Row accounting of one ingest: every row read is either accepted into the warehouse or rejected to quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IngestAccounting:
    """How many rows an ingest read, accepted and rejected, and where the rejected ones went.

    The invariant ``read == accepted + rejected`` is checked on construction: nothing is ever dropped silently.
    ``quarantine`` is None when no row was rejected.
    """

    read: int
    accepted: int
    rejected: int
    quarantine: Path | None = None

    def __post_init__(self) -> None:
        if min(self.read, self.accepted, self.rejected) < 0:
            raise ValueError(f"row counts must be non-negative: {self}")
        if self.read != self.accepted + self.rejected:
            raise ValueError(
                f"row accounting broken: read {self.read} != accepted {self.accepted} + rejected {self.rejected}"
            )

    def as_json(self) -> dict[str, int | str | None]:
        """The CLI's ``--json`` shape: ``{"read", "accepted", "rejected", "quarantine"}``."""
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "quarantine": str(self.quarantine) if self.quarantine else None,
        }
