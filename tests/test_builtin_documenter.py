import textwrap

import pytest

from codequery import documenting, languages
from codequery.documenters import python_ast
from codequery.documenters.builtin import BuiltinDocumenter, leading_comment
from codequery.eligibility import Content
from tests.helpers import names

DOC = BuiltinDocumenter()

PYTHON = '''"""Money helpers."""
from decimal import Decimal
import requests
from . import sibling

__all__ = ["to_cents"]


def to_cents(amount: Decimal, *, rounding: str = "half") -> int:
    """Convert an amount to cents.

    Longer text.
    """
    return int(amount * 100)


async def fetch_rate(currency):
    return requests.get(currency)


class Wallet(Base, metaclass=Meta):
    """Holds money."""

    def add(self, cents: int) -> None:
        """Add some cents."""
'''


def test_python_outline_has_signatures_docstrings_classes_imports_exports():
    doc = DOC.document("money.py", "python", PYTHON)
    assert doc.overview == "Money helpers."
    fns = {f.name: f for f in doc.functions}
    assert fns["to_cents"].signature == (
        "def to_cents(amount: Decimal, *, rounding: str='half') -> int")
    assert fns["to_cents"].summary == "Convert an amount to cents."
    assert fns["to_cents"].line == 9
    assert fns["fetch_rate"].signature.startswith("async def fetch_rate(")
    [wallet] = doc.classes
    assert wallet.bases == ["Base"]
    assert wallet.summary == "Holds money."
    assert [m.name for m in wallet.methods] == ["add"]
    assert doc.imports == ["decimal.Decimal", "requests", ".sibling"]
    assert doc.exports == ["to_cents"]
    assert doc.dependencies == ["requests"]


def test_python_without_all_exports_public_names():
    doc = DOC.document("m.py", "python", "def a(): pass\ndef _b(): pass\nX = 1\n")
    assert doc.exports == ["a", "X"]


def test_python_syntax_error_still_gives_a_record():
    doc = DOC.document("broken.py", "python", "# Broken module\ndef oops(:\n")
    assert doc.overview == "Broken module"
    assert "line 2" in doc.notes[0]


PYTHON_2 = textwrap.dedent('''\
    """Sends the nightly report."""
    import smtplib

    class Mailer(Base):
        """Talks to the mail server."""

        def send(self, to,
                 body):  # the body is plain text
            """Send one message. Then log it."""
            print "sending to", to

    def main(): print "done"
    ''')


def test_python_this_interpreter_cannot_read_is_outlined_from_its_lines():
    doc = DOC.document("report.py", "python", PYTHON_2)
    assert doc.overview == "Sends the nightly report."
    assert [(f.name, f.line) for f in doc.functions] == [("main", 12)]
    (mailer,) = doc.classes
    assert (mailer.name, mailer.bases, mailer.summary) == ("Mailer", ["Base"],
                                                          "Talks to the mail server.")
    (send,) = mailer.methods
    assert send.signature == "def send(self, to, body)"
    assert send.summary == "Send one message."
    assert doc.imports == ["smtplib"] and doc.exports == ["main", "Mailer"]
    assert "outlined from its lines" in doc.notes[0] and "line 10" in doc.notes[0]


@pytest.mark.parametrize("deep", [
    "x = " + "a+" * 5000 + "a\n",  # RecursionError in the parser
    "x = a" + ".b" * 5000 + "\n",
    "f = " + "lambda: " * 3000 + "0\n"])  # MemoryError or RecursionError
def test_python_nested_deeper_than_the_parser_goes_is_outlined_from_its_lines(deep):
    # a review: generated code like this failed its job four times, then for good
    text = '"""Generated tables."""\n\ndef keep():\n    """Kept."""\n' + deep
    doc = DOC.document("gen.py", "python", text)
    assert [f.name for f in doc.functions] == ["keep"]
    assert any("Nested too deeply" in note for note in doc.notes)


