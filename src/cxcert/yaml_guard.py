"""Reading YAML a user gave us without letting the file decide how much memory or time it takes.

Every YAML file cxcert reads goes through here before any parser builds data from it: the bytes are read up to a
size limit (a 60 MB targets file is refused before it is parsed), must be UTF-8 text, and the parser's event
stream is walked once to bound nesting depth, alias count and the node count after alias expansion (the
"billion laughs": a 1 KB file whose nested aliases stand for 10^9 values), to refuse recursive aliases, tags
other than plain data (``!!python/object``) and, where asked, duplicate keys. The walk builds nothing, so a
hostile file costs what its size costs. The numbers are data (``cxcert/data/limits.yaml``, see
:mod:`cxcert.limits`); this module only applies them.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cxcert.errors import CxcertError, ValidationFailed

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The tags the safe constructors build (plain data); anything else (python/object, custom !tags) is refused.
_CORE = "tag:yaml.org,2002:"
_DATA_TAGS = frozenset(
    _CORE + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "omap", "pairs", "set",
                 "merge", "value")
)  # fmt: skip
_NON_SPECIFIC = (None, "!", "?")
# Scalars the safe constructors turn into numbers, flags, dates or bytes, which may fail there with a plain
# ValueError (a 5,000-digit integer, 2024-13-45, !!float abc) instead of a YAML error: built once here first.
_TYPED_AS = {_CORE + "int": "an integer", _CORE + "float": "a number", _CORE + "bool": "true or false",
             _CORE + "timestamp": "a date", _CORE + "binary": "base64 data"}  # fmt: skip
_TYPED = frozenset(_TYPED_AS)
_RESOLVER = yaml.resolver.Resolver()

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True)
class YamlBounds:
    """How far a YAML document may go: nesting levels, aliases, and nodes once every alias is expanded."""

    max_depth: int
    max_aliases: int
    max_nodes: int


class FileRefused(ValidationFailed):
    """A file refused before parsing: ``line`` (1-based, None for the whole file) and ``problem`` kept apart for
    readers that report issues as file:line (:mod:`cxcert.standards.marked_yaml`)."""

    def __init__(self, problem: str, *, where: str, line: int | None = None) -> None:
        super().__init__([f"line {line}: {problem}" if line is not None else problem], where=where)
        self.line = line
        self.problem = problem


def read_limited(path: Path, max_bytes: int, *, what: str, setting: str) -> bytes:
    """The bytes of ``path``, refused (without reading past the limit) when over ``max_bytes``.

    ``what`` names the kind of file in the error ("targets file"); ``setting`` the limit to change.
    """
    if path.is_dir():
        raise CxcertError(f"cannot read the {what}: it is a folder", where=str(path))
    try:
        with path.open("rb") as handle:  # read, not stat: a device or pipe has no honest size
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise CxcertError(f"cannot read the {what}: no such file", where=str(path)) from None
    except OSError as exc:
        raise CxcertError(f"cannot read the {what}: {exc.strerror or exc}", where=str(path)) from None
    if len(data) > max_bytes:
        problem = f"larger than the {size_text(max_bytes)} allowed for a {what} (limit {setting} in limits.yaml)"
        raise FileRefused(problem, where=str(path))
    return data


def decode_text(data: bytes, *, where: str) -> str:
    """``data`` as UTF-8 text (a UTF-8 byte-order mark is dropped); other encodings and binary are refused."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise FileRefused(f"the file is {name} text; save it as UTF-8", where=where)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise FileRefused("a NUL byte: binary data or UTF-16 text, not UTF-8 YAML", where=where, line=line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRefused(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8", where=where,
                          line=line) from None  # fmt: skip


@dataclass
class _Open:
    """A mapping or sequence being walked: its expanded size so far, and for a mapping the keys seen."""

    anchor: str | None
    mapping: bool
    size: int = 1
    position: int = 0
    keys: dict[str, int] = field(default_factory=dict)


