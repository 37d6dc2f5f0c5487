"""Comments read as documentation (codequery.documenters.comments)."""

from __future__ import annotations

import pytest

from codequery.documenters import comments


def test_summary_is_the_first_sentence_across_lines() -> None:
    raw = "/**\n * Check if the request is fresh, aka\n * Last-Modified still matches. More.\n */"
    expected = "Check if the request is fresh, aka Last-Modified still matches."
    assert comments.summary(raw) == expected


def test_summary_does_not_end_at_an_abbreviation() -> None:
    assert comments.summary("// Parse a type, e.g. html. Then more.") == "Parse a type, e.g. html."


@pytest.mark.parametrize("raw", [
    "/**\n * @param {String} name\n * @return {String}\n */",
    "/* Copyright 2020 Acme. MIT Licensed. */",
    "/**\n * Module dependencies.\n * @private\n */",
    "// TODO: use a library for this",
    "/*\nhtop - Table.c\n(C) 2004-2011 Jane Roe\nReleased under the GNU GPLv2+, see the "
    "COPYING file\n*/",
    "/* This file is distributed under the University of Illinois Open Source License. */",
    "// https://github.com/sindresorhus/delay/tree/ab98ae8dfcb38e1593286c94d934e70d14a4e111",
    "/**\n * {@inheritdoc}\n */", "/** {@inheritDoc} */",
], ids=["jsdoc-tags", "licence", "section-label", "todo", "gpl-header", "distributed-under",
        "bare-url", "inheritdoc", "inheritdoc-inline"])
def test_a_comment_without_prose_has_no_summary_or_overview(raw: str) -> None:
    assert (comments.summary(raw), comments.overview(raw)) == ("", "")


def test_summary_reads_a_description_tag() -> None:
    assert comments.summary("/** @description Merge two maps. */") == "Merge two maps."


@pytest.mark.parametrize("raw", [
    "/// @brief Canvas is a drawable buffer.\n///\n/// More.\n///\n/// @ingroup dom",
    "/// \\brief Canvas is a drawable buffer.\n///\n/// \\param x Where",
    "////////////////////\n/// \\brief Canvas is a drawable buffer\n///\n////////////////////",
], ids=["at-brief", "backslash-brief", "between-rulers"])
def test_doxygen_brief_is_the_summary(raw: str) -> None:
    assert comments.summary(raw).rstrip(".") == "Canvas is a drawable buffer"


@pytest.mark.parametrize("raw,expected", [
    ("/// \\ingroup audio\n/// \\brief Types of sound channels", "Types of sound channels"),
    ("/// \\class Canvas\n/// \\brief A drawable buffer.", "A drawable buffer."),
    ("/** \\brief Frees the list\n * \\retval 0 on success */", "Frees the list"),
    ("/// \\details Loads the buffer.", "Loads the buffer."),
    ("/// \\deprecated Use g.", "Deprecated: Use g."),
    ("/// \\c NULL is returned when empty.", "\\c NULL is returned when empty."),
    ("/**\n * @class\n * Creates a new Foo.\n */", "Creates a new Foo."),
], ids=["ingroup-first", "class-first", "retval", "details", "deprecated", "inline-command",
        "jsdoc-class"])
def test_doxygen_commands(raw: str, expected: str) -> None:
    assert comments.summary(raw) == expected


def test_a_file_command_names_the_file_before_its_description() -> None:
    assert comments.overview("/** \\file hsts.c\n * HSTS handling. */") == "HSTS handling."


def test_a_doxygen_detail_command_ends_the_prose() -> None:
    assert comments.summary("/// \\param x Where to draw\n/// \\return Nothing") == ""


def test_prose_after_inheritdoc_is_the_summary() -> None:
    assert comments.summary("/**\n * {@inheritdoc}\n *\n * Also resets the cache.\n */") == (
        "Also resets the cache.")


