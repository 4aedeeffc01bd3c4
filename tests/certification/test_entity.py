"""The entity's own checks: ids are simple slugs, unique per list; countries are ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from cxcert.certification.countries import iso_countries
from cxcert.certification.entity import Entity, Location, Organisation, Process, ProcessKind

from .builders import two_location_entity

LON = Location(id="lon", name="London", country="GB", time_zone="Europe/London")


def _tz_iso3166_tab() -> Path | None:
    """The IANA tz database's iso3166.tab on this machine (tzdata wheel or the system's), if any."""
    spec = importlib.util.find_spec("tzdata")
    if spec is not None and spec.origin is not None:
        wheel = Path(spec.origin).parent / "zoneinfo" / "iso3166.tab"
        if wheel.is_file():
            return wheel
    system = Path(os.environ.get("PYTHONTZPATH", "/usr/share/zoneinfo").split(os.pathsep)[0]) / "iso3166.tab"
    return system if system.is_file() else None


def test_packaged_countries_are_the_tz_databases_iso3166_list() -> None:
    # Oracle: the IANA time zone database's iso3166.tab (ISO/TC 46 N1127), which the packaged list copies.
    tab = _tz_iso3166_tab()
    if tab is None:
        pytest.skip("no IANA iso3166.tab on this machine")
    codes = {line.split("\t")[0] for line in tab.read_text(encoding="utf-8").splitlines() if not line.startswith("#")}
    assert set(iso_countries().countries) == codes
    assert len(codes) == 249  # every officially assigned ISO 3166-1 alpha-2 code


def test_country_must_exist_and_is_stored_upper_case() -> None:
    assert Location(id="x", name="X", country="gb", time_zone="Europe/London").country == "GB"
    assert iso_countries().countries["NO"] == "Norway"  # YAML 1.1 would read an unquoted NO as false
    with pytest.raises(ValidationError, match="'UK' is not an ISO 3166-1 alpha-2 country code"):
        Location(id="x", name="X", country="UK", time_zone="Europe/London")
    with pytest.raises(ValidationError, match="'XX' is not an ISO 3166-1"):
        Organisation(id="acme", name="Acme", country="XX")


@pytest.mark.parametrize("bad", ["lon don", "a:b", "-lead", "", "café/1", "x" * 101])
def test_ids_are_simple_slugs(bad: str) -> None:
    with pytest.raises(ValidationError):
        Location(id=bad, name="X", country="GB", time_zone="Europe/London")


def test_slug_accepts_letters_digits_dash_underscore_dot() -> None:
    assert Organisation(id="Acme_2.eu-west", name="Acme", country="GB").id == "Acme_2.eu-west"


def test_duplicate_location_id_is_refused_naming_it() -> None:
    entity = two_location_entity()
    twin = LON.model_copy(update={"id": "loc-us"})
    with pytest.raises(ValidationError, match=r"location id 'loc-us' is given more than once \(entries 1 and 3\)"):
        Entity.model_validate({**entity.model_dump(), "locations": [*entity.model_dump()["locations"], twin]})


def test_kcrp_and_ksp_share_one_id_space() -> None:
    processes = (
        Process(id="voice", name="Voice", kind=ProcessKind.KCRP),
        Process(id="voice", name="Hiring", kind=ProcessKind.KSP),
    )
    with pytest.raises(ValidationError, match="process id 'voice' is given more than once"):
        Entity.model_validate({**two_location_entity().model_dump(), "processes": [p.model_dump() for p in processes]})


def test_a_service_in_scope_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="service 'fulfilment' is given more than once"):
        Entity.model_validate({**two_location_entity().model_dump(), "services": ["fulfilment", "fulfilment"]})


def _with_sites(us: dict[str, list[str]], pt: dict[str, list[str]]) -> Entity:
    base = two_location_entity().model_dump()
    base["locations"] = [{**base["locations"][0], **us}, {**base["locations"][1], **pt}]
    return Entity.model_validate(base)


def test_locations_name_the_programs_and_queues_they_handle() -> None:
    entity = _with_sites({"programs": ["care", "cards"]}, {"programs": ["care_pt"], "queues": ["cards_chat"]})
    assert entity.location("loc-us").programs == ("care", "cards")
    assert entity.location("loc-pt").queues == ("cards_chat",)


def test_a_program_claimed_by_two_locations_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError, match=r"program 'care' is claimed by locations loc-us and loc-pt: a program "
                                              r"has one site; list it at one and the queues the other handles"):
        _with_sites({"programs": ["care"]}, {"programs": ["care"]})
    # The split the message suggests: the program at one site, the other site's share of it by queue.
    assert _with_sites({"programs": ["care"]}, {"queues": ["care_chat"]}).location("loc-pt").queues == ("care_chat",)


def test_a_queue_claimed_by_two_locations_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError, match="queue 'q1' is claimed by locations loc-us and loc-pt: a queue has one "):
        _with_sites({"queues": ["q1"]}, {"queues": ["q1"]})


def test_site_and_process_programs_are_distinct_slugs() -> None:
    with pytest.raises(ValidationError, match=r"program 'care' is given more than once \(entries 1 and 2\)"):
        Location(id="x", name="X", country="GB", time_zone="Europe/London", programs=("care", "care"))
    with pytest.raises(ValidationError, match="queue 'q' is given more than once"):
        Location(id="x", name="X", country="GB", time_zone="Europe/London", queues=("q", "q"))
    with pytest.raises(ValidationError, match="is not a simple id"):
        Location(id="x", name="X", country="GB", time_zone="Europe/London", programs=("retail banking",))
    with pytest.raises(ValidationError, match="program 'care' is given more than once"):
        Process(id="voice", name="Voice", kind=ProcessKind.KCRP, programs=("care", "care"))
    assert Process(id="voice", name="Voice", kind=ProcessKind.KCRP, programs=("care",)).programs == ("care",)
