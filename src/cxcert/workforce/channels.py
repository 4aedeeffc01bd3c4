"""Staffing the channels that are not voice, each with its own model (parameters in ``data/channel_models.yaml``).

Chat: agents handle several chats at once. Erlang C runs on the effective handle time, the chat's wall-clock
handle time divided by the concurrency factor of the agents' concurrency (Call Centre Helper's method; the
factors are data), so service level, ASA and the probability of waiting keep their Erlang C meaning for a chat
waiting for a free slot.

E-mail: a backlog, not a queue of callers, so no Erlang. Work that arrives must be done within the response
window R: the agents needed at interval t are the hours of work that arrived in the window (t − R, t] divided by R
and by the productive share (maximum occupancy). With arrivals steady over the window this is the work rate itself,
volume × AHT / interval; with uneven arrivals a peak is spread over the window that follows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field

from cxcert.errors import CxcertError
from cxcert.workforce.erlang_b import FloatArray
from cxcert.yaml_source import load_packaged


class ChatModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    default_concurrency: int = Field(ge=1)
    concurrency_factors: dict[int, float]
    source: str = Field(min_length=1)


class EmailModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    response_h: float = Field(gt=0)
    source: str = Field(min_length=1)


class ChannelModels(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    effective_from: dt.date
    chat: ChatModel
    email: EmailModel


@lru_cache(maxsize=1)
def channel_models() -> ChannelModels:
    """The packaged channel parameters, validated (errors name the file, line and field)."""
    return load_packaged("cxcert.workforce", "channel_models.yaml", ChannelModels)


def concurrency_factor(concurrency: int, models: ChannelModels | None = None) -> float:
    """How many chats' worth of work an agent set to ``concurrency`` chats does at once (the packaged table)."""
    factors = (models or channel_models()).chat.concurrency_factors
    if concurrency not in factors:
        known = ", ".join(str(k) for k in sorted(factors))
        raise CxcertError(f"no concurrency factor for {concurrency} chats at once; channel_models.yaml has {known}")
    return factors[concurrency]


def effective_chat_aht(aht_s: ArrayLike, concurrency: int, models: ChannelModels | None = None) -> FloatArray:
    """The handle time Erlang C uses for chat: the chat's handle time / the concurrency factor."""
    return np.asarray(aht_s, dtype=np.float64) / concurrency_factor(concurrency, models)


@dataclass(frozen=True)
class EmailStaffing:
    """Agents per interval for a backlog channel (unrounded) and the hours of work behind them."""

    response_s: float
    work_hours: FloatArray  # hours of work arriving in each interval
    window_hours: FloatArray  # hours of work that arrived in the response window ending with each interval
    agents: FloatArray  # window work / window length / max occupancy


def email_staffing(
    volumes: ArrayLike, aht_s: ArrayLike, interval_s: float, response_s: float, max_occupancy: float = 1.0
) -> EmailStaffing:
    """Agents per interval for consecutive intervals of ``interval_s`` (one queue, in time order) so that the work
    arriving in any interval is done within ``response_s``. Before the first interval arrivals are taken as steady
    (the first interval's work repeated), so a single interval gives its work rate."""
    v = np.asarray(volumes, dtype=np.float64).ravel()
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), v.shape)
    if response_s <= 0 or interval_s <= 0:
        raise CxcertError("the response time and the interval must be > 0")
    if not 0 < max_occupancy <= 1:
        raise CxcertError(f"maximum occupancy must be in (0, 1], got {max_occupancy}")
    if v.size and (np.any(~np.isfinite(v)) or np.any(v < 0) or np.any(~(aht > 0))):
        raise CxcertError("e-mail volumes must be >= 0 and handle times > 0")
    work_s = v * aht
    # the window ending with interval t spans `span` intervals (the last one in part when R is not a multiple)
    span = response_s / interval_s
    whole, part = int(np.floor(span)), span - np.floor(span)
    padded = np.concatenate([np.full(whole + 1, work_s[0] if v.size else 0.0), work_s])
    cumulative = np.concatenate([[0.0], np.cumsum(padded)])
    end = np.arange(whole + 1, whole + 1 + v.size) + 1  # index just past interval t in `padded`
    window_s = cumulative[end] - cumulative[end - whole] + part * padded[end - whole - 1]
    agents = window_s / response_s / max_occupancy
    return EmailStaffing(response_s, work_s / 3600.0, window_s / 3600.0, np.asarray(agents, dtype=np.float64))
