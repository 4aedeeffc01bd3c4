"""Profile YAML mistakes are reported with the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.errors import CxcertError, ValidationFailed
from cxcert.synth import load_profile
from cxcert.synth.profile_loader import DEFAULT_PROFILE

PACKAGED = Path(__file__).resolve().parents[2] / "src" / "cxcert" / "synth" / "data" / DEFAULT_PROFILE


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = PACKAGED.read_text(encoding="utf-8")
    assert text.count(old) == 1
    line = text[: text.index(old)].count("\n") + 1
    path = tmp_path / "centre.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, line


def test_the_packaged_profile_loads() -> None:
    profile = load_profile()
    assert profile.timezone == "America/Chicago"
    assert {q.id for _, q in profile.queues} == {"rb_voice", "rb_email", "cs_voice", "cs_chat", "ts_voice"}


def test_a_bad_value_names_file_line_and_field(tmp_path: Path) -> None:
    path, line = _broken(tmp_path, "    share: 0.35\n", "    share: -0.35\n")
    with pytest.raises(ValidationFailed) as caught:
        load_profile(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}: programs[1].share:" in message
    assert "greater than 0" in message


def test_an_unknown_curve_is_named(tmp_path: Path) -> None:
    path, _ = _broken(tmp_path, "        curve: chat\n", "        curve: chatty\n")
    with pytest.raises(ValidationFailed, match="no curve named 'chatty'"):
        load_profile(path)


def test_a_missing_field_points_at_its_parent(tmp_path: Path) -> None:
    path, _ = _broken(tmp_path, "  minimum_agents: 2\n", "")
    with pytest.raises(ValidationFailed) as caught:
        load_profile(path)
    assert "staffing.minimum_agents: Field required" in str(caught.value)
    text = path.read_text(encoding="utf-8").splitlines()
    reported = int(str(caught.value).split("line ")[1].split(":")[0])
    assert text[reported - 1].startswith("staffing:")


def test_yaml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path, _ = _broken(tmp_path, "currency: USD\n", "currency: [USD\n")
    with pytest.raises(CxcertError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value) and "invalid YAML" in str(caught.value)


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(CxcertError, match="cannot read the profile"):
        load_profile(tmp_path / "nope.yaml")
