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
@click.option("--all", "all_repos", is_flag=True,
              help="One service for every repository registered with `codequery init` "
                   "(`codequery worker start --all`).")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Consumer threads of the service's worker (default: processing.threads).")
@click.option("--metrics-port", type=click.IntRange(1, 65535),
              help="The service's worker serves Prometheus metrics on this port.")
@click.pass_obj
def install_service(state: State, platform: str | None, dry_run: bool,
                    all_repos: bool = False, threads: int | None = None,
                    metrics_port: int | None = None) -> None:
    """Run this repository's worker as a per-user service: started at login, restarted
    after a crash, stopped gracefully.

    Linux: a systemd user unit in ~/.config/systemd/user (runs while you are logged in;
    `loginctl enable-linger` keeps it running without a login). macOS: a launchd agent in
    ~/Library/LaunchAgents. Each repository gets its own; running this again replaces it.
    Never needs root. Its output goes to .code-query/logs/worker.out.
    """
    from codequery import worker_control

    if all_repos:
        from codequery import registry

        if metrics_port:
            raise click.UsageError("--all cannot be combined with --metrics-port")
        root = registry.all_worker_paths().root
        root.mkdir(parents=True, exist_ok=True)
        command = worker_control.all_worker_command(threads)
    else:
        ws = state.workspace
        ws.require_initialized()
        ws.config  # noqa: B018 - a broken config fails here, not in a restart loop
        root = ws.root
        command = worker_control.worker_command(threads, metrics_port)
    if dry_run:
        unit, commands = service.plan(root, platform, command)
        _say(f"would write {unit.path}:")
        click.echo(unit.content, nl=not unit.content.endswith("\n"))
        for argv in commands:
            _say(f"would run {shlex.join(argv)}")
        return
    for step in service.install(root, platform, command):
        if isinstance(step, list):  # a command for the user: printed so it can be pasted
            click.echo(f"  {shlex.join(step)}", err=True)
        else:
            _say(step)


@cli.command("uninstall-service")
@PLATFORM_OPTION
@click.option("--all", "all_repos", is_flag=True,
              help="The service of every registered repository (`install-service --all`).")
@click.pass_obj
def uninstall_service(state: State, platform: str | None, all_repos: bool = False) -> None:
    """Stop, disable and remove this repository's worker service (if one is installed).

    A worker you started with `codequery worker start` keeps running.
    """
    from codequery import registry

    root = registry.all_worker_paths().root if all_repos else state.workspace.root
    for step in service.uninstall(root, platform):
        _say(step)


def _say(line: str) -> None:
    # Plain click, not rich: long paths and commands must stay on one line to be copied.
    click.echo(f"codequery: {line}", err=True)
