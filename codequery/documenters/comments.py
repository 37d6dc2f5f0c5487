"""Reading comments as documentation: markers stripped, licences and tool directives told
apart from prose, and the first sentence of a doc comment taken as its summary.

Text only, with no parser: the tree-sitter outliner, the Python outliner and the
leading-comment fallback share it.
"""

from __future__ import annotations

import html
import re

from codequery.wording import clip_at_a_word

OVERVIEW_MAX, SUMMARY_MAX = 300, 200

_TRAILING_CLOSE = re.compile(r"\s*\*+/\s*$")
_LEADING_MARKER = re.compile(r"^\s*(?:/\*+!?|//[/!]?|\*+(?=\s|$)|#+|=begin\b|=end\b)\s?")
MAGIC = re.compile(  # tool directives, not prose
    r"^(#!|#\s*(frozen_string_literal|(en)?coding|warn_indent)\s*[:=]|#\s*-\*-|//\s*(go:|\+build)"
    r"|//\s*@ts-|(//|/\*)\s*(eslint|jshint|jscs|prettier)|/\*\s*globals?\s+[\w$.]+(?::\s*\w+)?(?:\s*,\s*[\w$.]+(?::\s*\w+)?)*\s*\*/|#\s*(shellcheck|rubocop)"
    # staticcheck's switches; a bundler's mark that a call has no side effects
    r"|//\s*lint:|/\*\s*[#@]__(PURE|NO_SIDE_EFFECTS)__"
    r"|//\s*(MARK:|swiftlint:|swift-tools-version|ktlint-disable)"  # Xcode, SwiftLint, SwiftPM
    # version-control keywords (`/* $OpenBSD: names.c,v 1.48 ... $ */`, `$Id$`), linters'
    # and coverage tools' switches
    r"|(//|/\*+|#)\s*(\$(Id|OpenBSD|NetBSD|FreeBSD|Header|Revision|Source|Date|Author)\b"
    r"|NOLINT|NOSONAR|IWYU pragma|(istanbul|c8|v8)\s+ignore|tslint:|clang-format\s+o(n|ff)"
    r"|pylint:|type:\s*ignore|noqa\b|ReSharper\s+(disable|restore)\b)"
    # a C++ definition's reminder of its declaration's keyword (`// static` above
    # `Foo::Bar()`), not its summary
    r"|(//|/\*)\s*(static|virtual|override|inline|explicit|extern|private|public|protected)"
    r"\s*(\*/)?\s*$)")
_LICENSE = re.compile(r"\b(copyright|licensed under|spdx-license|all rights reserved"
                      r"|permission is hereby granted|mit licen[sc]ed?"
                      r"|gnu (?:general|lesser|library|affero) public licen[cs]e|l?gplv?\d)\b"
                      # "released under the GNU GPLv2+", "distributed under the ... License"
                      r"|\b(?:released|distributed|made available|licensed) under (?:the )?"
                      r"(?:terms of (?:the )?)?[^.]{0,60}?\b(?:licen[cs]e|gpl|lgpl|bsd|mit)\b"
                      r"|^[\s/*#;!-]*\(c\)\s*(?:19|20)\d\d\b",  # "(C) 2005-2006 Hisham"
                      re.IGNORECASE | re.MULTILINE)
# A file header's lines of credits and dates ("Author: Shuo Chen (chenshuo at ...)",
# "Created: 2010-08-29", "$Id$"): who and when, nothing about the code; the prose around
# them is the overview. A name, an address or a number must follow the label, so "Written by
# hand: ..." or "Date: parsing of RFC 2822 dates" stay prose.
_CREDIT_LINE = re.compile(
    r"^(?:(?i:authors?|maintainers?|original authors?|e-?mail|contact|licen[cs]e)\s*:\s*"
    r"(?:[A-Z<]|[\w.+-]+@|$)"
    r"|(?i:date|created|created on|modified|last modified|last changed|revision|version"
    r"|rev)\s*:\s*[\d$]"
    r"|(?i:written|created|maintained|contributed|originally) by\s+(?:[A-Z<]|[\w.+-]+@)"
    r"|(?i:[@\\]authors?)\b|\$\w+(?::[^$]*)?\$\s*$"
    # Xcode's "Created by antao on 2018/5/22.", "Original code by Dmytro Mitin, ..."
    r"|(?i:created|written) by\s+\S+(?:\s+\S+)?\s+on\s+\d{1,4}([/.-])\d{1,2}\1\d{1,4}\.?\s*$"
    r"|(?i:original code by)\s+[A-Z]"
    # editors' settings: Emacs's "-*- Mode: C; tab-width: 4 -*-", Vim's "vim: set ts=4:"
    r"|-\*-.*-\*-\s*$|vim?:\s*(?:set?\s+)?[a-z]+(?:\s*=|\s+[a-z]+\s*=|:|\s*$))")
