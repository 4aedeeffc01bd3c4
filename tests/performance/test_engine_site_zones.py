"""Each row in its own site's zone: an entity with a New York site and a Lisbon site counts a Lisbon program's
(or queue's) contacts on Lisbon's calendar. Oracle: the tz database (March 2024: New York EST, UTC-5, until
10 March, then EDT, UTC-4; Lisbon WET, UTC+0, until 31 March, then WEST, UTC+1)."""

from __future__ import annotations

import datetime as dt

from cxcert.certification.entity import Entity, Location
from cxcert.performance.engine import compute
from cxcert.performance.periods import DAY, Grain, GrainKind
from cxcert.performance.site_zones import SiteZones, entity_site_zones

from .tables import contact, tables, utc

NY, LISBON = "America/New_York", "Europe/Lisbon"
MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
ZONES = SiteZones(NY, queues={"lx_chat": LISBON}, programs={"care_pt": LISBON})


def _days(zones: SiteZones | None) -> list[tuple[object, ...]]:
    t = tables(
        contacts=[
            # 5 March 02:30 UTC: 4 March 21:30 in New York, 5 March 02:30 in Lisbon.
            contact("ny", utc(2024, 3, 5, 2, 30), wait=10, program="care_us"),
            contact("pt", utc(2024, 3, 5, 2, 30), wait=20, program="care_pt"),
            contact("q", utc(2024, 3, 5, 2, 30), wait=30, program="care_us", queue="lx_chat"),  # queue in Lisbon
            # 1 April 01:30 UTC: 31 March 21:30 in New York (in the window), 1 April 02:30 in Lisbon (out of it).
            contact("ny2", utc(2024, 4, 1, 1, 30), wait=40, program="care_us"),
            contact("pt2", utc(2024, 4, 1, 1, 30), wait=50, program="care_pt"),
        ]
    )
    result = compute("asa", t, grain=DAY, tz=NY, start=MARCH[0], end=MARCH[1], by=("program", "queue"), zones=zones)
    return [(r["period_start"].day, r["program"], r["queue"], r["numerator"]) for r in result.rows()]  # type: ignore[attr-defined]


def test_rows_are_bucketed_and_windowed_in_their_sites_zone() -> None:
    assert _days(ZONES) == [
        (4, "care_us", "q1", 10.0),
        (5, "care_pt", "q1", 20.0),
        (5, "care_us", "lx_chat", 30.0),
        (31, "care_us", "q1", 40.0),
    ]
    # The single-zone behaviour is unchanged: everything on New York's clock, pt2 inside March too.
    assert _days(None) == [
        (4, "care_pt", "q1", 20.0),
        (4, "care_us", "lx_chat", 30.0),
        (4, "care_us", "q1", 10.0),
        (31, "care_pt", "q1", 50.0),
        (31, "care_us", "q1", 40.0),
    ]


def test_intervals_are_keyed_in_utc_and_labelled_in_the_entitys_zone() -> None:
    t = tables(contacts=[contact("pt", utc(2024, 3, 5, 9, 10), wait=20, program="care_pt")])
    hours = compute("asa", t, grain=Grain(GrainKind.INTERVAL, 3600), tz=NY, start=MARCH[0], end=MARCH[1],
                    zones=ZONES)  # fmt: skip
    assert [r["period_start"].isoformat() for r in hours.rows()] == ["2024-03-05T04:00:00-05:00"]  # type: ignore[attr-defined]
    assert any(s.rule == "zones" and "program care_pt: Europe/Lisbon" in s.conclusion for s in hours.explanation.steps)


def _entity(*locations: Location) -> Entity:
    return Entity(id="ent-1", organisation_id="org", name="Care", standard_urn="urn:x", rule_set_id="rs",
                  locations=locations)  # fmt: skip


def test_the_entitys_locations_give_the_zones_of_their_programs_and_queues() -> None:
    nyc = Location(id="nyc", name="New York", country="US", time_zone=NY, programs=("care_us",), queues=("us_mail",))
    lisbon = Location(id="lis", name="Lisbon", country="PT", time_zone=LISBON, programs=("care_pt",),
                      queues=("lx_chat",))  # fmt: skip
    assert entity_site_zones(_entity(nyc, lisbon)) == SiteZones(
        NY, queues={"us_mail": NY, "lx_chat": LISBON}, programs={"care_us": NY, "care_pt": LISBON}
    )
    # Locations that name nothing: one clock, the first location's (the engine's default).
    assert entity_site_zones(_entity(Location(id="nyc", name="New York", country="US", time_zone=NY))) is None
