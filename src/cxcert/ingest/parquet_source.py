"""Reading a Parquet file as the ingest's chunks: row numbers are 1-based row indices, columns come out flat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cxcert.errors import CxcertError
from cxcert.ingest.chunks import DEFAULT_CHUNK_BYTES, Chunk

PARQUET_MAGIC = b"PAR1"


def is_parquet(path: Path) -> bool:
    """Whether the file starts with the Parquet magic bytes (the extension is not trusted)."""
    with path.open("rb") as handle:
        return handle.read(4) == PARQUET_MAGIC


_PARQUET_FAILED = (pa.ArrowException, OSError)
"""What pyarrow raises on a damaged Parquet file (truncated, a corrupt page or footer, a bad encoding)."""


class ParquetSource:
    """A Parquet file; row numbers are 1-based row indices.

    Columns come out flat, as the converter reads them: dictionary-encoded values decoded, large and binary text
    as text. A column the ingest needs that holds nested values (struct, list, map) or bytes that are not UTF-8,
    a name given to two columns, and a file damaged anywhere (footer or page) are one error naming the file.
    """

    def __init__(self, path: Path, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        try:
            self._file = pq.ParquetFile(path, page_checksum_verification=True)  # where the writer wrote them
            metadata = self._file.metadata
            schema = self._file.schema_arrow
        except _PARQUET_FAILED as exc:
            raise CxcertError(f"cannot read as Parquet: {exc}", where=str(path)) from None
        self.columns = list(schema.names)
        seen: set[str] = set()
        for name in self.columns:
            if name in seen:
                raise CxcertError(f"column {name!r} appears twice in the file", where=str(path))
            seen.add(name)
        self._types = {f.name: f.type for f in schema}
        self.num_rows = int(metadata.num_rows)
        size = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        self.batch_rows = max(1, chunk_bytes * self.num_rows // size) if size else 65536

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        for name in wanted:
            kind = self._types[name]
            if pa.types.is_nested(kind) or pa.types.is_union(kind):
                raise CxcertError(
                    f"column {name!r} holds {kind} values, not one plain value per row (text, number, "
                    "true/false, date or time)",
                    where=str(self.path),
                )
        done = 0
        batches = self._file.iter_batches(batch_size=self.batch_rows, columns=wanted, use_threads=True)
        while True:
            try:
                batch = next(batches, None)
            except _PARQUET_FAILED as exc:
                raise CxcertError(f"cannot read as Parquet after row {done}: {exc}", where=str(self.path)) from None
            if batch is None:
                return
            progress = self.total_bytes * (done + batch.num_rows) // max(1, self.num_rows)
            yield Chunk(self._flat(batch), progress, done + 1)
            done += batch.num_rows

    def _flat(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with dictionaries decoded and large or binary text as plain text."""
        columns = list(batch.columns)
        changed = False
        for i, column in enumerate(columns):
            kind = column.type
            if pa.types.is_dictionary(kind):
                column, kind = column.dictionary_decode(), kind.value_type
            if pa.types.is_large_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
                try:
                    column = column.cast(pa.string())
                except pa.ArrowInvalid:
                    name = batch.schema.names[i]
                    raise CxcertError(
                        f"column {name!r} holds bytes that are not UTF-8 text", where=str(self.path)
                    ) from None
            if column is not columns[i]:
                columns[i], changed = column, True
        return pa.RecordBatch.from_arrays(columns, names=batch.schema.names) if changed else batch
