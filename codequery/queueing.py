"""Putting files on the queue from the command line (the git hook has its own fast path)."""

from __future__ import annotations

from datetime import datetime, timezone

from codequery import git, ledger, liveness
from codequery.ledger import Job, Queued
from codequery.workspace import Workspace


def queue_files(ws: Workspace, only: list[str] | None, priority: str = "normal"
                ) -> list[Queued]:
    """Queue tracked files (all, or under `only`); records of files gone get a delete job."""
    entries = git.tracked_files(ws.root, only)
    items: list[tuple[str, str, str | None]] = []
    for entry in entries:
        try:
            sha = git.blob_sha((ws.root / entry.path).read_bytes())
        except OSError:
            sha = None  # missing or a directory: the worker decides what it is
        items.append((entry.path, ledger.DOCUMENT, sha))
    tracked = {e.path for e in entries}
    stored = ws.store.paths()
    if only is None:
        gone = stored - tracked
    else:
        gone = {p for p in stored - tracked
                if any(p == o or p.startswith(o.rstrip("/") + "/") for o in only)}
    items += [(path, ledger.DELETE, None) for path in sorted(gone)]
    queued = ledger.enqueue(ws.store.conn, ws.config.dataset, items, priority=priority,
                            worker="cli")
    liveness.wake(ws.paths)
    return queued


def iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")


def job_dict(job: Job) -> dict:
    return {
        "id": job.id, "path": job.path, "operation": job.operation, "status": job.status,
        "priority": ledger.PRIORITY_NAMES.get(job.priority, str(job.priority)),
        "retries": max(job.attempts - 1, 0), "attempts": job.attempts,
        "created_at": iso(job.created_at), "updated_at": iso(job.updated_at),
        "error": job.last_error, "next_retry_at": iso(job.next_retry_at),
        "content_sha": job.content_sha, "duration_s": job.duration_s,
    }


def event_dict(event: dict) -> dict:
    return {"at": iso(event["at"]), "job": event["job"], "path": event["path"],
            "from": event["from"], "to": event["to"], "worker": event["worker"],
            "detail": event["detail"]}
