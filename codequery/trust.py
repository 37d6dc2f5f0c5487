"""Which LLM documenter settings this machine has approved.

`.code-query/config.json` is shared through git, and an LLM documenter runs a program
(`documenter.command`, `documenter.executable`) and sends the repository's code to a
model. A pull, a merge or a branch switch must not make this machine do that on a
teammate's say-so: a non-builtin documenter runs only with settings approved here, by
`codequery init` or `codequery setup`, which record them in `.code-query/approved.json`
(never committed).
"""

from __future__ import annotations

import hashlib
import json
import os

from codequery.config import DocumenterConfig
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths

APPROVED_FILE = "approved.json"


def fingerprint(config: DocumenterConfig) -> str:
    """What decides which program runs and where the code goes."""
    what = {"name": config.name, "executable": config.executable, "command": config.command,
            "model": config.model}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def _approved(paths: RepoPaths) -> list[str]:
    try:
        data = json.loads((paths.state_dir / APPROVED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("documenters", []) if isinstance(data, dict) else []
    return [item for item in found if isinstance(item, str)]


def approve(paths: RepoPaths, config: DocumenterConfig) -> None:
    if config.name == "builtin":
        return
    known = _approved(paths)
    mark = fingerprint(config)
    if mark in known:
        return
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    target = paths.state_dir / APPROVED_FILE
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"documenters": [*known, mark]}, indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, target)


def require(paths: RepoPaths, config: DocumenterConfig) -> None:
    """A CodeQueryError unless the builtin documenter, or settings approved here."""
    if config.name == "builtin" or fingerprint(config) in _approved(paths):
        return
    runs = (f"the command {config.command}" if config.name == "command"
            else f"{config.executable!r} (model {config.model or 'default'})")
    raise CodeQueryError(
        f"the {config.name} documenter in {paths.config} would run {runs}, and this machine "
        "has not approved these settings (they may have come with a pull); review them, "
        "then run `codequery init` here to approve them")
