"""What codequery does for a reader: the one layer under every face.

The click CLI, the MCP server and the dashboard call these functions and only format
what they return; none of them holds logic another would have to repeat. Bad input is a
`CodeQueryError` whose message says what to do. Each thread gets its own database
connection (`Workspace.store`), so a threaded or async server may call in from anywhere.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import posixpath
import re
import time
from pathlib import Path

from codequery import defaults, file_text, ledger, proximity, snippets
from codequery import store as store_mod
from codequery.errors import CodeQueryError, NotFound
from codequery.freshness import is_stale, stale_paths
from codequery.paths import private
from codequery.printable import printable, shown_path
from codequery.queueing import event_dict, iso, job_dict
from codequery.wording import clipped, plural, quoted_clip, some_of
from codequery.workspace import Workspace

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any

    from codequery.config import Config

MAX_LIMIT = defaults.MAX_LIMIT
MAX_WAIT_SECONDS = 300.0
POLL_SECONDS = 0.05


def repo_path(ws: Workspace, user_path: str, cwd: Path | None = None) -> str:
    """A path a caller gave -> the repository-relative path, or a clear error for one
    outside the repository (`../`, an absolute path elsewhere, a symlink pointing out)."""
    if not isinstance(user_path, str) or not user_path.strip() or "\0" in user_path:
        raise CodeQueryError("give a file path inside the repository")
    try:
        try:
            rel = ws.relative(user_path, cwd or ws.root)
        except CodeQueryError:  # its message names the repository's absolute path
            raise CodeQueryError(f"{user_path} is outside the repository") from None
        if rel == ".":
            raise CodeQueryError("give a file or folder in the repository, not its root")
        if rel.startswith("../"):
            raise CodeQueryError(f"{user_path} is outside the repository {ws.root}")
        # Every step resolved: a symlink, or a folder on the way that is one, may not
        # lead outside the repository or into git's or codequery's own folders.
        target = os.path.realpath(ws.root / rel)
        root = os.path.realpath(ws.root)
        if os.path.commonpath([target, root]) != root:
            raise CodeQueryError(f"{user_path} is a symlink pointing outside the repository "
                                 "(or inside a folder that is one)")
        if private(rel) or private(os.path.relpath(target, root).replace(os.sep, "/")):
            raise CodeQueryError(f"{user_path} is in git's or codequery's own files, which "
                                 "are not indexed")
        require_storable(rel)
    except OSError as exc:  # a name too long, a loop of links: not a path we can use
        raise CodeQueryError(f"not a usable path ({exc.strerror})") from None
    return rel


def require_storable(rel: str) -> None:
    """A clear error for a path whose name is not UTF-8 (git hands it over with its bytes
    as surrogates, see git.tracked_files): it cannot be stored, so it has no record."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raise CodeQueryError(f"{shown_path(rel)}: its name is not UTF-8, and codequery "
                             "keeps no record of such a file (git tracks it; renamed, it "
                             "is documented)") from None


# A question, or a name pasted in, is far shorter; a page of text is no query (and a word
# of 50,000 characters is more than SQLite's LIKE takes).
MAX_QUERY_CHARS = 2_000


