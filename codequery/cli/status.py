"""codequery status: the worker, the queue and the index at a glance."""

from __future__ import annotations

import time

import click
from rich.markup import escape

from codequery import blocking, ledger, worker_control
from codequery.cli.app import State, cli, emit_json, json_option, stdout_console
from codequery.cli.formatting import duration
from codequery.wording import plural


@cli.command()
@json_option
@click.pass_obj
def status(state: State, as_json: bool) -> None:
    """Worker, queue and index at a glance: counts, oldest pending job, backlog ETA."""
    from codequery import operations

    report = operations.status(state.workspace)
    counts = {key: report["queue"][key] for key in ledger.STATUSES}
    stats = report["queue"]
    dataset, ws, info = report["dataset"], state.workspace, report["worker"]
    index = report["index"]
    if as_json:
        emit_json(report)
        return
    console = stdout_console()
    run = (f"[green]running[/green] (pid {info['pid'] or '?'}, up "
           f"{duration(info['uptime_s'])}, {info.get('consumers') or '?'} threads taking jobs)"
           if info["running"] else "[red]not running[/red]"
           + escape(worker_control.not_running(info.get("ended"))))  # it may name a path
    console.print(f"[bold]{escape(dataset)}[/bold]: {escape(str(ws.root))}")
    if report["settings_trouble"]:
        console.print(f"[red]settings:[/red]  {escape(report['settings_trouble'])}")
    console.print(f"worker:    {run}")
    if info["restart_for"]:
        from codequery import start_settings

        console.print("[yellow]restart:[/yellow]   "
                      + start_settings.advice(ws.paths, info["restart_for"]))
    transport = report["transport"]
    console.print(f"mode:      {report['mode']}, documenter {report['documenter']}"
                  + (f", {transport} transport" if transport != "sqlite" else ""))
    console.print("queue:     " + ", ".join(f"{n} {s}" for s, n in counts.items())
                  + (f", [red]{stats['stuck']} stuck[/red]" if stats["stuck"] else "")
                  + (f", [red]{stats['orphaned']} held by a worker that is gone[/red]"
                     if stats.get("orphaned") else ""))
    if counts[ledger.PENDING]:
        console.print(f"backlog:   oldest pending {duration(stats['oldest_pending_age_s'])} "
                      f"old, {_outlook(report)}")
    elif stats["waiting_for"] not in (None, "worker"):
        # all out at work (at consumers gone, say) and none moving; not "worker": a job
        # processing with no worker is a `codequery document` run's (or its holder is gone,
        # said on the queue line)
        console.print(f"backlog:   {counts[ledger.PROCESSING]} processing, {_outlook(report)}")
    console.print(f"index:     {index['documented']} documented, {index['stale']} stale, "
                  f"{index['missing']} missing, {index['outdated']} outdated"
                  + (f", {index['skipped']} skipped" if index["skipped"] else "")
                  + (f" ({plural(index['names_not_utf8'], 'file name')} not UTF-8)"
                     if index.get("names_not_utf8") else "")
                  + _catching_up(report))
    last = index["last_reconcile"]
    if last:
        console.print(f"reconcile: {duration(time.time() - last['ran_at'])} ago "
                      f"({_by(last['trigger'])}, {last['duration_ms']:.0f} ms): {last['tracked']} "
                      f"tracked, {_did(last)}" + _last_change(last))
    if report.get("remote") is not None:
        console.print("remote:    " + _consumers(report["remote"]))
    llm = report["llm"]
    if llm["calls"]:
        cost = (f"${llm['cost_usd']:.4f}" if llm.get("priced_calls")
                 else "cost unknown (the documenter reports none)")
        tokens = (f"{llm['input_tokens']} tokens in, {llm['output_tokens']} out"
                  if llm["input_tokens"] or llm["output_tokens"] else "tokens unknown")
        console.print(f"LLM calls: {llm['calls']} ({llm['failed']} failed), {cost}, {tokens}")
    if llm.get("unapproved"):
        console.print(f"[red]unapproved[/red]: {llm['unapproved']}")
    if llm.get("blocked"):
        reason = llm["blocked"]["reason"]
        queue = report["queue"]
        if not queue[ledger.PENDING] and not queue[ledger.PROCESSING]:
            reason = reason.replace(blocking.JOBS_WAIT, "")  # none waits
        console.print(f"[red]blocked[/red]:   the {report['documenter']} documenter: "
                      f"{escape(reason)}")
    if llm.get("breaker") and llm["breaker"]["state"] != "closed":
        retry = llm["breaker"].get("retry_in_s")
        console.print(f"breaker:   [red]{llm['breaker']['state']}[/red] after "
                      f"{plural(llm['breaker']['failures'], 'failure')}"
                      + (f"; calls resume in {duration(retry)}" if retry else ""))


