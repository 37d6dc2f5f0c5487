"""Ordering full-text matches the way a reader would: the final word on a result's place.

SQLite's bm25, with a weight per column, measures how well a file's words answer the
question; a file named for what is asked gets a little more; what the file is (its kind,
from its path) then decides between equals:
source first; then type declarations and examples; tool settings; docs and tests;
fixtures; with changelogs and bundles last. Other
signals were measured on bench/search_quality.py and left out where they did not help
(a bonus for files with more of the question's words favoured large files that mention
everything; expanding abbreviations drowned questions in `req` and `err`).
Standard library only.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from itertools import islice, takewhile

from codequery import defaults, languages
from codequery.lazy_re import lazy
from codequery.printable import printable
from codequery.proximity import BODY_LINES
from codequery.search_text import (
    CODE_FOLDERS,
    Term,
    asked_forms,
    file_stem,
    forms,
    in_tooling_folder,
    is_csharp_interface,
    is_signature,
    is_typings,
    major,
    split_identifier,
    tested_name,
    without_extension,
    words_of,
)

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any

# bm25 weights in the FTS column order (path_words, symbols, overview_words, docstrings,
# terms): what a file declares and says of itself counts for more than a word it uses.
COLUMNS = ("path_words", "symbols", "overview_words", "docstrings", "terms")
WEIGHTS = (6.0, 8.0, 3.0, 2.0, 1.0)
# The words a file uses (`terms`) are ranked apart from what it says of itself, each with
# its own word rarity (see Store._described_and_used), and weigh this much more. Measured
# on bench/search_quality.py (275 questions, 17 repositories): 1 gave top-3 88%, 2 91%,
# 3 92% (MRR 0.83, the best), 5 91%, 8 88%; the column weights above moved nothing.
# Measured again on 470 questions, 30 repositories (the four held out until then
# included): 2 top-3 92%, 3 93%, 3.5 and 4 94% with every language at 90% or more
# (4: Kotlin MRR 0.88 -> 0.90, Ruby 0.82 -> 0.84; Rust 0.84 -> 0.82), 4.5 and 5 93%.
USED_WEIGHT = 4.0
# Tests repeat the words of what they test, type declarations the documentation of what
# they type, and changelogs and bundles repeat everything: for the same match, they come
# after the source.
# Docs at 0.45 rather than 0.6: on bench/search_quality.py (410 questions) top-3 in Go
# 97% -> 100%, MRR in Python 0.88 -> 0.90 and C++ 0.83 -> 0.84, no language lower. At 0.3
# rather than 0.45 (2,525 questions): 25 better (jotai's storage atom 5 -> 2, got's promise
# interface 8 -> 5), 2 worse (cobra's doc generators, code in a `doc/` folder, now source);
# 0.25 and 0.35 the same, 0.55 lower; the held-out questions 2 -> 1 once, none lower.
KIND_FACTORS = {"source": 1.0, "declarations": 0.6, "docs": 0.3, "example": 0.6,
                "config": 0.5, "test": 0.45, "fixture": 0.35, "meta": 0.25, "generated": 0.2}
# A file named for what the question is about: score times 1 + NAME_BONUS x the share of
# the name's words asked for. Measured on bench/search_quality.py: 0.2 to 1.0 all raised
# top-3 from 85% to 87% (no language lost); 0.3 gave the best MRR (0.77 -> 0.80).
NAME_BONUS = 0.3
# See _tests_speak_for_their_subjects. Measured on bench/search_quality.py (320
# questions): 0.5 no change, 0.7 and 0.9 top-3 91% -> 92% (Ruby 85 -> 88, Rust 91 -> 94),
# no language's top-3 lower.
TESTED_SHARE = 0.7
# See _namesakes_by_folder. Measured on bench/search_quality.py: 0.2 to 0.5 raised Rust
# (reqwest's async/blocking/wasm twins) from top-3 94% to 97%, MRR 0.79 to 0.82-0.84, no
# other language changed; 1.0 lost Kotlin.
NAMESAKE_BONUS = 0.35
# A name typed as code (`make_context`, `c.Next`) that a source file defines: score
# times 1 + DEFINES_BONUS x the share of such names the file defines. Enough for gin's
# context.go, which defines `Next` among a hundred names, to come before a small file
# that only says "next"; plain words are not affected. Not for examples and tests,
# unless asked for: there the name is a sample (flask's tutorial defines the
# `create_app` that cli.py looks for; on bench/search_quality.py Python MRR 0.90 -> 0.92,
# flask's held-out set top-3 87% -> 93%, nothing lower).
DEFINES_BONUS = 3.0
# ... from at most this many candidates. Measured on bench/search_quality.py (2,300
# questions): 4 better (NSubstitute's "default ToString of a fake" None -> 1, winston's
# `winston.info()` 2 -> 1), 1 worse (5 -> 6); on 120 new questions looked at, FakeItEasy's
# strict fake and object members None -> 3, where every `ToString` override had come
# first; 1/definers instead of a cut lifted them to 4 and 7 only.
DEFINERS_MAX = 2
# A question that is one name (`RulesEngine`, `Formik`, `footnote`; not a prefix) asks for
# the file of that name, as a file finder would: the source files so named come first,
# in their order, when at most this many are so named (`index` and `utils` name a file in
# many folders: no one of them is meant); then, for a name typed as code (`parseArgs`,
# `_url_replace`), the files that define it, as "go to definition" would, when at most
# this many do (picocli's 20,000-line CommandLine.java, which short files calling
# `parseArgs` had kept out of the candidates). Measured by bench/known_items.py over 338
# of the bench's repositories (3,379 defined names asked alone, seed 7): top-1 94.9% ->
# 95.1% for the files so named (commonmark's `Footnote` 9 -> 1, Dancer2's `Dancer2` from
# out of the top 10; worse where a class's file and a method elsewhere share the name:
# guzzle's `setCookie` gives `SetCookie.php` first), 95.4% with the defining files. The
# bench's questions (none is one name) are unchanged.
NAMED_FILES_MAX = 2
# Ports to one platform (libuv's `src/unix/aix.c`, zlib's `os400/`, curl's `projects/vms/`)
# do the whole API again in their own way and so match almost any question: unless the
# question names the platform, they score this share. Measured on bench/search_quality.py
# (1,865 questions): 2 ranks better (libuv's proctitle.c 8 -> 6, zlib's gzlib.c into the
# top 3), none worse; the common platforms too (windows, linux, unix, posix): no better.
PORT_FACTOR = 0.7
# A question that names a major version of its language ("On Scala 3, how ...") is not
# about another version's source set (fastparse's `src-2/` beside `src-3/`, circe's
# `scala-2/`, see _other_version): those files score this share. Measured on the 500 kept
# repositories of bench/search_quality.py and bench/holdout (7,690 questions; 19 name a
# version): fastparse 5 -> 3 and 4 -> 2, mainargs 2 -> 1, json4s 3 -> 2, none worse;
# Scala top-3 87.6% -> 89.3%. At 0.7, one of those; at 0.5, two.
VERSION_FACTOR = 0.3
_PORTS = frozenset({
    "aix", "os390", "os400", "zos", "ibmi", "vms", "openvms", "sunos", "solaris", "illumos",
    "haiku", "qnx", "cygwin", "msys", "mingw", "hurd", "dragonfly", "freebsd", "openbsd",
    "netbsd", "kfreebsd", "bsd", "darwin", "android", "ios", "tvos", "watchos", "amiga",
    "amigaos", "riscos", "msdos", "djgpp", "os2", "beos", "symbian", "plan9", "nacl",
    "emscripten", "wasi", "vxworks", "minix", "aros", "morphos", "nonstop", "tandem"})
# A module's root file (Rust's `mod.rs` and `lib.rs`, Deno's `mod.ts`) holds the docs of the
# whole module (`//!`) and its re-exports, so it matches most questions about the module;
# the file of the part asked about comes first: such a root file scores this share.
# Measured on bench/search_quality.py (1,865 questions): 12 Rust questions ranked better
# (axum's `path/de.rs` before `path/mod.rs`), none worse; Rust MRR 0.79 -> 0.83, top-1
# 65% -> 72%; 0.6 0.81, 0.7 0.82, 0.9 0.80. `index.*` and `__init__.py` too: no better.
# On six repositories held out, clap's top-3 73% -> 80%, nothing else moved.
MODULE_ROOT_FACTOR = 0.8
_MODULE_ROOTS = frozenset({"mod", "lib"})
# An entry point that only re-exports (graphql-js's `src/index.ts` and `src/type/index.ts`,
# lists of `export ... from`; an `__init__.py` of imports) names every part of its
# package, so it matches a question about any of them: it scores this share. Not an
# `index.ts` with code of its own (got's `source/core/index.ts`), nor one of data (winston's
# levels in `config/index.js`). Measured on bench/search_quality.py (2,300 questions): 3
# better (valibot's issue builder 8 -> 5), none worse; 0.4 the same, 0.75 one worse. On
# 120 new questions looked at, 4 graphql-js questions one or two ranks better.
REEXPORTS_FACTOR = 0.6
REEXPORTS_SLACK = 20
_ENTRY_POINTS = frozenset({"index", "__init__"})
# A C header declares and documents what `.c` files do, often under other names than its
# own (libevent's `include/event2/dns.h` for `evdns.c`, `zlib.h` for `compress.c`), so it
# matches the question as well as the code: it scores this share. A C++ header too, unless
# the code is in headers (a header-only library: fewer than one `.cpp` for every
# HEADERS_PER_IMPLEMENTATION headers among the source candidates). Measured on
# bench/search_quality.py: C 14 questions better, none worse (MRR 0.77 -> 0.79); C++ 26
# better, 7 worse (glog, whose API is macros in headers; MRR 0.796 -> 0.804); 0.7 lost a C
# question from the top 3. Every C++ header alike cost cereal (header-only, held out)
# 2 of 15 from the top 3; with the header-only test, nothing held out moved.
C_HEADER_FACTOR = 0.8
HEADERS_PER_IMPLEMENTATION = 2
# ... unless the question asks for what a header holds ("which macros define a flag",
# "where is the struct defined"): then a header keeps its own score, after its
# implementation (see _implementations_with_headers). Measured on bench/search_quality.py
# (2,180 questions): 3 better (snappy's stubs header 3 -> 1, gflags.h.in 4 -> 2, glog's
# logging.h 2 -> 1), none worse; the held-out sets unchanged.
_DECLARATION_WORDS = frozenset({
    "struct", "structs", "macro", "macros", "typedef", "typedefs", "enum", "enums",
    "prototype", "prototypes", "declared", "declares", "declaration", "declarations",
    "constant", "constants", "interface", "interfaces"})
# A question that names a platform ("launched ... on Unix") is not about another's port of
# the same code (ninja's `subprocess-win32.cc` beside `subprocess-posix.cc`): files named
# for the other platform family score PORT_FACTOR. Measured on bench/search_quality.py
# (2,180 questions): libuv's async wake-up "on unix" 4 -> 3, none worse; on 120 new
# questions looked at, ninja's subprocess-posix.cc 3 -> 1.
_UNIX_FAMILY = frozenset({"unix", "posix", "linux", "darwin", "macos", "mac", "osx", "bsd",
                          "freebsd"})
_WINDOWS_FAMILY = frozenset({"windows", "win", "win32", "win64", "nt", "msvc", "mingw"})
# An implementation split by platform (`subprocess-posix.cc`, `thread_win32.c`) implements
# the header without the suffix (`subprocess.h`) when there is no plain `subprocess.cc`.
_PLATFORM_SUFFIX = lazy(r"[-_](" + "|".join(sorted(
    _UNIX_FAMILY | _WINDOWS_FAMILY | {"android", "ios", "wasm", "emscripten"})) + r")$", re.I)
# Scripts in a repository written in another language (ninja's `misc/*.py` and
# `configure.py` beside its C++) are tooling around the code: a script language with
# under MINORITY_SHARE of the source files, where one language has most of them, scores
# MINORITY_FACTOR unless the question names it or asks for a script. Measured on
# bench/search_quality.py (2,180 questions): none changed (JavaScript in a TypeScript
# repository too lost msw's service worker, so it is not a script here); on the held-out
# sets, monero 2 ranks better, and on new questions looked at ninja's jobserver.cc 2 -> 1.
MINORITY_SHARE = 0.1
MINORITY_FACTOR = 0.8
_SCRIPT_LANGUAGES = frozenset({"python", "shell", "perl", "ruby"})
# One language's messages (`translations/de/de.go`, `locales/fr.ts`, `i18n/src/ru.ts`) say
# what every other language's say, so a question about messages meets them all: unless
# the question names the language, they score this share, as ports do. Measured on
# bench/search_quality.py: no change (1,865 questions); on 90 new ones looked at,
# go-playground/validator's validator.go 8 -> 4 (three translations had come first) and
# its English translations 3 -> 2.
LOCALE_FACTOR = 0.7
# A port of the library to another language, in a folder named for that language
# (bullmq's `rust/src/worker.rs`, `python/bullmq/worker.py`, `dotnet/src/BullMQ/Worker.cs`
# beside its TypeScript `src/classes/worker.ts`; flatbuffers' `python/`, `rust/`), says
# what the original says in its own words: unless the question names the language (see
# search_text.languages_named), it scores LANGUAGE_PORT_FACTOR. Only where two or more
# such top folders are among the candidates (a Rust library's one `python/` package or a
# `js/` wrapper is its public face, not a port); only a file in its folder's language
# (family: TypeScript and JavaScript are one, C and C++), not in the family most source
# files are in (a Neovim plugin's code is all under `lua/`); only a top folder (not
# Maven's `src/main/kotlin/`).
# Measured on bench/search_quality.py's C#, Java, Rust, Lua and TypeScript and 22 more
# repositories (2,894 questions): 7 better (on the new questions looked at, bullmq's
# TypeScript 4 times from 4th to 2nd), none worse; the holdout (2,280): flatbuffers 4
# better (3 into the top 3: its verifier 8 -> 3), none worse. 0.35 the same.
LANGUAGE_PORT_FACTOR = 0.5
PORT_FOLDERS_MIN = 2
# A top folder's name -> the family of the language a port in it is written in.
_LANGUAGE_FOLDERS = {
    "rust": "rust", "python": "python", "py": "python", "elixir": "elixir",
    "dotnet": "csharp", "csharp": "csharp", "cs": "csharp", "net": "csharp", "go": "go",
    "golang": "go", "java": "java", "kotlin": "kotlin", "ruby": "ruby", "php": "php",
    "swift": "swift", "dart": "dart", "lua": "lua", "js": "javascript",
    "javascript": "javascript", "node": "javascript", "nodejs": "javascript",
    "ts": "javascript", "typescript": "javascript", "cpp": "c", "objc": "c",
    "objectivec": "c", "scala": "scala", "haskell": "haskell", "perl": "perl",
    "erlang": "erlang", "ocaml": "ocaml", "julia": "julia", "zig": "zig", "nim": "nim",
    "clojure": "clojure"}
# Languages written together, as one family (see _family).
_FAMILIES = {"typescript": "javascript", "tsx": "javascript", "cpp": "c", "objc": "c",
             "fsharp": "csharp"}
_LOCALE_FOLDERS = frozenset({
    "i18n", "l10n", "locale", "locales", "translations", "translation", "lang", "langs",
    "languages", "localization", "localisation", "localizations", "nls"})
# A file named as a language (`de`, `pt_BR`, `zh-CN`): an ISO 639-1 code, not one that code
# more often names something by (`io`, `os`, `id`, `ts`).
_LANGUAGE_CODE = lazy(r"^([a-z]{2})(?:[_-][A-Za-z]{2,4})?$")
_ISO_639_1 = (
    "aa ab af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
    "ht hu hy hz ia ie ig ii ik is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky "
    "la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
    "ny oc oj om or pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
    "ss st su sv sw ta te tg th ti tk tl tn to tr tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu")
_LANGUAGES = frozenset(_ISO_639_1.split())
# Question words that name a language of messages by its code.
_LANGUAGE_NAMES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
    "russian": "ru", "chinese": "zh", "japanese": "ja", "korean": "ko", "portuguese": "pt",
    "dutch": "nl", "polish": "pl", "turkish": "tr", "arabic": "ar", "swedish": "sv"}
# Question words that name ports by another name.
_PORT_NAMES = {"mac": {"darwin"}, "macos": {"darwin"}, "osx": {"darwin"},
               "ibm": {"aix", "os390", "os400", "zos", "ibmi"}, "iseries": {"os400", "ibmi"}}
# Kinds where a definition is a sample, not the thing asked about (unless tests are),
# and bundles, which define everything again.
SAMPLE_KINDS = frozenset({"test", "fixture", "example"})
_SAYS_NOTHING = frozenset({"index", "mod", "lib", "main", "init", "util", "utils", "core",
                           "common", "base", "helpers", "misc"})
# Names that say nothing of what a file does, folders included.
GENERIC_NAMES = _SAYS_NOTHING | CODE_FOLDERS
SNIPPET_CHARS = 160

_WORD = lazy(r"[^\W\d][\w$]*|\$[\w$]*")


# The number of results a search is ranked for at least (`codequery search`'s default).
DEFAULT_LIMIT = defaults.SEARCH_LIMIT


def candidates_for(limit: int) -> int:
    """How many of the best bm25 matches to rank for `limit` results: enough for the kind
    of a file to reorder equals, and never fewer than the default limit gets, so that a
    smaller limit shows the same first results."""
    return max(limit, DEFAULT_LIMIT) * 3 + 30


class Candidate:
    """A record and its score (a plain class: a search does not import dataclasses)."""

    __slots__ = ("row", "score")

    def __init__(self, row: dict[str, Any], score: float) -> None:
        self.row, self.score = row, score

    def __repr__(self) -> str:
        return f"Candidate(row={self.row!r}, score={self.score!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Candidate) and self.row == other.row
                and self.score == other.score)

    __hash__ = None  # mutable, as a dataclass is


def rank(rows: list[dict[str, Any]], bm25: dict[int, float], terms: list[Term],
         tests_first: bool, languages: dict[str, float] | None = None,
         named: frozenset[str] = frozenset(), tooling_is_code: bool = False,
         asked_files: Sequence[Sequence[int]] = (),
         versions: frozenset[tuple[str, str]] = frozenset()) -> list[Candidate]:
    """Candidates best first. `rows` carry `id`, `path`, `kind`, `language` and `doc` (the
    record's document as JSON); `bm25` maps row id to SQLite's (negative) bm25;
    `languages`, each language's share of the dataset's source files; `named`, the
    language families the question names (see search_text.languages_named);
    `tooling_is_code`: the code in the development scripts' folders is the project's own
    (see tooling_is_code), and their code files are ranked, and shown, as source;
    `asked_files`: for a question of one name, the ids of the files it asks for, in
    groups, the first first (see spoken_for.asked_by_name and NAMED_FILES_MAX);
    `versions`: the languages and major versions the question names (see
    search_text.versions_named and _other_version)."""
    if tooling_is_code:
        for row in rows:
            if (row["kind"] == "config" and in_tooling_folder(row["path"])
                    and row.get("language") not in DATA_LANGUAGES):
                row["kind"] = "source"
    wanted, short = wanted_forms(terms), _abbreviations(terms)
    ranked = [Candidate(row, -bm25[row["id"]]
                        * (1 + NAME_BONUS * _named_for(row["path"], wanted, short))
                        * (1.0 if tests_first and row["kind"] in ("test", "fixture", "example")
                           else KIND_FACTORS.get(row["kind"], 1.0)))
              for row in rows]
    if not tests_first:
        _tests_speak_for_their_subjects(ranked, bm25)
    declarations_asked = _declarations_asked(terms)
    _implementations_with_headers(ranked, cut=not declarations_asked)
    _code_with_its_typings(ranked)
    _code_with_its_template(ranked)
    _namesakes_by_folder(ranked, wanted)
    if code := {t.word for t in terms if t.code}:
        _defining_rewarded(ranked, code, tests_first)
    asked = {w for t in terms for w in (t.word, *_PORT_NAMES.get(t.word, ()),
                                        *_LANGUAGE_NAMES.get(t.word, "").split())}
    declaring = _headers_declare(ranked)
    other_platforms = _other_platforms(asked)
    shares = languages or {}
    minor = _minority_scripts(shares, asked, named)
    ports = _ports_not_asked(ranked, _main_family(shares), named)
    for cand in ranked:
        if (_port_not_asked(cand.row["path"], asked)
                or not other_platforms.isdisjoint(_path_words(cand.row["path"]))):
            cand.score *= PORT_FACTOR
        if versions and _other_version(cand.row["path"], cand.row.get("language"), versions):
            cand.score *= VERSION_FACTOR
        if cand.row["path"] in ports:
            # one penalty for being a port, not also MINORITY_FACTOR for its language
            cand.score *= LANGUAGE_PORT_FACTOR
        elif cand.row["kind"] == "source" and cand.row.get("language") in minor:
            cand.score *= MINORITY_FACTOR
        if _language_not_asked(cand.row["path"], asked):
            cand.score *= LOCALE_FACTOR
        if file_stem(cand.row["path"]).lower() in _MODULE_ROOTS:
            cand.score *= MODULE_ROOT_FACTOR
        elif _only_reexports(cand.row):
            cand.score *= REEXPORTS_FACTOR
        if (cand.row.get("language") in declaring and is_header(cand.row["path"])
                and not declarations_asked):
            cand.score *= C_HEADER_FACTOR
    if asked_files and not tests_first:
        _asked_first(ranked, asked_files)
    ranked.sort(key=lambda c: (-c.score, c.row["path"]))
    return ranked


# Languages of data, prose, markup and builds rather than of a program's code.
DATA_LANGUAGES = frozenset({"text", "markdown", "rst", "json", "yaml", "toml", "xml", "ini",
                            "html", "css", "dockerfile", "make", "cmake", "sql",
                            "protobuf", "graphql"})


def tooling_is_code(tooling: dict[str, int], source: dict[str, int]) -> bool:
    """Whether a project's code is mostly in the folders of development scripts: rvm's
    `scripts/` is the tool itself, its 190 shell files against 28 of source elsewhere
    (ranked as source, with its `.patch` files no longer source: rvm's 16 questions in
    the top 3 13 -> 16; of the bench's other repositories, none has such folders). From
    language -> files in those folders (`tooling`) and of kind source (`source`): the
    code of the one outnumbers the code of the other."""
    def code(counts: dict[str, int]) -> int:
        return sum(n for lang, n in counts.items() if lang not in DATA_LANGUAGES)
    return code(tooling) > code(source)


def named_file(terms: list[Term]) -> Term | None:
    """The term of a question of one name (see NAMED_FILES_MAX; a prefix is none); None
    for any other question."""
    return terms[0] if len(terms) == 1 and not terms[0].prefix else None


def defines(doc_json: str | None, name: str) -> bool:
    """Whether a record's document (none: nothing) defines a function, class or method
    of that name (in lower case, as a term holds it; underscores around it aside:
    `__contains__`, `_url_replace`)."""
    return bool(doc_json) and any(defined.strip("_") == name.strip("_")
                                  for defined in names_defined(json.loads(doc_json)))


def exports(doc_json: str | None, name: str) -> bool:
    """Whether a record's document (none: nothing) exports that name (in lower case, as a
    term holds it)."""
    return bool(doc_json) and any(
        exported.lower().strip("_") == name.strip("_")
        for exported in json.loads(doc_json).get("exports", []) if isinstance(exported, str))


def _asked_first(ranked: list[Candidate], asked: Sequence[Sequence[int]]) -> None:
    """The candidates of `asked` (groups of row ids) just above the best candidate: the
    first group's first, each group in its order."""
    by_id = {cand.row["id"]: cand for cand in ranked}
    first = [cand for group in asked for cand in sorted(
        (by_id[rid] for rid in group if rid in by_id), key=lambda c: (-c.score, c.row["path"]))]
    if not first:
        return
    best = max(cand.score for cand in ranked)
    for place, cand in enumerate(first):
        cand.score = max(cand.score, best * JUST_ABOVE ** (len(first) - place))


def _declarations_asked(terms: list[Term]) -> bool:
    """Whether the question asks for what a header holds (see _DECLARATION_WORDS)."""
    return any(t.word in _DECLARATION_WORDS for t in terms)


def _defining_rewarded(ranked: list[Candidate], code: set[str], tests_first: bool) -> None:
    """A file that defines the names the question types as code comes first (see
    DEFINES_BONUS), but only for names that at most DEFINERS_MAX candidates define: an
    override in every value type (`ToString`, `GetHashCode`) tells none of them apart.
    Counted among the candidates of the default limit, so that a larger `--limit` does not
    change the order."""
    defining: dict[int, set[str]] = {}
    for i, cand in enumerate(ranked):
        kind = cand.row["kind"]
        if kind == "generated" or kind in SAMPLE_KINDS and not tests_first:
            continue
        if names := code & names_defined(document(cand.row)):
            defining[i] = names
    pool = candidates_for(DEFAULT_LIMIT)
    best = sorted(range(len(ranked)), key=lambda i: -ranked[i].score)[:pool]
    telling = {name for name in code
               if sum(name in defining.get(i, ()) for i in best) <= DEFINERS_MAX}
    for i, names in defining.items():
        ranked[i].score *= 1 + DEFINES_BONUS * len(names & telling) / len(code)


def _only_reexports(row: dict[str, Any]) -> bool:
    """An entry point that defines nothing, imports, and says little besides what it
    imports and exports (see REEXPORTS_FACTOR): at most two lines for each of those, and
    REEXPORTS_SLACK more for a licence header and blank lines."""
    if file_stem(row["path"]).lower() not in _ENTRY_POINTS or row.get("line_count") is None:
        return False
    doc = document(row)
    imports = len(doc.get("imports", []))
    if doc.get("functions") or doc.get("classes") or not imports:
        return False
    return row["line_count"] <= 2 * (len(doc.get("exports", [])) + imports) + REEXPORTS_SLACK


def _headers_declare(ranked: list[Candidate]) -> set[str]:
    """The languages whose headers only declare (see C_HEADER_FACTOR): C; C++ unless its
    source candidates look like a header-only library."""
    headers = implementations = 0
    for cand in ranked:
        if cand.row["kind"] == "source" and cand.row.get("language") == "cpp":
            path = cand.row["path"]
            headers += is_header(path)
            implementations += bool(_CPP_IMPLEMENTATION.search(path))
    cpp_declares = implementations * HEADERS_PER_IMPLEMENTATION >= headers > 0
    return {"c", "cpp"} if cpp_declares else {"c"}


def _port_not_asked(path: str, asked: set[str]) -> bool:
    """Whether `path` is a port to a platform (see PORT_FACTOR) that the question does not
    name: a folder or a word of the file's name (`os400/`, `aix.c`, `sys_freebsd.go`)."""
    ports = _PORTS.intersection(_path_words(path))
    return bool(ports) and ports.isdisjoint(asked)


# A source set of one major version of its language, in a project built for several
# (sbt's and Mill's `scala-2/`, `scala-2.13+/`, `src-3/`; a multi-release jar's `java9/`):
# the word before the number names the language (`src` and `main` any), a `+` or a Java
# folder means that version and later ones.
_VERSION_FOLDER = lazy(r"^(src|scala|java|kotlin|python|py|main)[-_]?(\d+)(?:\.\d+)*(\+?)$",
                       re.I)
_FOLDER_LANGUAGES = {"scala": "scala", "java": "java", "kotlin": "kotlin", "python": "python",
                     "py": "python"}


def _other_version(path: str, language: str | None,
                   versions: frozenset[tuple[str, str]]) -> bool:
    """Whether `path`, in `language`, is in a source set of another major version of that
    language than the question names (`versions`, see search_text.versions_named): "On
    Scala 3, how is ..." is not answered by fastparse's `src-2/` port of the same macro;
    such a file scores VERSION_FACTOR. A version of another language asks nothing of it."""
    asked = {number for named, number in versions if named == language}
    if not asked:
        return False
    for folder in path.split("/")[:-1]:
        match = _VERSION_FOLDER.match(folder)
        if not match or _FOLDER_LANGUAGES.get(match[1].lower(), language) != language:
            continue
        number = major(match[2])
        if match[3] or match[1].lower() == "java":  # this version and later
            if not any(len(number) < len(a) or len(number) == len(a) and number <= a
                       for a in asked):
                return True
        elif number not in asked:
            return True
    return False


def _path_words(path: str) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", path.lower()))


def _other_platforms(asked: set[str]) -> frozenset[str]:
    """The words naming the other platform family when the question names one of Unix's
    or of Windows' (not both): files named so are another platform's port."""
    unix, windows = not _UNIX_FAMILY.isdisjoint(asked), not _WINDOWS_FAMILY.isdisjoint(asked)
    if unix == windows:
        return frozenset()
    return (_WINDOWS_FAMILY if unix else _UNIX_FAMILY) - asked


def _minority_scripts(languages: dict[str, float], asked: set[str],
                      named: frozenset[str]) -> set[str]:
    """The script languages that are tooling in this dataset (see MINORITY_FACTOR), but
    those the question names (`named`, see search_text.languages_named)."""
    if max(languages.values(), default=0) <= 0.5 or not asked.isdisjoint({"script", "scripts"}):
        return set()
    return {lang for lang, share in languages.items()
            if lang in _SCRIPT_LANGUAGES and share < MINORITY_SHARE and lang not in named}


def _ports_not_asked(ranked: list[Candidate], main: str | None,
                     named: frozenset[str]) -> set[str]:
    """The paths of `ranked` that are ports to another language (see LANGUAGE_PORT_FACTOR)
    than `main` (a family) and the languages the question names (`named`, families)."""
    if main is None:
        return set()
    found: dict[str, set[str]] = {}
    for cand in ranked:
        folder, sep, _ = cand.row["path"].lower().partition("/")
        family = _LANGUAGE_FOLDERS.get(folder) if sep else None
        if family and family != main and _family(cand.row.get("language") or "") == family:
            found.setdefault(folder, set()).add(cand.row["path"])
    if len(found) < PORT_FOLDERS_MIN:
        return set()
    return {path for folder, paths in found.items()
            if _LANGUAGE_FOLDERS[folder] not in named for path in paths}


def _main_family(languages: dict[str, float]) -> str | None:
    """The family (see _family) most source files are written in; None on a tie."""
    shares: dict[str, float] = {}
    for language, share in languages.items():
        shares[_family(language)] = shares.get(_family(language), 0.0) + share
    first, *rest = sorted(shares.items(), key=lambda item: -item[1]) or [(None, 0.0)]
    return None if rest and math.isclose(first[1], rest[0][1]) else first[0]


def _family(language: str) -> str:
    """A language's family: JavaScript's dialects as one, C's, .NET's."""
    return _FAMILIES.get(language, language)


def _language_not_asked(path: str, asked: set[str]) -> bool:
    """Whether `path` holds one language's messages (see LOCALE_FACTOR) that the question
    does not name: named by a language code, in a folder for translations, or in a
    folder so named right under one (date-fns's `locale/fr/_lib/localize/index.ts`)."""
    folders = path.lower().split("/")[:-1]
    named = [folders[i + 1] for i in range(len(folders) - 1) if folders[i] in _LOCALE_FOLDERS]
    if not _LOCALE_FOLDERS.isdisjoint(folders):
        named.append(file_stem(path))
    codes = {m.group(1) for m in map(_LANGUAGE_CODE.match, named) if m}
    return bool(codes & _LANGUAGES) and codes.isdisjoint(asked)


def _definitions(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(kind, item, owner) for every function, class and method of a record's document,
    in its order: a class, then its methods (a class the file does not declare, only its
    methods: see records.ClassInfo.defined)."""
    for fn in doc.get("functions", []):
        yield "function", fn, None
    for cls in doc.get("classes", []):
        if cls.get("defined", True):
            yield "class", cls, None
        for method in cls.get("methods", []):
            yield "method", method, cls.get("name")


def document(row: dict[str, Any]) -> dict[str, Any]:
    """A candidate's document (`row["doc"]`, JSON; none: empty), parsed once a search and
    kept in the row: rescoring reads the best candidates' and the results are mostly
    the same rows."""
    if "document" not in row:
        row["document"] = json.loads(row["doc"]) if row["doc"] else {}
    return row["document"]


# A search reads this many of a record's functions, classes and methods at most (for
# snippets, matching symbols, the names it defines): a generated file of 52,000 took
# each search that found it 1.5 s. Its full-text index holds them all.
DEFINITIONS_READ = 5_000


def symbols_of(doc: dict[str, Any], most: int | None = None) -> list[dict[str, Any]]:
    """Every function, class and method of a record's document (the first `most`), each
    with its `kind` (and a method with its class as `owner`)."""
    return [_symbol(kind, item, owner) for kind, item, owner in islice(_definitions(doc), most)]


def symbols_shown(doc: dict[str, Any], terms: list[Term]) -> list[dict[str, Any]]:
    """The functions, classes and methods a result shows (see symbols_of): the first
    DEFINITIONS_READ, and past them, the ones named exactly as a word of the question (a
    trial's `capybaraSwim`, the 9,001st function of a generated file, had no line): a
    comparison of names, no more, for each of the rest."""
    words = {term.word for term in terms if not term.prefix}
    return [_symbol(kind, item, owner)
            for at, (kind, item, owner) in enumerate(_definitions(doc))
            if at < DEFINITIONS_READ or str(item.get("name") or "").lower() in words]


def _symbol(kind: str, item: dict[str, Any], owner: str | None) -> dict[str, Any]:
    """A definition as symbols_of gives it: with its kind, and a method with its class."""
    return {**item, "kind": kind, **({"owner": owner} if kind == "method" else {})}


def symbol_names(doc: dict[str, Any]) -> Iterator[str]:
    """The name of every function, class and method of a record's document (as a search
    reads them: the first DEFINITIONS_READ)."""
    return (item.get("name") or ""
            for _, item, _ in islice(_definitions(doc), DEFINITIONS_READ))


def symbol_lines(doc: dict[str, Any]) -> list[int]:
    """The lines (from 1) where the functions, classes and methods of a record's document
    begin, where known (as a search reads them: the first DEFINITIONS_READ)."""
    return [line for _, item, _ in islice(_definitions(doc), DEFINITIONS_READ)
            if isinstance(line := item.get("line"), int)]


def names_defined(doc: dict[str, Any]) -> set[str]:
    """The names (see bare_name) of the functions, classes and methods a record's
    document defines."""
    return {bare_name(n) for n in symbol_names(doc) if n}


def bare_name(name: str) -> str:
    """A defined name in lower case without its owner: `next` for `Context.Next`,
    `Regexp::Simplify`, `Foo#bar`."""
    return re.split(r"\.|::|#", name)[-1].lower()


def nearest(path: str, paths: list[str]) -> list[str]:
    """The paths that share the longest folder path with `path`: in a monorepo,
    `packages/zeta/test/client.test.ts` is about `packages/zeta/src/client.ts`, not
    `packages/alpha/src/client.ts`."""
    folders = path.split("/")[:-1]

    def shared(other: str) -> int:
        return sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1],
                                        zip(folders, other.split("/")[:-1], strict=False)))
    best = max(map(shared, paths), default=0)
    return [other for other in paths if shared(other) == best]


def _tests_speak_for_their_subjects(ranked: list[Candidate], bm25: dict[int, float]) -> None:
    """Tests describe behaviour in the words a question uses ("serves a 304 when the
    ETag matches"), where the code may not: a source file scores at least TESTED_SHARE of
    the bm25 of a matching test named for it (`spec_mime.rb` for `mime.rb`,
    `tests/upgrade.rs` for `src/upgrade.rs`; of several, the nearest), among the
    candidates."""
    sources: dict[str, dict[str, Candidate]] = {}
    for cand in ranked:
        if cand.row["kind"] == "source":
            path = cand.row["path"]
            sources.setdefault(file_stem(path).lower(), {})[path] = cand
    for cand in ranked:
        if cand.row["kind"] == "test" and (name := tested_name(cand.row["path"])):
            namesakes = sources.get(name, {})
            for path in nearest(cand.row["path"], list(namesakes)):
                subject = namesakes[path]
                subject.score = max(subject.score, TESTED_SHARE * -bm25[cand.row["id"]])


_HEADER = lazy(r"\.(h|hh|hpp|hxx)(\.in)?$")  # `.h.in`: configured by the build
_INLINE_HEADER = lazy(r"[-_.](inl|impl|inline)\.(h|hh|hpp|hxx)$")
# What a header includes at its end (Boost's `impl/*.ipp`, templates' `.tpp`, `.inl`): an
# implementation that comes after a `.cpp` of the same name.
_FRAGMENT = lazy("(" + "|".join(map(re.escape, languages.CPP_FRAGMENTS)) + ")$")
_IMPLEMENTATION = lazy(_INLINE_HEADER.pattern + "|" + _FRAGMENT.pattern
                       + r"|\.(c|cc|cpp|cxx|c\+\+|m|mm)$")
# A C++ implementation proper (not a `-inl.h`: a header-only library has those), see
# _headers_declare.
_CPP_IMPLEMENTATION = lazy(r"\.(cc|cpp|cxx)$")
# Folders that hold the implementations of the headers beside them (CLI11's
# `CLI/impl/App_inl.hpp` for `CLI/App.hpp`).
_IMPLEMENTATION_FOLDERS = frozenset({"impl", "detail", "details", "inl", "inline"})
# ... of which those whose headers implement the header of the same name in the folder
# above (asio's `impl/connect.hpp`); a `detail/` header is more often a part of its own.
_IMPLEMENTING_FOLDERS = frozenset({"impl", "inl", "inline"})
# A header listed with its `.c`/`.cpp` (or `.inl`, `.ipp`, `impl/` header) would take a
# second place for one unit of code: it follows at this share of the implementation's
# score, so another file comes between.
# Not after a `-inl.h`: in a header-only library the header is the code (fmt's format.h).
# Measured on bench/search_quality.py: C++ top-3 85% -> 87%, MRR 0.77 -> 0.78 (0.5 and
# 0.7 alike), no other language changed.
HEADER_SHARE = 0.7
# What code takes of the score of the file that declares it (a header, typings), to come
# just before it; a header's `.inl` comes after a `.cpp` that does the same.
JUST_ABOVE, FRAGMENT_ABOVE = 1.001, 1.0005
# ... plus this share of its own score, so that of two implementations lifted to one
# header (asio's `impl/config.ipp` and `impl/config.hpp`) the one that matched better
# comes first; far too little to pass another file.
TIE_SHARE = 1e-9


def _namesakes_by_folder(ranked: list[Candidate], wanted: frozenset[str]) -> None:
    """Source files with the same name in different folders (`async_impl/client.rs`,
    `blocking/client.rs`, `wasm/client.rs`) match the same words; the one whose own
    folder the question names ("the async client") gets NAMESAKE_BONUS more. Index-like
    names (`lib.rs`, `index.ts`) are left to _named_for."""
    groups: dict[str, list[Candidate]] = {}
    for cand in ranked:
        path = cand.row["path"]
        if cand.row["kind"] == "source" and file_stem(path).lower() not in _SAYS_NOTHING:
            groups.setdefault(path.rsplit("/", 1)[-1], []).append(cand)
    for members in groups.values():
        if len(members) < 2:
            continue
        folders = [{w for part in c.row["path"].split("/")[:-1] for w in _name_words(part)}
                   for c in members]
        shared = set.intersection(*folders)
        for cand, words in zip(members, folders, strict=True):
            if any(not wanted.isdisjoint(forms(w)) for w in words - shared):
                cand.score *= 1 + NAMESAKE_BONUS


def _implementations_with_headers(ranked: list[Candidate], cut: bool = True,
                                  fragments_only: bool = False) -> None:
    """A C or C++ header declares and documents what its `.c`/`.cpp`/`-inl.h` does, so
    the two match the same question; a reader asking how something is done wants the
    code: the implementation takes its header's score when that is higher, and comes
    before it; with `cut`, the header then drops to HEADER_SHARE of it (not after a
    `-inl.h`: in a header-only library the header is the code, fmt's format.h). See
    _header_keys for which header a file implements (a header in an `impl/` folder is
    one too, and is implemented by the `.ipp` beside it). `fragments_only`: only
    fragments (see _FRAGMENT) and the headers of an `impl/` folder."""
    headers = {_pair_key(c.row["path"], _HEADER): c for c in ranked if is_header(c.row["path"])}
    if not headers:
        return
    plain = {_pair_key(c.row["path"], _IMPLEMENTATION) for c in ranked
             if _IMPLEMENTATION.search(c.row["path"])}
    cuts: list[tuple[Candidate, float]] = []
    # an `impl/` header first: asio's `impl/X.ipp` takes the score `impl/X.hpp` has from
    # `X.hpp`, whatever order the rows come in
    for cand in sorted(ranked, key=lambda c: not _in_implementation_folder(c.row["path"])):
        path = cand.row["path"]
        keys, fragment = _header_keys(path, plain)
        header = next((headers[k] for k in keys if k in headers), None)
        if not header or fragments_only and not fragment:
            continue
        lift = FRAGMENT_ABOVE if fragment else JUST_ABOVE
        if header.score * lift > cand.score:  # of two lifted alike, the better match first
            cand.score = header.score * lift + cand.score * TIE_SHARE
        if cut and not _INLINE_HEADER.search(path):
            cuts.append((header, cand.score * HEADER_SHARE))
    for header, most in cuts:  # after every lift: a `.cpp` takes its header's whole score
        header.score = min(header.score, most)


def _header_keys(path: str, plain: set[tuple[str, str]] | None = None
                 ) -> tuple[list[tuple[str, str]], bool]:
    """The keys (see _pair_key) of the headers `path` may implement, best first, and
    whether it is a fragment of one (`.inl`, `.ipp`, a header in an `impl/` folder): a
    `.c`/`.cpp`/`-inl.h` implements the header of its name beside it or in the folder
    above an `impl/` folder; a header in an `impl/` folder, its namesake above (asio's
    `impl/connect.hpp` for `connect.hpp`); an implementation split by platform (see
    _PLATFORM_SUFFIX), the header without the suffix when `plain` (the implementations'
    keys) holds no implementation of that name. Nothing for other files."""
    if _in_implementation_folder(path):
        return [_pair_key(path, _HEADER, beside=True)], True
    if not _IMPLEMENTATION.search(path):
        return [], False
    folder, stem = key = _pair_key(path, _IMPLEMENTATION)
    keys = [key, _pair_key(path, _IMPLEMENTATION, beside=True)]
    unsplit = (folder, _PLATFORM_SUFFIX.sub("", stem))
    if unsplit != key and (plain is None or unsplit not in plain):
        keys.append(unsplit)
    return keys, bool(_FRAGMENT.search(path))


_SCRIPT = lazy(r"\.[cm]?[jt]sx?$")


# A C# partial class's asynchronous half (Stateless's `StateMachine.Async.cs`) or an
# async twin (valibot's `checkAsync.ts`, `client_async.py`) says what its synchronous twin
# says, with "async" added: it follows that twin, unless the question asks for async.
# Measured on bench/search_quality.py and the round-31 questions: 4 questions better
# (Dapper's `SqlMapper.cs` 4 -> 3, Stateless 5 -> 4, 2 -> 1 twice), none worse. A class
# named for the idea (okio's `AsyncTimeout.kt`, muduo's `AsyncLogging.cc`) is no twin.
# ... and not just below it: this share of its score, so that a file between them comes
# before it too (sharpcompress's `SevenZipWriter.Async.cs` had held a top-3 place beside
# `SevenZipWriter.cs`). Over the 500 kept repositories (7,690 questions): sharpcompress's
# 7z header question 4 -> 3, none worse; 0.6 measured the same.
ASYNC_TWIN_SHARE = 0.8
_ASYNC_TWIN = lazy(r"^(?P<stem>.+?)(?:\.[Aa]sync|_async|(?<=[a-z0-9])Async)"
                   r"(?P<ext>\.[^.]+)$")
_ASYNC_WORDS = frozenset({"async", "asynchronous", "asynchronously", "await", "awaits",
                          "awaited", "awaiting", "awaitable"})


def async_twins_placed(ranked: list[Candidate], terms: list[Term]) -> list[Candidate]:
    """`ranked` (best first) with each async twin (see _ASYNC_TWIN) below its synchronous
    twin (ASYNC_TWIN_SHARE of its score), or just above it when the question asks for
    async (`asyncio` and `FireAsync` ask too); sorted again. Only twins both among the
    first DEFAULT_LIMIT move: a twin far down does not carry the other with it."""
    shown = {cand.row["path"]: cand for cand in ranked[:DEFAULT_LIMIT]}
    asks = any(t.word in _ASYNC_WORDS or "async" in t.word for t in terms)
    moved = False
    for cand in ranked[:DEFAULT_LIMIT]:
        folder, slash, name = cand.row["path"].rpartition("/")
        twin = (match := _ASYNC_TWIN.match(name)) and shown.get(
            f"{folder}{slash}{match['stem']}{match['ext']}")
        if not twin or twin.score <= 0:
            continue
        score = twin.score * JUST_ABOVE if asks else twin.score * ASYNC_TWIN_SHARE
        if asks and cand.score < score or not asks and cand.score > score:
            cand.score, moved = score, True
    if moved:
        ranked.sort(key=lambda c: (-c.score, c.row["path"]))
    return ranked


def declarations_placed(ranked: list[Candidate], terms: list[Term],
                        asked: Container[int] = ()) -> list[Candidate]:
    """`ranked` (best first, after rescoring) with a header's fragment (`.inl`, `.ipp`, an
    `impl/` header) before its header again, JavaScript code before its typings and C#
    before its T4 template (see _implementations_with_headers, _code_with_its_typings,
    _code_with_its_template); and, only here, a class before the interface it is named
    to implement (see _implementations_with_interfaces); sorted again. Reading favours
    the documented declaration (glm's `matrix_clip_space.hpp`, all doc comments) over the
    code it declares (its `.inl`), where ranking had put the code first. A `.c`/`.cpp` is
    left where reading puts it: its header may hold the answer as inline code (snappy's
    stubs header, catch2's floating point helpers)."""
    _implementations_with_headers(ranked, cut=not _declarations_asked(terms),
                                  fragments_only=True)
    _code_with_its_typings(ranked)
    _code_with_its_template(ranked)
    _implementations_with_interfaces(ranked, asked)
    ranked.sort(key=lambda c: (-c.score, c.row["path"]))
    return ranked


# Byte-for-byte copies of a file (ZString's Unity package, `src/ZString.Unity/Assets/
# Scripts/ZString/`, repeats `src/ZString/`) say the same and rank together, so each copy
# takes a place another file could have: they are shown once, at the best copy's place,
# with the other copies' paths. Short files (an empty `__init__.py`, a one-line re-export)
# are alike by chance, not copies: under COPY_MIN_LINES lines they stay apart.
COPY_MIN_LINES = 10


def copies_folded(ranked: list[Candidate]) -> list[Candidate]:
    """`ranked` (best first) with the copies of a file (see COPY_MIN_LINES) shown once: the
    best-placed copy (the question may name its folder: TanStack Form's Next.js and Remix
    packages share a file), of equals the shortest path (the library's own, not the
    package that repeats it), with the others' paths in `row["copies"]`."""
    groups: dict[str, list[Candidate]] = {}
    for cand in ranked:
        if (sha := cand.row.get("content_sha")) and (
                cand.row.get("line_count") or 0) >= COPY_MIN_LINES:
            groups.setdefault(sha, []).append(cand)
    kept: list[Candidate] = []
    for cand in ranked:
        copies = groups.get(cand.row.get("content_sha") or "", [])
        if len(copies) < 2:
            kept.append(cand)
        elif cand is copies[0]:
            shown = min((c for c in copies if math.isclose(c.score, cand.score)),
                        key=lambda c: (len(c.row["path"]), c.row["path"]))
            shown.row["copies"] = [c.row["path"] for c in copies if c is not shown]
            kept.append(shown)
    return kept


# The languages whose modules have signature files (see search_text.is_signature):
# `lib/lexer.mli` declares `lib/lexer.ml` (or an ocamllex `lib/lexer.mll`, by the
# language table: OCaml too) in its own folder, and no other: two libraries may each have
# a `lexer`, and F# names files with dots (`Giraffe.Core.fsi`, `Giraffe.Routing.fs`).
_SIGNED_LANGUAGES = frozenset({"ocaml", "fsharp"})


def _code_with_its_typings(ranked: list[Candidate]) -> None:
    """A JavaScript library's hand-written typings (hapi's `lib/types/server/ext.d.ts`)
    document what the file of the same name does (`lib/ext.js`), as a C header does, and
    so does an OCaml or F# signature file (`lib/lexer.mli`, for `lib/lexer.ml`): the
    nearest such file takes their score when that is higher (typings: in a monorepo, the
    one in the same package; a signature: the one beside it). Names that say nothing
    (`index.d.ts`) pair with no one; OCaml and F# have no such files."""
    def code(cand: Candidate) -> str | None:
        path = cand.row["path"]
        if cand.row["kind"] != "source":
            return None
        if _SCRIPT.search(path) and not is_typings(path):
            return f"script:{file_stem(path).lower()}"
        language = languages.detect(path)
        return (f"{language}:{without_extension(path).lower()}"
                if language in _SIGNED_LANGUAGES else None)

    def typings(cand: Candidate) -> str | None:
        path, stem = cand.row["path"], file_stem(cand.row["path"]).lower()
        if cand.row["kind"] != "declarations":
            return None
        if is_signature(path):
            return f"{languages.detect(path)}:{without_extension(path).lower()}"
        return (f"script:{stem}" if is_typings(path) and stem not in _SAYS_NOTHING
                and stem != "types" else None)
    _code_lifted(ranked, code, typings)


# A T4 text template (`ZString.Concat.tt`) writes the code file beside it
# (`ZString.Concat.cs`): the same code, with the template's directives between, where
# the code file is what is built and read. A file generated by its name
# (`ICallback.Generated.cs`) ranks as generated; there the template stands for it.
_TEMPLATE = lazy(r"\.tt$")
_TEMPLATE_OUTPUT = lazy(r"\.(cs|vb|fs)$")


def _code_with_its_template(ranked: list[Candidate]) -> None:
    """A code file (or class of overloads, declarations) that a T4 template writes
    beside it (see _TEMPLATE) takes the template's score when that is higher."""
    def written(cand: Candidate) -> str | None:
        path = cand.row["path"]
        return (without_extension(path) if cand.row["kind"] in ("source", "declarations")
                and _TEMPLATE_OUTPUT.search(path) else None)

    def template(cand: Candidate) -> str | None:
        path = cand.row["path"]
        return without_extension(path) if _TEMPLATE.search(path) else None
    _code_lifted(ranked, written, template)


def _code_lifted(ranked: list[Candidate], code_key: Callable[[Candidate], str | None],
                 declared: Callable[[Candidate], str | None]) -> None:
    """Each candidate that declares code under a key (`declared`: its typings' name, its
    template's path) lifts the nearest code file of that key (`code_key`; see nearest)
    to just above its own score, when that is higher."""
    code: dict[str, dict[str, Candidate]] = {}
    for cand in ranked:
        if (key := code_key(cand)) is not None:
            code.setdefault(key, {})[cand.row["path"]] = cand
    for declaring in ranked:
        if (key := declared(declaring)) is None or key not in code:
            continue
        for other in nearest(declaring.row["path"], list(code[key])):
            cand = code[key][other]
            cand.score = max(cand.score, declaring.score * JUST_ABOVE)


# The class that implements an interface by the naming rule of Java and its neighbours
# (`Cache` and `internal/CacheImpl`, `RulesEngine` and `core/DefaultRulesEngine`, .NET's
# `IPublisher` and `Publisher`): the interface's doc comments say what the
# implementation does, so reading favours it.
_CLASS_FILE = lazy(r"\.(java|kt|scala|cs|php|[cm]?ts|swift)$")


def _implementations_with_interfaces(ranked: list[Candidate], asked: Container[int] = ()
                                     ) -> None:
    """After reading, a class named as an interface's implementation (see
    implementation_names; of several, the nearest, see nearest) trades places with that
    interface when it is lower (of equals, it goes just above): the files between them
    stay where they were. Not a file a question of one name asks for (`asked`, row ids:
    see spoken_for.asked_by_name): the name is what is sought. Only pairs both
    among the first DEFAULT_LIMIT trade: one from further down would push the interface
    out of sight, and coming just above it would push every file between down a place
    (measured: 3 bench questions worse, 1 better).
    Each file trades once, at the scores as they stand."""
    shown = ranked[:DEFAULT_LIMIT]
    classes: dict[str, dict[str, Candidate]] = {}
    for cand in shown:
        path = cand.row["path"]
        if cand.row["kind"] == "source" and _CLASS_FILE.search(path):
            classes.setdefault(path.rpartition("/")[2], {})[path] = cand
    trades: list[tuple[Candidate, Candidate]] = []
    taken: set[int] = set()
    for interface in sorted(shown, key=lambda c: (-c.score, c.row["path"])):
        if (interface.row["kind"] not in ("source", "declarations") or id(interface) in taken
                or interface.row.get("id") in asked):
            continue
        path = interface.row["path"]
        named = {other: cand for name in implementation_names(path, classes)
                 for other, cand in classes.get(name, {}).items() if id(cand) not in taken}
        if not named:
            continue
        best = max((named[other] for other in nearest(path, list(named))),
                   key=lambda c: (c.score, c.row["path"]))
        if best.score <= interface.score:
            trades.append((interface, best))
            taken.update((id(interface), id(best)))
    for interface, implementation in trades:
        if math.isclose(implementation.score, interface.score):
            implementation.score = interface.score * JUST_ABOVE
        else:
            implementation.score, interface.score = interface.score, implementation.score


def implementation_names(path: str, present: Container[str] = ()) -> list[str]:
    """The file names of an interface's implementation in a language of classes:
    `Cache.java` -> CacheImpl.java, DefaultCache.java; .NET's `ICache.cs` -> Cache.cs
    too (see search_text.is_csharp_interface; `present`, the file names there are, tells
    a helper's interface beside its helper). None for a name of several parts (a C#
    partial class's `SqlMapper.Async.cs`, `user.service.ts`) or another file."""
    name = path.rpartition("/")[2]
    ending = _CLASS_FILE.search(name)
    stem = name[:ending.start()] if ending else ""
    if not ending or not stem or "." in stem:
        return []
    names = [f"{stem}Impl{ending[0]}", f"Default{stem}{ending[0]}"]
    twin = stem[1:] + ending[0]
    return names + [twin] if is_csharp_interface(name, twin in present) else names


def is_header(path: str) -> bool:
    """A C or C++ header that declares what an implementation does (not a `-inl.h`)."""
    return bool(_HEADER.search(path)) and not _IMPLEMENTATION.search(path)


def implements(path: str, header: str) -> bool:
    """Whether `path` is an implementation of `header`: its `.c`/`.cpp`/`-inl.h`, a
    fragment or a header in an `impl/` folder (see _header_keys)."""
    return _pair_key(header, _HEADER) in _header_keys(path)[0]


def _in_implementation_folder(path: str) -> bool:
    """Whether `path` is a header in a folder of implementations (see _header_keys), not
    itself named as one (CLI11's `impl/App_inl.hpp`)."""
    folder = path.rpartition("/")[0]
    return is_header(path) and folder.rpartition("/")[2].lower() in _IMPLEMENTING_FOLDERS


def _pair_key(path: str, ending: re.Pattern[str], beside: bool = False
              ) -> tuple[str, str]:
    """(folder, stem) of a header or an implementation; `include/` and `src/` trees
    count as the same folder; `beside`: an implementation's `impl/` folder counts as
    its parent (CLI11's `CLI/impl/App_inl.hpp` for `CLI/App.hpp`)."""
    folder, _, name = path.rpartition("/")
    parts = [p for p in folder.split("/") if p.lower() not in CODE_FOLDERS]
    if beside and parts and parts[-1].lower() in _IMPLEMENTATION_FOLDERS:
        parts.pop()
    return "/".join(parts), ending.sub("", name)


def wanted_forms(terms: list[Term]) -> frozenset[str]:
    """Every form of every word of the question (see search_text.asked_forms)."""
    return frozenset().union(*_form_groups(terms))


def _form_groups(terms: Iterable[Term]) -> list[frozenset[str]]:
    """The forms of each word of the question: a term's, and each part of a compound's."""
    return [group for t in terms for group in (asked_forms(t.word), *map(forms, t.parts))]


def _abbreviations(terms: list[Term]) -> frozenset[str]:
    """What a file name may shorten the question's words to: `req` for request, `gen`
    for generated, `cfg` is not (only leading letters, 3 to 5 of a longer word)."""
    words = {w for t in terms for w in (t.word, *t.parts) if w.isalpha()}
    return frozenset(w[:n] for w in words for n in range(3, min(6, len(w) - 1)))


def _named_for(path: str, wanted: frozenset[str], short: frozenset[str] = frozenset()
               ) -> float:
    """The share of a file name's words that the question uses: 1 for `errors.go` asked
    about "errors", 0.5 for `json_tree.py` asked about "trees"; a name word may be the
    start of a question's word (`Ser.kt` for serialization, see _abbreviations); 0 for
    names that say nothing (`index.js`, `mod.rs`). The bonus is small, so a name that
    only looks like an abbreviation (`app.js` for "appended") costs little."""
    folders = path.split("/")[:-1]
    words = _name_words(file_stem(path))
    if not words and folders:  # `as-promise/index.ts`, `cache/mod.rs`: the folder names
        # them; not `src/index.ts`, a package's entry point, which re-exports all of it
        words = _name_words(folders[-1]) if folders[-1].lower() not in CODE_FOLDERS else []
    if not words:
        return 0.0
    return sum(not wanted.isdisjoint(forms(w)) or w in short for w in words) / len(words)


def _name_words(stem: str) -> list[str]:
    words = [w.lower() for w in (split_identifier(stem) or re.split(r"[-_]+", stem))]
    return [w for w in words if len(w) > 1 and w not in _SAYS_NOTHING]


def snippet_of(row: dict[str, Any], terms: list[Term], shown: int | None = None
               ) -> tuple[str, int | None]:
    """The line of a record that best shows why it matched, matched words between
    \x02 and \x03: a sentence of the overview or a symbol with its summary
    (`name: summary`), the one with most of the question's words (see _held: a word
    said twice does not outweigh a line that holds more of them; then the most
    matches); a name asked for whole counts twice, so `parse_invoice` shows that
    function. `shown`: the index in `row["symbol_lines"]` of the definition the result's
    lines fall in: its line, if it holds a word of the question, is the snippet (a
    result pointed at `Logger.level` and showed `add: Add a handler...`).
    With it, when it is a symbol's line that holds a word of the question, that
    symbol's index in `row["symbol_lines"]` (so its line can be shown beside it), else
    None."""
    held = _held(tuple(terms))
    wanted = held.wanted
    symbol_lines = row.get("symbol_lines", [])
    if shown is not None and held(symbol_lines[shown]) > (0, 0):
        return _mark(_clip(symbol_lines[shown], wanted), wanted), shown
    lines = [s for s in re.split(r"(?<=[.!?])\s+|\n", row.get("overview") or "") if s.strip()]
    sentences = len(lines)
    lines += symbol_lines
    best, best_hits, at = (lines[0] if lines else ""), (0, 0), 0
    for place, line in enumerate(lines):
        hits = held(line)
        if hits > best_hits:
            best, best_hits, at = line, hits, place
    symbol = (None if best_hits == (0, 0) else at - sentences if at >= sentences
              else symbol_lines.index(best) if best in symbol_lines  # said in the overview
              else None)
    return _mark(_clip(best, wanted), wanted), symbol


def definition_at(symbols: list[dict[str, Any]], lines: Sequence[int] | None) -> int | None:
    """The index in `symbols` (see symbols_of) of the definition lines `first`..`last`
    (from 1) fall in: the last to begin at or before `last`, and no further above
    `first` than one function's body (see proximity.BODY_LINES); None if none does."""
    if not lines:
        return None
    found = None
    for index, item in enumerate(symbols):
        start = item.get("line")
        if isinstance(start, int) and start <= lines[1] and (
                found is None or start >= symbols[found]["line"]):
            found = index
    if found is None or symbols[found]["line"] < lines[0] - BODY_LINES:
        return None
    return found


@functools.lru_cache(maxsize=64)  # a search asks it for each result
def _held(terms: tuple[Term, ...]) -> _Held:
    return _Held(terms)


class _Held:
    """How much of a question a line or a name holds: how many of its words, each once
    whatever its form (a compound's parts each count, and the compound whole), plus one
    for each name asked for that it says whole; then how many of its words match one.
    (0, 0) if none does."""

    def __init__(self, terms: tuple[Term, ...]) -> None:
        groups = _form_groups(terms)
        self.wanted = frozenset().union(*groups)  # (wanted_forms)
        self.whole = {t.word for t in terms}
        units: dict[str, set[int]] = {}  # each form -> which of the words it is a form of
        for unit, group in enumerate(groups):
            for form in group:
                units.setdefault(form, set()).add(unit)
        self.units = units
        # what each word's forms start with: an ASCII text that holds none of them holds
        # no word of the question, in any case or part (see _is_wanted)
        self.starts = tuple({os.path.commonprefix(sorted(group)) for group in groups})

    def __call__(self, text: str) -> tuple[int, int]:
        if text.isascii():  # half the lines a search looks at hold none of the words
            lower = text.lower()
            if not any(start in lower for start in self.starts):
                return 0, 0
        words = _WORD.findall(text)
        matching = [w for w in words if _is_wanted(w, self.wanted)]  # (a hot path)
        if not matching:
            return 0, 0
        held = set().union(*(self.units.get(f, ()) for w in matching
                             for f in _wanted_in(w, self.wanted)))
        return (len(held) + len(self.whole.intersection(w.lower() for w in matching)),
                len(matching))


def _wanted_in(word: str, wanted: frozenset[str]) -> frozenset[str]:
    """The question's word forms a word of a text is, or its parts are (see _is_wanted)."""
    low = word.lower()
    if word.isalpha() and word[1:].islower():  # one part (a hot path)
        return frozenset((low,)) if low in wanted else frozenset()
    found = wanted.intersection(_split_name(word))
    return found | {low} if low in wanted else found


def _is_wanted(word: str, wanted: frozenset[str]) -> bool:
    if word.lower() in wanted:
        return True
    if word.isalpha() and word[1:].islower():
        return False  # `cache`, `Cache`: one part, nothing to split (and this is a hot path)
    return not wanted.isdisjoint(_split_name(word))  # split once for every line shown


def _clip(line: str, wanted: frozenset[str]) -> str:
    # A file's own control characters (a terminal's escape codes, the \x02 and \x03 that
    # mark matches here) are no part of a snippet.
    line = " ".join(printable(line, one_line=True).split())
    if len(line) <= SNIPPET_CHARS:
        return line
    first = next((m.start() for m in _WORD.finditer(line) if _is_wanted(m.group(), wanted)), 0)
    start = max(0, min(first - 40, len(line) - SNIPPET_CHARS))
    text = line[start:start + SNIPPET_CHARS]
    return ("…" if start else "") + text + ("…" if start + SNIPPET_CHARS < len(line) else "")


def _mark(line: str, wanted: frozenset[str]) -> str:
    return _WORD.sub(lambda m: f"\x02{m.group()}\x03" if _is_wanted(m.group(), wanted)
                     else m.group(), line)


def line_of(symbol: dict[str, Any]) -> int | None:
    """A definition's line (from 1), or None where its record gives none."""
    line = symbol.get("line")
    return line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None


def matching_symbols(symbols: list[dict[str, Any]], terms: list[Term]) -> list[dict[str, Any]]:
    """The functions, classes and methods (see symbols_of) whose names use a word
    of the question, with their line numbers: where to look in the file."""
    found: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    names = NameMatcher(terms)
    for item in symbols:
        name = item.get("name", "")
        if names.held(name):
            owner = item.get("owner")
            full = f"{owner}.{name}" if owner else name
            if (same := seen.get(full)) is not None:
                # overloads (Python's @overload stubs, C#'s): one entry, at the first,
                # with the first summary one of them has (a trial's five `_encode_params`)
                same["summary"] = same["summary"] or item.get("summary", "")
                continue
            seen[full] = {"name": full, "kind": item["kind"], "line": item.get("line"),
                          "summary": item.get("summary", "")}
            found.append(seen[full])
    # the one that holds most of the question's words first (in the file's order else):
    # the first is where a reader looks (see search_output.meeting)
    held = _held(tuple(terms))
    found.sort(key=lambda s: -held(s["name"])[0])
    return found[:20]


class NameMatcher:
    """How many of a question's terms a function, class or method name holds (see
    Term.found_in). Names are split once each (a search meets thousands), and a name
    holding none of the question's words is passed over before any term is tried."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self.words = wanted_forms(terms)
        self.prefixes = tuple(t.word for t in terms if t.prefix)

    def held(self, name: str) -> int:
        words = _split_name(name)
        if self.words.isdisjoint(words) and not (
                self.prefixes and any(w.startswith(self.prefixes) for w in words)):
            return 0
        return sum(1 for t in self.terms if t.found_in(words))


# Names and the words of the lines snippets show share one cache: at 8,192 it turned
# over within a question at 50,000 real records (snippets 1.95 ms a question, 1.45 at
# 16,384, no faster at 32,768; 16,384 names take at most about 11 MB).
@functools.lru_cache(maxsize=16384)
def _split_name(name: str) -> frozenset[str]:
    return frozenset(words_of(name))

