"""How text becomes searchable words, on both sides of the index: what a record puts into
the full-text index and what a question is read as.

SQLite's FTS5 tokenizer (porter over unicode61) splits on punctuation and stems English
endings, but it cannot split `sendFile` or `ActiveHelp` into words. So identifiers are
spelled out here, next to the original: `sendFile` is indexed as `sendFile send File`, and
a query for "send file", "sendfile" or "sending files" finds it. Standard library only.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections import Counter, namedtuple
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from codequery import languages, phrasal
from codequery.lazy_re import lazy

# Letters of any script: a comment's `zählen`, a string's `résumé` are words too.
_IDENT = lazy(r"[^\W\d][\w$]*|\$[\w$]*|[0-9]+[^\W\d]\w*")
_JOINS = lazy(r"[_$]+")
_PARTS = lazy(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
VOCABULARY_MAX_BYTES = 256 * 1024

# Words that say nothing about which file is meant: English function words, and the
# words agents wrap a question in ("where is the code that ...", "how does X work").
_ENGLISH = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "down",
    "during", "each", "either", "else", "ever", "every", "few", "for", "from", "further",
    "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i",
    "if", "in", "into", "is", "it", "its", "itself", "just", "let", "lets", "me", "more",
    "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only",
    "or", "other", "our", "ours", "out", "over", "own", "per", "same", "shall", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
    "there", "these", "they", "this", "those", "through", "thus", "to", "too", "under",
    "until", "up", "upon", "us", "very", "was", "we", "were", "what", "whatever", "when",
    "whenever", "where", "wherever", "whether", "which", "while", "who", "whom", "whose",
    "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours"
])
# Not "keep": code keeps connections alive and files from cleanup (on bench/search_quality.py,
# 2,300 questions: oatpp's keep-alive 9 -> 1, 4 better, 4 worse by a rank or two). "one" is
# ("into one message", "an existing one"): on 2,525 questions top-3 89.98% -> 90.10%
# (jackson-core's duplicate names 8 -> 3, zlib's one-call compress 6 -> 3; kysely's "only
# one operation at a time" 1 -> 3); "another", "several", "many" as well lost a rank.
# "like" and "including" introduce examples ("types like int"): 90.10% -> 90.14%, MRR
# 0.8209 -> 0.8211, and 1 of 150 new questions into the top 3; "library" (the project
# itself) and "inside" lost.
STOP_WORDS = _ENGLISH | frozenset([
    "code", "codebase", "file", "files", "function", "functions", "method", "methods",
    "implemented", "implementation", "implements", "implement", "located", "location",
    "defined", "definition", "logic", "happen", "happens", "happening", "place", "part",
    "piece", "responsible", "somewhere", "exactly", "actually", "anywhere", "via", "using",
    "used", "uses", "tell", "came", "come", "comes", "make", "makes", "made", "work",
    "works", "worked", "way", "ways", "thing", "things", "something",
    "need", "needs", "needed", "want", "wants", "see", "look", "looked", "turned", "take",
    "takes", "taken", "give", "gives", "given", "decide", "decided",
    "decides", "figure", "figured", "go", "goes", "going", "happen", "possible", "able",
    "different", "certain", "whole", "someone", "such", "done", "one", "like", "including"
])

# Folder and file names that mark tests, fixtures and examples: they rank below the
# source for the same match (their names repeat a question's words), but stay findable.
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "specs", "testing", "e2e",
                        "integration_tests", "unittests", "test_utils", "testutils",
                        "fuzz", "fuzzing", "fuzzers", "fuzz_targets", "ossfuzz", "oss-fuzz",
                        "__typetest__", "__typetests__", "type-tests", "typetests",
                        "regress", "regression", "regressions",
                        "testes",  # Lua's
                        "step_definitions", "step_defs"})  # Cucumber's
_FIXTURE_DIRS = frozenset({"fixtures", "fixture", "testdata", "test_data", "__fixtures__",
                           "__testfixtures__",  # jscodeshift's codemod inputs and outputs
                           "__mocks__", "mocks", "__snapshots__", "snapshots", "golden"})
# What a test harness compares a run with: the output it expects (qpdf's 641
# `qtest/qpdf/*.out`, which repeat the code's error messages and outranked the code).
_FIXTURE_FILE = lazy(r"\.(out|expected|golden|stdout|stderr)$")
_EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos",
                           "_examples", "benches", "benchmarks", "bench", "benchmark",
                           "perftest", "perftests",  # disruptor's, fastparse's benchmarks
                           "jmh",  # a JVM project's source set of benchmarks (graphql-java's)
                           "playground", "playgrounds",  # apps to try the library in
                           "docs_src"})  # the programs a documentation site shows (typer's)
# A top-level tutorial's programs are examples (bubbletea's `tutorials/basics/main.go`,
# easy-rules' `easy-rules-tutorials/`); its prose stays docs, and an app's own tutorial
# feature (`src/tutorial/Overlay.tsx`) code.
_TUTORIAL_DIRS = frozenset({"tutorial", "tutorials"})
_TEST_FILE = lazy(
    r"(^test_.*\.(py|rb|c|cc|cpp)$|_test\.(py|go|rb|exs?|dart)$|^conftest\.py$"
    r"|(_|[_-]unit)tests?\.(c|cc|cpp|cxx)$"  # a_unittest.cc; gtest-typed-test.cc is source
    r"|\.(test|spec|e2e|bench)(-d)?\.[cm]?[jt]sx?$"  # .test-d.ts: tsd's type tests
    r"|[-_]tests?\.[cm]?[jt]sx?$"  # react-router's `action-test.ts`; not `calendar-spec.js`
    r"|_spec\.rb$|(Tests?|\wTestCase)\.(java|kt|cs|scala|swift|php)$"
    r"|_tests?\.rs$|\.t$"
    r"|\.test$"  # a test harness's scripts (qpdf's qtest `arg-parsing.test`, jq's, SQLite's)
    r"|(^|[_.-])test(s|ing)?[_-](helpers?|utils?|support|common|base)\.\w+$"
    # Cucumber's specs, in Gherkin, and the Ruby that runs them
    r"|\.feature$|^step_(definitions|defs|steps)\.(rb|[cm]?[jt]s|py|java|kt|go|php)$)")

# A program that shows the library off (Dear ImGui's `imgui_demo.cpp`); not `example.rb`
# or `sample.ts`, which name code (RSpec's examples, remeda's sample).
_DEMO_FILE = lazy(r"(^|[_-])demo$")
# What a test runner loads before the tests (TanStack's `test-setup.ts`, mobx's
# `jest.setup.ts`).
_TEST_SETUP_FILE = lazy(r"^((test|tests|jest|vitest)[._-]setup|setup[._-]?tests)"
                        r"\.[cm]?[jt]sx?$")  # ... and create-react-app's setupTests.ts
# Modules only tests import: a file named `test.ts` that imports one is a test; so is a C#
# file that uses .NET's (see _dotnet_test).
TEST_FRAMEWORKS = frozenset({"vitest", "@jest/globals", "node:test", "ava", "uvu", "tap",
                             "tape", "chai", "mocha", "jest", "@playwright/test", "bun:test",
                             "Xunit", "NUnit.Framework", "TUnit.Core",
                             "Microsoft.VisualStudio.TestTools.UnitTesting"})

_CODE_EXTENSION = lazy(r"\.(py|[cm]?[jt]sx?|go|rs|java|kts?|rb|cs|swift|bash|zsh|ksh|hs|ml|fs"
                       r"|jl|zig|erl|clj|groovy|nim"
                       r"|php|scala|sh|ex|exs|lua|dart|m|mm|pl|r)$|("
                       + "|".join(map(re.escape, languages.suffixes_of("c", "cpp")))
                       + ")$")
# Built or copied in, not written here: a bundle repeats every word of the source it was
# made from, and would outrank it.
_GENERATED_DIRS = frozenset({"dist", "out", "vendor", "vendored", "third_party",
                             "third-party", "thirdparty", "3rdparty", "bundled", "node_modules",
                             "bower_components", "__generated__", "generated",
                             "single_include", "single-include",
                             # SFML's vendored headers; Yarn's own release and plugins
                             "extlibs", ".yarn"})
# What Maven, sbt and Cargo write into `target/`, on the rare occasions it is committed; a
# `target/` of other things is code (docker-mailserver's scripts, the image's `target/`;
# coil's `coil3/target/`, Hyprland's `layout/target/`: all had been taken for built files).
_BUILD_OUTPUT = frozenset({"classes", "test-classes", "generated-sources",
                           "generated-test-sources", "debug", "release", "site",
                           "maven-status", "maven-archiver", "surefire-reports", "doc"})
# Vendored code as C and C++ name its folder (monero's `external/`, cereal's); deeper in a
# tree, a C# project's `External/` (UniTask's `Runtime/External/DOTween/`) holds its own
# code for other libraries.
_VENDORED_LOWER_DIRS = frozenset({"external", "externals"})
# Vendored dependencies when top-level, in any case (redis's `deps/`, Dolphin's
# `Externals/`); deeper, a folder named `deps` may hold the project's own code
# (`lib/deps/graph.py`).
_TOP_VENDORED_DIRS = frozenset({"deps"}) | _VENDORED_LOWER_DIRS
# ... and the one-file amalgamations of a C or C++ library (Catch2's
# `extras/catch_amalgamated.cpp`; not a module named for the idea, `amalgamation.py`).
_GENERATED_FILE = lazy(r"\.(min\.[cm]?js|min\.css|map|bundle\.[cm]?js|pb\.go)$"
                       r"|_pb2(_grpc)?\.pyi?$|\.generated\.\w+$|\.g\.dart$"
                       # C#: a designer's code (`Resources.Designer.cs`), source generators'
                       r"|\.designer\.cs$|\.g\.(i\.)?cs$"
                       r"|\.meta$"  # Unity's record of each asset's id and import settings
                       # a drawing: an editor's XML (type-graphql's sponsors' logos)
                       r"|\.svgz?$"
                       r"|(^|[_.-])amalgamat(ed|ion)\.(c|cc|cpp|cxx|h|hh|hpp|hxx)$"
                       # a linter's list of the findings it tolerates
                       r"|(^|[_.-])baseline\.(neon|xml)$|^\.rubocop_todo\.yml$")
# Changes to another project's code (pyenv's and rvm's fixes to the Pythons and Rubies
# they build, patch-package's `patches/`): generated, unless a test's (a diff tool's
# fixtures).
_PATCH_FILE = lazy(r"\.(patch|diff)$")
# A CI service's folder at the top (workflows, issue templates, bots' settings): how the
# project is run, like its changelog, never what a question about the code is after
# (pydantic's `.github/workflows/third-party.yml` came first for third-party plugins).
# Measured on bench/search_quality.py (3,245 questions): 2 better (zustand's build-time
# env check 2 -> 1), none worse; bench/holdout unchanged.
_CI_DIRS = frozenset({".github", ".circleci", ".gitlab", ".buildkite", ".azure-pipelines",
                      ".gitea", ".forgejo"})
# Settings for tools (linters, editors, bundlers, packaging, Java's service registrations
# in `META-INF/`, a package's own CI folder deeper in the tree): rarely what a question
# about the code is after.
_CONFIG_DIRS = frozenset({".vscode", ".idea", ".devcontainer", ".husky", ".config",
                          "meta-inf"}) | _CI_DIRS
_COMPLETIONS = frozenset({"completions", "completion"})
_COMPLETION_DIRS = _COMPLETIONS | {"fish"}
# A shell's completion script: by its shell's extension, or with none (zsh's `_task`,
# bash's `eza`). In a completion folder it lists the tool's flags with their help, which
# match any question about what the flags do.
_COMPLETION_SCRIPT = lazy(r"\.(bash|zsh|nu|ps1|elv)$|^[^.]+$")
_CONFIG_FILE = lazy(
    r"\.(ya?ml|toml|ini|cfg|conf|properties|pro|editorconfig|gradle|plist|xml|json[c5]?|neon"
    r"|resx|resw"  # .NET resources: the strings a program shows, in XML
    r"|xlf|xliff|po|pot"  # their translations (XLIFF, gettext catalogs)
    r"|asmdef|asmref"  # Unity's assembly definitions
    r"|service|socket|timer|desktop"  # systemd units, desktop entries
    # what tools around the code read: Visual Studio's debugger views (entt's
    # `natvis/entity.natvis`), ReSharper's settings, a NuGet package's (CoApp's `.autopkg`),
    # pkg-config's (`benchmark.pc.in`); each outranked code on its words
    r"|natvis|dotsettings|autopkg|pc"
    r"|config"  # .NET's (`App.config`, `NuGet.config`, `packages.config`)
    r"|xcconfig|xcscheme|xcworkspacedata)$"  # Xcode's build settings, schemes, workspaces
    r"|^(lldbinit|gdbinit)$"  # a debugger's start-up commands (Catch2's `extras/lldbinit`)
    r"|^dockerfile\.\w+$|\.dockerfile$"  # an image's variants (`Dockerfile.ci`)
    r"|^(makefile|dockerfile|gemfile|rakefile|justfile|procfile"
    r"|vagrantfile|brewfile|podfile|cmakelists\.txt|setup\.cfg|tox\.ini|go\.mod)$")
# A tool's settings as a script (`vite.config.ts`, `karma.conf.js`); a module named
# `-config.ts` (kysely's `postgres-dialect-config.ts`, nitro's `runtime-config.ts`) is code.
# Its variants too (immer's `vitest.config.build.ts`, `webpack.config.prod.js`).
# A tool's settings named `...rc`, with no extension (python-fire's `pylintrc`, which
# outranked the code on its comments' words; `vimrc`, `htoprc`): not a script that
# defines functions, nor a name ending in `src` or `arc` (`getsrc`, `narc`).
_RC_FILE = lazy(r"^[a-z][a-z0-9]+(?<![sa])rc$")
_CONFIG_SCRIPT = lazy(r"\.conf(ig)?(\.[\w-]+)?\.[cm]?[jt]s$")
# The project's own development scripts, in a top-level folder (`scripts/`, `tools/`,
# Kubernetes-style `hack/`): they build, release and check the code, and rarely are what
# a question about it is after.
_TOOLING_DIRS = frozenset({"scripts", "script", "tools", "tool", "hack", "ci", "devtools",
                           "tasks",  # Grunt's, Gulp's and invoke's tasks
                           "rakelib",  # Rake's tasks (mail's `rakelib/generate_tables`)
                           "dev-tools", "build",  # what a build makes is rarely committed
                           "builds"})  # libzmq's per-platform build scripts


def in_tooling_folder(path: str) -> bool:
    """Whether a path is in a top-level folder of development scripts (see _TOOLING_DIRS,
    and .NET Arcade's `eng/common/`, copied in)."""
    folders = path.lower().split("/")[:-1]
    return bool(folders) and (folders[0] in _TOOLING_DIRS or folders[:2] == ["eng", "common"])


# A top-level `config/` holds an application's settings in the languages that write them
# as code (Laravel's `config/database.php`, Rails' `config/routes.rb`); in the others it
# is a package like any other (Hugo's `config/security/`).
_COMPILED_FILE = lazy(
    r"\.(go|rs|java|kt|cs|fs|scala|swift|dart|zig|nim|c|cc|cpp|cxx|h|hh|hpp|hxx|m|mm)$")
# Build scripts (CMake, Meson, Bazel, autotools, SCons): settings for the build, even
# where their names end like docs (`CMakeLists.txt`, `meson_options.txt`).
_BUILD_FILE = lazy(
    r"\.(cmake|bzl|mk|mak|make|gradle\.kts)$"
    r"|\.\w*proj(\.filters)?$|\.(props|targets|slnx?|ruleset)$"  # MSBuild, Xcode, analysers
    r"|^(cmakelists\.txt|meson\.build|meson_options\.txt"
    r"|meson\.options|build(\.bazel)?|buck|workspace(\.bazel|\.bzlmod)?|module\.bazel"
    r"|configure\.ac|makefile\.am|sconstruct|sconscript|build\.zig(\.zon)?"
    r"|gradlew(\.bat)?|mvnw(\.cmd)?"  # the Gradle and Maven wrappers' start scripts
    # packagers' and builds' own files: Arch's and Alpine's recipes, Buck's TARGETS,
    # Chromium's DEPS, an sdist's MANIFEST, an R package's NAMESPACE
    r"|pkgbuild|apkbuild|targets|deps|manifest|namespace"
    r"|dune|dune-project|dune-workspace)$|\.opam$"  # OCaml's dune and opam
    # task runners' files (typedoc's `Herebyfile.mjs`), Doxygen's settings, RPM's recipes
    # (the_silver_searcher's `.spec.in`): each took a top-3 place on its words, never right
    r"|^(gulpfile|gruntfile|jakefile|herebyfile)\.[cm]?[jt]s$|^doxyfile(\.in)?$"
    r"|\.spec(\.in)?$"
    # packages' manifests (a gem's, a CocoaPod's, a LuaRocks rock's, Nimble's, Cabal's)
    # and sbt's builds
    r"|\.(gemspec|podspec|rockspec|nimble|cabal|sbt)$")
# make's variants (jsoncpp's `dev.makefile`, zlib's `Makefile.msc`, `GNUmakefile`); not
# Perl's `Makefile.PL`, a script, nor a module named so (`makefile.pm`, `src/makefile.py`)
_MAKE_FILE = lazy(r"\.makefile$|^gnumakefile$|^makefile\.(?!p[lm]$)\w+$")
# A copy kept aside: an editor's, a merge's, someone's by hand.
_BACKUP = lazy(r"(?<=.)\.(bak|orig|old)$", re.I)
# Windows scripts at the top of a repository build, test or measure it (Swashbuckle's
# `build.ps1` and `benchmark.ps1`, `build.cmd`); a PowerShell module's own code is in folders.
_TOP_SCRIPT = lazy(r"\.(ps1|cmd|bat)$")
# TypeScript that only declares types (`.d.ts`; a `types/` folder or `types.ts` that
# defines no function): it repeats every option's documentation, while a question is
# mostly after the code that acts on it.
_TYPES_DIRS = frozenset({"types", "typings", "@types", "type-definitions"})
# Folders of interfaces in the languages that name them so (Laravel's `Contracts/`).
_INTERFACE_DIRS = frozenset({"Contracts", "Interfaces"})  # as these languages name them
_INTERFACE_LANGUAGE_FILE = lazy(r"\.(php|cs|java|kt|[cm]?ts)$")
_DTS_FILE = lazy(r"\.d\.[cm]?ts$")
# The signature of a module, beside its code: OCaml's `.mli`, F#'s `.fsi` (each declares
# `util.ml`'s functions with their doc comments, as a C header or a `.d.ts` does),
# and Flow's declarations of a JavaScript module (`src/types/index.js.flow`)
_SIGNATURE_FILE = lazy(r"\.(mli|fsi|js\.flow)$")
# Interface definitions that a compiler turns into code (protobuf, Thrift, FlatBuffers,
# GraphQL schemas, IDL): they declare what the code does, as a C header; a question about
# how it is done is after the code (tonic's reflection service had come after its .proto).
_SCHEMA_FILE = lazy(r"\.(proto|thrift|fbs|graphqls?|gql|idl|avdl)$")
_TYPES_FILE = lazy(r"^(types|typings)\.[cm]?ts$|\.types\.[cm]?ts$")
# A C# file named for an interface (`IPublisher.cs`, the .NET naming rule): the contract,
# while a question is mostly after what implements it.
_CSHARP_INTERFACE = lazy(r"^I[A-Z][a-z][A-Za-z0-9]*(?<!Extensions)(?<!Extension)\.cs$")
_HELPERS = lazy(r"Helpers?\.cs$")
# A C# attribute (`DelimiterAttribute.cs`, `[Delimiter(";")]`) marks what other code acts on:
# it documents the option while the code that reads it does the work. Measured on
# bench/search_quality.py: 5 C# questions better (CsvHelper's delimiter detection before its
# DelimiterAttribute.cs), none worse.
_CSHARP_ATTRIBUTE = lazy(r"[A-Za-z0-9]Attribute\.cs$")
# A PHP interface, by the PSR naming rule (`HandlerInterface.php`): the contract, as a C#
# interface. On bench/search_quality.py 4 PHP questions ranked better below the top 3,
# none worse.
_PHP_INTERFACE = lazy(r"[A-Za-z0-9]Interface\.php$")
# Languages that keep all code in classes, and TypeScript: there a file that only declares
# types (an enum of options such as Newtonsoft's FloatParseHandling.cs, the interfaces of
# routing-controllers' `metadata/args/`) is answered where they are used. TypeScript too
# on bench/search_quality.py (3,245 questions): 10 better (msw's once-only handler 2 -> 1,
# pinia's injection 4 -> 3), marked's "type describing a tokenizer extension" 1 -> 6;
# on round 27's looked-at half, routing-controllers' inherited handlers 5 -> 2.
_CLASS_LANGUAGE_FILE = lazy(r"\.(cs|java|kt|[cm]?ts)$")
# A package's documentation kept in a file of its own: Go's `doc.go` (a comment and the
# `package` line), Java's `package-info.java`. On bench/search_quality.py 2 questions
# better (gorilla/websocket's conn.go, client.go before doc.go), none worse.
_PACKAGE_DOC = lazy(r"^(doc\.go|package-info\.java)$")
# A name in capitals without an extension is prose beside the code, as README and INSTALL
# are (wrk's SCRIPTING, HACKING, USAGE); not code (a file with functions), and the
# builds' and packagers' own (BUILD, PKGBUILD) are settings before this is asked.
_CAPITALS_PROSE = lazy(r"^[A-Z][A-Z0-9_-]{2,}$")
_DOC_DIRS = frozenset({"docs", "doc", "documentation", "man", "website", "site"})
# A `doc` or `docs` folder right inside a source folder is a module of the program when its
# code does work (yaml's `src/doc/Document.ts`, the document model), not the program's
# documentation. Deeper it may be either (Polly's `src/Snippets/Docs/`, the code its docs
# show; stencil's `src/compiler/docs/`, the compiler's docs generator): counted as
# documentation, on bench/search_quality.py Polly's two questions about chaos strategies
# stay 3rd, not 5th. A site's (Maven's `src/site/`) stays documentation.
_MODULE_DOC_DIRS = frozenset({"docs", "doc"})
# Prose without an extension, as C projects name it: README, README400, FAQ, INSTALL (a
# file of that name that defines functions is a script: bin/install).
_PROSE_FILE = lazy(r"^readme([-_]?[a-z0-9]*)$|^(faq|install|todo|hacking|bugs|thanks)$")
_DOC_FILE = lazy(r"\.(md|mdx|markdown|mdown|mkdn?|rst|txt|adoc|asciidoc|textile|rdoc|org"
                 r"|html?|scalatex"  # Scalatex: the docs of Li Haoyi's Scala libraries
                 r"|texi|texinfo"  # GNU's manuals (tinycc's `tcc-doc.texi`)
                 # man pages: tmux.1, jq.1.prebuilt, a section's own suffix (libpcap's
                 # pcap_compile.3pcap, openssl's .3ssl) and libpcap's sections set by its
                 # build (`pcap-savefile.manfile.in`, `.manmisc`, `.manadmin`): its man
                 # pages had taken the top 3 from its code for "how is a compiled filter
                 # instruction turned into a line of text"
                 r"|[1-9](\.prebuilt)?|[1-9][a-z]{1,6}|man(file|misc|admin)?)$")
# Coding agents' own folders (commands, skills, specs written for them), like their
# instruction files: about working on the project, not what its code does.
_AGENT_DIRS = frozenset({".claude", ".cursor", ".windsurf", ".codex", ".gemini", ".aider",
                         ".continue", ".roo", ".clinerules", ".kiro"})
# Folders at the top that hold the project's running, not its code (see kind_of).
_TOP_META_DIRS = _AGENT_DIRS | _CI_DIRS
# Instructions to coding agents: how to work on the project, with a word on all of it
# (`docs/agents.md` may document an agents feature: only these names, as spelled).
_AGENT_INSTRUCTIONS = lazy(r"^(CLAUDE|AGENTS|GEMINI)(\.local)?\.md$"
                           r"|^copilot-instructions\.md$")
_META_FILE = lazy(
    r"^(changelog|changes|history|news|releases?|authors|contributors|contributing|licen[cs]e"
    r"|copying|notice|code_of_conduct|security|upgrading|migration)"
    r"([._-][a-z0-9_.-]*)?(\.(md|mdx|rst|txt|adoc|rdoc|org))?$"
    r"|\.lock$|\.(asc|gpg|pgp)$|\.nuspec$|^package-lock\.json$|^npm-shrinkwrap\.json$|^pnpm-lock\.yaml$|^go\.sum$"
    # a licence under the project's name (jackson's META-INF/jackson-core-LICENSE)
    r"|^[a-z0-9_.-]+[._-](licen[cs]e|notices?|copying)(\.(md|txt|rst))?$")


# Notes the builtin documenter leaves about its own reading of a file, not about the code:
# kept in the record, left out of the index (a question about syntax errors is not about
# every file with a macro the grammar could not read).
SYNTAX_ERRORS_NOTE = "Syntax errors; the outline is best effort."
NOT_PYTHON_NOTE = "Not valid Python"
# A large JavaScript file inside a UMD wrapper: a build's bundle of code kept elsewhere
# (moment's `moment.js`, `meteor/moment.js`), a generated file (see kind_of).
BUNDLE_NOTE = "A build's bundle (a UMD wrapper); its code is kept in other files."
# A file whose header says a tool wrote it ("Code generated by ifacemaker; DO NOT EDIT.",
# protobuf's "Generated by the protocol buffer compiler.  DO NOT EDIT!", `@generated`,
# C#'s `<auto-generated>`): a generated file (see kind_of).
GENERATED_NOTE = "Generated code: its header says not to edit it."
# Web code on a few very long lines (see documenters.comments.minified): a generated file.
MINIFIED_NOTE = "Minified code: a build wrote it on a few very long lines."
GENERATED_NOTES = frozenset({BUNDLE_NOTE, GENERATED_NOTE, MINIFIED_NOTE})
# A Java, Kotlin or TypeScript file that declares interfaces and nothing with a body: a
# contract whose doc comments say what each implementation does (see kind_of: declarations,
# as C#'s `IName.cs`; httpcomponents-client's `BackoffManager.java` came before
# `AIMDBackoffManager.java`).
# Over the 67 Java repositories of bench/ (1,013 questions, re-documented): 46 better, 1
# worse; tuned-on top-3 89.9% -> 90.0%, MRR 0.797 -> 0.805; held out 88.4% -> 89.6%,
# MRR 0.787 -> 0.807. TypeScript's 72 (1,098 questions): 8 better, none worse; tuned-on
# top-3 89.8% -> 90.0%, MRR 0.813 -> 0.816; held out 90.9% either way, MRR 0.800 -> 0.801.
INTERFACES_NOTE = "Declares interfaces only: their implementations do the work."
# A C# or Java file whose types have no method and that still runs code: top-level
# statements (a C# program's `Program.cs`), lambdas, method references, anonymous methods
# and classes in its fields and properties, Java's static initializer blocks
# (System.CommandLine's `ArgumentConverter.StringConverters.cs`, a dictionary of parsers).
# Its types are not all it declares: it is source (see store._only_types).
WORKS_NOTE = ("Does its work outside methods: in top-level statements, lambdas, anonymous "
              "classes or static initializers.")
# The builtin reading's notes that decide how search ranks a file (an LLM's record keeps
# them, see documenters.builtin.with_reading_notes).
RANKING_NOTES = GENERATED_NOTES | {INTERFACES_NOTE, WORKS_NOTE}


def about_the_code(note: str) -> bool:
    """Whether a note says something of the code, not of the builtin reading (which the
    index leaves out)."""
    return (note != SYNTAX_ERRORS_NOTE and note not in RANKING_NOTES
            and not note.startswith(NOT_PYTHON_NOTE))


def split_identifier(name: str) -> list[str]:
    """`sendFile` -> [send, File]; `HTTP_server2` -> [HTTP, server, 2]; a plain word -> []."""
    # (most names hold neither: not split by a regular expression, a hot path)
    chunks = _JOINS.split(name) if "_" in name or "$" in name else (name,)
    parts = [p for chunk in chunks for p in (
        _PARTS.findall(chunk) if chunk.isascii() else _case_parts(chunk))]
    return parts if len(parts) > 1 else []


def _case_parts(chunk: str) -> list[str]:
    """_PARTS for letters of any script: `zählenWert` -> [zählen, Wert], `ÜBERGröße` ->
    [ÜBER, Größe]."""
    parts: list[str] = []
    for i, char in enumerate(chunk):
        before = chunk[i - 1] if i else ""
        after = chunk[i + 1] if i + 1 < len(chunk) else ""
        if not char.isalnum():
            continue
        starts = (not parts or not before.isalnum() or char.isdigit() != before.isdigit()
                  or char.isupper() and (before.islower()
                                         or before.isupper() and after.islower()))
        if starts:
            parts.append(char)
        else:
            parts[-1] += char
    return parts


def spelled_out(text: str) -> str:
    """`text` followed by the words of its compound identifiers, for the index."""
    extra: list[str] = []
    seen: set[str] = set()
    for ident in _IDENT.findall(text):
        if ident in seen:
            continue
        seen.add(ident)
        extra += split_identifier(ident)
    return f"{text}\n{' '.join(extra)}" if extra else text


# What code shortens and a question spells out: a file that says `maxLen`, `cfg` or `req`
# is indexed with "maximum length", "configuration" and "request" too. Measured on
# bench/search_quality.py (1,865 questions): top-1 73.5% -> 74.5%, MRR 0.827 -> 0.833,
# top-3 unchanged; on the held-out six and on 360 questions written blind this session,
# MRR higher in each group (0.791 -> 0.793, 0.746 -> 0.750, 0.698 -> 0.707), nothing lower.
# Words that shorten two things (`ts`, `id`, `sync`, `sec`, `lib`, `doc`; `dec`, `sig`,
# `col`, `acc`, `tx`) are left out: with the first six, top-3 was lower.
_LONG_FORMS = {
    "max": "maximum", "min": "minimum", "msg": "message", "msgs": "messages",
    "cfg": "configuration", "conf": "configuration", "config": "configuration",
    "ctx": "context", "req": "request", "res": "response", "resp": "response", "err": "error",
    "errs": "errors", "buf": "buffer", "len": "length", "num": "number", "str": "string",
    "idx": "index", "ptr": "pointer", "init": "initialize", "alloc": "allocate",
    "conn": "connection", "db": "database", "dir": "directory", "env": "environment",
    "arg": "argument", "args": "arguments", "param": "parameter", "params": "parameters",
    "attr": "attribute", "attrs": "attributes", "impl": "implementation", "val": "value",
    "vals": "values", "var": "variable", "vars": "variables", "tmp": "temporary",
    "temp": "temporary", "src": "source", "dst": "destination", "dest": "destination",
    "cb": "callback", "fn": "function", "func": "function", "async": "asynchronous",
    "auth": "authentication", "regex": "regular expression", "regexp": "regular expression",
    "addr": "address", "cmd": "command", "prev": "previous", "cur": "current",
    "calc": "calculate", "char": "character", "chars": "characters", "expr": "expression",
    "stmt": "statement", "iter": "iterator", "obj": "object", "pkg": "package",
    "repo": "repository", "info": "information", "spec": "specification", "sep": "separator",
    "del": "delete", "rm": "remove", "ref": "reference", "refs": "references",
    "dup": "duplicate", "cert": "certificate", "pwd": "password", "passwd": "password",
    "gen": "generate", "opt": "option", "opts": "options", "perm": "permission",
    "perms": "permissions", "cnt": "count", "ms": "milliseconds",
    # a second batch, and a few names for what a question calls otherwise (ttl, mutex):
    # held out, top-3 +1 of 90 and +1 of 180, MRR 0.793 -> 0.801, 0.750 -> 0.751,
    # 0.707 -> 0.712; the bench MRR 0.8327 -> 0.8333, top-3 -1 of 1,865
    "fs": "filesystem", "cli": "command line", "gc": "garbage collection", "ttl": "expiry",
    "lru": "least recently used", "ws": "websocket",
    "kv": "key value", "hdr": "header", "hdrs": "headers", "pos": "position",
    "seq": "sequence", "ack": "acknowledge", "btn": "button", "img": "image", "mem": "memory",
    "proc": "process", "stats": "statistics", "sys": "system", "dict": "dictionary",
    "tbl": "table", "fmt": "format", "lang": "language", "mgr": "manager", "svc": "service",
    "ns": "namespace", "pkt": "packet", "ver": "version", "evt": "event", "ev": "event",
    "elem": "element", "elems": "elements", "sz": "size", "nr": "number", "mutex": "lock",
    "txn": "transaction", "util": "utility", "utils": "utilities", "dbg": "debug",
    "lvl": "level", "sess": "session", "tok": "token", "enc": "encode",
    "rand": "random", "ctrl": "control", "ops": "operations", "op": "operation",
    "exec": "execute", "eof": "end of file", "rpc": "remote procedure call",
    # C's one-word calls for the environment (muduo's `getenv("MUDUO_USE_POLL")` for
    # "force poll with an environment variable"; Go's Getenv and Rust's env::var split)
    "getenv": "environment variable", "setenv": "environment variable",
    "unsetenv": "environment variable", "putenv": "environment variable",
    "environ": "environment",
    # POSIX error names, which code tests (`err.code === 'EADDRINUSE'`, `errno.ENOENT`,
    # `syscall.ECONNREFUSED`) and a question describes ("when the port is already in
    # use"): each as the message the system gives for it. Over 1,489 questions of 100
    # kept repositories of bench/search_quality and bench/holdout, no rank moved (karma's
    # net-utils.js, which tests EADDRINUSE, stayed 4th for "the port is already in use")
    **{name.lower(): message for name, message in (
        ("EADDRINUSE", "address already in use"), ("EADDRNOTAVAIL", "address not available"),
        ("ECONNREFUSED", "connection refused"), ("ECONNRESET", "connection reset"),
        ("ECONNABORTED", "connection aborted"), ("ETIMEDOUT", "timed out"),
        ("ENOENT", "no such file or directory"), ("EEXIST", "file already exists"),
        ("EACCES", "permission denied"), ("EPERM", "operation not permitted"),
        ("ENOTDIR", "not a directory"), ("EISDIR", "is a directory"),
        ("ENOTEMPTY", "directory not empty"), ("EPIPE", "broken pipe"),
        ("EWOULDBLOCK", "would block"), ("EINTR", "interrupted"),
        ("EINVAL", "invalid argument"), ("ENOSPC", "no space left on device"),
        ("EMFILE", "too many open files"), ("EHOSTUNREACH", "host unreachable"),
        ("ENETUNREACH", "network unreachable"), ("ENOTCONN", "not connected"),
        ("EBADF", "bad file descriptor"), ("ENOMEM", "out of memory"),
        ("EXDEV", "cross device link"), ("ENAMETOOLONG", "file name too long"),
        ("EROFS", "read only file system"), ("ESRCH", "no such process"),
        ("EHOSTDOWN", "host is down"), ("ENETDOWN", "network is down"))}}
# Not "usr": nearly always a path (`#!/usr/bin/env bash`, /usr/local), which made every
# shell script a match for "user".
_LOWER_WORD = lazy(r"[a-z]+")


def with_long_forms(text: str) -> str:
    """`text` followed by the long forms of the shortened words it uses (see _LONG_FORMS),
    each once: the index then finds a file by the words a question spells out."""
    found = dict.fromkeys(_LONG_FORMS[w] for w in _LOWER_WORD.findall(text.lower())
                          if w in _LONG_FORMS)
    return f"{text}\n{' '.join(found)}" if found else text


_PATH_BREAK = lazy(r"[/\\._\-]+")


def path_words(path: str, names: Iterable[str] = (), used: str = "") -> str:
    """A path as words: folders, the file's name and its extension, identifiers split,
    and a name run together from the words of the file's own `names` (its symbols) or,
    whole, of the words it uses (`used`, see vocabulary) spelled out: `proctitle.c`
    defining uv_set_process_title -> process title, `bufferevent_pair.c` -> buffer event
    (see run_together)."""
    text = spelled_out(_PATH_BREAK.sub(" ", path))
    # lower case or capitalised (Java's and C#'s `Classfile.java`, `Keystore.cs`): a name
    # with more capitals is split where they are (see split_identifier)
    parts = [part.lower() for part in _PATH_BREAK.split(without_extension(path))[-2:]
             if len(part) >= 5 and part.isalpha() and part[1:].islower()]
    if not parts:
        return text
    known = _identifier_words(names)
    whole = frozenset(w for w in used.split() if len(w) >= 3 and w.isalpha())
    extra = [w for part in parts for w in run_together(part, known, whole)]
    return f"{text}\n{' '.join(extra)}" if extra else text


def _identifier_words(names: Iterable[str]) -> list[str]:
    """The words of identifiers, lower case, sorted: `uv_set_process_title` -> process,
    set, title, uv (each once)."""
    found: set[str] = set()
    for name in names:
        parts = split_identifier(name)
        found.update(p.lower() for p in parts or [name] if p.isalpha())
    return sorted(found)


# See run_together. Measured on bench/search_quality.py with the words a file uses among
# the known words: 1 more of 1,565 questions in the top 3 (and 1 of 165 on a new group);
# without splitting known words, no change.
RUN_TOGETHER_KNOWN = 8


def run_together(name: str, known: list[str], whole: frozenset[str] = frozenset()
                 ) -> list[str]:
    """A lower-case name written as one word (`proctitle`, `urlmap`, `threadpool`) split
    into `known` words (sorted), each piece a word or, from three letters, the start of
    one (`proc` -> process), or a word of `whole` as it is: the fewest pieces, two at
    least. [] when the name is not plain lower case or does not split. A name that is
    itself a word of either, in any of its forms, splits only into whole words, and only from
    RUN_TOGETHER_KNOWN letters: a file that uses `threadpool` is about a thread pool, one
    that uses `parser` is not about a "par ser", nor `registry` about a "register try"."""
    def word_for(piece: str, starts: bool) -> str | None:
        if piece in whole:
            return piece
        i = bisect.bisect_left(known, piece)
        if i < len(known) and known[i] == piece and len(piece) >= 2:
            return piece
        if starts and len(piece) >= 3 and i < len(known) and known[i].startswith(piece):
            return known[i]  # the first (shortest) word that starts with it
        return None

    if len(name) < 5 or not name.isalpha() or not name.islower():
        return []
    # a word in one of its forms too: `attributes` is not an "attribute test"
    is_word = any(word_for(form, False) == form for form in forms(name))
    if is_word and len(name) < RUN_TOGETHER_KNOWN:
        return []

    best: list[list[str] | None] = [[]] + [None] * len(name)
    for end in range(1, len(name) + 1):
        for start in range(end):
            before = best[start]
            if before is None or start == 0 and end == len(name):
                continue
            word = word_for(name[start:end], not is_word)
            if word and (best[end] is None or len(before) + 1 < len(best[end])):
                best[end] = before + [word]
    return best[-1] or []


def path_names(path: str) -> set[str]:
    """The words (lower case) of a path's folders and file name, without the extension:
    `src/helper/ssg/ssgUtils.ts` -> src, helper, ssg, ssgutils, utils."""
    return words_of(re.sub(r"[/\\._\-\s]+", " ", without_extension(path)))


def file_stem(path: str) -> str:
    """A path's file name up to its first dot: `src/mime.test.js` -> mime."""
    return path.rsplit("/", 1)[-1].split(".", 1)[0]


def named_as(path: str, word: str) -> bool:
    """Whether a file's name without its extension is `word` (lower case) in any case:
    `RulesEngine.java` and `bin/rake` for rulesengine and rake; not `SqlMapper.Async.cs`
    nor `jquery.validate.js` for sqlmapper and jquery."""
    return without_extension(path.rsplit("/", 1)[-1]).lower() == word


def without_extension(path: str) -> str:
    """`src/css/parser.ts` -> src/css/parser; a dotfile or a name without a dot whole."""
    dot = path.rfind(".")
    return path[:dot] if dot > path.rfind("/") + 1 else path


def vocabulary(text: str) -> str:
    """The words a file uses (identifiers, spelled out, and the words of its comments
    and strings), each once or, for the words it keeps using, up to three times: a
    grep's view of the file, small enough to index, with enough repetition left for
    the ranking to tell a file about a thing from one that mentions it."""
    counts: Counter[str] = Counter()
    for ident in _IDENT.findall(text[:VOCABULARY_MAX_BYTES]):
        word = ident.lower()
        if len(word) < 2 or word in _ENGLISH:
            continue
        counts[word] += 1
        for part in split_identifier(ident):
            part = part.lower()
            if len(part) >= 2 and part not in _ENGLISH:
                counts[part] += 1
    words: list[str] = []
    for word, n in counts.items():
        words += [word] * (1 + (n >= 3) + (n >= 10))
    return " ".join(words)


# Words that mark a folder first in its name (`test-helpers`, `test_cinterop`) or before
# a word for support (`okio-testing-support`); the other names mark it alone or as its
# last word. Not in the middle of a tool's name: `react-test-renderer` is its source.
_TEST_WORDS = frozenset({"test", "tests", "testing"})
_LOAD_TESTS = frozenset({"scale", "load", "stress", "perf", "performance", "soak"})
# Folders that hold code, named for nothing in it.
CODE_FOLDERS = frozenset({"src", "source", "sources", "lib", "pkg", "internal", "app",
                          "include"})
# The last word of a package's name that makes it one for others' tests (`tokio-test`),
# unless the word before it names a kind of test (`integration-test/src/`, `e2e-test/`).
_PACKAGE_FOR_TESTS = frozenset({"test", "testing"})
_KINDS_OF_TEST = frozenset({
    "integration", "e2e", "end2end", "smoke", "load", "perf", "performance", "acceptance",
    "system", "functional", "it", "unit", "regression", "stress", "contract", "component",
    "ui", "api", "browser", "sanity", "compat", "compatibility", "interop", "conformance",
    "fuzz", "benchmark", "bench", "int", "end", "web"})  # `int-test`, `end-to-end-test`
# Words that, run together before "Fixture", make it a folder of fixtures (`specFixture`).
_FIXTURE_OWNERS = _TEST_WORDS | {"spec", "specs"}
_SUPPORT_WORDS = frozenset({"helper", "helpers", "util", "utils", "support", "common", "base",
                            "fixture", "fixtures"})
# Fixture names that also name code as a last word (`searchable-snapshots`, `goldenGate`);
# `__snapshots__`, `__prod_snapshots__` are fixtures all the same.
_WHOLE_NAMES_ONLY = frozenset({"snapshots", "golden"})


def _folder_named_as(folders: list[str], names: frozenset[str]) -> bool:
    """Whether a folder is named as one of `names`: alone, or as the last word of its
    name (`MediatR.Tests`, `integration-testing`, `web-e2e`, Kotlin's `commonTest`,
    `watchOS Example`), or with a test word first or before a support word
    (`test-helpers`, `okio-testing-support`); not `BenchmarkDotNet`, `goldenGate`,
    `spec-parser` or `react-test-renderer`, which name code, nor a .NET package that
    helps others test (`Polly.Testing`, `Swashbuckle.AspNetCore.ApiTesting`). "Fixture"
    run together with other words, in the singular, names fixtures only after a test
    word (`testFixture`): `AutoFixture` is a library's name, while `sharedFixtures` and
    `apiMocks` hold fixtures. A package of its own for others' tests, named so and
    holding a `src/` (`tower-test/src/`, `httpcore5-testing/src/main/java/`), is code,
    as those .NET packages are."""
    for at, folder in enumerate(folders):
        tokens = [t for t in re.split(r"[\s._-]+", folder) if t]
        if _package_for_tests(tokens, folders[at + 1:at + 3]):
            continue
        lower = folder.lower()
        if lower in names:
            return True
        if not tokens:
            continue
        words = [w.lower() for w in _PARTS.findall(tokens[-1])]  # `commonTest` -> common, test
        last = {tokens[-1].lower(), words[-1] if words else ""}
        if (len(words) > 1 and words[-1] == "fixture"
                and words[-2] not in _FIXTURE_OWNERS
                and not lower.startswith("__")):
            last.discard("fixture")  # `AutoFixture` is a library; `testFixture`, `apiMocks`
        tokens = [t.lower() for t in tokens]
        if not (lower.startswith("__") and lower.endswith("__")):
            last -= _WHOLE_NAMES_ONLY
        if "." in folder and not (len(words) > 1 and words[-2] in _LOAD_TESTS):
            last.discard("testing")  # a .NET package for tests: `Polly.Testing`; not a
            # harness that loads the code (`Marten.ScaleTesting`, beside its code in `src/`)
        if not last.isdisjoint(names):
            return True
        pairs = zip(tokens, tokens[1:], strict=False)
        if names & _TEST_WORDS and (tokens[0] in _TEST_WORDS or any(
                a in _TEST_WORDS and b in _SUPPORT_WORDS for a, b in pairs)):
            return True
    return False


def kind_of(path: str, has_functions: bool = False, only_types: bool = False,
            does_work: bool = False, generated: bool = False, uses_test_framework: bool = False,
            holds_implementations: bool = False) -> str:
    """source, test, fixture, example, docs, config (tools' settings), declarations (TypeScript
    type declarations, C# and PHP interfaces, Java, Kotlin and TypeScript files of interfaces
    alone (see INTERFACES_NOTE, given as `only_types`), C# attributes), generated (bundles, vendored
    copies) or meta (a changelog, a licence, a lock file, CI workflows: the project's
    history, terms and running, not what its code does), from the path; `has_functions` (its
    record defines functions) keeps a `types.ts` that does work a source file; `only_types`
    (its record declares types without a method or function, such as an enum of options or a
    C# attribute, or is a class of overloads of one method, an API's front door) makes a C#,
    Java, Kotlin or TypeScript file declarations; `does_work` (a class of its record has
    methods of its own, see store._does_work) keeps a C# attribute that acts, such as
    Hangfire's job filters, source; `generated` (its record says so, see GENERATED_NOTES)
    makes it generated; `uses_test_framework` (it imports one, see TEST_FRAMEWORKS) makes a
    file named `test.ts` or `spec.js` in any folder a test (date-fns's
    `src/addDays/test.ts`), where mocha's own `lib/test.js`, its Test class, stays source.
    `holds_implementations` (a class of its record not named as an interface has methods
    besides constructors, see store._holds_implementations) keeps a C# `IName.cs` that
    holds the implementations too source (AutoMapper's `INamingConvention.cs`, with the
    conventions that split names).
    Code in a documentation folder is docs, but for a package of a compiled language that
    defines functions (cobra's `doc/`) and a `doc` module inside a source folder that does
    work (yaml's `src/doc/`, see _MODULE_DOC_DIRS)."""
    # a backup (`azure-pipelines.yml.bak`) is what its name says without the suffix
    folders, name = path.split("/")[:-1], _BACKUP.sub("", path.rsplit("/", 1)[-1])
    lower = languages.stands_for(name).lower()  # phpunit.xml.dist is settings, jq.1.in docs
    folders_lower = [folder.lower() for folder in folders]
    if (_META_FILE.search(lower) and not _CODE_EXTENSION.search(lower)
            or _AGENT_INSTRUCTIONS.match(name) or folders_lower[:1]
            and folders_lower[0] in _TOP_META_DIRS):
        return "meta"
    outer = _above_jvm_packages(folders)  # not a JVM package's name (see there)
    if (generated or not _GENERATED_DIRS.isdisjoint(f.lower() for f in outer)
            or any(a == "target" and b in _BUILD_OUTPUT
                   for a, b in zip(folders_lower, folders_lower[1:], strict=False))
            or not _VENDORED_LOWER_DIRS.isdisjoint(folders)
            or _GENERATED_FILE.search(lower)
            or folders_lower[:1] and folders_lower[0] in _TOP_VENDORED_DIRS):
        return "generated"
    if _folder_named_as(folders, _FIXTURE_DIRS) or _FIXTURE_FILE.search(lower):
        return "fixture"
    if (_folder_named_as(_test_folders(outer, lower), _TEST_DIRS)
            or _TEST_FILE.search(name) and not _code_named_as_test(name, folders)
            or _cucumber_support(folders_lower)
            or _named_as_a_test(lower, folders, uses_test_framework)
            or uses_test_framework and _dotnet_test(lower, folders)
            or _TEST_SETUP_FILE.match(lower)
            # a top-level t/: Perl's and git's tests, celery's (its `t/smoke/tasks.py` had
            # come first for "where is the task body wrapped to retry automatically";
            # now 1st, the right file, from 3rd; the 1,489 kept questions of 100 other
            # repositories, none with a t/, unmoved)
            or folders[:1] == ["t"]):
        return "test"
    if (_folder_named_as(_around_crate_source(outer, lower), _EXAMPLE_DIRS)
            or _examples_module(outer)
            or folders_lower[:1] in (["contrib"], ["sandbox"])
            or _DEMO_FILE.search(file_stem(lower))
            or _CODE_EXTENSION.search(lower) and _folder_named_as(folders[:1], _TUTORIAL_DIRS)):
        # a top-level contrib/: add-ons around the project (zlib's); sandbox/: apps to try
        # it in (Cysharp's, axios' dev server), not a library's own `src/sandbox/`
        return "example"
    if _PATCH_FILE.search(lower):
        return "generated"
    if (_DTS_FILE.search(lower) or _SCHEMA_FILE.search(lower) or _SIGNATURE_FILE.search(lower)
            or only_types and _CLASS_LANGUAGE_FILE.search(lower)
            or _CSHARP_ATTRIBUTE.search(name) and not does_work or _PHP_INTERFACE.search(name)
            or _INTERFACE_LANGUAGE_FILE.search(lower)
            and not _INTERFACE_DIRS.isdisjoint(folders)
            or not has_functions and (
                _TYPES_FILE.search(lower) or is_csharp_interface(name) and not holds_implementations
                or lower.endswith((".ts", ".mts", ".cts"))
                and any(p in _TYPES_DIRS for p in folders_lower))):
        return "declarations"
    if (_BUILD_FILE.search(lower) or not folders and _TOP_SCRIPT.search(lower)
            or _MAKE_FILE.search(lower) and not (folders and _CODE_EXTENSION.search(lower))
            or folders_lower[:1] and not _DOC_FILE.search(lower) and (
            in_tooling_folder(path)
            or folders_lower[0] == "config" and not _COMPILED_FILE.search(lower))):
        return "config"
    if (any(p in _DOC_DIRS for p in folders_lower) and not (
            # a package named doc in a language of packages (cobra's `doc/md_docs.go`)
            has_functions and _COMPILED_FILE.search(lower)
            or (has_functions or does_work) and _CODE_EXTENSION.search(lower)
            and _module_named_doc(folders_lower))
            or _DOC_FILE.search(lower)
            or (_PROSE_FILE.match(lower) or _PACKAGE_DOC.match(lower)
                or _CAPITALS_PROSE.match(name)) and not has_functions):
        return "docs"
    if (any(p in _CONFIG_DIRS for p in folders_lower)
            or _CONFIG_FILE.search(lower)
            or _RC_FILE.match(lower) and not has_functions
            or _CONFIG_SCRIPT.search(lower) and not _named_for_its_folder(lower, folders_lower)
            or lower.startswith(".")
            # shell completions (monero's `utils/fish/`, task's `completion/zsh/_task`); a
            # fish plugin's own code is not, nor a completion module in the project's
            # language (clikt's `completion/BashCompletionGenerator.kt`)
            or lower.endswith(".fish") and not _COMPLETION_DIRS.isdisjoint(folders_lower)
            or _COMPLETION_SCRIPT.search(lower) and not _COMPLETIONS.isdisjoint(folders_lower)):
        return "config"
    return "source"


def _module_named_doc(folders: list[str]) -> bool:
    """Whether the first documentation folder of a path (folders in lower case) is a `doc`
    or `docs` folder right inside a source folder (see _MODULE_DOC_DIRS)."""
    first = next(k for k, folder in enumerate(folders) if folder in _DOC_DIRS)
    return folders[first] in _MODULE_DOC_DIRS and first > 0 and folders[first - 1] in CODE_FOLDERS


def is_csharp_interface(name: str, implemented: bool = False) -> bool:
    """Whether a file name names a C# interface by the .NET rule (`IPublisher.cs`; not a
    static class of extensions, `IQueryableExtensions.cs`, nor of helpers for an
    interface, `IEnumerableHelper.cs`, unless `implemented`: a file of its name without
    the I is there too, as NSubstitute's `PropertyHelper.cs` beside `IPropertyHelper.cs`)."""
    return bool(_CSHARP_INTERFACE.match(name)) and (implemented or not _HELPERS.search(name))


def _above_jvm_packages(folders: list[str]) -> list[str]:
    """The folders above a JVM source set's packages (`src/main/java/`, `src/test/kotlin/`):
    below it they are the packages' names (javalin's `io/javalin/plugin/bundled/` holds the
    plugins it ships, not a bundle), save those that say generated."""
    at = _jvm_source_root(folders)
    if at is None:
        return folders
    return folders[:at + 3] + [f for f in folders[at + 3:] if "generated" in f.lower()]


def _jvm_source_root(folders: list[str]) -> int | None:
    """Where the first JVM source set (`src/main/java/`, `src/jmh/kotlin/`) starts: the
    index of its `src`; None without one."""
    return next((at for at in range(len(folders) - 2) if folders[at].lower() == "src"
                 and folders[at + 2].lower() in _JVM_LANGUAGES), None)


_JVM_LANGUAGES = frozenset({"java", "kotlin", "scala", "groovy"})


def _examples_module(folders: list[str]) -> bool:
    """Whether a folder that holds a JVM source set is a module of examples by the first
    word of its name (Feign's `example-wikipedia/src/main/java/`; not a `demo-app/src/`
    or `sample-rate/src/` of another language)."""
    at = _jvm_source_root(folders)
    return bool(at) and _EXAMPLE_FIRST.match(folders[at - 1]) is not None


_EXAMPLE_FIRST = lazy(r"(?i)(examples?|samples?|demos?)[_-]")


def _around_crate_source(folders: list[str], lower: str) -> list[str]:
    """The folders whose names can make a file an example (`examples/`, `benchmark/`):
    for Rust, those above the first `src/` (a folder under a crate's `src/` is a module
    of the crate: hyperfine's `src/benchmark/mod.rs` is its benchmarking code,
    `benches/src/lib.rs` a benchmark). Several crates under one top-level `src/` (the
    Rust compiler's `src/tools/`) count as one. For C and C++, those above the first
    `src/` and the folder right in it: a folder deeper down is a module of the library
    (Catch2's `src/catch2/benchmark/`), while `src/benchmark/` holds benchmarks."""
    if "src" not in folders:
        return folders
    if lower.endswith(".rs"):
        return folders[:folders.index("src")]
    if _C_FAMILY_FILE.search(lower):
        return folders[:folders.index("src") + 2]
    return folders


_C_FAMILY_FILE = lazy(r"\.(c|cc|cpp|cxx|h|hh|hpp|hxx|inl|ipp)$")


def _named_for_its_folder(name: str, folders: list[str]) -> bool:
    """A `NAME.config.js` in a folder NAME under the code (CODE_FOLDERS) is that
    module's settings code (Chart.js's `src/core/core.config.js`), not a tool's settings
    like `vite.config.ts` or a workspace's `webpack/webpack.config.js`."""
    return (len(folders) > 1 and name.split(".", 1)[0] == folders[-1]
            and not CODE_FOLDERS.isdisjoint(folders[:-1]))


def _test_folders(folders: list[str], lower: str) -> list[str]:
    """The folders (above any JVM package, see _above_jvm_packages) that can make a file a
    test by their names, without those its language makes the names of its own modules:
    a Python package's own `testing` subpackage below the top (falcon's `falcon/testing/`,
    numpy's: the helpers it offers others' tests; a top-level `testing/` holds the tests,
    pytest's), and PHP's capitalised namespaces below a top-level `src/` (PSR-4:
    php-code-coverage's `src/Test/` classes of covered targets, laravel's
    `Illuminate/Testing/` helpers for its users' tests; Symfony's `Tests/` and a Maven-like
    `src/test/` hold tests).
    A Ruby library's folders below `lib/` are its modules, whatever their names: Ruby's
    tests live in `test/` and `spec/`, and capybara's `lib/capybara/rack_test/` is its
    driver for Rack::Test, net-ssh's `lib/net/ssh/test/` the helpers it offers others'
    tests (capybara's three questions on its rack driver had its Selenium driver's files
    above; now each 1st, from 5th, 5th and past the 10th; over the 1,489 kept questions of
    100 repositories, Ruby's top-3 87.1% -> 91.9%, two others one place lower). A test
    file's own name still makes it one (see _code_named_as_test)."""
    if lower.endswith(".py"):
        return folders[:1] + [f for f in folders[1:] if f != "testing"]
    if lower.endswith(".php") and folders[:1] == ["src"]:
        return [f for f in folders if f not in ("Test", "Testing")]
    if lower.endswith(".rb") and (root := _ruby_library_root(folders)) is not None:
        # see _test_folders' last paragraph
        return folders[:root + 1] + [f for f in folders[root + 1:] if f.lower() in _SPECS]
    return folders


# RSpec's folders: never a Ruby module's (see _ruby_library_root).
_SPECS = frozenset({"spec", "specs"})


def _ruby_library_root(folders: list[str]) -> int | None:
    """Where a Ruby library's `lib/` is among a path's folders (the last: thrift's Ruby
    library is `lib/rb/lib/`), or None. Its folders below are modules but RSpec's
    (thrift's `lib/rb/spec/` holds its tests and their helpers)."""
    return len(folders) - 1 - folders[::-1].index("lib") if "lib" in folders else None


def _code_named_as_test(name: str, folders: list[str]) -> bool:
    """Whether a file that a test's name pattern matches is code by its language's rules:
    Go leaves out of a package only `_test.go` files (gin's and gorilla/mux's
    `test_helpers.go` are API for their users' tests); a Ruby `test_*.rb` in a `lib`
    folder is the library's code for tests (mail's `test_mailer.rb`, its TestMailer
    delivery method; Ruby's own tests live in `test/` or `spec/`, and `lib/test_helper.rb`
    loads them); a PHP class named Test or Tests alone below a top-level `src/` is code
    (Carbon's Test trait, which freezes its clock; php-code-coverage's XML report's Tests
    node), where a PHPUnit test is named for what it tests (`RouterTest.php`)."""
    lower = name.lower()
    if lower.endswith(".go"):
        return not lower.endswith("_test.go")
    if lower.endswith(".rb"):
        root = _ruby_library_root(folders)
        below = [f.lower() for f in folders[root + 1:]] if root is not None else None
        return (lower.startswith("test_") and below is not None
                and _TEST_DIRS.isdisjoint(below) and not _TEST_SUPPORT_NAME.match(lower))
    return name in ("Test.php", "Tests.php") and folders[:1] == ["src"]


_TEST_SUPPORT_NAME = lazy(r"test_(helpers?|utils?|support|common|base)\.")


def _named_as_a_test(name: str, folders: list[str], uses_test_framework: bool) -> bool:
    """Code named `test.js` at the top (not `lib/faraday/adapter/test.rb`), or named
    `test.ts` or `spec.js` in any folder when it imports a test framework."""
    names = ("test", "tests", "spec", "specs") if uses_test_framework else ("test", "tests")
    return ((not folders or uses_test_framework) and file_stem(name) in names
            and _CODE_EXTENSION.search(name) is not None)


def _package_for_tests(tokens: list[str], below: list[str]) -> bool:
    """Whether a folder (split into `tokens` at spaces, dots, `_` and `-`; `below`: the
    next two folders) is a package of its own for others' tests: named so and holding a
    `src/` (`tower-test/src/`, not `integration-test/src/`), or a Maven module named so
    alone (jdbi's `testing/src/main/java/`)."""
    if not tokens or tokens[-1].lower() not in _PACKAGE_FOR_TESTS:
        return False
    if len(tokens) == 1:
        return below == ["src", "main"]
    return tokens[-2].lower() not in _KINDS_OF_TEST and below[:1] == ["src"]


def _dotnet_test(name: str, folders: list[str]) -> bool:
    """A C# file that uses a test framework in a project named for tests by one of its
    words (Lamar's `Lamar.Testing/`, `Lamar.AspNetCoreTests.Integration/`, Marten's
    `DaemonTests.ManualOnly/`): where `Polly.Testing/` is a package that helps others test,
    these hold tests (Lamar's 334 had taken top-3 places from its code)."""
    return name.endswith(".cs") and any(
        not _TEST_WORDS.isdisjoint(w.lower() for w in split_identifier(folder) or [folder])
        for folder in folders)


def is_typings(path: str) -> bool:
    """A TypeScript declaration file (`index.d.ts`, `lib/types/ext.d.mts`)."""
    return bool(_DTS_FILE.search(path.lower()))


def is_signature(path: str) -> bool:
    """An OCaml or F# signature file (`lib/util.mli`, `src/Parser.fsi`)."""
    return bool(_SIGNATURE_FILE.search(path.lower()))


def _cucumber_support(folders: list[str]) -> bool:
    """A top-level `features/support/`: the setup of Cucumber's specs (`env.rb`,
    `hooks.rb`); not an app's support feature (`src/features/support/`)."""
    return folders[:2] == ["features", "support"]


_TESTED = lazy(r"^(?:test_|spec_)(?P<a>.+)$"
               r"|^(?P<b>.+?)(?:[-_]tests?|_spec|Tests?|Spec)$"
               r"|^Test(?P<c>[A-Z].*)$")


def tested_name(path: str) -> str:
    """The name (lower case, no extension) of the file a test file is about:
    `spec_mime.rb`, `mime_spec.rb`, `mime.test.js`, `MimeTest.java`, `tests/mime.rs` ->
    mime; "" for names that say nothing (`tests/index.js`)."""
    stem = file_stem(path)
    match = _TESTED.match(stem)
    name = next(g for g in match.groups() if g) if match else stem
    return "" if name.lower() in ("index", "main", "mod", "lib", "utils", "helpers", "common",
                                  "test", "tests", "spec", "conftest", "setup") else name.lower()


# A question that asks for tests ("which tests parse a header", "the tests for the
# router", "a test that covers X", "unit tests of X"), not one that only says the word:
# in a test framework the runner, a suite or "the tests" are the code asked about;
# "tested to see whether", "a level spec for", "used in tests", "how is a unit test
# registered" are answered by source. On bench/search_quality.py every one of
# the 21 questions that said such a word wanted a source file. Nor do "which test files
# to rerun" (blind round 78: AVA's watcher.js had been out of the top 10, under the
# fixtures of its own tests).
_ASKS_FOR_TESTS = lazy(
    r"\b(?:(?:which|what|any|where are(?: the)?) (?:unit |integration )?(?:tests?|specs)\b"
    r"(?! (?:files? )?(?:runner|suite|framework|harness|output|to)\b)"
    r"|(?:tests?|test cases?|specs|fixtures?) (?:for|of)\b"
    r"|(?:tests?|specs?) (?:that|which) (?:checks?|covers?|verif(?:y|ies)|exercises?"
    r"|asserts?)\b"
    r"|tests? (?:covering|checking|verifying|exercising)\b"
    r"|(?:unit|integration|regression|end-to-end|e2e) tests\b"
    r"|(?:tested|covered) (?:by|in) (?:the |a |any |its |our )?(?:tests?|specs?|suites?)\b)",
    re.I)


_TESTS_SAID = ("test", "spec", "fixture", "suite")


# How a question names a programming language, by its family (see ranking._family), or
# the shell: from the text as typed, since "C#", "C++" and "Go" are no search words.
_LANGUAGE_NAMED = tuple((re.compile(pattern, flags), family) for pattern, flags, family in (
    (r"(?<![\w#])(?:c#|f#|csharp|fsharp|dotnet)(?!\w)|\.net\b", re.I, "csharp"),
    (r"(?<![\w+])(?:c\+\+|cpp|c|objective-c|objc)(?![\w+#])", re.I, "c"),
    (r"\bGo\b|\bgolang\b", 0, "go"),
    (r"\b(?:javascript|typescript|js|ts|node\.?js)\b", re.I, "javascript"),
    (r"\b(?:python|py)\b", re.I, "python"),
    (r"\b(?:rust|elixir|java|kotlin|ruby|php|swift|dart|lua|scala|haskell|perl|erlang"
     r"|ocaml|julia|zig|nim|clojure|shell)\b", re.I, None)))


def languages_named(text: str) -> frozenset[str]:
    """The programming languages a question names, by family (see ranking._family): "the
    C# client" and "the .NET worker" name csharp, "C++" and "C" name c."""
    named: set[str] = set()
    for pattern, family in _LANGUAGE_NAMED:
        named.update(family or m.lower() for m in pattern.findall(text))
    return frozenset(named)


# A language's major version a question names ("On Scala 3", "Scala 2.12", "python3",
# "JDK 9"), by the name of the language its files are detected as (see languages).
_VERSION_NAMED = lazy(r"\b(scala|python|java|jdk|kotlin|php|ruby|lua|perl|swift|dart)"
                      r" ?(\d+)((?:\.\d+)*)\b", re.I)


def versions_named(text: str) -> frozenset[tuple[str, str]]:
    """The languages and major versions a question names: "On Scala 3, how ..." ->
    (scala, 3), "compiled with Scala 2.12" -> (scala, 2), "Java 1.8" -> (java, 8) (see
    ranking's other versions' source sets)."""
    found = set()
    for name, number, rest in _VERSION_NAMED.findall(text):
        language = "java" if name.lower() == "jdk" else name.lower()
        first = major(number)
        if language == "java" and first == "1" and rest:  # Java 1.8 is Java 8
            first = major(rest.split(".")[1])
        found.add((language, first))
    return frozenset(found)


def major(digits: str) -> str:
    """A version's major number as written, without leading zeros ("03" is 3); as text,
    whatever its length (int() refuses over 4,300 digits)."""
    return digits.lstrip("0") or "0"


def wants_tests(text: str) -> bool:
    """A question that asks for tests (see _ASKS_FOR_TESTS) is answered by tests. Each
    of its forms holds one of _TESTS_SAID: without one, the pattern is not even compiled."""
    folded = text.casefold()
    return any(word in folded for word in _TESTS_SAID) and bool(_ASKS_FOR_TESTS.search(text))


class Term(namedtuple("Term", "word parts prefix code", defaults=((), False, False))):
    """One word of a query: as typed (lower case), its parts if it is a compound
    identifier, and whether it ends in `*` (a prefix). `code`: typed as code
    (`make_context`, `c.Next`, `sendFile`, `Foo::bar`). A namedtuple, not a dataclass:
    a search does not import dataclasses (and inspect with it)."""

    __slots__ = ()
    word: str
    parts: tuple[str, ...]
    prefix: bool
    code: bool

    def expression(self) -> str:
        if self.prefix:
            # The index holds stems (`billing` as `bill`), so the prefix a user typed may
            # run past them: ask for a shorter one too and let `found_in` sort out the
            # rest. The typed one, rarer, weighs more where it is found: `preRu*` finds
            # `preRun` first, not every file of `pre`-words.
            cut = self.word[:max(3, len(self.word) - 2)]
            return f'("{self.word}"* OR "{cut}"*)' if cut != self.word else f'"{cut}"*'
        whole = f'"{self.word}"'
        alternatives = [f'"{" ".join(self.parts)}"'] if self.parts else []
        alternatives += [f'"{other}"' for other in also_written(self.word)]
        if (other := code_name(self.word)) and f'"{other}"' not in alternatives:
            alternatives.append(f'"{other}"')
        return f'({" OR ".join([whole, *alternatives])})' if alternatives else whole

    def found_in(self, words: AbstractSet[str]) -> bool:
        """Whether a text with these words (see `words_of`) uses this term: the word or
        all its parts, in any of their usual forms."""
        if self.prefix:
            return any(w.startswith(self.word) for w in words)
        return (not words.isdisjoint(asked_forms(self.word))
                or bool(self.parts) and all(not words.isdisjoint(forms(p)) for p in self.parts))


# A word typed as code: snake_case, camelCase, `a::b`, `a->b`, `f()`, `$x`, or `a.b`
# that is not a file name (`config.ru`, `log.1.txt`).
_CODE_LIKE = lazy(r"\w_\w|[a-z][A-Z]|\w(::|->)\w|\w\(\)|\$\w")
_DOTTED = lazy(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")


_FILE_NAME = lazy(r"\.(txt|md|rst|json|ya?ml|toml|ini|cfg|conf|lock|ru|html?|css|xml"
                  r"|csv|log|io)$", re.I)


def _typed_as_code(raw: str) -> bool:
    raw = raw.strip(".,;:!?\"'`[]{}*").lstrip("(")
    if _CODE_EXTENSION.search(raw) or _FILE_NAME.search(raw):
        return False  # a file name: `__init__.py`, `config.ru`, `log.1.txt`
    return bool(_CODE_LIKE.search(raw) or _DOTTED.match(raw))


# "what sort of", "each kind of" say nothing; "sort" and "kind" alone are code's words (on
# bench/search_quality.py, 2,525 questions, kysely's node kind 10 -> 8; on 150 new
# questions looked at, LiteDB's ORDER BY sort None -> 2).
_SORT_OF = lazy(r"\b(?:what|which|some|any|each|every|all|a|this|that|these|those"
                r"|other|different|same)\s+(?:sort|kind)s?\s+of\b", re.I)


_EXTENSION = lazy(r"[^./]\.[A-Za-z][A-Za-z0-9]{0,9}$")


def typed_path(text: str) -> str | None:
    """The path a query is, if it is one word with a folder or an extension (quotes,
    backticks and a leading `./` aside, backslashes read as slashes): `source/queue.ts`,
    `queue.ts`; None for any other query. Whether a file has it is the index's to say
    (see Store.search)."""
    word = text.strip().strip("`'\"").replace("\\", "/").removeprefix("./")
    if not word or len(word) > 1_000 or any(char.isspace() for char in word):
        return None
    folder = word.endswith("/")  # `src/`: a folder, said so by its last slash
    word = word.strip("/")
    return word if word and (folder or "/" in word or _EXTENSION.search(word)) else None


def one_word(text: str) -> bool:
    """Whether a query is one word and nothing else (quotes, backticks and a question
    mark aside): `slugify`, "`memoized`?"; not "what does next do"."""
    word = text.strip().strip("`'\"?!.,;:()[]{}")
    return bool(word) and not any(char.isspace() for char in word)


def query_terms(text: str) -> list[Term]:
    """The words of a question that can tell files apart: stop words out (unless nothing
    else is left), compound identifiers kept whole and spelled out, duplicates once.
    Every word is quoted when it becomes FTS5 syntax, so `NOT`, `-x`, `a:b` or `(` are
    words, never operators."""
    terms, stopped = _sorted_words(text)
    return terms or stopped


def common_words_only(text: str) -> list[str]:
    """The words of a question that has nothing but common words (which it is then
    searched for, see query_terms); [] for any other."""
    terms, stopped = _sorted_words(text)
    return [] if terms else [term.word for term in stopped]


def _sorted_words(text: str) -> tuple[list[Term], list[Term]]:
    """(the words of a question that can tell files apart, its common words)."""
    terms: dict[str, Term] = {}
    stopped: dict[str, Term] = {}
    for raw in _SORT_OF.sub(" ", text).split():
        prefix = raw.endswith("*")
        code = _typed_as_code(raw)
        for chunk in re.split(r"[^\w$]+", raw.rstrip("*")):
            chunk = chunk.strip("_$")
            if not chunk or not any(ch.isalnum() for ch in chunk):
                continue
            word = chunk.lower()
            parts = tuple(p.lower() for p in split_identifier(chunk))
            term = Term(word, parts, prefix, code)
            # `ctx.Done()`, `wg.Go`: a name typed as code is never a common word
            # a stop word in capitals is a keyword the question means: SQL's `LIKE`
            keyword = chunk.isupper() and len(chunk) > 1 and not text.isupper()
            useless = ((word in STOP_WORDS and not code and not keyword or len(word) < 2)
                       and not prefix)
            target = stopped if useless else terms
            target.setdefault(word, term)
    for phrase, names in _SPELLED_PHRASES:
        if phrase.search(text):
            terms.update((name, Term(name)) for name in names if name not in terms)
    terms.update((name, Term(name)) for name in phrasal.compounds(text) if name not in terms)
    return list(terms.values()), list(stopped.values())


# Phrases that code names by one made-up word, added to a question that spells them out:
# "compiled regular expressions" finds `regexes.go`, "read from standard input" `stdin`.
# Measured on bench/search_quality.py (1,865 questions): top-3 90.7% -> 90.9%, MRR
# 0.826 -> 0.827; 2 of 90 new questions better, none worse. "command line" (cli),
# "environment variables" (env) and "file system" (fs) were as many worse as better.
_SPELLED_PHRASES = (
    (re.compile(r"\bregular[\s-]+expressions?\b", re.I), ("regex", "regexp")),
    (re.compile(r"\bstandard[\s-]+input\b", re.I), ("stdin",)),
    (re.compile(r"\bstandard[\s-]+output\b", re.I), ("stdout",)),
    (re.compile(r"\bstandard[\s-]+error\b", re.I), ("stderr",)),
    # the abbreviations code writes for these; measured on bench/search_quality.py (2,180
    # questions): 3 better (a CRLF line reader 2 -> 1, accept() out of file descriptors
    # 3 -> 1, a pid change 3 -> 1), none worse; on 120 new questions looked at, libgit2's
    # crlf.c None -> 2, nodemailer's last-newline.js None -> 8. "time zone" -> tz lost one.
    (re.compile(r"\bline[\s-]+(endings?|breaks?|terminators?)\b|\bends?[\s-]+of[\s-]+lines?\b",
                re.I), ("crlf", "eol", "newline")),
    (re.compile(r"\bcarriage[\s-]+returns?\b", re.I), ("crlf",)),
    (re.compile(r"\btime[\s-]+to[\s-]+live\b", re.I), ("ttl",)),
    (re.compile(r"\bfile[\s-]+descriptors?\b", re.I), ("fd", "fds")),
    (re.compile(r"\bprocess[\s-]+(ids?|identifiers?)\b", re.I), ("pid",)),
    (re.compile(r"\bbyte[\s-]+order[\s-]+marks?\b", re.I), ("bom",)),
    (re.compile(r"\bend[\s-]+of[\s-]+file\b", re.I), ("eof",)),
    # a user's folder is code's directory; measured on bench/search_quality.py (2,300
    # questions): 3 better (express's view lookup 3 -> 1), 2 worse by one rank; on 120 new
    # questions looked at, jekyll's cleaner of the output folder 10 -> 1.
    (re.compile(r"\bfolders?\b", re.I), ("directory", "dir")),
    # and a few more programmers' words, found by blind round 75's misses (pre-commit's
    # python.py for a "virtual environment" 8 -> 2, its parse_shebang.py 5 -> 2, goose's
    # helpers.go for an "underscore-separated" name None -> 4, kafka-go's dialer.go for
    # "the wait between retry attempts" 8 -> 5); over the 8,362 kept questions 1 better
    # (tsup's "hashbang line" None -> 1), none worse. "reuse" -> cache: 2 up, 2 down.
    (re.compile(r"\bvirtual[\s-]+env(ironment)?s?\b", re.I), ("venv", "virtualenv")),
    (re.compile(r"\binterpreter[\s-]+lines?\b|\bhash[\s-]?bangs?\b", re.I), ("shebang",)),
    (re.compile(r"\b(wait|delay|pause|sleep|time)s?\s+between\s+(retr|attempt|tries|reconnect)",
                re.I), ("backoff",)),
    (re.compile(r"\bunderscore[\s-]+separated\b", re.I), ("snake",)),
)


_PHRASE_BREAK = lazy(r"[,;:!?()\[\]\"]|\.(?:\s|$)")


def acronyms(text: str) -> list[str]:
    """The initials of every run of three or four plain words of a question (no English
    function word among them, nothing between them but spaces or hyphens): "static site
    generation" -> ssg, "JSON Web Key Set" -> jwk, jwks, "least recently used" -> lru. A
    code base names things by such initials (`ssg/`, `jwk.ts`, `lru_cache.go`); most
    runs spell nothing, so a caller keeps only the ones a file is named for
    (Store._named_acronyms)."""
    found: list[str] = []
    for phrase in _PHRASE_BREAK.split(text):
        words = [w.lower() for w in re.split(r"[\s-]+", phrase) if w]
        for size in (3, 4):
            for start in range(len(words) - size + 1):
                run = words[start:start + size]
                if all(w.isalpha() and len(w) >= 3 and w not in _ENGLISH for w in run):
                    found.append("".join(w[0] for w in run))
    return list(dict.fromkeys(found))


# A word of a question, as repeated_words counts them.
_SAID_WORD = lazy(r"[A-Za-z][A-Za-z0-9_]+")


def repeated_words(text: str) -> set[str]:
    """The words (lower case, no stop word, three letters or more) a question says more
    than once: what it is about ("where is the namespace's root node created, and where
    is the namespace stripped"), which bm25 alone counts once. Counted twice in the match
    (see Store.search), on the questions of bench/search_quality that repeat a word
    (2,156 of 5,990): top-3 1,976 -> 1,983, MRR 0.8328 -> 0.8338 (61 better, 55 worse);
    bench/holdout's (1,325): 1,196 -> 1,200, 0.8257 -> 0.8297. Grouping a word's forms
    (namespace, namespaces) and counting each repetition did less: 1,979 and 1,196."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for word in _SAID_WORD.findall(text):
        word = word.lower()
        if len(word) > 2 and word not in STOP_WORDS:
            (repeated if word in seen else seen).add(word)
    return repeated


def match_expression(terms: Iterable[Term]) -> str | None:
    """Any of the terms: the ranking, not the query, decides how many must match."""
    parts = [t.expression() for t in terms]
    return " OR ".join(parts) if parts else None


_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies",
             "ers", "er", "ed", "es", "ly", "s", "e", "y")
_ENDINGS = ("", "s", "es", "e", "ed", "ing", "ings", "er", "ers", "ion", "ions", "ation",
            "ations", "ment", "ments", "ies", "y", "ly", "ness")
# A word whose y follows a consonant changes it (retry: retries, retried, retrying; modify:
# modifier; try: tried, as short as that); its other endings would make other words
# (copy: cope, cops; ready: reads).
# Not -ication: apply is no application, reply no replication.
_Y_FAMILY = lazy(r"^(\w+[^\Waeiouy\d])(?:y|ies|ied|ying|ier|iers|ily|iness)$")
_Y_ENDINGS = ("y", "ies", "ied", "ying", "ier", "iers", "ily", "iness")


# British spellings, as code rarely writes them: a question about the "colour" of output or
# a "cancelled" request finds `color` and `canceled` too (the porter stemmer keeps them
# apart). A rule may make a word no code uses ("promize"): it is only one more
# alternative. Measured on bench/search_quality.py (about 35 of 1,865 questions spell
# so): one question into the top 3 (`color` for "colour"), one from 3rd to 4th ("honour").
_BRITISH = (
    (re.compile(r"^(col|behavi|hon|fav|neighb|flav|lab|rum|harb|arm|hum|vap|od|endeav|sav"
                r"|tum|vig|rig|parl)our"), r"\1or"),
    (re.compile(r"^(\w{3,})is(e|ed|es|ing|er|ers|ation|ations)$"), r"\1iz\2"),
    (re.compile(r"^(\w{3,})ys(e|ed|es|ing|er|ers)$"), r"\1yz\2"),
    (re.compile(r"^(cent|met|lit|fib|theat|calib|sab|spect)re(s?)$"), r"\1er\2"),
    (re.compile(r"^(cent|met|lit|fib|theat|calib|sab|spect)red$"), r"\1ered"),
    (re.compile(r"^(cancel|label|model|travel|tunnel|signal|marshal|total|fuel|level|channel"
                r"|dial|funnel|jewel)l(ed|ing|er|ers|ation|ations)$"), r"\1\2"),
    (re.compile(r"^(licen|defen|offen)ce(s|d)?$"), r"\1se\2"),
    (re.compile(r"^(catalog|dialog|analog)ue(s)?$"), r"\1\2"),
    (re.compile(r"^grey"), "gray"), (re.compile(r"^programme"), "program"),
    (re.compile(r"^judgement"), "judgment"), (re.compile(r"^artefact"), "artifact"),
)


# Irregular past participles and their verbs, as code names the action: "where is the URL
# built" finds `buildUrl`, "an error thrown" `throw` (the porter stemmer keeps them
# apart); and irregular plurals ("parentheses": `parenthesis`). Measured on
# bench/search_quality.py (2,525 questions): top-3 89.94% -> 89.98%, MRR 0.819 -> 0.820;
# on 150 new questions looked at, LiteDB's rebuild 9 -> 2, EmailValidator's parentheses
# 8 -> 2. Left out, as they cost more than they found: verbs whose plain form code uses
# for anything (shown, known, held, kept, found, broken, spent, fed), forms that are
# also code's nouns (bound, meant, leaves), and "children", code's own word.
_IRREGULAR_PAIRS = """
built build rebuilt rebuild written write wrote write rewritten rewrite overwritten overwrite
sent send resent resend chosen choose chose choose thrown throw threw throw hidden hide
hid hide caught catch overridden override overrode override
grown grow drawn draw drew draw frozen freeze froze freeze forbidden forbid woken wake
woke wake driven drive drove drive begun begin began begin sought seek brought bring
struck strike hung hang spun spin undone undo withheld withhold forgotten forget
shaken shake arisen arise risen rise spoken speak stolen steal torn tear flown fly blown
blow understood understand fallen fall slid slide bitten bite
indices index vertices vertex matrices matrix criteria criterion analyses analysis axes axis
parentheses parenthesis appendices appendix halves half
"""
_IRREGULAR_WORDS = _IRREGULAR_PAIRS.split()
_IRREGULAR = dict(zip(_IRREGULAR_WORDS[::2], _IRREGULAR_WORDS[1::2], strict=True))


# What code calls by another name: a question's word -> the word code more often writes
# for the same thing ("neighbouring elements" are `adjacent`, a request "aborted" is
# `cancel`led, a "combined" report is a `merge`, a "launched" process is `spawn`ed). One
# more alternative each, one way (a file named `cancel.ts` is not named for "abort" unless
# a question asks so), for the word in any of its usual forms and British spellings
# (aborting, neighbours). Measured on bench/search_quality.py (3,245 questions): top-3
# 89.24% -> 89.37%, MRR 0.810 -> 0.812 (29 better, 22 worse); bench/holdout as a whole
# (855) 86.67% -> 86.90%. Left out, as they cost more than they found on the bench:
# validate/verify -> check, extension -> plugin, property -> attribute, persist -> save,
# throttle -> limit, concurrent -> parallel, warning -> warn; and, after a review, words
# whose meaning in code differs (attribute -> property: a C# attribute is an annotation;
# release -> free: a release is a version). Added on 2026-12-04 (increase, decrease,
# discard, substitute, purge): over the 8,290 kept questions 4 up, 0 down; annotation ->
# tag lost one (a Java annotation is no tag) and was left out. And the short names of two
# databases, whose files take the long one (a trial's `postgres` never found
# `connectors/postgresql.ts`, now 2nd; the 19 kept questions that say postgres, unmoved),
# and `subdir` for a subdirectory (go-getter's source.go, named `SourceDirSubdir`, from
# past the 10th to 2nd; the 3 kept questions that say it, unmoved). And on 2026-12-05,
# each measured alone over 2,115 kept questions (108 repositories of the bench and the
# holdout, with 10 more C#, 10 more C and 15 of other languages): "choose" -> select
# (nghttp2's `nghttp2_select_alpn` for "choosing from the protocol list" past the 10th
# -> 6th, none worse), "placeholder" -> interpolate (kong's interpolate.go for "${var}
# placeholders" past the 10th -> 5th, none worse), "nesting" -> recursion (YamlDotNet's
# MaximumRecursionValueDeserializer for "a limit on nesting depth" past the 10th -> 3rd,
# toml's 3rd -> 1st, 4 better, viper's 1st -> 2nd), "shrink" -> resize (nng 2nd -> 1st),
# "twice" -> duplicate (YamlDotNet 2nd -> 1st), "wildcard" -> glob (libarchive's
# archive_pathmatch.c 10th -> 4th), "backslash" -> escape (cpprestsdk 2nd -> 1st),
# "login" -> authenticate (net-ssh 2nd and 3rd -> 1st), "defense" -> protect (sinatra's
# protection.rb past the 10th -> 4th), "split" -> tokenize (hyperfine's tokenize.rs 8th
# -> 2nd), "order" -> sequence (moq's MockSequence past the 10th -> 5th, mordant 5th ->
# 2nd, jint 2nd -> 1st; libevent 2nd -> 3rd); together 17 better, 2 worse.
# Left out, as better and worse: "pick" -> select (2, 8), "remember" -> cache (0, 2),
# "escape" -> quote (1, 3), "grow" -> resize (1, 1), "delay" -> lazy (1, 1), "deadline"
# -> timeout (0, 1), "hang" -> timeout (0, 1), "hook" -> callback (2, 1, all within the
# first 3); "walk" -> traverse, "undo" -> revert, "cap" -> limit, "reload" -> refresh,
# "unwrap" -> nested, "forever" -> infinite, "newest" -> latest, "secret" -> credential,
# "permission" -> access and "banner" -> greeting moved nothing; "decide" is a
# question's own word (never searched).
_CODE_NAME_PAIRS = """
neighbor adjacent identical duplicate repeated duplicate begin start halt stop
terminate kill quit exit retrieve fetch abort cancel cancel abort shorten truncate
trim strip strip trim pause delay postpone defer combine merge concatenate concat
guess detect infer detect sniff detect coerce convert cast convert silence quiet
mute quiet redact mask obscure mask mask redact expire expiry expiration expiry
launch spawn serialize marshal deserialize unmarshal notify emit broadcast publish
subscribe listen watch observe monitor watch startup bootstrap teardown dispose
shutdown close cleanup dispose free release synchronized lock periodically interval
periodic interval recurring cron failure error failed error
increase increment decrease decrement discard drop substitute replace purge delete
postgres postgresql mongo mongodb subdirectory subdir
choose select placeholder interpolate nesting recursion shrink resize twice duplicate
wildcard glob backslash escape login authenticate defense protect split tokenize
order sequence
"""
_CODE_NAME_WORDS = _CODE_NAME_PAIRS.split()
_CODE_NAME_ROOTS = dict(zip(_CODE_NAME_WORDS[::2], _CODE_NAME_WORDS[1::2], strict=True))


@functools.lru_cache(maxsize=4096)
def american(word: str) -> str:
    """`word` as American English spells it (`colour` -> color, `serialise` -> serialize,
    `cancelled` -> canceled, `centre` -> center), or in a spelling code also uses
    (`cancellation` -> cancelation), or as it is."""
    for pattern, replacement in _BRITISH:  # in turn: colourised -> colorised -> colorized
        word = pattern.sub(replacement, word, count=1)
    return word


@functools.cache
def _code_names() -> dict[str, str]:
    """_CODE_NAME_ROOTS for every usual form of each word (abort: aborts, aborted,
    aborting), a word listed itself keeping its own entry."""
    names: dict[str, str] = {}
    for word, code in _CODE_NAME_ROOTS.items():
        names.update((form, code) for form in _forms_of(word) if form not in _CODE_NAME_ROOTS)
    names.update(_CODE_NAME_ROOTS)
    return names


def code_name(word: str) -> str | None:
    """The word code names what a question's `word` names by (see _CODE_NAME_ROOTS):
    `aborted` -> cancel, `neighbouring` -> adjacent; None for most words."""
    names = _code_names()
    return names.get(word) or names.get(american(word))


@functools.lru_cache(maxsize=4096)
def asked_forms(word: str) -> frozenset[str]:
    """What a text may use for a question's `word`: its forms (see forms) and those of
    the word code names the same thing by (see code_name)."""
    other = code_name(word.lower())
    return forms(word) | forms(other) if other else forms(word)


@functools.lru_cache(maxsize=4096)
def forms(word: str) -> frozenset[str]:
    """The usual forms of a word (`cache`: caches, cached, caching, ...; an adverb's
    adjective's too, see adjective_of), enough to ask "does this text use the word?"
    with set look-ups. The index's porter stemmer does the real matching; this only
    counts which of a question's words a result has."""
    word = word.lower()
    adjective = adjective_of(word)
    return _forms_of(word).union(*map(_forms_of, also_written(word)),
                                 _forms_of(adjective) if adjective else ())


def also_written(word: str) -> tuple[str, ...]:
    """What code may write for a word besides its usual forms: its American spelling
    (see american), or the verb of an irregular participle or the singular of an
    irregular plural (see _IRREGULAR)."""
    others = (american(word), _IRREGULAR.get(word, word))
    return tuple(dict.fromkeys(other for other in others if other != word))


# Words in -ply that are adverbs (most are verbs: apply, reply, supply, multiply).
_PLY_ADVERBS = frozenset({"deeply", "cheaply", "sharply", "steeply"})
# Adverbs whose adjective is a keyword or a word code uses for anything (`final`,
# `static`, `name`, `like`), or that only link a sentence: no adjective for them.
_ADVERBS_OF_ANYTHING = frozenset({
    "finally", "statically", "namely", "likely", "closely", "really", "nearly", "newly",
    "lastly", "firstly", "secondly", "mostly", "partly", "merely", "purely", "largely",
    "highly", "widely", "rarely", "solely", "fairly", "hardly"})


def adjective_of(word: str) -> str | None:
    """The adjective an adverb is made from, which code names things by: "compared
    deeply" is `deepEqual`, "renamed automatically" `automatic_rename`, "loaded lazily"
    `lazyLoad`. Its forms are the adverb's (see forms): the ranking, where the words
    meet and the names see them. The full-text match keeps to the adverb (the index
    stems it apart, `deepli`): asking it for the adjective too (bench/search_quality.py,
    5,150 questions) made 5 better and 6 worse, the commonest adjectives of incidental
    adverbs (safely, internally, optionally) matching everywhere; as forms only, 2
    better and none worse. None for a word that is not an adverb in -ly of six letters
    or more (a shorter one, or one whose stem would be a guess: `only`, `early`,
    `apply`), or whose adjective code uses for anything (`finally`, `statically`)."""
    if len(word) < 6 or not word.endswith("ly") or word in _ADVERBS_OF_ANYTHING or (
            word.endswith("ply") and word not in _PLY_ADVERBS):
        return None
    if word.endswith("ically"):
        return word[:-4]  # automatically: automatic
    if word.endswith("ily"):
        return word[:-3] + "y"  # lazily: lazy
    if word.endswith("bly"):
        return word[:-1] + "e"  # possibly: possible
    return word[:-2]  # quickly: quick; globally: global


def _forms_of(word: str) -> frozenset[str]:
    # retry, retried, retrying, modifier; apply, but not quickly
    family = (_Y_FAMILY.match(word)
              if not word.endswith("ly") or word.endswith("ply") or len(word) == 3 else None)
    if family:
        return frozenset({word, *(family[1] + ending for ending in _Y_ENDINGS)})
    root = word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "y" and word[-2] in "aeiou":
                break  # delay: delays, delayed
            root = word[: -len(suffix)]
            break
    return frozenset({word, *(root + ending for ending in _ENDINGS)})


def shared_start(words: Iterable[str]) -> tuple[str, list[str]]:
    """`words`, longest first, as the start they share and the rest of each: a regular
    expression that leads with a fixed text is looked for as a string is, many times
    faster than one of alternatives that start differently, which is tried at every
    character (`client(?:s|ed|)` against `clients|cliented|client`)."""
    ordered = sorted(set(words), key=len, reverse=True)
    start = os.path.commonprefix(ordered)
    return start, [word[len(start):] for word in ordered]


def by_first_letter(words: Iterable[str]) -> list[list[str]]:
    """`words` in groups that start with the same letter (in the order of that letter,
    each group sorted): alternatives that start alike lead with what they share (see
    shared_start), and only one group's words can start at one place in a text. Synonyms
    that start differently (`fail`, `error`) are looked for apart: as one alternation,
    with nothing to lead, they were tried at every character, 20 times slower."""
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        groups.setdefault(word[:1], []).append(word)
    return [groups[first] for first in sorted(groups)]


def words_of(text: str) -> set[str]:
    """Every lower-case word in `text`, compound identifiers also in parts."""
    found: set[str] = set()
    for ident in _IDENT.findall(text):
        found.add(ident.lower())
        found.update(p.lower() for p in split_identifier(ident))
    return found
