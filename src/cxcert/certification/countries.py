"""The countries a location or organisation may name: ISO 3166-1 alpha-2 codes kept as packaged data.

The list ships with cxcert (``data/countries.yaml``) rather than being read from the machine's time zone
database, because a fresh install need not have one (the ``tzdata`` wheel is not a dependency everywhere).
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from cxcert.standards.schema import Frozen
from cxcert.yaml_source import load_packaged


class CountryList(Frozen):
    source_note: str
    countries: dict[str, str] = Field(min_length=1, description="alpha-2 code -> English name")


@cache
def iso_countries() -> CountryList:
    """The packaged list."""
    return load_packaged("cxcert.certification", "countries.yaml", CountryList)


def country_code(value: str) -> str:
    """``value`` as an upper-case ISO 3166-1 alpha-2 code that exists; ValueError naming it otherwise."""
    code = value.strip().upper()
    if code not in iso_countries().countries:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. GB, US, ZA)")
    return code
