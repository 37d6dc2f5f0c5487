"""The reconciler: make the index equal the tree git has checked out.

Desired state: git's index (`git ls-files -s -z`), every tracked path that may be
documented with its blob id. Actual state: the path view (path -> content key of its
record) and the remembered skips. The difference becomes, in one pass:
- paths whose content is already documented under its key are pointed at that record
  (a branch switched back and forth, a revert, a rename: no documenter, no parse);
- paths whose content needs a documenter get a job;
- paths no longer tracked lose their record, and their pending jobs are cancelled.
Level-triggered: it does not matter which hook ran or was lost, only what git has now.
An uncommitted edit is not documented here (its record shows as stale, as before); a
record that already describes the work tree's content is left alone.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codequery import file_text, git, languages, ledger
from codequery.config import Config
from codequery.content_key import Identity
from codequery.eligibility import link_target, rules_stamp, secret_name, skip_by_name
from codequery.store import Store, damaged

log = logging.getLogger(__name__)


# What a plan found for a path (Plan.state).
CURRENT, SKIPPED, POINT, QUEUED, DEAD, DOCUMENT = (
    "current", "skipped", "point", "queued", "dead", "document")


@dataclass
class Plan:
    tracked: int = 0  # tracked paths that may be documented
    current: int = 0  # their records are current
    skipped: int = 0  # not documented on purpose (binary, too large), content unchanged
    missing: int = 0  # no record at all yet
    outdated: int = 0  # a record of other content, or by another documenter
    queued: int = 0  # waiting for a job that is queued already (or dead, for `queue retry`)
    undecodable: int = 0  # names that are not UTF-8: cannot be stored
    excluded: dict[str, str] = field(default_factory=dict)  # tracked, never documented: why
    point: list[tuple[str, str]] = field(default_factory=list)  # (path, key kept already)
    document: list[tuple[str, str]] = field(default_factory=list)  # (path, blob id)
    remove: list[str] = field(default_factory=list)  # paths no longer tracked
    cancel: list[str] = field(default_factory=list)  # ids of pending jobs nobody wants
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (job id, path) pending
    dead: list[tuple[str, str]] = field(default_factory=list)  # (job id, path): queue retry
    state: dict[str, str] = field(default_factory=dict)  # path -> what this plan found
    wanted: dict[str, str] = field(default_factory=dict)  # every eligible path -> blob id
    on_disk: dict[str, str] = field(default_factory=dict)  # records of uncommitted edits
    rules: str = ""

    @property
    def converged(self) -> bool:
        return not (self.point or self.document or self.remove or self.cancel)


@dataclass
class Result:
    plan: Plan
    queued: list[ledger.Queued]
    duration_ms: float


def under(path: str, only: list[str] | None) -> bool:
    return only is None or any(path == o or path.startswith(o.rstrip("/") + "/") for o in only)


def disk_sha(root: Path, path: str, expected: str | None = None) -> str | None:
    """git's id of the file's content on disk (a link's: its target's), `expected` when it
    is that blob checked out with CRLF line ends (see git.as_stored); None when it is no
    regular file inside the repository (see file_text.regular_bytes)."""
    data = file_text.regular_bytes(root, path)
    return None if data is None else git.worktree_sha(data, expected)


def lang_of(path: str) -> str:
    """The language a file's name says: part of its content key (a record made for a
    `.md` name is not the record of the same bytes named `.txt`)."""
    return languages.detect(path)


def plan(store: Store, root: Path, config: Config, ident: Identity,
         only: list[str] | None = None) -> Plan:
    """What it takes to make the records of `only` (default: every path) match git."""
    result = Plan(rules=rules_stamp(config.files))
    undecodable: list[bytes] = []
    entries = git.tracked_files(root, only, undecodable)
    result.undecodable = len(undecodable)
    view = store.view()
    skips = store.skips()
    modified = _modified_files(root)
    # records kept from before files.max_file_bytes was lowered: documented again, they
    # are skipped as too large now
    too_large = store.larger_than(config.files.max_file_bytes)
    asked = ledger.open_work(store.conn, store.dataset)
    pending = {path: (job_id, sha) for (path, sha), (job_id, status) in asked.items()
               if status == ledger.PENDING}  # at most one pending job per path
    # a job a worker holds (an agent's `document` of an edit, taken and put back while the
    # documenter is blocked): what it documents must not be taken for nothing asked
    at_work = {path: sha for (path, sha), (_job_id, status) in asked.items()
               if status == ledger.PROCESSING}
    for entry in entries:
        path = entry.path
        passed_over = skip_by_name(path, entry.mode, config.files)
        if passed_over:
            result.excluded[path] = passed_over
            continue
        sha, names = entry.sha, [path]
        if entry.mode == git.SYMLINK_MODE:  # documented as its target's content
            target = link_target(root, path)
            if target is not None:
                sha = disk_sha(root, path) or sha
                names.append(target)
        result.wanted[path] = sha
        result.tracked += 1
        lang = lang_of(path)
        hidden = secret_name(names, config.files)
        choices = ident.choices(sha, lang, secret_name=hidden)
        stored = view.get(path)
        job = pending.get(path)
        if stored in choices and path in too_large:
            result.outdated += 1
            _ask(result, path, sha, asked)
            continue
        if stored in choices:
            result.current += 1
            result.state[path] = CURRENT
            _settle_kept_job(result, root, path, sha, job)
            continue
        skip = skips.get(path)
        if skip is not None and skip[0] == sha and skip[1] == result.rules:
            result.skipped += 1
            result.state[path] = SKIPPED
            _settle_kept_job(result, root, path, sha, job)
            continue
        held = at_work.get(path)
        disk = (disk_sha(root, path, sha)
                if (stored is not None or job is not None or held is not None)
                and (entry.mode == git.SYMLINK_MODE or path in modified()) else None)
        if disk is not None and disk != sha:
            if stored in ident.choices(disk, lang, secret_name=hidden):
                result.current += 1  # it describes the uncommitted edit: more current still
                result.state[path] = CURRENT
                result.on_disk[path] = disk
                _settle_kept_job(result, root, path, disk, job)
                continue
            if job is not None and job[1] == disk or held == disk:
                result.queued += 1  # someone asked for the uncommitted edit: it comes
                result.state[path] = QUEUED
                if job is not None and job[1] == disk:
                    result.waiting.append((job[0], path))
                continue
        if stored is None:
            result.missing += 1
        else:
            result.outdated += 1
        _drop_outdated_job(result, root, path, sha, job)
        kept = next((key for key in choices if store.has_document(key)), None)
        if kept is not None:
            result.point.append((path, kept))
            result.state[path] = POINT
            if job is not None and job[1] == sha:
                # asked for before (an `init` cut short queued it): a local run completes
                # it at once as kept content, not left pending for a worker that may
                # never come
                result.waiting.append((job[0], path))
        else:
            _ask(result, path, sha, asked)
    wanted = result.wanted
    known = set(view) | set(skips)
    result.remove = sorted(p for p in known - wanted.keys() if under(p, only))
    result.cancel += [job_id for path, (job_id, _sha) in pending.items()
                      if path not in wanted and under(path, only)]
    return result


def _modified_files(root: Path) -> Callable[[], frozenset[str]]:
    """The paths whose work-tree file git sees differ from its index (`git diff-files`),
    asked once and only when needed: only such a file can hold content other than its
    blob's, so the others are never read and hashed (after an upgrade every record is of
    an older version, and status had hashed every file of the tree, 0.5 s at 5,000)."""
    found: list[frozenset[str]] = []

    def modified() -> frozenset[str]:
        if not found:
            found.append(git.modified_files(root))
        return found[0]
    return modified


def _ask(result: Plan, path: str, sha: str,
         asked: dict[tuple[str, str | None], tuple[str, str]]) -> None:
    """The content must be documented: a job for it is queued (or dead) already, or one
    is to be."""
    if (path, sha) in asked:
        result.queued += 1
        job_id, status = asked[(path, sha)]
        result.state[path] = DEAD if status == ledger.DEAD else QUEUED
        if status == ledger.PENDING:
            result.waiting.append((job_id, path))
        elif status == ledger.DEAD:
            result.dead.append((job_id, path))
    else:
        result.document.append((path, sha))
        result.state[path] = DOCUMENT


def _settle_kept_job(result: Plan, root: Path, path: str, sha: str,
                     job: tuple[str, str | None] | None) -> None:
    """A path whose content the index has settled (documented, or skipped as binary or
    too large): a pending job for other content is dropped, but for what the work tree
    holds (someone asked for the uncommitted edit). A job for this very content (a redo
    left by an interrupted `document --force`), or for the edit on disk (asked for by a
    `document PATH` cut short), waits for a local run, which completes it, instead of
    leaving it pending for a worker that may never come."""
    if job is None or job[1] is None:
        return
    if job[1] == sha or _asks_for_the_edit(root, path, sha, job[1]):
        result.waiting.append((job[0], path))
    else:
        result.cancel.append(job[0])


def _drop_outdated_job(result: Plan, root: Path, path: str, sha: str,
                       job: tuple[str, str | None] | None) -> None:
    """A pending job for content the path no longer has is cancelled, unless it asks for
    what the work tree holds (someone asked for the uncommitted edit). A job for the
    content it has stays: it completes at once as "unchanged"."""
    if job is None or job[1] in (None, sha):
        return
    if not _asks_for_the_edit(root, path, sha, job[1]):
        result.cancel.append(job[0])


def _asks_for_the_edit(root: Path, path: str, sha: str, asked: str) -> bool:
    """Whether a job for content `asked` asks for what the work tree holds now (someone
    asked for the uncommitted edit), the path's blob being `sha`."""
    return asked == disk_sha(root, path, sha)


