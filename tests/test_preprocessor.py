"""Blanking what a parser cannot read in C, C++ and C#, and the outlines it rescues."""

from __future__ import annotations

import textwrap

import pytest

from codequery.documenters import preprocessor
from tests.helpers import names, outline_source


def _blanked(function, source: str) -> str:
    before = textwrap.dedent(source).lstrip("\n").encode()
    after = function(before)
    assert len(after) == len(before) and after.count(b"\n") == before.count(b"\n")
    return after.decode()


@pytest.mark.parametrize("line,kept", [
    ("NLOHMANN_JSON_NAMESPACE_BEGIN", ""),
    ("GTEST_IMPL_CMP_HELPER_(NE, !=)", ""),
    ("SPDLOG_INLINE void logger::flush() {", "void logger::flush() {"),
    ("GTEST_API_ JSON_HEDLEY_PURE bool f();", "bool f();"),
    ("class YAML_CPP_API Node {", "class Node {"),
    ("class GTEST_API_ [[nodiscard]] AssertionException", "class [[nodiscard]] AssertionException"),
    ("backtracer::backtracer(backtracer &&other) SPDLOG_NOEXCEPT {",
     "backtracer::backtracer(backtracer &&other) {"),
    # not declarations: left alone
    ("    GTEST_CHECK_(parameter_ != nullptr)", "    GTEST_CHECK_(parameter_ != nullptr)"),
    ("#define FMT_API", "#define FMT_API"), ("return MAX_SIZE;", "return MAX_SIZE;"),
    ("    x = f(MAX_SIZE);", "    x = f(MAX_SIZE);"), ("  LAST,", "  LAST,"),
    ("Point p;", "Point p;"), ("// FMT_BEGIN_NAMESPACE", "// FMT_BEGIN_NAMESPACE"),
    # upper-case type names, which a parser reads right as they are
    ("YY_BUFFER_STATE yy_scan(const char *s);", "YY_BUFFER_STATE yy_scan(const char *s);"),
    ("LARGE_INTEGER get_time(void) {", "LARGE_INTEGER get_time(void) {"),
    ("typedef struct FOO_BAR FOO_BAR;", "typedef struct FOO_BAR FOO_BAR;"),
    ("struct MD5_CTX ctx_new(void) {", "struct MD5_CTX ctx_new(void) {"),
    ("class FOO_BAR final : Base {", "class FOO_BAR final : Base {"),
    ("class YAML_CPP_API Node final {", "class Node final {"),
    # export macros with arguments
    ("struct FTXUI_EXPORT(DOM) Canvas {", "struct Canvas {"),
    ("FTXUI_EXPORT(COMPONENT) Component Input(InputOption option = {});",
     "Component Input(InputOption option = {});"),
    ("    ASSERT_EQ(a, b) << f(x);", "    ASSERT_EQ(a, b) << f(x);"),
])
def test_macros_that_hide_declarations_are_blanked(line, kept):
    blanked = preprocessor.blank_macros(line.encode()).decode()
    assert len(blanked) == len(line) and blanked.split() == kept.split()


def test_the_first_branch_of_a_conditional_is_kept_without_its_directives():
    source = """
        #if NET8_0
        void A() {
        #elif NET6_0
        void B() {
        #else
        #if DEBUG
        void C() {
        #endif
        #endif
          #if X
          x();
          #endif
        }
    """
    assert _blanked(preprocessor.blank_alternatives, source).split() == [
        "void", "A()", "{", "x();", "}"]


def test_an_endif_without_its_if_leaves_the_rest_alone():
    assert _blanked(preprocessor.blank_alternatives, "#endif\nvoid f();\n#else\ng();\n"
                    ).split() == ["#endif", "void", "f();", "#else", "g();"]


def test_a_header_inside_a_namespace_macro_is_outlined():
    # tree-sitter read the macro as a function whose body was the rest of the file
    doc = outline_source("cpp", """
        #include <vector>
        NLOHMANN_JSON_NAMESPACE_BEGIN
        namespace detail {
        /// A SAX parser for JSON text.
        template<typename BasicJsonType>
        class JSON_API parser {
          public:
            /// Parse the whole input.
            void parse(const bool strict) SPDLOG_NOEXCEPT;
        };
        SPDLOG_INLINE bool accept(int x) { return x > 0; }
        }  // namespace detail
        NLOHMANN_JSON_NAMESPACE_END
    """)
    (parser,) = doc.classes
    assert (parser.name, parser.summary) == ("parser", "A SAX parser for JSON text.")
    assert names(parser.methods) == ["parse"]
    assert parser.methods[0].signature == "void parse(const bool strict)"
    assert names(doc.functions) == ["accept"]
    assert doc.functions[0].line == 11
    assert doc.notes == []


