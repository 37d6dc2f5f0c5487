"""codequery queue list|show|wait|retry|cancel|purge|clear, and codequery events."""

from __future__ import annotations

import time

import click

from codequery import ledger, liveness, operations
from codequery.cli.app import (
    State,
    cli,
    emit_json,
    json_option,
    stderr_console,
    stdout_console,
    warn_of_settings,
)
from codequery.errors import CodeQueryError
from codequery.printable import shown_path
from codequery.wording import plural
from codequery.workspace import Workspace

# How often `queue wait` looks whether the jobs wait on a blocked documenter or an open
# circuit breaker (a few reads of the database).
HELD_LOOK_SECONDS = 2.0
STATUS_STYLE = {"pending": "yellow", "processing": "cyan", "completed": "green",
                "dead": "red", "cancelled": "dim"}


@cli.group()
def queue() -> None:
    """Inspect and manage the documentation jobs of this repository."""


# What `queue list` shows of each job, in order (a table's columns, a pipe's fields).
JOB_COLUMNS = ("id", "operation", "path", "status", "created", "retries")


@queue.command("list")
@click.option("--status", "status", type=click.Choice(ledger.STATUSES),
              help="Only jobs in this state.")
@click.option("--limit", "-n", default=200, show_default=True, type=click.IntRange(1),
              help="The newest this many jobs (listed oldest first).")
@json_option
@click.pass_obj
def list_jobs(state: State, status: str | None, limit: int, as_json: bool) -> None:
    """List jobs: id, operation, path, status, created, retries; counts underneath."""
    ws = state.workspace
    found = operations.jobs(ws, status, limit)
    counts = ledger.counts(ws.store.conn, ws.dataset)
    total = counts[status] if status else sum(counts.values())
    warn_of_settings(state)
    if as_json:
        emit_json(found)
        _say_cut(len(found), total)
        return
    console = stdout_console()
    rows = [(job["id"], job["operation"], shown_path(job["path"]), job["status"],
             job["created_at"], str(job["retries"])) for job in found]
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    if not console.is_terminal:  # into a pipe (an agent, a script): plain lines, no box
        import sys

        lines = ["\t".join(row) for row in ([JOB_COLUMNS] + rows if rows else [])]
        sys.stdout.write("\n".join([*lines, summary]) + "\n")
    else:
        from rich.markup import escape
        from rich.table import Table

        table = Table(header_style="bold")
        for column in JOB_COLUMNS:
            table.add_column(column, overflow="fold")
        for job_id, operation, path, job_status, created, retries in rows:
            style = STATUS_STYLE.get(job_status, "")
            table.add_row(job_id, operation, escape(path),
                          f"[{style}]{job_status}[/{style}]", created, retries)
        if rows:
            console.print(table)
        console.print(summary)
    _say_cut(len(found), total)


def _say_cut(shown: int, total: int) -> None:
    if total > shown:
        stderr_console().print(f"codequery: the newest {shown} of {total} jobs "
                               "(--limit for more)")


@queue.command()
@click.argument("job_id")
@json_option
@click.pass_obj
def show(state: State, job_id: str, as_json: bool) -> None:
    """One job with its history of state changes."""
    data = operations.job(state.workspace, job_id)
    if as_json:
        emit_json(data)
        return
    from rich.markup import escape

    console = stdout_console()
    for key in ("id", "path", "operation", "status", "priority", "attempts", "created_at",
                "updated_at", "next_retry_at", "error"):
        if data[key] is not None:
            value = shown_path(data[key]) if key == "path" else str(data[key])
            console.print(f"[bold]{key}[/bold]: {escape(value)}", markup=True, highlight=False)
    for event in data["events"]:
        console.print(f"  {event['at']}  {event['from'] or '-'} -> {event['to']}  "
                      f"{escape(event['detail'] or '')}  "
                      f"[dim]{escape(event['worker'] or '')}[/dim]")


