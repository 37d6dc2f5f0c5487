"""Outline the languages codequery has no parser for (Lua, Dart, Haskell, Zig,
Objective-C and MATLAB, Perl, Erlang, Clojure, OCaml, F#, Julia, R, Groovy, Elm, Nim,
Solidity, protobuf, GraphQL) line by line: each language's definitions by regular
expressions, the comment right above each (or a docstring right after its name, or the
comment under its line where the language puts it there) as its summary, and a definition
indented under a class, or before its `@end` or the next `package`, as one of its methods.
Commented-out code is skipped, and the file's first comment is its overview.

Without this, a file in such a language had an overview at most: no names, no lines, no
summaries for a search to find. A regular expression per line misses what a parser would
not (a definition split oddly over lines) and costs no dependency. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codequery.documenters import comments
from codequery.records import ClassInfo, FileDoc, Function

_ID = r"[A-Za-z_][\w']*"
# Words that start a statement, never a definition: `return foo(`, `if (x) {`.
_NOT_A_TYPE = frozenset({
    "return", "if", "else", "for", "while", "switch", "case", "catch", "new", "await",
    "throw", "yield", "assert", "print", "println", "do", "try", "when", "in", "is", "as", "not",
    "and", "or", "super", "this", "self", "final", "var", "let", "const", "late", "goto",
    "sizeof", "typeof", "delete", "defer", "echo", "import", "export", "package", "typedef",
    "Function"})
# A C-like definition: a type, then a name, then its parameters, not a statement.
_TYPED = re.compile(
    r"^\s*(?:(?:public|private|protected|static|final|abstract|synchronized|external"
    r"|factory|override|inline|extern|const|async|@\w+)\s+)*"
    r"(?P<type>[A-Za-z_][\w.]*(?:\s*<[^=;()]*>)?\??[\s*&]+)(?:(?:get|set|operator)\s+)?"
    r"\**(?P<name>[A-Za-z_]\w*)\s*(?:<[^>()=;]*>)?\s*\((?P<rest>.*)$")


# An Objective-C method: `- (void)setValue:(id)value forKey:(NSString *)key`, named by its
# selector (see _selector).
_OBJC_METHOD = r"^\s*[-+]\s*\([^)]*\)\s*(?P<name>\w+)"
_SELECTOR_PART = re.compile(r"(\w+)\s*:\s*\w+")
_PARENS = re.compile(r"\([^()]*\)")
# Clojure's namespace and its docstring, the file's overview.
_CLOJURE_NS = re.compile(r"^\(ns\s")
# Metadata before a Clojure name: `^:private`, `^String`, `^{:added "1.0"}`.
_CLOJURE_META = r"(?:\^(?:\{[^}]*\}|[\w:.-]+)\s+)*"


@dataclass(frozen=True)
class _Syntax:
    line_comment: str  # a regular expression for a line comment's marker
    block: tuple[str, str] | None = None  # a block comment's opening and closing marks
    functions: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    typed: bool = False  # functions written C-like (see _TYPED) too
    docstring_after: bool = False  # `(defn name "doc" ...)`: a string right after
    comment_after: bool = False  # the comment under a definition's line documents it (Nim
    # `##`, MATLAB's help text) when none is above
    ends_class: str | None = None  # a line that closes every open class (`@end`)
    flat: bool = False  # a class holds what follows up to the next one or its end mark,
    # whatever the indentation (Perl's `package`, Objective-C's `@implementation`)


_SYNTAX: dict[str, _Syntax] = {
    "lua": _Syntax(r"--+", ("--[[", "]]"), functions=(
        r"^\s*(?:local\s+)?function\s+(?P<name>[\w.:]+)\s*\(",
        r"^\s*(?:local\s+)?(?P<name>[\w.:]+)\s*=\s*function\b")),
    "dart": _Syntax(r"//[/!]?", ("/*", "*/"), typed=True, functions=(
        # getters and setters: `String get name =>`, `set name(String value) {`
        r"^\s*(?:(?:static|external|override|@\w+)\s+)*(?:[\w<>?,. ]+?\s+)?"
        r"(?:get\s+(?P<name>\w+)\s*(?:=>|\{|async\b|;)|set\s+(?P<setter>\w+)\s*\()",),
        classes=(
        r"^\s*(?:(?:abstract|sealed|base|final|interface)\s+)*(?:class|mixin|enum"
        rf"|extension(?:\s+type)?|typedef)\s+(?P<name>{_ID})",)),
    "haskell": _Syntax(r"--+\s?[|^]?", ("{-", "-}"), functions=(
        r"^(?P<name>[a-z_][\w']*)\s*::",), classes=(
        r"^(?:data|newtype|type(?:\s+family)?|class|instance)\s+"
        r"(?:(?:\([^)]*\)|[A-Z][\w']*(?:\s+[a-z][\w']*)+)\s*=>\s*)?(?P<name>[A-Z][\w']*)",)),
    "zig": _Syntax(r"//[/!]?", functions=(
        r"^\s*(?:pub\s+)?(?:(?:export|extern|inline|noinline)\s+)*fn\s+(?P<name>\w+)",),
        classes=(r"^\s*(?:pub\s+)?const\s+(?P<name>\w+)\s*=\s*(?:extern\s+|packed\s+)?"
                 r"(?:struct|enum|union|opaque)\b",)),
    "objc": _Syntax(r"//[/!]?", ("/*", "*/"), typed=True, ends_class=r"^\s*@end\b", flat=True,
                    functions=(_OBJC_METHOD,),
                    classes=(r"^\s*@(?:interface|implementation|protocol)\s+(?P<name>\w+)",)),
    "perl": _Syntax(r"#+", flat=True, functions=(r"^\s*sub\s+(?P<name>[\w:]+)",),
                    classes=(r"^\s*package\s+(?P<name>[\w:]+)(?:\s+v?[\d.]+)?\s*[;{]",)),
    "erlang": _Syntax(r"%+", functions=(r"^(?P<name>[a-z]\w*)\s*\(",)),
    "clojure": _Syntax(r";+", docstring_after=True, functions=(
        r"^\s*\((?:defn-?|defmacro|defmulti|defmethod|defonce|def)\s+" + _CLOJURE_META
        + r"(?P<name>[^\s\[\]()\"^{}]+)",), classes=(
        r"^\s*\((?:defprotocol|defrecord|deftype|definterface)\s+" + _CLOJURE_META
        + r"(?P<name>[^\s\[\]()^{}]+)",)),
    "ocaml": _Syntax(r"$^", ("(*", "*)"), functions=(
        r"^\s*(?:let|and)\s+(?:rec\s+)?(?P<name>(?!open\b)[a-z_][\w']*)",
        r"^\s*(?:val|external)\s+(?P<name>[a-z_][\w']*)\s*:",
        r"^rule\s+(?P<name>[a-z_][\w']*)[^=]*=\s*(?:parse|shortest)\b"), classes=(  # ocamllex
        r"^\s*(?:type|module(?:\s+type)?|class|exception)\s+(?:nonrec\s+)?"
        r"(?:'\w+\s+|\('[^)]*\)\s+)?(?P<name>[A-Za-z_][\w']*)",)),
    "fsharp": _Syntax(r"//[/!]?", ("(*", "*)"), functions=(
        r"^\s*(?:let|member|abstract|override|default|static\s+member)\s+"
        r"(?:(?:rec|inline|private|internal|mutable|member|val)\s+)*(?:\w+\.)?"
        r"(?P<name>(?!open\b)[A-Za-z_]\w*)",),
        classes=(r"^\s*(?:type|module)\s+(?:(?:private|internal|rec)\s+)?(?P<name>[A-Z]\w*)",)),
    "julia": _Syntax(r"#+", ('"""', '"""'), functions=(
        r"^\s*(?:@\w+\s+)*(?:function|macro)\s+(?:[\w.]+\.)?(?P<name>[\w!]+)",
        r"^(?P<name>[a-z_][\w!]*)\s*\([^)]*\)\s*=(?!=)"), classes=(
        r"^\s*(?:(?:mutable\s+)?struct|abstract\s+type|module)\s+(?P<name>\w+)",)),
    "r": _Syntax(r"#+'?", functions=(r"^\s*(?P<name>[\w.]+)\s*(?:<-|=)\s*function\b",)),
    "groovy": _Syntax(r"//", ("/*", "*/"), typed=True, functions=(
        r"^\s*(?:(?:public|private|protected|static|final)\s+)*def\s+(?P<name>\w+)\s*\(",),
        classes=(r"^\s*(?:(?:public|private|protected|abstract|final|static)\s+)*"
                 r"(?:class|interface|trait|enum)\s+(?P<name>\w+)",)),
    "elm": _Syntax(r"--", ("{-", "-}"), functions=(r"^(?P<name>[a-z]\w*)\s*:",),
                   classes=(r"^type\s+(?:alias\s+)?(?P<name>[A-Z]\w*)",)),
    "nim": _Syntax(r"##?", comment_after=True, functions=(
        r"^\s*(?:proc|func|method|iterator|template|macro|converter)\s+`?(?P<name>\w+)",),
        classes=(r"^\s*(?P<name>[A-Z]\w*)\*?(?:\[[^\]]*\])?\s*=\s*(?:ref\s+|ptr\s+)?"
                 r"(?:object|enum|tuple|distinct|concept)\b",)),
    "solidity": _Syntax(r"//[/!]?", ("/*", "*/"), functions=(
        r"^\s*(?:function|modifier|event|error)\s+(?P<name>\w+)",), classes=(
        r"^\s*(?:abstract\s+)?(?:contract|interface|library|struct|enum)\s+(?P<name>\w+)",)),
    "protobuf": _Syntax(r"//", ("/*", "*/"), functions=(r"^\s*rpc\s+(?P<name>\w+)",),
                        classes=(r"^\s*(?:message|service|enum)\s+(?P<name>\w+)",)),
    # a `.m` file without Objective-C's marks (languages.of_content): its help text is
    # the `%` comment under the `function` line
    "matlab": _Syntax(r"%+", ("%{", "%}"), comment_after=True, functions=(
        r"^\s*function\s+(?:\[?[\w, ]*\]?\s*=\s*)?(?P<name>\w+)",),
        classes=(r"^\s*classdef\s+(?:\([^)]*\)\s*)?(?P<name>\w+)",)),
    "graphql": _Syntax(r"#", ('"""', '"""'), classes=(
        r"^\s*(?:extend\s+)?(?:type|interface|input|enum|union|scalar)\s+(?P<name>\w+)",)),
}
LANGUAGES = frozenset(_SYNTAX)
# Perl's documentation: `=head1 NAME` then `Mojo::UserAgent - Non-blocking ... agent`.
_POD_NAME = re.compile(r"^=head1\s+NAME\s*\n+\s*(?:[\w:]+\s+-+\s+)?(?P<text>[^\n]+)", re.M)
# Tags that say nothing themselves before a comment's prose: edoc's `@doc`, Haddock's `|`.
_DOC_TAG = re.compile(r"^(?:@doc|@module|@moduledoc|@summary|@notice|@dev|@title"
                      r"|@description|@brief)\b\s*")
# A comment that is only the file's name (Xcode's `//  AFURLSessionManager.h` header).
_FILE_NAME = re.compile(r"[\w.+-]+\.\w+")
# How far above a definition its comment is looked for, at most (a summary is one
# sentence; a file of comments must not be read again for each definition).
_COMMENT_LINES = 60
_STRING = re.compile(r'^\s*"((?:[^"\\]|\\.)*)("?)')


@dataclass
class _Open:
    indent: int
    info: ClassInfo


def outline(language: str, text: str) -> FileDoc | None:
    """The definitions of a file in one of LANGUAGES, or None for another language."""
    syntax = _SYNTAX.get(language)
    if syntax is None:
        return None
    functions = [re.compile(p) for p in syntax.functions]
    classes = [re.compile(p) for p in syntax.classes]
    ends = re.compile(syntax.ends_class) if syntax.ends_class else None
    comment = re.compile(rf"^\s*(?:{syntax.line_comment})\s?(.*)$")
    lines = text.removeprefix("\ufeff").split("\n")
    doc, open_classes, seen = FileDoc(), list[_Open](), set[tuple[str, int | None]]()
    doc.overview = _leading(syntax, comment, lines)
    skipping: str | None = None  # what ends the comment or POD block being skipped
    for i, line in enumerate(lines):
        if skipping is not None:  # commented-out code is no definition
            if skipping in line if skipping != "=cut" else line.startswith("=cut"):
                skipping = None
            continue
        if opened := _opens_block(syntax, language, line):
            skipping = opened
            continue
        if language == "perl" and line.strip() in ("__END__", "__DATA__"):
            break
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if ends and ends.match(line):
            open_classes.clear()
            continue
        if not comment.match(line) and not line.lstrip().startswith(("}", ")", "end")):
            while open_classes and not syntax.flat and open_classes[-1].indent >= indent:
                open_classes.pop()
        found = _match(classes, line)
        if found:
            info = ClassInfo(name=found, line=i + 1, summary=_summary(syntax, comment, lines, i))
            doc.classes.append(info)
            if syntax.flat:
                open_classes.clear()
            open_classes.append(_Open(indent, info))
            continue
        if language == "clojure" and not doc.overview and _CLOJURE_NS.match(line):
            doc.overview = _docstring_after(lines, i, comments.OVERVIEW_MAX)
            continue
        owner = open_classes[-1].info if open_classes else None
        name = (_match(functions, line) or (syntax.typed and _typed(line))
                or language == "dart" and _constructor(owner, line))
        if not name:
            continue
        if language == "objc" and re.match(_OBJC_METHOD, line):
            name = _selector(line) or name
        if (name, id(owner)) in seen:  # a function's next clause (Erlang), an overload
            continue
        seen.add((name, id(owner)))
        function = Function(name=name, line=i + 1, signature=comments.clip(line.strip(), 160),
                            summary=_summary(syntax, comment, lines, i))
        (owner.methods if owner else doc.functions).append(function)
    if language == "perl" and (pod := _POD_NAME.search(text)):  # better than a comment
        doc.overview = comments.clip(pod.group("text"), comments.OVERVIEW_MAX)
    return doc


def _opens_block(syntax: _Syntax, language: str, line: str) -> str | None:
    """What closes the block comment (or Perl's POD) that `line` opens and does not
    close, or None."""
    if language == "perl" and re.match(r"^=[a-zA-Z]", line):
        return None if line.startswith("=cut") else "=cut"
    if syntax.block is None:
        return None
    opening, closing = syntax.block
    stripped = line.lstrip()
    if stripped.startswith(opening) and closing not in stripped[len(opening):]:
        return closing
    return None


def _leading(syntax: _Syntax, comment: re.Pattern[str], lines: list[str]) -> str:
    """The prose of the first comment a file opens with (line comments in a row, or a
    block), past directives, pragmas and a licence; "" when code comes first."""
    k = 0
    while k < len(lines):
        stripped = lines[k].strip()
        if not stripped or comments.MAGIC.match(stripped) or stripped.startswith("{-#"):
            k += 1
            continue
        block: list[str] = []
        if syntax.block and stripped.startswith(syntax.block[0]):
            opening, closing = syntax.block
            raw = [stripped[len(opening):]]
            while closing not in raw[-1] and k + 1 < len(lines):
                k += 1
                raw.append(lines[k])
            raw[-1] = raw[-1][: raw[-1].find(closing)] if closing in raw[-1] else raw[-1]
            block = [_clean(s) for s in comments.lines("\n".join(raw))]
            k += 1
        elif found := comment.match(lines[k]):
            while k < len(lines) and (found := comment.match(lines[k])) and lines[k].strip():
                if not comments.MAGIC.match(lines[k].strip()):
                    block.append(_clean(found.group(1)))
                k += 1
        else:
            return ""  # code before any comment
        text = comments.overview_of(block)
        if text and not _FILE_NAME.fullmatch(text):
            return text
    return ""


def _match(patterns: list[re.Pattern[str]], line: str) -> str:
    for pattern in patterns:
        if found := pattern.match(line):
            return found.group("name") or found.groupdict().get("setter") or ""
    return ""


def _constructor(owner: ClassInfo | None, line: str) -> str:
    """A Dart constructor of the class `owner`: `Dio(...)`, `const Dio(...)`,
    `factory Dio.fromJson(...)`, `Dio.named(...) :` -> its name (`Dio.fromJson`), or ""."""
    if owner is None:
        return ""
    found = re.match(rf"^\s*(?:const\s+|factory\s+|external\s+)*{re.escape(owner.name)}"
                     r"(?:\.(?P<named>\w+))?\s*\(", line)
    if found is None:
        return ""
    return f"{owner.name}.{found['named']}" if found["named"] else owner.name


def _selector(line: str) -> str:
    """An Objective-C method's selector (`setValue:forKey:`), "" for one without
    arguments (its name is its selector). Parameter types, blocks' included, are taken
    out first."""
    head = line.split("{", 1)[0]
    while (plain := _PARENS.sub(" ", head)) != head:
        head = plain
    return "".join(f"{part}:" for part in _SELECTOR_PART.findall(head))


def _typed(line: str) -> str:
    """The name a C-like definition line defines (see _TYPED), or ""."""
    found = _TYPED.match(line)
    if found is None:
        return ""
    words = found.group("type").replace("*", " ").replace("&", " ").split()
    if not words or words[0] in _NOT_A_TYPE or found.group("name") in _NOT_A_TYPE:
        return ""
    head = line[:found.start("name")]
    if "=" in head.replace("==", "") or "." in words[0].rstrip("?") and words[0][0].islower():
        return ""  # `final x = foo(`, `obj.method(`: a statement
    rest = found.group("rest").rstrip()
    if not (not rest or rest.endswith(("{", "}", "(", ",", ")", ";", "async", "async*", "sync*"))
            or "=>" in rest):
        return ""  # typed, a declaration too (`Future<T> get<T>(String path);`)
    return found.group("name")


def _summary(syntax: _Syntax, comment: re.Pattern[str], lines: list[str], at: int) -> str:
    """The summary of the definition on line `at`: the comment just above it (across
    attributes such as Erlang's `-spec`), or a docstring just after its name."""
    if syntax.docstring_after:
        text = _docstring_after(lines, at)
        if text:
            return text
    above = _comment_above(syntax, comment, lines, at)
    if not above and syntax.comment_after:
        k = at + 1
        while k < min(len(lines), at + _COMMENT_LINES) and (found := comment.match(lines[k])):
            above.append(_clean(found.group(1)))
            k += 1
    return comments.summary_of([s for s in above if not comments.MAGIC.match(s)])


def _comment_above(syntax: _Syntax, comment: re.Pattern[str], lines: list[str], at: int
                   ) -> list[str]:
    """The lines of the comment just above line `at`, markers stripped (see _summary)."""
    above: list[str] = []
    k, first = at - 1, max(0, at - _COMMENT_LINES)
    while k >= first and _annotation(lines[k]):
        k -= 1
    if k >= first and syntax.block and lines[k].rstrip().endswith(syntax.block[1]):
        opening, closing = syntax.block
        block: list[str] = []
        while k >= first:
            block.insert(0, lines[k])
            if opening in lines[k] and (lines[k].count(opening) > 1 or opening != closing
                                         or len(block) > 1):
                break
            k -= 1
        if not block[0].lstrip().startswith(opening):
            return []  # code with a comment after it (`x = 1; /* one */`)
        raw = "\n".join(block)
        raw = raw.replace(opening, "", 1)
        raw = raw[: raw.rfind(closing)] if closing in raw else raw
        above = [_clean(s) for s in comments.lines(raw)]
    else:
        while k >= first and (found := comment.match(lines[k])) and lines[k].strip():
            above.insert(0, _clean(found.group(1)))
            k -= 1
    return above


def _annotation(line: str) -> bool:
    """A line between a definition and its comment: an attribute or a type signature."""
    stripped = line.strip()
    return stripped.startswith(("@", "-spec", "-doc", "#[", "[<")) and not stripped.startswith(
        ("@interface", "@implementation", "@protocol", "@end", "@property"))


def _clean(line: str) -> str:
    line = line.strip().lstrip("|^!*").strip()
    return _DOC_TAG.sub("", line)


def _docstring_after(lines: list[str], at: int, limit: int = comments.SUMMARY_MAX) -> str:
    """A Clojure docstring: the string after a definition's name, on its line or the
    next two, and over the lines it runs on."""
    name_end = re.search(r"\(\S+\s+" + _CLOJURE_META + r"[^\s\[\]()\"^{}]+", lines[at])
    candidates = [(at, lines[at][name_end.end():] if name_end else "")]
    candidates += [(k, lines[k]) for k in range(at + 1, min(at + 3, len(lines)))]
    for k, line in candidates:
        if not line.strip():
            continue
        found = _STRING.match(line)
        if found is None:
            return ""  # the parameters or the body: no docstring
        parts = [found.group(1)]
        for following in lines[k + 1: k + 8] if not found.group(2) else ():
            end = re.search(r'(?<!\\)"', following)
            parts.append(following[: end.start()] if end else following)
            if end:
                break
        text = " ".join(part.strip() for part in parts).replace('\\"', '"')
        if limit == comments.SUMMARY_MAX:
            text = comments.first_sentence(text)
        return comments.clip(text, limit)
    return ""
