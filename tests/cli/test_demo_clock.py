"""The demo's synthetic centre runs on the clock of the site that serves it.

The KPI engine counts each contact on its site's clock (performance/site_zones.py), so a centre generated on
another zone would open an hour early or late in every interval and day KPI. The demo scenario
(certification/data/demo_scenario.yaml) puts the generated programs at Columbus (America/New_York) and only the
e-mail and chat queues of two of them at Lisbon: an offshore team serving US customers, on their clock.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.demo_scenario import build_demo_scenario
from cxcert.certification.entity import Entity
from cxcert.cli.demo_performance import centre_zone
from cxcert.errors import CxcertError
from cxcert.synth import load_profile

TODAY = dt.date(2026, 11, 22)


def _entity() -> Entity:
    return build_demo_scenario(TODAY).entity


def test_the_centre_runs_on_the_zone_of_the_site_serving_its_programs() -> None:
    entity = _entity()
    columbus = next(loc for loc in entity.locations if loc.id == "loc-columbus")
    assert centre_zone(entity, load_profile()) == columbus.time_zone == "America/New_York"
    # the serving site decides, not the order the locations are listed in
    lisbon_first = entity.model_copy(update={"locations": tuple(reversed(entity.locations))})
    assert lisbon_first.locations[0].time_zone == "Europe/Lisbon"
    assert centre_zone(lisbon_first, load_profile()) == "America/New_York"


def test_programs_served_on_two_clocks_are_refused() -> None:
    entity = _entity()
    columbus, lisbon = entity.locations
    split = entity.model_copy(
        update={
            "locations": (
                columbus.model_copy(update={"programs": ("retail_banking", "card_services")}),
                lisbon.model_copy(update={"programs": ("tech_support",)}),
            )
        }
    )
    with pytest.raises(CxcertError, match=r"tech_support: Europe/Lisbon"):
        centre_zone(split, load_profile())