def test_newer_python_syntax_is_outlined_from_its_lines():
    from codequery.documenters import python_lines

    doc = python_lines.outline(textwrap.dedent('''\
        type Pair[T] = tuple[T, T]

        def first[T](xs: list[T]) -> T:
            """Return the first item."""
            return xs[0]

        def name(u): return f"{u["name"]}"

        class Box[T](Generic, metaclass=Meta):
            def get(self) -> T: """The item."""
        EXAMPLE = """
        def not_a_function():
            pass
        """
        '''))
    assert [(f.name, f.summary) for f in doc.functions] == [
        ("first", "Return the first item."), ("name", "")]
    assert doc.functions[0].signature == "def first[T](xs: list[T]) -> T"
    (box,) = doc.classes
    assert box.bases == ["Generic"] and [(m.name, m.summary) for m in box.methods] == [
        ("get", "The item.")]


def test_markdown_headings_and_intro():
    text = "# Title\n\nFirst paragraph\ncontinues.\n\n```\n# not a heading\n```\n## Usage\n"
    doc = DOC.document("README.md", "markdown", text)
    assert doc.overview == "Title: First paragraph continues."
    assert doc.notes == ["Sections: Usage"]


def test_other_files_get_their_leading_comment():
    doc = DOC.document("x.sql", "sql", "-- Creates the users table\n-- and its index\nCREATE")
    assert doc.overview == "Creates the users table and its index"


def test_leading_comment_skips_a_shebang_and_stops_at_code():
    assert leading_comment("#!/bin/sh\n# Deploys things\necho hi\n# later") == "Deploys things"
    assert leading_comment("/* Block\n * comment */\nint x;") == "Block comment"


def test_a_rule_of_dashes_is_no_overview():
    # insta's snapshot files open with YAML front matter: their overview had been "-"
    snapshot = "---\nsource: src/build.rs\n---\nCircular include detected\n"
    assert leading_comment(snapshot, "text") == ""
    assert leading_comment("-- Reads the config\nlocal x = 1\n", "lua") == "Reads the config"


def test_leading_comment_leaves_out_lines_of_credits():
    assert leading_comment("# Author: Jane Roe\n\n# Parses configs.\nx = 1") == (
        "Parses configs.")
    assert leading_comment("-- Written by Jane Roe\n-- Creates the users table\nCREATE") == (
        "Creates the users table")


def test_typescript_goes_through_tree_sitter():
    doc = DOC.document("a.ts", "typescript", "export function add(a: number) { return a; }\n")
    assert [f.name for f in doc.functions] == ["add"]


def test_javascript_without_a_comment_is_described_by_its_names():
    text = "'use strict';\nres.send = function send(body) {};\nres.json = function json(o) {};\n"
    doc = DOC.document("response.js", "javascript", text)
    assert doc.overview == "Defines res.send, res.json (JavaScript module)."


def test_methods_on_a_type_declared_elsewhere_are_named_with_it():
    # a trial read cobra's `flag_groups.go` as "Defines Command, ...": it adds methods to
    # the Command of command.go and declares no type of its own
    text = ("// Copyright 2024 Acme.\n\npackage cobra\n\n"
            "// MarkRequired marks a flag required.\n"
            "func (c *Command) MarkRequired(name string) error { return nil }\n\n"
            "func (c *Command) validate() {}\n\nfunc helper() {}\n\n"
            "// Group is a group of commands.\ntype Group struct{ ID string }\n\n"
            "func (g *Group) Title() string { return g.ID }\n")
    doc = DOC.document("flag_groups.go", "go", text)
    command, group = doc.classes
    assert (command.name, command.defined, names(command.methods)) == (
        "Command", False, ["MarkRequired", "validate"])
    assert (group.name, group.defined, names(group.methods)) == ("Group", True, ["Title"])
    assert doc.overview == ("Defines Command.MarkRequired, Command.validate, helper, Group "
                            "(Go). Group: Group is a group of commands.")


@pytest.mark.parametrize(("language", "path", "text", "defined"), [
    # methods first, the type after them: declared here all the same
    ("go", "a.go", "package p\nfunc (s *S) M() {}\ntype S struct{}\n", True),
    ("rust", "a.rs", "impl fmt::Display for Point {\n    fn fmt(&self) {}\n}\n", False),
    ("rust", "a.rs", "pub struct Point;\nimpl Point {\n    pub fn new() {}\n}\n", True),
    # a prototype's owner is the file's own constructor, however it was assigned
    ("javascript", "a.js", "Foo.prototype.bar = function () {};\n", True),
])
def test_a_class_is_defined_where_the_file_declares_it(language, path, text, defined):
    (cls,) = DOC.document(path, language, text).classes
    assert cls.defined is defined


