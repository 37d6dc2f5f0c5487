"""What the git hooks do: record the changed files, then queue or document them.

The fast path (a worker is running, or manual mode) uses the standard library only: it
reads config.json with `json`, asks git for the changed paths, upserts ledger rows, checks
the worker's lock, wakes the worker and prints one line. Only the synchronous fallback
imports the documenting machinery. Whatever goes wrong, the hook prints one line that says
what and where the details are, and the commit stands.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import namedtuple
from pathlib import Path

from codequery import defaults
from codequery.paths import RepoPaths

SKIP_ENV = "CODEQUERY_SKIP"
MODES = ("auto", "manual", "sync")


class HookProblem(Exception):
    """Something the user should fix; the message is the line the hook prints."""


# namedtuple, not a dataclass: importing dataclasses costs the hook 5 ms.
Settings = namedtuple("Settings", "dataset mode fallback_to_sync sync_budget_seconds exclude "
                                 "max_file_bytes documenter")


def read_settings(path: Path) -> Settings:
    """config.json through `json` alone; a file pydantic would reject is reported, not
    guessed at (`codequery doctor` gives the full explanation)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        processing = data.get("processing", {})
        files = data.get("files", {})
        settings = Settings(
            dataset=data["dataset"],
            mode=processing.get("mode", defaults.MODE),
            fallback_to_sync=processing.get("fallback_to_sync", defaults.FALLBACK_TO_SYNC),
            sync_budget_seconds=float(processing.get("sync_budget_seconds",
                                                     defaults.SYNC_BUDGET_SECONDS)),
            exclude=tuple(files.get("exclude", ())),
            max_file_bytes=int(files.get("max_file_bytes", defaults.MAX_FILE_BYTES)),
            documenter=data.get("documenter", {}).get("name", defaults.DOCUMENTER),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HookProblem(f"invalid {path} ({type(exc).__name__}: {exc}); "
                          "run `codequery doctor`") from None
    if settings.mode not in MODES or not isinstance(settings.dataset, str):
        raise HookProblem(f"invalid {path} (processing.mode must be one of {', '.join(MODES)}"
                          "); run `codequery doctor`")
    return settings


def main(hook: str, args: list[str], stdin: bytes) -> int:
    """Entry point of the installed hooks. Always returns 0."""
    if os.environ.get(SKIP_ENV) == "1":
        return 0
    paths = RepoPaths(Path.cwd())  # git runs hooks at the top of the work tree
    if not paths.config.exists():
        return 0
    started = time.monotonic()
    try:
        line = run(paths, hook, args, stdin, started)
    except HookProblem as exc:
        line = f"{exc}; the commit is fine, documentation was not updated"
    except BaseException as exc:  # noqa: BLE001 - a hook must never fail a commit
        where = _log_failure(paths, hook, exc)
        line = (f"documentation not updated ({type(exc).__name__}: {exc}); the commit is fine;"
                f" details in {where}")
    if line:
        print(f"codequery: {line}", file=sys.stderr)
    return 0


def run(paths: RepoPaths, hook: str, args: list[str], stdin: bytes, started: float) -> str:
    from codequery import changes, ledger, liveness
    from codequery.store import connect

    settings = read_settings(paths.config)
    found = changes.for_hook(paths.root, hook, args, stdin)
    items = _work_items(paths.root, found, settings)
    if not items:
        return ""
    conn = connect(paths.data_db)
    moves = [(c.renamed_from, c.path) for c in found if c.renamed_from]
    if moves:  # a renamed file keeps its record: its content costs nothing to document
        from codequery.store import Store

        with ledger.transaction(conn):
            Store(conn, settings.dataset).move(moves)
    queued = ledger.enqueue(conn, settings.dataset, items, worker=f"hook:{hook}")
    if not queued:
        return ""
    ids = [q.id for q in queued]
    if settings.mode == "sync":
        return _document_now(paths, ids, started, None)
    if liveness.worker_alive(paths):
        liveness.wake(paths)
        return _queued_line(ids)
    if hook == "post-commit" and changes.in_rebase(paths.root):
        return ""  # each replayed commit only records its files; post-rewrite does the work
    pending = f"{_files(len(ids))} pending; start the worker with: codequery worker start"
    if settings.mode == "manual" or not settings.fallback_to_sync:
        return pending
    if settings.documenter != "builtin":
        # An LLM call rarely fits a commit's budget: cutting it short would pay for nothing.
        return pending + f" (the {settings.documenter} documenter runs in the worker)"
    return _document_now(paths, ids, started, settings.sync_budget_seconds)


def _queued_line(ids: list[str]) -> str:
    shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    return f"{_files(len(ids))} queued for background processing ({shown})"


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def _work_items(root: Path, found: list, settings: Settings) -> list[tuple[str, str, str | None]]:
    """Ledger items for the changes the cheap filters let through (the worker applies the
    rest: binary, secret content)."""
    from codequery import git, ledger

    items: list[tuple[str, str, str | None]] = []
    for change in found:
        path = change.path
        if path == defaults.STATE_DIR or path.startswith(defaults.STATE_DIR + "/"):
            continue
        if change.deleted:
            items.append((path, ledger.DELETE, None))
            continue
        if change.mode == git.SUBMODULE_MODE:
            continue
        if settings.exclude and _excluded(path, settings.exclude):
            continue
        try:
            size = os.stat(root / path).st_size
        except OSError:
            items.append((path, ledger.DELETE, None))  # committed, but gone from disk
            continue
        if size > settings.max_file_bytes:
            items.append((path, ledger.DELETE, None))
            continue
        items.append((path, ledger.DOCUMENT, change.sha))
    # Deletes last: the record of a renamed file's old path is what lets its new path
    # reuse the documentation of the same content instead of paying for it again.
    return sorted(items, key=lambda item: item[1] == ledger.DELETE)


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(path, pattern) for pattern in patterns)


def _document_now(paths: RepoPaths, ids: list[str], started: float,
                  budget: float | None) -> str:
    from codequery import ledger
    from codequery.jobs import JobRunner
    from codequery.workspace import Workspace

    runner = JobRunner(Workspace(paths.root))
    # A hook killed mid-job (Ctrl-C) left its jobs processing; with no worker to release
    # them, this is the next chance.
    ledger.release_processing(runner.store.conn, runner.config.dataset, only_expired=True,
                              worker="hook")
    deadline = None if budget is None else started + budget  # checked between files
    done = failed = 0
    for job_id in ids:
        if deadline is not None and time.monotonic() >= deadline:
            break
        status = runner.run(job_id)
        done += status == "completed"
        failed += status in ("pending", "dead")
    left = len(ids) - done - failed
    took = time.monotonic() - started
    mode = "synchronous mode" if budget is None else "no worker running"
    if done:
        line = f"documentation updated ({mode}, {_files(done)}, {took:.1f} s)"
    else:
        line = f"documentation not updated ({mode}, {took:.1f} s)"
    if failed:
        line += f"; {failed} failed (codequery queue list --status pending)"
    if left:
        line += f"; {left} left pending for the worker (codequery worker start)"
    return line


def _log_failure(paths: RepoPaths, hook: str, exc: BaseException) -> Path:
    import traceback

    log = paths.log_dir / "hook.log"
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as out:
            out.write(f"=== {time.strftime('%Y-%m-%dT%H:%M:%S')} {hook} ===\n")
            out.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    except OSError:
        pass
    return log
