"""A progress bar for long work on a terminal; silence elsewhere (logs, pipes, CI)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def file_progress(label: str) -> Iterator[tuple[Callable[[int], None], Callable[[str], None]]]:
    """Yields (on_total, on_file) callbacks for `local_run.document_now`."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from codequery.cli.app import stderr_console

    console = stderr_console()
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), TextColumn("{task.fields[current]}"),
                        console=console, disable=not console.is_terminal, transient=True)
    task = progress.add_task(label, total=None, current="")
    with progress:
        yield (lambda total: progress.update(task, total=total),
               lambda path: progress.update(task, advance=1, current=path[-40:]))
