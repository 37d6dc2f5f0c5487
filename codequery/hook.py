"""What the git hooks do: tell the worker that the tree may have changed.

The hooks are edge triggers and edges get lost (a killed hook, `--no-verify`, a tool that
skips hooks, a full disk), so no correctness rests on them: the worker's reconciler works
out what changed from git itself. With a worker alive the hook only wakes it, using the
standard library alone (a lock probe and a FIFO write). With none, it documents within
its budget through the same reconciler, in a process of its own (`hook_fallback`), so
that this module never loads the documenting machinery. Whatever goes wrong, the hook
prints one line that says what and where the details are, and the commit stands.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from codequery import config_problems, defaults, liveness
from codequery.paths import RepoPaths

SKIP_ENV = "CODEQUERY_SKIP"
MODES = ("auto", "manual", "sync")


# What the git command that ran each hook did: it stands, whatever the hook says.
_DONE = {"post-commit": "the commit", "post-checkout": "the checkout",
         "post-merge": "the merge", "post-rewrite": "the rebase or amend",
         "post-applypatch": "the patch"}


def unharmed(hook: str) -> str:
    """What to say stands ("the commit is fine") for the git command that ran `hook`."""
    return f"{_DONE.get(hook, 'the git command')} is fine"


class HookProblem(Exception):
    """Something the user should fix; the message is the line the hook prints."""


def read_settings(path: Path) -> dict:
    """The few settings the hook needs, through `json` alone; a file pydantic would
    reject is reported, not guessed at (`codequery doctor` explains it in full)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        processing = data.get("processing", {})
        settings = {
            "mode": processing.get("mode", defaults.MODE),
            "fallback_to_sync": _switch(processing.get("fallback_to_sync",
                                                       defaults.FALLBACK_TO_SYNC)),
            "budget": float(processing.get("sync_budget_seconds", defaults.SYNC_BUDGET_SECONDS)),
            "documenter": data.get("documenter", {}).get("name", defaults.DOCUMENTER),
        }
    except OSError as exc:
        raise HookProblem(f"{config_problems.unreadable(path, exc)}; "
                          "run `codequery doctor`") from None
    except UnicodeDecodeError:
        raise HookProblem(f"{config_problems.not_utf8(path)}; run `codequery doctor`") from None
    except json.JSONDecodeError as exc:
        raise HookProblem(f"{config_problems.not_json(path, exc)}; "
                          "run `codequery doctor`") from None
    except (ValueError, TypeError, AttributeError):  # a setting of the wrong shape
        raise HookProblem(f"invalid config {path}: a setting of the wrong type; "
                          "run `codequery doctor` to see which") from None
    if settings["mode"] not in MODES:
        raise HookProblem(f"invalid config {path}: processing.mode must be one of "
                          f"{', '.join(MODES)}; run `codequery doctor`")
    return settings


# A switch as pydantic reads one (its lax mode, as the rest of codequery reads the file):
# "false" is off, not a string that is there (True is 1, False 0, in a set).
_ON = frozenset({True, "1", "true", "yes", "on", "t", "y"})
_OFF = frozenset({False, "0", "false", "no", "off", "f", "n"})


def _switch(value: object) -> bool:
    """A true/false setting; a ValueError for anything else (a wrong type is reported)."""
    said = value.strip().lower() if isinstance(value, str) else value
    if isinstance(said, (bool, int, float, str)) and (said in _ON or said in _OFF):
        return said in _ON
    raise ValueError(f"not a switch: {value!r}")


def main(hook: str, args: list[str], stdin: bytes) -> int:
    """Entry point of the installed hooks. Always returns 0."""
    if os.environ.get(SKIP_ENV) == "1":
        return 0
    paths = RepoPaths(Path.cwd())  # git runs hooks at the top of the work tree
    if not paths.settings.exists():
        return 0
    started = time.monotonic()
    try:
        line = run(paths, hook, args, started)
    except HookProblem as exc:
        line = f"{exc}; {unharmed(hook)}, documentation was not updated"
    except BaseException as exc:  # noqa: BLE001 - a hook must never fail a commit
        where = log_failure(paths, hook, exc)
        line = (f"documentation not updated ({type(exc).__name__}: {exc}); "
                f"{unharmed(hook)}; details in {where}")
    if line:
        print(f"codequery: {line}", file=sys.stderr)
    return 0