@queue.command()
@click.argument("job_ids", nargs=-1, required=True)
@click.option("--timeout", type=click.FloatRange(0), help="Give up after this many seconds.")
@click.pass_obj
def wait(state: State, job_ids: tuple[str, ...], timeout: float | None) -> None:
    """Block until the jobs are done. Exit 0 all completed, 1 any dead or cancelled,
    2 on timeout."""
    ws = state.workspace
    ids = _known(ws, job_ids)
    deadline = None if timeout is None else time.monotonic() + timeout
    warned, told, looked = False, None, 0.0
    while True:
        jobs = [ledger.get(ws.store.conn, j) for j in ids]
        states = {j.id: j.status for j in jobs if j is not None}
        open_ = [j for j, s in states.items() if s in (ledger.PENDING, ledger.PROCESSING)]
        if not open_:
            break
        if not warned and not liveness.worker_alive(ws.paths):
            stderr_console().print("codequery: no worker is running; these jobs wait for one "
                                   "(codequery worker start)")
            warned = True
        if time.monotonic() - looked >= HELD_LOOK_SECONDS:  # blocked, or the breaker open
            looked, holds = time.monotonic(), operations.held(ws)
            if holds is not None and holds.split(";")[0] != (told or "").split(";")[0]:
                stderr_console().print(f"codequery: these jobs wait: {holds}", markup=False)
            told = holds
        if deadline is not None and time.monotonic() >= deadline:
            stderr_console().print(f"codequery: timed out; still open: {', '.join(open_)}"
                                   + (f" (waiting: {told})" if told else ""), markup=False)
            click.get_current_context().exit(2)
        time.sleep(0.1)
    failed = [j for j, s in states.items() if s != ledger.COMPLETED]
    for job_id in ids:
        click.echo(f"{job_id}\t{states.get(job_id, 'purged')}")
    if failed:
        click.get_current_context().exit(1)


@queue.command()
@click.argument("job_ids", nargs=-1)
@click.option("--all-dead", is_flag=True, help="Every dead job.")
@click.pass_obj
def retry(state: State, job_ids: tuple[str, ...], all_dead: bool) -> None:
    """Give dead (or cancelled) jobs a fresh set of attempts."""
    if not job_ids and not all_dead:
        raise click.UsageError("name job ids or pass --all-dead")
    ws = state.workspace
    named = _known(ws, job_ids)
    done = operations.retry(ws, named, all_dead=all_dead, by="cli")
    click.echo(f"codequery: {plural(len(done), 'job')} queued again" + (f": {', '.join(done)}"
                                                                 if done else ""))
    _left_as_they_were(ws, named, done, "retried")


@queue.command()
@click.argument("job_ids", nargs=-1, required=True)
@click.pass_obj
def cancel(state: State, job_ids: tuple[str, ...]) -> None:
    """Cancel pending jobs (a job already processing finishes)."""
    ws = state.workspace
    named = _known(ws, job_ids)
    done = operations.cancel(ws, named, by="cli")
    click.echo(f"codequery: {len(done)} of {len(set(named))} jobs cancelled")
    _left_as_they_were(ws, named, done, "cancelled")


@queue.command()
@click.argument("job_ids", nargs=-1, required=True)
@click.pass_obj
def purge(state: State, job_ids: tuple[str, ...]) -> None:
    """Delete jobs and their history (not while processing)."""
    ws = state.workspace
    named = _known(ws, job_ids)
    done = operations.purge(ws, named)
    click.echo(f"codequery: {len(done)} of {len(set(named))} jobs purged")
    _left_as_they_were(ws, named, done, "purged")


# Why a job named was left as it was, by what was asked and the job's status.
_REFUSED = {"retried": "only dead or cancelled jobs can be retried",
            "cancelled": "only pending jobs can be cancelled",
            "purged": "a job being processed cannot be purged"}


