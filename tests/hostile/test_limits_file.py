"""The limits are data: the packaged file, validated, and a workspace's own limits.yaml on top of it.

Oracles: the values written in ``cxcert/data/limits.yaml``, and the line numbers of the files written here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from cli.runner import invoke, user_error
from cxcert.errors import ValidationFailed
from cxcert.limits import PACKAGED, packaged_limits, parse_limits

from .hostile_files import billion_laughs, write

STANDARD = resources.files("cxcert.standards").joinpath("data", "copc-2000-csp.yaml")


def test_the_packaged_limits_are_the_files_values() -> None:
    limits = packaged_limits()
    assert (limits.yaml.max_depth, limits.yaml.max_aliases, limits.yaml.max_nodes) == (64, 1000, 1_000_000)
    assert limits.yaml.max_bytes.targets == 4 * 2**20 and limits.yaml.max_bytes.limits == 64 * 2**10
    assert (limits.xlsx.max_bytes, limits.xlsx.max_uncompressed_bytes) == (32 * 2**20, 128 * 2**20)
    assert (limits.xlsx.max_ratio, limits.xlsx.max_cells) == (200, 2_000_000)


def test_a_wrong_packaged_value_names_the_file_and_its_line() -> None:
    text = resources.files("cxcert").joinpath("data", "limits.yaml").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.strip().startswith("max_nodes:"))
    broken = text.replace("max_nodes: 1000000", "max_nodes: 0")
    with pytest.raises(ValidationFailed) as caught:
        parse_limits(broken, PACKAGED, base=None)
    assert str(caught.value).startswith(f"{PACKAGED}: line {line}, field yaml.max_nodes: Input should be greater")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yaml:\n  max_depth: deep\n", "line 2, field yaml.max_depth: Input should be a valid integer"),
        ("yaml:\n  max_depth: 5000\n", "line 2, field yaml.max_depth: Input should be less than or equal to 200"),
        ("yaml:\n  max_depth: 3\n", "line 2, field yaml.max_depth: Input should be greater than or equal to 16"),
        ("yaml:\n  max_nodes: 100\n", "line 2, field yaml.max_nodes: Input should be greater than or equal to 10000"),
        ("xlsx:\n  max_bytes: 4 MB\n", "line 2, field xlsx.max_bytes: Value error, '4 MB' is not a size"),
        ("yaml:\n  max_bytes:\n    targest: 1 MiB\n", "line 3, field yaml.max_bytes.targest: Extra inputs"),
        ("- 1\n", "line 1: expected a mapping with yaml: and xlsx: limits"),
        ("yaml: {max_depth: 3}\nyaml: {}\n", "line 2: duplicate key 'yaml' (first given on line 1)"),
        ("yaml: [\n", "line 2: not valid YAML"),
    ],
)
def test_a_wrong_workspace_limits_file_is_one_line_with_its_line(
    text: str, expected: str, workspace: Path
) -> None:
    file = write(workspace / "limits.yaml", text.encode())
    line = user_error(invoke("standard", "validate", str(STANDARD), home=workspace))
    assert line.startswith(f"error: {file}: {expected}")


def test_a_hostile_workspace_limits_file_is_read_within_the_packaged_limits(workspace: Path) -> None:
    file = write(workspace / "limits.yaml", billion_laughs())
    line = user_error(invoke("standard", "validate", str(STANDARD), home=workspace))
    assert line.startswith(f"error: {file}: line 6: more than 1,000,000 values")  # line 6: see test_yaml_entry_points


def test_an_empty_workspace_limits_file_changes_nothing(workspace: Path, tmp_path: Path) -> None:
    write(workspace / "limits.yaml", b"# nothing changed yet\n")
    result = invoke("standard", "validate", str(STANDARD), home=workspace)
    assert result.returncode == 0, result.stderr


def test_a_workspace_value_replaces_only_itself(workspace: Path, tmp_path: Path) -> None:
    """The standard size limit lowered to 10 KiB: a copy of the packaged COPC-2000 standard (17 KB) is refused
    for its size, and the depth limit stays the packaged 64."""
    write(workspace / "limits.yaml", b"yaml:\n  max_bytes:\n    standard: 10 KiB\n")
    copy = write(tmp_path / "copc.yaml", STANDARD.read_bytes())
    line = user_error(invoke("standard", "validate", str(copy), home=workspace))
    assert "larger than the 10 KiB allowed for a standard file" in line
    deep = write(tmp_path / "deep.yaml", b"a: " + b"[" * 65 + b"]" * 65 + b"\n")
    assert "nested deeper than 64 levels" in user_error(invoke("standard", "validate", str(deep), home=workspace))


def _packaged_yaml() -> list[Path]:
    root = Path(str(resources.files("cxcert")))
    return sorted(root.glob("**/data/**/*.yaml"))


@pytest.mark.parametrize("path", _packaged_yaml(), ids=lambda p: p.name)
def test_every_packaged_file_passes_the_lowest_limits_a_workspace_may_set(path: Path) -> None:
    """The floors of yaml.max_depth (16), yaml.max_aliases (100) and yaml.max_nodes (10,000) keep cxcert's own
    files readable."""
    from cxcert.yaml_guard import YamlBounds, check_yaml

    check_yaml(path.read_text(encoding="utf-8"), str(path), YamlBounds(max_depth=16, max_aliases=100, max_nodes=10_000))
