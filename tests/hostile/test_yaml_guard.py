"""The YAML walk every reader runs first: what it counts, and that it refuses exactly past each bound.

Oracles: node counts by hand (a mapping, each key, each value and each list counts one; an alias counts the
whole value it stands for), and for generated documents a count of the Python data they were dumped from.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.yaml_guard import FileRefused, YamlBounds, check_yaml

WIDE = 10**9


def bounds(depth: int = 64, aliases: int = 1000, nodes: int = WIDE) -> YamlBounds:
    return YamlBounds(max_depth=depth, max_aliases=aliases, max_nodes=nodes)


def refusal(text: str, limits: YamlBounds, *, duplicates: bool = False) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        check_yaml(text, "f.yaml", limits, duplicates=duplicates)
    return caught.value


SHARED = "a: &x [1, 2]\nb: [*x, *x]\n"  # 1 mapping + key a + [1, 2] (3) + key b + list (1) + 2 x 3 = 13


def test_aliases_count_the_value_they_stand_for() -> None:
    check_yaml(SHARED, "f.yaml", bounds(nodes=13))
    refused = refusal(SHARED, bounds(nodes=12))
    assert (refused.line, str(refused)) == (2, "f.yaml: line 2: more than 12 values once its aliases are expanded "
                                               "(limit yaml.max_nodes in limits.yaml)")  # fmt: skip


def test_alias_count_is_bounded_on_the_alias_past_it() -> None:
    check_yaml(SHARED, "f.yaml", bounds(aliases=2))
    assert refusal(SHARED + "c: *x\n", bounds(aliases=2)).line == 3


def test_depth_counts_nested_lists_and_mappings() -> None:
    text = "a: [[1]]\n"  # the mapping, the list, the inner list: 3 levels
    check_yaml(text, "f.yaml", bounds(depth=3))
    assert "deeper than 2 levels" in refusal(text, bounds(depth=2)).problem


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: &x [*x]\n", "the alias *x refers to a value that contains it"),
        ("a: *nowhere\n", "the alias *nowhere names no anchor defined before it"),
        ("a: !!python/name:os.system\n", "the tag !!python/name:os.system is not allowed"),
        ("a: !secret x\n", "the tag !secret is not allowed"),
    ],
)
def test_what_no_cxcert_file_holds_is_refused(text: str, words: str) -> None:
    assert words in refusal(text, bounds()).problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: 2024-02-30\n", "'2024-02-30' is not a date: day is out of range for month"),
        ("a: !!float abc\n", "'abc' is not a number: could not convert string to float: 'abc'"),
        ("a: !!bool maybe\n", "'maybe' is not true or false"),
        ("a: !!timestamp soon\n", "'soon' is not a date"),
        ("a: !!int twelve\n", "'twelve' is not an integer: invalid literal for int() with base 10: 'twelve'"),
    ],
)
def test_typed_values_the_constructors_would_fail_on_are_refused_with_their_line(text: str, problem: str) -> None:
    """PyYAML's safe constructors raise ValueError, KeyError or AttributeError on these, not a YAML error."""
    refused = refusal(text, bounds())
    assert (refused.line, refused.problem) == (1, problem)


def test_dates_numbers_and_quoted_look_alikes_pass() -> None:
    check_yaml("a: 2024-02-29\nb: 2024-01-01T10:00:00Z\nc: 1e99999\nd: '2024-13-45'\ne: !!int 12\n", "f.yaml",
               bounds())  # fmt: skip


def test_plain_data_tags_and_merge_keys_pass() -> None:
    check_yaml("base: &b {x: 1}\nc:\n  <<: *b\n  y: !!str 2\n  z: !!float 3\n  d: 2024-01-01\n", "f.yaml", bounds(),
               duplicates=True)  # fmt: skip


def test_duplicate_keys_only_when_asked() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\n"
    check_yaml(text, "f.yaml", bounds())
    assert refusal(text, bounds(), duplicates=True).problem == "duplicate key 'c' (first given on line 3)"


def test_syntax_errors_are_left_to_the_parser() -> None:
    check_yaml("a: [1, 2\n", "f.yaml", bounds())  # the caller's parser words it, with its line


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(1 + _count(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(v) for v in value)
    return 1


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_generated_documents_are_refused_exactly_past_their_size_and_depth(data: Any) -> None:
    text = yaml.safe_dump(data)
    nodes, depth = _count(data), max(_depth(data), 2)
    check_yaml(text, "f.yaml", bounds(depth=depth, nodes=nodes))
    if nodes > 1:
        refusal(text, bounds(depth=depth, nodes=nodes - 1))
    if _depth(data) >= 2:
        refusal(text, bounds(depth=_depth(data) - 1))
