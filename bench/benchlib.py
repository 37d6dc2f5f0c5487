"""What the bench scripts share: isolation from the caller's git and home, and running
commands that must succeed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def codequery_command() -> str:
    """The `codequery` installed beside this interpreter, else the one on PATH."""
    sibling = Path(sys.executable).parent / "codequery"
    return str(sibling) if sibling.exists() else (shutil.which("codequery") or "codequery")


def isolate(home: Path) -> None:
    """This process and all it starts: no GIT_* or CODEQUERY_* of the caller, a HOME of
    our own with a minimal git identity."""
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = bench\n\temail = bench@example.com\n")
    for name in [k for k in os.environ if k.startswith(("GIT_", "CODEQUERY_"))]:
        del os.environ[name]
    os.environ.pop("XDG_CONFIG_HOME", None)
    os.environ["HOME"] = str(home)


def run(args: list[str], cwd: Path) -> str:
    """Run a command that must succeed; its output (stdout then stderr)."""
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def codequery_source(rev: str | None) -> tuple[Path, str]:
    """Where codequery is, and a label to print: this checkout's work tree, or with `rev`
    that git revision of it, exported to a temporary directory (removed at exit). Either
    is byte-compiled first, as pip installs it: where PYTHONDONTWRITEBYTECODE is set,
    every process timed would otherwise compile the sources again (+60 ms a search)."""
    import atexit
    import compileall
    import tempfile

    root = Path(__file__).resolve().parent.parent
    if rev:
        sha = run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], root).strip()
        source = Path(tempfile.mkdtemp(prefix="codequery-rev-"))
        atexit.register(shutil.rmtree, source, True)
        archive = subprocess.run(["git", "-C", str(root), "archive", sha, "codequery"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
        label = f"codequery at {rev} ({sha[:12]})"
    else:
        source = root
        changed = run(["git", "status", "--porcelain", "--", "codequery"], root).strip()
        label = f"codequery from the work tree {root}" + (
            " (with uncommitted changes)" if changed else "")
    compileall.compile_dir(source / "codequery", quiet=1)
    return source, label


def codequery_from(rev: str | None) -> str:
    """Import codequery, here and in the commands this process starts (through
    PYTHONPATH), from where codequery_source says: compare a change with its base in one
    go. Call before importing codequery. Returns what was picked, to print."""
    source, label = codequery_source(rev)
    sys.path.insert(0, str(source))
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(source) + (os.pathsep + before if before else "")
    return label


def arg_value(name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in sys.argv, before argparse runs."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def band_swapper(ranked_lists: list[list[str]], rng: Any) -> Callable[[str], str]:
    """Swap every word of these frequency-ranked lists for one of about the same rank
    (ranks 2^k .. 2^(k+1)-1 are shuffled among themselves): a copied record reads
    differently but keeps the Zipf frequencies of its words. Other words stay."""
    import re

    mapping: dict[str, str] = {}
    for ranked in ranked_lists:
        low = 1
        while low < len(ranked):
            band = ranked[low:2 * low]
            shuffled = band[:]
            rng.shuffle(shuffled)
            mapping.update(zip(band, shuffled, strict=True))
            low *= 2
    pattern = re.compile(r"[A-Z]?[a-z]+")

    def swap_word(match: re.Match[str]) -> str:
        word = match.group()
        new = mapping.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[0].isupper() else new

    return lambda text: pattern.sub(swap_word, text)


def swapped(value: Any, swap: Callable[[str], str], keep: tuple[str, ...] = ()) -> Any:
    """`value` (a record or a part of one) with `swap` applied to every string in it,
    except the values of the keys in `keep`."""
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, list):
        return [swapped(v, swap, keep) for v in value]
    if isinstance(value, dict):
        return {k: v if k in keep else swapped(v, swap, keep) for k, v in value.items()}
    return value