def test_a_url_beside_prose_stays() -> None:
    assert comments.overview("// Ported from https://github.com/a/b.") == (
        "Ported from https://github.com/a/b.")
    raw = ("/**\n * Parses the header as described in\n * https://tools.ietf.org/html/rfc7230\n"
           " * and returns its fields.\n */")
    assert comments.summary(raw) == (
        "Parses the header as described in https://tools.ietf.org/html/rfc7230 and returns "
        "its fields.")


def test_summary_skips_code_blocks_and_badges() -> None:
    raw = "/// ```\n/// let x = 1;\n/// ```\n/// [![ci]](https://ci)\n///\n/// Adds one."
    assert comments.summary(raw) == "Adds one."


def test_summary_is_clipped() -> None:
    summary = comments.summary("// " + "word " * 100)
    assert len(summary) == comments.SUMMARY_MAX and summary.endswith("…")


@pytest.mark.parametrize("raw, expected", [
    # nodatime: the list the colon introduces says what the class is for
    ("/// <summary>\n/// For calendars with these attributes:\n/// <list type=\"bullet\">\n"
     "/// <item>A fixed number of months</item>\n/// <item>Leap years one day longer</item>\n"
     "/// </list>\n/// </summary>",
     "For calendars with these attributes: A fixed number of months Leap years one day longer"),
    ("// Handles:\n//\n// - retries\n// - timeouts\n//\n// More later.",
     "Handles: - retries - timeouts"),
    # a colon inside the first sentence, or after it, brings nothing in
    ("// Parses one form: the short one.\n//\n// Other text.", "Parses one form: the short one."),
    ("// Parses forms. It reads:\n//\n// - the short one", "Parses forms."),
    ("// Options:", "Options:"),
])
def test_a_first_paragraph_that_ends_in_a_colon_brings_in_the_next(raw: str,
                                                                    expected: str) -> None:
    prose = comments.xml_doc(raw) if raw.startswith("/// <") else raw
    assert comments.summary(prose) == expected


@pytest.mark.parametrize("raw, expected", [
    # bats-core's tracing.bash: "e.g." followed by a capital
    ("# normalize a windows path from e.g. C:/directory to /c/directory",
     "normalize a windows path from e.g. C:/directory to /c/directory"),
    ("// The type of input (i.e. File or Stream). Then more.",
     "The type of input (i.e. File or Stream)."),
    ("// Compare, cf. RFC 3986. Then more.", "Compare, cf. RFC 3986."),
    ("// Read it all. Then more.", "Read it all."),
])
def test_an_abbreviation_ends_no_sentence(raw: str, expected: str) -> None:
    assert comments.summary(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    # BitFaster.Caching's AtomicFactory.CreateValue: the summary had been "...like this: 1."
    ("/// Note the failure case works like this:\n/// 1. Thread A holds the lock.\n"
     "/// 2. Thread B queues on it.",
     "Note the failure case works like this: 1. Thread A holds the lock."),
    ("// Steps: 12. Open it. Then more.", "Steps: 12. Open it."),
    # a number that is no list's ends a sentence as before
    ("// Needs version 2. Then more.", "Needs version 2."),
])
def test_a_list_number_after_a_colon_ends_no_sentence(raw: str, expected: str) -> None:
    assert comments.summary(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("/**\n * @internal\n * Describes state of CLI bootstrapping.\n */",
     "Describes state of CLI bootstrapping."),
    ("# @api private\n# Builds the route table.", "Builds the route table."),
    # hono's Context.executionCtx
    ("/**\n * @see {@link https://hono.dev/docs/api/context#executionctx}\n"
     " * The ExecutionContext associated with the current request.\n * @throws Error\n */",
     "The ExecutionContext associated with the current request."),
    # after prose, a tag still ends it
    ("/**\n * Reads it.\n * @see Writer\n * More words.\n */", "Reads it."),
])
def test_tags_that_only_mark_a_symbol_are_skipped(raw: str, expected: str) -> None:
    assert comments.summary(raw) == expected


