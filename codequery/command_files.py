"""Which repository files a documenter's command runs without naming them by path.

Approval (`trust`) covers the content of every repository file the settings name, since a
pull can change those as easily as the settings. Runners also reach files by convention:
`python -m docgen` runs `docgen.py`, `make` its makefile, `npm run` what package.json
says, `node docgen` `docgen.js`, `sh -c '...'` the commands in the string. Those are
covered too, whether or not they exist yet: a pull that adds one (a `docgen/` package, a
`GNUmakefile` read before the `Makefile`) changes what runs. So is what those files run
in turn, read the same way: the modules Python code imports from the repository, the
commands of a shell script, of a makefile's recipes and of package.json's scripts.

Read statically, this is a wide net, not a proof: code that builds a file name at run
time (`importlib.import_module(name)`, `$(SCRIPT)` in a recipe) or a JavaScript import
is not followed.
"""

from __future__ import annotations

import ast
import json
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
_SHEBANG_SHELL = re.compile(rb"\b(ba|da|z|k)?sh\b")
_MAKE_INCLUDE = re.compile(r"\s*-?s?include\s+(.+)")


def run_by(command: Sequence[str], root: Path) -> list[str]:
    """Repository files (relative, `/`-separated) `command`, run in `root`, may run."""
    reach = _Reach(root)
    reach.command(command, reach.root)
    reach.follow()
    return list(reach.found)


