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
    # fixed widths: a bar whose width followed the path's had jumped between 9 and 40 cells
    progress = Progress(TextColumn("{task.description}"), BarColumn(bar_width=30),
                        MofNCompleteColumn(), TimeRemainingColumn(), TextColumn("left"),
                        TextColumn("{task.fields[current]}", markup=False),  # a path
                        console=console, disable=not console.is_terminal, transient=True)
    task = progress.add_task(label, total=None, current="")
    with progress:
        yield (lambda total: progress.update(task, total=total),
               lambda path: progress.update(task, advance=1, current=_shortened(path)))


def _shortened(path: str, most: int = 40) -> str:
    """A path in `most` characters: its end, which names the file, marked as cut."""
    from codequery.printable import shown_path

    shown = shown_path(path)
    return shown if len(shown) <= most else "…" + shown[-(most - 1):]
