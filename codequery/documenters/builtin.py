"""The builtin documenter: offline static analysis that works on any machine.

Python goes through `ast`; languages with a tree-sitter grammar through tree-sitter;
Elixir through its `@moduledoc`/`@doc` and the lines that define things;
Markdown through its headings; anything else gets its leading comment block. A source file
without an opening comment is summed up by the names it defines, so it is still found.
"""

from __future__ import annotations

import re
import sys

from codequery import search_text
from codequery.documenters import (
    BUILTIN_VERSION,
    by_lines,
    comments,
    elixir,
    python_ast,
    python_lines,
    treesitter,
)
from codequery.documenters.javascript import DEFAULT_EXPORT
from codequery.records import ClassInfo, FileDoc, Function

_COMMENT = re.compile(r"^\s*(?:#|//|--|;|/\*+|\*+/?|<!--|%)\s?(.*?)(?:\s*(?:\*/|-->))?\s*$")
# lex's and yacc's: the marks around C code (`%{`, `%}`), and what ends the file's opening
# comment: a section (`%%`), a declaration (`%token`) or C's `#include`.
_GRAMMAR_CODE_MARK = re.compile(r"^\s*%[{}]\s*$")
_GRAMMAR_END = re.compile(r"^\s*(?:%%\s*$|%[a-z]|#)")
_GRAMMARS = frozenset({"lex", "yacc"})
# PowerShell's comment-based help (`<# .SYNOPSIS ... #>`): its synopsis and description
# are prose; another keyword's section (`.PARAMETER`, `.EXAMPLE`) is not.
_HELP_OPEN, _HELP_CLOSE = re.compile(r"^\s*<#"), re.compile(r"#>")
_HELP_PROSE = re.compile(r"^\.(?:SYNOPSIS|DESCRIPTION)\s*$", re.IGNORECASE)
_HELP_KEYWORD = re.compile(r"^\.[A-Z]+\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_KINDS = {
    "python": "Python module",
    "javascript": "JavaScript module",
    "typescript": "TypeScript module",
    "tsx": "TypeScript module",
    "go": "Go",
    "rust": "Rust module",
    "java": "Java",
    "c": "C",
    "cpp": "C++",
    "ruby": "Ruby",
    "shell": "shell script",
    "csharp": "C#",
    "php": "PHP",
    "kotlin": "Kotlin",
    "swift": "Swift",
    "elixir": "Elixir",
    "scala": "Scala", "lua": "Lua", "dart": "Dart", "haskell": "Haskell", "zig": "Zig",
    "objc": "Objective-C", "matlab": "MATLAB", "perl": "Perl", "erlang": "Erlang",
    "clojure": "Clojure",
    "ocaml": "OCaml", "fsharp": "F#", "julia": "Julia", "r": "R", "groovy": "Groovy",
    "elm": "Elm", "nim": "Nim", "solidity": "Solidity", "protobuf": "protobuf",
    "graphql": "GraphQL", "vue": "Vue component", "svelte": "Svelte component",
}
_NAMES_SHOWN = 8


def module_name(path: str) -> str:
    """What an anonymous default export is called where it is imported: the module's
    name (`src/logic/getFieldValueAs.ts` -> getFieldValueAs), or its folder's for an
    index (`src/as-promise/index.ts` -> as-promise)."""
    parts = path.split("/")
    stem = search_text.file_stem(path)
    if stem.lower() == "index" and len(parts) > 1:
        return parts[-2]
    return stem or DEFAULT_EXPORT


def leading_comment(text: str, language: str = "") -> str:
    """The prose of the first comment block a file opens with, after any shebang, tool
    directives, licence header and TODO, without lines of credits; markers stripped.
    lex and yacc: the part before their first section or declaration (see _grammar_head);
    PowerShell: its help block too (see _help_as_comments)."""
    if language in _GRAMMARS:
        text = _grammar_head(text)
    elif language == "powershell":
        text = _help_as_comments(text)
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if not line.strip():
            blocks.append([])
            continue
        match = _COMMENT.match(line)  # knows the markers comments.lines does not: -- ; % <!--
        if match is None:
            break
        if not comments.MAGIC.match(line.strip()):
            blocks[-1].append(match.group(1).strip())
    return next((text for block in blocks if block and (text := comments.overview_of(block))),
                "")


