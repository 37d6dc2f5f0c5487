"""codequery doctor: run the checks of `codequery.doctor` and print them."""

from __future__ import annotations

import click

from codequery import doctor
from codequery.cli.app import State, cli, emit_json, json_option, stderr_console, stdout_console


@cli.command("doctor")
@json_option
@click.pass_context
def doctor_command(ctx: click.Context, as_json: bool) -> None:
    """Check git, the hooks, the config, the databases, the worker, the documenter, the
    queue and disk space; each failing check says how to fix it. Exit 1 if any fails."""
    from rich.markup import escape

    state: State = ctx.obj
    checks = doctor.diagnose(state.cwd)
    failed = [check for check in checks if not check.ok]
    if as_json:
        emit_json(doctor.as_json(checks))
    else:
        console = stdout_console()
        for check in checks:
            console.print(f"{_mark(check)} [bold]{check.name}[/bold]: {escape(check.detail)}")
            if not check.ok and check.fix:
                console.print(f"    fix: {escape(check.fix)}")
        if failed:
            skipped = sum(check.skipped for check in failed)
            also = f" ({skipped} more skipped)" if skipped else ""
            stderr_console().print(f"codequery doctor: {len(failed) - skipped} of "
                                   f"{len(checks)} checks failed{also}")
    if failed:
        ctx.exit(1)


def _mark(check: doctor.Check) -> str:
    if check.ok:
        return "[green]✓[/green]"
    if check.skipped:
        return "[dim]-[/dim]"
    return "[yellow]✗[/yellow]" if check.severity == "warning" else "[red]✗[/red]"
