"""`cxcert standard show REF`: one packaged standard, rule set or crosswalk, as tables or as JSON.

A rule set shows its decision classes with their thresholds, its pass marks, calendar offsets and grace periods,
the authorities by jurisdiction and what each kind of assessment produces; a crosswalk shows its links with the
titles of the items on both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from cxcert.cli.output import console, print_json, print_mapping, print_table
from cxcert.errors import NotFound

if TYPE_CHECKING:  # the standards (pydantic) load only when the command runs
    from cxcert.standards.rule_set import RuleSet
    from cxcert.standards.schema import Crosswalk, Standard, StandardKey

# Rule-set fields shown in their own tables (or as the header), not in the list of settings.
_RULE_SET_TABLES = ("id", "title", "standard", "source_note", "decision_classes", "points_view", "authorities",
                    "assessment_outcomes")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("show")(show)


def standard_summary(std: Standard) -> dict[str, Any]:
    return {
        "urn": std.key.urn,
        "family": std.key.family,
        "variant": std.key.variant,
        "release": std.key.release,
        "document_version": std.key.document_version,
        "title": std.title,
        "published": std.published.isoformat(),
        "categories": len(std.categories),
        "items": len(std.items()),
        "scorable_items": len(std.scorable_items()),
        "total_points": std.total_points,
    }


def show(
    ref: str = typer.Argument(
        ...,
        help="A standard (URN, family/variant/release/version or file stem: copc-2000-csp), a rule set id "
        "(copc-2000-founding) or a crosswalk id (crosswalk-iso18295-1-copc-2000).",
    ),
    items: bool = typer.Option(False, "--items", help="For a standard: list every item, not just the categories."),
    json_out: bool = typer.Option(
        False, "--json", help="Print JSON instead of tables: the whole document, with its 'kind'."
    ),
) -> None:
    """Show one packaged standard, rule set or crosswalk (see `cxcert standard list` for what there is).

    A standard: its categories (role, items, points) and, with --items, every item. A rule set: its decision
    classes and thresholds, pass marks, calendar offsets, grace periods, authorities by jurisdiction and the
    outcome of each kind of assessment. A crosswalk: its links between the items of two standards.

    Examples: `cxcert standard show copc-2000-csp --items`; `cxcert standard show copc-2000-founding`;
    `cxcert standard show crosswalk-iso18295-1-copc-2000 --json`
    """
    from cxcert.standards.schema import Crosswalk, Standard

    document = _find(ref)
    if isinstance(document, Standard):
        _show_standard(document, items=items, json_out=json_out)
    elif isinstance(document, Crosswalk):
        _show_crosswalk(document, json_out=json_out)
    else:
        _show_rule_set(document, json_out=json_out)


def _find(ref: str) -> Standard | RuleSet | Crosswalk:
    """The packaged standard, rule set or crosswalk ``ref`` names, tried in that order."""
    from cxcert.standards import library

    try:
        return library.standard(ref)
    except NotFound as exc:
        no_standard = str(exc)
    try:
        return library.rule_set(ref)
    except NotFound:
        pass
    try:
        return library.crosswalk(ref)
    except NotFound:
        pass
    rule_sets = ", ".join(r.id for r in library.packaged_rule_sets())
    crosswalks = ", ".join(c.id for c in library.crosswalks())
    raise NotFound(f"{no_standard}; nor is it a rule set ({rule_sets}) or a crosswalk ({crosswalks})")


def _show_standard(std: Standard, *, items: bool, json_out: bool) -> None:
    from cxcert.standards import library

    try:
        default_rules: str | None = library.default_rule_set(std).id
    except NotFound:
        default_rules = None
    if json_out:
        print_json({"kind": "standard", "urn": std.key.urn, "default_rule_set": default_rules,
                    **std.model_dump(mode="json")})  # fmt: skip
        return
    print_mapping(std.title, {**standard_summary(std), "default_rule_set": default_rules or "(none)"})
    print_table(
        "Categories",
        ("number", "title", "role", "items", "scorable", "points"),
        [
            (c.number, c.title, str(c.role), len(c.items), sum(i.scorable for i in c.items),
             sum(i.points for i in c.items))
            for c in std.categories
        ],
    )  # fmt: skip
    if items:
        print_table(
            "Items",
            ("number", "title", "points", "scorable", "requirements", "required metrics"),
            [
                (i.number, i.title, i.points, "yes" if i.scorable else "no", len(i.requirements),
                 ", ".join(m.metric for m in i.required_metrics))
                for i in std.items()
            ],
        )  # fmt: skip
    console.print(f"[dim]{escape(std.source_note)}[/]")


def _limit(value: int | None, none_means: str) -> str:
    return none_means if value is None else str(value)


def _show_rule_set(rules: RuleSet, *, json_out: bool) -> None:
    if json_out:
        print_json({"kind": "rule_set", **rules.model_dump(mode="json")})
        return
    settings: dict[str, Any] = {"id": rules.id, "standard": rules.standard.urn}
    if rules.points_view is not None:
        view = rules.points_view
        settings["points pass mark"] = (
            f"{view.pass_mark} (a compliant item earns {view.compliant_share:.0%} of its points, "
            f"minor {view.minor_share:.0%}, major {view.major_share:.0%})"
        )
    # Every other setting (pass marks, calendar offsets, grace periods...) as the rule set names it: new
    # settings show up here without a code change.
    for name, value in rules.model_dump(mode="json").items():
        if name not in _RULE_SET_TABLES:
            settings[name.replace("_", " ")] = "-" if value is None else value
    print_mapping(rules.title, settings)
    print_table(
        "Decision classes (tried in rank order; the first whose conditions all hold wins)",
        ("rank", "class", "min compliant items", "max major", "max minor", "needs commitment", "certifies"),
        [
            (c.rank, c.name, _limit(c.min_compliant_items, "all"), _limit(c.max_major_deficiencies, "no limit"),
             _limit(c.max_minor_deficiencies, "no limit"), "yes" if c.requires_management_commitment else "no",
             "yes" if c.certifies else "no")
            for c in rules.ordered_classes()
        ],
    )  # fmt: skip
    print_table(
        "Authorities by jurisdiction",
        ("countries", "oversees", "submits application", "authorises decision"),
        [
            (", ".join("everywhere else" if c == "*" else c for c in a.countries), a.oversees,
             a.submits_application, a.authorises_decision)
            for a in rules.authorities
        ],
    )  # fmt: skip
    print_table(
        "What deciding each kind of assessment produces",
        ("assessment kind", "outcome"),
        [(kind.value, outcome.value) for kind, outcome in rules.assessment_outcomes.items()],
    )
    console.print(f"[dim]{escape(rules.source_note)}[/]")


def _item_title(key: StandardKey, number: str) -> str:
    """The item's title when its standard is packaged (a crosswalk may name one that is not)."""
    from cxcert.standards import library

    try:
        return library.standard(key.urn).item(number).title
    except (NotFound, KeyError):
        return "?"


def _show_crosswalk(cw: Crosswalk, *, json_out: bool) -> None:
    if json_out:
        print_json({"kind": "crosswalk", **cw.model_dump(mode="json")})
        return
    print_mapping(cw.title or cw.id, {"id": cw.id, "source": cw.source.urn, "target": cw.target.urn,
                                      "links": len(cw.links)})  # fmt: skip
    print_table(
        "Links",
        ("source", "source title", "target", "target title", "strength", "note"),
        [
            (link.source, _item_title(cw.source, link.source), link.target, _item_title(cw.target, link.target),
             link.strength, link.note)
            for link in cw.links
        ],
    )  # fmt: skip
    if cw.source_note:
        console.print(f"[dim]{escape(cw.source_note)}[/]")
