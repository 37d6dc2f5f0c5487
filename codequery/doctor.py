"""`codequery doctor`: checks that explain what is wrong with a set-up and how to fix it.

Each check is a small function returning a `Check`. Doctor only looks: databases are
opened read-only (never created or migrated), nothing is installed or started. A check
that cannot run because an earlier one failed is reported as skipped, with the reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codequery import config as config_mod
from codequery import (
    defaults,
    git,
    hooks_install,
    ledger,
    liveness,
    migrations,
    start_settings,
    worker_control,
)
from codequery.documenters.errors import DocumenterError
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from codequery.store import READ_ONLY_SAYS
from codequery.store import writable as store_writable
from codequery.wording import plural

MIN_GIT = (2, 25)
MIN_FREE_BYTES = 100 * 2**20
VERSION_TIMEOUT_S = 10.0
EXPECTED_TABLES = ("records", "records_fts", "jobs", "job_events")
WORKER_FIX = "codequery worker start (or codequery install-service)"
# Job ids a fix names at most.
_IDS_SHOWN = 5


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    # A warning is something codequery works around (no worker: commits document
    # synchronously); it still fails the check, but a report can show it more gently.
    severity: str = "error"
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def skipped(name: str, reason: str) -> Check:
    return Check(name, False, f"skipped: {reason}", skipped=True)


# --- git and the work tree ------------------------------------------------------------

def check_git(start: Path) -> Check:
    try:
        out = git.run(["--version"], start).decode(errors="replace").strip()
    except CodeQueryError as exc:
        return Check("git", False, str(exc), "install git 2.25 or newer")
    match = re.search(r"(\d+)\.(\d+)", out)
    if match is None:
        return Check("git", False, f"cannot read a version from {out!r}",
                     "install git 2.25 or newer")
    if (int(match[1]), int(match[2])) < MIN_GIT:
        return Check("git", False, f"{out} is older than 2.25", "upgrade git to 2.25 or newer")
    return Check("git", True, out)


def check_work_tree(start: Path) -> tuple[Check, Path | None]:
    try:
        root = git.toplevel(start)
    except CodeQueryError as exc:
        return Check("work-tree", False, str(exc),
                     "cd into a git repository (or pass -C DIR), or run git init"), None
    return Check("work-tree", True, f"work tree at {root}"), root


def check_state_dir(paths: RepoPaths) -> Check:
    if paths.state_dir.is_dir():
        return Check("state-dir", True, f"{paths.state_dir} present")
    from codequery.workspace import Workspace

    why = Workspace(paths.root).why_not_set_up()  # never set up, or removed since
    return Check("state-dir", False, f"no {paths.state_dir}: {why}",
                 f"git checkout -- {defaults.STATE_DIR}" if "git checkout" in why
                 else "codequery init")


def check_config(paths: RepoPaths) -> tuple[Check, config_mod.Config | None]:
    if not paths.config.exists() and paths.settings != paths.config:
        try:
            cfg = config_mod.load(paths.settings)
        except CodeQueryError:
            cfg = None
        return Check("config", False,
                     f"this checkout has no {paths.config} (a branch made before it was "
                     f"committed); using the last copy, {paths.settings}",
                     f"git checkout <a branch that has it> -- {defaults.STATE_DIR}/"
                     f"{defaults.CONFIG_FILE}, then commit it here",
                     # worked around (the README says so): a warning, not a failure
                     "warning"), cfg
    try:
        cfg = config_mod.load(paths.config)
    except config_mod.ConfigMissing as exc:
        return Check("config", False, str(exc), "codequery init (or codequery setup)"), None
    except config_mod.ConfigNotJson as exc:
        return Check("config", False, exc.detail, exc.fix), None
    except CodeQueryError as exc:
        return Check("config", False, str(exc),
                     f"correct the keys named above in {paths.config} (see README, "
                     "Configuration)"), None
    detail = (f"dataset {cfg.dataset}, documenter {cfg.documenter.name}, "
              f"mode {cfg.processing.mode}")
    return Check("config", True, detail), cfg


# --- hooks ----------------------------------------------------------------------------

def _default_hooks_dir(root: Path) -> Path:
    out = git.run(["rev-parse", "--git-common-dir"], root).rstrip(b"\n")
    common = Path(os.fsdecode(out))
    return (common if common.is_absolute() else root / common) / "hooks"


def check_ignored(paths: RepoPaths) -> Check:
    """Whether git ignores the index: else `git add -A` commits it and `git clean -fd`
    deletes it (a trial removed the ignore rules, and doctor had said nothing)."""
    inside = paths.data_db.relative_to(paths.root).as_posix()
    # -n: a path no rule matches is listed too, as "::<tab>path" (and git exits 1);
    # nothing at all: git could not look (`.code-query` a symlink: not past it)
    said = git.run(["check-ignore", "-v", "-n", "--", inside], paths.root,
                   check=False).decode(errors="replace")
    if not said.strip():
        return Check("ignored", False, f"git cannot say whether it ignores {inside}",
                     severity="warning")
    if git.run(["ls-files", "--", inside], paths.root).strip():
        return Check("ignored", False, f"git tracks {inside}: a commit carries the index",
                     f"git rm --cached {inside} (the file stays), then: codequery init",
                     severity="warning")
    if not said.startswith("::"):
        return Check("ignored", True, f"git ignores {inside} (only config.json is shared)")
    return Check("ignored", False, f"git does not ignore {inside}: `git add -A` would "
                 "commit the index and `git clean -fd` delete it",
                 "codequery init (it writes .code-query/.gitignore again)", severity="warning")


def check_hooks(root: Path) -> Check:
    found = hooks_install.status(root)
    where = hooks_install.hooks_dir(root)
    custom = hooks_install.custom_hooks_path(root)
    note = f" (core.hooksPath = {custom})" if custom else ""
    bad = {name: state for name, state in found.items() if state != "ours"}
    if not bad:
        return Check("hooks", True, f"{', '.join(found)} installed in {where}{note}")
    detail = ", ".join(f"{name} {state}" for name, state in bad.items()) + f" in {where}{note}"
    if custom and any(hooks_install.is_ours(_default_hooks_dir(root) / name) for name in bad):
        # Installed before core.hooksPath was set: present, but git never runs them.
        detail += "; codequery's hooks in the default hooks directory are shadowed by it"
    if "foreign" in bad.values():
        fix = "codequery install-hooks (your own hook is kept as <name>.legacy and runs first)"
    else:
        fix = "codequery install-hooks"
    return Check("hooks", False, detail, fix)


# --- databases ------------------------------------------------------------------------

def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot create, migrate or write the database."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _quick_check(conn: sqlite3.Connection) -> str | None:
    """None if the file is sound, else what SQLite found (first few problems)."""
    rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    return None if rows == ["ok"] else "; ".join(rows)


def check_data_db(paths: RepoPaths) -> Check:
    path = paths.data_db
    rebuild = f"move {path} aside and run codequery document to rebuild it"
    if not path.exists():
        from codequery.workspace import Workspace

        try:
            Workspace(paths.root).check_not_stashed()
        except CodeQueryError as exc:  # `codequery init` would be refused: nothing lost
            return Check("database", False, str(exc), "git stash pop")
        return Check("database", False, f"no {path}", "codequery init")
    try:
        conn = open_read_only(path)
        try:
            problem = _quick_check(conn)
            if problem:
                return Check("database", False, f"{path} is damaged: {problem}", rebuild)
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            version = 0
            if "schema_migrations" in names:
                version = conn.execute("SELECT max(version) FROM schema_migrations"
                                       ).fetchone()[0] or 0
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if not store_writable(path):  # SQLite cannot make its files beside it: not damage
            return _read_only_check(path)
        return Check("database", False, f"cannot read {path}: {exc}", rebuild)
    if version > migrations.LATEST:
        return Check("database", False, f"schema {version} is newer than this codequery "
                     f"knows ({migrations.LATEST})", "upgrade codequery (./install.sh)")
    if version < migrations.LATEST:
        return Check("database", False, f"schema {version}, this codequery uses "
                     f"{migrations.LATEST}", "codequery status (opening the index upgrades it)")
    missing = [table for table in EXPECTED_TABLES if table not in names]
    if missing:
        return Check("database", False, f"schema {version} but no table {', '.join(missing)}",
                     rebuild)
    if not store_writable(path):
        return _read_only_check(path)
    return Check("database", True, f"{path.name}: intact, schema {version}")


def _read_only_check(path: Path) -> Check:
    return Check("database", False, f"{path} cannot be written: {READ_ONLY_SAYS}",
                 f"make {path} and {path.parent} writable, then codequery worker restart")


def check_huey_db(paths: RepoPaths) -> Check:
    path = paths.huey_db
    if not path.exists():
        return Check("queue-database", True, f"no {path.name} yet (the worker creates it)")
    fix = f"stop the worker, delete {path} (jobs live in code_data.db), start the worker"
    try:
        conn = open_read_only(path)
        try:
            problem = _quick_check(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("queue-database", False, f"cannot read {path}: {exc}", fix)
    if problem:
        return Check("queue-database", False, f"{path} is damaged: {problem}", fix)
    return Check("queue-database", True, f"{path.name}: intact")


def check_redis(cfg: config_mod.Config) -> Check:
    """The Redis of the transport and of the team cache answers."""
    from codequery import redis_link

    urls = {url for url in (cfg.processing.redis_url if cfg.processing.transport == "redis"
                            else None, cfg.cache.url) if url}
    for url in sorted(urls):
        problem = redis_link.unreachable(url)
        if problem:
            return Check("redis", False, problem,
                         f"start Redis at {redis_link.redact(url)} or fix processing.redis_url "
                         "/ cache.url in .code-query/config.json; jobs wait in the ledger "
                         "meanwhile")
    return Check("redis", True, "reachable: " + ", ".join(redis_link.redact(u) for u in urls))


def check_consumers(cfg: config_mod.Config) -> Check:
    """On the Redis transport with the claude documenter, some consumer of the shared
    remote queue can take its tasks (see consumer_presence): with none, LLM work handed
    out waits, and expires unrun."""
    from codequery import redis_link
    from codequery.operations import remote_consumers

    found = remote_consumers(cfg)
    if found is None or found.get("error"):  # Redis away: check_redis says so
        return skipped("consumers", "Redis does not answer") if found else Check(
            "consumers", True, "no remote queue")
    if found["ready"]:
        return Check("consumers", True,
                     f"{found['ready']} of {plural(found['running'], 'consumer')} taking "
                     f"tasks ({plural(found['ready_threads'], 'thread')})")
    why = ("none runs" if not found["running"] else
           f"{plural(found['running'], 'consumer')} running, none can document: "
           + "; ".join(found["cannot"]))
    return Check("consumers", False, f"no consumer of the remote queue can take tasks ({why})",
                 "start `codequery worker start --remote "
                 f"{redis_link.redact(cfg.processing.redis_url or '')}` on a machine whose "
                 "Claude CLI is logged in, or log in here (the worker serves the queue too, "
                 "unless processing.remote_threads is 0); tasks wait meanwhile",
                 "warning")


# --- worker, documenter, queue, disk ----------------------------------------------------

def check_service(root: Path) -> Check | None:
    """A worker that is not running, with a service installed for it: does the service
    manager start it? The unit file alone starts nothing. None: no service installed."""
    from codequery import service

    found = service.state(root)
    if found is None:
        return None
    unit = found.unit
    start = " && ".join(shlex.join(argv) for argv in found.fix_commands())
    if found.is_active:
        return Check("worker", True, f"starting: the {unit.kind} {unit.name} runs it")
    if not found.answers:
        return Check("worker", False, f"not running; the {unit.kind} {unit.path} is "
                     f"installed, but {service.no_manager_reason(unit.platform)}, so "
                     "nothing starts it", f"where the user manager runs: {start}; or: "
                     "codequery worker start", "warning")
    if not found.is_enabled:
        return Check("worker", False, f"not running; the {unit.kind} {unit.name} is "
                     f"installed but {found.enabled}, so nothing starts it", start, "warning")
    return Check("worker", False, f"not running; the {unit.kind} {unit.name} is enabled "
                 f"but {found.active}", f"see {unit.log_file}; then: {start}", "warning")


def check_worker(paths: RepoPaths, cfg: config_mod.Config | None = None) -> Check:
    info = worker_control.info(paths)
    if info.running:
        pid = f"pid {info.pid}" if info.pid else "pid not yet recorded"
        cannot = _worker_cannot(paths, cfg)
        if cannot is not None:  # the shell may find what the worker's PATH lacks
            return Check("worker", False, f"running ({pid}), but it cannot run the "
                         f"{cfg.documenter.name} documenter: {cannot}",
                         "install it where the worker finds it (or set its full path in "
                         ".code-query/config.json), then: codequery worker restart")
        if cfg is not None and (keys := start_settings.changed(paths, cfg)):
            # as status says it (a trial: doctor passed the worker status warned of)
            return Check("worker", False, f"running ({pid}); "
                         + start_settings.advice(paths, keys),
                         start_settings.restart_command(paths), "warning")
        return Check("worker", True, f"running ({pid})")
    by_service = check_service(paths.root)
    if by_service is not None:
        return by_service
    processing = cfg.processing if cfg else None
    if processing and (processing.mode == "sync" or (
            processing.mode == "auto" and processing.fallback_to_sync
            and cfg.documenter.name == "builtin")):
        return Check("worker", True, "not running: commits document synchronously "
                     f"({processing.mode} mode){_ended(info)}")
    return Check("worker", False, "not running and no service installed: queued jobs wait "
                 f"for one{_ended(info)}", WORKER_FIX, "warning")


def _worker_cannot(paths: RepoPaths, cfg: config_mod.Config | None) -> str | None:
    """Why the running worker cannot run its documenter, as it said last (see
    blocking.WORKER_CANNOT), or None."""
    from codequery import blocking

    if cfg is None or cfg.documenter.name == "builtin":
        return None
    try:
        conn = open_read_only(paths.data_db)
        try:
            found = blocking.current(conn, cfg.documenter.name)
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # the database check says why
    if found is None or not blocking.the_worker_s(found):
        return None
    return found["reason"].removeprefix(blocking.WORKER_CANNOT)


def _ended(info: worker_control.WorkerInfo) -> str:
    ended = worker_control.ended_words(info.ended)
    return f"; {ended}" if ended else ""


def _claude_version(executable: str) -> str:
    from codequery.documenters.claude import version_check

    return version_check(executable, VERSION_TIMEOUT_S)


def check_documenter(cfg: config_mod.DocumenterConfig) -> Check:
    if cfg.name == "builtin":
        return Check("documenter", True, "builtin (offline static analysis)")
    if cfg.name == "claude":
        fix = ("install the Claude CLI, or set documenter.executable in "
               ".code-query/config.json to its path")
        found = shutil.which(cfg.executable)
        if found is None:
            return Check("documenter", False, f"claude: {cfg.executable!r} not found", fix)
        try:
            version = _claude_version(found)
        except DocumenterError as exc:
            return Check("documenter", False, f"claude: {exc}", fix)
        from codequery.documenters.claude import ClaudeDocumenter

        # `claude auth status`: whether calls can work, without paying for one.
        blocked = ClaudeDocumenter(found, cfg.model, cfg.timeout_seconds).blocked()
        if blocked is not None:
            return Check("documenter", False, f"claude: {found} ({version}): {blocked}",
                         "run `claude` once and log in, or set ANTHROPIC_API_KEY; or "
                         "document offline instead: `codequery init --documenter builtin`")
        return Check("documenter", True, f"claude: {found} ({version}), logged in")
    if not cfg.command:
        return Check("documenter", False, "command: documenter.command is empty",
                     'set documenter.command in .code-query/config.json, e.g. ["llm"]')
    if shutil.which(cfg.command[0]) is None:
        return Check("documenter", False, f"command: {cfg.command[0]!r} not found on PATH",
                     f"install {cfg.command[0]} or fix documenter.command in "
                     ".code-query/config.json")
    return Check("documenter", True, f"command: {shutil.which(cfg.command[0])}")


class Planned:
    """What the reconciler would do now (see reconcile.plan), worked out once for the
    checks that ask, when the first one does."""

    def __init__(self, root: Path, paths: RepoPaths, cfg: config_mod.Config) -> None:
        self.root, self.paths, self.cfg = root, paths, cfg
        self._plan: Any = None
        self.records: dict[str, tuple[str, str]] = {}

    def still_needed(self, dead_jobs: list[ledger.Job]) -> list[str]:
        """The ids of the dead jobs whose work is still to be done: the committed content
        of a tracked file that no record describes (see reconcile.plan), or the content
        on disk now that a `document` of an uncommitted edit asked for."""
        from codequery.reconcile import disk_sha

        committed = {job_id for job_id, _ in self.plan().dead}
        return [job.id for job in dead_jobs if job.id in committed or (
            job.content_sha and job.content_sha == disk_sha(self.root, job.path, job.content_sha)
            and (self.records.get(job.path) or ("",))[0] != job.content_sha)]

    def plan(self) -> Any:  # reconcile.Plan: reconcile brings pydantic, imported when asked
        if self._plan is None:
            from codequery.documenters import identity
            from codequery.reconcile import plan
            from codequery.store import Store

            conn = open_read_only(self.paths.data_db)
            try:
                store = Store(conn, self.cfg.dataset)
                self._plan = plan(store, self.root, self.cfg,
                                  identity(self.cfg.documenter, self.root))
                # each record's content and documenter: path -> (blob id, name)
                self.records = {path: (sha, who) for path, sha, who in conn.execute(
                    "SELECT path, content_sha, documenter FROM records WHERE dataset = ?",
                    (self.cfg.dataset,))}
            finally:
                conn.close()
        return self._plan


def check_approved(paths: RepoPaths, cfg: config_mod.Config) -> Check:
    """Whether this machine approved the LLM documenter's settings (see trust): a worker
    runs none that it did not, and waits."""
    from codequery import trust
    from codequery.documenters import template_path
    from codequery.documenters.prompting import load_template

    if (template := template_path(cfg.documenter, paths.root)) is not None:
        try:  # a template that cannot be read: `init` would stop at it, not approve
            load_template(template)
        except CodeQueryError as exc:
            return Check("approved", False, str(exc), "fix the file, or take "
                         "documenter.prompt_template out of .code-query/config.json to use "
                         "the built-in prompt")
    try:
        trust.require(paths, cfg.documenter)
    except CodeQueryError as exc:
        return Check("approved", False, str(exc), "review the settings and the files they "
                     "name, then run `codequery init` here to approve them")
    return Check("approved", True, f"the {cfg.documenter.name} documenter's settings are "
                 "approved on this machine")


def check_breaker(paths: RepoPaths, cfg: config_mod.Config) -> Check:
    """Whether the LLM documenter's circuit breaker has stopped the calls (its row read,
    not the breaker asked: doctor only looks)."""
    from codequery import breaker
    from codequery.llm_caller import breaker_name, last_call_error
    from codequery.store import Store

    conn = open_read_only(paths.data_db)
    try:
        state = breaker.state_in(conn, breaker_name(cfg.documenter))
        last = last_call_error(Store(conn, cfg.dataset), cfg.documenter.name)
    finally:
        conn.close()
    if state["state"] != breaker.OPEN:
        return Check("breaker", True, f"{state['state']}: calls go through")
    said = f"; the last failure: {last['error']}" if last and last["error"] else ""
    return Check("breaker", False, f"open after {plural(state['failures'], 'failure')}: calls "
                 f"resume in {state['retry_in_s']:.0f} s{said}",
                 "fix what the calls fail on (codequery status, codequery events); the "
                 "breaker lets a call through when the time is up", "warning")


def check_queue(paths: RepoPaths, dataset: str, tell_no_worker: bool,
                planned: Planned) -> Check:
    """Dead and stuck jobs (those of content documented since, by another documenter or
    another job, or of files gone, are settled and fail nothing; see
    Planned.still_needed); and, unless the worker check said so already (`tell_no_worker`
    False), pending jobs with no worker to take them."""
    conn = open_read_only(paths.data_db)
    try:
        counts = ledger.counts(conn, dataset)
        stats = ledger.stats(conn, dataset)
        dead_jobs = ledger.jobs(conn, dataset, ledger.DEAD) if counts[ledger.DEAD] else []
    finally:
        conn.close()
    dead, stuck, orphaned = counts[ledger.DEAD], int(stats["stuck"] or 0), stats["orphaned"]
    needed = planned.still_needed(dead_jobs)
    detail = f"{counts[ledger.PENDING]} pending, {stuck} stuck, {dead} dead"
    if needed:
        settled = f" ({len(needed)} of them still needed)" if len(needed) < dead else ""
        retry = "--all-dead" if len(needed) == dead else " ".join(needed[:_IDS_SHOWN]) + (
            " ..." if len(needed) > _IDS_SHOWN else "")
        return Check("queue", False, detail + settled, "codequery queue list --status dead, "
                     f"then codequery queue retry {retry}")
    if dead:
        settled = " ".join(j.id for j in dead_jobs[:_IDS_SHOWN]) + (
            " ..." if dead > _IDS_SHOWN else "")
        detail += (" (their files were documented since, or are gone; to forget them: "
                   f"codequery queue purge {settled})")
    if stuck:
        return Check("queue", False, detail + " (lease expired)",
                     "codequery worker restart (a worker releases expired leases)")
    if orphaned and not liveness.worker_alive(paths):
        return Check("queue", False, f"{detail}; {orphaned} processing by a worker that is "
                     "gone (killed?)", f"{WORKER_FIX}: it puts them back in the queue",
                     "warning")
    if tell_no_worker and counts[ledger.PENDING] and not liveness.worker_alive(paths):
        # a commit documents only what fits its budget: the rest waits for a worker
        return Check("queue", False, f"{detail}; no worker is running to take them",
                     f"{WORKER_FIX}, or document them now: codequery document", "warning")
    return Check("queue", True, detail)


def check_index(planned: Planned) -> Check:
    """Whether the records match the tree git has checked out, as the reconciler sees it:
    files to document or records to remove that no job is queued for yet (after a worker
    was killed, or with none running, nothing may come to do them)."""
    found, paths = planned.plan(), planned.paths
    # staged and not committed yet: the commit's hook documents it
    staged = set(git.split_z(git.run(["diff", "--cached", "--name-only", "-z", "HEAD"],
                                     planned.root, check=False)))
    wanted = [(path, sha) for path, sha in found.document + found.point if path not in staged]
    # a record of this very content by an older version of this documenter (an upgrade):
    # current enough; one by another documenter (a switch) is what is to be done
    name = planned.cfg.documenter.name
    older = sum(planned.records.get(path) == (found.wanted.get(path), name)
                for path, _ in wanted)
    files, gone = len(wanted) - older, len(found.remove)
    # content documented already under another path: a pointer to move, no documenter call
    kept = sum(1 for path, _ in found.point if path not in staged
               and planned.records.get(path) != (found.wanted.get(path), name))
    refresh = f"; {older} by an older documenter (codequery document refreshes them)" \
        if older else ""
    # cannot be stored: left out, as `codequery document` says
    unnamed = (f"; {plural(found.undecodable, 'file')} left out: "
               f"{'its name is' if found.undecodable == 1 else 'their names are'} not UTF-8"
               if found.undecodable else "")
    refresh += unnamed
    if not files + gone:
        if found.queued:  # on their way: the queue check says whether anything takes them
            return Check("index", True, f"{found.queued} of {found.tracked} files queued to "
                                        f"document, nothing else to do{refresh}")
        return Check("index", True, f"matches the checked-out tree ({found.tracked} "
                                    f"files){refresh}")
    detail = (f"behind the checked-out tree: {plural(files - kept, 'file')} to document"
              + (f", {plural(kept, 'file')} to point at records kept already (the same "
                 "content, no documenter call)" if kept else "")
              + f", {plural(gone, 'record')} to remove, not queued yet{unnamed}")
    if liveness.worker_alive(paths):
        return Check("index", True, f"{detail}; the running worker catches up")
    return Check("index", False, f"{detail}; no worker is running to catch up",
                 f"codequery document, or {WORKER_FIX}", "warning")


def check_disk(where: Path, min_free: int = MIN_FREE_BYTES) -> Check:
    usage = shutil.disk_usage(where)
    detail = f"{usage.free / 2**30:.1f} GiB free of {usage.total / 2**30:.1f} GiB at {where}"
    if usage.free < min_free:
        return Check("disk-space", False, detail, f"free at least {min_free // 2**20} MiB on "
                     f"the file system holding {where}")
    return Check("disk-space", True, detail)


# --- the run --------------------------------------------------------------------------

class _Report:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, name: str, check: Callable[..., Any], *args: Any) -> Any:
        """Run one check, keep its Check, return whatever else it returned."""
        try:
            result = check(*args)
        except Exception as exc:  # a doctor reports every check, even one that broke
            result = Check(name, False, f"the check itself failed ({type(exc).__name__}: "
                           f"{exc})", "please report this as a codequery bug")
        found, extra = result if isinstance(result, tuple) else (result, None)
        self.checks.append(found)
        return extra

    def last_ok(self) -> bool:
        return self.checks[-1].ok

    def skip(self, names: tuple[str, ...], reason: str) -> None:
        self.checks += [skipped(name, reason) for name in names]


AFTER_ROOT = ("state-dir", "ignored", "config", "hooks", "database", "queue-database", "worker",
              "documenter", "queue", "index")


def diagnose(start: Path) -> list[Check]:
    """Every check, in order; later ones are skipped when what they need is missing."""
    report = _Report()
    report.add("git", check_git, start)
    git_ok = report.last_ok()
    root = report.add("work-tree", check_work_tree, start) if git_ok else None
    if not git_ok:
        report.skip(("work-tree",), "git is not usable")
    if root is None:
        report.skip(AFTER_ROOT, "not inside a git work tree")
        report.add("disk-space", check_disk, start)
        return report.checks
    paths = RepoPaths(root)
    report.add("state-dir", check_state_dir, paths)
    initialised = report.last_ok()
    uninitialised = f"no {defaults.STATE_DIR}/ (see state-dir)"
    if initialised:
        report.add("ignored", check_ignored, paths)
    else:
        report.skip(("ignored",), uninitialised)
    cfg = report.add("config", check_config, paths) if initialised else None
    if not initialised:
        report.skip(("config",), uninitialised)
    report.add("hooks", check_hooks, root)
    if not initialised:
        report.skip(("database", "queue-database", "worker", "documenter", "queue", "index"),
                    uninitialised)
    else:
        report.add("database", check_data_db, paths)
        data_ok = report.last_ok()
        if cfg is not None and (cfg.processing.transport == "redis" or cfg.cache.url):
            report.add("redis", check_redis, cfg)
            if cfg.processing.transport == "redis" and report.last_ok():
                report.add("consumers", check_consumers, cfg)
        if cfg is None or cfg.processing.transport == "sqlite":
            report.add("queue-database", check_huey_db, paths)
        worker_warned = False
        if cfg is not None or liveness.worker_alive(paths):
            report.add("worker", check_worker, paths, cfg)
            worker_warned = not report.last_ok()
        else:  # whether commits need one is the config's to say (its mode)
            report.skip(("worker",), "no usable config")
        if cfg is None:
            report.skip(("documenter", "queue", "index"), "no usable config")
        else:
            report.add("documenter", check_documenter, cfg.documenter)
            if cfg.documenter.name != "builtin":
                report.add("approved", check_approved, paths, cfg)
            if cfg.documenter.name != "builtin" and data_ok:
                report.add("breaker", check_breaker, paths, cfg)
            if data_ok:
                planned = Planned(root, paths, cfg)
                report.add("queue", check_queue, paths, cfg.dataset, not worker_warned, planned)
                report.add("index", check_index, planned)
            else:
                report.skip(("queue", "index"), "code_data.db failed its check")
    report.add("disk-space", check_disk, root)
    return report.checks


def as_json(checks: list[Check]) -> dict[str, Any]:
    return {"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks]}
