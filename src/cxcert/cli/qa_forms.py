"""The QA forms a command sees: the packaged ones, a user's in CXCERT_HOME/forms/, and any --forms-dir; and
`cxcert qa forms list|show`.

A user's published form version is pinned on first sight: its content hash is written to
CXCERT_HOME/forms/published_hashes.yaml, and from then on a different content under that (id, version) is refused
at load, as the packaged forms are against their shipped pins. A user's form may not redefine a packaged version
either (the registry refuses a different content under a published key). Heavy imports happen inside functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from cxcert.quality.form_pins import SourcedForm
    from cxcert.quality.form_registry import FormRegistry

forms_app = typer.Typer(
    help=(
        "QA forms: the packaged ones, yours in CXCERT_HOME/forms/ and any --forms-dir (versioned; published "
        "versions are frozen).\n\n"
        "  cxcert qa forms list\n\n"
        "  cxcert qa forms show voice_cs --version 1\n\n"
        "  cxcert qa forms list --forms-dir ./our-forms"
    ),
    no_args_is_help=True,
)
FORMS_DIR_HELP = "A folder of your own QA form files (one version per .yaml), beside the packaged ones."
PIN_HEADER = (
    "SHA-256 of each of your published QA form versions, recorded by cxcert the first time it loaded them.\n"
    "A published version is frozen: cxcert refuses it if its content changes. Publish a change as a new version."
)


def register(qa_app: typer.Typer) -> None:
    qa_app.add_typer(forms_app, name="forms")


def user_forms(forms_dir: Path | None, registry: FormRegistry) -> tuple[SourcedForm, ...]:
    """The user's form files (CXCERT_HOME/forms/ and ``forms_dir``), checked and registered in ``registry``; new
    published ones are pinned once they are all accepted."""
    from cxcert.home import cxcert_home
    from cxcert.limits import read_yaml_file
    from cxcert.quality.form_loader import PINS_FILE, load_forms_dir
    from cxcert.quality.form_pins import new_pins, parse_pins, pin_issues, pins_text
    from cxcert.reports.atomic import write_atomically
    from cxcert.standards.issues import DocumentInvalid

    home_dir = cxcert_home() / "forms"
    folders = [home_dir] if home_dir.is_dir() else []
    if forms_dir is not None:
        if not forms_dir.is_dir():
            raise CxcertError(f"--forms-dir {forms_dir}: no such folder")
        if forms_dir.resolve() != home_dir.resolve():
            folders.append(forms_dir)
    forms = [sourced for folder in folders for sourced in load_forms_dir(folder)]
    if not forms:
        return ()
    pins_path = home_dir / PINS_FILE
    pins = parse_pins(read_yaml_file(pins_path, "pins"), str(pins_path)) if pins_path.is_file() else {}
    issues = pin_issues(forms, pins, str(pins_path), complete=False)
    if issues:
        raise DocumentInvalid(issues)
    for sourced in forms:
        registry.register(sourced.form)  # refuses a different content under a packaged published version
    added = new_pins(forms, pins)
    if added:
        home_dir.mkdir(parents=True, exist_ok=True)
        text = pins_text({**pins, **added}, PIN_HEADER)
        try:
            write_atomically(pins_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError as exc:
            raise CxcertError(f"cannot pin your published forms in {pins_path}: {exc.strerror or exc}") from exc
    return tuple(forms)


def form_registry(forms_dir: Path | None = None) -> FormRegistry:
    """The packaged forms and the user's (see :func:`user_forms`)."""
    return _loaded(forms_dir)[0]


def _loaded(forms_dir: Path | None) -> tuple[FormRegistry, tuple[SourcedForm, ...]]:
    from cxcert.quality.form_registry import FormRegistry

    registry = FormRegistry.packaged()
    return registry, user_forms(forms_dir, registry)


@forms_app.command("list")
def forms_list(
    forms_dir: Path | None = typer.Option(None, "--forms-dir", help=FORMS_DIR_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the QA forms and versions: packaged, and yours (CXCERT_HOME/forms/, --forms-dir).

    Example: cxcert qa forms list --forms-dir ./our-forms --json
    """
    registry, sourced = _loaded(forms_dir)
    origins = {s.form.key: s.file for s in sourced}
    forms = list(registry)
    if json_out:
        print_json(
            [
                {"id": f.id, "version": f.version, "title": f.title, "status": str(f.status),
                 "published_on": f.published_on, "parameters": len(f.parameters), "hash": f.content_hash(),
                 "source": origins.get(f.key, "packaged")}
                for f in forms
            ]
        )  # fmt: skip
        return
    print_table(
        "QA forms",
        ("id", "version", "title", "status", "published on", "sections", "parameters", "source"),
        [(f.id, f.version, f.title, f.status, f.published_on, len(f.sections), len(f.parameters),
          origins.get(f.key, "packaged")) for f in forms],
    )  # fmt: skip


@forms_app.command("show")
def forms_show(
    form_id: str = typer.Argument(..., help="Form id, e.g. voice_cs."),
    version: int | None = typer.Option(None, help="Version (default: the latest published)."),
    forms_dir: Path | None = typer.Option(None, "--forms-dir", help=FORMS_DIR_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show a form's grid: sections with weights, parameters with points, error class, fatal rule and rationale.

    Example: cxcert qa forms show voice_cs --version 1
    """
    registry = form_registry(forms_dir)
    form = registry.get(form_id, version) if version is not None else registry.latest(form_id)
    if json_out:
        print_json({**form.model_dump(mode="json"), "content_hash": form.content_hash()})
        return
    console.print(f"[bold]{form.title}[/] ({form.label}, {form.status}, published {form.published_on})")
    print_table("Sections", ("id", "title", "weight"), [(s.id, s.title, f"{s.weight:g}") for s in form.sections])
    print_table(
        "Parameters",
        ("id", "section", "points", "weight", "error class", "fatal", "rationale"),
        [(p.id, p.section, f"{p.points:g}", f"{p.weight:g}", p.error_class, p.fatal, p.rationale)
         for p in form.parameters],
    )  # fmt: skip