# People's names, as credits list them: "Sanjay Ghemawat, Jeff Dean, and others".
_NAME = r"[A-Z][\w'-]*\.?(?:\s+[A-Z][\w'-]*\.?){0,3}"
_NAMES = (rf"{_NAME}(?:\s*,\s*{_NAME}){{0,8}}(?:,?\s+and\s+(?:{_NAME}|others))?"
          r"(?:,?\s+et al\.?)?")
# A paragraph that only says where the code came from, and no more: a GPL header's lone
# "This file is part of irssi.", or a design credited to people by name ("Based on original
# Protocol Buffers design by Sanjay Ghemawat, Jeff Dean, and others."). One sentence, short:
# "Based on the MurmurHash3 algorithm by Austin Appleby, a fast hash for tables" says what
# the code does, and stays.
_CREDIT_PARAGRAPH = re.compile(
    r"^(?:(?i:this file is part of)\s+(?:the\s+)?[\w.+-]+(?:\s+[\w.+-]+){0,3}\.?"
    r"|(?i:based on|adapted from|ported from|derived from|inspired by)\b[^.]{0,120}?"
    rf"\bby\s+{_NAMES}\.?)\s*$")
_CREDIT_PARAGRAPH_MAX = 300
# Section labels ("Module dependencies.") say nothing about the file or the next symbol.
_BOILERPLATE = re.compile(
    r"^(?:(?:module|external|internal|stdlib|standard library|third[- ]party|local|other"
    r"|private|public|node|npm)\s+)?(?:dependencies|imports|requires|exports|variables"
    r"|constants|globals|helpers|prototype)[.:]?$", re.IGNORECASE)
_TODO = re.compile(r"^(?:TODO|FIXME|XXX|HACK)\b")
# JSDoc and Doxygen tags whose text is the description (`@brief`, `\brief`); `@file` too,
# without the file's name after it (`\file hsts.c`).
_PROSE_TAG = re.compile(r"^[@\\](?:description|desc|summary|fileoverview|overview|module"
                        r"|brief|short|details)\b\s*|^[@\\]file\b\s*(?:[\w./-]+\.\w+\b\s*)?")
# PHP's and Javadoc's "the parent's doc applies": no prose of the symbol's own.
_INHERITED = re.compile(r"^\{@inheritdoc\}\s*$", re.IGNORECASE)
# Doxygen commands that say where a symbol belongs or what it is called, not what it does:
# skipped, so a description after them (`\ingroup audio` then `\brief ...`) still counts.
_PLACE_TAG = re.compile(r"^[@\\](?:ingroup|addtogroup|defgroup|weakgroup|class|struct|union"
                        r"|enum|fn|var|typedef|namespace|def|headerfile|name|rst|endrst)\b")
# Any other tag ends the prose (`@param`, `\retval`); not Doxygen's inline commands
# (`\c name`, `\p x`, `\ref`).
_TAG = re.compile(r"^(?:@|\\(?!(?:c|p|a|e|b|em|ref|n)\b)[A-Za-z]+\b)")
# Tags that only mark a symbol (`@internal`, `@private`, YARD's `@api private`): skipped,
# so the description after them counts; a leading `@see` too, before any prose.
_MARK_TAG = re.compile(r"^@(?:internal|private|public|protected|package|beta|alpha"
                       r"|experimental|hidden|ignore|override|readonly|abstract|static|final"
                       r"|sealed|virtual|async|api\s+\w+)\s*$", re.IGNORECASE)
