"""The generator's QA form is packaged data: generated evaluations pin cxcert-demo-form v1 and score on it."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cxcert.errors import CxcertError
from cxcert.quality.form_registry import FormRegistry
from cxcert.quality.scoring import score_batch
from cxcert.synth import generate, load_profile
from cxcert.synth.quality_data import form_grid


def test_the_default_profile_pins_a_packaged_form_with_the_same_grid() -> None:
    quality = load_profile().quality
    form = FormRegistry.packaged().get(quality.form_id, quality.form_version)
    assert form.label == "cxcert-demo-form v1" and form.status == "published"
    grid = {pid: (error_class, points) for pid, error_class, points in form_grid(quality)}
    assert grid == {p.id: (str(p.error_class), p.weighted_points) for p in form.parameters}


def test_a_profile_that_drifted_from_its_form_is_refused() -> None:
    quality = load_profile().quality
    changed = quality.model_copy(
        update={"parameters": (quality.parameters[0].model_copy(update={"points": 50.0}), *quality.parameters[1:])}
    )
    with pytest.raises(CxcertError, match="parameter greeting is non_critical, 50 points in the profile but"):
        form_grid(changed)
    fewer = quality.model_copy(update={"parameters": quality.parameters[1:]})
    with pytest.raises(CxcertError, match="are not the form's"):
        form_grid(fewer)


def test_generated_evaluations_score_on_the_form_they_pin(tmp_path: Path) -> None:
    """A small run: every item is a parameter of the pinned form, every stored points value is what the form gives
    a pass (its weighted points) or a fail (0), and the whole batch scores without an unknown parameter."""
    out = tmp_path / "run"
    generate(out, contacts=3_000, months=1, seed=11, profile=load_profile(), entity_id="t")
    evaluations = pq.read_table(out / "evaluations").to_pandas()
    items = pq.read_table(out / "evaluation_items").to_pandas()
    assert set(zip(evaluations["form_id"], evaluations["form_version"], strict=True)) == {("cxcert-demo-form", 1)}
    form = FormRegistry.packaged().get("cxcert-demo-form", 1)
    points = {p.id: p.weighted_points for p in form.parameters}
    passed = items[items["result"] == "pass"]
    assert (passed["points"] == passed["parameter_id"].map(points)).all()
    assert (items.loc[items["result"] == "fail", "points"] == 0).all()
    scores = score_batch(items, FormRegistry.packaged(), evaluations).frame
    assert len(scores) == len(evaluations) > 0
