"""codequery install-hooks | uninstall-hooks."""

from __future__ import annotations

import click

from codequery import hooks_install
from codequery.cli.app import State, cli, stderr_console


def install_hooks_into(state: State) -> None:
    ws = state.workspace
    console = stderr_console()
    custom = hooks_install.custom_hooks_path(ws.root)
    for report in hooks_install.install(ws.root):
        console.print(f"codequery: {report.name}: {report.action}")
    where = hooks_install.hooks_dir(ws.root)
    note = f" (core.hooksPath = {custom})" if custom else ""
    console.print(f"codequery: hooks in {where}{note}; every commit now keeps the index current")


@cli.command("install-hooks")
@click.pass_obj
def install_hooks(state: State) -> None:
    """Install the post-commit, post-merge, post-rewrite and post-checkout hooks (run by init).

    Your own hooks are kept as <name>.legacy and still run first. Honours core.hooksPath;
    hooks are shared by all work trees of the repository.
    """
    install_hooks_into(state)


@cli.command("uninstall-hooks")
@click.pass_obj
def uninstall_hooks(state: State) -> None:
    """Remove codequery's hooks and put back any hook they replaced, byte for byte."""
    console = stderr_console()
    for report in hooks_install.uninstall(state.workspace.root):
        console.print(f"codequery: {report.name}: {report.action}")
