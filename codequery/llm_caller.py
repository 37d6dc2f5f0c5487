"""Calling an LLM documenter the careful way.

Never over the rate limit (shared by every thread and
process of the repository), never into a documenter that keeps failing (a circuit breaker
shared the same way), and every call is written to the call log (cost, tokens, time) that
`codequery status` and the cost estimates read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from codequery import blocking, languages, ledger
from codequery.breaker import PROBE
from codequery.config import Config, DocumenterConfig
from codequery.documenters import Documenter, process
from codequery.documenters.errors import DocumenterBlocked, DocumenterBusy
from codequery.documenters.process import Stopped
from codequery.documenting import record_from, secret_record
from codequery.eligibility import Content
from codequery.errors import CodeQueryError
from codequery.records import FileDoc, FileRecord
from codequery.store import SharedConnection, Store

DEFAULT_REQUESTS_PER_MINUTE = {"claude": 50.0}
# How a call killed because its worker was stopping is logged (see LLMCaller._stopped): not
# counted as a failure.
STOPPED = "stopped: "
# The calls counted as failed, in SQL over llm_calls.
FAILED_CALL = f"(ok = 0 AND coalesce(error, '') NOT GLOB '{STOPPED}*')"  # GLOB: case matters


class BreakerOpen(CodeQueryError):
    """The documenter failed too often lately; calls resume after `retry_in` seconds."""

    def __init__(self, name: str, retry_in: float) -> None:
        super().__init__(f"the {name} documenter failed repeatedly; calls paused for "
                         f"{retry_in:.0f}s {BREAKER_MARK}")
        self.retry_in = retry_in


# How a job put back by the open breaker says so last (see ledger.wake)
BREAKER_MARK = "(circuit breaker)"
# The attribute that marks the exception of a failed half-open probe (see breaker
# record_failure), with the breaker's cooldown as its value
PROBE_FAILED = "codequery_probe_failed"


class Blocked(BreakerOpen):
    """The documenter cannot work until the user acts; jobs wait without spending an
    attempt, and a check that costs no model call lifts it."""

    def __init__(self, name: str, reason: str, retry_in: float) -> None:
        CodeQueryError.__init__(self, f"the {name} documenter is blocked: {reason}")
        self.retry_in = retry_in
        self.reason = reason


class Busy(BreakerOpen):
    """The model's API asked to wait (rate limit, overload): jobs wait that long without
    spending an attempt, and the breaker is not told (the documenter is not broken)."""

    def __init__(self, message: str, retry_in: float) -> None:
        CodeQueryError.__init__(self, message)
        self.retry_in = retry_in


class LLMCaller:
    def __init__(self, db_path: Path, config: Config, documenter: Documenter) -> None:
        from codequery.ratelimit import RateLimiter

        settings = config.documenter
        self.documenter = documenter
        self.dataset = config.dataset
        per_minute = settings.requests_per_minute
        if per_minute is None:
            per_minute = DEFAULT_REQUESTS_PER_MINUTE.get(documenter.name, 0.0)
        self.limiter = RateLimiter(db_path, f"documenter:{documenter.name}", per_minute)
        self.breaker = breaker_for(db_path, config)
        self._blocks = SharedConnection(db_path)
        # per thread: whether its call under way is the breaker's probe (a call from before
        # the breaker opened may fail while the probe is out: it is no probe)
        self._calls = threading.local()

    def document_one(self, store: Store, content: Content,
                     before_call: Callable[[], None] | None = None) -> FileRecord:
        if content.secret:
            return secret_record(content)  # never sent anywhere
        language = languages.of_content(content.path, content.data)
        text = content.data.decode("utf-8", "replace")
        self._guard(before_call)
        started = time.monotonic()
        try:
            if hasattr(self.documenter, "document_with_usage"):
                doc, usage = self.documenter.document_with_usage(content.path, language, text)
                usage = usage_dict(usage)
            else:
                doc = self.documenter.document(content.path, language, text)
                usage = {"duration_ms": int((time.monotonic() - started) * 1000)}
        except DocumenterBlocked as exc:
            raise self._blocked(store, 1, exc) from None
        except DocumenterBusy as exc:
            raise self._busy(store, 1, exc) from None
        except Stopped as exc:
            self._stopped(store, 1, exc)
            raise
        except BaseException as exc:  # Ctrl-C too: a half-open probe must always report
            self._failed(store, 1, exc)
            raise
        self._succeeded(store, 1, usage)
        return record_from(content, language, doc, self.documenter.name, self.documenter.model,
                           usage)

    def document_batch(self, store: Store, contents: Sequence[Content],
                       before_call: Callable[[], None] | None = None) -> dict[str, FileRecord]:
        """One call for several files; a path missing from the answer is missing here."""
        files = [(c.path, languages.of_content(c.path, c.data),
                  c.data.decode("utf-8", "replace")) for c in contents]
        self._guard(before_call)
        try:
            docs, usage = self.documenter.document_batch(files)
        except DocumenterBlocked as exc:
            raise self._blocked(store, len(files), exc) from None
        except DocumenterBusy as exc:
            raise self._busy(store, len(files), exc) from None
        except Stopped as exc:
            self._stopped(store, len(files), exc)
            raise
        except BaseException as exc:
            self._failed(store, len(files), exc)
            raise
        usage = usage_dict(usage)
        self._succeeded(store, len(files), usage)
        share = _split(usage, len(files))
        by_path = {c.path: c for c in contents}
        records = {}
        for path, language, _ in files:
            doc: FileDoc | None = docs.get(path)
            if doc is not None:
                records[path] = record_from(by_path[path], language, doc, self.documenter.name,
                                            self.documenter.model, share)
        return records

    def admit(self) -> None:
        """What a call made elsewhere (a remote consumer) must pass first, as one made
        here: no block, the breaker shut (or this is its probe), the rate limit."""
        self._guard(None)

    def report(self, store: Store, usage: dict[str, Any], error: str | None,
               wait: float | None = None) -> None:
        """The outcome of a call made elsewhere: the breaker and the call log learn it as
        if it had been made here (a documenter that asked to wait is not broken). Its
        failure is no failed probe here (see _failed): the mark admit() left is cleared."""
        self._calls.probe = False
        if error is None:
            self._succeeded(store, 1, usage)
        elif wait is not None:
            self.breaker.release_probe()  # handed out by another thread: whoever holds it
            self._log(store, 1, False, usage, error)
        else:
            self.breaker.record_failure()
            self._log(store, 1, False, usage, error)

    @property
    def can_batch(self) -> bool:
        return hasattr(self.documenter, "document_batch")

    def recheck_block(self, worker: bool = False) -> str | None:
        """For a command the user runs by hand: the check costs no model call, so it is
        made now rather than trusting an answer up to RECHECK_SECONDS old (the user may
        have just logged in); the cached answer is for the worker's loop. `worker`: the
        worker checks (it may lift a block of its own surroundings, see
        blocking.WORKER_CANNOT). Why the documenter is still blocked, or None."""
        try:
            self._check_block(now=True, worker=worker)
        except Blocked as exc:
            return exc.reason
        return None

    def blocked_now(self) -> str | None:
        """Like recheck_block, and for a documenter not known to be blocked the same free
        check: a block it finds is kept (status and doctor say so, and no call is made
        until it is lifted). Why the documenter cannot be called, or None."""
        with self._blocks.lock:
            known = blocking.current(self._blocks.get(), self.documenter.name) is not None
        if known:  # checked again now (once), and lifted if the check passes
            return self.recheck_block()
        if (reason := self.documenter.blocked()) is not None:
            with self._blocks.lock:
                blocking.block(self._blocks.get(), self.documenter.name, reason)
        return reason

    def _check_block(self, now: bool = False, worker: bool = False) -> None:
        """While the documenter is blocked, no call; every RECHECK_SECONDS (or `now`) a
        check that costs no model call (`claude auth status`) may lift the block, or
        change its reason. A block a running worker found in its own surroundings stands
        for any other process (see blocking.WORKER_CANNOT)."""
        name = self.documenter.name
        with self._blocks.lock:
            conn = self._blocks.get()
            found = blocking.current(conn, name)
            if found is None:
                return
            reason = found["reason"]
            if (now or blocking.due_for_check(found)) and (
                    worker or not blocking.the_worker_s(found)):
                reason = self.documenter.blocked()
                if reason is None:
                    blocking.lift(conn, name)
                    return
                # checked now; its reason may have changed (a worker's: its CLI found now)
                blocking.block(conn, name, reason)
        raise Blocked(name, reason, blocking.RECHECK_SECONDS)

    def _blocked(self, store: Store, files: int, exc: DocumenterBlocked) -> Blocked:
        """Not the file's fault and not the documenter failing: the breaker is not told,
        no attempt is spent, and the reason is kept for status, doctor and the logs."""
        self.give_back_probe()
        with self._blocks.lock:
            blocking.block(self._blocks.get(), self.documenter.name, exc.reason)
        self._log(store, files, False, {}, f"blocked: {exc.reason}")
        return Blocked(self.documenter.name, exc.reason, blocking.RECHECK_SECONDS)

    def _busy(self, store: Store, files: int, exc: DocumenterBusy) -> Busy:
        self.give_back_probe()  # neither works nor broken: it asked to wait
        self._log(store, files, False, {}, str(exc))
        return Busy(f"{exc} (waiting {exc.retry_after:.0f}s)", exc.retry_after)

    def _guard(self, before_call: Callable[[], None] | None) -> None:
        """Wait for the rate limit, then `before_call` (a worker renews its leases there: the
        wait may have been long), then the breaker. allow() comes last because it may hand
        out the single half-open probe, which must then really be made and reported."""
        self._calls.probe = False
        self._check_block()
        if self.breaker.state()["state"] == "open":
            self._refuse()  # before a rate-limit token is spent
        self.limiter.acquire(stop=process.stop_event())
        if process.stopping():  # woken from the rate limit's wait: no call, no probe
            raise Stopped("the worker is stopping")
        if before_call is not None:
            before_call()
        admitted = self.breaker.admit()
        if admitted is None:
            self._refuse()
        self._calls.probe = admitted == PROBE  # this thread's call is the probe

    def give_back_probe(self) -> None:
        """This thread's call came back with neither success nor failure of the documenter:
        if it was the half-open probe, the next caller may probe. A call begun before the
        breaker opened gives back nothing (it would free the pass of a probe still out)."""
        if getattr(self._calls, "probe", False):
            self._calls.probe = False
            self.breaker.give_back()

    def _refuse(self) -> None:
        retry_in = self.breaker.state().get("retry_in_s")
        raise BreakerOpen(self.documenter.name, retry_in or self.breaker.cooldown)

    def _succeeded(self, store: Store, files: int, usage: dict[str, Any]) -> None:
        self._calls.probe = False
        if self.breaker.record_success():
            # the probe went through: the jobs put back for the cooldown go now, not when
            # the minute they were given is up
            ledger.wake(store.conn, self.dataset, BREAKER_MARK)
        with self._blocks.lock:
            blocking.lift(self._blocks.get(), self.documenter.name)
        self._log(store, files, True, usage, None)

    def _failed(self, store: Store, files: int, exc: BaseException) -> None:
        self.breaker.record_failure()  # whatever it was: a probe must always report back
        if getattr(self._calls, "probe", False) and isinstance(exc, Exception):
            with contextlib.suppress(AttributeError):  # said to the job runner
                setattr(exc, PROBE_FAILED, self.breaker.cooldown)
        self._calls.probe = False
        billed = usage_dict(getattr(exc, "usage", None))  # a failed answer may still cost
        self._log(store, files, False, billed, f"{type(exc).__name__}: {exc}")

    def _stopped(self, store: Store, files: int, exc: Stopped) -> None:
        """Killed because this worker is stopping: neither the file's fault nor the
        documenter failing (`codequery worker restart` three times had opened the breaker).
        The call is logged, as it may have cost, but not as a failure (see STOPPED)."""
        self.give_back_probe()
        self._log(store, files, False, usage_dict(getattr(exc, "usage", None)),
                  f"{STOPPED}{exc}")

    def _log(self, store: Store, files: int, ok: bool, usage: dict[str, Any],
             error: str | None) -> None:
        with ledger.transaction(store.conn):
            store.conn.execute(
                "INSERT INTO llm_calls (at, dataset, documenter, model, files, ok, duration_ms, "
                "cost_usd, input_tokens, output_tokens, error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), self.dataset, self.documenter.name, self.documenter.model, files,
                 int(ok), usage.get("duration_ms"), usage.get("cost_usd"),
                 usage.get("input_tokens"), usage.get("output_tokens"), error))


def breaker_name(settings: DocumenterConfig) -> str:
    """The name a documenter's circuit breaker is kept under: its settings' own, so that
    other settings (another command, model or CLI: the fix for what failed) start with a
    breaker of their own, not one the old settings opened."""
    called = json.dumps([settings.executable, settings.command, settings.model])
    return (f"documenter:{settings.name}:"
            f"{hashlib.sha256(called.encode()).hexdigest()[:12]}")


def breaker_for(db_path: Path, config: Config):  # noqa: ANN201 - breaker.CircuitBreaker
    """The circuit breaker of the configured documenter, shared by all its callers."""
    from codequery.breaker import CircuitBreaker

    settings = config.documenter
    return CircuitBreaker(db_path, breaker_name(settings), settings.breaker_failures,
                          settings.breaker_window_seconds, settings.breaker_cooldown_seconds)


# What a call cost, as a record carries it and the call totals add it up.
USAGE_KEYS = ("duration_ms", "cost_usd", "input_tokens", "output_tokens")


def usage_dict(usage: Any) -> dict[str, Any]:
    return {key: getattr(usage, key, None) for key in USAGE_KEYS}


def _split(usage: dict[str, Any], parts: int) -> dict[str, Any]:
    """Each file of a batch carries its share of the call's cost, tokens and time."""
    return {key: None if value is None else (value / parts if key == "cost_usd"
                                             else int(value // parts))
            for key, value in usage.items()}


def call_totals(store: Store) -> dict[str, Any]:
    """Calls, failures and cost of the dataset's LLM documenting, for `codequery status`."""
    row = store.conn.execute(
        f"SELECT count(*), coalesce(sum({FAILED_CALL}), 0), coalesce(sum(cost_usd), 0), "
        "coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), count(cost_usd) "
        "FROM llm_calls WHERE dataset = ?", (store.dataset,)).fetchone()
    # priced_calls: the calls whose cost the documenter said (a `command` LLM CLI says
    # none, and its cost is unknown, not nothing)
    return {"calls": row[0], "failed": row[1], "cost_usd": round(row[2], 6),
            "input_tokens": row[3], "output_tokens": row[4], "priced_calls": row[5]}


def last_call_error(store: Store, documenter: str) -> dict[str, Any] | None:
    """The last failed call of this documenter: when, and what it said."""
    row = store.conn.execute(
        "SELECT at, error FROM llm_calls WHERE dataset = ? AND documenter = ? "
        f"AND {FAILED_CALL} ORDER BY at DESC LIMIT 1", (store.dataset, documenter)).fetchone()
    return None if row is None else {"at": row[0], "error": row[1]}


def mean_cost_per_call(store: Store, documenter: str, model: str | None) -> float | None:
    """Over the last 50 successful calls of this documenter and model, if any."""
    row = store.conn.execute(
        "SELECT avg(cost_usd), count(*) FROM (SELECT cost_usd FROM llm_calls WHERE dataset = ? "
        "AND documenter = ? AND model IS ? AND ok = 1 AND cost_usd IS NOT NULL "
        "ORDER BY at DESC LIMIT 50)", (store.dataset, documenter, model)).fetchone()
    return row[0] if row[1] else None
