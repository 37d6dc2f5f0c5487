"""How a record is built from a file's content: the one place, for every documenter."""

from __future__ import annotations

import math
from datetime import datetime, timezone

from codequery import defaults, languages, search_text
from codequery.documenters import Documenter
from codequery.eligibility import Content
from codequery.records import FileDoc, FileRecord

SECRET_NOTE = "Secret-looking file: its content is never read into the index or sent anywhere."
OUTLINED_NOTE = ("Outlined offline by the builtin documenter: at {size} KiB, too large to send "
                 "to an LLM (over {limit} KiB).")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make_record(content: Content, documenter: Documenter) -> FileRecord:
    """Document one file's content; secrets get metadata only, never their text."""
    language = languages.of_content(content.path, content.data)
    if content.secret:
        return secret_record(content)
    doc = documenter.document(content.path, language, content.data.decode("utf-8", "replace"))
    return record_from(content, language, doc, documenter.name, documenter.model)


def too_large_for_an_llm(content: Content) -> bool:
    return over_the_llm_limit(len(content.data))


def over_the_llm_limit(size: int) -> bool:
    """A file of `size` bytes is outlined offline, not sent to an LLM documenter."""
    return size > defaults.LLM_MAX_FILE_BYTES


def blank(content: Content) -> bool:
    """Nothing but whitespace: nothing for an LLM to describe (an empty `__init__.py`)."""
    return not content.data.strip()


def offline_record(content: Content) -> FileRecord:
    """A record the builtin documenter writes for any documenter, at no call: a blank
    file's (see blank)."""
    from codequery.documenters.builtin import BuiltinDocumenter

    return make_record(content, BuiltinDocumenter())


def outlined_record(content: Content) -> FileRecord:
    """A file too large for an LLM documenter, outlined offline, with a note saying so."""
    record = offline_record(content)
    record.notes.append(OUTLINED_NOTE.format(size=math.ceil(len(content.data) / 1024),
                                             limit=defaults.LLM_MAX_FILE_BYTES // 1024))
    return record


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
        terms="" if content.secret else search_text.vocabulary(
            data[:search_text.VOCABULARY_MAX_BYTES].decode("utf-8", "replace")),
    )
