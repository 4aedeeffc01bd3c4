"""Ids and file names never become paths: every name cxcert builds from data is one safe file-name piece, and
nothing is written outside the workspace (`qa evaluate --id '../../x'`, a 244-character source name, a
standard whose family holds a '/', NUL, reserved device names).

Oracle: POSIX and Windows naming rules (no '/', no NUL, at most 255 bytes; CON, NUL, COM1... refused by
Windows with any extension); what each command writes is listed from the file system after it ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli.runner import invoke, ok_json
from cxcert.errors import CxcertError
from cxcert.file_names import MAX_PART, file_name_part, inside


@given(st.text(max_size=400))
def test_any_text_gives_one_safe_piece(text: str) -> None:
    piece = file_name_part(text)
    assert 0 < len(piece) <= MAX_PART
    assert "/" not in piece and "\\" not in piece and "\0" not in piece and ".." not in piece
    assert not piece.startswith((".", "-"))
    assert piece.isascii()
    assert piece.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("calls-2024.03", "calls-2024.03"), ("../../x", "x"), ("a/b", "a_b"), ("a\0b", "a_b"), ("", "unnamed"),
     ("nul", "_nul"), ("CON.txt", "_CON.txt"), ("..", "unnamed"), ("-rf", "rf"), ("a  b//c", "a_b_c")],
)  # fmt: skip
def test_known_names(text: str, expected: str) -> None:
    assert file_name_part(text) == expected


def test_long_names_keep_their_start_and_stay_apart() -> None:
    a, b = "x" * 243 + "a", "x" * 243 + "b"
    assert file_name_part(a) != file_name_part(b)
    assert file_name_part(a).startswith("x" * 60) and len(file_name_part(a)) == MAX_PART


def test_inside_refuses_a_way_out(tmp_path: Path) -> None:
    assert inside(tmp_path, tmp_path / "a" / "b") == tmp_path / "a" / "b"
    with pytest.raises(CxcertError, match="outside"):
        inside(tmp_path, tmp_path / ".." / "x")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_244_character_source_name_is_ingested_with_a_short_quarantine_name(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(invoke("entity", "create", "--id", "paris", "--name", "Paris", "--organisation", "acme",
                   "--location", "par:Paris:FR:Europe/Paris", "--json", home=home))  # fmt: skip
    data = tmp_path / ("c" * 240 + ".csv")
    assert len(data.name) == 244
    data.write_text("program,contact_id,queue,channel,direction,arrived_at,abandoned,wait_s\n"
                    "care,c1,q,voice,inbound,2024-03-01T08:00:00Z,false,12\n"
                    "care,c2,q,fax,inbound,2024-03-01T08:01:00Z,false,3\n", encoding="utf-8")  # fmt: skip
    before = _files(tmp_path)
    result = ok_json(invoke("ingest", "contacts", str(data), "--entity", "paris", "--json", home=home))
    assert (result["accepted"], result["rejected"]) == (1, 1)
    quarantine = Path(result["quarantine"])
    assert quarantine.parent == home / "quarantine" and len(quarantine.name.encode()) <= 255
    assert all(p.is_relative_to(home) for p in _files(tmp_path) - before)


def test_qa_evaluate_with_a_path_as_id_writes_nothing_outside(tmp_path: Path) -> None:
    home = tmp_path / "home"
    results = {"greeting": "pass", "verify_identity": "pass", "understand_need": "pass",
               "correct_resolution": "pass", "correct_account_action": "pass", "mandatory_disclosures": "pass",
               "courtesy": "pass", "hold_transfer_etiquette": "na", "closing": "pass"}  # fmt: skip
    args = [a for k, v in results.items() for a in ("--result", f"{k}={v}")]
    before = _files(tmp_path)
    out = ok_json(invoke("qa", "evaluate", "--form", "voice_cs", "--version", "1", "--agent", "a1", "--evaluator",
                         "q1", "--contact", "c1", *args, "--id", "../../x", "--entity", "site", "--program", "care",
                         "--json", home=home))  # fmt: skip
    assert out["evaluation_id"] == "../../x" and out["stored"]["evaluations"]["accepted"] == 1
    assert all(p.is_relative_to(home) for p in _files(tmp_path) - before)
    from cxcert.warehouse import Warehouse

    stored = Warehouse(home / "warehouse").table("evaluations", "site").to_pandas()
    assert stored.evaluation_id.tolist() == ["../../x"]  # the id is data, kept as given
    assert "/" not in stored.source.iloc[0]


def test_standard_export_names_its_default_workbook_safely(tmp_path: Path) -> None:
    from cxcert.cli.standard import _default_workbook
    from cxcert.standards import library

    standard = library.standard("copc-2000-csp")
    key = standard.key.model_copy(update={"family": "ISO/IEC ../27001"})
    odd = standard.model_copy(update={"key": key})
    path = _default_workbook(odd, "some standard")
    assert path.parent == Path(".") and os.sep not in path.name and ".." not in path.name
    assert path.name == "iso_iec_27001-csp-2000-template.xlsx"


def test_bulk_import_quarantine_is_named_safely_and_formula_safe(tmp_path: Path) -> None:
    import csv

    from cxcert.cli.row_import import RejectedRow, quarantine

    rejected = (RejectedRow(2, "answer", "not a number", {"answer": "=1+1", "item": "1.1"}),)
    written = quarantine(tmp_path, Path("a" * 240 + ".csv"), rejected)
    assert written is not None
    path = Path(written)
    assert path.parent == tmp_path / "quarantine" and len(path.name.encode()) <= 255
    with path.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["row"], row["answer"], row["item"]) == ("2", "'=1+1", "1.1")