class _Walk:
    def __init__(self, where: str, bounds: YamlBounds, duplicates: bool) -> None:
        self.where = where
        self.bounds = bounds
        self.duplicates = duplicates
        self.stack: list[_Open] = []
        self.anchors: dict[str, int] = {}  # anchor -> expanded size, once its node is complete
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")  # the safe constructors, to build a typed scalar on its own

    def refuse(self, problem: str, event: yaml.Event) -> FileRefused:
        mark = event.start_mark
        return FileRefused(problem, where=self.where, line=mark.line + 1 if mark is not None else None)

    def event(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.AliasEvent):
            self.alias(event)
        elif isinstance(event, yaml.ScalarEvent):
            self.check_tag(event, event.tag)
            self.check_value(event)
            self.key(event, event.value)
            self.count(1, event)
            self.close(event.anchor, 1)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self.check_tag(event, event.tag)
            self.key(event, None)
            self.count(1, event)
            if len(self.stack) >= self.bounds.max_depth:
                raise self.refuse(
                    f"nested deeper than {self.bounds.max_depth} levels (limit yaml.max_depth in limits.yaml)", event
                )
            if event.anchor is not None:
                self.open_anchors.add(event.anchor)
            self.stack.append(_Open(event.anchor, isinstance(event, yaml.MappingStartEvent)))
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            done = self.stack.pop()
            if done.anchor is not None:
                self.open_anchors.discard(done.anchor)
            self.close(done.anchor, done.size)

    def check_tag(self, event: yaml.Event, tag: str | None) -> None:
        if tag not in _NON_SPECIFIC and tag not in _DATA_TAGS:
            shown = "!!" + tag.removeprefix(_CORE) if tag and tag.startswith(_CORE) else tag
            raise self.refuse(f"the tag {shown} is not allowed: cxcert files hold plain data only", event)

    def check_value(self, event: yaml.ScalarEvent) -> None:
        value, tag = event.value, event.tag
        if tag is None:  # resolved from its text, as the composer will; only what can fail is resolved here
            date_like = value[:4].isdigit() and value[4:5] == "-"
            if not event.implicit[0] or not (date_like or len(value) > 100):
                return
            tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        if tag not in _TYPED:
            return
        try:
            yaml.SafeLoader.yaml_constructors[tag](self.constructor, yaml.ScalarNode(tag, value))
        except Exception as exc:  # ValueError, KeyError, AttributeError... whatever the constructor raises
            what = _TYPED_AS[tag]
            if len(value) > 40:
                problem = f"a value of {len(value):,} characters ({value[:12]}...) is too long to read as {what}"
            else:
                reason = f": {exc}" if isinstance(exc, ValueError) and len(str(exc)) < 60 else ""
                problem = f"{value!r} is not {what}{reason}"
            raise self.refuse(problem, event) from None

    def key(self, event: yaml.Event, text: str | None) -> None:
        """Count a node in its parent; when it is a mapping key given before, refuse it (if asked)."""
        if not self.stack:
            return
        parent = self.stack[-1]
        is_key = parent.mapping and parent.position % 2 == 0
        parent.position += 1
        if not (self.duplicates and is_key and text is not None):
            return
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if text in parent.keys and text != "<<":
            raise self.refuse(f"duplicate key '{text}' (first given on line {parent.keys[text]})", event)
        parent.keys[text] = line

    def alias(self, event: yaml.AliasEvent) -> None:
        self.aliases += 1
        if self.aliases > self.bounds.max_aliases:
            raise self.refuse(f"more than {self.bounds.max_aliases} aliases (limit yaml.max_aliases in limits.yaml)",
                              event)  # fmt: skip
        if event.anchor in self.open_anchors:
            raise self.refuse(f"the alias *{event.anchor} refers to a value that contains it", event)
        if event.anchor not in self.anchors:
            raise self.refuse(f"the alias *{event.anchor} names no anchor defined before it", event)
        self.key(event, None)
        self.count(self.anchors[event.anchor], event)
        self.close(None, self.anchors[event.anchor])

    def close(self, anchor: str | None, size: int) -> None:
        """A complete node of ``size`` nodes once expanded: remembered under its anchor, added to its parent."""
        if anchor is not None:
            self.anchors[anchor] = size
        if self.stack:
            self.stack[-1].size += size

    def count(self, size: int, event: yaml.Event) -> None:
        """``size`` more nodes in the document once aliases are expanded."""
        self.nodes += size
        if self.nodes > self.bounds.max_nodes:
            raise self.refuse(
                f"more than {self.bounds.max_nodes:,} values once its aliases are expanded "
                "(limit yaml.max_nodes in limits.yaml)",
                event,
            )


def check_yaml(text: str, where: str, bounds: YamlBounds, *, duplicates: bool = False) -> None:
    """Refuse ``text`` (with :class:`FileRefused` naming ``where`` and the line) if it crosses ``bounds``,
    holds a recursive or undefined alias, a tag other than plain data, or (``duplicates``) a key twice.

    Syntax errors are left to the caller's parser, which words them its own way: the walk stops there.
    """
    for loader_class in (_FAST_LOADER, yaml.SafeLoader):  # libyaml first (fast); PyYAML where libyaml refuses
        walk = _Walk(where, bounds, duplicates)
        loader = loader_class(text)
        try:
            while loader.check_event():
                walk.event(loader.get_event())
            return
        except yaml.YAMLError:
            continue  # a syntax error: PyYAML's own parser may read further; if not, the caller reports it
        finally:
            loader.dispose()


def size_text(n: int) -> str:
    """``n`` bytes as a person reads it: 4 MiB, 64 KiB, 300 bytes."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