def test_long_name_lists_are_cut():
    text = "".join(f"func F{i}() {{}}\n" for i in range(12))
    doc = DOC.document("f.go", "go", "package p\n" + text)
    assert doc.overview == "Defines F0, F1, F2, F3, F4, F5, F6, F7, … (Go)."


def test_a_files_one_class_lends_its_summary_to_the_overview():
    text = ("/* Copyright 2024 Acme. Licensed under the MIT license. */\npackage shop;\n\n"
            "/** A shopping cart. */\npublic class Cart {}\n")
    doc = DOC.document("Cart.java", "java", text)
    assert doc.overview == "Defines Cart (Java). Cart: A shopping cart."


def test_a_ruby_class_inside_a_namespace_module_lends_its_summary_to_the_overview():
    # mail's lib/mail/network/delivery_methods/test_mailer.rb
    text = ("module Mail\n  # The TestMailer is a bare bones mailer that does nothing.\n"
            "  class TestMailer\n    def deliver!(mail)\n    end\n  end\nend\n")
    doc = DOC.document("lib/mail/test_mailer.rb", "ruby", text)
    assert doc.overview == ("Defines Mail, TestMailer (Ruby). TestMailer: The TestMailer is "
                            "a bare bones mailer that does nothing.")
    # a module with methods of its own is no mere namespace
    text = ("module Mail\n  def self.new\n  end\n  # A mailer.\n  class TestMailer\n"
            "    def deliver!(mail)\n    end\n  end\nend\n")
    assert DOC.document("lib/mail.rb", "ruby", text).overview == \
        "Defines Mail, TestMailer (Ruby)."


def test_a_class_with_nested_types_lends_its_summary_to_the_overview():
    # gson's TypeAdapter and its TypeAdapter.NullSafeTypeAdapter
    text = ("package gson;\n\n/** Converts Java objects to and from JSON. */\n"
            "public abstract class TypeAdapter<T> {\n"
            "  private final class NullSafeTypeAdapter extends TypeAdapter<T> {}\n}\n")
    doc = DOC.document("TypeAdapter.java", "java", text)
    assert doc.overview == ("Defines TypeAdapter, TypeAdapter.NullSafeTypeAdapter (Java). "
                            "TypeAdapter: Converts Java objects to and from JSON.")
    # two classes side by side: neither is the file's
    text = "/** A cart. */\nclass Cart {}\n/** A line. */\nclass Line {}\n"
    assert DOC.document("Cart.java", "java", text).overview == "Defines Cart, Line (Java)."


def test_python_without_docstring_takes_the_comment_after_its_licence():
    text = "# Copyright 2024 Acme\n# SPDX-License-Identifier: MIT\n\n# Retry helpers.\n\nX = 1\n"
    doc = DOC.document("retry.py", "python", text)
    assert doc.overview == "Retry helpers."


def test_python_without_docstring_or_comment_is_described_by_its_names():
    doc = DOC.document("m.py", "python", "def a(): pass\n\nclass B: pass\n")
    assert doc.overview == "Defines a, B (Python module)."


def test_python_summary_is_the_first_sentence_across_lines():
    text = 'def f():\n    """Convert an amount\n    to cents. Rounds half up."""\n'
    doc = DOC.document("m.py", "python", text)
    assert doc.functions[0].summary == "Convert an amount to cents."


def test_python_classes_and_methods_have_line_numbers():
    doc = DOC.document("money.py", "python", PYTHON)
    [wallet] = doc.classes
    assert (wallet.line, wallet.methods[0].line) == (21, 24)


def test_leading_comment_skips_a_licence_block():
    text = "-- Copyright 2024 Acme. All rights reserved.\n\n-- Creates the users table\nCREATE"
    assert leading_comment(text) == "Creates the users table"


def test_an_anonymous_default_export_is_not_a_name_to_describe():
    doc = DOC.document("index.js", "javascript", "var app = module.exports = express();\n")
    assert doc.exports == ["default"]
    assert doc.overview == ""