@pytest.mark.parametrize("raw, directive", [
    ("// global in which it was created.", False),  # undici: prose
    ("/* global window */", True), ("/* globals AbortController */", True),
    ("/* global a, b:true */", True),
    ("/* globals shared by every test, reset before each one. */", False),
    ("//lint:file-ignore SA1019 Ignore deprecation warnings", True),
    ("/*#__PURE__*/", True), ("/* @__PURE__ */", True),
    ("// eslint-disable-next-line no-console", True),
])
def test_tool_directives(raw: str, directive: bool) -> None:
    assert bool(comments.MAGIC.match(raw)) is directive


def test_javadoc_paragraph_tags_are_breaks() -> None:
    raw = "/**\n * Converts JSON.\n * <p>Thread safe.\n */"
    assert comments.paragraphs(comments.lines(raw)) == ["Converts JSON.", "Thread safe."]


def test_doc_style_comments() -> None:
    assert comments.is_doc_style("/** x */") and comments.is_doc_style("/// x")
    assert not comments.is_doc_style("// x") and not comments.is_doc_style("/* x */")


def test_a_comment_of_tags_is_summed_up_by_its_deprecation() -> None:
    raw = "/**\n * @throws IOException\n * @deprecated Misleading: it returns\n *   a string.\n */"
    assert comments.summary(raw) == "Deprecated: Misleading: it returns a string."


def test_csharp_xml_doc_is_its_summary_as_text() -> None:
    raw = ("/// <summary>\n/// Reads a <see cref=\"T:Acme.Stream\"/> to its end;\n"
           "/// <c>null</c> when empty.\n/// </summary>\n/// <param name=\"s\">The stream.</param>")
    assert comments.summary(comments.xml_doc(raw)) == (
        "Reads a Acme.Stream to its end; null when empty.")


def test_csharp_xml_doc_without_a_summary_element_leaves_out_parameters() -> None:
    raw = "/// <param name=\"x\">The value.</param>\n/// Doubles &lt;T&gt; values."
    assert comments.summary(comments.xml_doc(raw)) == "Doubles <T> values."


def test_kdoc_links_read_as_what_they_show() -> None:
    raw = "/**\n * Parses [text] into a [LocalDate][kotlinx.datetime.LocalDate].\n */"
    assert comments.summary(comments.kdoc(raw)) == "Parses text into a LocalDate."


def test_kdoc_leaves_markdown_links_alone() -> None:
    raw = "/** See [the spec](https://example.com/spec). */"
    assert comments.kdoc(raw) == raw


def test_swift_callouts_are_details_not_the_summary() -> None:
    raw = "/// Creates a session\n/// - Parameter configuration: The settings.\n/// - Returns: x"
    assert comments.summary(comments.swift_doc(raw)) == "Creates a session"
    assert comments.summary(comments.swift_doc("/// - Returns: The request.")) == ""


def test_swift_list_items_that_are_not_callouts_are_prose() -> None:
    raw = "/**\n Sends a request:\n - Note that it retries.\n */"
    assert comments.summary(comments.swift_doc(raw)) == "Sends a request: - Note that it retries."


def test_xcode_marks_are_not_prose() -> None:
    assert comments.MAGIC.match("// MARK: - Networking")
    assert comments.MAGIC.match("// swift-tools-version:5.9")
    assert comments.MAGIC.match("// swiftlint:disable line_length")


def test_ide_and_linter_switches_are_not_prose() -> None:
    assert comments.MAGIC.match("// ReSharper disable MergeCastWithTypeCheck")
    assert comments.MAGIC.match("/* $Id: parser.c,v 1.2 2001/01/01 $ */")
    assert comments.MAGIC.match("# pylint: disable=protected-access")
    assert not comments.MAGIC.match("// Resharpens the image before it is drawn")


