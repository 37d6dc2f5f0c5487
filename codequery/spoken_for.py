"""The source files that a search's matching tests, docs and headers speak for, and the
file a question of one name names.

A small file that does what is asked may share few of the question's words, while its
test (`shallow.test.tsx`), the doc page of its API (`docs/hooks/use-shallow.md` for
`useShallow`) or its C/C++ header (`CLI/Argv.hpp` for `CLI/impl/Argv_inl.hpp`) describes
it in them. Ranking lifts a source file by its tests (see
ranking._tests_speak_for_their_subjects), but only among the candidates; these look-ups
bring in the subjects that matched too little to be candidates, and give a source file
a share of its API page's score. A question that is one name (`RulesEngine`, `Dancer2`)
asks for the file of that name (see ranking.NAMED_FILES_MAX), which may match less than
the files of its folder (every path under `lib/Dancer2/` has the word). Each look-up is
one query on the full-text index, and what they add is capped, so a search stays as
fast with tests and docs as without.
Standard library only.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from codequery import ranking, search_text
from codequery.fts_lookup import like_escaped, lookup

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any

# The files whose path has a name's word that are read to find those named by it: the
# rest are not (`src` is in every path of some repositories).
NAMED_MATCHES = 500
# The best-scoring tests among the candidates whose subjects are looked up.
MAX_TESTS = 10
# The best-scoring doc pages among the candidates whose subjects are looked up.
MAX_DOCS = 5
# The best-scoring C/C++ headers among the candidates whose implementations are looked up.
MAX_HEADERS = 10
# The rows one look-up reads at most, and the rows all of them add to the candidates.
LOOKUP_ROWS = 50
MAX_ADDED = 20
# A source file that defines the function or class a doc page is named for scores at
# least this share of the page's bm25. Measured on bench/search_quality.py and the held-
# out sets: 0.7 raised zustand (held out) from top-3 87% to 93%, MRR 0.80 to 0.86; 1.0
# gave the same top-3, MRR 0.84; no other repository moved.
DOC_SHARE = 0.7
_NAME_PART = re.compile(r"[-_\s]+")


def asked_by_name(conn: sqlite3.Connection, dataset: str, name: search_text.Term
                  ) -> list[list[int]]:
    """For a question that is one name (see ranking.named_file): the ids of the source
    files (and declarations: C#'s `IMediator.cs`) named so without extension, and, for a
    name typed as code, of the others that define it (see ranking.defines); a group of
    more than ranking.NAMED_FILES_MAX files is left out. Looked up over this dataset,
    not the candidates, so that how many results are asked for changes nothing: among
    the first NAMED_MATCHES of its files whose path has the word, and the first
    LOOKUP_ROWS whose symbols have it."""
    like = like_escaped(name.word)
    # SQLite's LIKE ignores the case of ASCII letters alone: `Ärger.pm` is found by its
    # name alone
    named_so = ("AND (r.path LIKE ? ESCAPE '\\' OR r.path LIKE ? ESCAPE '\\' "
                "OR r.path LIKE ? ESCAPE '\\' OR r.path LIKE ? ESCAPE '\\')"
                if name.word.isascii() else "")
    named = [rid for rid, path in lookup(
        conn, dataset, "path_words", name.word, "r.id, r.path",
        LOOKUP_ROWS if named_so else NAMED_MATCHES,
        "AND r.kind IN ('source', 'declarations') " + named_so,
        (like, f"{like}.%", f"%/{like}", f"%/{like}.%") if named_so else (),
        matches=NAMED_MATCHES) if search_text.named_as(path, name.word)]
    found = [(rid, doc) for rid, doc in lookup(
        conn, dataset, "symbols", " ".join(name.parts) or name.word, "r.id, r.doc",
        LOOKUP_ROWS, "AND r.kind = 'source'")
        if rid not in named and ranking.defines(doc, name.word)] if name.code else []
    if len(found) > ranking.NAMED_FILES_MAX:
        # a type with methods or trait impls in other files (Go's methods, Rust's `impl
        # From<Resource> for Router`): the file that exports it is the one meant
        found = [(rid, doc) for rid, doc in found if ranking.exports(doc, name.word)]
    defining = [rid for rid, _ in found]
    return [group for group in (named, defining) if len(group) <= ranking.NAMED_FILES_MAX]


def subjects(conn: sqlite3.Connection, dataset: str, columns: tuple[str, ...],
             rows: list[dict[str, Any]], scores: dict[int, float], limit: int,
             asked: Iterable[int] = (), kept: dict[Any, Any] | None = None
             ) -> list[dict[str, Any]]:
    """The rows (`columns` of them) of the source files that `rows`' tests, doc pages and
    C/C++ headers speak for, and of `asked` (ids: the files a question of one name asks
    for, see asked_by_name), that are not among `rows` yet; `scores` (row id -> bm25,
    negative: lower is better) gets theirs: 0 for a test's subject, a header's
    implementation or a file asked for (ranking lifts them), DOC_SHARE of the page's for
    a doc page's subject, whichever is better. Only those that could lift a file into
    the first `limit` are looked up. `rows` holds one row at least (Store.search answers
    none without). `kept`: what look-ups found, kept while the index is unchanged
    (Store._kept; none: nothing kept): a test's subject took 0.6 ms to look up, and the
    questions of a session share them (at 50,000 real records, the 150 questions asked
    again: subjects 1.4 -> 0.2 ms a question)."""
    kept = {} if kept is None else kept
    known = {row["id"] for row in rows}
    added: set[int] = set()

    def add(rid: int) -> None:  # ranking decides its score
        if rid not in known and len(added) < MAX_ADDED:
            scores.setdefault(rid, 0.0)
            added.add(rid)

    for rid in asked:
        add(rid)

    best_first = sorted(rows, key=lambda row: scores[row["id"]])
    # a lifted file gets at most this share of its test's or page's score (with a name
    # bonus): below the `limit`-th candidate's, it could not reach the first `limit`
    share = max(ranking.TESTED_SHARE, DOC_SHARE) * (1 + ranking.NAME_BONUS)
    bar = scores[best_first[min(limit, len(best_first)) - 1]["id"]] / share
    best_first = [row for row in best_first if scores[row["id"]] <= bar]
    tests: dict[str, str] = {}  # the name a test is about -> the best such test's path
    for row in best_first:
        if row["kind"] == "test" and (name := search_text.tested_name(row["path"])):
            tests.setdefault(name, row["path"])
    for name, test_path in list(tests.items())[:MAX_TESTS]:
        tested = files_named(conn, dataset, name, kept)
        for path in ranking.nearest(test_path, list(tested)):
            add(tested[path])
    headers = [row["path"] for row in best_first
               if row["kind"] == "source" and ranking.is_header(row["path"])]
    for header in headers[:MAX_HEADERS]:  # ranking lifts an implementation to its header
        stem = search_text.file_stem(header)
        for rid, path in lookup(conn, dataset, "path_words", stem, "r.id, r.path",
                                LOOKUP_ROWS, "AND r.kind = 'source'"):
            if ranking.implements(path, header):
                add(rid)
    for page in [row for row in best_first if row["kind"] == "docs"][:MAX_DOCS]:
        parts = _documented_name(page["path"])
        if not parts:
            continue
        key = ("defining", dataset, *parts)
        if key not in kept:
            kept[key] = _defining(conn, dataset, parts)
        for rid in kept[key]:
            if rid in known or rid in added or len(added) < MAX_ADDED:
                scores[rid] = min(scores.get(rid, 0.0), DOC_SHARE * scores[page["id"]])
                if rid not in known:
                    added.add(rid)
    if not added:
        return []
    return [dict(row) for row in conn.execute(
        f"SELECT {', '.join(columns)} FROM records WHERE id IN ({','.join('?' * len(added))})",
        sorted(added))]


def files_named(conn: sqlite3.Connection, dataset: str, name: str,
                kept: dict[Any, Any]) -> dict[str, int]:
    """Path -> id of the source files whose name up to its first dot is `name` in any case
    (a test's subject: `mime.test.js` is of `mime.js`; the class a C# extension method
    hands on to, see handed_on), kept in `kept` while the index is unchanged (see
    Store._kept)."""
    key = ("named", dataset, name.lower())
    if key not in kept:
        kept[key] = _named(conn, dataset, name.lower())
    return kept[key]


def _named(conn: sqlite3.Connection, dataset: str, name: str) -> dict[str, int]:
    """Path -> id of the source files whose name up to its first dot is `name` (in lower
    case), among the first NAMED_MATCHES files whose path has the word."""
    like = like_escaped(name)
    return {row[1]: row[0] for row in lookup(
        conn, dataset, "path_words", name, "r.id, r.path", LOOKUP_ROWS,
        "AND r.kind = 'source' AND (r.path LIKE ? ESCAPE '\\' OR r.path LIKE ? ESCAPE '\\')",
        (f"{like}.%", f"%/{like}.%"), matches=NAMED_MATCHES)
            if search_text.file_stem(row[1]).lower() == name}




def _documented_name(path: str) -> list[str]:
    """The words of the API a doc page is named for (`use-shallow.md`,
    `use_shallow.rst`, `useShallow.md` -> use, shallow); none for a page named by one
    plain word (`routing.md` documents no one name)."""
    stem = search_text.file_stem(path)
    parts = [p for p in _NAME_PART.split(stem) if p]
    if len(parts) == 1:
        parts = search_text.split_identifier(stem)
    if len(parts) < 2 or not all(p.isalnum() for p in parts):
        return []
    return [p.lower() for p in parts]


def _defining(conn: sqlite3.Connection, dataset: str, parts: list[str]) -> list[int]:
    """The ids of the source files that define a function, class or method named by
    `parts` in any spelling (`useShallow`, `use_shallow`, `Store.UseShallow`), read from
    the index's symbol words (a name and its parts: `useShallow use Shallow`)."""
    name = "".join(parts)
    found = []
    for rid, symbols in lookup(conn, dataset, "symbols", " ".join(parts), "r.id, r.symbols",
                               LOOKUP_ROWS, "AND r.kind = 'source'"):
        defined = {ranking.bare_name(token).replace("_", "") for token in symbols.split()}
        if name in defined:
            found.append(rid)
    return found
