"""YAML that remembers where every value was: plain Python data plus a :class:`SourceMap` of line numbers.

PyYAML's composer keeps a start mark on every node; we build the data from the node tree ourselves, recording
the line of each mapping key and sequence entry, and reject duplicate keys (which PyYAML would silently merge).
The text is first walked within the workspace's limits (:mod:`cxcert.yaml_guard`): a file that nests too deep or
whose aliases expand too far comes back as one issue with its line, before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from cxcert.limits import yaml_bounds
from cxcert.standards.issues import ValidationIssue
from cxcert.standards.source_map import FieldPath, Location, SourceMap, format_path
from cxcert.yaml_guard import FileRefused, check_yaml


@dataclass(frozen=True)
class MarkedYaml:
    data: object
    source_map: SourceMap
    issues: tuple[ValidationIssue, ...]


def load_marked(text: str, file: str) -> MarkedYaml:
    """Parse one YAML document; syntax errors and duplicate keys come back as issues with their line."""
    source_map = SourceMap(file)
    bounds = yaml_bounds()  # outside the try: a mistake in the workspace's limits.yaml is that file's, not this one's
    try:
        check_yaml(text, file, bounds)
    except FileRefused as exc:
        return MarkedYaml(None, source_map, (ValidationIssue(file, exc.line, "(yaml)", exc.problem, rule="limits"),))
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            issue = ValidationIssue(file, 1, "(document)", "the file is empty", rule="yaml")
            return MarkedYaml(None, source_map, (issue,))
        builder = _Builder(loader, source_map)
        data = builder.build(node, ())
        return MarkedYaml(data, source_map, tuple(builder.issues))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return MarkedYaml(None, source_map, (ValidationIssue(file, line, "(yaml)", message, rule="yaml"),))
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        return MarkedYaml(None, source_map, (ValidationIssue(file, None, "(yaml)", str(exc), rule="yaml"),))
    finally:
        loader.dispose()


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, source_map: SourceMap) -> None:
        self.loader = loader
        self.source_map = source_map
        self.issues: list[ValidationIssue] = []

    def build(self, node: yaml.Node, path: FieldPath) -> object:
        self.source_map.record(path, Location(node.start_mark.line + 1))
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # resolve YAML merge keys ('<<')
            out: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | bool | float) or key is None:
                    key = str(key)
                child = (*path, str(key))
                if key in out:
                    self.issues.append(
                        ValidationIssue(
                            self.source_map.file,
                            key_node.start_mark.line + 1,
                            format_path(child),
                            f"duplicate key '{key}' (first given on line {self.source_map.locations[child].line})",
                            rule="yaml",
                        )
                    )
                    continue
                # A field's line is its key's line, even when the value is a block starting below it.
                self.source_map.record(child, Location(key_node.start_mark.line + 1))
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)
