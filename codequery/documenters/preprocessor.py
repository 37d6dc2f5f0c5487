"""What a parser cannot read in C, C++ and C# source, blanked before outlining.

Blanking overwrites with spaces: byte offsets and line numbers stay as they were, so the
outliner parses the blanked text, reads signatures from it (without the blanked macros)
and reads comments, which a pattern may also have reached, from the original.

C and C++ macros hide declarations (blank_macros):

Libraries wrap their code in macros a parser cannot expand: `NLOHMANN_JSON_NAMESPACE_BEGIN`
opens a namespace, `SPDLOG_INLINE` and `FMT_CONSTEXPR` stand before a function,
`class YAML_CPP_API Node` marks an export, `) SPDLOG_NOEXCEPT {` follows a parameter list.
tree-sitter reads the first as a function whose body is the rest of the file, so a whole
header outlined to nothing. Such macros (upper case, with an underscore) are overwritten with
spaces where they stand: alone on a line, before a declaration, between `class` and its
name, after a parameter list.

C# conditional compilation splits declarations (blank_alternatives): a method written
twice, once under `#if FEATURE_SPAN` and once under `#else`, is two headers for one body
to a parser, and the whole class outlined to nothing. The first branch is kept, without
the directives. A C or C++ file the parser cannot read whole is read a second time this
way (see treesitter.outline): zlib's `inflate()` opens an `if (` under `#ifdef GUNZIP` and
another under `#else`.
"""

from __future__ import annotations

import re

_MACRO = rb"[A-Z][A-Z0-9]*_[A-Z0-9_]*"
# An export macro may take arguments: FTXUI_EXPORT(DOM), BOOST_SYMBOL_VISIBLE is plain.
_MARK = _MACRO + rb"(?:\([A-Za-z0-9_, \t]*\))?"
# The patterns match one line (`^`/`$` with re.M; `\r?` for CRLF files); the group is what
# is blanked.
_PATTERNS = (
    # alone on a line: FMT_BEGIN_NAMESPACE; with arguments only unindented, where it
    # declares (GTEST_IMPL_CMP_HELPER_(NE, !=)), not in a body (GTEST_CHECK_(x) << "...")
    re.compile(rb"^[ \t]*(" + _MACRO + rb")[ \t]*\r?$", re.M),
    re.compile(rb"^(" + _MACRO + rb"[ \t]*\([^()\n]*\))[ \t]*\r?$", re.M),
    # before a function's type and name: SPDLOG_INLINE void f(), GTEST_API_ bool g(), twice
    # at most; not a type itself (YY_BUFFER_STATE yy_scan_string(...), LARGE_INTEGER t(),
    # which a parser reads right)
    re.compile(rb"^[ \t]*(" + _MARK + rb"(?:[ \t]+" + _MARK + rb")?)[ \t]+"
               rb"(?=[A-Za-z_][^;(){}=\n]*[ \t*&][*&]*[A-Za-z_~][\w:~]*[ \t]*\()", re.M),
    # between the keyword and the name of a class head: class YAML_CPP_API Node {, not
    # class FOO_BAR final, typedef struct FOO_BAR FOO_BAR;, struct MD5_CTX f(void)
    re.compile(rb"\b(?:class|struct|union|enum)[ \t]+(" + _MARK + rb")[ \t]+(?!final\b)"
               rb"(?=(?:\[\[[^\]\n]*\]\][ \t]*)?[A-Za-z_]\w*[ \t]*(?:[:{<]|final\b|\r?$))", re.M),
    # after a parameter list: ) SPDLOG_NOEXCEPT {, ) FMT_NOEXCEPT;
    re.compile(rb"\)[ \t]*(" + _MACRO + rb")(?=[ \t]*(?:[{;:=]|const\b|override\b|\r?$))", re.M),
)


def blank_macros(source: bytes) -> bytes:
    """`source` with such macros overwritten by spaces (same length, same lines)."""
    text = bytearray(source)
    for pattern in _PATTERNS:
        for match in pattern.finditer(source):
            start, end = match.span(1)
            text[start:end] = b" " * (end - start)
    return bytes(text)


# C's `#ifdef`/`#ifndef`/`#elifdef` too (C# has only `#if`/`#elif`)
_DIRECTIVE = re.compile(rb"^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b"
                        rb"[^\n]*", re.M)


def blank_alternatives(source: bytes) -> bytes:
    """`source` as if the first branch of every `#if` were taken: the directive lines and
    every `#elif`/`#else` branch overwritten by spaces (newlines stay). An `#if` that splits
    a declaration (a method's header under it, its body after `#endif`) then parses."""
    text = bytearray(source)

    def blank(start: int, end: int) -> None:
        text[start:end] = bytes(b if b == 0x0A else 0x20 for b in source[start:end])

    stack: list[int | None] = []  # per open #if: where its blanked branch starts, if any
    for match in _DIRECTIVE.finditer(source):
        word = match.group(1)
        if word in (b"if", b"ifdef", b"ifndef"):
            stack.append(None)
        elif not stack:
            continue  # an #else or #endif without its #if: leave the file alone there
        elif word != b"endif":  # #elif, #else
            if stack[-1] is None:
                stack[-1] = match.start()
        else:
            start = stack.pop()
            if start is not None:
                blank(start, match.start())
        blank(*match.span())
    return bytes(text)
