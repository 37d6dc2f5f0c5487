"""Whether a file's code marks itself, or its class, deprecated.

A file whose opening comment says it is deprecated or kept for compatibility (Go's
`// Deprecated: use ...` package comments, go-kit's `log/syslog`; kafka-go's `zstd`
package, which "does nothing, it's kept for backward compatibility") is not the code in
use either. A class kept for compatibility (commons-text's `StrSubstitutor`, "use
StringSubstitutor instead"; commons-io's `FileCleaner`) describes what its replacement
does in the same words, and a question is after the code in use. Java, Kotlin and Scala
mark such a class with `@Deprecated`, C# with `[Obsolete]`, on the lines just before it
(with other annotations, attributes or comments between). Only the file's first class
counts: the one it is named for, not a nested class kept for compatibility (feign's
`ErrorDecoder` holds one). Standard library only.
"""

from __future__ import annotations

import re

from codequery.lazy_re import lazy

_TYPE = lazy(
    r"^[ \t]*(?:(?:public|protected|private|internal|abstract|final|static|sealed|open"
    r"|data|partial)\s+)*(?:class|interface|enum|object|record|struct|@interface)\s+\w",
    re.MULTILINE)
_MARK = lazy(r"^(?:@Deprecated\b|\[Obsolete\b)")
# Another annotation or attribute, a comment or a blank line between the mark and its class.
_BETWEEN = lazy(r"^(?:@\w|\[\w|//|/\*|\*|$)")


# In a file's opening comment: what a file kept only for older users says of itself.
_KEPT_FOR_COMPATIBILITY = lazy(
    r"kept (?:only )?for (?:backwards? )?compatibility|for backwards? compatibility only"
    r"|^deprecated:|this (?:module|package|file|class) is deprecated",
    re.IGNORECASE | re.MULTILINE)
# A comment line's marks, to take off: //, #, /*, *, --, ;.
_COMMENT_MARKS = lazy(r"^\s*(?://+|#+|/\*+|\*+/?|--+|;+)\s?")
# How far into a file its opening comment is looked for.
_OPENING_LINES = 40


def kept_for_compatibility(text: str) -> bool:
    """Whether the comment lines a file (`text`, its code) opens with (blank lines, a
    shebang and a docstring's lines among them) say it is deprecated or kept for
    compatibility (see _KEPT_FOR_COMPATIBILITY)."""
    said = []
    quotes = None  # the quotes of a docstring still open
    for line in text.split("\n", _OPENING_LINES)[:_OPENING_LINES]:
        stripped = line.strip()
        if quotes is not None:  # inside a docstring: prose, up to its closing quotes
            said.append(stripped.replace(quotes, ""))
            if quotes in stripped:
                quotes = None
            continue
        if stripped.startswith(('"""', "'''")):
            opened = stripped[:3]
            said.append(stripped.replace(opened, ""))
            if stripped.count(opened) == 1:  # opened here, closed on a later line
                quotes = opened
            continue
        marked = _COMMENT_MARKS.match(line)
        if marked is not None:
            said.append(line[marked.end():].strip())
        elif not stripped or stripped.startswith("#!"):
            continue
        else:
            break
    return bool(said) and _KEPT_FOR_COMPATIBILITY.search("\n".join(said)) is not None


def marks_its_class(text: str) -> bool:
    """Whether the first class, interface or enum that `text` (a file's code) declares
    is marked deprecated (see the module's docstring)."""
    if "@Deprecated" not in text and "[Obsolete" not in text:
        return False
    if not (first := _TYPE.search(text)):
        return False
    for line in reversed(text[:first.start()].splitlines()):
        line = line.strip()
        if _MARK.match(line):
            return True
        if not _BETWEEN.match(line):
            return False
    return False
