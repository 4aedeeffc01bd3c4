"""Customer numbers kept out of quarantine files: the fields holding them are replaced by their keyed hashes.

A quarantined row keeps its source text (``raw``) so that it can be found and fixed, except the fields that
map to ``customer_key`` (and any other column a mapping lists under ``hash:``): there the text is the same
keyed hash the warehouse would hold (:mod:`cxcert.ingest.hashing`), so the row can still be matched against
the warehouse but the number itself is never written. A value the format reads as "no customer" (the Technion
``0``) and an empty one are kept as they are.

A line that could not be split into the header's fields (too few or too many) has no reliable column
positions: every field within the shift the line shows (``actual - expected`` places) around each personal
column's position is masked, which covers a field lost or a delimiter added anywhere before that column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.ingest.hashing import Pseudonymiser


@dataclass(frozen=True)
class PersonalFields:
    """The source columns that hold personal data, and how to mask them."""

    columns: dict[str, tuple[str, ...]]
    """Source column name to the values that are not personal (kept as they are)."""
    pseudonyms: Pseudonymiser | None
    header: list[str] = field(default_factory=list)
    """The source's columns in file order (to place the fields of a malformed CSV line)."""
    delimiter: str = ","

    def __bool__(self) -> bool:
        return bool(self.columns)

    def _mask_text(self, value: str, blank: tuple[str, ...]) -> str:
        if not value.strip() or value in blank:
            return value
        assert self.pseudonyms is not None, "personal columns need the workspace's pseudonymiser"
        return self.pseudonyms.one(value) or value

    def mask_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with each personal column's values replaced by their keyed hashes."""
        if not self.columns:
            return batch
        columns = list(batch.columns)
        for name, blank in self.columns.items():
            i = batch.schema.get_field_index(name)
            if i < 0:
                continue
            assert self.pseudonyms is not None, "personal columns need the workspace's pseudonymiser"
            text = columns[i].cast(pa.string())
            hashed = self.pseudonyms.hash(text, blank=blank)
            keep = pc.or_(pc.is_in(text, value_set=pa.array([*blank, ""], pa.string())), pc.is_null(hashed))
            columns[i] = pc.if_else(pc.fill_null(keep, True), text, hashed)
        schema = pa.schema([pa.field(f.name, c.type) for f, c in zip(batch.schema, columns, strict=True)])
        return pa.RecordBatch.from_arrays(columns, schema=schema)

    def mask_line(self, text: str) -> str:
        """The raw text of a malformed CSV line with every field that may hold a personal value masked."""
        positions = [self.header.index(c) for c in self.columns if c in self.header]
        if not positions:
            return text
        try:
            fields = [f for row in csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter) for f in row]
        except csv.Error:  # a field past the csv module's size limit: the whole line is masked, fields unknown
            return self._mask_text(text, ())
        shift = len(fields) - len(self.header)
        low, high = min(0, shift), max(0, shift)
        # Each field is masked once, with the "no one" values of every column it may belong to (two personal
        # columns side by side reach the same fields: masking twice would write a hash of a hash).
        blanks: dict[int, set[str]] = {}
        for name, position in zip((c for c in self.columns if c in self.header), positions, strict=True):
            for at in range(max(0, position + low), min(len(fields), position + high + 1)):
                blanks.setdefault(at, set()).update(self.columns[name])
        changed = False
        for at, blank in sorted(blanks.items()):
            masked = self._mask_text(fields[at], tuple(blank))
            changed |= masked != fields[at]
            fields[at] = masked
        if not changed:
            return text
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter, lineterminator="").writerow(fields)
        return out.getvalue()
