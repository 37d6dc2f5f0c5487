"""Whether a file's code marks its class deprecated.

A class kept for compatibility (commons-text's `StrSubstitutor`, "use StringSubstitutor
instead"; commons-io's `FileCleaner`) describes what its replacement does in the same
words, and a question is after the code in use. Java, Kotlin and Scala mark such a class
with `@Deprecated`, C# with `[Obsolete]`, on the lines just before it (with other
annotations, attributes or comments between). Only the file's first class counts: the one it is
named for, not a nested class kept for compatibility (feign's `ErrorDecoder` holds
one). Standard library only.
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
