"""Ingested evaluations checked against the QA forms cxcert knows: a published form version is the grid they pin.

The caller (the CLI) passes the forms in as data, :class:`FormFacts`, built from the form registry (packaged
forms and the workspace's own); the ingest imports neither the CLI nor the registry, and an ingest given no
facts (the benchmark, the demo, ``qa evaluate``'s own rows) checks nothing here.

- ``evaluations``: a row pinning a known form is quarantined when the version does not exist, is a draft, or was
  published after the row's ``evaluated_at`` (its UTC date). A row pinning a form cxcert does not know (an
  external QA tool's) is accepted and counted by form id, so the user can register the form.
- ``evaluation_items``: an item's form is the one its evaluation pins, looked up among the entity's evaluations
  already in the warehouse (``pins``). On a known form version the item is quarantined when its ``parameter_id``
  is not a parameter of that version or its ``error_class`` is not the form's class for it. Items of
  evaluations not in the warehouse yet are accepted unchecked and counted (ingest evaluations first).

Every check is a whole-column mask over a chunk; the only Python loops run over the distinct form versions a
chunk pins (and, for a wrong class, over the distinct parameters at fault), never over rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.ingest.verdicts import Problem, RowVerdicts

if TYPE_CHECKING:
    from cxcert.quality.form import QaForm

CHECKED_TABLES = ("evaluations", "evaluation_items")
"""The tables whose rows pin a QA form."""

REGISTER_HINT = "put their form files (one version per .yaml) in CXCERT_HOME/forms/ to have them checked"


@dataclass(frozen=True)
class FormVersion:
    """What the ingest needs of one form version: its publication date (None for a draft) and its grid."""

    form_id: str
    version: int
    published_on: dt.date | None
    classes: Mapping[str, str]
    """Parameter id -> error class, in the form's order."""

    @property
    def label(self) -> str:
        return f"{self.form_id} v{self.version}"


@dataclass(frozen=True)
class FormFacts:
    """The QA form versions known to cxcert, as plain data for the ingest."""

    versions: tuple[FormVersion, ...]

    @classmethod
    def of(cls, forms: Iterable[QaForm]) -> FormFacts:
        """The facts of ``forms`` (e.g. a :class:`~cxcert.quality.form_registry.FormRegistry`)."""
        from cxcert.quality.form import FormStatus

        return cls(
            tuple(
                FormVersion(
                    f.id,
                    f.version,
                    f.published_on if f.status is FormStatus.PUBLISHED else None,
                    {p.id: str(p.error_class) for p in f.parameters},
                )
                for f in forms
            )
        )

    def get(self, form_id: str, version: int) -> FormVersion | None:
        return next((v for v in self.versions if (v.form_id, v.version) == (form_id, version)), None)

    def knows(self, form_id: str) -> bool:
        return any(v.form_id == form_id for v in self.versions)

    def versions_of(self, form_id: str) -> tuple[int, ...]:
        return tuple(sorted(v.version for v in self.versions if v.form_id == form_id))


@dataclass(frozen=True)
class FormNotes:
    """What an ingest learnt about the forms its rows pin, beyond the rows it quarantined."""

    unknown_forms: Mapping[str, int] = field(default_factory=dict)
    """Form id -> rows accepted unchecked because they pin a form cxcert does not know."""
    items_without_evaluation: int | None = None
    """``evaluation_items`` only: items accepted unchecked because their evaluation is not in the warehouse."""

    def __add__(self, other: FormNotes) -> FormNotes:
        unknown = Counter(self.unknown_forms) + Counter(other.unknown_forms)
        items = None
        if self.items_without_evaluation is not None or other.items_without_evaluation is not None:
            items = (self.items_without_evaluation or 0) + (other.items_without_evaluation or 0)
        return FormNotes(dict(sorted(unknown.items())), items)

    def as_json(self) -> dict[str, Any]:
        """``{"unknown_forms": {form id: rows}}``, plus ``"items_without_evaluation"`` for items."""
        out: dict[str, Any] = {"unknown_forms": dict(self.unknown_forms)}
        if self.items_without_evaluation is not None:
            out["items_without_evaluation"] = self.items_without_evaluation
        return out

    def lines(self) -> list[str]:
        """The notes as sentences for the CLI (none when every row was checked)."""
        out = []
        if self.unknown_forms:
            total = sum(self.unknown_forms.values())
            each = ", ".join(f"{form_id}: {n}" for form_id, n in self.unknown_forms.items())
            out.append(
                f"{total} rows pin QA forms cxcert does not know ({each}), accepted unchecked; {REGISTER_HINT} "
                "(`cxcert qa forms list` shows the known ones)"
            )
        if self.items_without_evaluation:
            out.append(
                f"{self.items_without_evaluation} items belong to evaluations not in the warehouse yet, accepted "
                "unchecked: ingest the evaluations before their items to check items against their form"
            )
        return out


def empty_notes(table: str, facts: FormFacts | None) -> FormNotes | None:
    """The notes of an ingest of ``table`` before any row is read (None when no forms are checked)."""
    if facts is None or table not in CHECKED_TABLES:
        return None
    return FormNotes({}, 0 if table == "evaluation_items" else None)


PINS_SCHEMA = pa.schema(
    [
        pa.field("evaluation_id", pa.string()),
        pa.field("form_id", pa.string()),
        pa.field("form_version", pa.int32()),
    ]
)
"""The evaluations already in the warehouse, as the items check reads them."""


