"""Help prose re-flows to the terminal; examples and lists keep their lines."""

from __future__ import annotations

import os
import subprocess
import sys

from cxcert.cli.help_text import reflow


def test_prose_paragraphs_become_one_line_each() -> None:
    text = "First line of a\nparagraph, --target-sl 0.8\nends here.\n\nSecond\nparagraph."
    assert reflow(text) == "First line of a paragraph, --target-sl 0.8 ends here.\n\nSecond paragraph."


def test_examples_lists_and_indented_blocks_are_kept() -> None:
    examples = "Examples:\n\ncxcert qa sample --n 200\ncxcert qa kappa r.csv"
    bullets = "- one\n- two"
    indented = "Table:\n    a  b\n    1  2"
    assert reflow(examples) == "Examples:\n\n" + "cxcert qa sample --n 200\ncxcert qa kappa r.csv"
    assert reflow(bullets) == bullets
    assert reflow(indented) == indented


def test_an_80_column_help_has_no_ragged_half_lines() -> None:
    """`cxcert staffing --help` is long prose written with hard breaks: at 80 columns, every wrapped prose line of
    its description is filled to within a word of the width (a ragged line would stop after a few words)."""
    env = {**os.environ, "COLUMNS": "80"}
    out = subprocess.run(
        [sys.executable, "-m", "cxcert", "staffing", "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    description = out.split("╭")[0].splitlines()
    prose = [line.rstrip() for line in description if line.strip()]
    paragraph_ends = {i for i, line in enumerate(description[:-1]) if line.strip() and not description[i + 1].strip()}
    short = [line for i, line in enumerate(description) if line.strip() and i not in paragraph_ends
             and len(line.rstrip()) < 60]  # fmt: skip
    assert prose and not short, short
