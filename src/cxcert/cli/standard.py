"""`cxcert standard ...`: the library of standards, rule sets and crosswalks, validation and Excel authoring."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from cxcert.cli import standard_show
from cxcert.cli.output import console, err_console, print_json, print_mapping, print_table
from cxcert.cli.standard_show import standard_summary
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the standards (pydantic) and Excel (openpyxl) load only when a command runs
    from cxcert.standards.issues import ValidationIssue
    from cxcert.standards.parsing import ParsedDocument
    from cxcert.standards.rule_set import RuleSet
    from cxcert.standards.schema import Crosswalk, Item, Standard

app = typer.Typer(
    name="standard",
    help=(
        "Standards as versioned data: list and show the packaged standards, rule sets and crosswalks, "
        "validate your own YAML files, and author a standard in Excel.\n\n"
        "Example: `cxcert standard list`, then `cxcert standard show copc-2000-csp --items`."
    ),
    no_args_is_help=True,
)

JSON_HELP = "Print JSON instead of tables."


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="standard")



def _rule_set_summary(rules: RuleSet) -> dict[str, Any]:
    return {
        "id": rules.id,
        "title": rules.title,
        "standard": rules.standard.urn,
        "effective_from": rules.effective_from.isoformat(),
        "decision_classes": [c.name for c in rules.ordered_classes()],
        "points_pass_mark": rules.points_view.pass_mark if rules.points_view else None,
        "recertification_interval_months": rules.recertification_interval_months,
    }


def _crosswalk_summary(cw: Crosswalk) -> dict[str, Any]:
    return {"id": cw.id, "title": cw.title, "source": cw.source.urn, "target": cw.target.urn, "links": len(cw.links)}


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the packaged standards, rule sets and crosswalks.

    Every standard is keyed by family, variant, release and document version (its URN); a rule set turns an
    audit of one standard into a decision; a crosswalk links the items of two standards.

    Example: `cxcert standard list --json | jq '.standards[].urn'`
    """
    from cxcert.standards import library

    standards = [standard_summary(s) for s in library.packaged_standards()]
    rule_sets = [_rule_set_summary(r) for r in library.packaged_rule_sets()]
    crosswalks = [_crosswalk_summary(c) for c in library.crosswalks()]
    if json_out:
        print_json({"standards": standards, "rule_sets": rule_sets, "crosswalks": crosswalks})
        return
    print_table(
        "Standards",
        ("urn", "title", "items", "scorable", "points"),
        [(s["urn"], s["title"], s["items"], s["scorable_items"], s["total_points"]) for s in standards],
    )
    print_table(
        "Rule sets",
        ("id", "standard", "classes", "pass mark", "re-cert (months)"),
        [
            (
                r["id"],
                r["standard"],
                " > ".join(r["decision_classes"]),
                r["points_pass_mark"],
                r["recertification_interval_months"],
            )
            for r in rule_sets
        ],
    )
    print_table(
        "Crosswalks",
        ("id", "source", "target", "links"),
        [(c["id"], c["source"], c["target"], c["links"]) for c in crosswalks],
    )


standard_show.register(app)  # standard show: a standard, a rule set or a crosswalk


def _points(items: tuple[Item, ...]) -> int:
    return sum(i.points for i in items)


def _describe(parsed: ParsedDocument) -> str:
    from cxcert.standards.rule_set import RuleSet
    from cxcert.standards.schema import Standard

    doc = parsed.document
    if isinstance(doc, Standard):
        return f"standard {doc.key.urn}: {len(doc.items())} items, {doc.total_points} points"
    if isinstance(doc, RuleSet):
        return f"rule set {doc.id} for {doc.standard.urn}"
    return f"crosswalk {doc.source.urn} -> {doc.target.urn}: {len(doc.links)} links"


def _print_issues(issues: list[ValidationIssue]) -> None:
    from cxcert.standards.issues import Level

    for issue in issues:
        colour = "red" if issue.level is Level.ERROR else "yellow"
        err_console.print(f"[{colour}]{escape(str(issue))}[/]", highlight=False, soft_wrap=True)