@dataclass(frozen=True)
class FormCheck:
    """The form checks of one ingest of ``table``; ``pins`` (:data:`PINS_SCHEMA`) for ``evaluation_items``."""

    facts: FormFacts
    table: str
    pins: pa.Table | None = None

    def __post_init__(self) -> None:
        if self.table not in CHECKED_TABLES:
            raise ValueError(f"no form checks for {self.table}")
        if self.table == "evaluation_items" and self.pins is None:
            raise ValueError("checking evaluation_items needs the pins of the evaluations in the warehouse")

    def flag(self, chunk: pa.Table, verdicts: RowVerdicts, labels: Mapping[str, str]) -> FormNotes:
        """Flag in ``verdicts`` the rows of ``chunk`` (canonical columns) that break their form; the notes."""
        if self.table == "evaluations":
            return _check_evaluations(self.facts, chunk, verdicts, labels)
        assert self.pins is not None
        return _check_items(self.facts, self.pins, chunk, verdicts, labels)


def _problem(labels: Mapping[str, str], column: str, template: str) -> Problem:
    return Problem(labels.get(column, column), template)


def _pinned(form_ids: Any, versions: Any, ok: pa.Array) -> list[tuple[str, int, int]]:
    """The distinct (form id, version) pairs pinned by the still-accepted rows, with their row counts."""
    pairs = pa.table({"form_id": form_ids, "form_version": versions}).filter(ok)
    counted = pairs.group_by(["form_id", "form_version"]).aggregate([([], "count_all")])
    return [
        (r["form_id"], r["form_version"], r["count_all"])
        for r in counted.to_pylist()
        if r["form_id"] is not None and r["form_version"] is not None
    ]


def _versions_text(facts: FormFacts, form_id: str) -> str:
    versions = facts.versions_of(form_id)
    return f"version{'s' if len(versions) > 1 else ''} {', '.join(map(str, versions))}"


def _check_evaluations(
    facts: FormFacts, chunk: pa.Table, verdicts: RowVerdicts, labels: Mapping[str, str]
) -> FormNotes:
    form_ids, versions = chunk.column("form_id"), chunk.column("form_version")
    unknown: Counter[str] = Counter()
    day: Any = None
    for form_id, version, count in _pinned(form_ids, versions, pa.array(verdicts.ok)):
        if not facts.knows(form_id):
            unknown[form_id] += count
            continue
        rows = pc.and_(pc.equal(form_ids, form_id), pc.equal(versions, version))
        known = facts.get(form_id, version)
        if known is None:
            verdicts.flag(
                rows,
                _problem(labels, "form_version", f"form {form_id} has {_versions_text(facts, form_id)}; not {{value}}"),
                versions,
            )
        elif known.published_on is None:
            verdicts.flag(
                rows,
                _problem(
                    labels, "form_version", f"form {known.label} is a draft: evaluations pin published versions only"
                ),
            )
        else:
            if day is None:
                day = pc.cast(chunk.column("evaluated_at"), pa.date32())  # the UTC date
            verdicts.flag(
                pc.and_(rows, pc.less(day, pa.scalar(known.published_on, pa.date32()))),
                _problem(
                    labels,
                    "evaluated_at",
                    f"evaluated {{value}}, before form {known.label} was published on {known.published_on}",
                ),
                day,
            )
    return FormNotes(dict(sorted(unknown.items())))


def _check_items(
    facts: FormFacts, pins: pa.Table, chunk: pa.Table, verdicts: RowVerdicts, labels: Mapping[str, str]
) -> FormNotes:
    evaluation_ids = chunk.column("evaluation_id")
    at = pc.index_in(evaluation_ids, value_set=pins.column("evaluation_id"))
    ok = pa.array(verdicts.ok)
    orphans = int(pc.sum(pc.and_(ok, pc.is_null(at))).as_py() or 0)
    form_ids = pins.column("form_id").take(at)
    versions = pins.column("form_version").take(at)
    parameters, classes = chunk.column("parameter_id"), chunk.column("error_class")
    unknown: Counter[str] = Counter()
    for form_id, version, count in _pinned(form_ids, versions, ok):
        if not facts.knows(form_id):
            unknown[form_id] += count
            continue
        rows = pc.and_(pc.equal(form_ids, form_id), pc.equal(versions, version))
        known = facts.get(form_id, version)
        if known is None:  # its evaluation went in unchecked (before forms were checked, or by another path)
            verdicts.flag(
                rows,
                _problem(
                    labels,
                    "evaluation_id",
                    f"{{value}} pins form {form_id} v{version}, "
                    f"but form {form_id} has {_versions_text(facts, form_id)}",
                ),
                evaluation_ids,
            )
            continue
        on_form = pa.array(list(known.classes), pa.string())
        verdicts.flag(
            pc.and_(rows, pc.invert(pc.is_in(parameters, value_set=on_form))),
            _problem(
                labels,
                "parameter_id",
                f"{{value}} is not a parameter of form {known.label} (its parameters: {', '.join(known.classes)})",
            ),
            parameters,
        )
        expected = pa.array(list(known.classes.values()), pa.string()).take(pc.index_in(parameters, value_set=on_form))
        wrong = pc.and_(pc.and_(rows, pc.not_equal(classes, expected)), ok)
        if not pc.any(wrong).as_py():
            continue
        for parameter in pc.unique(parameters.filter(wrong)).to_pylist():
            verdicts.flag(
                pc.and_(wrong, pc.equal(parameters, parameter)),
                _problem(
                    labels,
                    "error_class",
                    f"{{value}} disagrees with form {known.label}, which classes {parameter} as "
                    f"{known.classes[parameter]}",
                ),
                classes,
            )
    return FormNotes(dict(sorted(unknown.items())), orphans)
