"""One reading of a typed share for every command and column (exam score, completion)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxcert.cli.shares import parse_share


@pytest.mark.parametrize(
    ("text", "share"),
    [("0.95", 0.95), ("95", 0.95), ("95%", 0.95), (" 95 % ", 0.95), ("1", 1.0), ("100", 1.0), ("0", 0.0),
     ("0.5%", 0.005), ("2", 0.02)],
)  # fmt: skip
def test_fraction_or_percentage(text: str, share: float) -> None:
    assert parse_share(text) == pytest.approx(share)


@pytest.mark.parametrize("text", ["-3", "101", "150%", "lots", ""])
def test_outside_or_not_a_number_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"as a fraction \(0\.95\) or a percentage \(95 or 95%\)"):
        parse_share(text)


@given(st.integers(min_value=2, max_value=100))
def test_a_whole_percentage_and_its_fraction_agree(percent: int) -> None:
    assert parse_share(str(percent)) == pytest.approx(parse_share(f"{percent / 100}"))
    assert parse_share(str(percent)) == pytest.approx(parse_share(f"{percent}%"))
