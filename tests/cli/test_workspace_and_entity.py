"""`cxcert init` and `cxcert entity ...` end to end in a subprocess."""

from __future__ import annotations

from pathlib import Path

from cxcert.store.db import SCHEMA_HEAD

from .runner import cxcert, environment_error, invoke, ok_json, user_error


def test_init_creates_home_and_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "new-home"
    first = ok_json(cxcert("init", "--json", home=home))  # a real process: creates the home from nothing
    again = ok_json(invoke("init", "--json", home=home))
    assert first["schema_revision"] == again["schema_revision"] == SCHEMA_HEAD
    assert (home / "cxcert.sqlite").is_file() and (home / "evidence").is_dir()
    key = home / "secrets" / "customer-key"  # made once, private, named but never shown (docs/privacy.md)
    assert first["customer_key"] == again["customer_key"] == str(key)
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().strip() not in str(first) + str(again)


def test_commands_before_init_ask_for_it(tmp_path: Path) -> None:
    line = user_error(invoke("entity", "list", home=tmp_path / "empty"))
    assert "run `cxcert init` first" in line


def test_entity_create_list_show(workspace: Path) -> None:
    listed = ok_json(invoke("entity", "list", "--json", home=workspace))
    assert [e["id"] for e in listed] == ["acme-care"]
    shown = ok_json(invoke("entity", "show", "acme-care", "--json", home=workspace))
    assert shown["organisation"] == {"id": "acme", "name": "Acme Contact Ltd", "country": "GB"}
    entity = shown["entity"]
    assert entity["standard_urn"] == "urn:cxcert:standard:copc_cx_standard-csp-2000:1.0"
    assert [loc["time_zone"] for loc in entity["locations"]] == ["Europe/London", "Africa/Johannesburg"]
    engagement = ok_json(invoke("engagement", "show", "--entity", "acme-care", "--json", home=workspace))
    assert engagement["stage"] == "entity_defined" and engagement["history"][0]["on"] == "2026-01-02"
    table = invoke("entity", "list", home=workspace)
    assert table.returncode == 0 and "Acme Customer Care" in table.stdout


def test_entity_from_yaml_file_and_its_errors_name_the_line(workspace: Path, tmp_path: Path) -> None:
    good = tmp_path / "entity.yaml"
    good.write_text(
        "organisation: {id: globex, name: Globex, country: US}\n"
        "entity:\n"
        "  id: globex-help\n"
        "  organisation_id: globex\n"
        "  name: Globex Help Desk\n"
        "  standard_urn: copc-2000-csp\n"
        "  rule_set_id: copc-2000-founding\n"
        "  locations:\n"
        "    - {id: nyc, name: New York, country: US, time_zone: America/New_York}\n"
        "  processes:\n"
        "    - {id: kcrp-voice, name: Voice, kind: kcrp}\n",
        encoding="utf-8",
    )
    created = ok_json(invoke("entity", "create", "--from-file", str(good), "--json", home=workspace))
    assert created["entity"]["processes"][0]["kind"] == "kcrp"
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("America/New_York", "Mars/Olympus"), encoding="utf-8")
    line = user_error(invoke("entity", "create", "--from-file", str(bad), home=workspace))
    assert "bad.yaml:9" in line and "Mars/Olympus" in line


def test_entity_file_names_the_programs_of_kcrps_and_sites_and_show_lists_them(
    workspace: Path, tmp_path: Path
) -> None:
    file = tmp_path / "with-sites.yaml"
    text = (
        "entity:\n  id: globex-help\n  organisation_id: acme\n  name: Globex Help Desk\n"
        "  standard_urn: copc-2000-csp\n  rule_set_id: copc-2000-founding\n  locations:\n"
        "    - {id: nyc, name: New York, country: US, time_zone: America/New_York, programs: [care, cards]}\n"
        "    - {id: lis, name: Lisbon, country: PT, time_zone: Europe/Lisbon, queues: [cards_chat]}\n"
        "  processes:\n    - {id: kcrp-voice, name: Voice care, kind: kcrp, programs: [care, cards]}\n"
    )
    file.write_text(text, encoding="utf-8")
    ok_json(invoke("entity", "create", "--from-file", str(file), "--json", home=workspace))
    entity = ok_json(invoke("entity", "show", "globex-help", "--json", home=workspace))["entity"]
    assert entity["processes"][0]["programs"] == ["care", "cards"]
    assert [(loc["programs"], loc["queues"]) for loc in entity["locations"]] == [(["care", "cards"], []),
                                                                                ([], ["cards_chat"])]  # fmt: skip
    shown = invoke("entity", "show", "globex-help", home=workspace)
    assert shown.returncode == 0 and "Voice care (care, cards)" in shown.stdout and "cards_chat" in shown.stdout
    file.write_text(text.replace("queues: [cards_chat]", "programs: [cards]"), encoding="utf-8")
    line = user_error(invoke("entity", "create", "--from-file", str(file), home=workspace))
    assert "with-sites.yaml:7" in line and "program 'cards' is claimed by locations nyc and lis" in line


