"""The authoring workbook's layout: which sheets, which columns, what each column means.

Shared by the exporter and the importer so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    text: bool = True  # numbers typed into a text column (e.g. release 7.0) are read back as text
    required: bool = True


@dataclass(frozen=True)
class SheetLayout:
    name: str
    columns: tuple[Column, ...]

    def letter(self, column: str) -> str:
        """Spreadsheet column letter of ``column`` in this layout (A, B, ...)."""
        index = [c.name for c in self.columns].index(column)
        return _letter(index)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


STANDARD_FIELDS: tuple[Column, ...] = (
    Column("family", "Standard family, e.g. 'COPC CX Standard' or 'ISO 18295-1'"),
    Column("variant", "Variant, e.g. CSP, OSP, VMO, clauses"),
    Column("release", "Release, e.g. 2000, 7.0 (typed as text)"),
    Column("document_version", "Document version of the release, e.g. 1.0"),
    Column("title", "Full title of the standard"),
    Column("published", "Publication date (YYYY-MM-DD)", text=False),
    Column("total_points", "Declared total points; the items' points must add up to it", text=False),
    Column("source_note", "Where this content comes from and what is yours (licence, edition)"),
)

STANDARD_SHEET = SheetLayout(
    "Standard",
    (Column("field", "Field name (do not change)"), Column("value", "Your value"), Column("help", "What it means")),
)

CATEGORIES = SheetLayout(
    "Categories",
    (
        Column("number", "Category number, e.g. 1.0"),
        Column("title", "Category title"),
        Column("role", "driver, enabler or result", text=False),
        Column("points", "Optional declared category total", text=False, required=False),
    ),
)

ITEMS = SheetLayout(
    "Items",
    (
        Column("category", "Number of the category the item belongs to, e.g. 2.0"),
        Column("number", "Item number under its category, e.g. 2.5"),
        Column("title", "Item title"),
        Column("summary", "Short summary (yours, or the owner's if licensed)"),
        Column("summary_is_ours", "TRUE if the summary is our own words, FALSE if it is the licensed text", text=False),
        Column("points", "Points of the item (0 if not scorable)", text=False),
        Column("scorable", "TRUE if auditors rate it compliant or not", text=False),
        Column("full_text", "Optional: the licensed requirement text of the item", required=False),
    ),
)

REQUIREMENTS = SheetLayout(
    "Requirements",
    (
        Column("item", "Item number the requirement belongs to"),
        Column("id", "Requirement id, unique in the standard, e.g. 2.5.1"),
        Column("summary", "Requirement summary"),
        Column("evidence", "approach, deployment or results", text=False),
    ),
)

REQUIRED_METRICS = SheetLayout(
    "RequiredMetrics",
    (
        Column("item", "Item number (a performance item)"),
        Column("metric", "KPI id from the Lists sheet, e.g. service_level"),
        Column("label", "S, Q, C, CS or R", text=False),
        Column("kcrp_scope", "Which KCRPs must report it, e.g. every KCRP", required=False),
    ),
)

TABLE_SHEETS: tuple[SheetLayout, ...] = (CATEGORIES, ITEMS, REQUIREMENTS, REQUIRED_METRICS)

INSTRUCTIONS = "Instructions"
LISTS = "Lists"

INSTRUCTION_LINES: tuple[str, ...] = (
    "cxcert standard authoring template",
    "",
    "Fill one standard per workbook, then run:  cxcert standard import THIS.xlsx --out my-standard.yaml",
    "The import checks everything and names the sheet, row and column of each problem.",
    "",
    "Sheets:",
    "  Standard         one row per field (family, variant, release, document version, title, dates, points).",
    "  Categories       one row per category: number (1.0), title, role (driver / enabler / result).",
    "  Items            one row per item: its category number, item number (2.5), title, summary, points,",
    "                   scorable. Items' points must add up to total_points.",
    "  Requirements     one row per requirement: item number, id (unique), summary, evidence kind",
    "                   (approach / deployment / results).",
    "  RequiredMetrics  one row per metric a performance item requires: item, KPI id (see Lists), label.",
    "",
    "Holding the licensed text? Paste it into Items.full_text and, where the summary is the owner's wording,",
    "set summary_is_ours to FALSE. Keep the file private: the licensed text is not ours to publish.",
    "Type numbers such as 1.10 or 7.0 as text (the template's text columns are already formatted as text).",
)