def apply(store: Store, found: Plan, *, trigger: str, priority: str = "normal",
          operation: str = ledger.DOCUMENT, started: float | None = None,
          tree: str | None = None) -> Result:
    """Carry out a plan: pointer moves, removals and cancellations in one transaction,
    then the jobs (which coalesce with pending ones for the same path)."""
    started = time.monotonic() if started is None else started
    conn, dataset = store.conn, store.dataset
    if found.point or found.remove or found.cancel:
        with ledger.transaction(conn):
            for path, key in found.point:
                store.point(path, key)
            store.delete(found.remove)
            ledger.cancel_in(conn, found.cancel, worker=trigger,
                             reason="the tree moved on; nothing to do for this job")
    queued = ledger.enqueue(conn, dataset, [(p, operation, sha) for p, sha in found.document],
                            priority=priority, worker=trigger)
    duration_ms = (time.monotonic() - started) * 1000
    record_run(store, found, queued, duration_ms, trigger, tree)
    if not found.converged:
        log.info("reconciled (%s): %d tracked, %d pointed at kept records, %d queued, "
                 "%d removed, %d jobs cancelled, %.0f ms", trigger, found.tracked,
                 len(found.point), len(queued), len(found.remove), len(found.cancel),
                 duration_ms)
    return Result(found, queued, duration_ms)


