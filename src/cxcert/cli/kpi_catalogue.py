"""The KPI catalogue a command computes with: the packaged one, then the user's ``CXCERT_HOME/kpis.yaml``, then
``--param metric.name=value`` options. Every change is validated (see :mod:`cxcert.performance.overrides`).

Commands that compute KPIs (``cxcert kpi``, and ``cxcert evidence`` through :func:`effective_catalogue`) pass
the result as ``catalogue=`` to the engine, so a user's threshold or window is used everywhere the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxcert.performance.catalogue import Catalogue

USER_CATALOGUE = "kpis.yaml"
PARAM_OPTION_HELP = (
    "Override a catalogue parameter for this run, METRIC.PARAMETER=VALUE (repeatable), e.g. "
    "service_level.threshold_s=30, service_level.abandon_treatment=count_all, fcr.repeat_window=3; checked "
    "against the parameter's type and range (`cxcert kpi list`). Lasting changes go in CXCERT_HOME/kpis.yaml."
)


def user_catalogue_path() -> Path:
    from cxcert.home import cxcert_home

    return cxcert_home() / USER_CATALOGUE


def effective_catalogue(params: Sequence[str] = ()) -> Catalogue:
    """The packaged catalogue with the user's file (when there is one) and then ``params`` applied."""
    from cxcert.limits import read_yaml_file
    from cxcert.performance.catalogue import default_catalogue
    from cxcert.performance.overrides import parse_user_catalogue, with_params

    catalogue = default_catalogue()
    path = user_catalogue_path()
    if path.is_file():
        text = read_yaml_file(path, "kpis")  # size and encoding checked before parsing
        catalogue = parse_user_catalogue(text, where=str(path), base=catalogue)
    return with_params(catalogue, params) if params else catalogue
