"""Documenters turn one file's content into a validated `FileDoc`.

`builtin` is offline static analysis; `command` runs any LLM command line with the prompt
on stdin; `claude` runs the Claude Code CLI in print mode. `create` builds the configured
one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from codequery.config import DocumenterConfig
from codequery.content_key import Identity
from codequery.errors import CodeQueryError
from codequery.records import FileDoc


class Documenter(Protocol):
    name: str
    model: str | None
    version: str  # the prompt (or analyser) version: part of every record's content key
    inline: bool  # fast and local: documented inside the job's database transaction

    def document(self, path: str, language: str, text: str) -> FileDoc: ...

    def blocked(self) -> str | None:
        """Why no call can work now (e.g. not logged in), checked without a model call;
        None when calls may go."""
        ...


BUILTIN_VERSION = "b66"  # bump when the builtin analysis changes what it extracts


def prompt_version(template_text: str, *extra: str) -> str:
    """A changed prompt is a new version: records made with the old one are redone."""
    import hashlib

    digest = hashlib.sha1("\0".join((template_text, *extra)).encode("utf-8"),
                          usedforsecurity=False)
    return "p" + digest.hexdigest()[:10]


def identity(config: DocumenterConfig, root: Path) -> Identity:
    """The documenter's part of content keys, from the settings alone (no executable is
    needed: `status` and the reconciler's plan ask this)."""
    if config.name == "builtin":
        return Identity("builtin", None, BUILTIN_VERSION)
    from codequery.documenters.prompting import load_template

    try:
        text = load_template(template_path(config, root))
    except CodeQueryError:
        text = "(unreadable template)"
    extra = (json.dumps(config.command),) if config.name == "command" else ()
    return Identity(config.name, config.model or None, prompt_version(text, *extra))


def template_path(config: DocumenterConfig, root: Path) -> Path | None:
    """The configured prompt template; a relative path is taken from the repository."""
    if not config.prompt_template:
        return None
    return root / Path(config.prompt_template).expanduser()


def create(config: DocumenterConfig, root: Path) -> Documenter:
    """The documenter the config's documenter section describes.

    Runs at `codequery init` and when a worker starts, so a documenter that cannot work
    (no command, no Claude CLI, an unreadable template) is a `CodeQueryError` here.
    """
    if config.name == "builtin":
        from codequery.documenters.builtin import BuiltinDocumenter

        return BuiltinDocumenter()
    if config.name == "command":
        from codequery.documenters.command import CommandDocumenter

        return CommandDocumenter(config.command, config.model, config.timeout_seconds,
                                 template_path(config, root), cwd=root)
    if config.name == "claude":
        from codequery.documenters.claude import ClaudeDocumenter, missing_executable_message

        problem = missing_executable_message(config.executable)
        if problem is not None:
            raise CodeQueryError(problem)
        return ClaudeDocumenter(
            config.executable, config.model, config.timeout_seconds, template_path(config, root)
        )
    raise CodeQueryError(
        f"the {config.name!r} documenter is not available in this version of codequery; "
        'set "documenter": {"name": "builtin"}, "command" or "claude" in '
        ".code-query/config.json"
    )
