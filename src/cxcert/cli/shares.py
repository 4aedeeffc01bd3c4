"""Shares typed by people (an exam score, how complete an answer is): a fraction 0.95, a percentage 95 or 95%.

One reading for every command and file column that takes a share, so `coordinator register --exam-score 95`
and an answers file's ``completion`` of ``95`` or ``95%`` mean the same 0.95. A bare number above 1 can only
be a percentage; 1 itself is the whole (100 %), not 1 %.
"""

from __future__ import annotations

SHARE_HELP = "as a fraction (0.95) or a percentage (95 or 95%)"


def parse_share(text: str) -> float:
    """``text`` as a share in [0, 1]; ValueError saying how to write one."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        value = float(cleaned.removesuffix("%").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number; write it {SHARE_HELP}") from None
    share = value / 100 if percent or value > 1 else value
    if not 0 <= share <= 1:
        raise ValueError(f"{text!r} is not between 0 and 100 %; write it {SHARE_HELP}")
    return share
