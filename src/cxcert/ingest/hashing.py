"""Pseudonymising customer numbers: HMAC-SHA-256 under the workspace's secret key (docs/privacy.md).

Plain SHA-256 of a customer number is no pseudonym: phone and account numbers are few enough to hash them all
and look the digests up. Keyed with a secret that never leaves the workspace, the same number still gives the
same key in every file (repeat contacts are found), and nobody without the key can go back to the number.

The text is hashed with its surrounding white space removed (so `` 0612`` and ``0612`` are one customer in
every format); an empty value stays empty. A whole column is hashed at once: each distinct value once, with the
HMAC's inner and outer states prepared from the key only once (two SHA-256 blocks per value, no more).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.home import customer_key

KEY_SCHEME = "hmac-sha256"
"""How the customer keys of a batch were made; recorded with every batch that holds them."""
LEGACY_SCHEME = "sha256"
"""Customer keys ingested before keyed hashing: plain SHA-256 of the number."""
_KEY_ID_LABEL = "cxcert customer key id"
_BLOCK = 64  # SHA-256's block size, the HMAC pad length


class Pseudonymiser:
    """Keyed hashes of customer numbers under one workspace key."""

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
        self.key_id = f"{KEY_SCHEME}:{self._digest(_KEY_ID_LABEL)[:16]}"
        """Names the key without revealing it (an HMAC of a fixed label): recorded with each batch, so a batch
        made under another key (a lost and remade key file) is never mixed with this one's."""

    @classmethod
    def of_workspace(cls, home: Path) -> Pseudonymiser:
        """The pseudonymiser of the workspace in ``home`` (its key is made on first use)."""
        return cls(customer_key(home))

    def _digest(self, text: str) -> str:
        inner = self._inner.copy()
        inner.update(text.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def one(self, text: str) -> str | None:
        """The key of one customer number (None for an empty one); equal to what an ingest stores."""
        stripped = text.strip()
        return self._digest(stripped) if stripped else None

    def hash(self, values: pa.Array | pa.ChunkedArray, *, blank: tuple[str, ...] = ()) -> pa.Array:
        """Hex HMAC-SHA-256 of each value; nulls, empty values and values in ``blank`` (e.g. ``"0"`` for
        "unidentified") give null."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        encoded = pc.dictionary_encode(text)
        skip = {"", *blank}
        distinct = encoded.dictionary.to_pylist()
        keys = pa.array([None if v in skip else self._digest(v) for v in distinct], pa.string())
        out: pa.Array = keys.take(encoded.indices)
        return out

    def __repr__(self) -> str:  # never the key itself
        return f"Pseudonymiser({self.key_id})"
