"""Dates on the command line: ISO 8601 (YYYY-MM-DD), with the option named in the error."""

from __future__ import annotations

import datetime as dt

from cxcert.errors import CxcertError


def parse_date(text: str | None, option: str, *, default: dt.date | None = None) -> dt.date:
    """``text`` as a date; ``default`` (else today) when it is None; a bad date names ``option``."""
    if text is None:
        return default or dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CxcertError(f"{option}: {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-03-31") from None


def optional_date(text: str | None, option: str) -> dt.date | None:
    """``text`` as a date, or None when absent or empty."""
    if text is None or not text.strip():
        return None
    return parse_date(text, option)
