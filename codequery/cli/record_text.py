"""A record as plain text, for a pipe: what `codequery show` prints when it does not draw
a table (an agent reads it; a table's columns cut identifiers in two). No rich here."""

from __future__ import annotations

from typing import Any

from codequery.printable import printable, shown_path
from codequery.wording import plural

# A list shows this many at most: a generated file of 50,000 functions took 23 s to lay
# out as a table (`show --json` gives them all).
SHOWN = 200
MORE = "… and {} more{} (`codequery show --json` lists them all)"


def bases(language: str, names: list[str]) -> str:
    """A class's bases as its own language writes them in Python (`(Base)`); in others,
    which write them in their own ways (extends, implements, `:`), said in words."""
    if not names:
        return ""
    listed = ", ".join(names)
    return f"({listed})" if language == "python" else f" (based on {listed})"


def class_title(record: dict[str, Any], cls: dict[str, Any]) -> str:
    """`class Name(Base): summary`, as a class heads its methods; `methods of Name` for a
    class the file does not declare (Go's methods on another file's type)."""
    head = (cls.get("kind") or "class") if cls.get("defined", True) else "methods of"
    return (f"{head} {cls['name']}{bases(record['language'], cls.get('bases') or [])}"
            + (f": {cls['summary']}" if cls.get("summary") else ""))


def stale_line(record: dict[str, Any]) -> str:
    """Why a record is stale, or ''."""
    return ("stale: the file is gone from the work tree" if record.get("gone") else
            "stale: the file changed since it was documented" if record.get("stale") else "")


def plain_record(record: dict[str, Any]) -> str:
    """The record: a header (path, language, size; stale; who documented it, when, of
    which content), the overview, then each function and each class's methods as
    `line  signature` with the summary indented below, and its imports, exports,
    dependencies and notes."""
    out = [f"{shown_path(record['path'])}  {record['language']}, "
           f"{plural(record['line_count'], 'line')}, {plural(record['size'], 'byte')}"]
    if stale := stale_line(record):
        out.append(stale)
    model = f" ({record['model']})" if record.get("model") else ""
    out += [f"by {record['documenter']}{model} at {record['documented_at']}, "
            f"content {record['content_sha'][:12]}", "",
            printable(record.get("overview") or "(no overview)"), ""]
    if record.get("functions"):
        out.append("functions")
        out += _definitions(record["functions"])
    classes = record.get("classes", [])
    for cls in classes[:SHOWN]:
        title = printable(class_title(record, cls), one_line=True)
        out.append(title + (f"  line {cls['line']}" if cls.get("line") else ""))
        out += _definitions(cls.get("methods") or [])  # an enum, fields only: none
    if len(classes) > SHOWN:
        out.append(MORE.format(len(classes) - SHOWN, " classes"))
    for key in ("imports", "exports", "dependencies", "notes"):
        if items := record.get(key):
            more = f", {MORE.format(len(items) - SHOWN, '')}" if len(items) > SHOWN else ""
            out.append(f"{key}: " + printable(", ".join(items[:SHOWN]) + more, one_line=True))
    return "\n".join(out).rstrip("\n") + "\n"


def _definitions(items: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in items[:SHOWN]:
        line = item.get("line") or ""
        lines.append(f"  {line:>5}  "
                     + printable(item.get("signature") or item["name"], one_line=True))
        if item.get("summary"):
            lines.append("         " + printable(item["summary"], one_line=True))
    if len(items) > SHOWN:
        lines.append("  " + MORE.format(len(items) - SHOWN, ""))
    return lines
