"""The builtin documenter: offline static analysis that works on any machine.

Python goes through `ast`; languages with a tree-sitter grammar through tree-sitter;
Markdown through its headings; anything else gets its leading comment block.
"""

from __future__ import annotations

import re

from codequery.documenters import BUILTIN_VERSION, python_ast, treesitter
from codequery.records import FileDoc

_COMMENT = re.compile(r"^\s*(?:#|//|--|;|/\*+|\*+/?|<!--|%)\s?(.*?)(?:\s*(?:\*/|-->))?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def leading_comment(text: str, limit: int = 300) -> str:
    """The comment block a file opens with (after any shebang), markers stripped."""
    lines = text.splitlines()
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    words: list[str] = []
    for line in lines:
        if not line.strip():
            if words:
                break
            continue
        match = _COMMENT.match(line)
        if not match:
            break
        if match.group(1).strip():
            words.append(match.group(1).strip())
    return " ".join(words)[:limit]


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


class BuiltinDocumenter:
    name = "builtin"
    model: str | None = None
    version = BUILTIN_VERSION
    inline = True  # fast and local: a worker documents it inside the job's transaction

    def blocked(self) -> str | None:
        return None  # nothing to log in to

    def document(self, path: str, language: str, text: str) -> FileDoc:
        if language == "python":
            try:
                return python_ast.outline(text)
            except (SyntaxError, ValueError) as exc:
                line = getattr(exc, "lineno", None)
                where = f" at line {line}" if line else ""
                return FileDoc(
                    overview=leading_comment(text),
                    notes=[f"Not valid Python{where} ({getattr(exc, 'msg', exc)}); "
                           "no outline was extracted."],
                )
        if language == "markdown":
            return markdown_outline(text)
        if language in treesitter.LANGUAGES:
            doc = treesitter.outline(language, text.encode("utf-8"))
            if doc is not None:
                return doc
        return FileDoc(overview=leading_comment(text))
