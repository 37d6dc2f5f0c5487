"""Outline Elixir without a parser: modules, their functions and macros, and the
`@moduledoc`/`@doc` that document them.

`mix format` lays Elixir out by indentation: a module ends at the `end` level with its
`defmodule`, and a function belongs to the innermost module still open. A regular
expression per line is enough, and the standard library is all it takes.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from codequery.documenters import comments
from codequery.records import ClassInfo, FileDoc, Function

_MODULE = re.compile(r"^(\s*)(defmodule|defprotocol|defimpl)\s+([\w.]+)(?:.*?\bfor:\s*([\w.]+))?")
# What each definition makes (see records.ClassInfo.kind).
_MODULE_KINDS = {"defmodule": "module", "defprotocol": "protocol", "defimpl": "implementation"}
_FUNCTION = re.compile(
    r"^(\s*)(?:def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate)"
    r"(?:\s+\(?|\s*\()\s*([a-z_]\w*[?!]?)")
_ANY_DEF = re.compile(r"^\s*def\w*\b")
_DOC = re.compile(r"^\s*@(moduledoc|doc|typedoc)\s+(?:~[sS])?(\"\"\"|'''|\"|false)(.*)$")
_ONE_LINE = re.compile(r'((?:[^"\\]|\\.)*)"')
# What ends the wait of a `@doc` for its function: it documented something else.
_NOT_FOR_THE_DOC = re.compile(r"^\s*(?:@callback|@macrocallback|defstruct|defexception)\b")
# Attributes that may stand between a function and the comment above it.
_BETWEEN = re.compile(r"^\s*@(?:impl|spec|deprecated|since)\b")
_COMMENT = re.compile(r"^\s*#\s?(.*)$")
_IMPORT = re.compile(r"^\s*(?:alias|import|require|use)\s+([A-Z]\w*(?:\.[A-Z]\w*)*)")
_HEREDOC_OPEN = re.compile(r"(\"\"\"|''')\s*$")
_CODE_LINE = re.compile(r"^(?: {4}|\t|iex>|\.\.\.>)")


@dataclass
class _Module:
    indent: int
    info: ClassInfo
    documented: bool = False  # by its @moduledoc, not a comment
    names: set[str] = field(default_factory=set)


def outline(text: str) -> FileDoc:
    doc = FileDoc()
    top_names: set[str] = set()
    open_modules: list[_Module] = []
    pending_doc: str | None = None  # a @doc waiting for its function
    overview_depth = 0  # how deeply nested the module whose @moduledoc is the overview
    comment: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line, number = lines[i], i + 1
        i += 1
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if not stripped:
            comment = []
            continue
        if stripped == "end":
            if open_modules and open_modules[-1].indent == indent:
                open_modules.pop()
                pending_doc = None
            continue
        if match := _DOC.match(line):
            body, i = _doc_text(match.group(2), match.group(3), lines, i)
            if match.group(1) == "moduledoc":
                _close_deeper(open_modules, indent)
                if open_modules and body.strip():
                    module = open_modules[-1]
                    if not module.documented:
                        module.info.summary = comments.docstring_summary(body)
                        module.documented = True
                    # a top-level module speaks for the file before one nested in it
                    if not doc.overview or len(open_modules) < overview_depth:
                        doc.overview, overview_depth = _overview(body), len(open_modules)
            elif match.group(1) == "doc":
                pending_doc = body
            continue
        if match := _COMMENT.match(line):
            text_ = match.group(1)
            if not (comments.is_license(text_) or comments.MAGIC.match(stripped)
                    or text_.startswith("credo:")):
                comment.append(text_)
            continue
        if _BETWEEN.match(line):
            continue
        if match := _MODULE.match(line):
            _close_deeper(open_modules, indent)
            name = match.group(3)
            if match.group(4):  # defimpl Inspect, for: Plug.Conn -> Inspect.Plug.Conn
                name = f"{name}.{match.group(4)}"
            outer = open_modules[-1].info.name if open_modules else ""
            if name.startswith("__MODULE__."):
                name = outer + name[len("__MODULE__"):]
            elif outer and match.group(2) == "defmodule":
                name = f"{outer}.{name}"
            module = ClassInfo(name=name, line=number,
                               summary=comments.docstring_summary(" ".join(comment)),
                               kind=_MODULE_KINDS[match.group(2)])
            doc.classes.append(module)
            open_modules.append(_Module(indent, module))
            pending_doc = None
        elif match := _FUNCTION.match(line):
            _close_deeper(open_modules, indent)
            summary = pending_doc if pending_doc is not None else " ".join(comment)
            pending_doc = None
            name = match.group(2)
            names, known = ((open_modules[-1].names, open_modules[-1].info.methods)
                            if open_modules else (top_names, doc.functions))
            # later clauses of the same function; `def unquote(name)` in a macro names none
            if name != "unquote" and name not in names:
                names.add(name)
                known.append(Function(name=name, signature=stripped[:200], line=number,
                                      summary=comments.docstring_summary(summary)))
        elif _ANY_DEF.match(line) or _NOT_FOR_THE_DOC.match(line):
            pending_doc = None
        elif (match := _IMPORT.match(line)) and match.group(1) not in doc.imports:
            doc.imports.append(match.group(1))
        if _HEREDOC_OPEN.search(stripped) and stripped.count(stripped[-3:]) % 2:
            i = _after_heredoc(stripped[-3:], lines, i)  # a string, not code
        comment = []
    return doc


def _close_deeper(open_modules: list[_Module], indent: int) -> None:
    """Close the modules opened at `indent` or deeper: a line there is outside them."""
    while open_modules and open_modules[-1].indent >= indent:
        open_modules.pop()


def _after_heredoc(quote: str, lines: list[str], i: int) -> int:
    """The index after the line that closes a heredoc opened before `i`; `i` itself when
    it is never closed (a broken file is read on as code)."""
    for j in range(i, len(lines)):
        if lines[j].strip().startswith(quote):
            return j + 1
    return i


def _doc_text(quote: str, rest: str, lines: list[str], i: int) -> tuple[str, int]:
    """The text of a doc attribute that opened with `quote` (`rest` is the rest of its
    line) and the index of the line after it."""
    if quote == "false":
        return "", i
    if quote in ('"""', "'''"):
        end = _after_heredoc(quote, lines, i)
        if end == i:
            return "", i
        return textwrap.dedent("\n".join(lines[i:end - 1])), end
    match = _ONE_LINE.match(rest)
    return (match.group(1) if match else rest).replace('\\"', '"'), i


def _overview(body: str) -> str:
    """A module's doc as prose: its paragraphs without code examples or headings."""
    prose = ["" if _CODE_LINE.match(line) or line.lstrip().startswith("#") else line.strip()
             for line in body.splitlines()]
    return comments.clip(" ".join(comments.paragraphs(prose)), comments.OVERVIEW_MAX)