_SEE_TAG = re.compile(r"^@see\b")
_DEPRECATED = re.compile(r"^[@\\]deprecated\b\s*")
FILE_TAG = re.compile(r"^\s*(?:/\*+|\*|//)?\s*[@\\](?:file|fileoverview|overview)\b",
                      re.MULTILINE)
_NOT_PROSE = re.compile(  # Markdown badges, link definitions, bare HTML, rulers
    r"^(?:\[!\[|!\[|\[[^\]]+\]:\s|<[^>]+>$|[-=*_#~/]{3,}$)")
# A paragraph that is only a link (`// https://github.com/sindresorhus/delay/...`) says
# nothing of the code; a URL inside a sentence stays.
_ONLY_URL = re.compile(r"^<?https?://\S+$")
_HTML_BREAK = re.compile(r"^</?p>\s*", re.IGNORECASE)
# A sentence ends at . ! or ? before a space and a capital (or the end): "e.g. x" goes on.
# "e.g.", "i.e.", "cf.", "vs." and "viz." end none ("a path from e.g. C:/dir"), nor does
# a list's number after a colon ("works like this: 1. Thread A ...").
_SENTENCE_END = re.compile(r"(?:[!?]|(?<![Ee]\.g)(?<![Ii]\.e)(?<!\b[Cc]f)(?<!\bvs)(?<!\bviz)"
                           r"(?<!:\s\d)(?<!:\s\d\d)\.)"
                           r"[\"')\]]*(?=\s+[^a-z\s]|\s*$)")