def search(ws: Workspace, query: str, limit: int = defaults.SEARCH_LIMIT, tests: bool = False
           ) -> list[dict[str, Any]]:
    """Ranked results: path, score, overview, snippet (matches in **, the text's own *
    and \\ escaped: see snippets) and snippet_line (see ranking.snippet_of), stale, kind
    (see search_text.kind_of), the symbols whose names match the query, with their line
    numbers, and lines: where the query's
    words meet in the file as it is now (see proximity and rescoring), or None, and
    copies: the paths of byte-for-byte copies of the file, shown once (see
    ranking.copies_folded). Tests follow the source unless asked for (`tests` gives only
    tests, fixtures and examples)."""
    if not isinstance(query, str) or not query.strip():
        raise CodeQueryError("the query is empty: give one or more words to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise CodeQueryError(f"the query is too long ({len(query):,} characters; at most "
                             f"{MAX_QUERY_CHARS:,}): ask in words or names from the code")
    if not 1 <= limit <= MAX_LIMIT:
        raise CodeQueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    try:
        query.encode("utf-8")
    except UnicodeEncodeError as exc:  # a shell's byte that is no UTF-8, a JSON "\ud800"
        raise CodeQueryError(
            f"the query is not valid text: character {exc.start + 1} is no Unicode "
            "character (a byte that is not UTF-8, or half of a surrogate pair); files "
            "whose names are not UTF-8 are not indexed") from None
    results = ws.store.search(query, limit, tests=tests, read=lambda path: file_text.text_of(
        ws.root, path, proximity.MAX_CHARS))
    for result in results:
        _file_before_its_links(ws, result)
        sha = result.pop("content_sha")
        result["stale"], result["gone"] = _staleness(ws, result["path"], sha)
        # a copy edited since it was documented is a copy no longer
        result["copies"] = [p for p in result.get("copies", []) if not is_stale(ws.root, p, sha)]
        result["snippet"] = snippets.marked(result["snippet"])
    return results


def _file_before_its_links(ws: Workspace, result: dict[str, Any]) -> None:
    """A result shown by a symlink to a file among its copies is shown by the file, with
    the link among the copies: `libexec/pyenv`, not `bin/pyenv` (a link to it). Both hold
    the same bytes, so the record says the same of either; its kind is the file's (RxSwift
    links its tests into `Sources/AllTestz/`: the test had been shown as source). The
    file the link leads to comes first; else (a link to a copy that is not indexed) the
    shortest real copy."""
    root = ws.root
    copies = result.get("copies") or []
    link = result["path"]
    if not copies or not os.path.islink(root / link):
        return
    target = file_text.link_target(root, link)
    real = (target if target in copies else
            min((p for p in copies if not os.path.islink(root / p)),
                key=lambda p: (len(p), p), default=None))
    if real is not None:
        result["copies"] = [link] + [p for p in copies if p != real]
        result["path"] = real
        result["kind"] = ws.store.kind_at(real) or result.get("kind")


def search_notes(ws: Workspace, query: str) -> list[str]:
    """What a search's answer tells besides its results (on stderr, or after an MCP
    tool's list): a query of common words alone, searched for all the same; a path with
    no record, which the results cannot hold."""
    from codequery.search_text import common_words_only

    notes = []
    if words := common_words_only(query):
        notes.append(f"note: every word of the query is a common word "
                     f"({', '.join(words[:8])}), searched for all the same; add a word of "
                     "what you are looking for")
    if why := _unrecorded_path(ws, query):
        notes.append(f"note: {why}")
    return notes


def _unrecorded_path(ws: Workspace, query: str) -> str | None:
    """Why a query that names a file of the work tree (`lib/kookaburra.js`) cannot find
    it, when the index holds no record of it: not documented yet, skipped, or not tracked
    (a new user's trial: such a search listed ten other files and said nothing). None for
    a query that names no such file: a stat, no more, for a search of words."""
    from codequery.search_text import typed_path

    typed = typed_path(query)  # as the search reads a path
    if typed is None:
        return None
    rel = posixpath.normpath(typed)
    if rel == ".." or rel.startswith("../"):
        return None
    try:
        if not (ws.root / rel).is_file() or ws.store.kind_at(rel) is not None:
            return None
        return _why_no_record(ws, rel)
    except (CodeQueryError, OSError, ValueError):  # a name no file can have: no note
        return None


def no_results(ws: Workspace, query: str) -> str:
    """What to tell someone whose search found nothing: how much the index holds, and
    how much is still on its way, so an empty answer is not read as "not in the code"."""
    documented = ws.store.count()
    counts = ledger.counts(ws.store.conn, ws.dataset)
    pending = counts[ledger.PENDING] + counts[ledger.PROCESSING]
    waiting = f"{pending} more waiting to be documented"
    if not documented:
        return (f"no results for {quoted_clip(query)}: the index is empty ("
                + (f"{waiting}; `codequery status` shows progress)" if pending else
                   "`codequery document --all` documents every tracked file)"))
    said = (f"no results for {quoted_clip(query)} among {plural(documented, 'documented file')}"
            + (f", {waiting}" if pending else "") + ": try other words, or names from the code")
    left_out = _skipped_named(ws, query)
    if left_out:
        said += "; not indexed: " + ", ".join(f"{printable(path, one_line=True)} ({reason})"
                                              for path, reason in left_out)
    # text too large to index may hold the answer all the same (a name in a 10 MB file):
    # named, so that an agent can grep them
    named = {path for path, _ in left_out}
    large = [path for (path,) in ws.store.conn.execute(
        "SELECT path FROM skipped WHERE dataset = ? AND reason = 'too large' ORDER BY path",
        (ws.dataset,)) if path not in named]
    if large:
        said += (f"; {plural(len(large), 'file')} too large to index "
                 + ("was" if len(large) == 1 else "were")
                 + f" not searched (grep them): {_some_paths(large)}")
    edited = _edited_since_documented(ws)
    if edited:
        said += (f"; edited since documented, their new words not indexed yet: "
                 f"{_some_paths(edited)} (`codequery document` indexes them)")
    return said


def _some_paths(paths: list[str]) -> str:
    """The first SKIPPED_SHOWN of `paths`, each on one line, then how many more."""
    return some_of([printable(path, one_line=True) for path in paths[:SKIPPED_SHOWN]]
                   + paths[SKIPPED_SHOWN:], SKIPPED_SHOWN)


def _edited_since_documented(ws: Workspace) -> list[str]:
    """Documented files, still in the work tree, whose text is no longer what was
    documented (an edit not committed yet, which no hook documents, or one still
    waiting): a search does not find their new words (see freshness.stale_paths)."""
    try:
        stale = stale_paths(ws.root, ws.store.shas())
    except (CodeQueryError, OSError):  # git unusable: nothing to add to the message
        return []
    return sorted(path for path in stale if os.path.lexists(ws.root / path))


# How many of the files left out of the index that a query's words name are told of.
SKIPPED_SHOWN = 3


def _skipped_named(ws: Workspace, query: str) -> list[tuple[str, str]]:
    """Files left out of the index (too large, binary, ...) whose path has a word of the
    query: a search finds nothing in them, which is not to say they do not exist."""
    from codequery.fts_lookup import like_escaped  # (both imported by the search already)
    from codequery.search_text import query_terms

    words = [t.word for t in query_terms(query) if len(t.word) >= 3][:8]
    if not words:
        return []
    like = " OR ".join("path LIKE ? ESCAPE '\\'" for _ in words)
    return ws.store.conn.execute(
        f"SELECT path, reason FROM skipped WHERE dataset = ? AND ({like}) ORDER BY path "
        "LIMIT ?", [ws.dataset, *(f"%{like_escaped(w)}%" for w in words),
                    SKIPPED_SHOWN]).fetchall()


def show(ws: Workspace, path: str, cwd: Path | None = None) -> dict[str, Any]:
    """One file's record, with its stale mark. A path is relative to `cwd`; one that
    names nothing there but a record from the repository's root (as `search` prints
    paths) is read from the root. A file there that has no record is told of: the root's
    namesake is another file."""
    rel = repo_path(ws, path, cwd)
    record = ws.store.get(rel)
    if (record is None and cwd is not None and not os.path.isabs(path)
            and not os.path.lexists(ws.root / rel)):
        with contextlib.suppress(CodeQueryError):  # it leaves the repository from the root
            from_root = repo_path(ws, path)
            record = ws.store.get(from_root)
            if record is not None:
                rel = from_root
    if record is None:
        raise CodeQueryError(_why_no_record(ws, rel))
    return _marked(ws, rel, record)


# How much of a path that names no tracked file an error repeats.
_PATH_SHOWN = 200


def _why_no_record(ws: Workspace, rel: str) -> str:
    """What to tell someone who asked for a record there is none of: advice that works
    (`codequery document` of a binary file documents nothing)."""
    from codequery import git
    from codequery.eligibility import skip_by_name

    tracked = git.tracked_files(ws.root, [rel])
    entry = next((e for e in tracked if e.path == rel), None)
    if entry is None and tracked:
        return f"{rel} is a folder; give one of its files (`codequery search` finds them)"
    if entry is None:
        module = _submodule_holding(ws, rel)
        if module is not None:
            return (f"no record for {clipped(rel, _PATH_SHOWN)}: it is in the submodule "
                    f"{module}, which codequery leaves out (run codequery in {module} "
                    "itself)")
        return (f"no record for {clipped(rel, _PATH_SHOWN)}: git does not track it (check "
                "the name, or `git add` it first)")
    skipped = ws.store.skips().get(rel)
    why = skipped[2] if skipped else skip_by_name(rel, entry.mode, ws.config.files)
    if why:
        return f"{rel} is tracked but skipped ({why}): codequery keeps no record of it"
    return f"no record for {rel} yet; `codequery document {rel}` documents it"


def _submodule_holding(ws: Workspace, rel: str) -> str | None:
    """The submodule of the repository a path is inside, or None (a trial was told a file
    of a submodule was "not tracked")."""
    from pathlib import PurePosixPath

    from codequery import git

    # a submodule's work tree has a `.git` of its own: only such folders are asked about
    # (asking git of a folder lists every file in it)
    parents = [str(p) for p in PurePosixPath(rel).parents
               if str(p) != "." and (ws.root / p / ".git").exists()]
    if not parents:
        return None
    return next((e.path for e in git.tracked_files(ws.root, parents)
                 if e.mode == git.SUBMODULE_MODE and e.path in parents), None)


def list_files(ws: Workspace, glob: str | None = None, stale_only: bool = False
               ) -> list[dict[str, Any]]:
    """Documented paths with their language and stale mark, optionally matching `glob`
    (repository-relative: one that starts at the root of the file system or climbs out
    with `..` can match nothing, and is an error)."""
    if glob is not None and not glob.strip():
        raise CodeQueryError("the glob is empty: leave it out to list every file, or give "
                             "one such as 'src/**.py'")
    if glob is not None and (glob.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", glob)):
        raise CodeQueryError(f"glob {glob!r} reaches outside the repository; globs match "
                             "repository-relative paths, such as 'src/**.py'")
    store = ws.store
    rows = store.conn.execute("SELECT path, language, content_sha FROM records "
                              "WHERE dataset = ? ORDER BY path", (store.dataset,)).fetchall()
    stale = set(stale_paths(ws.root, {row[0]: row[2] for row in rows}))
    files = [{"path": row[0], "language": row[1], "stale": row[0] in stale} for row in rows
             if glob is None or _glob_matches(row[0], glob)]
    return [f for f in files if f["stale"]] if stale_only else files


def _glob_matches(path: str, glob: str) -> bool:
    """fnmatch's glob, where `*` crosses folders as in git's pathspecs (`*.md`: every
    Markdown file), and `**/` may also stand for no folder at all (`**/*.md` takes the
    top-level README.md too, `src/**/x.py` takes src/x.py)."""
    variants = {glob, glob.removeprefix("**/")}
    variants |= {g.replace("/**/", "/") for g in variants}
    return any(fnmatch.fnmatchcase(path, g) for g in variants)


# What a backlog can wait for (see _waiting_for): every face names each (status's text,
# the dashboard).
WAITING_FOR = ("disk", "read-only", "approval", "blocked", "breaker", "worker", "redis",
               "consumers")


def _waiting_for(llm: dict[str, Any], worker_running: bool,
                 remote: dict[str, Any] | None, backlog: int = 1,
                 redis_away: bool = False, disk_full: bool = False,
                 read_only: bool = False) -> str | None:
    """What the backlog waits for before any estimate of it holds: room on the disk
    holding the index or its database made writable (nothing is written without them),
    this machine's approval
    of the documenter's settings, the documenter blocked (logged out, out of credit), its
    circuit breaker open, a worker, or (on the Redis transport) Redis itself or a consumer
    of the remote queue that can take its tasks; None, and always with no backlog (jobs
    pending or processing)."""
    if not backlog:
        return None
    if disk_full:
        return "disk"
    if read_only:
        return "read-only"
    if llm.get("unapproved"):
        return "approval"
    if llm.get("blocked"):
        return "blocked"
    if (llm.get("breaker") or {}).get("state") == "open":
        return "breaker"
    if not worker_running:
        return "worker"
    if remote is not None and remote.get("error") or redis_away:
        return "redis"  # the queue's tasks go nowhere until it answers again
    return "consumers" if remote is not None and remote.get("ready") == 0 else None


def remote_consumers(config: Config) -> dict[str, Any] | None:
    """The consumers of the shared remote queue (see consumer_presence.summary), where the
    Redis transport hands this repository's LLM work to them; {"error": why} when Redis
    does not answer; None where nothing is handed out."""
    from codequery.remote_work import RemoteWork

    if config.processing.transport != "redis" or not RemoteWork.takes(config.documenter):
        return None
    from codequery import consumer_presence, redis_link

    try:
        found = consumer_presence.present(redis_link.client(config.processing.redis_url))
    except (CodeQueryError, *redis_link.down_errors()) as exc:
        return {"error": f"Redis does not answer ({type(exc).__name__}: {exc})"}
    return consumer_presence.summary(found)


def _transport_away(config: Config) -> bool:
    """Whether the worker's own queue is on a Redis that does not answer (where no remote
    queue is asked about: see remote_consumers)."""
    if config.processing.transport != "redis":
        return False
    from codequery import redis_link

    try:
        redis_link.client(config.processing.redis_url).ping()
    except (CodeQueryError, *redis_link.down_errors()):
        return True
    return False


def _settings_changed_at(ws: Workspace) -> float | None:
    """When the settings file was last written (a switch of documenter writes it; so does a
    checkout that changes it, after which the estimate waits for a job again), or None."""
    try:
        return ws.paths.config.stat().st_mtime
    except OSError:
        return None


def status(ws: Workspace) -> dict[str, Any]:
    """The worker, the queue, the index and the LLM calls at a glance."""
    # Imported here: they bring huey, psutil and pydantic, which a search does without.
    from codequery import reconcile, start_settings, worker_control
    from codequery.documenters import identity
    from codequery.llm_caller import breaker_for, call_totals, last_call_error

    store = ws.store
    config, trouble = ws.config_or_last_good()  # a broken config.json is said, no wall
    conn, dataset = store.conn, config.dataset
    info = worker_control.info(ws.paths, default_threads=config.processing.threads)
    counts = ledger.counts(conn, dataset)
    stats = ledger.stats(conn, dataset, since=_settings_changed_at(ws))
    mean = stats["mean_duration_s"]
    threads = info.consumers or config.processing.threads  # the running worker's own
    # the jobs at work count too: a 2-second call is about half done, on average
    left = counts[ledger.PENDING] + counts[ledger.PROCESSING] / 2
    eta = None if mean is None or not left else left * mean / threads
    stale = stale_paths(ws.root, store.shas())
    found = reconcile.plan(store, ws.root, config, identity(config.documenter, ws.root))
    llm = call_totals(store)
    documented = store.count()
    remote = remote_consumers(config)
    if config.documenter.name != "builtin":
        from codequery import blocking, trust

        llm["breaker"] = breaker_for(ws.paths.data_db, config).state()
        llm["blocked"] = blocking.current(conn, config.documenter.name)
        try:  # a worker runs no documenter this machine has not approved: it waits
            trust.require(ws.paths, config.documenter)
        except CodeQueryError as exc:
            llm["unapproved"] = str(exc)
        llm["last_error"] = last_call_error(store, config.documenter.name)
    backlog = counts[ledger.PENDING] + counts[ledger.PROCESSING]
    waiting = _waiting_for(llm, info.running, remote, backlog,
                           redis_away=bool(backlog) and remote is None and _transport_away(config),
                           disk_full=bool(backlog) and store_mod.no_room(ws.paths.data_db),
                           read_only=bool(backlog) and not store_mod.writable(ws.paths.data_db))
    return {
        "dataset": dataset,
        "root": str(ws.root),
        # Settings the worker reads only at its start that have changed since.
        "worker": {**info.as_dict(), "restart_for": start_settings.changed(ws.paths, config)
                   if info.running else []},
        "queue": {**counts, "stuck": stats["stuck"], "orphaned": stats["orphaned"],
                  "oldest_pending_age_s": stats["oldest_pending_age_s"],
                  # nothing moves while it waits: an estimate would be a promise
                  "mean_duration_s": mean, "eta_s": None if waiting else eta,
                  "waiting_for": waiting},
        "records": {"total": documented, "stale": len(stale)},  # kept for older clients
        "index": {"documented": documented, "stale": len(stale), "missing": found.missing,
                  "outdated": found.outdated, "queued": found.queued,
                  "skipped": found.skipped, "tracked": found.tracked,
                  # tracked by git, but a name that is not UTF-8 cannot be stored
                  "names_not_utf8": found.undecodable,
                  "last_reconcile": reconcile.last_run(store)},
        "mode": config.processing.mode,
        "transport": config.processing.transport,
        "documenter": config.documenter.name,
        "llm": llm,
        "remote": remote,
        "settings_trouble": trouble or ws.settings_trouble,
    }


def _own_job(ws: Workspace, job_id: object) -> ledger.Job | None:
    """This repository's job by its id (any case); another work tree's is not ours."""
    job_id = job_id.strip().upper() if isinstance(job_id, str) else ""
    found = ledger.get(ws.store.conn, job_id) if job_id else None
    return found if found is not None and found.dataset == ws.dataset else None


def check_job_id(job_id: object) -> str:
    """`job_id` if it is shaped like a job id (any case), else a CodeQueryError."""
    if not isinstance(job_id, str) or not ledger.is_job_id(job_id):
        raise CodeQueryError(f"{job_id!r} is not a job id (they look like Q-1A2B3C4D)")
    return job_id


def find_job(ws: Workspace, job_id: str) -> ledger.Job:
    """This repository's job by its id (any case), or a clear error: one not shaped like
    an id, or one that names no job of this repository (NotFound)."""
    found = _own_job(ws, check_job_id(job_id))
    if found is None:
        raise NotFound(f"no job {job_id!r}; `codequery queue list` shows the jobs")
    return found


def job(ws: Workspace, job_id: str, wait_seconds: float = 0.0,
        blocked_since: float | None = None) -> dict[str, Any]:
    """A job's state and its events; with `wait_seconds`, once it is no longer pending
    or processing (or the wait is over)."""
    check_wait(wait_seconds)
    conn = ws.store.conn
    found = find_job(ws, job_id)
    job_id = found.id
    deadline, began = time.monotonic() + wait_seconds, time.time()
    while (found.status in (ledger.PENDING, ledger.PROCESSING) and time.monotonic() < deadline
           and not _unattended(ws, found)
           and not _waiting(ws, began, found.status == ledger.PENDING)):
        time.sleep(POLL_SECONDS)
        found = ledger.get(conn, job_id) or found
    # a caller that waits itself (MCP) passes when its wait began: a block stored before
    # then may be stale and does not end it
    waiting = ({"waiting_for": "worker"} if _unattended(ws, found)
               else _waiting(ws, blocked_since, found.status == ledger.PENDING))
    return {**job_dict(found), "waiting_for": None, **waiting,
            "events": [event_dict(e) for e in ledger.events(conn, job_id=job_id)]}


def _breaker_open(ws: Workspace) -> dict[str, Any] | None:
    if ws.config.documenter.name == "builtin":
        return None  # no calls, no breaker
    from codequery.llm_caller import breaker_for

    state = breaker_for(ws.paths.data_db, ws.config).state()
    if state.get("state") != "open":
        return None
    return {"breaker": {"retry_in_s": state.get("retry_in_s"), "failures": state.get("failures")}}


def _block_reason(ws: Workspace, since: float | None = None) -> str | None:
    from codequery import blocking

    block = blocking.current(ws.store.conn, ws.config.documenter.name)
    if block is None or since is not None and block["checked_at"] < since:
        return None
    return block["reason"]


def _unattended(ws: Workspace, found: ledger.Job) -> bool:
    """Whether a job waits for a worker that is not running: nothing will take it (a wait
    for it would last as long as it was let)."""
    from codequery import liveness

    return found.status == ledger.PENDING and not liveness.worker_alive(ws.paths)


def check_wait(wait_seconds: float) -> None:
    if not 0 <= wait_seconds <= MAX_WAIT_SECONDS:
        raise CodeQueryError(f"wait_seconds must be between 0 and {MAX_WAIT_SECONDS:g}")


def document(ws: Workspace, paths: list[str], *, priority: str = "high",
             wait_seconds: float = 0.0, cwd: Path | None = None) -> dict[str, Any]:
    """Queue the files ahead of the commit backlog, as they are on disk now.

    With a worker running, the job ids come back at once, or, with `wait_seconds`, once
    the jobs are done (the records then answer `search` and `show` already). With none,
    the builtin documenter documents them here and now; an LLM documenter needs the
    worker."""
    from codequery import liveness, local_run
    from codequery.jobs import JobRunner

    check_wait(wait_seconds)
    if priority not in ledger.PRIORITIES:
        raise CodeQueryError(f"priority must be one of {', '.join(ledger.PRIORITIES)}")
    if not paths:
        raise CodeQueryError("give one or more file paths to document")
    rel = [repo_path(ws, p, cwd) for p in paths]
    runner = JobRunner(ws)
    worker = liveness.worker_alive(ws.paths)
    if not worker and ws.config.documenter.name != "builtin":
        name = ws.config.documenter.name
        if blocked := runner.caller.blocked_now():  # a worker would not help yet
            raise CodeQueryError(f"the {name} documenter cannot be called: {blocked}; then "
                                 "start the worker (`codequery worker start`), which runs it")
        raise CodeQueryError(f"the {name} documenter runs in the worker, and none is "
                             "running; start it with `codequery worker start`")
    # lifted now, the worker need not wait to see it; if it stands, no wait: say why
    blocked = None if runner.documenter.inline else runner.caller.recheck_block()
    request = local_run.prepare(ws, runner, rel)
    files = sorted(request.plan.wanted)  # the tracked files under the paths given
    if not worker:
        outcome = local_run.document_now(ws, rel, trigger="document", runner=runner,
                                         request=request)
        if outcome.failed:
            raise CodeQueryError("; ".join(f"{p}: {e}" for p, e in outcome.failed))
        return {**document_progress(ws, [], files), "done": not outcome.unfinished}
    result = local_run.submit(ws, runner, request, priority=priority, trigger="document")
    ids = list(dict.fromkeys([q.id for q in result.queued]
                             + [job_id for job_id, _ in request.plan.waiting]))
    if blocked:  # checked just now
        progress = document_progress(ws, ids, files)
        return progress if progress["finished"] else {
            **progress, "waiting_for": "blocked", "blocked": blocked}
    deadline, began = time.monotonic() + wait_seconds, time.time()
    while True:
        progress = document_progress(ws, ids, files, since=began)
        if progress["done"] or progress.get("waiting_for") or time.monotonic() >= deadline:
            return progress
        time.sleep(POLL_SECONDS)


def document_progress(ws: Workspace, job_ids: list[str], files: list[str],
                      since: float | None = None) -> dict[str, Any]:
    """Where a `document` request stands: its jobs, whether all are finished, and once
    they are, the records of its files (`search` and `show` see them already). Not
    finished while the documenter is blocked (a check at `since` or later confirmed it):
    waiting_for "blocked" and why."""
    conn = ws.store.conn
    jobs = [job for job in (ledger.get(conn, job_id) for job_id in job_ids) if job]
    done = all(job.status in (ledger.COMPLETED, ledger.CANCELLED, ledger.DEAD)
               for job in jobs)
    records = [_record_or_none(ws, path) for path in files] if done else []
    # binary, too large, ...: documented on purpose as nothing, which the answer says
    skips = ws.store.skips() if done and not all(records) else {}
    skipped = [{"path": path, "reason": skips[path][2]} for path, record in zip(
        files, records, strict=True) if not record and path in skips] if skips else []
    # deleted, not staged yet: nothing to document; the record stays until `git rm` or a commit
    gone = [path for path in files if not os.path.lexists(ws.root / path)]
    return {"jobs": [job_dict(job) for job in jobs], "job_ids": job_ids, "files": files,
            "done": done and not any(job.status == ledger.DEAD for job in jobs),
            "finished": done, "records": [r for r in records if r],
            **({"skipped": skipped} if skipped else {}),
            **({"not_on_disk": gone} if gone else {}),
            **_waiting(ws, since, not done and any(job.status == ledger.PENDING
                                                   for job in jobs))}


def held(ws: Workspace) -> str | None:
    """What pending jobs wait on besides a worker's turn, in words (the documenter
    blocked, its circuit breaker open), or None (see _waiting): None too when the settings
    cannot be read (an invalid config.json), which a wait on the ledger outlives."""
    try:
        found = _waiting(ws, None, True)
    except CodeQueryError:
        return None
    if found.get("waiting_for") == "blocked":
        return f"the {ws.config.documenter.name} documenter is blocked: {found['blocked']}"
    if found.get("waiting_for") == "breaker":
        retry_in = found["breaker"].get("retry_in_s")
        return (f"the {ws.config.documenter.name} documenter failed repeatedly; its circuit "
                "breaker is open" + (f", calls resume in {retry_in:.0f}s" if retry_in else ""))
    return None


def _waiting(ws: Workspace, since: float | None, pending: bool) -> dict[str, Any]:
    """What `pending` jobs wait on besides a worker's turn (a job at work, in a call begun
    before or out at a remote consumer, goes on): the documenter blocked (a check at
    `since` or later confirmed it: the worker checks every blocking.RECHECK_SECONDS, and a
    wait that began before the user logged in must not end on the old answer), or its
    circuit breaker open. {} when nothing holds them."""
    if not pending:
        return {}
    if blocked := _block_reason(ws, since):
        return {"waiting_for": "blocked", "blocked": blocked}
    if paused := _breaker_open(ws):
        return {"waiting_for": "breaker", **paused}
    return {}


def _record_or_none(ws: Workspace, rel: str) -> dict[str, Any] | None:
    record = ws.store.get(rel)
    return None if record is None else _marked(ws, rel, record)


def _marked(ws: Workspace, rel: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its stale and gone marks (see _staleness)."""
    record["stale"], record["gone"] = _staleness(ws, rel, record["content_sha"])
    return record


def _staleness(ws: Workspace, rel: str, sha: str) -> tuple[bool, bool]:
    """Whether a record of content `sha` is stale for the file at `rel`, and whether
    because the file is gone (a reset or a checkout no hook saw: an agent would open a
    file that is not there), not because it changed."""
    stale = is_stale(ws.root, rel, sha)
    return stale, stale and not os.path.lexists(ws.root / rel)


def jobs(ws: Workspace, status: str | None = None, limit: int = MAX_LIMIT
         ) -> list[dict[str, Any]]:
    """The newest `limit` jobs (oldest first), optionally only those in one state."""
    if status is not None and status not in ledger.STATUSES:
        raise CodeQueryError(f"status must be one of {', '.join(ledger.STATUSES)}")
    if limit < 1:
        raise CodeQueryError(f"limit must be at least 1, not {limit}")
    return [job_dict(j) for j in ledger.jobs(ws.store.conn, ws.dataset, status, limit)]


def events(ws: Workspace, job_id: str | None = None, limit: int = MAX_LIMIT
           ) -> list[dict[str, Any]]:
    """The newest `limit` job events of the repository (or of one job), newest last."""
    conn, dataset = ws.store.conn, ws.dataset
    if job_id:
        job_id = find_job(ws, job_id).id
    return [event_dict(e) for e in ledger.events(conn, job_id, dataset, limit)]


def events_since(ws: Workspace, after_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """Events newer than event `after_id`, oldest first (a live view's next batch; each
    carries its `id`, the next call's `after_id`)."""
    return [event_dict(e) for e in ledger.events_after(ws.store.conn, ws.dataset,
                                                       max(after_id, 0), limit)]


def last_event_id(ws: Workspace) -> int:
    """Where a live view starts: events after this one are news."""
    return ledger.last_event_id(ws.store.conn)


def _own_ids(ws: Workspace, job_ids: list[str]) -> list[str]:
    """The ids that name jobs of this repository."""
    return [found.id for j in job_ids if (found := _own_job(ws, j)) is not None]


def retry(ws: Workspace, job_ids: list[str], *, all_dead: bool = False,
          by: str = "cli") -> list[str]:
    """Dead (or cancelled) jobs back to pending with a fresh set of attempts; the ids
    that were. The worker, if one runs, is woken to take them."""
    from codequery import liveness

    done = ledger.retry(ws.store.conn, ws.dataset, _own_ids(ws, job_ids),
                        all_dead=all_dead, worker=by)
    if done:
        liveness.wake(ws.paths)
    return done


def cancel(ws: Workspace, job_ids: list[str], *, by: str = "cli") -> list[str]:
    """Pending jobs -> cancelled (one already processing finishes); the ids that were."""
    return ledger.cancel(ws.store.conn, _own_ids(ws, job_ids), by)


def purge(ws: Workspace, job_ids: list[str]) -> list[str]:
    """Jobs and their events deleted (not one processing); the ids that were."""
    return ledger.purge(ws.store.conn, _own_ids(ws, job_ids))


def queue_by_priority(ws: Workspace) -> dict[str, dict[str, int]]:
    """Jobs by state, then by priority (high, normal, low)."""
    return ledger.counts_by_priority(ws.store.conn, ws.dataset)


def throughput(ws: Workspace, minutes: int = 60, now: float | None = None
               ) -> list[dict[str, Any]]:
    """Jobs completed in each of the last `minutes` minutes, oldest first, the current
    (unfinished) minute last; minutes without any count 0."""

    if not 1 <= minutes <= 24 * 60:
        raise CodeQueryError("minutes must be between 1 and 1440")
    current = int((time.time() if now is None else now) // 60)
    first = current - minutes + 1
    found = ledger.completed_per_minute(ws.store.conn, ws.dataset, first * 60.0)
    return [{"minute": iso(m * 60.0), "completed": found.get(m, 0)}
            for m in range(first, current + 1)]
