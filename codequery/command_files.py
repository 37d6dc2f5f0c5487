"""Which repository files a documenter's command runs without naming them by path.

Approval (`trust`) covers the content of every repository file the settings name, since a
pull can change those as easily as the settings. Runners also reach files by convention:
`python -m docgen` runs `docgen.py`, `make` its makefile, `npm run` what package.json
says, `node docgen` `docgen.js`, `sh -c '...'` the commands in the string. Those are
covered too, whether or not they exist yet: a pull that adds one (a `docgen/` package, a
`GNUmakefile` read before the `Makefile`) changes what runs.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path

_PYTHON = re.compile(r"(python|pypy)(\d+(\.\d+)*)?")
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh"}
_MAKE = {"make", "gmake"}
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_PACKAGE_RUNNERS = {"npm", "npx", "yarn", "pnpm", "bun"}
_NODE = {"node", "nodejs", "bun", "deno", "tsx", "ts-node"}
_NODE_ENDINGS = ("", ".js", ".mjs", ".cjs", ".ts", "/index.js", "/package.json")
_SHELL_OPERATOR = re.compile(r"[;&|()<>]+")


def run_by(command: Sequence[str], root: Path) -> list[str]:
    """Repository files (relative, `/`-separated) `command`, run in `root`, may run."""
    reach = _Reach(root)
    reach.command(command, reach.root)
    return list(reach.found)


class _Reach:
    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.normpath(root.absolute()))
        self.found: dict[str, None] = {}  # an ordered set

    def command(self, words: Sequence[str], cwd: Path) -> None:
        """One command's words: every runner among them (`env python3 -m x`, `uv run make`)
        and every word that names a file, an option's value included (`--script=x.py`)."""
        for at, word in enumerate(words):
            if "{" in word:
                continue  # a placeholder, filled in per documented file
            if any(char.isspace() for char in word):
                self.shell(word, cwd)  # a command line in one argument
            named = word.partition("=")[2] if word.startswith("-") else word
            if named:
                self.file(cwd / named)
            program, rest = Path(word).name, words[at + 1:]
            if _PYTHON.fullmatch(program):
                self.python(rest, cwd)
            if program in _SHELLS:
                self.sh(rest, cwd)
            if program in _MAKE:
                self.make(rest, cwd)
            if program in _PACKAGE_RUNNERS:
                self.package(rest, cwd)
            if program in _NODE:
                self.node(rest, cwd)

    def shell(self, text: str, cwd: Path) -> None:
        """A shell command line: each simple command in it, `cd` followed."""
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError:
            return  # an unfinished quote: nothing a shell would run either
        current: list[str] = []
        for word in [*words, ";"]:
            if not _SHELL_OPERATOR.fullmatch(word):
                current.append(word)
                continue
            if current[:1] == ["cd"] and len(current) > 1:
                cwd = cwd / current[1]
            elif current:
                self.command(current, cwd)
            current = []

    def file(self, path: Path) -> None:
        name = self._name(path)
        if name is not None:
            self.found.setdefault(name)

    def python(self, args: Sequence[str], cwd: Path) -> None:
        """`python [options] -m module | -c code | script`, options joined or not (`-Bm`)."""
        at = 0
        while at < len(args):
            arg = args[at]
            at += 1
            if arg.startswith("--"):
                continue
            if not arg.startswith("-") or arg == "-":
                if (cwd / arg).is_dir():  # a directory runs its __main__.py
                    self.module("__main__", cwd / arg)
                return
            for index, flag in enumerate(arg[1:], start=2):
                if flag not in "cmWX":
                    continue
                value = arg[index:]
                if not value and at < len(args):
                    value, at = args[at], at + 1
                if flag == "m":
                    self.module(value, cwd, main=True)
                if flag in "cm":
                    return
                break

    def module(self, dotted: str, base: Path, main: bool = False) -> None:
        """What importing `dotted` from the directory `base` (sys.path[0]) may load: each
        package's __init__ and the module itself, as source, bytecode or an extension."""
        parts = dotted.split(".")
        if not all(part.isidentifier() for part in parts):
            return
        for size in range(1, len(parts) + 1):
            stem = base.joinpath(*parts[:size])
            self._module_files(stem)
            self._module_files(stem / "__init__")
        if main:
            self._module_files(base.joinpath(*parts) / "__main__")

    def _module_files(self, stem: Path) -> None:
        self.file(stem.with_name(f"{stem.name}.py"))
        for folder in (stem.parent, stem.parent / "__pycache__"):
            for path in folder.glob(f"{stem.name}.*"):
                self.file(path)

    def sh(self, args: Sequence[str], cwd: Path) -> None:
        """`sh [options] -c 'command line'` or `sh [options] script`."""
        for at, arg in enumerate(args):
            if arg.startswith("-") and not arg.startswith("--") and "c" in arg:
                if at + 1 < len(args):
                    self.shell(args[at + 1], cwd)
                return
            if not arg.startswith(("-", "+")):
                return  # the script: a named file

    def make(self, args: Sequence[str], cwd: Path) -> None:
        """The makefile: `-f`'s, else the first of GNUmakefile, makefile, Makefile (all
        three covered, one added by a pull takes over), in the directory `-C` gives."""
        directory = cwd
        for value in _option_values(args, "-C", ("--directory",)):
            directory = directory / value
        for name in _option_values(args, "-f", ("--file", "--makefile")) or _MAKEFILES:
            self.file(directory / name)

    def package(self, args: Sequence[str], cwd: Path) -> None:
        directory = cwd
        for value in _option_values(args, "-C", ("--prefix", "--cwd", "--dir")):
            directory = directory / value
        self.file(directory / "package.json")

    def node(self, args: Sequence[str], cwd: Path) -> None:
        """A script named without its extension, or a directory's index.js."""
        for arg in args:
            if not arg.startswith("-") and "{" not in arg:
                for ending in _NODE_ENDINGS:
                    self.file(Path(f"{cwd / arg}{ending}"))

    def _name(self, path: Path) -> str | None:
        """`path` relative to the root, or None outside the repository."""
        normal = Path(os.path.normpath(path))
        if normal == self.root or not normal.is_relative_to(self.root):
            return None
        return normal.relative_to(self.root).as_posix()


def _option_values(args: Sequence[str], short: str, longs: Sequence[str]) -> list[str]:
    """Values of an option given as `-fX`, `-f X`, `--file=X` or `--file X`."""
    values = []
    for at, arg in enumerate(args):
        if arg == short or arg in longs:
            values.append(args[at + 1] if at + 1 < len(args) else "")
        elif arg.startswith(short) and not arg.startswith("--"):
            values.append(arg[len(short):])
        elif arg.partition("=")[0] in longs:
            values.append(arg.partition("=")[2])
    return [value for value in values if value and "{" not in value]