@pytest.mark.parametrize("raw", [
    "// Author: Shuo Chen (chenshuo at chenshuo dot com)",
    "/*\n * Author: Jane Roe <jane@example.com>\n * Created: 2010-08-29\n */",
    "/* Written by Jane Roe.\n * $Id: poller.c 12 2010-01-01 $ */",
    "/** @author Jane Roe */",
    "//\n//  Created by antao on 2018/5/22.\n//",
    "/* -*- Mode: C; tab-width: 4; c-basic-offset: 4; indent-tabs-mode: nil -*- */",
    "# vim: et ts=4 sts=4 sw=4 tw=0",
    "// vim: set fdm=syntax fdl=0:",
    "/* this file is part of irssi */",
    "// Original code by Jane Roe, with slight changes by John Doe.",
    "/*\n * Based on original Protocol Buffers design by\n * Jane Roe, John Doe, and others.\n */",
], ids=["author", "author-and-date", "written-by", "javadoc-author", "xcode-created-by",
        "emacs-modeline", "vim-modeline", "vim-set", "part-of", "original-code-by",
        "based-on-design-by"])
def test_a_file_header_of_credits_is_not_the_overview(raw: str) -> None:
    assert comments.overview(raw) == ""


@pytest.mark.parametrize("raw,overview", [
    ("// Author: Jane Roe\n// License: BSD\n// Parses configs.", "Parses configs."),
    ("// Written by hand: the generator cannot express unions.",
     "Written by hand: the generator cannot express unions."),
    ("// Created by the factory in loader.go.", "Created by the factory in loader.go."),
    ("// Authors: the table of commit authors, keyed by e-mail.",
     "Authors: the table of commit authors, keyed by e-mail."),
    ("// Date: parsing of RFC 2822 dates.\n// Reads the date header.",
     "Date: parsing of RFC 2822 dates. Reads the date header."),
    ("# vim: tw=80\n# POSIX asynchronous I/O for files.", "POSIX asynchronous I/O for files."),
    ("// vim: the editor's plugins are loaded here.", "vim: the editor's plugins are loaded here."),
    ("/*\n * Based on original Protocol Buffers design by\n * Jane Roe and others.\n *\n"
     " * Reads messages.\n */", "Reads messages."),
    ("// Based on the grammar of RFC 8259, this reads JSON values.",
     "Based on the grammar of RFC 8259, this reads JSON values."),
    ("// This file is part of the parser that reads every escape of a string literal.",
     "This file is part of the parser that reads every escape of a string literal."),
    ("/* This file is part of the runtime\n * that moves objects during garbage collection. */",
     "This file is part of the runtime that moves objects during garbage collection."),
    ("// Based on the MurmurHash3 algorithm by Austin Appleby, a fast hash for tables.",
     "Based on the MurmurHash3 algorithm by Austin Appleby, a fast hash for tables."),
    ("// Adapted from the algorithm described by Knuth in TAOCP.",
     "Adapted from the algorithm described by Knuth in TAOCP."),
    ("// Created by the allocator on 64-bit systems, buffers are 16-byte aligned.",
     "Created by the allocator on 64-bit systems, buffers are 16-byte aligned."),
    ("// Original implementation by the storage team kept every page in memory.",
     "Original implementation by the storage team kept every page in memory."),
    ("// Original code by Jane Roe.\n// See: https://example.com/q/derive-default-values",
     "See: https://example.com/q/derive-default-values"),
], ids=["credits-then-prose", "written-by-hand", "created-by-code", "about-authors",
        "about-dates", "modeline-then-prose", "about-vim", "design-credit-then-prose",
        "based-on-a-grammar", "part-of-prose", "part-of-wrapped", "based-on-by-then-prose",
        "adapted-described-by", "created-by-on-a-system", "original-implementation",
        "original-code-then-link"])

def test_credits_are_left_out_and_prose_about_them_is_kept(raw: str, overview: str) -> None:
    assert comments.overview(raw) == overview