def test_user_mistakes_give_one_line_and_exit_2(workspace: Path) -> None:
    assert "id:name:CC:Area/Zone" in user_error(
        invoke("entity", "create", "--id", "x", "--name", "X", "--organisation", "acme", "--location", "lon",
               home=workspace)
    )  # fmt: skip
    assert "no entity 'ghost'" in user_error(invoke("entity", "show", "ghost", home=workspace))
    assert "no packaged rule set" in user_error(
        invoke("entity", "create", "--id", "x", "--name", "X", "--organisation", "acme",
               "--location", "a:A:GB:Europe/London", "--rule-set", "nope", home=workspace)
    )  # fmt: skip


def test_duplicate_ids_are_one_line_not_an_integrity_error(workspace: Path, tmp_path: Path) -> None:
    line = user_error(
        invoke("entity", "create", "--id", "twin", "--name", "Twin", "--organisation", "acme",
               "--location", "lon:London:GB:Europe/London", "--location", "lon:Leeds:GB:Europe/London",
               home=workspace)
    )  # fmt: skip
    assert "location id 'lon' is given more than once (entries 1 and 2)" in line
    file = tmp_path / "twin.yaml"
    file.write_text(
        "entity:\n  id: twin\n  organisation_id: acme\n  name: Twin\n  standard_urn: copc-2000-csp\n"
        "  rule_set_id: copc-2000-founding\n  locations:\n"
        "    - {id: lon, name: London, country: GB, time_zone: Europe/London}\n"
        "  processes:\n    - {id: voice, name: Voice, kind: kcrp}\n    - {id: voice, name: Hiring, kind: ksp}\n",
        encoding="utf-8",
    )
    line = user_error(invoke("entity", "create", "--from-file", str(file), home=workspace))
    assert "twin.yaml:9" in line and "process id 'voice' is given more than once" in line
    assert [e["id"] for e in ok_json(invoke("entity", "list", "--json", home=workspace))] == ["acme-care"]


def test_country_and_ids_are_checked(workspace: Path) -> None:
    base = ("entity", "create", "--name", "X", "--organisation", "acme")
    line = user_error(invoke(*base, "--id", "x", "--location", "lon:London:UK:Europe/London", home=workspace))
    assert "'UK' is not an ISO 3166-1 alpha-2 country code" in line
    line = user_error(invoke(*base, "--id", "my entity", "--location", "lon:London:GB:Europe/London", home=workspace))
    assert line.startswith("error: entity: id: 'my entity' is not a simple id")
    line = user_error(
        invoke(*base, "--id", "x", "--country", "ZZ", "--location", "lon:London:GB:Europe/London", home=workspace)
    )
    assert line.startswith("error: organisation: country: 'ZZ' is not an ISO 3166-1")


def test_an_entity_does_not_move_to_another_organisation(workspace: Path) -> None:
    line = user_error(
        invoke("entity", "create", "--id", "acme-care", "--name", "Acme", "--organisation", "other",
               "--location", "lon:London:GB:Europe/London", home=workspace)
    )  # fmt: skip
    assert "entity 'acme-care' belongs to organisation 'acme', not 'other'" in line
    shown = ok_json(invoke("entity", "show", "acme-care", "--json", home=workspace))
    assert shown["entity"]["organisation_id"] == "acme" and len(shown["entity"]["locations"]) == 2
    orgs = {e["organisation_id"] for e in ok_json(invoke("entity", "list", "--json", home=workspace))}
    assert orgs == {"acme"}


def test_home_that_cannot_be_a_folder_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "passwd"
    a_file.write_text("root:x:0:0\n", encoding="utf-8")
    for home in (a_file, a_file / "below"):
        for command in (("init",), ("entity", "list")):
            line = user_error(cxcert(*command, home=home))
            assert f"CXCERT_HOME={home}" in line and "set CXCERT_HOME to a folder" in line


def test_corrupt_database_and_unsupported_url_are_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "cxcert.sqlite").write_bytes(b"\x00garbage" * 512)
    line = environment_error(cxcert("entity", "list", home=home))  # damaged storage: exit 3, not a typo
    assert "is not a readable SQLite database" in line and "cxcert init" in line
    line = user_error(cxcert("entity", "list", home=home, database_url="mysql://x"))
    assert "postgresql+psycopg://" in line
    line = environment_error(
        cxcert("entity", "list", home=home, database_url="postgresql+psycopg://u@127.0.0.1:1/x")
    )
    assert line.startswith("error: cannot use the database postgresql+psycopg://u@127.0.0.1:1/x")


def test_info_teaches_and_hides_the_database_password(tmp_path: Path) -> None:
    assert "Example:" in invoke("info", "--help", home=tmp_path).stdout
    url = "postgresql+psycopg://cx:s3cret@db.example/cxcert"
    shown = ok_json(invoke("info", "--json", home=tmp_path, database_url=url))
    assert shown["database_url"] == "postgresql+psycopg://cx:***@db.example/cxcert"
