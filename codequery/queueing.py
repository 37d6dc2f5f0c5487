"""The queue as the command line shows it: jobs and events as plain dicts."""

from __future__ import annotations

from datetime import datetime, timezone

from codequery import ledger
from codequery.ledger import Job


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
    return {"id": event["id"], "at": iso(event["at"]), "job": event["job"], "path": event["path"],
            "from": event["from"], "to": event["to"], "worker": event["worker"],
            "detail": event["detail"]}
