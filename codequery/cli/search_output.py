"""Search results as text for a pipe, and any answer as JSON: what `codequery search`
prints when it is not drawing a table. Neither click nor rich is imported here, so the
quick path (see quick_search) prints exactly what the click command prints."""

from __future__ import annotations

import json
import sys

from codequery import snippets
from codequery.printable import printable, shown_path
from codequery.wording import clip_at_a_word


def json_text(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def meeting(result: dict) -> str:
    """Where to look in the file: the lines where the question's words meet, if it was
    read (see proximity); else the line of the first function, class or method named
    with them (a search for one name), else of the one its snippet shows."""
    first, last = _span(result)
    return "" if not first else f"  lines {first}-{last}" if last > first else f"  line {first}"


def _span(result: dict) -> tuple[int, int]:
    """The lines `meeting` names: (0, 0) for none."""
    from codequery.ranking import line_of  # loaded by the search that gave the results

    first, last = result.get("lines") or (0, 0)
    if not first:
        first = last = next(filter(None, map(line_of, result.get("symbols") or ())),
                            result.get("snippet_line") or 0)
    return first, last


def snippet_place(result: dict) -> str:
    """The line of the definition a snippet shows, when it is not the one `meeting`
    names or the one those lines fall in (see ranking.definition_at): the snippet is the
    record's line best matching the question, and may come from elsewhere in the file.
    Not for a stale record, whose lines and definitions are of two versions."""
    from codequery.proximity import BODY_LINES  # loaded by the search, as ranking is

    line = result.get("snippet_line")
    first, last = _span(result)
    if not line or result.get("stale") or first - BODY_LINES <= line <= last:
        return ""
    return f"  (line {line})"


def also_at(result: dict) -> str:
    """The paths of a result's copies (see ranking.copies_folded), as people read paths."""
    return ", ".join(map(shown_path, result.get("copies") or ()))


# How much of an overview's first line a plain result shows.
OVERVIEW_CHARS = 160


def _without(overview: str, line: str) -> str:
    """`overview` without a symbol's line (`name: summary`) or a sentence the snippet
    showed, which it repeats whole, between spaces or at its ends: said once."""
    whole = ": " in line or line.endswith((".", "!", "?"))
    at = overview.find(line) if whole else -1
    if at < 0:
        return overview
    end = at + len(line)
    if at > 0 and overview[at - 1] != " " or end < len(overview) and overview[end] != " ":
        return overview  # inside a longer text
    return " ".join((overview[:at] + " " + overview[end:]).split())


def plain(results: list[dict]) -> str:
    """A result per block: path, score (and its kind, but for source; stale; the lines
    where the question's words meet), then the matching line and the overview,
    indented, and where copies of the file are; matches stay marked with `**`."""
    lines = []
    for r in results:
        kind = r.get("kind") or "source"  # a test ranked among the code says so
        lines.append(f"{shown_path(r['path'])}  {r['score']:.2f}"
                     + (f"  [{kind}]" if kind != "source" else "")
                     + ("  (gone from the work tree)" if r.get("gone") else
                        "  (stale)" if r["stale"] else "") + meeting(r))
        snippet = r["snippet"].replace("\n", " ")
        overview = printable((r["overview"] or "").strip().split("\n", 1)[0])
        pieces = snippets.runs(snippet)
        text = "".join(piece for piece, _ in pieces)
        if not any(match for _, match in pieces) and overview.startswith(text):
            snippet = text = ""  # it marks nothing, and the overview says it and more
        if snippet:
            lines.append(f"    {snippet}{snippet_place(r)}")
        overview = _without(overview, text)
        overview = clip_at_a_word(overview, OVERVIEW_CHARS)
        if overview and overview[:60] not in text:
            lines.append(f"    {overview}")  # unless the snippet is a sentence of it
        if r.get("copies"):
            lines.append(f"    also at {also_at(r)}")
    return "\n".join(lines) + "\n"


def write_out(text: str) -> None:
    """Write to standard output; a pipe in ASCII or cp1252 still gets every result."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
    sys.stdout.write(text)
