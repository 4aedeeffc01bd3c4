"""Survey responses: CSAT on the profile's scale, and an NPS answer from a share of respondents that agrees
with their satisfaction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from cxcert.synth import load_profile


def test_nps_answers_come_from_a_share_of_respondents_and_follow_satisfaction(small_out: Path) -> None:
    surveys: pd.DataFrame = pq.read_table(small_out / "surveys").to_pandas()
    csat = surveys[surveys.instrument == "csat"].set_index("contact_id")
    nps = surveys[surveys.instrument == "nps"].set_index("contact_id")
    profile = load_profile()
    assert set(csat.score.unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert nps.score.between(0, 10).all() and (nps.scale_min == 0).all() and (nps.scale_max == 10).all()
    # Every NPS answer belongs to a CSAT respondent; the share answering is the profile's within 4 standard
    # errors of a binomial proportion.
    assert set(nps.index) <= set(csat.index)
    share, n = len(nps) / len(csat), len(csat)
    expected = profile.surveys.nps_share
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    # Recommend = 2 x (CSAT - 1) + 2 + noise: satisfied callers recommend, so the two correlate strongly.
    both = csat[["score"]].join(nps[["score"]].rename(columns={"score": "score_nps"}), how="inner")
    assert np.corrcoef(both.score, both.score_nps)[0, 1] > 0.8
