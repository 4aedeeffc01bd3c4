"""A progress bar for a long command, on stderr: shown only on a terminal and never with --json, so piped and
machine-read output stays clean (as `cxcert ingest` does)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cxcert.cli.output import err_console


@contextmanager
def steps_bar(label: str, *, json_out: bool) -> Iterator[Callable[[int, int], None]]:
    """A bar labelled ``label`` that pulses until the first ``advance(done, total)``, then counts the steps."""
    with Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=json_out or not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
