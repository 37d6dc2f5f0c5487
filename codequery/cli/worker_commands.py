"""codequery worker start|stop|restart|status|logs."""

from __future__ import annotations

import time
from collections import deque

import click
from rich.markup import escape

from codequery import ledger, pidfile, start_settings, worker_control
from codequery.cli.app import State, cli, emit_json, json_option, stderr_console, stdout_console
from codequery.cli.formatting import duration
from codequery.errors import CodeQueryError
from codequery.workspace import Workspace


@cli.group()
def worker() -> None:
    """Run the background worker that documents queued files (one per repository)."""


@worker.command()
@click.option("--threads", type=click.IntRange(1, 64),
              help="Consumer threads (default: processing.threads in the config).")
@click.option("--metrics-port", type=click.IntRange(1, 65535),
              help="Serve Prometheus metrics at http://127.0.0.1:PORT/metrics.")
@click.option("--remote", "remote_url", metavar="REDIS_URL",
              help="Instead: serve the shared remote queue at REDIS_URL in the foreground, "
                   "documenting for repositories this machine need not have checked out "
                   "(Ctrl-C lets running tasks finish).")
@click.option("--claude", "claude_executable", default="claude", show_default=True,
              help="With --remote: the Claude CLI this machine runs.")
@click.option("--all", "all_repos", is_flag=True,
              help="One worker for every repository registered with `codequery init`.")
@click.pass_obj
def start(state: State, threads: int | None, metrics_port: int | None = None,
          remote_url: str | None = None, claude_executable: str = "claude",
          all_repos: bool = False) -> None:
    """Start a detached worker for this repository and wait until it is ready."""
    if all_repos and (remote_url or metrics_port):
        raise click.UsageError("--all cannot be combined with --remote or --metrics-port")
    if remote_url:
        from codequery import remote_consumer

        remote_consumer.serve_forever(remote_url, threads or 4, claude_executable)
        return
    if all_repos:
        from codequery import registry

        pid, started = worker_control.start(registry.all_worker_paths(), threads,
                                            command=worker_control.all_worker_command(threads))
        count = len(registry.registered())
        click.echo(f"codequery: worker for all {count} registered repositories "
                   + (f"started (pid {pid})" if started else f"already running (pid {pid})"))
        return
    ws = state.workspace
    ws.require_initialized()
    ws.config  # noqa: B018 - a broken config fails here, not in the detached process
    ws.store  # noqa: B018 - and so does a database that cannot be opened
    pid, started = worker_control.start(ws.paths, threads, metrics_port=metrics_port)
    if started:
        click.echo(f"codequery: worker started (pid {pid}); logs: {ws.paths.log_dir}")
    else:
        from codequery import service  # only this message needs it

        unit = service.installed_unit(ws.root)
        managed = f"; a service for this repository is installed: {unit}" if unit else ""
        click.echo(f"codequery: a worker is already running (pid {pid or 'unknown'}{managed})")
        _warn_restart(ws, _restart_for(ws))
        _warn_options_unused(ws, threads, metrics_port)


def _configured_threads(ws: Workspace) -> int | None:
    """processing.threads, or None when the settings cannot be read (status still
    answers)."""
    try:
        return ws.config.processing.threads
    except CodeQueryError:
        return None


def _warn_options_unused(ws: Workspace, threads: int | None, metrics_port: int | None) -> None:
    """Options given to `start` that the worker already running was not started with: they
    take effect only through a restart."""
    info = worker_control.info(ws.paths, sample_cpu=False,
                               default_threads=_configured_threads(ws))
    given = {"--threads": (threads, info.consumers),
             "--metrics-port": (metrics_port,
                                worker_control.options_in(info.cmdline or []).get("metrics_port"))}
    unused = [f"{flag} {wanted}" for flag, (wanted, running) in given.items()
              if wanted is not None and wanted != running]
    if unused:
        from codequery import service

        # a service's worker comes back as its unit says: `worker restart` would leave
        # the service stopped (see start_settings.advice)
        how = ("install-service" if service.is_installed(ws.root) else "worker restart")
        click.secho(f"warning: the running worker was not started with {' '.join(unused)}; "
                    f"`codequery {how} {' '.join(unused)}` applies it", fg="yellow",
                    err=True)


