"""Which language a file is written in, from its name or its shebang line."""

from __future__ import annotations

import re

from codequery.lazy_re import lazy

_BY_SUFFIX = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".rs": "rust", ".java": "java",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp",
    # C++20's module units
    ".ixx": "cpp", ".cppm": "cpp", ".c++": "cpp", ".h++": "cpp",
    ".rb": "ruby", ".rake": "ruby",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell",
    ".md": "markdown", ".markdown": "markdown", ".rst": "rst", ".txt": "text",
    ".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".ini": "ini",
    ".cfg": "ini", ".xml": "xml", ".html": "html", ".htm": "html", ".css": "css",
    ".scss": "css", ".sql": "sql", ".kt": "kotlin", ".kts": "kotlin", ".swift": "swift",
    ".php": "php", ".cs": "csharp", ".lua": "lua", ".pl": "perl", ".r": "r", ".scala": "scala",
    ".ex": "elixir", ".exs": "elixir",
    ".ps1": "powershell", ".psm1": "powershell", ".psd1": "powershell",
    # scanner and grammar sources that flex and bison (lex, yacc) turn into C or C++
    ".l": "lex", ".lex": "lex", ".y": "yacc", ".yy": "yacc",  # not .ll: LLVM's IR
    # outlined line by line (documenters/by_lines.py); `.m` is Objective-C's or MATLAB's,
    # told apart by Objective-C's marks (of_content)
    ".dart": "dart", ".hs": "haskell", ".zig": "zig", ".m": "objc", ".mm": "objc",
    ".pm": "perl", ".erl": "erlang", ".hrl": "erlang", ".clj": "clojure",
    ".cljs": "clojure", ".cljc": "clojure", ".ml": "ocaml", ".mli": "ocaml",
    ".mll": "ocaml", ".mly": "ocaml",  # ocamllex and Menhir: OCaml around the rules
    ".fs": "fsharp", ".fsi": "fsharp", ".fsx": "fsharp", ".jl": "julia",
    ".groovy": "groovy", ".elm": "elm", ".nim": "nim", ".sol": "solidity",
    ".proto": "protobuf", ".graphql": "graphql", ".gql": "graphql",
    ".tl": "lua",  # Teal: typed Lua, outlined as Lua
    ".vue": "vue", ".svelte": "svelte",  # components: their `<script>` is outlined
}
# A template's or an inline function's implementation, included at the end of its header
# (Boost's `impl/serialize.ipp`): C++ (see ranking._FRAGMENT).
CPP_FRAGMENTS = (".ipp", ".tpp", ".inl", ".tcc", ".txx")
_BY_SUFFIX.update(dict.fromkeys(CPP_FRAGMENTS, "cpp"))
_BY_NAME = {
    "Makefile": "make", "makefile": "make", "GNUmakefile": "make", "Dockerfile": "dockerfile",
    "Rakefile": "ruby", "Gemfile": "ruby", "CMakeLists.txt": "cmake",
}
# A file that a build makes into another by filling in its placeholders (CMake's
# configure_file, autoconf: `gflags.h.in`), or that ships as the model of one
# (`phpunit.xml.dist`, `.env.sample`): it is written as the file it stands for.
_STANDS_FOR = lazy(r"(?<=.)\.(in|dist|sample)$", re.IGNORECASE)
_SHEBANG = {"python": "python", "python3": "python", "sh": "shell", "bash": "shell",
            "zsh": "shell", "node": "javascript", "ruby": "ruby"}


def stands_for(path: str) -> str:
    """The file a template or a model stands for (`src/gflags.h.in` -> src/gflags.h,
    `phpunit.xml.dist` -> phpunit.xml, `.env.sample` -> .env); any other path as it is."""
    return _STANDS_FOR.sub("", path)


def detect(path: str, head: bytes = b"") -> str:
    # String operations, not PurePosixPath: the reconciler asks for every tracked path.
    name = stands_for(path.rsplit("/", 1)[-1])
    if name in _BY_NAME:
        return _BY_NAME[name]
    dot = name.rfind(".")
    suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if head.startswith(b"#!"):
        words = head[2:].split(b"\n", 1)[0].decode(errors="replace").split()
        if words:
            program = words[1] if words[0].endswith("/env") and len(words) > 1 else words[0]
            return _SHEBANG.get(program.rsplit("/", 1)[-1], "text")
    return "text"


# C++ in a `.h` file: the C grammar reads namespaces, classes and `a::b` as syntax errors.
_C_COMMENT = lazy(r"/\*.*?\*/|//[^\n]*", re.S)
_CPP_HEADER = lazy(r"\w::~?\w|^\s*(?:namespace\s+[\w:]*\s*\{|template\s*<"
                   r"|class\s+\w+\s*(?:final\s*)?[:{]|(?:public|private|protected)\s*:"
                   r"|using\s+namespace\b|enum\s+class\b)|\bconstexpr\b", re.M)


def of_header(text: str) -> str:
    """"cpp" for a `.h` file written in C++ (comments aside), else "c"."""
    return "cpp" if _CPP_HEADER.search(_C_COMMENT.sub(" ", text[:256 * 1024])) else "c"


# What only Objective-C of the two languages that write `.m` files has (MATLAB the other).
_OBJC_MARK = lazy(r"^\s*(?:@(?:interface|implementation|protocol|import)\b|#import\b"
                  r"|#include\b)", re.MULTILINE)


def of_content(path: str, data: bytes) -> str:
    """The language of a file's bytes: its name and shebang (`detect`), for a `.h` file
    whether it is written in C++, for a `.m` file whether it is MATLAB (no Objective-C
    marks). What a documenter is told and a record keeps."""
    language = detect(path, data[:200])
    if language == "c" and stands_for(path).endswith(".h"):
        return of_header(data[:256 * 1024].decode("utf-8", "replace"))
    if language == "objc" and stands_for(path).endswith(".m") and not _OBJC_MARK.search(
            data[:256 * 1024].decode("utf-8", "replace")):
        return "matlab"
    return language


def suffixes_of(*names: str) -> tuple[str, ...]:
    """The file suffixes read as these languages (`suffixes_of("c")` -> .c, .h)."""
    return tuple(suffix for suffix, language in _BY_SUFFIX.items() if language in names)
