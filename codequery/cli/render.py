"""How a record looks on a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from codequery.cli.record_text import MORE, SHOWN, class_title, stale_line
from codequery.printable import printable, shown_path
from codequery.wording import plural


def _text(text: str) -> str:
    """Record text as rich markup: escaped, without control characters."""
    return escape(printable(text))


def _functions_table(title: str, functions: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=True, header_style="bold",
                  expand=True, caption=MORE.format(len(functions) - SHOWN, "")
                  if len(functions) > SHOWN else None, caption_justify="left")
    table.add_column("line", justify="right", width=5)
    table.add_column("signature", ratio=3, overflow="fold")
    table.add_column("purpose", ratio=2, overflow="fold")
    for fn in functions[:SHOWN]:
        table.add_row(str(fn.get("line") or ""), _text(fn.get("signature") or fn["name"]),
                      _text(fn.get("summary", "")))
    return table


def _listed(items: list[str]) -> str:
    more = f", {MORE.format(len(items) - SHOWN, '')}" if len(items) > SHOWN else ""
    return _text(", ".join(items[:SHOWN]) + more)


def render_record(record: dict[str, Any]) -> Group:
    # on a line of its own: a long header line is cropped where lines do not wrap
    stale = f"\n[yellow]{stale}[/yellow]" if (stale := stale_line(record)) else ""
    header = (f"[bold]{escape(shown_path(record['path']))}[/bold]  {record['language']}, "
              f"{plural(record['line_count'], 'line')}, {plural(record['size'], 'byte')}"
              f"{stale}\n"
              f"[dim]by {record['documenter']}"
              f"{' (' + record['model'] + ')' if record.get('model') else ''} at "
              f"{record['documented_at']}, content {record['content_sha'][:12]}[/dim]")
    parts: list[Any] = [Panel(Text.from_markup(header + "\n\n" + _text(
        record.get("overview") or "(no overview)")), expand=True)]
    if record.get("functions"):
        parts.append(_functions_table("functions", record["functions"]))
    classes = record.get("classes", [])
    for cls in classes[:SHOWN]:
        title = class_title(record, cls)
        line = f"  [dim]line {cls['line']}[/dim]" if cls.get("line") else ""
        if cls.get("methods"):
            parts.append(_functions_table(_text(title) + line, cls["methods"]))
        else:  # an enum, a type with fields only: its line, without an empty table
            parts.append(Text.from_markup(f"[bold]{_text(title)}[/bold]{line}"))
    if len(classes) > SHOWN:
        parts.append(Text(MORE.format(len(classes) - SHOWN, " classes")))
    for key in ("imports", "exports", "dependencies", "notes"):
        if record.get(key):
            parts.append(Text.from_markup(f"[bold]{key}[/bold]: " + _listed(record[key])))
    return Group(*parts)