_SPACE = re.compile(r"\s+")
# C# XML doc comments: the summary element is the prose; parameters, return value and
# exceptions are details; a reference (`<see cref="T:Foo"/>`) reads as what it names.
_XML_SUMMARY = re.compile(r"<summary>(.*?)</summary\s*>", re.DOTALL | re.IGNORECASE)
_XML_DETAILS = re.compile(r"<(param|typeparam|returns|exception|example|permission|seealso)\b"
                          r"[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL | re.IGNORECASE)
_XML_REFERENCE = re.compile(r"<\w+\s+(?:cref|langword|name|href)\s*=\s*\"(?:\w:)?([^\"]*)\"\s*/>")
_XML_BREAK = re.compile(r"</?para\s*/?>|<br\s*/?>", re.IGNORECASE)
_XML_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>")
# KDoc links: `[Foo.bar]` reads as Foo.bar, `[the map][Map]` as the map; Markdown's
# `[text](url)` and `[label]: url` are not KDoc links.
_KDOC_LINK = re.compile(r"\[([^\[\]\n]+)\](?:\[[^\[\]\n]+\])?(?![(:])")
# Javadoc's and JSDoc's inline tags: `{@code x}` reads as x, `{@link Options#parse label}`
# as its label or else as Options.parse, `{@link Foo|text}` (JSDoc) as its text.
_INLINE_TAG = re.compile(r"\{@(code|literal|value|link|linkplain|linkcode)(?:\s+"
                         r"([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")
_LINK = re.compile(r"([^\s|(]+(?:\([^)]*\))?)(?:\s*\|\s*|\s+)?(.*)", re.DOTALL)
_WRAPPED = re.compile(r"\s*\n\s*\*?\s*")  # a tag broken across the comment's lines
# Swift's callouts (`- Parameter x:`, `- Returns:`) describe details, as @tags do.
_SWIFT_CALLOUT = re.compile(
    r"^[-*+]\s+(?:parameter\s+[^:\s]+|parameters|returns|throws|precondition|postcondition"
    r"|requires|invariant|complexity|important|warning|note|seealso|see also|attention|bug"
    r"|authors?|version|since|date|copyright|experiment|remarks?|todo)\s*:", re.IGNORECASE)


# A tool's mark, in a comment near the top, that it wrote the file (see says_generated).
_NO_EDIT = re.compile(r"^\s*(?://+|#+|/\*+|\*+|--|;+|<!--|')[^\n]*?"
                      r"(?:do not edit|don't edit|@generated\b|<auto-generated)",
                      re.IGNORECASE | re.MULTILINE)
_GENERATED_WORD = re.compile(r"generat", re.IGNORECASE)
GENERATED_MARK_WITHIN = 1500


def says_generated(text: str) -> bool:
    """Whether a file's header comment says a tool generated it and not to edit it
    ("// Code generated by ifacemaker; DO NOT EDIT.", `@generated`, `<auto-generated>`);
    a generator's script that only writes such a line into a string does not."""
    head = text[:GENERATED_MARK_WITHIN]
    return _NO_EDIT.search(head) is not None and _GENERATED_WORD.search(head) is not None


# Web code a build minified (MiniProfiler's `ui/lib/highlight.pack.js`, 24 KB on 11 lines;
# prettify.js; Microsoft's `MicrosoftAjax.js`): at least MINIFIED_CHARS, MINIFIED_SHARE of
# them on lines of MINIFIED_LINE_CHARS or more, where written code averages 30 to 40.
MINIFIED_LANGUAGES = frozenset({"javascript", "typescript", "tsx", "css"})
MINIFIED_CHARS = 4000
MINIFIED_LINE_CHARS = 300
MINIFIED_SHARE = 0.8


def minified(language: str, text: str) -> bool:
    """Whether `text` is web code a build minified (see MINIFIED_LINE_CHARS)."""
    if language not in MINIFIED_LANGUAGES or len(text) < MINIFIED_CHARS:
        return False
    long = sum(len(line) for line in text.splitlines() if len(line) >= MINIFIED_LINE_CHARS)
    return long >= MINIFIED_SHARE * len(text)


def clip(text: str, limit: int) -> str:
    """`text` on one line, in `limit` characters at most (see clip_at_a_word)."""
    return clip_at_a_word(_SPACE.sub(" ", text), limit)


def lines(raw: str) -> list[str]:
    """A comment's lines with markers stripped; blank lines kept as "" (paragraph breaks)."""
    return [_LEADING_MARKER.sub("", _TRAILING_CLOSE.sub("", s), 1).strip()
            for s in raw.splitlines()]


def is_label(text: str) -> bool:
    """Whether a comment's prose is a section's label ("Headers", "FORMATTING",
    "Dependency:"), not a description: three words at most, no sentence's end."""
    return (text.isascii() and len(text.split()) <= 3  # CJK is not split by spaces
            and not text.rstrip().endswith((".", "!", "?")))


def is_license(text: str) -> bool:
    return bool(_LICENSE.search(text))


def is_doc_style(raw: str) -> bool:
    """A comment written as documentation (`/** */`, `///`, `//!`, `/*!`): such a comment
    documents the next symbol even across a blank line."""
    return raw.lstrip().startswith(("/**", "///", "//!", "/*!")) and not raw.startswith("/**/")


def xml_doc(raw: str) -> str:
    """A C# XML doc comment as plain text, markers stripped: its `<summary>` (else all but
    its parameter, return and exception elements), references kept as the names they
    refer to, `<para>` a paragraph break, other tags dropped and entities decoded."""
    text = "\n".join(lines(raw))
    match = _XML_SUMMARY.search(text)
    text = match.group(1) if match else _XML_DETAILS.sub("", text)
    text = _XML_TAG.sub("", _XML_BREAK.sub("\n\n", _XML_REFERENCE.sub(r"\1", text)))
    return html.unescape(text)


def inline_tags(raw: str) -> str:
    """A Javadoc or JSDoc comment with its inline tags read as what they show (see
    _INLINE_TAG); `{@inheritDoc}` is left for `paragraphs` to skip."""
    return _INLINE_TAG.sub(_shown, raw)


def _shown(match: re.Match[str]) -> str:
    tag, content = match.group(1), _WRAPPED.sub(" ", match.group(2) or "").strip()
    if "\n" in match.group(0):  # the tag's first line break came before its content
        content = content.removeprefix("*").strip()
    if not content or content.startswith("@"):
        return match.group(0)  # `{@value}`; `{@code @Nullable}` would read as a block tag
    if tag in ("code", "literal"):
        return content
    link = _LINK.fullmatch(content)
    if link is None:
        return content
    target, label = link.group(1), link.group(2).strip()
    if label or target.startswith(("http://", "https://")):
        return label or target
    return target.lstrip("#").replace("#", ".")


def kdoc(raw: str) -> str:
    """A Kotlin comment with its KDoc links read as the names or texts they show."""
    return _KDOC_LINK.sub(r"\1", raw)


def swift_doc(raw: str) -> str:
    """A Swift comment up to its first callout (`- Parameter x:`, `- Returns:`, ...)."""
    kept = []
    for raw_line, line in zip(raw.splitlines(), lines(raw), strict=True):
        if _SWIFT_CALLOUT.match(line):
            break
        kept.append(raw_line)
    return "\n".join(kept)


def paragraphs(comment_lines: list[str]) -> list[str]:
    """The prose paragraphs of a comment: code blocks, badges, link definitions, headings
    and JSDoc tags (after the description) left out."""
    found: list[str] = []
    current: list[str] = []
    fenced = False

    def close() -> None:
        if current:
            found.append(" ".join(current))
            current.clear()

    for line in comment_lines:
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            close()
            continue
        if fenced:
            continue
        if _PLACE_TAG.match(line) or _INHERITED.match(line) or _MARK_TAG.match(line) or (
                _SEE_TAG.match(line) and not found and not current):
            continue
        if _TAG.match(line):
            prose = _PROSE_TAG.match(line)
            if prose is None:
                break  # @param and the rest describe details, not the symbol
            line = line[prose.end():]
        if _HTML_BREAK.match(line):  # Javadoc's <p> starts a paragraph
            close()
            line = _HTML_BREAK.sub("", line)
        if not line or _NOT_PROSE.match(line) or line.startswith("# "):
            close()
        else:
            current.append(line)
    close()
    return [p for p in found
            if not _BOILERPLATE.match(p) and not _TODO.match(p) and not _ONLY_URL.match(p)]


def first_sentence(text: str) -> str:
    match = _SENTENCE_END.search(text)
    return text[: match.end()] if match else text


def summary(raw: str) -> str:
    """The first sentence of a doc comment's first prose paragraph, clipped; a comment
    with nothing but tags is summed up by its deprecation notice, if any."""
    if is_license(raw):
        return ""
    return summary_of(lines(raw))


def summary_of(comment_lines: list[str]) -> str:
    """`summary` of a comment's lines, markers already stripped (see `lines`)."""
    found = paragraphs(comment_lines) or _deprecation(comment_lines)
    return "" if found and is_license(" ".join(found)) else _summed_up(found)


def _summed_up(found: list[str]) -> str:
    """The first paragraph's first sentence, clipped; "" when there is none. A paragraph
    that is one sentence ending in a colon brings in the next one, which it introduces
    ("for calendars with the following attributes:" and the list of them)."""
    if not found:
        return ""
    first = first_sentence(found[0])
    if first == found[0] and first.endswith(":") and len(found) > 1:
        first = f"{first} {found[1]}"
    return clip(first, SUMMARY_MAX)


def _deprecation(comment_lines: list[str]) -> list[str]:
    for i, line in enumerate(comment_lines):
        if match := _DEPRECATED.match(line):
            text = [line[match.end():]]
            for more in comment_lines[i + 1:]:
                if not more or _TAG.match(more):
                    break
                text.append(more)
            return ["Deprecated: " + " ".join(text)]
    return []


def docstring_summary(doc: str) -> str:
    """A docstring's first sentence (a Python docstring's summary may wrap lines)."""
    return _summed_up(paragraphs([s.strip() for s in doc.strip().splitlines()]))


def overview(raw: str) -> str:
    """A file-level comment's prose, clipped; "" for licences, credits and labels. Tool
    directives are the callers' to drop, one comment at a time."""
    if is_license(raw):
        return ""
    return overview_of(lines(raw))


def overview_of(comment_lines: list[str]) -> str:
    """`overview` of a comment's lines, markers already stripped: "" for a licence."""
    text = " ".join(p for p in paragraphs(without_credits(comment_lines))
                    if len(p) > _CREDIT_PARAGRAPH_MAX or not _CREDIT_PARAGRAPH.match(p))
    # a rule of dashes (`---` opening YAML front matter, read as an SQL or Lua comment)
    # says nothing: no overview rather than "-"
    if is_license(text) or not any(ch.isalnum() for ch in text):
        return ""
    return clip(text, OVERVIEW_MAX)


def without_credits(comment_lines: list[str]) -> list[str]:
    """A comment's lines without its lines of credits and dates (see _CREDIT_LINE)."""
    return [line for line in comment_lines if not _CREDIT_LINE.match(line)]
