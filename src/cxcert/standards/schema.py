"""The schema of a standard: categories, items, requirements, required metrics.

Every item is keyed by (family, variant, release, document version) plus its number, because even document
versions of one release renumber and re-weight items. Requirement text is the owner's; we ship structure and
our own short summaries (``summary_is_ours``), and a user holding the licensed text may import it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoryRole(StrEnum):
    DRIVER = "driver"
    ENABLER = "enabler"
    RESULT = "result"


class EvidenceKind(StrEnum):
    APPROACH = "approach"
    DEPLOYMENT = "deployment"
    RESULTS = "results"


class MetricLabel(StrEnum):
    """The performance summary table's labels (docs/domain.md section 4)."""

    SERVICE = "S"
    QUALITY = "Q"
    COST = "C"
    SATISFACTION = "CS"
    REVENUE = "R"


class StandardKey(Frozen):
    """Identifies one document version of one release of one variant of one family."""

    family: str = Field(description="e.g. 'COPC CX Standard', 'ISO 18295-1'")
    variant: str = Field(description="e.g. 'CSP', 'OSP', 'VMO', 'clauses'")
    release: str = Field(description="e.g. '2000', '7.0'")
    document_version: str = Field(description="e.g. '1.0'")

    @property
    def urn(self) -> str:
        slug = "-".join(s.lower().replace(" ", "_") for s in (self.family, self.variant, self.release))
        return f"urn:cxcert:standard:{slug}:{self.document_version}"


class RequiredMetric(Frozen):
    """A metric a performance item requires, referring to the KPI catalogue by id."""

    metric: str = Field(description="KPI catalogue id, e.g. 'service_level'")
    label: MetricLabel
    kcrp_scope: str = Field(default="every KCRP", description="which KCRPs must report it")


class Requirement(Frozen):
    id: str = Field(description="unique within the standard, e.g. '2.1.3'")
    summary: str
    evidence: EvidenceKind


class Item(Frozen):
    number: str = Field(description="'1.1', '2.4', '4.7': category number, dot, item number")
    title: str
    summary: str
    summary_is_ours: bool = Field(default=True, description="False once the licensed text is imported")
    points: int = Field(ge=0)
    scorable: bool = True
    requirements: tuple[Requirement, ...] = ()
    required_metrics: tuple[RequiredMetric, ...] = ()
    full_text: str | None = Field(default=None, description="licensed requirement text, when imported")


class Category(Frozen):
    number: str = Field(description="'1.0', '2.0', '3.0', '4.0'")
    title: str
    role: CategoryRole
    items: tuple[Item, ...]
    points: int | None = Field(
        default=None, ge=0, description="declared category total, when the standard states one; validation checks it"
    )


class Standard(Frozen):
    key: StandardKey
    title: str
    published: dt.date
    total_points: int = Field(ge=0, description="declared total; validation checks items add up to it")
    source_note: str = Field(description="where the structure comes from and what is ours")
    categories: tuple[Category, ...]

    def items(self) -> tuple[Item, ...]:
        return tuple(item for cat in self.categories for item in cat.items)

    def item(self, number: str) -> Item:
        for it in self.items():
            if it.number == number:
                return it
        raise KeyError(number)

    def scorable_items(self) -> tuple[Item, ...]:
        return tuple(it for it in self.items() if it.scorable)


class CrosswalkLink(Frozen):
    source: str = Field(description="item or clause number in the source standard")
    target: str = Field(description="item or clause number in the target standard")
    strength: str = Field(default="related", pattern="^(equivalent|partial|related)$")
    note: str = ""


class Crosswalk(Frozen):
    source: StandardKey
    target: StandardKey
    links: tuple[CrosswalkLink, ...]
    id: str = Field(default="", description="e.g. 'iso18295-1-copc-2000'; the packaged file's stem when empty")
    title: str = ""
    source_note: str = Field(default="", description="who drew the links and on what basis")
