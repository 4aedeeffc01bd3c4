"""The packaged library: standards, rule sets, crosswalks and known metric ids shipped in ``standards/data``.

Documents are read once and cached (they are read-only). Every packaged document passes the same schema and
semantic checks a user's file does; a packaged file that fails is a bug and raises :class:`DocumentInvalid`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources

from pydantic import Field
from pydantic import ValidationError as PydanticError

from cxcert.errors import NotFound
from cxcert.standards.check import ValidationContext
from cxcert.standards.issues import DocumentInvalid, errors_in
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.parsing import ParsedDocument, parse_text, schema_issues
from cxcert.standards.rule_set import RuleSet
from cxcert.standards.schema import Crosswalk, Frozen, Standard, StandardKey
from cxcert.standards.validation import validate_document

METRIC_IDS_FILE = "metric_ids.yaml"


class MetricId(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str


class MetricIdList(Frozen):
    source_note: str
    metrics: tuple[MetricId, ...]


def _data_dir() -> resources.abc.Traversable:
    return resources.files("cxcert.standards").joinpath("data")


def packaged_file_names() -> list[str]:
    """Names of the packaged document files (``*.yaml`` except the metric id list), sorted."""
    return sorted(
        entry.name for entry in _data_dir().iterdir() if entry.name.endswith(".yaml") and entry.name != METRIC_IDS_FILE
    )


@functools.cache
def known_metric_ids() -> frozenset[str]:
    """The KPI ids a standard's ``required_metrics`` may name (``data/metric_ids.yaml``)."""
    name = f"standards/data/{METRIC_IDS_FILE}"
    marked = load_marked(_data_dir().joinpath(METRIC_IDS_FILE).read_text(encoding="utf-8"), name)
    if marked.issues:
        raise DocumentInvalid(marked.issues)
    try:
        listing = MetricIdList.model_validate(marked.data)
    except PydanticError as exc:
        raise DocumentInvalid(schema_issues(exc, marked.source_map)) from None
    return frozenset(m.id for m in listing.metrics)


@functools.cache
def _parsed_packaged() -> tuple[ParsedDocument, ...]:
    parsed: list[ParsedDocument] = []
    for name in packaged_file_names():
        result = parse_text(_data_dir().joinpath(name).read_text(encoding="utf-8"), f"standards/data/{name}")
        if result.parsed is None:
            raise DocumentInvalid(result.issues)
        parsed.append(result.parsed)
    context = ValidationContext(
        tuple(p.document for p in parsed if isinstance(p.document, Standard)), known_metric_ids()
    )
    for doc in parsed:
        errors = errors_in(validate_document(doc, context))
        if errors:
            raise DocumentInvalid(errors)
    return tuple(parsed)


def packaged_documents() -> tuple[ParsedDocument, ...]:
    """Every packaged document with its source map (file names are ``standards/data/NAME.yaml``)."""
    return _parsed_packaged()


def packaged_standards() -> list[Standard]:
    """Every packaged standard, in file-name order."""
    return [p.document for p in _parsed_packaged() if isinstance(p.document, Standard)]


def packaged_rule_sets() -> list[RuleSet]:
    """Every packaged rule set, in file-name order."""
    return [p.document for p in _parsed_packaged() if isinstance(p.document, RuleSet)]


def crosswalks() -> list[Crosswalk]:
    """Every packaged crosswalk; ``id`` is the file stem when the file does not set one."""
    out = []
    for p in _parsed_packaged():
        if isinstance(p.document, Crosswalk):
            doc = p.document
            out.append(doc if doc.id else doc.model_copy(update={"id": _stem(p.file)}))
    return out


def validation_context(extra_standards: Iterable[Standard] = ()) -> ValidationContext:
    """The packaged standards and metric ids, plus ``extra_standards`` (which win on the same key)."""
    return ValidationContext(tuple(packaged_standards()), known_metric_ids()).with_standards(extra_standards)


def _stem(file: str) -> str:
    return file.rsplit("/", 1)[-1].removesuffix(".yaml")


def _key_text(key: StandardKey) -> str:
    return f"{key.family}/{key.variant}/{key.release}/{key.document_version}"


def standard(ref: str) -> Standard:
    """A packaged standard by URN (``urn:cxcert:standard:...``), by ``family/variant/release/version`` or by
    packaged file stem (``copc-2000-csp``); case-insensitive. Raises :class:`NotFound` listing what exists."""
    wanted = ref.strip().casefold()
    for p in _parsed_packaged():
        doc = p.document
        if isinstance(doc, Standard) and wanted in {
            doc.key.urn.casefold(),
            _key_text(doc.key).casefold(),
            _stem(p.file).casefold(),
        }:
            return doc
    known = ", ".join(f"{s.key.urn} ({_stem(f)})" for s, f in _standards_with_files())
    raise NotFound(f"no packaged standard {ref!r}; known: {known}")


def _standards_with_files() -> list[tuple[Standard, str]]:
    return [(p.document, p.file) for p in _parsed_packaged() if isinstance(p.document, Standard)]


def rule_set(rule_set_id: str) -> RuleSet:
    """A packaged rule set by id (e.g. ``copc-2000-founding``). Raises :class:`NotFound` listing the ids."""
    for rules in packaged_rule_sets():
        if rules.id.casefold() == rule_set_id.strip().casefold():
            return rules
    known = ", ".join(r.id for r in packaged_rule_sets())
    raise NotFound(f"no packaged rule set {rule_set_id!r}; known: {known}")


def rule_sets_for(key: StandardKey) -> list[RuleSet]:
    """The packaged rule sets for the standard ``key``, latest ``effective_from`` first."""
    return sorted((r for r in packaged_rule_sets() if r.standard == key), key=lambda r: r.effective_from, reverse=True)


def default_rule_set(standard_or_key: Standard | StandardKey) -> RuleSet:
    """The rule set a standard is assessed with unless told otherwise: its latest effective packaged one."""
    key = standard_or_key.key if isinstance(standard_or_key, Standard) else standard_or_key
    found = rule_sets_for(key)
    if not found:
        raise NotFound(f"no packaged rule set for {key.urn}; pass a rule set file or id")
    return found[0]


def crosswalk(crosswalk_id: str) -> Crosswalk:
    """A packaged crosswalk by id (e.g. ``crosswalk-iso18295-1-copc-2000``)."""
    for cw in crosswalks():
        if cw.id.casefold() == crosswalk_id.strip().casefold():
            return cw
    known = ", ".join(c.id for c in crosswalks())
    raise NotFound(f"no packaged crosswalk {crosswalk_id!r}; known: {known}")
