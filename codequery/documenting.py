"""Documenting files now, in this process: examine, skip what is current, document, store.

Each record is written in its own transaction as soon as it is made, so an interrupted
run keeps everything it finished and the next run carries on from there.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from codequery import git, languages
from codequery.config import Config
from codequery.documenters import Documenter
from codequery.eligibility import Content, Skip, examine
from codequery.errors import CodeQueryError
from codequery.records import FileDoc, FileRecord
from codequery.store import Store

log = logging.getLogger(__name__)

SECRET_NOTE = "Secret-looking file: its content is never read into the index or sent anywhere."


@dataclass
class Outcome:
    documented: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make_record(content: Content, documenter: Documenter) -> FileRecord:
    """Document one file's content; secrets get metadata only, never their text."""
    language = languages.detect(content.path, content.data[:200])
    if content.secret:
        return secret_record(content)
    doc = documenter.document(content.path, language, content.data.decode("utf-8", "replace"))
    return record_from(content, language, doc, documenter.name, documenter.model)


def secret_record(content: Content) -> FileRecord:
    language = languages.detect(content.path, b"")
    return record_from(content, language, FileDoc(notes=[SECRET_NOTE]), "builtin", None)


def record_from(content: Content, language: str, doc: FileDoc, documenter: str,
                model: str | None, usage: dict | None = None) -> FileRecord:
    data = content.data
    return FileRecord(
        **doc.model_dump(),
        **(usage or {}),
        path=content.path,
        language=language,
        size=len(data),
        line_count=data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1),
        content_sha=content.sha,
        documenter=documenter,
        model=model,
        documented_at=now_iso(),
    )


def is_current(store: Store, content: Content, documenter: Documenter) -> bool:
    stored = store.content_of(content.path)
    if stored is None or stored[0] != content.sha:
        return False
    if content.secret:
        return True
    return stored[1] == documenter.name and stored[2] == documenter.model


def document_files(
    root: Path,
    config: Config,
    store: Store,
    documenter: Documenter,
    *,
    only: list[str] | None = None,
    force: bool = False,
    on_total: Callable[[int], None] | None = None,
    on_file: Callable[[str], None] | None = None,
    caller: Any = None,
) -> Outcome:
    """Document the tracked files (all of them, or those under `only`).

    A full run also removes the records of files that are gone or no longer eligible.
    `caller` (an `llm_caller.LLMCaller`) is how an LLM documenter is called: reusing
    records of identical content, within the rate limit, behind the circuit breaker.
    """
    outcome = Outcome()
    undecodable: list[bytes] = []
    entries = git.tracked_files(root, only, undecodable)
    if undecodable:
        outcome.skipped["file name not UTF-8"] += len(undecodable)
    if on_total:
        on_total(len(entries))
    keep: set[str] = set()
    for entry in entries:
        verdict = examine(root, entry, config.files)
        if isinstance(verdict, Skip):
            outcome.skipped[verdict.reason] += 1
        elif not force and is_current(store, verdict, documenter):
            outcome.unchanged += 1
            keep.add(entry.path)
        else:
            try:
                if caller is None or verdict.secret:
                    record = make_record(verdict, documenter)
                else:
                    record = (caller.reuse(store, verdict) if not force else None
                              ) or caller.document_one(store, verdict)
            except CodeQueryError:  # the circuit breaker opened: the whole run stops
                raise
            except Exception as exc:  # a documenter's bug must not stop the other files
                log.debug("documenting %s failed", entry.path, exc_info=True)
                outcome.failed.append((entry.path, f"{type(exc).__name__}: {exc}"))
                keep.add(entry.path)  # an old record beats none; it shows as stale
            else:
                store.put(record.model_dump(mode="json"))
                outcome.documented += 1
                keep.add(entry.path)
        if on_file:
            on_file(entry.path)
    if only is None:
        outcome.removed = store.delete(store.paths() - keep)
    else:
        found = {e.path for e in entries}
        untracked = [p for p in only if not any(f == p or f.startswith(p.rstrip("/") + "/")
                                                for f in found)]
        outcome.skipped["not tracked"] += len(untracked)
        stored = store.paths()
        outcome.removed = store.delete(((found - keep) | set(untracked)) & stored)
    return outcome
