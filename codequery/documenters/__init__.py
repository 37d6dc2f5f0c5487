"""Documenters turn one file's content into a validated `FileDoc`.

`builtin` is offline static analysis; `command` runs any LLM command line with the prompt
on stdin; `claude` runs the Claude Code CLI in print mode. `create` builds the configured
one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from codequery.config import DocumenterConfig
from codequery.errors import CodeQueryError
from codequery.records import FileDoc


class Documenter(Protocol):
    name: str
    model: str | None

    def document(self, path: str, language: str, text: str) -> FileDoc: ...


def _template(config: DocumenterConfig) -> Path | None:
    """The configured prompt template; a relative path is taken from the working directory
    (the repository root, where both `codequery` and the worker run)."""
    if not config.prompt_template:
        return None
    return Path.cwd() / Path(config.prompt_template).expanduser()


def create(config: DocumenterConfig) -> Documenter:
    """The documenter the config's documenter section describes.

    Runs at `codequery init` and when a worker starts, so a documenter that cannot work
    (no command, no Claude CLI, an unreadable template) is a `CodeQueryError` here.
    """
    if config.name == "builtin":
        from codequery.documenters.builtin import BuiltinDocumenter

        return BuiltinDocumenter()
    if config.name == "command":
        from codequery.documenters.command import CommandDocumenter

        return CommandDocumenter(
            config.command, config.model, config.timeout_seconds, _template(config)
        )
    if config.name == "claude":
        from codequery.documenters.claude import ClaudeDocumenter, missing_executable_message

        problem = missing_executable_message(config.executable)
        if problem is not None:
            raise CodeQueryError(problem)
        return ClaudeDocumenter(
            config.executable, config.model, config.timeout_seconds, _template(config)
        )
    raise CodeQueryError(
        f"the {config.name!r} documenter is not available in this version of codequery; "
        'set "documenter": {"name": "builtin"}, "command" or "claude" in '
        ".code-query/config.json"
    )