@pytest.mark.parametrize("raw", [
    "/** Fired when the mouse button is released under the cursor. */",
    "// Samples values distributed under the given curve.",
    "// Settles each trade under the terms of the contract.",
    "// Released under the lock: callers must hold mu.",
    "// See step (c) 2010 of the spec.",
])
def test_prose_with_a_licence_s_words_is_no_licence(raw: str) -> None:
    assert not comments.is_license(raw) and comments.summary(raw)


@pytest.mark.parametrize("raw,shown", [
    ("{@code Option}", "Option"), ("{@literal <T>}", "<T>"), ("{@value #MAX}", "MAX"),
    ("{@link Options#addOption(String) the adder}", "the adder"),
    ("{@link #parse}", "parse"), ("{@link Options#parse}", "Options.parse"),
    ("{@link Foo|text}", "text"), ("{@linkplain Foo}", "Foo"), ("{@link}", "{@link}"),
    ("{@inheritDoc}", "{@inheritDoc}"), ("{ @code x }", "{ @code x }"),
    # review: a method of several parameters; a tag across lines; an annotation; a URL
    ("{@link #foo(String, int)}", "foo(String, int)"),
    ("{@link Options#addOption(String, boolean, String) the adder}", "the adder"),
    ("{@code\n * foo()}", "foo()"), ("{@link Options#parse\n * the parser}", "the parser"),
    ("{@code @Nullable}", "{@code @Nullable}"), ("{@value}", "{@value}"),
    ("{@link https://x.org/p#anchor}", "https://x.org/p#anchor"),
])
def test_inline_tags_read_as_what_they_show(raw: str, shown: str) -> None:
    assert comments.inline_tags(f"See {raw} here.") == f"See {shown} here."


def test_an_annotation_in_code_at_the_start_of_a_line_stays_prose() -> None:
    raw = "/**\n * {@code @Nullable} values are skipped when the list is read.\n */"
    assert comments.summary(comments.inline_tags(raw)) == (
        "{@code @Nullable} values are skipped when the list is read.")


@pytest.mark.parametrize("text,generated", [
    ("// Code generated by ifacemaker; DO NOT EDIT.\n\npackage fiber\n", True),
    ("// Generated by the protocol buffer compiler.  DO NOT EDIT!\n// source: a.proto\n", True),
    ("/**\n *  Groups.cc\n *  DO NOT EDIT. This file is generated by drogon_ctl\n */\n", True),
    ("// <auto-generated>\n//     This code was generated by a tool.\n", True),
    ("# @generated by uv\n", True),
    # a generator writing the line into a string; a plea without a tool; a late mark
    ("const code = `// This file is autogenerated by build.js, do not edit\n`\n", False),
    ("/* Please do not edit this file by hand. */\nint x;\n", False),
    ("int x;\n" * 400 + "// Code generated; DO NOT EDIT.\n", False),
])
def test_a_header_that_says_a_tool_generated_the_file(text: str, generated: bool) -> None:
    assert comments.says_generated(text) is generated


@pytest.mark.parametrize("language,text,minified", [
    ("javascript", "!function(e){" + "var a=e.b(c)||d;" * 1500 + "}();\n", True),
    ("css", ".a{color:red}" * 400, True),
    # written code averages 30 to 40 characters a line; a small file says little either way
    ("javascript", "function f(a) {\n  return a + 1;\n}\n" * 200, False),
    ("javascript", "var a=1;" * 100, False),
    # a build's banner on short lines, then the code on one: still minified
    ("javascript", "/*!\n * lib v1.0\n * (c) its authors\n */\n" + "a.b=c(d);" * 900, True),
    # old Mac line ends are line ends too
    ("javascript", "function f(a) {\r  return a + 1;\r}\r" * 200, False),
    # prose and data may run on long lines: not code a build minified
    ("markdown", "A sentence that runs on. " * 400, False),
    ("json", '{"a": 1, "b": 2}, ' * 400, False),
])
def test_web_code_a_build_minified_is_told_by_its_long_lines(language: str, text: str,
                                                             minified: bool) -> None:
    assert comments.minified(language, text) is minified
