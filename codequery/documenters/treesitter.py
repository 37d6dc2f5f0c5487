"""Outline non-Python sources with tree-sitter: functions, classes, imports, exports.

Only the top of the syntax tree is walked (plus class bodies and namespace-like wrappers
such as C++ namespaces, header guards or a JavaScript IIFE), never function bodies, so a
file costs one parse and a shallow walk. JavaScript's many ways of defining a function live
in `javascript`; reading comments as documentation in `comments`. The Query API is avoided
on purpose: its Python surface changed between tree-sitter releases, while node and field
access did not.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from codequery import search_text
from codequery.documenters import comments, preprocessor
from codequery.documenters.javascript import FUNCTION_VALUES, JavaScriptOutliner, _unquote
from codequery.records import ClassInfo, FileDoc, Function

if TYPE_CHECKING:
    from tree_sitter import Language, Node

log = logging.getLogger(__name__)

LANGUAGES: frozenset[str] = frozenset(
    {"javascript", "typescript", "tsx", "go", "rust", "java", "c", "cpp", "ruby", "shell",
     "csharp", "php", "kotlin", "swift", "scala"})
# The grammar package's suffix, when not the language's name.
_MODULES = {"tsx": "typescript", "shell": "bash", "csharp": "c_sharp"}
# PHP with the HTML around `<?php ... ?>`, as .php files are written.
_FACTORIES = {"typescript": "language_typescript", "tsx": "language_tsx", "php": "language_php"}

_JS = frozenset({"javascript", "typescript", "tsx"})
_COMMENTS = frozenset({"comment", "line_comment", "block_comment", "multiline_comment"})
# Compiler directives that may stand between a C# doc comment and its declaration.
_DIRECTIVES = frozenset({"preproc_pragma", "preproc_nullable"})
# Attributes and decorators may stand between a doc comment and the item it documents;
# tree-sitter-kotlin reads `@Suppress(...)` above `public fun <T> ...` as an expression.
_ATTRIBUTES = frozenset({"attribute_item", "decorator", "annotated_expression"})
_FUNCTIONS = frozenset({
    "function_declaration", "generator_function_declaration", "function_signature",
    "function_item", "function_signature_item", "function_definition", "method",
    "singleton_method", "macro_definition"})
_CLASSES = frozenset({
    "class_declaration", "abstract_class_declaration", "interface_declaration", "class",
    "type_alias_declaration", "enum_declaration", "record_declaration", "struct_item",
    "annotation_type_declaration", "enum_item", "union_item", "trait_item", "type_item",
    "struct_specifier", "union_specifier", "enum_specifier", "class_specifier",
    "alias_declaration", "type_definition", "struct_declaration", "trait_declaration",
    "object_declaration", "protocol_declaration", "type_alias", "typealias_declaration",
    "class_definition", "object_definition", "trait_definition", "enum_definition",
    "package_object"})
_METHODS = frozenset({
    "method_definition", "abstract_method_signature", "method_signature", "method_elem",
    "function_item", "function_signature_item", "method_declaration", "method",
    "constructor_declaration", "function_definition", "singleton_method"})
_JS_MEMBERS = _METHODS | {"field_definition", "public_field_definition"}
_C_MEMBERS = _METHODS | {"field_declaration", "declaration", "template_declaration"}
# Kotlin and Swift: a class's functions, constructors and initialisers (properties are fields).
_MEMBERS = {
    "kotlin": frozenset({"function_declaration", "secondary_constructor"}),
    "swift": frozenset({"function_declaration", "protocol_function_declaration",
                        "init_declaration"}),
    "scala": frozenset({"function_definition", "function_declaration"}),
}
# What a language calls the type a node declares, by the node's type (see type_kind).
_KINDS = {
    "class": "class", "interface": "interface", "enum": "enum", "record": "record",
    "struct": "struct", "union": "union", "trait": "trait", "object": "object",
    "protocol": "protocol", "module": "module", "annotation_type": "annotation",
    "type_alias": "type", "typealias": "type", "alias": "type", "type": "type",
    "abstract_class": "class", "package_object": "object",
}
_KIND_ENDINGS = ("_declaration", "_definition", "_specifier", "_item")
# Go: what a type spec's type makes it.
_GO_KINDS = {"struct_type": "struct", "interface_type": "interface"}
# C's specifiers of a type with a body, as a typedef names them.
_C_TYPE_SPECIFIERS = frozenset({"struct_specifier", "union_specifier", "enum_specifier"})


def type_kind(node: Node, spec: Node | None, declared: str = "") -> str | None:
    """What the language calls the type `node` declares (`spec`: its type, for a C
    typedef; `declared`: Swift's `declaration_kind`, class, struct, enum, actor): class,
    interface, struct, enum, trait, type (an alias), ...; None when not known."""
    if declared and declared != "extension":
        return declared
    kind = node.type
    if kind == "type_definition":  # C: `typedef struct {...} Name`, `typedef long id_t`
        kind = (spec.type if spec is not None and spec.type in _C_TYPE_SPECIFIERS
                else "type")
    for ending in _KIND_ENDINGS:
        if kind.endswith(ending):
            kind = kind[:-len(ending)]
            break
    if kind == "class":  # Kotlin says `interface` or `enum class` in a class declaration
        words = {child.type for child in node.children}
        kind = ("enum" if "enum_class_body" in words
                else "interface" if "interface" in words else kind)
    return _KINDS.get(kind)


# Languages whose classes nest types, outlined as classes of their own (not type aliases).
_NESTING = frozenset({"csharp", "java", "kotlin", "swift", "scala"})
_NESTED = _CLASSES - {"type_alias_declaration", "alias_declaration", "type_alias",
                      "typealias_declaration", "type_item", "type_definition"}
# A C or C++ class body's conditional branches: their members are the class's.
_PREPROC_BRANCHES = frozenset({"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
                               "preproc_elifdef"})
# Shell: where functions are defined besides the top level (pyenv-rehash defines its
# helpers in both branches of an `if` on the bash version).
_SHELL_BLOCKS = frozenset({"compound_statement", "if_statement", "elif_clause", "else_clause"})
# Kotlin's bodies are children without a field name.
_KOTLIN_BODIES = frozenset({"class_body", "enum_class_body", "function_body", "block"})
# Wrappers whose children are top-level declarations in all but name.
_CONTAINERS = frozenset({
    "namespace_definition", "linkage_specification", "internal_module", "module", "ERROR",
    "ambient_declaration", "preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif",
    "template_declaration", "namespace_declaration"})
_HERITAGE = frozenset({
    "class_heritage", "extends_clause", "implements_clause", "superclass", "super_interfaces",
    "extends_interfaces", "extends_type_clause", "base_class_clause", "trait_bounds", "type_list",
    "base_list", "base_clause", "class_interface_clause", "delegation_specifiers",
    "delegation_specifier", "constructor_invocation", "explicit_delegation",
    "inheritance_specifier"})
_NOT_BASES = frozenset(
    {"access_specifier", "type_arguments", "comment", "lifetime", "value_arguments",
     "arguments"})
_DECLARATOR_NAMES = frozenset({
    "identifier", "field_identifier", "qualified_identifier", "destructor_name",
    "operator_name", "type_identifier", "template_function", "primitive_type"})
_RUST_LOCAL = frozenset({"crate", "self", "super", "std", "core", "alloc"})
# Go modules on these hosts are host/owner/repo; deeper path elements are packages.
_GO_HOSTS = frozenset(
    {"github.com", "gitlab.com", "bitbucket.org", "golang.org", "go.googlesource.com"})
_MAX_DEPTH, _SIGNATURE_MAX = 6, 200
# What may stand between a file's opening comment and its first definition.
_PREAMBLE = frozenset({
    "package_clause", "package_declaration", "import_declaration", "use_declaration",
    "extern_crate_declaration", "inner_attribute_item", "preproc_include", "preproc_def",
    "using_declaration", "module_declaration", "using_directive", "global_attribute",
    "file_scoped_namespace_declaration", "php_tag", "declare_statement",
    "namespace_use_declaration", "package_header", "import", "file_annotation", "shebang",
    "shebang_line", "directive"})
# Declarations start after these (C# and PHP attributes are part of the node they mark).
_LEADING = frozenset({"attribute_list", *_COMMENTS})
_ANNOTATION_NODES = frozenset({"annotation", "attribute", *_COMMENTS})  # Kotlin, Swift
_RUBY_REQUIRES = frozenset({"require", "require_relative", "load"})
_SHELL_PREAMBLE = frozenset({"set", "source", ".", "shopt", "umask"})

_ANNOTATIONS = re.compile(r"^(?:@[\w.]+(?:\([^()]*\))?\s+)+")
_SPACE = re.compile(r"\s+")
_ARROW = re.compile(r"\s*=>$")


@functools.cache
def _language(language: str) -> Language | None:
    """The grammar for `language`, or None when it is unknown or not installed."""
    if language not in LANGUAGES:
        return None
    try:
        from tree_sitter import Language

        module = importlib.import_module("tree_sitter_" + _MODULES.get(language, language))
        return Language(getattr(module, _FACTORIES.get(language, "language"))())
    except Exception as exc:  # a missing or ABI-incompatible grammar must not break documenting
        log.debug("tree-sitter grammar for %s unavailable: %s", language, exc)
        return None


LOST_ROWS = 3
# Larger files (amalgamations, vendored API headers such as gl.h) are not read twice: a
# second parse of them cost more than all the others together and rarely found more.
SECOND_READING_MAX_BYTES = 128 * 1024


def outline(language: str, source: bytes) -> FileDoc | None:
    """Outline `source`; None when `language` has no usable grammar. A C or C++ file the
    parser gives up on in places (_lost_block) is read a second time with only the first
    branch of each `#if` (zlib's `inflate()` opens an `if (` under `#ifdef GUNZIP` and
    another under `#else`, and everything after it was lost; leveldb's `env_posix.cc`
    outlined to 2 functions of 85), and the outline with more symbols is kept."""
    grammar = _language(language)
    if grammar is None:
        return None
    from tree_sitter import Parser

    # Parsers are not thread-safe, but one costs well under a microsecond to make (measured),
    # so a fresh one per call is simpler than a per-thread cache.
    parser = Parser(grammar)
    parsed = (preprocessor.blank_macros(source) if language in ("c", "cpp")
              else preprocessor.blank_alternatives(source) if language == "csharp" else source)
    root = parser.parse(parsed).root_node
    doc = _outline_tree(language, root, parsed, source)
    if (language in ("c", "cpp") and len(source) <= SECOND_READING_MAX_BYTES
            and _lost_block(root)):
        first = preprocessor.blank_alternatives(parsed)
        if first != parsed:
            other = _outline_tree(language, parser.parse(first).root_node, first, source)
            if _symbol_count(other) > _symbol_count(doc):
                return other
    return doc


def _outline_tree(language: str, root: Node, parsed: bytes, source: bytes) -> FileDoc:
    # signatures read without the blanked macros, comments as written
    outliner = _Outliner(language, parsed, source)
    # First: the file's opening comment is then known not to be its first symbol's doc.
    overview = outliner.overview(_opening(language, root.children))
    try:
        for node in root.children:
            outliner.visit(node, node, 0)
        outliner.finish_js()
    except Exception:  # a partial outline beats none, and documenting must go on
        log.debug("tree-sitter outline of %s source failed part-way", language, exc_info=True)
    functions = outliner.fold_qualified()  # may move functions into classes: run it first
    classes = outliner.classes.values()
    works = (not functions and not any(c.methods for c in classes)
             and _works_outside_methods(language, root, parsed))
    return FileDoc(
        overview=overview, functions=functions,
        classes=[c.model_copy(update={"bases": _dedupe(c.bases)})
                 for c in outliner.classes.values()],
        imports=_dedupe(outliner.imports), exports=_dedupe(outliner.exports),
        dependencies=_dedupe(outliner.deps),
        notes=([search_text.SYNTAX_ERRORS_NOTE] if root.has_error else [])
        + ([search_text.BUNDLE_NOTE] if _bundle(language, source) else [])
        + ([search_text.INTERFACES_NOTE] if _only_interfaces(language, root, parsed) else [])
        + ([search_text.WORKS_NOTE] if works else []))


def _works_outside_methods(language: str, root: Node, source: bytes) -> bool:
    """Whether a C# or Java file runs code outside methods (see search_text.WORKS_NOTE).
    The tree is walked only when the text holds what such code is written with."""
    if language == "csharp":
        # top-level statements come before any type or namespace: at the root
        return (any(node.type == "global_statement" for node in root.named_children)
                or (b"=>" in source or b"delegate" in source) and _holds(root, _csharp_work))
    if language == "java":
        return _java_work_written(source) and _holds(root, _java_work)
    return False


def _csharp_work(node: Node) -> bool:
    """A lambda, or an anonymous method with a body (not `delegate { }`, which does
    nothing: an event's null object)."""
    if node.type == "anonymous_method_expression":
        return any(c.type == "block" and c.named_child_count for c in node.named_children)
    return node.type == "lambda_expression"


def _java_work(node: Node) -> bool:
    """A lambda, a method reference, an anonymous class (the body of a `new`) or a static
    initializer block."""
    return (node.type in ("lambda_expression", "method_reference", "static_initializer")
            or node.type == "class_body"
            and node.parent is not None and node.parent.type == "object_creation_expression")


def _java_work_written(source: bytes) -> bool:
    """Whether Java text holds what code outside methods is written with: an arrow, a
    method reference, a body after a `new X(...)`, a static block (each a scan for a
    literal: one pattern of alternatives took a tenth of a second on 2 MB)."""
    return (b"->" in source or b"::" in source or _BODY_AFTER_CALL.search(source) is not None
            or _STATIC_BLOCK.search(source) is not None)


_BODY_AFTER_CALL = re.compile(rb"\)\s*\{")
_STATIC_BLOCK = re.compile(rb"static\s*\{")


def _opening(language: str, nodes: list[Node]) -> list[Node]:
    """The file's top-level nodes as it opens: a C or C++ header's include guard gives way
    to what it holds (leveldb's `skiplist.h` says what it is for inside its guard)."""
    if language not in ("c", "cpp"):
        return nodes
    at, node = next(((at, n) for at, n in enumerate(nodes) if n.type not in _COMMENTS),
                    (0, None))
    name = node.child_by_field_name("name") if node is not None else None
    if node is None or node.type != "preproc_ifdef" or name is None:
        return nodes
    inside = [c for c in node.named_children if c != name]
    define = next((c for c in inside if c.type not in _COMMENTS
                   and c.type != "preproc_call"), None)  # `#pragma once` may come first
    defined = define.child_by_field_name("name") if define is not None else None
    if define is None or define.type != "preproc_def" or defined is None \
            or defined.text != name.text:
        return nodes
    return [*nodes[:at], *inside, *nodes[at + 1:]]


def _only_interfaces(language: str, root: Node, source: bytes = b"") -> bool:
    """Whether a Java, Kotlin or TypeScript file declares interfaces and no type or method
    with a body (a `default` method does work, and so does a nested class or a property's
    getter; TypeScript's type aliases are declarations too, any other statement is not)."""
    if language not in ("java", "kotlin", "typescript", "tsx"):
        return False
    types = [node for node in root.named_children if node.type not in _BESIDE_TYPES]
    if language in ("typescript", "tsx"):
        # the names it passes on (`export { Options }`, `export type { Next } from
        # './next'`) are neither work nor a declaration of its own (feathers'
        # `declarations.ts`); a re-export of another module's (`export { load } from
        # './load'`) makes it the way in to that code
        types = [node for node in types if not _passes_on(node)]
        declared = [node.child_by_field_name("declaration")
                    if node.type == "export_statement" else node for node in types]
        kinds = [node.type if node is not None else "" for node in declared]
        return ("interface_declaration" in kinds
                and set(kinds) <= {"interface_declaration", "type_alias_declaration"})
    # a constant can hold code only where the text has what such code is written with
    code = _java_work_written(source)
    return bool(types) and all(_bodiless(node, code) for node in types)


def _passes_on(node: Node) -> bool:
    """Whether a TypeScript statement exports names of this file's (`export { Options }`)
    or types of any (`export type { Next } from './next'`), and nothing else."""
    kinds = [c.type for c in node.children]
    return (node.type == "export_statement" and "export_clause" in kinds
            and ("type" in kinds or "from" not in kinds))


# What a file of interfaces holds besides them.
_BESIDE_TYPES = frozenset({"package_declaration", "import_declaration", "package_header",
                           "import", "import_list", "line_comment", "block_comment",
                           "file_annotation", "import_statement", "comment"})


def _bodiless(node: Node, code: bool = True) -> bool:
    """An interface whose members have no body (Java's constants and Kotlin's abstract
    properties are none)."""
    if node.type == "interface_declaration":  # Java
        body = node.child_by_field_name("body")
    elif node.type == "class_declaration" and any(c.type == "interface" for c in node.children):
        body = next((c for c in node.named_children if c.type == "class_body"), None)
    else:
        return False
    return body is not None and all(
        member.type in ("line_comment", "block_comment")
        or member.type == "constant_declaration" and not (code and _holds_code(member))
        or member.type == "method_declaration" and member.child_by_field_name("body") is None
        or member.type == "function_declaration"
        and not any(c.type == "function_body" for c in member.children)
        or member.type == "property_declaration"
        and not any(c.type in ("getter", "setter") for c in member.children)
        or _bodiless(member, code)
        for member in body.named_children)


def _holds_code(node: Node) -> bool:
    """Whether a Java constant's value is code: an anonymous class, a lambda or a method
    reference (bucket4j's `UninterruptibleBlockingStrategy.PARKING`, the interface's one
    implementation)."""
    return _holds(node, _java_work)


def _holds(node: Node, works: Callable[[Node], bool]) -> bool:
    """Whether a node below `node` is one that `works` tells."""
    pending = list(node.named_children)
    while pending:
        child = pending.pop()
        if works(child):
            return True
        pending.extend(child.named_children)
    return False


# A UMD wrapper (`typeof define === 'function' && define.amd`) near the top of a file of
# at least BUNDLE_MIN_LINES lines: a build's output. A small library written by hand in
# one UMD file stays source.
_UMD = re.compile(rb"typeof\s+define\s*===?\s*['\"]function['\"]\s*&&\s*define\.amd")
BUNDLE_MIN_LINES = 1000
UMD_WITHIN_BYTES = 2000


def _bundle(language: str, source: bytes) -> bool:
    return (language in ("javascript", "typescript", "tsx")
            and _UMD.search(source[:UMD_WITHIN_BYTES]) is not None
            and source.count(b"\n") >= BUNDLE_MIN_LINES)


def _lost_block(root: Node) -> bool:
    """Whether the parser gave up on a block of lines (an error spanning LOST_ROWS or more),
    not only on a macro call here and there, which it reads around. Measured on the bench
    repositories' C and C++: 78% of the symbols a second reading finds, for a second
    reading of 1 in 7 of the files with errors."""
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.type == "ERROR" and node.end_point.row - node.start_point.row >= LOST_ROWS:
            return True
        stack.extend(child for child in node.children if child.has_error)
    return False


def _symbol_count(doc: FileDoc) -> int:
    return len(doc.functions) + sum(1 + len(c.methods) for c in doc.classes)


def _last_leaf(node: Node) -> Node:
    """The last node in `node`'s tree (its last child's last child, and so on), a comment
    taken whole."""
    for _ in range(64):  # a tree this deep holds no comment worth the walk
        if not node.children or node.type in _COMMENTS:
            break
        node = node.children[-1]
    return node


def _is_doc(raw: str) -> bool:
    """A doc comment (`/** */`, `/*! */`, `///`), not a `/*****` banner."""
    return comments.is_doc_style(raw) and not raw.startswith("/***")


def _is_block(raw: str) -> bool:
    """Whether a comment is a `/* */` block (one node however many lines it takes)."""
    return raw.startswith("/*")


def _end_row(node: Node) -> int:
    # Some grammars' line comments swallow their newline and so end at column 0 below.
    row, col = node.end_point
    return row - 1 if col == 0 and row > node.start_point.row else row


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


class _Outliner(JavaScriptOutliner):
    def __init__(self, language: str, source: bytes, original: bytes) -> None:
        """`source` is what was parsed: `original` with what the parser cannot read
        blanked (see preprocessor), line for line."""
        self.lang, self.src, self.original = language, source, original
        # Lines that are empty only because blanking emptied them (a C# `#if` between a
        # doc comment and its class): they do not part a comment from what it documents.
        self.blanked_rows: frozenset[int] = frozenset()
        if source != original:
            pairs = zip(source.split(b"\n"), original.split(b"\n"), strict=True)
            self.blanked_rows = frozenset(row for row, (new, old) in enumerate(pairs)
                                          if not new.strip() and old.strip())
        self.functions: list[Function] = []
        self.classes: dict[str, ClassInfo] = {}
        self.imports: list[str] = []
        self.exports: list[str] = []
        self.deps: list[str] = []
        self.prototype_classes: set[str] = set()  # JS classes made of `X.prototype.y = ...`
        self.overview_comments: set[int] = set()  # start bytes of the file's own comment

    def text(self, node: Node | None) -> str:
        if node is None:
            return ""
        if node.type in _COMMENTS:  # blanking never meant to touch prose
            return self.original[node.start_byte:node.end_byte].decode("utf-8", "replace")
        return self._decode(node.start_byte, node.end_byte)

    def _gap(self, above: int, below: int) -> int:
        """The empty lines between row `above` and row `below`, not counting lines that
        blanking emptied."""
        return below - above - 1 - sum(1 for row in range(above + 1, below)
                                       if row in self.blanked_rows)

    def _decode(self, start: int, end: int) -> str:
        return self.src[start:end].decode("utf-8", "replace")

    def field(self, node: Node, name: str) -> str:
        return self.text(node.child_by_field_name(name))

    def _has(self, node: Node, kind: str, text: str) -> bool:
        return any(c.type == kind and self.text(c) == text for c in node.children)

    def _preamble(self, node: Node) -> bool:
        """Package, imports, directives: what may come between a file's opening comment and
        its first definition without making that comment the definition's."""
        if node.type in _PREAMBLE:
            return True
        if self.lang in ("c", "cpp") and node.type == "preproc_call":
            return True  # `#pragma once` (spdlog's headers open with it)
        if self.lang == "php" and node.type == "namespace_definition":
            return node.child_by_field_name("body") is None  # `namespace A;`, not `{ ... }`
        if self.lang in _JS:
            return self._js_preamble(node)
        if self.lang == "ruby" and node.type == "call":
            return self.field(node, "method") in _RUBY_REQUIRES
        return self.lang == "shell" and node.type == "command" and (
            self.field(node, "name") in _SHELL_PREAMBLE)

    def overview(self, nodes: list[Node]) -> str:
        """The file's own comment: an `@file` block, else the first prose comment after any
        licence, before the first definition; one directly above a definition is its doc."""
        blocks: list[list[Node]] = []
        last_row, open_block, code_row, after_licence = -2, False, -1, False
        statement_row = -1  # where the last preamble statement (no `#!` line) ends
        for node in nodes:
            if node.type in _COMMENTS:
                text = self.text(node)
                if comments.MAGIC.match(text) or node.start_point.row == code_row:
                    continue  # a tool's directive, or a comment at the end of a line of code
                # a `/* licence */` ends its block: the file's own comment may follow right
                # below it (curl's `/* The Strict-Transport-Security header ... */`)
                if not open_block or after_licence or self._gap(last_row,
                                                               node.start_point.row) > 0:
                    blocks.append([])
                blocks[-1].append(node)
                last_row, open_block = _end_row(node), True
                after_licence = text.startswith("/*") and comments.is_license(text)
            elif node.type == "hash_bang_line" or self._preamble(node):
                statement = node.type != "hash_bang_line"
                if (open_block and statement and statement_row >= 0
                        and self._gap(statement_row, blocks[-1][0].start_point.row) == 0
                        and self._gap(last_row, node.start_point.row) == 0):
                    # a note between two imports, on the one below it (got's "DO NOT use
                    # destructuring for `https.request`"): not the file's
                    blocks.pop()
                open_block, code_row = False, node.end_point.row
                if statement:
                    statement_row = _end_row(node)
            else:
                if open_block and self._documents(node, blocks, last_row):
                    blocks.pop()
                break
        raws = [(block, self._joined(block)) for block in blocks]
        ordered = ([r for r in raws if comments.FILE_TAG.search(r[1])]
                   + [r for r in raws if not comments.FILE_TAG.search(r[1])])
        for block, raw in ordered:
            if text := comments.overview(self._prose(raw)):
                # a section's label is the file's, but says nothing of it (an `@file`
                # block does, however short)
                self.overview_comments.update(n.start_byte for n in block)
                if not comments.is_label(text) or comments.FILE_TAG.search(raw):
                    return text
        return ""

    def _documents(self, node: Node, blocks: list[list[Node]], last_row: int) -> bool:
        """Whether the last comment block, just above the file's first definition, is that
        definition's doc rather than the file's: directly above it, or a doc-style block one
        blank line above when the file has said something before (more than a licence)."""
        raw = self._joined(blocks[-1])
        if node.type in _CONTAINERS or comments.FILE_TAG.search(raw):
            return False
        gap = self._gap(last_row, node.start_point.row)
        said = any(not comments.is_license(self._joined(b)) for b in blocks[:-1])
        return gap == 0 or (gap == 1 and said and comments.is_doc_style(raw))

    def _summary(self, node: Node) -> str:
        """First sentence of the doc comment above `node`: the comments directly above it,
        or a doc-style one (`/**`, `///`) one blank line above; attributes and decorators may
        stand between, and a licence or the file's own comment is never a symbol's."""
        anchor, prev = node, node.prev_sibling
        if prev is None and node.parent is not None and node.parent.type == "body_statement":
            prev = node.parent.prev_sibling  # Ruby hoists a body's leading comment out of it
        block: list[Node] = []
        directive = False  # a C# `#pragma` stands between: only a doc comment above it
        while prev is not None:
            if prev.type in _ATTRIBUTES:  # Rust may interleave attributes with `///` lines
                anchor, prev = prev, prev.prev_sibling
                continue
            if prev.type in _DIRECTIVES:
                if block:
                    break  # what is above the `#pragma` is not the symbol's
                anchor, prev, directive = prev, prev.prev_sibling, True
                continue
            if self.lang == "scala" and not block and prev.type not in _COMMENTS and (
                    tail := _last_leaf(prev)).type in _COMMENTS:
                # tree-sitter-scala ends `def f = <expression>`'s block at the next
                # definition: its Scaladoc is the block's last child
                prev = tail
            if prev.type not in _COMMENTS or (  # a namespace's doc may be the file's too
                    prev.start_byte in self.overview_comments and node.type not in _CONTAINERS):
                break
            raw = self.text(prev)
            if directive and not block and not comments.is_doc_style(raw):
                # a note on the `#pragma` (why a warning is off): a doc comment may be above
                anchor, prev = prev, prev.prev_sibling
                continue
            gap = self._gap(_end_row(prev), anchor.start_point.row)
            if gap > (1 if not block and (comments.is_doc_style(raw) or self._names(prev, node))
                      else 0):
                break
            before = prev.prev_sibling
            if before is not None and _end_row(before) == prev.start_point.row:
                break  # a trailing comment on the previous statement's line
            if not comments.MAGIC.match(raw):
                if block and (_is_block(raw) or _is_block(self.text(block[-1]))):
                    # a `/* */` comment stands alone: the nearest is the symbol's (above
                    # it, a banner, commented-out code or the last declaration's note),
                    # but a doc comment above notes that are not one is the symbol's
                    # (gson's `/** Converts ... */` above `// non-Javadoc:` lines), and a
                    # `///` brief above its `/** */` details is read with them (asio)
                    documented = any(_is_doc(self.text(n)) for n in block)
                    if not comments.summary(self._prose(self._joined(block[::-1]))) or (
                            _is_doc(raw) and not documented):
                        block.clear()  # the nearer says nothing (`/* @unittest 1614 */`)
                    elif not (documented and raw.startswith(("///", "//!"))
                              and not raw.startswith("///<") and comments.summary(raw)):
                        break  # not a brief: `/// @{`, `/// TODO`, a member's `///<`
                block.append(prev)
            anchor, prev = prev, before
        return comments.summary(self._prose(self._joined(block[::-1])))

    def _names(self, last: Node, node: Node) -> bool:
        """Whether the comment block ending with `last` names the symbol `node` defines
        (`# Rack::URLMap takes a hash ...` above `class URLMap`): then it is that symbol's
        doc even across a blank line."""
        name = node.child_by_field_name("name")
        name_text = self.text(name) if name is not None else ""
        if name is None and self.lang in ("c", "cpp"):  # `extern void nni_reap(...);`
            name_text = self._declarator(node.child_by_field_name("declarator"))[0]
        if len(name_text) < 3:
            return False
        lines, prev = [], last
        while prev is not None and prev.type in _COMMENTS and (
                not lines or _end_row(prev) + 1 >= lines[-1].start_point.row):
            lines.append(prev)
            prev = prev.prev_sibling
        raw = self._joined(lines[::-1])
        return re.search(rf"(?<![\w$]){re.escape(name_text)}(?![\w$])", raw) is not None

    def _joined(self, block: list[Node]) -> str:
        """The comments' texts, a line each (tree-sitter-rust's `///` node holds its line's
        end: kept, each line would be a paragraph of its own)."""
        return "\n".join(self.text(n).rstrip("\r\n") for n in block)

    def _prose(self, raw: str) -> str:
        """C#'s `///` doc comments are XML, KDoc links, Swift's callouts and Javadoc's or
        JSDoc's inline tags are markup; every other comment is read as written."""
        if self.lang == "csharp" and raw.startswith("///"):
            return comments.xml_doc(raw)
        if self.lang == "kotlin":
            return comments.kdoc(comments.inline_tags(raw))
        if self.lang == "swift":
            return comments.swift_doc(raw)
        return comments.inline_tags(raw)

    def _body(self, node: Node) -> Node | None:
        body = node.child_by_field_name("body")
        if body is None and self.lang == "kotlin":
            body = next((c for c in node.children if c.type in _KOTLIN_BODIES), None)
        return body

    def _signature(self, node: Node, start: Node | None = None) -> str:
        body = self._body(node)
        end = body.start_byte if body is not None else node.end_byte
        if start is None:
            start = next((c for c in node.children if c.type not in _LEADING), node)
            if start.type == "modifiers" and self.lang in ("kotlin", "swift"):
                # Their annotations are modifiers, and may nest parentheses past _ANNOTATIONS.
                start = next((c for c in start.children if c.type not in _ANNOTATION_NODES),
                             start.next_sibling or start)
        text = self._decode(start.start_byte, end)
        if self.lang == "ruby" and body is None:
            text = re.sub(r"[;\s]*end\s*$", "", text)
        text = _ANNOTATIONS.sub("", _SPACE.sub(" ", text).strip())
        return comments.clip(_ARROW.sub("", text.rstrip(" {;=")), _SIGNATURE_MAX)

    def _declarator(self, node: Node | None) -> tuple[str, bool]:
        """Name declared by a C/C++ declarator, and whether it declares a function."""
        is_function = False
        for _ in range(16):  # declarators nest only a few deep; bound it regardless
            if node is None:
                break
            is_function = is_function or node.type == "function_declarator"
            if node.type in _DECLARATOR_NAMES:
                return self.text(node), is_function
            inner = node.child_by_field_name("declarator")
            node = inner if inner is not None else next(iter(node.named_children), None)
        return "", is_function

    def _function(self, node: Node, anchor: Node | None = None) -> Function | None:
        kind, signature = node.type, ""
        if kind in ("field_definition", "public_field_definition"):  # JS `x = () => ...`
            value = node.child_by_field_name("value")
            if value is None or value.type not in FUNCTION_VALUES:
                return None
            name = self.field(node, "name") or self.field(node, "property")
            signature = self._signature(value, start=node)
        elif kind == "template_declaration":
            inner = next((c for c in node.named_children
                          if c.type in ("function_definition", "declaration")), None)
            return None if inner is None else self._function(inner, anchor or node)
        elif self.lang in ("c", "cpp"):
            name, is_function = self._declarator(node.child_by_field_name("declarator"))
            name = name if is_function else ""
        elif kind == "singleton_method":
            name = f"{self.field(node, 'object')}.{self.field(node, 'name')}"
        elif kind == "macro_definition":  # Rust: the rules are the body, too long to show
            name = self.field(node, "name")
            signature = f"macro_rules! {name}"
        elif kind == "secondary_constructor":  # Kotlin: `constructor(...)`, unnamed
            name = "constructor"
        else:
            name = self.field(node, "name")
        if not name:
            return None
        return Function(name=name, signature=signature or self._signature(node),
                        summary=self._summary(anchor or node), line=node.start_point.row + 1)

    def _bases(self, node: Node, out: list[str]) -> list[str]:
        """Names in the extends/implements/`:`/`<` clauses under `node`."""
        # Kotlin's `List<T> by items`: the interface, not the object it is delegated to.
        delegated = node.type == "explicit_delegation"
        for child in node.named_children[:1] if delegated else node.named_children:
            if child.type in _HERITAGE:
                self._bases(child, out)
            elif node.type in _HERITAGE and child.type not in _NOT_BASES:
                out.append(comments.clip(self.text(child), 100))
        return out

    def _class(self, name: str, node: Node, anchor: Node, defines: bool = True,
               kind: str | None = None) -> ClassInfo:
        """Get or create class `name`; its definition beats an earlier impl/method stub
        (until one is seen, the class is not `defined` in this file). `kind`: what the
        language calls it (see type_kind), when it is defined here."""
        info = self.classes.get(name)
        if info is None:
            info = self.classes[name] = ClassInfo(name=name, line=node.start_point.row + 1,
                                                  defined=defines)
        if defines:
            info.defined = True
            info.line = node.start_point.row + 1
            info.summary = self._summary(anchor) or info.summary
            info.kind = kind or info.kind
        return info

    def _members(self, info: ClassInfo, body: Node | None) -> None:
        accepted = (_JS_MEMBERS if self.lang in _JS
                    else _C_MEMBERS if self.lang in ("c", "cpp")
                    else _MEMBERS.get(self.lang, _METHODS))
        overriding: list[Function] = []  # a Java enum's constants' own methods
        for child in body.children if body is not None else ():
            if child.type == "enum_body_declarations":  # Java enums keep methods a level down
                self._members(info, child)
            elif child.type == "enum_constant" and (constant := self._body(child)) is not None:
                # `DOUBLE { Number readNumber(...) {...} }`: each constant overrides them
                each = ClassInfo(name=info.name)
                self._members(each, constant)
                overriding += each.methods
            elif child.type == "companion_object":  # Kotlin: called as the class's own
                self._members(info, self._body(child))
            elif child.type in _NESTED and self.lang in _NESTING:
                # a nested type is a class of its own (Dapper's SqlMapper.GridReader)
                self._add_class(child, child, public=self._public(child), owner=info.name)
            elif self.lang in ("c", "cpp") and child.type in _PREPROC_BRANCHES:
                self._members(info, child)  # spdlog's `#ifndef __MINGW32__` enqueue
            elif (self.lang == "cpp" and child.type == "field_declaration"
                  and (spec := child.child_by_field_name("type")) is not None
                  and spec.type in ("class_specifier", "struct_specifier")
                  and spec.child_by_field_name("body") is not None):
                # a nested class or struct is a class of its own (Crow's CookieParser::Cookie)
                self._add_class(spec, child, owner=info.name)
            elif self.lang == "ruby" and child.type in ("class", "module") and (
                    body.parent is not None and body.parent.type != "module"
                    or "." in info.name):
                # rack's Request::Helpers holds the request's API (a module's own classes
                # and modules are visited as the file's: see visit)
                self._add_class(child, child, owner=info.name)
            elif (self.lang == "ruby" and child.type == "singleton_class"
                  and self.field(child, "value") == "self"):
                # `class << self`: its methods are the class's own, as `def self.x` is
                each = ClassInfo(name=info.name)
                self._members(each, self._body(child))
                info.methods += [method.model_copy(update={"name": f"self.{method.name}"})
                                 if "." not in method.name else method
                                 for method in each.methods]
            elif child.type in accepted and (method := self._function(child)) is not None:
                info.methods.append(method)
        if self.lang in _JS:  # a getter and its setter are one property
            info.methods = self._merge_by_name(info.methods)
        declared = {m.name for m in info.methods}
        for method in overriding:  # once each, unless the enum declares it itself
            if method.name not in declared:
                declared.add(method.name)
                info.methods.append(method)

    def _add_function(self, node: Node, anchor: Node, exported: bool = False) -> None:
        if (function := self._function(node, anchor)) is not None:
            self.functions.append(function)
            if exported and "::" not in function.name:
                self.exports.append(function.name)

    def _add_class(self, node: Node, anchor: Node, public: bool = False,
                   name: str = "", owner: str = "") -> None:
        """Record the class `node` defines (`owner.Name` when nested in class `owner`)."""
        spec: Node | None = node
        defines = True
        if node.type == "type_definition":  # C typedef: the name is the declarator
            spec = node.child_by_field_name("type")
            name = self._declarator(node.child_by_field_name("declarator"))[0]
        elif node.type.endswith("_specifier") and node.child_by_field_name("body") is None:
            return  # a forward declaration or a mere use of the type
        elif node.type == "type_alias":  # Kotlin: the new name is the `type` field
            name = self.field(node, "type")
        else:
            name = self.field(node, "name") or name
        if self.lang == "swift" and self.field(node, "declaration_kind") == "extension":
            # Adds to a type, maybe one defined elsewhere: its first mention stands for it.
            defines, public = name not in self.classes, False
        if name:
            if owner and self.lang == "ruby":  # `class Foo::Bar` or `module ::Top` inside
                name = name.replace("::", ".").lstrip(".")
            name = f"{owner}.{name}" if owner else name
            info = self._class(name, node, anchor, defines,
                               type_kind(node, spec, self.field(node, "declaration_kind")))
            self.exports += [name] if public else []
            if spec is not None:
                info.bases += self._bases(spec, [])
                self._members(info, self._body(spec))

    def _import(self, name: str, dependency: str = "") -> None:
        self.imports.append(name)
        self.deps.append(dependency)

    def visit(self, node: Node, anchor: Node, depth: int) -> None:
        kind, lang = node.type, self.lang
        if depth > _MAX_DEPTH:
            return
        if kind == "module" and lang == "ruby":
            self._add_class(node, anchor)
            body = node.child_by_field_name("body")
            # Ruby code lives inside namespace modules; their classes matter, nested defs not.
            for child in body.children if body is not None else ():
                if child.type in ("class", "module"):
                    self.visit(child, child, depth + 1)
        elif kind in _CONTAINERS or (lang == "shell" and kind in _SHELL_BLOCKS):
            body = node.child_by_field_name("body")
            if kind == "template_declaration" or body is None:
                children = node.children
            else:
                lists = ("declaration_list", "statement_block", "compound_statement")
                children = body.children if body.type in lists else [body]
            for child in children:
                self.visit(child, anchor if kind == "template_declaration" else child, depth + 1)
        elif lang in _JS:
            self._visit_js(node, anchor, depth)
        elif lang == "go":
            self._visit_go(node)
        elif lang == "rust":
            self._visit_rust(node, anchor)
        elif kind == "preproc_include":
            self._import(_unquote(self.field(node, "path")))
        elif lang in ("c", "cpp") and kind in ("function_definition", "declaration"):
            spec = node.child_by_field_name("type")  # `struct s {...} var;` defines s too
            if spec is not None and spec.type in _CLASSES:
                self._add_class(spec, anchor)
            static = self._has(node, "storage_class_specifier", "static")
            self._add_function(node, anchor, exported=not static)
        elif lang == "swift" and kind == "import_declaration":  # `import struct A.B` imports A.B
            self._import(self.text(next((c for c in node.named_children
                                         if c.type == "identifier"), None)))
        elif lang == "kotlin" and kind == "import":
            self._kotlin_import(node)
        elif kind == "import_declaration":  # Java
            self._import("".join(self.text(c) for c in node.children
                                 if c.type not in ("import", "static", ";")))
        elif kind == "using_directive" and node.named_children:  # C#: the last is the target
            self._import(self.text(node.named_children[-1]).removeprefix("global::"))
        elif kind == "namespace_use_declaration":
            self._php_uses(node)
        elif kind in _CLASSES or kind in _FUNCTIONS:
            self._definition(node, anchor)
        elif lang == "ruby" and kind == "call":
            args = node.child_by_field_name("arguments")
            if self.field(node, "method") in _RUBY_REQUIRES and (
                    args is not None and args.named_children):
                self._import(_unquote(self.text(args.named_children[0])))
        elif lang == "shell" and kind == "command" and self.field(node, "name") in ("source", "."):
            self._import(_unquote(self.field(node, "argument")))

    def _definition(self, node: Node, anchor: Node) -> None:
        """A class or function as most grammars write it (JavaScript's too)."""
        if node.type in _CLASSES:
            self._add_class(node, anchor, public=self._public(node))
        elif node.type in _FUNCTIONS:
            self._add_function(node, anchor, exported=self.lang in ("kotlin", "swift", "scala")
                               and self._public(node))

    def _public(self, node: Node) -> bool:
        """Whether a declaration is public API: Kotlin's and Scala's are unless marked
        otherwise, Swift's when `public` or `open`, the others' when `public`."""
        modifiers = next((c for c in node.children if c.type == "modifiers"), None)
        if self.lang == "scala":
            return modifiers is None or not any(
                c.type == "access_modifier" for c in modifiers.children)
        if self.lang in ("kotlin", "swift"):
            marks = modifiers.children if modifiers is not None else []
            visibility = next((self.text(c) for c in marks if c.type == "visibility_modifier"), "")
            return visibility in (("", "public") if self.lang == "kotlin" else ("public", "open"))
        return (self._has(modifiers, "public", "public") if modifiers is not None
                else self._has(node, "modifier", "public"))  # C#: modifiers unwrapped

    def _kotlin_import(self, node: Node) -> None:
        """`import a.b.C`, `import a.b.*`; `import a.b.C as D` imports a.b.C."""
        parts: list[str] = []
        for child in node.children[1:]:
            if child.type in ("as", ";"):
                break
            parts.append(self.text(child))
        self._import("".join(parts))

    def _php_uses(self, node: Node) -> None:
        """`use A\\B, C\\D as E;` and `use A\\{B, C};`: one import per name, in full."""
        group = node.child_by_field_name("body")
        prefix = ""
        if group is not None:
            prefix = "".join(self.text(c) + "\\" for c in node.named_children
                             if c.type == "namespace_name")
        for clause in (node if group is None else group).named_children:
            name = next((c for c in clause.named_children
                         if c.type in ("qualified_name", "namespace_name", "name")), None)
            if clause.type == "namespace_use_clause" and name is not None:
                self._import((prefix + self.text(name)).lstrip("\\"))

    def _specs(self, node: Node, *kinds: str) -> list[Node]:
        """Go specs, whether written singly or grouped in parentheses."""
        out: list[Node] = []
        for child in node.named_children:
            if child.type in kinds:
                out.append(child)
            elif child.type.endswith("_list"):
                out += [c for c in child.named_children if c.type in kinds]
        return out

    def _visit_go(self, node: Node) -> None:
        kind = node.type
        if kind == "import_declaration":
            for spec in self._specs(node, "import_spec"):
                path = _unquote(self.field(spec, "path"))
                parts = path.split("/")
                # The standard library never has a dot in its first path element.
                module = "/".join(parts[:3]) if parts[0] in _GO_HOSTS else path
                self._import(path, module if "." in parts[0] else "")
        elif kind == "function_declaration":
            self._add_function(node, node, exported=self.field(node, "name")[:1].isupper())
        elif kind == "method_declaration" and (method := self._function(node)) is not None:
            receiver = node.child_by_field_name("receiver")
            params = receiver.named_children if receiver is not None else []
            owner = re.sub(r"[*\s]|\[.*", "", self.field(params[0], "type")) if params else ""
            target = self._class(owner, node, node, False).methods if owner else self.functions
            target.append(method)
        elif kind == "type_declaration":
            for spec in self._specs(node, "type_spec", "type_alias"):
                self._go_type(node, spec)
        elif kind in ("var_declaration", "const_declaration"):
            for spec in self._specs(node, "var_spec", "const_spec"):
                names = (self.text(n) for n in spec.children_by_field_name("name"))
                self.exports += [n for n in names if n[:1].isupper()]

    def _go_type(self, declaration: Node, spec: Node) -> None:
        name = self.field(spec, "name")
        if not name:
            return
        shape = spec.child_by_field_name("type")
        info = self._class(name, spec, spec, kind=_GO_KINDS.get(
            shape.type if shape is not None else "", "type"))
        info.summary = info.summary or self._summary(declaration)
        self.exports += [name] if name[:1].isupper() else []
        members = shape.named_children if shape is not None else []
        if shape is not None and shape.type == "interface_type":
            info.methods += [m for c in members
                             if c.type == "method_elem" and (m := self._function(c)) is not None]
            info.bases += [self.text(c) for c in members if c.type == "type_elem"]
        elif shape is not None and shape.type == "struct_type":
            for fields in members:  # embedded (unnamed) fields act as bases
                info.bases += [self.field(f, "type").lstrip("*") for f in fields.named_children
                               if f.type == "field_declaration"
                               and f.child_by_field_name("name") is None]

    def _visit_rust(self, node: Node, anchor: Node) -> None:
        kind = node.type
        public = self._has(node, "visibility_modifier", "pub")  # pub(crate) is not public API
        if kind == "use_declaration":
            path = _SPACE.sub(" ", self.field(node, "argument"))
            first = re.split(r"::|[\s{]", path.lstrip(":"), maxsplit=1)[0]
            self._import(path, "" if first in _RUST_LOCAL else first)
        elif kind == "extern_crate_declaration":
            self._import(self.field(node, "name"), self.field(node, "name"))
        elif kind == "impl_item":
            target = node.child_by_field_name("type")
            if target is not None and target.type == "generic_type":
                target = target.child_by_field_name("type")
            if name := self.text(target):
                info = self._class(name, node, node, defines=False)
                info.bases.append(self.field(node, "trait"))
                self._members(info, node.child_by_field_name("body"))
        elif kind in _CLASSES:
            self._add_class(node, anchor, public=public)
        elif kind in _FUNCTIONS:
            self._add_function(node, anchor, exported=public)
        elif kind in ("const_item", "static_item", "mod_item") and public:
            self.exports.append(self.field(node, "name"))

    def fold_qualified(self) -> list[Function]:
        """Move C++ `Class::method` definitions into their class; a name defined again (a
        prototype then its definition, TS overloads) is one function."""
        kept: list[Function] = []
        for function in self.functions:
            owner, _, method = function.name.rpartition("::")
            info = self.classes.get(owner.rpartition("::")[2]) if owner else None
            if info is None:
                kept.append(function)
            elif all(m.name != method for m in info.methods):
                info.methods.append(function.model_copy(update={"name": method}))
        return self._merge_by_name(kept)

    @staticmethod
    def _merge_by_name(functions: Iterable[Function]) -> list[Function]:
        """Same name, one entry: the first, with each summary they have (a prototype and its
        definition say it once; CLI11's `ltrim` overloads trim whitespace, and anything)."""
        merged: dict[str, Function] = {}
        for function in functions:
            if (same := merged.setdefault(function.name, function)) is not function and (
                    function.summary and function.summary not in same.summary
                    and not same.summary.endswith("…")):
                same.summary = comments.clip(f"{same.summary} {function.summary}".strip(),
                                             2 * comments.SUMMARY_MAX)
        return list(merged.values())
