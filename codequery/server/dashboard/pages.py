"""The dashboard's HTML: templates shipped in the package, filled with escaped values."""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import Any

from codequery import __version__
from codequery.printable import shown_path

# Our own script and styles only: an injected inline script or a foreign source would not
# run, and no other site may frame the page (clickjacking the retry and cancel buttons).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name)
                    .read_text(encoding="utf-8"))


def static_file(name: str) -> tuple[bytes, str] | None:
    """(content, media type) of a shipped script or style sheet; None for any other name."""
    return _static().get(name)


@cache
def _static() -> dict[str, tuple[bytes, str]]:
    folder = resources.files(__package__).joinpath("static")
    return {entry.name: (entry.read_bytes(), STATIC_TYPES[entry.name[entry.name.rfind("."):]])
            for entry in folder.iterdir()
            if entry.is_file() and entry.name[entry.name.rfind("."):] in STATIC_TYPES}


def index(*, dataset: str, root: str, documenter: str, csrf: str, last_event_id: int) -> str:
    return _template("index.html").substitute(
        dataset=escape(dataset), root=escape(root), documenter=escape(documenter),
        csrf=escape(csrf), last_event_id=int(last_event_id), version=escape(__version__))


def record(data: dict[str, Any]) -> str:
    """One file's record, as `codequery show` has it."""
    facts = [("language", data.get("language")), ("documenter", data.get("documenter")),
             ("model", data.get("model")), ("documented", data.get("documented_at")),
             ("lines", data.get("line_count")), ("content", data.get("content_sha"))]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in facts if v is not None)
    functions = _symbols(data.get("functions", []))
    classes = "".join(
        f"<li>{escape(c['kind']) + ' ' if c.get('kind') else ''}"
        f"<code>{escape(c.get('name', ''))}</code>{_line(c)}"
        f"{_summary(c)}{_symbols(c.get('methods', []))}</li>" for c in data.get("classes", []))
    return _template("record.html").substitute(
        path=escape(shown_path(data["path"])), overview=escape(data.get("overview") or ""),
        stale=('<p class="stale">stale: the file is gone from the work tree</p>'
               if data.get("gone") else
               '<p class="stale">stale: the file changed since it was documented</p>'
               if data.get("stale") else ""),
        facts=rows, functions=functions or "<p class=\"muted\">none</p>",
        classes=f"<ul>{classes}</ul>" if classes else "<p class=\"muted\">none</p>",
        imports=_plain_list(data.get("imports", [])),
        exports=_plain_list(data.get("exports", [])),
        notes=_plain_list(data.get("notes", [])), version=escape(__version__))


def problem(title: str, message: str) -> str:
    return _template("problem.html").substitute(title=escape(title), message=escape(message),
                                                version=escape(__version__))


def _line(item: dict[str, Any]) -> str:
    return f' <span class="muted">line {int(item["line"])}</span>' if item.get("line") else ""


def _summary(item: dict[str, Any]) -> str:
    return f" &mdash; {escape(item['summary'])}" if item.get("summary") else ""


def _symbols(items: list[dict[str, Any]]) -> str:
    if not items:
        return ""
    return "<ul>" + "".join(
        f"<li><code>{escape(i.get('signature') or i.get('name', ''))}</code>{_line(i)}"
        f"{_summary(i)}</li>" for i in items) + "</ul>"


def _plain_list(items: list[Any]) -> str:
    if not items:
        return '<p class="muted">none</p>'
    return "<ul>" + "".join(f"<li><code>{escape(str(i))}</code></li>" for i in items) + "</ul>"
