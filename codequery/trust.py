"""Which LLM documenter settings this machine has approved.

`.code-query/config.json` is shared through git, and an LLM documenter runs a program
(`documenter.command`, `documenter.executable`) and sends the repository's code to a
model. A pull, a merge or a branch switch must not make this machine do that on a
teammate's say-so: a non-builtin documenter runs only with settings approved here, by
`codequery init` or `codequery setup`, which record them in git's own directory
(`.git/codequery-approved.json`), where no commit, pull or checkout can put or change it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from codequery import command_files, git
from codequery.config import DocumenterConfig
from codequery.documenters import template_path
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths

APPROVED_FILE = "codequery-approved.json"


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def fingerprint(config: DocumenterConfig, root: Path) -> str:
    """What decides which program runs, what it is told and where the code goes: the
    settings, and the content of any file of the repository they name (a script in the
    command, the prompt template) or the command runs by convention (`command_files`),
    since a pull can change those too."""
    names = [config.executable, *config.command, *command_files.run_by(config.command, root)]
    files = {name: _file_digest(root / name) for name in names if name and "{" not in name}
    template = template_path(config, root)
    what = {"name": config.name, "executable": config.executable, "command": config.command,
            "model": config.model, "prompt_template": config.prompt_template,
            "template_digest": _file_digest(template) if template else None,
            "files": {name: digest for name, digest in files.items() if digest}}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def _store(paths: RepoPaths) -> Path:
    """In git's common directory: outside the work tree, shared by its work trees."""
    out = git.run(["rev-parse", "--git-common-dir"], paths.root)
    common = Path(os.fsdecode(out.strip()))
    return (common if common.is_absolute() else paths.root / common) / APPROVED_FILE


def _approved(paths: RepoPaths) -> list[str]:
    try:
        data = json.loads(_store(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError, CodeQueryError):
        return []
    found = data.get("documenters", []) if isinstance(data, dict) else []
    return [item for item in found if isinstance(item, str)]


def approve(paths: RepoPaths, config: DocumenterConfig) -> None:
    if config.name == "builtin":
        return
    known = _approved(paths)
    mark = fingerprint(config, paths.root)
    if mark in known:
        return
    target = _store(paths)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"documenters": [*known, mark]}, indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, target)


def require(paths: RepoPaths, config: DocumenterConfig) -> None:
    """A CodeQueryError unless the builtin documenter, or settings approved here."""
    if config.name == "builtin" or fingerprint(config, paths.root) in _approved(paths):
        return
    runs = (f"the command {config.command}" if config.name == "command"
            else f"{config.executable!r} (model {config.model or 'default'})")
    raise CodeQueryError(
        f"the {config.name} documenter in {paths.config} would run {runs}, and this machine "
        "has not approved these settings or the files they name (they may have come with a "
        "pull); review them, then run `codequery init` here to approve them")