def test_a_csharp_method_under_if_else_is_outlined_once():
    doc = outline_source("csharp", """
        namespace Serilog.Capturing;

        class PropertyBinder
        {
            /// <summary>Create properties from the values given.</summary>
        #if FEATURE_SPAN
            public EventProperty[] ConstructProperties(ReadOnlySpan<object?> values)
        #else
            public EventProperty[] ConstructProperties(object?[] values)
        #endif
            {
                return NoProperties;
            }

            EventProperty[] ConstructPositionalProperties(MessageTemplate template) => [];
        }
    """)
    (binder,) = doc.classes
    assert names(binder.methods) == ["ConstructProperties", "ConstructPositionalProperties"]
    assert binder.methods[0].signature.endswith("ConstructProperties(ReadOnlySpan<object?> values)")
    assert doc.notes == []


def test_crlf_lines_are_blanked_too():
    source = b"FMT_BEGIN_NAMESPACE\r\nvoid f() SPDLOG_NOEXCEPT\r\n{}\r\n"
    blanked = preprocessor.blank_macros(source)
    assert len(blanked) == len(source) and blanked.split() == [b"void", b"f()", b"{}"]


def test_comments_are_read_as_written():
    # zlib.h's style: macro names at the start of a comment's lines
    doc = outline_source("c", """
        /*
           Z_OK is returned on success,
           Z_BUF_ERROR if the buffer was too small.
        */
        int compress(char *dest, const char *source);
    """)
    assert doc.functions[0].summary == (
        "Z_OK is returned on success, Z_BUF_ERROR if the buffer was too small.")


def test_a_blanked_directive_does_not_part_a_doc_comment_from_its_class():
    doc = outline_source("csharp", """
        namespace Polly.CircuitBreaker;

        /// <summary>Thrown when a circuit is broken.</summary>
        #if !NETCOREAPP
        [Serializable]
        #endif
        public class BrokenCircuitException : Exception {}
    """)
    (broken,) = doc.classes
    assert broken.summary == "Thrown when a circuit is broken."
    assert doc.overview == ""


def test_c_ifdef_and_ifndef_branches_are_alternatives_too():
    source = """
        #ifdef GUNZIP
        if (gzip(x) ||
        #else
        if (
        #endif
            bad(x)) {
    """
    assert _blanked(preprocessor.blank_alternatives, source).split() == [
        "if", "(gzip(x)", "||", "bad(x))", "{"]


def test_a_c_file_split_by_ifdef_inside_a_body_is_read_again_with_first_branches():
    # zlib's inflate.c: conditions opened or cut under #ifdef hid inflate() and every
    # function after it from the parser
    doc = outline_source("c", """
        int inflateReset(z_streamp strm) { return 0; }

        int inflate(z_streamp strm, int flush) {
            for (;;)
                switch (state->mode) {
                case HEAD:
        #ifdef GUNZIP
                    if ((state->wrap & 2) && hold == 0x8b1f) {
                        break;
                    }
                    if (!(state->wrap & 1) ||
        #else
                    if (
        #endif
                        ((BITS(8) << 8) + (hold >> 8)) % 31) {
                        strm->msg = (char *)"incorrect header check";
                        break;
                    }
                case CHECK:
                    if (state->wrap) {
                        if ((state->wrap & 4) && (
        #ifdef GUNZIP
                             state->flags ? hold :
        #endif
                             ZSWAP32(hold)) != state->check) {
                            break;
                        }
                    }
                }
            return 0;
        }

        /* Search buf[0..len-1] for the pattern: 0, 0, 0xff, 0xff. */
        static unsigned syncsearch(unsigned *have, const unsigned char *buf) { return 0; }

        int inflateSync(z_streamp strm) { return syncsearch(0, 0); }
    """)
    assert names(doc.functions) == ["inflateReset", "inflate", "syncsearch", "inflateSync"]
    assert doc.functions[2].summary == "Search buf[0..len-1] for the pattern: 0, 0, 0xff, 0xff."
    assert doc.functions[3].line == 36


def test_a_second_reading_never_loses_what_the_first_found():
    # the #else branch defines the POSIX functions: taking first branches would lose them;
    # the block the parser gives up on (3 lines) is what makes it read the file again
    doc = outline_source("c", """
        #ifdef _WIN32
        int open_file(const char *p) { return win_open(p); }
        #else
        int open_file(const char *p) { return open(p); }
        int close_file(int fd) { return close(fd); }
        #endif
        int broken(
            {
                x;
            }
    """)
    assert {"open_file", "close_file"} <= set(names(doc.functions))