def test_an_anonymous_default_export_function_is_named_after_its_module():
    # react-hook-form: `src/logic/getFieldValueAs.ts` is one `export default (...) => ...`
    text = textwrap.dedent("""\
        import isDateObject from '../utils/isDateObject';

        /** Turns a field's raw value into a number or a Date when the options ask. */
        export default <T>(value: T, { valueAsNumber, valueAsDate }: Options) =>
          valueAsNumber ? +value : valueAsDate ? new Date(value) : value;
    """)
    doc = DOC.document("src/logic/getFieldValueAs.ts", "typescript", text)
    [function] = doc.functions
    assert (function.name, function.line) == ("getFieldValueAs", 4)
    assert function.summary.startswith("Turns a field's raw value into a number")
    assert doc.overview.startswith("Defines getFieldValueAs (TypeScript module).")
    assert doc.exports == ["default"]
    doc = DOC.document("source/as-promise/index.ts", "typescript",
                       "export default function (request) {\n  return request;\n}\n")
    assert [f.name for f in doc.functions] == ["as-promise"]


def test_a_function_really_called_default_keeps_its_name():
    # a JSON encoder's hook in Python; `exports.default = ...` in CommonJS
    doc = DOC.document("app/encoders.py", "python", "def default(obj):\n    return str(obj)\n")
    assert [f.name for f in doc.functions] == ["default"]
    doc = DOC.document("lib/encode.js", "javascript", "exports.default = function (x) {};\n")
    assert [f.name for f in doc.functions] == ["default"]


def test_a_todo_before_the_leading_comment_is_skipped():
    assert leading_comment("# TODO: split this file\n\n# Deploy helpers.\necho hi\n") == (
        "Deploy helpers.")


def test_a_todo_alone_is_no_overview():
    doc = DOC.document("t.sql", "sql", "-- TODO: add an index\nCREATE TABLE t (id int);\n")
    assert doc.overview == ""


def _kind_indexed(tmp_path, path: str, doc) -> str:
    """The kind the index gives a record of `doc` at `path`."""
    from codequery import store
    from tests.test_store import _put, _record
    db = store.Store(store.connect(tmp_path / "d.db"), "demo")
    _put(db, _record(path, **doc.model_dump()))
    return db.conn.execute("SELECT kind FROM records").fetchone()[0]


def test_a_generated_file_is_noted_so_and_ranks_with_generated_files(tmp_path):
    from codequery import search_text
    text = "// Code generated by ifacemaker; DO NOT EDIT.\n\npackage fiber\n\nfunc A() {}\n"
    doc = DOC.document("ctx_interface_gen.go", "go", text)
    assert doc.notes == [search_text.GENERATED_NOTE]
    assert DOC.document("ctx.go", "go", text.split("\n", 1)[1]).notes == []
    assert _kind_indexed(tmp_path, "ctx_interface_gen.go", doc) == "generated"


def test_a_minified_file_is_noted_so_and_ranks_with_generated_files(tmp_path):
    from codequery import search_text
    text = "!function(e){" + "e.highlight=function(t){return t.replace(/a/g,'b')};" * 500 + "}"
    doc = DOC.document("ui/lib/highlight.pack.js", "javascript", text)
    assert doc.notes.count(search_text.MINIFIED_NOTE) == 1
    assert _kind_indexed(tmp_path, "ui/lib/highlight.pack.js", doc) == "generated"
    # the same code written out a statement a line is source
    plain = DOC.document("src/highlight.js", "javascript", text.replace(";", ";\n"))
    assert search_text.MINIFIED_NOTE not in plain.notes


def test_cpp_implementation_files_included_by_headers_are_cpp():
    # Boost's `impl/*.ipp`, templates' `.tpp`, inline functions' `.inl`, C++20 modules
    assert {languages.detect(f"impl/value.{ext}") for ext in
            ("ipp", "tpp", "inl", "tcc", "txx", "ixx", "cppm")} == {"cpp"}
    text = "namespace json {\n/// Writes a value.\nvoid serialize(value const& v) {}\n}\n"
    doc = DOC.document("impl/serialize.ipp", "cpp", text)
    assert [f.name for f in doc.functions] == ["serialize"]


