"""A centre profile fitted to an entity: its programs, the clock of the site that serves them, and the dates asked.

The packaged profile's programs are templates: the entity's first program takes the first template's volume
share, queues, handle times and story, the second the second's, and so on round again when the entity has more
programs than the profile. Each generated queue is named ``<program>_<channel>`` (``care_voice``, ``care_email``;
a second queue of one channel gets ``_2``). The generator runs on one clock, so the programs must be served from
sites in one zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from cxcert.errors import CxcertError
from cxcert.synth.profile import CentreProfile


def fitted_profile(
    profile: CentreProfile,
    programs: Sequence[str],
    zone_of_program: Callable[[str], str],
    *,
    start: dt.date | None = None,
) -> CentreProfile:
    """``profile`` with ``programs`` (none: the profile's own) on the one zone they are served in, from ``start``."""
    names = list(dict.fromkeys(programs))
    if names:
        templates = profile.programs
        fitted = []
        for i, name in enumerate(names):
            template = templates[i % len(templates)]
            seen: dict[str, int] = {}
            queues = []
            for queue in template.queues:
                seen[queue.channel] = seen.get(queue.channel, 0) + 1
                suffix = "" if seen[queue.channel] == 1 else f"_{seen[queue.channel]}"
                queues.append(queue.model_copy(update={"id": f"{name}_{queue.channel}{suffix}"}))
            fitted.append(template.model_copy(update={"id": name, "queues": tuple(queues)}))
        profile = profile.model_copy(update={"programs": tuple(fitted)})
    zones = {p.id: zone_of_program(p.id) for p in profile.programs}
    if len(set(zones.values())) != 1:
        raise CxcertError(
            "the generator runs a centre on one clock, but the programs are served in different zones ("
            + ", ".join(f"{p}: {z}" for p, z in sorted(zones.items()))
            + "); generate each site's programs separately (--program)"
        )
    update: dict[str, object] = {"timezone": next(iter(zones.values()))}
    if start is not None:
        update["start_date"] = start
    return CentreProfile.model_validate({**profile.model_dump(), **update})
