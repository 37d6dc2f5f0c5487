"""Installing and removing codequery's git hooks, without ever losing a user's own hook.

Like pre-commit: our hooks carry a marker; a user's existing hook is kept as
`<name>.legacy` and still runs first; uninstall removes only ours and puts the user's back
byte for byte. The hooks go where git really looks (`git rev-parse --git-path hooks`,
which honours core.hooksPath and is shared by all work trees).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codequery import git
from codequery.errors import CodeQueryError

HOOKS = ("post-commit", "post-merge", "post-rewrite", "post-checkout", "post-applypatch")
MARKER = b"codequery-hook 5f1c2a9e"


@dataclass(frozen=True)
class HookReport:
    name: str
    action: str  # installed, upgraded, current, kept-legacy, removed, restored, not-ours, absent


def hooks_dir(root: Path) -> Path:
    out = git.run(["rev-parse", "--git-path", "hooks"], root).rstrip(b"\n")
    path = Path(os.fsdecode(out))
    return path if path.is_absolute() else root / path


def custom_hooks_path(root: Path) -> str | None:
    value = git.run(["config", "--get", "core.hooksPath"], root, check=False).strip()
    return os.fsdecode(value) or None


def is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return MARKER in fh.read(512)
    except OSError:
        return False


# The one template every hook is installed from: it reads which hook it is from its name.
TEMPLATE = "codequery-hook"


def render(python: str) -> bytes:
    """A hook, starting `python` through /bin/sh: a shebang line cannot hold a path with
    spaces, nor a long one."""
    template = resources.files("codequery.hook_templates").joinpath(TEMPLATE).read_bytes()
    quoted = "'" + python.replace("'", "'\\''") + "'"
    return template.replace(b"__PYTHON__", os.fsencode(quoted))


def _write_executable(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.codequery-tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o755)
    os.replace(tmp, path)


def install(root: Path, python: str | None = None) -> list[HookReport]:
    directory = hooks_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    python = python or sys.executable
    reports = []
    for name in HOOKS:
        target, legacy = directory / name, directory / f"{name}.legacy"
        action, text = "installed", render(python)
        if target.exists() or target.is_symlink():
            if is_ours(target):
                if (not target.is_symlink() and target.read_bytes() == text
                        and os.access(target, os.X_OK)):
                    reports.append(HookReport(name, "current"))
                    continue
                action = "upgraded"
            elif legacy.exists() or legacy.is_symlink():
                raise CodeQueryError(
                    f"{target} is not codequery's and {legacy.name} exists already; move one "
                    "of them away (or merge them), then run `codequery install-hooks` again")
            else:
                os.replace(target, legacy)
                action = "installed (your hook kept as .legacy, runs first)"
        _write_executable(target, text)
        reports.append(HookReport(name, action))
    return reports


def uninstall(root: Path) -> list[HookReport]:
    directory = hooks_dir(root)
    reports = []
    for name in HOOKS:
        target, legacy = directory / name, directory / f"{name}.legacy"
        if not (target.exists() or target.is_symlink()):
            reports.append(HookReport(name, "absent"))
        elif not is_ours(target):
            reports.append(HookReport(name, "not ours, left alone"))
        else:
            target.unlink()
            if legacy.exists() or legacy.is_symlink():
                os.replace(legacy, target)
                reports.append(HookReport(name, "removed; your hook restored"))
            else:
                reports.append(HookReport(name, "removed"))
    return reports


def status(root: Path) -> dict[str, str]:
    """name -> ours | foreign | missing | not executable | outdated (ours, written by an
    older codequery: `install-hooks` upgrades it)"""
    directory = hooks_dir(root)
    found = {}
    for name in HOOKS:
        target = directory / name
        if not target.exists():
            found[name] = "missing"
        elif not is_ours(target):
            found[name] = "foreign"
        elif not os.access(target, os.X_OK):
            found[name] = "not executable"
        elif not _current(target):
            found[name] = "outdated"
        else:
            found[name] = "ours"
    return found


def _current(target: Path) -> bool:
    """Whether an installed hook of ours is this version's, whatever Python it names."""
    try:
        installed = target.read_bytes()
    except OSError:
        return False
    return _without_python(installed) == _without_python(render(""))


def _without_python(hook: bytes) -> bytes:
    return b"\n".join(line for line in hook.split(b"\n") if not line.startswith(b"python="))
