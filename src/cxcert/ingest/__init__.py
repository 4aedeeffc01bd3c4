"""Ingest: files from contact-centre systems into the canonical warehouse tables, with every row accounted for."""

from cxcert.ingest.accounting import IngestAccounting

__all__ = ["IngestAccounting"]