def test_powershell_lex_and_yacc_files_have_their_language_and_an_overview():
    assert [languages.detect(p) for p in ("build.ps1", "Tools.psm1", "src/scan.l",
                                          "src/parse.y", "src/parse.yy")] == [
        "powershell", "powershell", "lex", "yacc", "yacc"]
    doc = DOC.document("src/scan.l", "lex", "/* Splits a config file into tokens. */\n%%\n")
    assert doc.overview == "Splits a config file into tokens."
    doc = DOC.document("build.ps1", "powershell", "# Builds and packs the library.\n")
    assert doc.overview == "Builds and packs the library."
    # flex's usual layout: the comment inside %{ %}, before the C it holds
    text = "%{\n/* Scanner for the config language. */\n#include <x.h>\n%}\n%%\n"
    assert DOC.document("src/scan.l", "lex", text).overview == "Scanner for the config language."
    assert DOC.document("src/parse.y", "yacc", "%token NUM\n%%\n").overview == ""
    # PowerShell's comment-based help: synopsis and description, not the parameters
    text = ("<#\n.SYNOPSIS\n    Builds and packs the library.\n.PARAMETER Config\n"
            "    Which build.\n.DESCRIPTION\n    Runs dotnet pack.\n#>\nparam($Config)\n")
    assert DOC.document("build.ps1", "powershell", text).overview == (
        "Builds and packs the library. Runs dotnet pack.")
    assert leading_comment("<# Signs the package. #>\nparam()\n", "powershell") == (
        "Signs the package.")


def test_percent_comments_of_other_languages_are_not_grammar_directives():
    text = "%%\n%% Purpose: Basic supervisor behaviour.\n%%\n-module(a).\n"
    assert "Basic supervisor behaviour" in leading_comment(text)


def test_kotlin_scripts_and_swift_go_through_tree_sitter():
    assert languages.detect("build.gradle.kts") == "kotlin"
    text = "import org.gradle.api.Project\n\nplugins { java }\n\nfun Project.release() {}\n"
    doc = DOC.document("build.gradle.kts", "kotlin", text)
    assert (doc.overview, doc.imports) == ("Defines release (Kotlin).", ["org.gradle.api.Project"])
    doc = DOC.document("Cart.swift", "swift", "/// A shopping cart.\npublic struct Cart {}\n")
    assert doc.overview == "Defines Cart (Swift). Cart: A shopping cart."


def test_a_cpp_header_is_read_as_cpp_and_a_c_header_as_c():
    cpp = textwrap.dedent("""\
        // Copyright (c) the authors. Distributed under the MIT License.

        #pragma once
        namespace lib {
        namespace details {
        LIB_INLINE void backtracer::push_back(const log_msg &msg) {
            messages_.push_back(msg);
        }
        }
        }
        """)
    path = "include/lib/backtracer-inl.h"
    assert languages.of_content(path, cpp.encode()) == "cpp"
    record = documenting.make_record(Content(path, cpp.encode(), "0" * 40, False), DOC)
    assert (record.language, [f.name for f in record.functions]) == (
        "cpp", ["backtracer::push_back"])
    assert record.overview.endswith("(C++).")
    c = "/* Points. */\n#include <stdio.h>\nint add(int a, int b);\nstruct point { int x; };\n"
    assert languages.of_content("src/point.h", c.encode()) == "c"
    assert languages.of_header("/* like std::list::push_back() */\nint f(void);\n") == "c"
    assert languages.of_header("#pragma once\nstd::string name(int id);\n") == "cpp"


def test_a_header_the_build_configures_is_outlined_as_the_header_it_becomes():
    text = ("/* Command-line flags. */\n#include <string>\n"
            "namespace @GFLAGS_NAMESPACE@ {\n"
            "// Sets the value of a flag by name.\n"
            "std::string SetCommandLineOption(const char* name, const char* value);\n}\n")
    assert languages.of_content("src/gflags.h.in", text.encode()) == "cpp"
    record = documenting.make_record(Content("src/gflags.h.in", text.encode(), "0" * 40, False),
                                     DOC)
    assert record.language == "cpp"
    assert [f.name for f in record.functions] == ["SetCommandLineOption"]
    # so is a template of any file, and a file shipped as the model of another
    assert [languages.detect(p) for p in ("version.py.in", "Makefile.in", "phpunit.xml.dist",
                                          "config/app.php.sample")] == [
        "python", "make", "xml", "php"]
    assert [languages.detect(p) for p in ("config.cmake.in", "requirements.in", ".env.sample",
                                          ".in")] == ["text", "text", "text", "text"]


