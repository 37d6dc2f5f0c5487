"""codequery status: the worker, the queue and the index at a glance."""

from __future__ import annotations

import time

import click

from codequery import ledger, worker_control
from codequery.cli.app import State, cli, emit_json, json_option, stdout_console
from codequery.cli.formatting import duration
from codequery.freshness import stale_paths


@cli.command()
@json_option
@click.pass_obj
def status(state: State, as_json: bool) -> None:
    """Worker, queue and index at a glance: counts, oldest pending job, backlog ETA."""
    ws = state.workspace
    conn, dataset = ws.store.conn, ws.config.dataset
    info = worker_control.info(ws.paths)
    counts = ledger.counts(conn, dataset)
    stats = ledger.stats(conn, dataset)
    threads = ws.config.processing.threads
    mean = stats["mean_duration_s"]
    eta = None if mean is None else counts[ledger.PENDING] * mean / threads
    stale = stale_paths(ws.root, ws.store.shas())
    index = _index_report(ws, len(stale))
    report = {
        "dataset": dataset,
        "worker": info.as_dict(),
        "queue": {**counts, "stuck": stats["stuck"],
                  "oldest_pending_age_s": stats["oldest_pending_age_s"],
                  "mean_duration_s": mean, "eta_s": eta},
        "records": {"total": ws.store.count(), "stale": len(stale)},
        "index": index,
        "mode": ws.config.processing.mode,
        "documenter": ws.config.documenter.name,
        "llm": _llm_report(ws),
    }
    if as_json:
        emit_json(report)
        return
    console = stdout_console()
    run = (f"[green]running[/green] (pid {info.pid or '?'}, up {duration(info.uptime_s)})"
           if info.running else "[red]not running[/red] (codequery worker start)")
    console.print(f"[bold]{dataset}[/bold]: {ws.root}")
    console.print(f"worker:    {run}")
    console.print(f"mode:      {report['mode']}, documenter {report['documenter']}")
    console.print("queue:     " + ", ".join(f"{n} {s}" for s, n in counts.items())
                  + (f", [red]{stats['stuck']} stuck[/red]" if stats["stuck"] else ""))
    if counts[ledger.PENDING]:
        console.print(f"backlog:   oldest pending {duration(stats['oldest_pending_age_s'])} "
                      f"old, done in about {duration(eta)}")
    console.print(f"index:     {index['documented']} documented, {index['stale']} stale, "
                  f"{index['missing']} missing, {index['outdated']} outdated"
                  + (f", {index['skipped']} skipped" if index["skipped"] else "")
                  + (" (the worker catches up, or: codequery document)"
                     if index["missing"] or index["outdated"] else ""))
    last = index["last_reconcile"]
    if last:
        console.print(f"reconcile: {duration(time.time() - last['ran_at'])} ago "
                      f"({last['trigger']}, {last['duration_ms']:.0f} ms): {last['tracked']} "
                      f"tracked, {last['queued']} queued, {last['pointed']} reused, "
                      f"{last['removed']} removed")
    llm = report["llm"]
    if llm["calls"]:
        console.print(f"LLM calls: {llm['calls']} ({llm['failed']} failed), "
                      f"${llm['cost_usd']:.4f}, {llm['input_tokens']} tokens in, "
                      f"{llm['output_tokens']} out")
    if llm.get("breaker") and llm["breaker"]["state"] != "closed":
        retry = llm["breaker"].get("retry_in_s")
        console.print(f"breaker:   [red]{llm['breaker']['state']}[/red] after "
                      f"{llm['breaker']['failures']} failures"
                      + (f"; calls resume in {duration(retry)}" if retry else ""))


def _index_report(ws, stale: int) -> dict:  # noqa: ANN001 - a Workspace
    """How far the index is from the checked-out tree: `missing` paths have no record at
    all, `outdated` ones a record of other content (or of another documenter)."""
    from codequery import reconcile
    from codequery.documenters import identity

    found = reconcile.plan(ws.store, ws.root, ws.config, identity(ws.config.documenter, ws.root))
    return {"documented": ws.store.count(), "stale": stale, "missing": found.missing,
            "outdated": found.outdated, "queued": found.queued, "skipped": found.skipped,
            "tracked": found.tracked, "last_reconcile": reconcile.last_run(ws.store)}


def _llm_report(ws) -> dict:  # noqa: ANN001 - a Workspace
    """Calls and cost of the dataset's LLM documenting, and the breaker's state."""
    from codequery.llm_caller import breaker_for, call_totals

    report = call_totals(ws.store)
    if ws.config.documenter.name != "builtin":
        report["breaker"] = breaker_for(ws.paths.data_db, ws.config).state()
    return report