class _Reach:
    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.normpath(root.absolute()))
        self.found: dict[str, None] = {}  # an ordered set
        self._waiting: list[tuple[Path, Path, str | None, Path | None]] = []
        self._seen: set[tuple[Path, str | None, Path]] = set()
        self._listings: dict[Path, list[str]] = {}

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
                self.file(cwd / named, cwd)
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

    def shell(self, text: str, cwd: Path) -> Path:
        """A shell command line: each simple command in it; the directory a `cd` leaves."""
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError:
            return cwd  # an unfinished quote: nothing a shell would run either
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
        return cwd

    def file(self, path: Path, cwd: Path, kind: str | None = None,
             base: Path | None = None) -> None:
        """Cover `path`; if it is there, `follow` reads what it runs in turn. `kind` says
        how its runner reads it (else its name or #! line does); `base` is sys.path[0]
        for a Python file's imports (else its own directory, as for a script)."""
        name = self._name(path)
        if name is None:
            return
        self.found.setdefault(name)
        self._waiting.append((self.root / name, cwd, kind, base))

    def follow(self) -> None:
        """Read each covered file for what it runs, once; a work list, not recursion, so a long
        chain of imports cannot exhaust the stack."""
        while self._waiting:
            path, cwd, kind, base = self._waiting.pop()
            kind = kind or _kind(path)
            where = (base or path.parent) if kind == "python" else cwd
            if kind is None or (path, kind, where) in self._seen:
                continue
            self._seen.add((path, kind, where))
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue  # not there (yet): covered all the same
            if kind == "python":
                self.imports(text, path, where)
            elif kind == "shell":
                for line in text.replace("\\\n", " ").splitlines():
                    cwd = self.shell(line, cwd)
            elif kind == "make":
                self.makefile(text, cwd)
            elif kind == "package":
                self.scripts(text, path.parent)

    def imports(self, source: str, path: Path, base: Path) -> None:
        """What Python code imports: absolute names from `base`, relative ones from the
        package `path` is in. Every import counts, even one inside a function or a try."""
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.module(alias.name, base, base)
            elif isinstance(node, ast.ImportFrom):
                if node.level > len(path.parents):
                    continue
                start = path.parents[node.level - 1] if node.level else base
                prefix = f"{node.module}." if node.module else ""
                if node.module:
                    self.module(node.module, start, base)
                for alias in node.names:
                    self.module(prefix + alias.name, start, base)

    def makefile(self, text: str, cwd: Path) -> None:
        """The command lines of its recipes, and the makefiles it includes."""
        for line in text.replace("\\\n", " ").splitlines():
            if line.startswith("\t"):
                line = line.lstrip("\t @+-")
                self.shell(line.replace("$(MAKE)", "make").replace("${MAKE}", "make"), cwd)
            elif match := _MAKE_INCLUDE.match(line):
                for name in match.group(1).split():
                    self.file(cwd / name, cwd, kind="make")

    def scripts(self, text: str, directory: Path) -> None:
        """package.json's scripts, run in its directory (`npm run x` runs prex and postx
        too, and an install runs others: all of them count)."""
        try:
            scripts = json.loads(text).get("scripts")
        except (ValueError, AttributeError):
            return
        for line in scripts.values() if isinstance(scripts, dict) else ():
            if isinstance(line, str):
                self.shell(line, directory)

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
                    self.module("__main__", cwd / arg, cwd / arg)
                else:
                    self.file(cwd / arg, cwd, kind="python")
                return
            for index, flag in enumerate(arg[1:], start=2):
                if flag not in "cmWX":
                    continue
                value = arg[index:]
                if not value and at < len(args):
                    value, at = args[at], at + 1
                if flag == "m":
                    self.module(value, cwd, cwd, main=True)
                if flag == "c":
                    self.imports(value, cwd / "-c", cwd)
                if flag in "cm":
                    return
                break

    def module(self, dotted: str, start: Path, base: Path, main: bool = False) -> None:
        """What importing `dotted` from the directory `start` may load: each package's
        __init__ and the module itself, as source, bytecode or an extension. `base` is
        sys.path[0], where the absolute imports of what it loads are found."""
        parts = dotted.split(".")
        if not all(part.isidentifier() for part in parts):
            return
        for size in range(1, len(parts) + 1):
            stem = start.joinpath(*parts[:size])
            self._module_files(stem, base)
            self._module_files(stem / "__init__", base)
        if main:
            self._module_files(start.joinpath(*parts) / "__main__", base)

    def _module_files(self, stem: Path, base: Path) -> None:
        self.file(stem.with_name(f"{stem.name}.py"), base, base=base)
        for folder in (stem.parent, stem.parent / "__pycache__"):
            for entry in self._listing(folder):
                if entry.startswith(f"{stem.name}."):
                    self.file(folder / entry, base, base=base)

    def _listing(self, folder: Path) -> list[str]:
        if folder not in self._listings:
            try:
                self._listings[folder] = os.listdir(folder)
            except OSError:
                self._listings[folder] = []
        return self._listings[folder]

    def sh(self, args: Sequence[str], cwd: Path) -> None:
        """`sh [options] -c 'command line'` or `sh [options] script`."""
        for at, arg in enumerate(args):
            if arg.startswith("-") and not arg.startswith("--") and "c" in arg:
                if at + 1 < len(args):
                    self.shell(args[at + 1], cwd)
                return
            if not arg.startswith(("-", "+")):
                self.file(cwd / arg, cwd, kind="shell")
                return

    def make(self, args: Sequence[str], cwd: Path) -> None:
        """The makefile: `-f`'s, else the first of GNUmakefile, makefile, Makefile (all
        three covered, one added by a pull takes over), in the directory `-C` gives."""
        directory = cwd
        for value in _option_values(args, "-C", ("--directory",)):
            directory = directory / value
        for name in _option_values(args, "-f", ("--file", "--makefile")) or _MAKEFILES:
            self.file(directory / name, directory, kind="make")

    def package(self, args: Sequence[str], cwd: Path) -> None:
        directory = cwd
        for value in _option_values(args, "-C", ("--prefix", "--cwd", "--dir")):
            directory = directory / value
        self.file(directory / "package.json", directory, kind="package")

    def node(self, args: Sequence[str], cwd: Path) -> None:
        """A script named without its extension, or a directory's index.js."""
        for arg in args:
            if not arg.startswith("-") and "{" not in arg:
                for ending in _NODE_ENDINGS:
                    self.file(Path(f"{cwd / arg}{ending}"), cwd)

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


def _kind(path: Path) -> str | None:
    """How a file runs, by its name or its #! line: python, shell, make, package or None."""
    if path.suffix in (".py", ".pyw"):
        return "python"
    if path.suffix in (".sh", ".bash"):
        return "shell"
    if path.name in _MAKEFILES or path.suffix in (".mk", ".mak"):
        return "make"
    if path.name == "package.json":
        return "package"
    try:
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    if b"python" in first:
        return "python"
    return "shell" if _SHEBANG_SHELL.search(first) else None