def _at_work(ws: Workspace, job: ledger.Job) -> str:
    """What to do about a job being documented now: wait; a call of this repository's
    worker is ended by `worker stop` (not a remote consumer's, nor a `document` run's)."""
    from codequery import holders, pidfile

    said = f" (it is being documented now: wait for it with `codequery queue wait {job.id}`"
    owner = job.lease_owner or ""
    if owner.startswith(holders.REMOTE_PREFIX):
        return said + "; a consumer of the remote queue has it)"
    worker = pidfile.read(ws.paths.pid_file)
    if worker is not None and holders.of_process(owner, worker["pid"]):
        return said + ", or `codequery worker stop` ends the call and leaves it pending)"
    return said + ")"


def _left_as_they_were(ws: Workspace, named: list[str], done: list[str], asked: str) -> None:
    """Each job named that was left as it was, and why: an error (exit 1), so that a script
    does not take the count for done."""
    left = [job_id for job_id in dict.fromkeys(named) if job_id not in set(done)]
    if not left:
        return
    reasons = []
    pending: dict[str, list[str]] = {}  # path -> its pending jobs, read once if asked
    for job_id in left:
        job = operations.find_job(ws, job_id)
        if asked == "retried" and job.status in (ledger.DEAD, ledger.CANCELLED):
            if not pending:
                for j in ledger.jobs(ws.store.conn, ws.dataset, ledger.PENDING):
                    pending.setdefault(j.path, []).append(j.id)
            newer = pending.get(job.path, [])
            reasons.append(f"{job_id}: a newer pending job ({', '.join(newer) or '?'}) covers "
                           f"{shown_path(job.path)}")
        else:
            reasons.append(f"{job_id} is {job.status}: {_REFUSED[asked]}"
                           + (_at_work(ws, job) if job.status == ledger.PROCESSING else ""))
    raise CodeQueryError(f"{plural(len(left), 'job')} not {asked}: " + "; ".join(reasons))


def _known(ws: Workspace, job_ids: tuple[str, ...]) -> list[str]:
    """The jobs named, by their ids as the ledger spells them; one that is not a job of
    this repository is an error (a typo must not pass as "0 jobs cancelled")."""
    return [operations.find_job(ws, job_id).id for job_id in job_ids]


@queue.command()
@click.option("--days", required=True, type=click.FloatRange(0),
              help="Delete completed and cancelled jobs older than this many days.")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.pass_obj
def clear(state: State, days: float, yes: bool) -> None:
    """Delete old completed and cancelled jobs (dead jobs stay for review)."""
    if not yes:
        question = f"Delete completed and cancelled jobs older than {days:g} days?"
        try:
            click.confirm(question, abort=True, err=True)
        except click.Abort as exc:
            if not isinstance(exc.__context__, EOFError):
                raise  # answered no, or Ctrl-C
            click.echo(err=True)  # the question is left without its line end
            raise CodeQueryError(f"queue clear got no answer to {question!r}: its input "
                                 "ended (no terminal?); pass --yes to delete them") from None
    ws = state.workspace
    removed = ledger.clear(ws.store.conn, ws.config.dataset, days)
    click.echo(f"codequery: {plural(removed, 'job')} deleted")


@cli.command()
@click.option("--job", "job_id", help="Only this job's events.")
@click.option("--limit", "-n", default=200, show_default=True, type=click.IntRange(1),
              help="The newest this many events.")
@json_option
@click.pass_obj
def events(state: State, job_id: str | None, limit: int, as_json: bool) -> None:
    """The job event log (every state change), newest last."""
    found = operations.events(state.workspace, job_id, limit + 1)  # one more: were any cut?
    cut = len(found) > limit
    if cut:  # the one more is the oldest written
        found.remove(min(found, key=lambda e: e["id"]))
    if as_json:
        emit_json(found)
        return
    for e in found:
        click.echo(f"{e['at']}  {e['job']}  {e['from'] or '-'} -> {e['to']}  "
                   f"{shown_path(e['path'])}  {e['detail'] or ''}")
    if cut:
        stderr_console().print(f"codequery: the newest {limit} events (--limit for more)")