def reconcile(store: Store, root: Path, config: Config, ident: Identity, *, trigger: str,
              only: list[str] | None = None, priority: str = "normal",
              tree: str | None = None) -> Result:
    started = time.monotonic()
    return apply(store, plan(store, root, config, ident, only), trigger=trigger,
                 priority=priority, started=started, tree=tree)


def record_run(store: Store, found: Plan, queued: list, duration_ms: float, trigger: str,
               tree: str | None) -> None:
    """The last run's findings, and how many runs and how long in all (for metrics); and
    the last run that changed something, which the periodic no-op checks after it would
    hide from `codequery status`."""
    counts = (len(queued), len(found.point), len(found.remove), len(found.cancel))
    try:
        with ledger.transaction(store.conn):
            # the time once the write lock is held: runs are written in the order they
            # are timed, so the last run is the one written last
            now = time.time()
            store.conn.execute(
                "INSERT OR REPLACE INTO reconciles (dataset, ran_at, duration_ms, tree, "
                "tracked, queued, pointed, removed, cancelled, trigger, runs, total_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (dataset) DO UPDATE SET "
                "ran_at = excluded.ran_at, duration_ms = excluded.duration_ms, "
                "tree = excluded.tree, tracked = excluded.tracked, queued = excluded.queued, "
                "pointed = excluded.pointed, removed = excluded.removed, "
                "cancelled = excluded.cancelled, trigger = excluded.trigger, "
                "runs = runs + 1, total_ms = total_ms + excluded.total_ms",
                (store.dataset, now, duration_ms, tree, found.tracked, *counts, trigger,
                 duration_ms))
            if any(counts):  # this run is the last that changed something
                store.conn.execute(
                    f"UPDATE reconciles SET ({', '.join(_CHANGED)}) = (?, ?, ?, ?, ?, ?) "
                    "WHERE dataset = ?", (now, trigger, *counts, store.dataset))
    except Exception as exc:  # noqa: BLE001 - bookkeeping only; the work above is done
        if damaged(exc):  # but a damaged database is not: every later write may fail
            raise
        log.warning("could not record the reconcile run", exc_info=True)


# The columns of the last run that changed something (see record_run).
_CHANGED = ("changed_at", "changed_trigger", "changed_queued", "changed_pointed",
            "changed_removed", "changed_cancelled")


def last_run(store: Store) -> dict | None:
    """When the last reconcile ran and what it found, for `codequery status`, with
    `last_change`: when the last one that queued, reused, removed or cancelled anything
    ran, what woke it and what it did (None if none has)."""
    row = store.conn.execute(
        "SELECT ran_at, duration_ms, tracked, queued, pointed, removed, cancelled, trigger, "
        f"runs, total_ms, {', '.join(_CHANGED)} FROM reconciles WHERE dataset = ?",
        (store.dataset,)).fetchone()
    if row is None:
        return None
    keys = ("ran_at", "duration_ms", "tracked", "queued", "pointed", "removed", "cancelled",
            "trigger", "runs", "total_ms")
    last = dict(zip(keys, tuple(row)[:len(keys)], strict=True))
    changed = dict(zip(("ran_at", "trigger", "queued", "pointed", "removed", "cancelled"),
                       tuple(row)[len(keys):], strict=True))
    last["last_change"] = changed if changed["ran_at"] is not None else None
    return last


def git_dirs(root: Path) -> tuple[Path, Path]:
    """(this work tree's git dir, the common dir that holds the refs)."""
    out = git.run(["rev-parse", "--git-dir", "--git-common-dir"], root)
    lines = os.fsdecode(out).splitlines()
    return root / lines[0], root / lines[1]


def tree_stamp(root: Path, dirs: tuple[Path, Path] | None = None) -> str:
    """Changes whenever HEAD moves or git rewrites its index; read from a few files, with
    no git process, so the worker's periodic check costs microseconds."""
    git_dir, common = dirs or git_dirs(root)
    parts = []
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        head = "?"
    parts.append(head)
    files = [git_dir / "index", common / "packed-refs"]
    if head.startswith("ref: "):
        files.append(common / head[5:])
    for path in files:
        try:
            st = os.stat(path)
            parts.append(f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}")
        except OSError:
            parts.append("-")
    return "|".join(parts)