def _grammar_head(text: str) -> str:
    """A lex or yacc file up to its first section, declaration or `#include`, without the
    `%{ %}` marks: its opening comment may stand inside them, above the C code."""
    head = []
    for line in text.splitlines():
        if _GRAMMAR_END.match(line):
            break
        if not _GRAMMAR_CODE_MARK.match(line):
            head.append(line)
    return "\n".join(head)


def _help_as_comments(text: str) -> str:
    """A PowerShell file with its `<# ... #>` help blocks written as `#` comments: the
    lines of their synopsis and description, not of the other keywords' sections."""
    out, in_help, prose = [], False, True
    for line in text.splitlines():
        if not in_help:
            opened = _HELP_OPEN.match(line)
            if opened is None:
                out.append(line)
                continue
            line, in_help, prose = line[opened.end():], True, True
        closed = _HELP_CLOSE.search(line)
        body = (line[:closed.start()] if closed else line).strip()
        if _HELP_KEYWORD.match(body):
            prose = _HELP_PROSE.match(body) is not None
        elif body and prose:
            out.append(f"# {body}")
        in_help = closed is None
    return "\n".join(out)


# Single-file components: markup, a `<script>` (or two, Vue's `setup` one beside it) and
# styles in one file; the script is the code.
_COMPONENTS = frozenset({"vue", "svelte"})
_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.I)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.I)
_TYPED_SCRIPT = re.compile(r"""\blang\s*=\s*["']?(?:ts|typescript|tsx)\b""", re.I)


def _component_script(text: str) -> tuple[str, bool]:
    """The code of a Vue or Svelte component: every `<script>` block where it stands,
    everything else blanked with its line breaks kept (so that lines are the file's);
    and whether a block is TypeScript. One pass: an unclosed block runs to the end."""
    out, typed, at = [], False, 0
    while opened := _SCRIPT_OPEN.search(text, at):
        closed = _SCRIPT_CLOSE.search(text, opened.end())
        end = closed.start() if closed else len(text)
        out.append(re.sub(r"[^\n]", " ", text[at:opened.end()]))
        out.append(text[opened.end():end])
        typed = typed or bool(_TYPED_SCRIPT.search(opened.group()))
        at = end
    return "".join(out), typed


# Languages whose modules, read as classes, wrap a file's classes in a namespace.
_NAMESPACE_MODULES = frozenset({"ruby"})


def _names_defined(symbol: Function | ClassInfo) -> list[str]:
    """The public names a function or class puts in an overview: a class declared
    elsewhere (Go's methods on another file's type) by its methods, `Command.Execute`."""
    if isinstance(symbol, ClassInfo) and not symbol.defined:
        return [f"{symbol.name}.{m.name}" for m in symbol.methods if not m.name.startswith("_")]
    return [] if symbol.name.startswith("_") else [symbol.name]


def described_by_names(language: str, doc: FileDoc) -> str:
    """An overview for a file that has no comment of its own: what it defines, and what the
    one class it defines is for."""
    symbols = sorted([*doc.classes, *doc.functions], key=lambda s: s.line or 0)
    names = list(dict.fromkeys(name for s in symbols for name in _names_defined(s)))
    names = names or [n for n in doc.exports if n != "default"]
    if not names:
        return ""
    shown = ", ".join(names[:_NAMES_SHOWN]) + (", …" if len(names) > _NAMES_SHOWN else "")
    text = f"Defines {shown} ({_KINDS.get(language, language)})."
    # the one class, its nested types aside (gson's TypeAdapter.NullSafeTypeAdapter) and
    # the Ruby modules that only name a namespace around it (`module Mail; class
    # TestMailer`: no method, no comment of their own)
    outer = [c for c in doc.classes if c.defined and not any(
        c.name.startswith(f"{o.name}.") for o in doc.classes)]
    if language in _NAMESPACE_MODULES:
        outer = [c for c in outer if c.methods or c.summary] or outer
    main = outer[0] if len(outer) == 1 else symbols[0] if len(symbols) == 1 else None
    if main is not None and main.summary:
        text += f" {main.name}: {main.summary}"
    return comments.clip(text, comments.OVERVIEW_MAX)


