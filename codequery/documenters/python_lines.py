"""Python that this interpreter's `ast` cannot read: syntax newer than it (`def first[T]()`,
`type Alias = ...`, an f-string that nests its own quotes, all Python 3.12) or older
(Python 2's `print x`). The outline is read from the lines instead: top-level functions
and classes, each class's methods, by indentation, with their lines, signatures and the
first sentence of their docstrings; the module's docstring; its imports."""

from __future__ import annotations

import re

from codequery.documenters import comments
from codequery.documenters.python_ast import dependencies
from codequery.records import ClassInfo, FileDoc, Function

_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(?P<name>\w+)")
_CLASS = re.compile(r"^class[ \t]+(?P<name>\w+)[ \t]*(?:\[[^\]]*\])?[ \t]*"
                    r"(?:\((?P<bases>[^)]*)\))?")
_FROM = re.compile(r"^from[ \t]+(?P<base>[.\w]+)[ \t]+import[ \t]+\(?(?P<names>[\w, \t]+)")
_IMPORT = re.compile(r"^import[ \t]+(?P<names>[\w., \t]+)")
_DOCSTRING = re.compile(r"^[rRuU]?(?P<quote>\"\"\"|'''|\"|')")
_TRIPLE = re.compile(r"\"\"\"|'''")


def outline(text: str) -> FileDoc:
    lines = text.splitlines()
    code = _outside_strings(lines)
    functions: list[Function] = []
    classes: list[ClassInfo] = []
    imports: list[str] = []
    owner: ClassInfo | None = None  # the top-level class whose body this is
    method_indent = 0  # its methods' indent, once the first is seen
    for number, line in enumerate(lines):
        if not code[number] or not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            owner, method_indent = None, 0
            imports += _imports(line)
        if indent == 0 and (match := _CLASS.match(line)):
            owner = ClassInfo(name=match["name"], bases=_bases(match["bases"]),
                              summary=_docstring(lines, _header_end(lines, number)),
                              line=number + 1)
            classes.append(owner)
        elif (match := _DEF.match(line)) and (indent == 0 or owner is not None
                                              and method_indent in (0, indent)):
            end = _header_end(lines, number)
            function = Function(name=match["name"], signature=_signature(lines, number, end),
                                summary=_docstring(lines, end), line=number + 1)
            if owner is None:
                functions.append(function)
            else:
                method_indent = indent
                owner.methods.append(function)
    exports = [item.name for item in [*functions, *classes] if not item.name.startswith("_")]
    imports = list(dict.fromkeys(imports))
    return FileDoc(overview=_module_docstring(lines), functions=functions, classes=classes,
                   imports=imports, exports=exports, dependencies=dependencies(imports))


def _outside_strings(lines: list[str]) -> list[bool]:
    """For each line, whether it starts outside a triple-quoted string (a docstring's
    `def example():` is no function)."""
    inside, found = False, []
    for line in lines:
        found.append(not inside)
        if len(_TRIPLE.findall(line)) % 2:
            inside = not inside
    return found


def _header_end(lines: list[str], start: int) -> tuple[int, int]:
    """Where a `def` or `class` header ends: the line and column of its colon (the first
    outside brackets, strings and comments)."""
    depth, quote = 0, ""
    for number in range(start, min(len(lines), start + 50)):
        line = lines[number]
        for column, char in enumerate(line):
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            elif char == ":" and depth <= 0:
                return number, column
    return start, len(lines[start])


def _signature(lines: list[str], start: int, end: tuple[int, int]) -> str:
    last, column = end
    header = [line.strip() for line in lines[start:last]] + [lines[last][:column].strip()]
    return re.sub(r"\s+", " ", " ".join(header))[:300]


def _docstring(lines: list[str], end: tuple[int, int]) -> str:
    """The first sentence of the docstring that opens the body after a header's colon
    (`end`, see _header_end)."""
    last, column = end
    after = lines[last][column + 1:].strip()
    number = last + 1
    if after and not after.startswith("#"):
        first = after  # `def f(): """One line."""`
    else:
        while number < len(lines) and not lines[number].strip():
            number += 1
        if number >= len(lines):
            return ""
        first = lines[number].strip()
        number += 1
    return comments.docstring_summary(_string_at(first, lines, number)) if first else ""


def _module_docstring(lines: list[str]) -> str:
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return _string_at(stripped, lines, number + 1).strip()[:1000]
    return ""


def _string_at(first: str, lines: list[str], following: int) -> str:
    """The text of a string literal that starts `first` and may go on in the lines from
    `following`: "" when `first` is no string."""
    match = _DOCSTRING.match(first)
    if match is None:
        return ""
    quote = match["quote"]
    rest = first[match.end():]
    if quote in rest:
        return rest[:rest.index(quote)]
    if len(quote) == 1:
        return ""
    parts = [rest]
    for line in lines[following:following + 200]:
        if quote in line:
            parts.append(line[:line.index(quote)])
            break
        parts.append(line)
    return "\n".join(parts)


def _bases(raw: str | None) -> list[str]:
    return [b.strip() for b in (raw or "").split(",") if b.strip() and "=" not in b]


def _imports(line: str) -> list[str]:
    if match := _FROM.match(line):
        base = match["base"]
        joiner = "" if base.endswith(".") else "."
        return [f"{base}{joiner}{name.strip()}" for name in match["names"].split(",")
                if name.strip()]
    if match := _IMPORT.match(line):
        return [name.strip().split(" ")[0] for name in match["names"].split(",")
                if name.strip()]
    return []
