"""Writing documents back as YAML that ``cxcert standard validate`` accepts (e.g. after an Excel import)."""

from __future__ import annotations

from typing import Any

import yaml

from cxcert.standards.parsing import Document, kind_of


class _Dumper(yaml.SafeDumper):
    """Block style, keys in model order, long summaries as folded-free plain strings."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def document_data(document: Document) -> dict[str, Any]:
    """The mapping a document file holds: ``kind`` first, then fields, defaults left out for readability."""
    body = document.model_dump(mode="json", exclude_defaults=True)
    return {"kind": kind_of(document), **body}


def dump_yaml(document: Document) -> str:
    """A standard (or rule set, or crosswalk) as YAML; loading it back gives an equal document."""
    header = f"# {getattr(document, 'title', '') or kind_of(document)}\n"
    return header + yaml.dump(document_data(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