@worker.command()
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for the worker to exit before stopping it harder "
                   "(SIGTERM, then SIGKILL).")
@click.option("--all", "all_repos", is_flag=True,
              help="Stop the worker of all registered repositories.")
@click.pass_obj
def stop(state: State, timeout: float, all_repos: bool = False) -> None:
    """Stop the worker. Documenter commands still running (LLM calls) are killed at once
    and their jobs go back to the queue without losing an attempt; other running jobs get
    a few seconds to finish; pending jobs stay queued."""
    if all_repos:
        from codequery import registry
        from codequery.paths import RepoPaths

        pid = worker_control.stop(registry.all_worker_paths(), timeout)
        if pid is not None:  # what a hard stop left processing goes back to the queue,
            for root in registry.registered():  # and the pid files it left go too
                worker_control.requeue_jobs_of(RepoPaths(root))
                pidfile.remove_if_names(RepoPaths(root).pid_file, pid)
    else:
        pid = worker_control.stop(state.workspace.paths, timeout)
    click.echo("codequery: no worker is running" if pid is None
               else f"codequery: worker {pid} stopped")


@worker.command()
@click.option("--threads", type=click.IntRange(1, 64),
              help="Consumer threads for the new worker (default: as the running one).")
@click.option("--metrics-port", type=click.IntRange(1, 65535),
              help="Serve Prometheus metrics on this port (default: as the running one).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for the worker to exit before stopping it harder "
                   "(SIGTERM, then SIGKILL).")
@click.pass_context
def restart(ctx: click.Context, threads: int | None, metrics_port: int | None,
            timeout: float) -> None:
    """Stop the worker (if any) and start a new one, with the options the running one was
    started with unless given."""
    kept = worker_control.started_with(ctx.obj.workspace.paths)
    if metrics_port and metrics_port != kept.get("metrics_port"):
        # a port another process holds: said now, with the running worker left running
        # (a trial's restart stopped it, then the new one could not start)
        from codequery import ports

        try:
            ports.bound(metrics_port, "--metrics-port").close()
        except CodeQueryError as exc:
            raise CodeQueryError(f"{exc}; nothing was stopped") from None
    ctx.invoke(stop, timeout=timeout)
    ctx.invoke(start, threads=threads or kept.get("threads"),
               metrics_port=metrics_port or kept.get("metrics_port"))


@worker.command()
@click.option("--all", "all_repos", is_flag=True,
              help="Every registered repository: its worker and queue.")