def run(paths: RepoPaths, hook: str, args: list[str], started: float) -> str:
    try:
        settings = read_settings(paths.settings)
    except HookProblem as exc:
        if not liveness.wake_if_alive(paths):
            raise
        # the worker keeps the settings it read when it started
        return f"{exc}; the running worker documents the change with its earlier settings"
    mode = settings["mode"]
    if mode != "sync" and liveness.wake_if_alive(paths):
        return ""  # the worker reconciles; a commit should not chatter
    if _rebase_step(hook, args) and _in_rebase(paths.root) or (
            hook == "post-applypatch" and _in_rebase(paths.root, "rebasing")):
        return ""  # each step of a rebase: post-rewrite reconciles once at the end
    if mode == "manual" or (mode == "auto" and not settings["fallback_to_sync"]):
        return "no worker is running; the index catches up when one starts (codequery worker start)"
    if mode == "auto" and settings["documenter"] != "builtin":
        # An LLM call rarely fits a commit's budget: cutting it short would pay for nothing.
        said = (f"no worker is running; the {settings['documenter']} documenter runs in the "
                "worker (codequery worker start)")
        if (reason := _known_block(paths, settings["documenter"])) is not None:
            # with no worker they do not go on by themselves: the line says to start one
            said += f", and cannot be called now: {reason.removesuffix(JOBS_WAIT)}"
        return said
    budget = None if mode == "sync" else settings["budget"]
    return _fallback(paths, hook, started, budget)


# blocking.JOBS_WAIT (the hook imports the standard library only; a test keeps them equal)
JOBS_WAIT = "; the jobs wait and go on by themselves"


def _known_block(paths: RepoPaths, documenter: str) -> str | None:
    """Why the documenter cannot be called, as the last check found (not logged in): a
    worker started now would not help until that is mended. None when none is known, or
    the index cannot be read (sqlite3 is imported only here: a hook with a worker to
    wake never needs it)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{paths.data_db.as_uri()}?mode=ro", uri=True, timeout=0.5)
        try:
            row = conn.execute("SELECT reason FROM documenter_blocks WHERE name = ?",
                               (documenter,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _git_env() -> dict[str, str]:
    """Git exports GIT_INDEX_FILE and friends into hooks; our own git runs must not see
    them (a `commit -a` points GIT_INDEX_FILE at a temporary index)."""
    from codequery.git import clean_env

    return clean_env()


def _rebase_step(hook: str, args: list[str]) -> bool:
    """A hook that, inside a rebase, fires for one step: a pick's post-commit, a checkout,
    and the `post-rewrite amend` of every reword, squash, fixup or edit."""
    return hook in ("post-commit", "post-checkout") or (
        hook == "post-rewrite" and args[:1] == ["amend"])


def _in_rebase(root: Path, marker: str = "") -> bool:
    """A rebase is under way (git tells post-commit hooks nothing that says so); with
    `marker`, one whose folder holds that file (`rebasing`: a rebase by `git am`'s
    machinery, where a `git am` of its own holds `applying`)."""
    import subprocess

    out = subprocess.run(["git", "rev-parse", "--git-path", "rebase-merge", "--git-path",
                          "rebase-apply"], cwd=root, env=_git_env(), capture_output=True,
                         stdin=subprocess.DEVNULL).stdout
    return any((root / os.fsdecode(p) / marker).exists() if marker
               else (root / os.fsdecode(p)).is_dir() for p in out.splitlines() if p)


def _fallback(paths: RepoPaths, hook: str, started: float, budget: float | None) -> str:
    """Document now through the reconciler, in a child process (its imports never load
    into this one), within what is left of the budget."""
    import subprocess

    left = "" if budget is None else f"{max(budget - (time.monotonic() - started), 0.0):.3f}"
    argv = [sys.executable, "-I", "-m", "codequery.hook_fallback", hook, left]
    done = subprocess.run(argv, cwd=paths.root, env=_git_env(), capture_output=True,
                          stdin=subprocess.DEVNULL)
    out = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        where = paths.log_dir / "hook.log"
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return (f"documentation not updated ({last[0]}); {unharmed(hook)}; "
                f"details in {where}")
    return out.removeprefix("codequery: ")


def log_failure(paths: RepoPaths, hook: str, exc: BaseException) -> Path:
    import traceback

    log = paths.log_dir / "hook.log"
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as out:
            out.write(f"=== {time.strftime('%Y-%m-%dT%H:%M:%S')} {hook} ===\n")
            out.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    except OSError:
        pass
    return log
