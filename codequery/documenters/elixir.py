"""Outline Elixir without a parser: modules, their functions and macros, and the
`@moduledoc`/`@doc` that document them.

`mix format` lays Elixir out by indentation, so a function belongs to the innermost
module opened to its left; a regular expression per line is enough, and the standard
library is all it takes.
"""

from __future__ import annotations

import re
import textwrap

from codequery.documenters import comments
from codequery.records import ClassInfo, FileDoc, Function

_MODULE = re.compile(r"^(\s*)(defmodule|defprotocol|defimpl)\s+([\w.]+)")
_FUNCTION = re.compile(
    r"^(\s*)(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate)\s+"
    r"(?:\(?\s*)?([a-z_][\w]*[?!]?)")
_DOC = re.compile(r'^\s*@(moduledoc|doc|typedoc)\s+(~[sS])?("""|\'\'\'|"|false)(.*)$')
_COMMENT = re.compile(r"^\s*#\s?(.*)$")
_IMPORT = re.compile(r"^\s*(?:alias|import|require|use)\s+([A-Z][\w.]*)")
_CODE_LINE = re.compile(r"^(?: {4}|\t|iex>|\.\.\.>)")


def outline(text: str) -> FileDoc:
    doc = FileDoc()
    open_modules: list[tuple[int, ClassInfo]] = []
    docs: dict[str, str] = {}  # the doc waiting for the next module or function
    comment: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        i += 1
        if match := _DOC.match(line):
            kind, quote, rest = match.group(1), match.group(3), match.group(4)
            body, i = _doc_text(quote, rest, lines, i)
            if kind == "moduledoc" and open_modules and not open_modules[-1][1].summary:
                open_modules[-1][1].summary = comments.docstring_summary(body)
                doc.overview = doc.overview or _overview(body)
            elif kind == "doc":
                docs["doc"] = body
            continue
        if match := _COMMENT.match(line):
            comment.append(match.group(1))
            continue
        if match := _MODULE.match(line):
            indent = len(match.group(1))
            while open_modules and open_modules[-1][0] >= indent:
                open_modules.pop()
            module = ClassInfo(name=match.group(3), line=number,
                               summary=comments.docstring_summary(" ".join(comment)))
            doc.classes.append(module)
            open_modules.append((indent, module))
        elif match := _FUNCTION.match(line):
            indent = len(match.group(1))
            while open_modules and open_modules[-1][0] >= indent:
                open_modules.pop()
            summary = docs.pop("doc", "") or " ".join(comment)
            function = Function(name=match.group(3), signature=line.strip()[:200],
                                summary=comments.docstring_summary(summary), line=number)
            known = open_modules[-1][1].methods if open_modules else doc.functions
            # later clauses of the same function; `def unquote(name)` in a macro names none
            if function.name != "unquote" and all(f.name != function.name for f in known):
                known.append(function)
        elif (match := _IMPORT.match(line)) and match.group(1) not in doc.imports:
            doc.imports.append(match.group(1))
        if line.strip():
            comment = []
    return doc


def _doc_text(quote: str, rest: str, lines: list[str], i: int) -> tuple[str, int]:
    """The text of a doc attribute that opened with `quote` (`rest` is the rest of its
    line) and the index of the line after it."""
    if quote == "false":
        return "", i
    if quote in ('"""', "'''"):
        body = []
        while i < len(lines) and lines[i].strip() != quote:
            body.append(lines[i])
            i += 1
        return textwrap.dedent("\n".join(body)), i + 1
    end = rest.rfind('"')
    return (rest[:end] if end >= 0 else rest).replace('\\"', '"'), i


def _overview(body: str) -> str:
    """A module's doc as prose: its paragraphs without code examples or headings."""
    prose = ["" if _CODE_LINE.match(line) or line.lstrip().startswith("#") else line.strip()
             for line in body.splitlines()]
    return comments.clip(" ".join(comments.paragraphs(prose)), comments.OVERVIEW_MAX)