def markdown_outline(text: str) -> FileDoc:
    """Headings are the outline; the title and first paragraph are the overview."""
    headings: list[str] = []
    intro: list[str] = []
    intro_done = in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            intro_done = intro_done or bool(intro)
            continue
        if in_fence:
            continue
        match = _HEADING.match(line)
        if match:
            headings.append(match.group(2))
            intro_done = intro_done or bool(intro)
        elif not line.strip():
            intro_done = intro_done or bool(intro)
        elif not intro_done:
            intro.append(line.strip())
    title = headings[0] if headings else ""
    paragraph = " ".join(intro)
    overview = f"{title}: {paragraph}" if title and paragraph else title or paragraph
    notes = [f"Sections: {'; '.join(headings[1:60])}"] if len(headings) > 1 else []
    return FileDoc(overview=overview[:500], notes=notes)


def with_reading_notes(doc: FileDoc, hint: FileDoc) -> FileDoc:
    """An LLM's record with the builtin reading's notes that decide how search ranks the
    file (a build's bundle, a generated file, a Java file of interfaces:
    search_text.RANKING_NOTES): a model sees them only as part of its hint and may leave
    them out."""
    carried = [n for n in hint.notes if n in search_text.RANKING_NOTES and n not in doc.notes]
    return doc.model_copy(update={"notes": [*doc.notes, *carried]}) if carried else doc


class BuiltinDocumenter:
    name = "builtin"
    model: str | None = None
    version = BUILTIN_VERSION
    inline = True  # fast and local: a worker documents it inside the job's transaction

    def blocked(self) -> str | None:
        return None  # nothing to log in to

    def document(self, path: str, language: str, text: str) -> FileDoc:
        doc = self._outline(language, text)
        for function in doc.functions:
            if function.name == DEFAULT_EXPORT:
                function.name = module_name(path)
        if not doc.overview:
            doc.overview = described_by_names(language, doc)
        if comments.says_generated(text) and search_text.GENERATED_NOTE not in doc.notes:
            doc.notes.append(search_text.GENERATED_NOTE)
        if comments.minified(language, text) and search_text.MINIFIED_NOTE not in doc.notes:
            doc.notes.append(search_text.MINIFIED_NOTE)
        return doc

    def _outline(self, language: str, text: str) -> FileDoc:
        if language == "python":
            try:
                doc = python_ast.outline(text)
            except (SyntaxError, ValueError) as exc:
                # newer or older Python than this interpreter reads: outlined from the lines
                line = getattr(exc, "lineno", None)
                where = f" at line {line}" if line else ""
                doc = python_lines.outline(text)
                doc.notes.append(f"{search_text.NOT_PYTHON_NOTE} for Python "
                                 f"{sys.version_info[0]}.{sys.version_info[1]}{where} "
                                 f"({getattr(exc, 'msg', exc)}); outlined from its lines.")
            except (RecursionError, MemoryError):
                # valid Python nested deeper than the parser goes (generated code: `a+a+...`
                # 3,000 deep, a long chain of lambdas): outlined from the lines, not failed
                doc = python_lines.outline(text)
                doc.notes.append("Nested too deeply for Python's parser; outlined from its "
                                 "lines.")
            doc.overview = doc.overview or leading_comment(text)
            return doc
        if language == "markdown":
            return markdown_outline(text)
        if language == "elixir":
            return elixir.outline(text)
        if language in _COMPONENTS:
            script, typed = _component_script(text)
            doc = treesitter.outline("typescript" if typed else "javascript",
                                     script.encode("utf-8")) or FileDoc()
            doc.overview = doc.overview or leading_comment(text, language)
            return doc
        if language in by_lines.LANGUAGES:  # which knows their comments (`#import` is none)
            return by_lines.outline(language, text) or FileDoc()
        if language in treesitter.LANGUAGES:
            doc = treesitter.outline(language, text.encode("utf-8"))
            if doc is not None:
                return doc
        return FileDoc(overview=leading_comment(text, language))
