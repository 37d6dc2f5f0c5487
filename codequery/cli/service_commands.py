"""codequery install-service | uninstall-service."""

from __future__ import annotations

import shlex

import click

from codequery import service
from codequery.cli.app import State, cli

PLATFORM_OPTION = click.option(
    "--platform", type=click.Choice(service.PLATFORMS),
    help="Service manager to use (default: systemd on Linux, launchd on macOS).")


@cli.command("install-service")
@PLATFORM_OPTION
@click.option("--dry-run", is_flag=True,
              help="Print where the unit would go, its content (on stdout) and the commands "
                   "that would run; change nothing.")
@click.pass_obj
def install_service(state: State, platform: str | None, dry_run: bool) -> None:
    """Run this repository's worker as a per-user service: started at login, restarted
    after a crash, stopped gracefully.

    Linux: a systemd user unit in ~/.config/systemd/user (runs while you are logged in;
    `loginctl enable-linger` keeps it running without a login). macOS: a launchd agent in
    ~/Library/LaunchAgents. Each repository gets its own; running this again replaces it.
    Never needs root. Its output goes to .code-query/logs/worker.out.
    """
    ws = state.workspace
    ws.require_initialized()
    ws.config  # noqa: B018 - a broken config fails here, not in a restart loop of the service
    if dry_run:
        unit, commands = service.plan(ws.root, platform)
        _say(f"would write {unit.path}:")
        click.echo(unit.content, nl=not unit.content.endswith("\n"))
        for argv in commands:
            _say(f"would run {shlex.join(argv)}")
        return
    for step in service.install(ws.root, platform):
        if isinstance(step, list):  # a command for the user: printed so it can be pasted
            click.echo(f"  {shlex.join(step)}", err=True)
        else:
            _say(step)


@cli.command("uninstall-service")
@PLATFORM_OPTION
@click.pass_obj
def uninstall_service(state: State, platform: str | None) -> None:
    """Stop, disable and remove this repository's worker service (if one is installed).

    A worker you started with `codequery worker start` keeps running.
    """
    for step in service.uninstall(state.workspace.root, platform):
        _say(step)


def _say(line: str) -> None:
    # Plain click, not rich: long paths and commands must stay on one line to be copied.
    click.echo(f"codequery: {line}", err=True)
