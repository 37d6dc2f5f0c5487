"""The click group every command hangs from, and how errors leave the program."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from codequery import __version__
from codequery.cli import failures, search_output
from codequery.workspace import Workspace

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class State:
    cwd: Path
    _workspace: Workspace | None = field(default=None, repr=False)

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.find(self.cwd)
        return self._workspace

    @property
    def opened(self) -> Workspace | None:
        """The workspace this command opened, if it did (see cli.failures)."""
        return self._workspace


# Which module defines each command: a command's module is imported only when it runs (or
# for --help), so `codequery search` does not pay for the worker, pydantic or the server.
COMMAND_MODULES = {
    "init": "documents", "document": "documents", "search": "reading", "show": "reading",
    "status": "status", "worker": "worker_commands", "queue": "queue_commands",
    "events": "queue_commands", "install-hooks": "hook_commands",
    "uninstall-hooks": "hook_commands", "install-service": "service_commands",
    "uninstall-service": "service_commands", "doctor": "doctor_commands",
    "setup": "setup_command", "serve": "serve_commands", "mcp-config": "serve_commands",
}


# What a new user types for a command that has another name.
_CALLED_OTHERWISE = {"mcp": "serve", "server": "serve", "query": "search", "find": "search",
                     "grep": "search", "index": "document", "reindex": "document --all",
                     "start": "worker start", "stop": "worker stop", "check": "doctor",
                     "hooks": "install-hooks"}


def _meant_command(name: str) -> str:
    """` Did you mean 'search'?` for a command mistyped (`serach`) or called otherwise
    (`mcp`: the MCP server is `serve`), or nothing."""
    import difflib

    meant = _CALLED_OTHERWISE.get(name.lower())
    if meant is None:
        close = difflib.get_close_matches(name.lower(), COMMAND_MODULES, n=1, cutoff=0.6)
        meant = close[0] if close else None
    return f" Did you mean '{meant}'?" if meant else ""


class CodeQueryGroup(click.Group):
    """Turns our errors into one red line (exit 1), Ctrl-C into exit 130, bugs into a log."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"codequery.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        # click's own failure, with a guess (it leaves options and shell completion be)
        name = click.utils.make_str(args[0]) if args else ""
        if (args and not ctx.resilient_parsing and not name.startswith("-")
                and self.get_command(ctx, name) is None):
            ctx.fail(f"No such command '{name}'.{_meant_command(name)}")
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(COMMAND_MODULES.values()):
            importlib.import_module(f"codequery.cli.{module}")
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            ctx.exit(failures.exit_code(exc, ctx.obj.opened if isinstance(ctx.obj, State)
                                        else None))


@click.group(cls=CodeQueryGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="codequery")
@click.option("-C", "directory", metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Run as if codequery was started in DIR (like git -C).")
@click.pass_context
def cli(ctx: click.Context, directory: Path | None) -> None:
    """Keep a searchable documentation index of a git repository current on every commit.

    Start with `codequery init` inside a git repository, then `codequery search WORDS`.
    """
    ctx.obj = State(cwd=(directory or Path(os.getcwd())).absolute())


# Every command with machine-readable output takes the same flag.
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def require_with(flag: str, needed: bool, *names: str) -> None:
    """A usage error when an option among `names` that applies only with `flag` is given
    on the command line without it (it would be ignored, saying nothing)."""
    ctx = click.get_current_context()
    given = [f"--{name}" for name in names
             if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE]
    if given and not needed:
        raise click.UsageError(f"{' and '.join(given)} {'need' if len(given) > 1 else 'needs'}"
                               f" {flag}")


def emit_json(value: Any) -> None:
    sys.stdout.write(search_output.json_text(value))


def warn_of_settings(state: State) -> None:
    """A command that reads the index on while config.json is broken says so (see
    Workspace.settings_trouble), on stderr: its output is what a script reads."""
    if state.workspace.settings_trouble:
        click.echo(f"codequery: warning: {state.workspace.settings_trouble}", err=True)


def stderr_console():  # noqa: ANN201 - rich is imported lazily to keep start-up quick
    return _console(stderr=True)


def stdout_console():  # noqa: ANN201
    return _console(stderr=False)


def _console(stderr: bool):  # noqa: ANN202
    """A console that wraps words at a terminal's width, and does not wrap at all into a
    pipe or a file: a script reads one line as one line (rich would cut at 80 columns)."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    console.soft_wrap = not console.is_terminal
    return console