@app.command("validate")
def validate(
    files: list[Path] = typer.Argument(..., help="YAML files: standards, rule sets or crosswalks."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check standard, rule set and crosswalk YAML files; exit 0 if all are valid, 2 otherwise.

    Each problem is printed on stderr as FILE:LINE: FIELD: MESSAGE (bad YAML, missing or unknown fields,
    duplicate item numbers or requirement ids, points not adding up to total_points, unknown metrics,
    crosswalk links to items that do not exist, inconsistent rule-set thresholds). Files given together
    may refer to each other: a crosswalk resolves standards among them before the packaged ones.

    Example: `cxcert standard validate my-standard.yaml my-crosswalk.yaml`
    """
    from cxcert.standards.issues import errors_in
    from cxcert.standards.loader import validate_files

    results = validate_files(files)
    invalid = False
    payload = []
    for path, (parsed, issues) in results.items():
        errors = errors_in(issues)
        invalid = invalid or bool(errors) or parsed is None
        payload.append(
            {
                "file": str(path),
                "valid": not errors and parsed is not None,
                "kind": parsed.kind if parsed else None,
                "issues": [i.to_dict() for i in issues],
            }
        )
        if not json_out:
            _print_issues(issues)
            if parsed is not None and not errors:
                console.print(f"{escape(str(path))}: ok ({escape(_describe(parsed))})", highlight=False)
    if json_out:
        print_json(payload)
    if invalid:
        raise typer.Exit(2)


_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@app.command("export")
def export(
    args: list[str] = typer.Argument(
        None,
        metavar="[STANDARD] [OUT.xlsx]",
        help="Standard to fill the workbook with (omit for a blank template); a name ending in .xlsx is where "
        "to write it (same as --out).",
        show_default=False,
    ),
    excel: bool = typer.Option(False, "--excel", help="Write the Excel authoring workbook."),
    out: Path | None = typer.Option(
        None, "--out", help="Where --excel writes (default: ./STANDARD-template.xlsx, or ./cxcert-template.xlsx)."
    ),
    yaml_out: Path | None = typer.Option(None, "--yaml", help="Write the standard as YAML here (needs a standard)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write an Excel authoring template (blank, or filled with a packaged standard), or a standard as YAML.

    Fill the workbook with the licensed text you hold, then load it with `cxcert standard import`. Without
    --out the workbook is written to the current folder as STANDARD-template.xlsx (cxcert-template.xlsx when
    blank), never over an existing file.

    Examples: `cxcert standard export copc-2000-csp --excel` (writes ./copc-2000-csp-template.xlsx);
    `cxcert standard export --excel --out template.xlsx`; `cxcert standard export copc-2000-csp --yaml copc.yaml`
    """
    from cxcert.standards import excel as workbook
    from cxcert.standards import library
    from cxcert.standards.dump import dump_yaml

    ref, excel_out = _export_arguments(args or [], out)
    excel = excel or excel_out is not None
    if not excel and yaml_out is None:
        raise CxcertError("say what to write: --excel (with --out OUT.xlsx if you like) or --yaml OUT.yaml")
    std = library.standard(ref) if ref else None
    written: dict[str, str] = {}
    if excel:
        if excel_out is None:
            excel_out = _default_workbook(std, ref)
            if excel_out.exists():
                raise CxcertError(f"{excel_out} exists already; give --out PATH to write elsewhere or over it")
        _writable(excel_out)
        workbook.export_template(std, excel_out)
        written["excel"] = str(excel_out)
    if yaml_out is not None:
        if std is None:
            raise CxcertError("--yaml needs a standard to export (give its URN or file stem)")
        _writable(yaml_out)
        yaml_out.write_text(dump_yaml(std), encoding="utf-8")
        written["yaml"] = str(yaml_out)
    result = {"standard": std.key.urn if std else None, **written}
    if json_out:
        print_json(result)
    else:
        print_mapping("Exported", {k: v if v is not None else "(blank template)" for k, v in result.items()})


def _default_workbook(std: Standard | None, ref: str | None) -> Path:
    """./copc-2000-csp-template.xlsx: the name the standard was asked by when it is a file stem, else from its key."""
    if std is None or ref is None:
        return Path("cxcert-template.xlsx")
    from cxcert.file_names import file_name_part

    simple = ref.strip() if re.fullmatch(r"[\w.-]+", ref.strip()) else None
    stem = simple or "-".join(p.lower().replace(" ", "_") for p in (std.key.family, std.key.variant, std.key.release))
    return Path(f"{file_name_part(stem)}-template.xlsx")  # 'ISO/IEC 27001' names a file, not a folder


def _export_arguments(args: list[str], out: Path | None) -> tuple[str | None, Path | None]:
    """(standard, workbook path) from the positional words: a word ending in .xlsx is the path (as once given
    to ``--excel PATH``), any other the standard; at most one of each."""
    paths = [a for a in args if a.lower().endswith(_WORKBOOK_SUFFIXES)]
    refs = [a for a in args if a not in paths]
    if len(paths) > 1 or len(refs) > 1 or (paths and out is not None):
        raise CxcertError(f"export takes at most one standard and one OUT.xlsx; got: {' '.join(args)}"
                          + (f" and --out {out}" if out is not None else ""))  # fmt: skip
    return (refs[0] if refs else None), (Path(paths[0]) if paths else out)


def _writable(path: Path) -> None:
    if not path.parent.exists():
        raise CxcertError(f"cannot write {path}: folder {path.parent} does not exist")


@app.command("import")
def import_(
    workbook: Path = typer.Argument(..., help="The filled authoring workbook (.xlsx)."),
    out: Path | None = typer.Option(None, "--out", help="YAML file to write (default: next to the workbook)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Load a full standard from an Excel authoring workbook, validate it, and write it as YAML.

    Problems are printed as FILE:Sheet!CELL: FIELD: MESSAGE and the command exits 2. The YAML written can
    be checked again with `cxcert standard validate`.

    Example: `cxcert standard import copc-licensed.xlsx --out copc-licensed.yaml`
    """
    from cxcert.standards import excel
    from cxcert.standards.dump import dump_yaml
    from cxcert.standards.issues import errors_in
    from cxcert.standards.schema import Standard

    parsed, issues = excel.read_workbook(workbook)
    if parsed is None or errors_in(issues):
        _print_issues(issues)
        raise typer.Exit(2)
    _print_issues(issues)  # warnings only
    std = parsed.document
    assert isinstance(std, Standard)
    target = out or workbook.with_suffix(".yaml")
    _writable(target)
    target.write_text(dump_yaml(std), encoding="utf-8")
    result = {**standard_summary(std), "out": str(target), "warnings": len(issues)}
    if json_out:
        print_json(result)
    else:
        print_mapping("Imported", result)
