"""Documenters turn one file's content into a validated `FileDoc`.

`builtin` is offline static analysis; the LLM documenters (`claude`, `command`) arrive in
a later release and plug in through `create`.
"""

from __future__ import annotations

from typing import Protocol

from codequery.errors import CodeQueryError
from codequery.records import FileDoc


class Documenter(Protocol):
    name: str
    model: str | None

    def document(self, path: str, language: str, text: str) -> FileDoc: ...


def create(name: str, model: str | None = None) -> Documenter:
    if name == "builtin":
        from codequery.documenters.builtin import BuiltinDocumenter

        return BuiltinDocumenter()
    raise CodeQueryError(
        f"the {name!r} documenter is not available in this version of codequery; "
        'set "documenter": {"name": "builtin"} in .code-query/config.json'
    )
