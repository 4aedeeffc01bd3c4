"""Help texts that wrap to the terminal: docstrings are written with hard line breaks at the source's width,
and Typer's rich mode keeps single line breaks, so an 80-column terminal showed ragged half-lines. Prose
paragraphs are re-flowed into one line each (Rich then wraps them to the terminal); paragraphs that are laid
out on purpose (examples, lists, indented or ``\\b`` blocks) are left as written."""

from __future__ import annotations

from typing import Any

_LAID_OUT = ("- ", "* ", "| ", "cxcert ", "$ ", ".venv/", "\b")


def reflow(text: str) -> str:
    """Join the single line breaks inside each prose paragraph of ``text``."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(p if _laid_out(p) else " ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _laid_out(paragraph: str) -> bool:
    lines = [line for line in paragraph.splitlines() if line.strip()]
    return any(line[:1].isspace() or line.lstrip().startswith(_LAID_OUT) for line in lines)


def reflow_tree(command: Any) -> None:
    """Re-flow the help of a Click ``command`` (Typer ships its own Click) and of every command below it."""
    if command.help:
        command.help = reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        reflow_tree(sub)