def _consumers(remote: dict) -> str:
    """The consumers of the shared remote queue, and what to do when none can take a task."""
    from rich.markup import escape

    if remote.get("error"):
        return f"[red]unknown[/red]: {escape(remote['error'])}"
    ready, running = remote["ready"], remote["running"]
    said = (f"{plural(running, 'consumer')} running, "
            + (f"{ready} taking tasks ({plural(remote['ready_threads'], 'thread')})" if ready
               else "none taking tasks"))
    why = escape("; ".join(remote["cannot"]))
    if why:
        said += (f"; {running - ready} cannot document: {why}" if ready
                 else f" (cannot document: {why})")
    if not ready:
        said = (f"[red]{said}[/red]: tasks wait until `codequery worker start --remote URL` "
                "runs where the Claude CLI is logged in")
    return said


def _catching_up(report: dict) -> str:
    """How the files the index lacks come to be documented, for its line."""
    index = report["index"]
    if not index["missing"] and not index["outdated"]:
        return ""
    if report["queue"]["waiting_for"] not in (None, "worker"):
        return " (they wait with the backlog above)"  # a blocked documenter, a full disk
    if report["worker"]["running"]:
        return " (the worker catches up, or: codequery document)"
    return " (codequery document catches up, or a worker: codequery worker start)"


def _outlook(report: dict) -> str:
    """When the backlog will be done, or why nobody can say."""
    waiting, eta = report["queue"]["waiting_for"], report["queue"]["eta_s"]
    if waiting == "disk":
        return "waiting: the disk holding the index is full (free some space; nothing is lost)"
    if waiting == "read-only":
        return "waiting: the index's database cannot be written (see codequery doctor)"
    if waiting == "approval":
        return "waiting: this machine has not approved the documenter's settings (see below)"
    if waiting == "blocked":
        return "waiting: the documenter is blocked (see below)"
    if waiting == "breaker":
        return "waiting: the circuit breaker stopped the calls (see below)"
    if waiting == "worker":
        return "waiting for a worker (codequery worker start, or: codequery document)"
    if waiting == "redis":
        where = "see remote below" if report.get("remote") is not None else \
            "see codequery doctor"
        return f"waiting: Redis does not answer ({where}); the jobs wait in the ledger"
    if waiting == "consumers":
        return "waiting: no consumer of the remote queue can take its tasks (see below)"
    if eta is None:
        return "no estimate until a job has finished"
    return f"done in about {duration(eta)}"


def _did(run: dict) -> str:
    """What a reconcile did (see reconcile.last_run)."""
    return (f"{run['queued']} queued, {run['pointed']} reused, {run['removed']} removed"
            + (f", {run['cancelled']} cancelled" if run["cancelled"] else ""))


def _last_change(last: dict) -> str:
    """The last reconcile that changed something, when the last one changed nothing (a
    periodic check, or a hook's run after the worker had caught up, would hide it)."""
    change = last.get("last_change")
    if not change or change["ran_at"] == last["ran_at"]:
        return ""  # none yet, or the last run is that change (timed once, see record_run)
    return (f"; last change {duration(time.time() - change['ran_at'])} ago "
            f"({_by(change['trigger'])}): {_did(change)}")


def _by(trigger: str) -> str:
    """What ran a reconcile, in words: `cli` read like a repository's name in one called
    cli (a trial's `(cli, 4 ms)`)."""
    if trigger.startswith("hook:"):
        return f"run by the {trigger.removeprefix('hook:')} hook"
    return {"cli": "run by a command", "document": "run by codequery document",
            "wake-up": "woken by a hook"}.get(trigger, trigger)