VUE = """<template>
  <div @click="toggle">{{ label }}</div>
</template>

<script setup lang="ts">
import { ref } from 'vue'

/** Flips the panel open or closed. */
function toggle(): void {
  open.value = !open.value
}
const open = ref(false)
</script>

<style scoped>
div { color: red; }
</style>
"""


@pytest.mark.parametrize("path,text", [
    ("src/components/Panel.vue", VUE),
    ("src/lib/Panel.svelte", VUE.replace('<script setup lang="ts">', "<script>")
     .replace("(): void", "()").replace("<template>", "<main>").replace("</template>", "</main>")),
])
def test_a_component_s_script_is_outlined_at_its_own_lines(path, text):
    doc = BuiltinDocumenter().document(path, languages.detect(path), text)
    assert [(f.name, f.line, f.summary) for f in doc.functions] == [
        ("toggle", 9, "Flips the panel open or closed.")]
    assert doc.imports == ["vue"]


def test_a_component_without_a_script_has_no_definitions():
    doc = BuiltinDocumenter().document("src/Logo.vue", "vue",
                                       "<!-- The logo, drawn. -->\n<template><svg/></template>\n")
    assert doc.functions == [] and doc.overview == "The logo, drawn."


def test_an_ocamllex_lexer_is_outlined_as_ocaml_with_its_rules():
    assert languages.detect("lib/read.mll") == languages.detect("src/parser.mly") == "ocaml"
    text = textwrap.dedent("""\
        {
          (** Keeps an integer too large for an int as its literal. *)
          let lexer_error descr v lexbuf = failwith descr
        }

        rule read_json v = parse
          | "true" { `Bool true }

        and finish_string v = parse
          | '"' { Buffer.contents v.buf }
        """)
    doc = DOC.document("lib/read.mll", "ocaml", text)
    assert [f.name for f in doc.functions] == ["lexer_error", "read_json", "finish_string"]
    assert doc.functions[0].summary == "Keeps an integer too large for an int as its literal."


def test_a_long_module_docstring_is_cut_after_a_whole_word_and_says_so():
    # marshmallow's decorators.py: its docstring's example code ran past the limit
    example = "\n".join(f"    field_{n} = fields.Str(required=True)" for n in range(60))
    docstring = f"Decorators registering schema hooks.\n\nExample::\n\n{example}\n"
    doc = DOC.document("decorators.py", "python", f'"""{docstring}"""\n')
    assert len(doc.overview) <= python_ast.PYTHON_OVERVIEW_MAX
    assert doc.overview.endswith("…") and doc.overview.startswith("Decorators registering")
    kept = doc.overview.removesuffix("…").split()
    assert kept[-1] in docstring.split()  # no word cut in two
    assert "\n" in doc.overview  # its lines kept
    short = DOC.document("m.py", "python", '"""Decorators for registering schema hooks."""\n')
    assert short.overview == "Decorators for registering schema hooks."


@pytest.mark.parametrize(("text", "limit", "clipped"), [
    ("aaaa bbbb cccc dddd", 15, "aaaa bbbb cccc…"),  # a break just at the limit
    ("aaaa bbbb cccc dddd", 19, "aaaa bbbb cccc dddd"),  # it fits
    ("aaaa bbbb\tcccc dddd", 16, "aaaa bbbb cccc…".replace(" cccc", "\tcccc")),
    ("a bcdefghijklmnopqrstuvwxyz", 10, "a bcdefgh…"),  # no break after half: cut hard
    ("line one\nline two is long", 14, "line one\nline…")])
def test_a_text_is_clipped_after_a_whole_word(text, limit, clipped):
    from codequery.documenters import comments

    assert comments.clip_at_a_word(text, limit) == clipped
    assert len(comments.clip_at_a_word(text, limit)) <= limit


def test_a_one_line_clip_also_ends_after_a_whole_word():
    # overviews, summaries and signatures of every language are cut by it
    from codequery.documenters import comments

    assert comments.clip("alpha  beta\n gamma", 13) == "alpha beta…"
    assert comments.clip("alpha beta", 13) == "alpha beta"