@json_option
@click.pass_obj
def status(state: State, as_json: bool, all_repos: bool = False) -> None:
    """Is the worker running? pid, CPU, memory, uptime and queue counts. Exit 0 if running,
    3 if not (as systemctl); with --all, 0 if every registered repository has a worker.
    Settings or a database that cannot be read leave out the queue counts, with a warning."""
    if all_repos:
        _status_all(as_json)
        return
    ws = state.workspace
    ws.require_initialized()
    info = worker_control.info(ws.paths, default_threads=_configured_threads(ws))
    counts, problem = _queue_counts(ws)
    if problem:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    restart_for = _restart_for(ws) if info.running else []
    _warn_restart(ws, restart_for)
    if as_json:
        emit_json({"worker": {**info.as_dict(), "restart_for": restart_for}, "queue": counts,
                   "warning": problem})
    else:
        console = stdout_console()
        if info.running:
            console.print(f"worker: [green]running[/green] pid {info.pid or '?'}, "
                          f"up {duration(info.uptime_s)}, CPU {info.cpu_percent or 0:.0f}%, "
                          f"memory {info.memory_mb or 0:.0f} MiB, {info.consumers or '?'} "
                          f"worker threads ({info.threads or '?'} in the process)")
        else:
            console.print("worker: [red]not running[/red]" + escape(  # it may name a path
                worker_control.not_running(info.ended)))
        if counts is not None:
            console.print("queue: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    if not info.running:
        click.get_current_context().exit(3)


def _warn_restart(ws: Workspace, restart_for: list[str]) -> None:
    """Say on stderr that the running worker needs a restart for these settings."""
    if restart_for:
        click.secho(f"warning: {start_settings.advice(ws.paths, restart_for)}", fg="yellow",
                    err=True)


def _restart_for(ws: Workspace) -> list[str]:
    """Settings the running worker reads only at its start, changed since (none when the
    config cannot be read: the queue counts' warning says why)."""
    try:
        return start_settings.changed(ws.paths, ws.config)
    except CodeQueryError:
        return []


def _queue_counts(ws: Workspace) -> tuple[dict[str, int] | None, str | None]:
    """The queue's counts, or why they cannot be read: a broken config or database must
    not hide whether the worker runs (`worker status` answers that by its exit code). A
    database that is gone is not made anew by a question: it has no queue."""
    try:
        if ws.paths.settings.exists() and not ws.paths.data_db.exists():
            ws.check_not_stashed()  # the stash holds it: `git stash pop` puts it back
            inside = ws.paths.data_db.relative_to(ws.root).as_posix()
            return None, (f"{inside} is gone, and its queue with it: `codequery document` "
                          "builds the index again")
        return ledger.counts(ws.store.conn, ws.config.dataset), None
    except CodeQueryError as exc:
        return None, str(exc)


def _status_all(as_json: bool) -> None:
    from codequery import registry

    rows = []
    for root in registry.registered():
        ws = Workspace(root)
        info = worker_control.info(ws.paths, sample_cpu=False)
        counts, problem = _queue_counts(ws)
        if problem:
            click.secho(f"warning: {problem}", fg="yellow", err=True)
        try:
            config = ws.config
        except CodeQueryError:
            config = None  # the warning says why
        rows.append({"root": str(root), "dataset": config and config.dataset,
                     "transport": config and config.processing.transport,
                     "worker": info.as_dict(), "queue": counts, "warning": problem})
    if as_json:
        emit_json(rows)
    else:
        _print_all(rows)
    if not rows or not all(row["worker"]["running"] for row in rows):
        click.get_current_context().exit(3)


def _print_all(rows: list[dict]) -> None:
    """Each repository's full path on a line of its own (it is what tells them apart, so
    it is never cut to fit a column), then its worker and queue on one line."""
    from rich.markup import escape

    console = stdout_console()
    if not rows:
        stderr_console().print("codequery: no repository is registered (`codequery init` "
                               "registers one)")
    for row in rows:
        worker, queue = row["worker"], row["queue"]
        console.print(f"[bold]{escape(row['root'])}[/bold]", soft_wrap=True)
        state = (f"[green]running[/green] (pid {worker['pid'] or '?'})" if worker["running"]
                 else "[red]not running[/red]")
        counts = (", ".join(f"{queue[s]} {s}" for s in ("pending", "processing", "completed",
                                                        "dead"))
                  if queue else "? (see the warning)")
        console.print(f"  worker {state}, transport {row['transport'] or '?'}; queue: {counts}",
                      soft_wrap=True)


@worker.command()
@click.option("--limit", "-n", "lines", default=50, show_default=True, type=click.IntRange(0),
              help="How many of the last lines to print.")
@click.option("--follow", "-f", "follow", is_flag=True,
              help="Keep printing new lines (Ctrl-C to stop).")
@click.pass_obj
def logs(state: State, lines: int, follow: bool) -> None:
    """Print the worker's log: one line per job state change, plus start and stop."""
    path = state.workspace.paths.log_dir / "worker.log"
    if not path.exists():
        stderr_console().print(f"codequery: no worker log yet at {path}")
        return
    with path.open("r", encoding="utf-8", errors="replace") as log:
        for line in deque(log, maxlen=lines) if lines else ():
            click.echo(line, nl=False)
        while follow:
            line = log.readline()
            if line:
                click.echo(line, nl=False)
            else:
                time.sleep(0.2)
