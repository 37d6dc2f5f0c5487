"""The class a C# extension method hands its work to, placed after the method's file.

A C# library's public face is often a static class of extension methods, one partial file
an operator (DynamicData's `ObservableCacheEx.LimitSizeTo.cs`), each method checking its
arguments and handing on to an internal class that does the work
(`new SizeLimiter<TObject, TKey>(sizeLimit)`, in `Cache/Internal/SizeLimiter.cs`). The
method's doc comment says what the question asks, so its file ranks first; the internal
class, named for the mechanism and without a doc comment, ranked past the 10th. A reader
of the method's lines sees where the work is done: the classes those lines construct, when
the repository declares them `internal`, come right after it.

Measured on the kept indexes of bench/search_quality and bench/holdout (109 repositories,
1,581 questions): DynamicData (C#) top-3 44% -> 67% (two questions from past the 10th to
the 2nd, one 3rd -> 2nd), one question elsewhere 2nd -> 3rd, none other moved. Placing the
constructed classes for any language's files, or for any static class, measured worse
(Java and PHP: builders and helpers constructed where the question's words meet).
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from codequery.lazy_re import lazy
from codequery.ranking import Candidate

# How many of the first results are read for the classes they hand on to.
LEADING = 3
# How many lines after the window where the question's words meet (see proximity) are
# read with it: the body of the method they name.
BODY_LINES = 20
# At most this many classes handed on to, each facade.
CLASSES_MAX = 2

_STATIC_CLASS = lazy(r"\bstatic\s+(?:partial\s+)?class\b")
_CONSTRUCTED = lazy(r"\bnew\s+([A-Z]\w*)\s*[<(]")
_THROWN = ("Exception", "Error")


def is_facade(path: str, kind: str, text: str) -> bool:
    """Whether the file is C# source whose class is static: extension methods."""
    return kind == "source" and path.endswith(".cs") and bool(_STATIC_CLASS.search(text))


def constructed(text: str, lines: tuple[int, int]) -> list[str]:
    """The class names the lines `lines` (first and last, from 1) and the BODY_LINES
    after construct (`new Name(`, `new Name<`), in order, each once; not exceptions."""
    first, last = lines
    body = "\n".join(text.splitlines()[max(first - 1, 0):last + BODY_LINES])
    return [name for name in dict.fromkeys(_CONSTRUCTED.findall(body))
            if not name.endswith(_THROWN)]


def declares_internal(text: str, name: str) -> bool:
    """Whether the text declares the class, struct or record `name` internal."""
    return re.search(rf"\binternal\b[\w ]*\b(?:class|struct|record)\s+{re.escape(name)}\b",
                     text) is not None


def placed(ranked: list[Candidate], read: Callable[[str], str | None],
           find: Callable[[str], list[Candidate]]) -> list[Candidate]:
    """`ranked` (best first) with, after each of its LEADING first results that is a
    facade (see is_facade), the internal classes the lines where the question's words meet
    construct (`find`: the candidates of the files named for a class; one, or it is
    left); each moved up from where it was, or added. Scores still read best first."""
    out = list(ranked)
    moved = False
    for cand in ranked[:LEADING]:
        row = cand.row
        if not row.get("lines") or not row["path"].endswith(".cs"):
            continue
        text = read(row["path"])
        if text is None or not is_facade(row["path"], row["kind"], text):
            continue
        at = next(i for i, c in enumerate(out) if c is cand) + 1
        for name in constructed(text, row["lines"])[:CLASSES_MAX]:
            found = [c for c in find(name) if c.row["path"] != row["path"]]
            if len(found) != 1:
                continue
            target = found[0]
            placed_at = next((i for i, c in enumerate(out)
                              if c.row["path"] == target.row["path"]), None)
            if placed_at is not None and placed_at < at:
                continue  # already before it
            body = read(target.row["path"])
            if body is None or not declares_internal(body, name):
                continue
            if placed_at is not None:
                target = out.pop(placed_at)
            out.insert(at, target)
            at += 1
            moved = True
    if not moved:
        return ranked
    _scores_in_order(out)
    return out


def _scores_in_order(ranked: list[Candidate]) -> None:
    """Each score below the one before it, as the order is (a moved file takes a score
    just below the place's): sorted again later, the order stays."""
    for before, cand in zip(ranked, ranked[1:], strict=False):
        if cand.score >= before.score:
            cand.score = before.score - abs(before.score) * 1e-9 - 1e-12
