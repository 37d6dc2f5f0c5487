"""search and show: reading the index. Kept light: a search starts in tens of
milliseconds, so nothing here imports the worker, pydantic or rich until it must."""

from __future__ import annotations

import sys

import click

from codequery import defaults, snippets
from codequery.cli import search_output
from codequery.cli.app import (
    State,
    cli,
    emit_json,
    json_option,
    stdout_console,
    warn_of_settings,
)
from codequery.printable import printable, shown_path, typed_path

pass_state = click.pass_obj


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _highlight_marks(snippet: str) -> str:
    """A snippet as search gives it (`**match**`, the text's own stars escaped) -> rich
    markup showing the text as it is, its matches in colour."""
    return "".join(f"[bold magenta]{_escape(piece)}[/bold magenta]" if match
                   else _escape(piece) for piece, match in snippets.runs(snippet))


def _print_plain(results: list[dict]) -> None:
    search_output.write_out(search_output.plain(results))


class _DashArguments(click.Command):
    """A command whose arguments may start with '-' (a query's `-x`, a file `-notes.md`):
    an unknown option is told how to give one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            [argument] = [p for p in self.params if isinstance(p, click.Argument)]
            words = argument.nargs == -1
            shown = "WORDS" if words else argument.make_metavar(ctx)
            if exc.option_name == "-C":  # codequery's own, given after the command
                exc.message += (f" -C DIR goes before the command: codequery -C DIR "
                                f"{self.name} {shown}")
            elif not exc.possibilities and words:  # not a misspelt option of ours
                exc.message += (" To search for words that start with '-', put -- before "
                                f"the query: codequery {self.name} [OPTIONS] -- {shown}")
            elif not exc.possibilities:
                exc.message += (" To give a path that starts with '-', put -- before it "
                                f"(or ./): codequery {self.name} [OPTIONS] -- {shown}")
            raise


@cli.command(cls=_DashArguments)
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default=defaults.SEARCH_LIMIT, show_default=True,
              type=click.IntRange(1, defaults.MAX_LIMIT),
              help="How many results at most.")
@click.option("--tests", is_flag=True,
              help="Search only tests, fixtures and examples (otherwise they follow the "
                   "source files they exercise).")
@json_option
@pass_state
def search(state: State, query: tuple[str, ...], limit: int, tests: bool,
           as_json: bool) -> None:
    """Search the documentation: file paths, symbol names, overviews, docstrings and
    the words each file uses.

    Ask in words ("where is the retry delay computed") or give names (sendFile,
    parse_invoice). Word forms match (cache, caching, cached), identifiers match in
    parts, and common words are ignored; files with more of the words rank first.
    End a word with * for a prefix. A file's path (src/app.py), or its end
    (app.py), puts that file first; a folder's path (lib/internal/), its files.
    Results whose file changed since it was
    documented are marked stale. A query holds at most 2,000 characters.
    """
    from codequery import operations

    results = operations.search(state.workspace, " ".join(query), limit, tests=tests)
    for note in operations.search_notes(state.workspace, " ".join(query)):
        click.echo(note, err=True)
    warn_of_settings(state)
    if as_json:
        emit_json(results)
        return
    if not results:
        click.echo(operations.no_results(state.workspace, " ".join(query)), err=True)
        return
    if not sys.stdout.isatty():
        _print_plain(results)  # piped, as an agent runs it: no table to lay out
        return
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("path", overflow="fold", ratio=3)
    table.add_column("score", justify="right", width=6)
    table.add_column("overview", ratio=3, overflow="fold")
    table.add_column("match", ratio=4, overflow="fold")
    for r in results:
        copies = search_output.also_at(r)
        path = (_escape(shown_path(r["path"]))
                + (" [yellow](gone from the work tree)[/yellow]" if r.get("gone") else
                   " [yellow](stale)[/yellow]" if r["stale"] else "")
                + f"[dim]{search_output.meeting(r)}[/dim]"
                + (f"\n[dim]also at {_escape(copies)}[/dim]" if copies else ""))
        snippet = _highlight_marks(r["snippet"]) + search_output.snippet_place(r)
        overview = printable(r["overview"].strip().split("\n", 1)[0])
        table.add_row(path, f"{r['score']:.2f}", _escape(overview[:120]),
                      snippet.replace("\n", " "))
    stdout_console().print(table)


@cli.command(cls=_DashArguments)
@click.argument("path", type=click.Path())
@json_option
@pass_state
def show(state: State, path: str, as_json: bool) -> None:
    """Show the documentation record of one file.

    PATH is relative to the current folder; from a subfolder, a path as `search` prints
    it (from the repository's root) works too, quoted as search quotes a path with a line
    break or a quote in it ("new\\nline.py"). A path outside the repository is refused.
    """
    from codequery import operations
    from codequery.errors import CodeQueryError

    try:
        record = operations.show(state.workspace, path, state.cwd)
    except CodeQueryError as first:
        printed = typed_path(path)
        try:
            record = operations.show(state.workspace, printed, state.cwd) if printed else None
        except CodeQueryError:
            record = None
        if record is None:  # what was typed, as it was typed, is what went wrong
            raise first from None
    warn_of_settings(state)
    if as_json:
        emit_json(record)
        return
    if not sys.stdout.isatty():  # piped, as an agent runs it: no table to cut names in two
        from codequery.cli.record_text import plain_record

        search_output.write_out(plain_record(record))
        return
    from codequery.cli.render import render_record

    # a panel's text is cropped, not wrapped, where the console does not wrap lines
    stdout_console().print(render_record(record), soft_wrap=False)
