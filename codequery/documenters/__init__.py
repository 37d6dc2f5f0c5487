"""Documenters turn one file's content into a validated `FileDoc`.

`builtin` is offline static analysis; `command` runs any LLM command line with the prompt
on stdin. `claude` (the Claude CLI) arrives in a later release and plugs in through
`create`.
"""

from __future__ import annotations

from typing import Protocol

from codequery.config import DocumenterConfig
from codequery.errors import CodeQueryError
from codequery.records import FileDoc


class Documenter(Protocol):
    name: str
    model: str | None

    def document(self, path: str, language: str, text: str) -> FileDoc: ...


def create(config: DocumenterConfig) -> Documenter:
    """The documenter the config's documenter section describes."""
    if config.name == "builtin":
        from codequery.documenters.builtin import BuiltinDocumenter

        return BuiltinDocumenter()
    if config.name == "command":
        from codequery.documenters.command import CommandDocumenter

        return CommandDocumenter(config.command, config.model, config.timeout_seconds)
    raise CodeQueryError(
        f"the {config.name!r} documenter is not available in this version of codequery; "
        'set "documenter": {"name": "builtin"} (or "command") in .code-query/config.json'
    )
