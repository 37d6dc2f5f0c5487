"""The source files that a search's matching tests and docs speak for.

A small file that does what is asked may share few of the question's words, while its
test (`shallow.test.tsx`) or the doc page of its API (`docs/hooks/use-shallow.md` for
`useShallow`) describes it in them. Ranking lifts a source file by its tests (see
ranking._tests_speak_for_their_subjects), but only among the candidates; these look-ups
bring in the subjects that matched too little to be candidates, and give a source file
the share of its API page's score. Each look-up is one query on the full-text index.
Standard library only.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from codequery import ranking, search_text

# The tests whose subjects are looked up, at most (one query each).
MAX_TESTS = 20
# The best-scoring doc pages among the candidates whose subjects are looked up.
MAX_DOCS = 10
# A source file that defines the function or class a doc page is named for scores at
# least this share of the page's bm25. Measured on bench/search_quality.py and the held-
# out sets: 0.7 raised zustand (held out) from top-3 87% to 93%, MRR 0.80 to 0.86; 1.0
# gave the same top-3, MRR 0.84; no other repository moved.
DOC_SHARE = 0.7
# The rows a look-up reads at most.
LOOKUP_ROWS = 200
# A doc page named like an API: two or more plain words (`use-shallow.md`,
# `create_store.rst`); the words are joined to the name it documents (`useshallow`).
_NAME_PART = re.compile(r"[-_.\s]+")


def subjects(conn: sqlite3.Connection, dataset: str, columns: str,
             rows: list[dict[str, Any]], scores: dict[int, float]) -> list[dict[str, Any]]:
    """The rows (`columns` of them) of the source files that `rows`' tests and doc pages
    speak for and that are not among `rows` yet; `scores` (row id -> bm25, negative: lower
    is better) gets theirs: 0 for a test's subject (ranking lifts it), DOC_SHARE of the
    page's for a doc page's subject, whichever is better."""
    found: dict[int, dict[str, Any]] = {}
    known = {row["id"] for row in rows}
    names = sorted({name for row in rows if row["kind"] == "test"
                    and (name := search_text.tested_name(row["path"]))})
    for name in names[:MAX_TESTS]:
        for row in _matching(conn, dataset, columns, "path_words", name):
            if (row["id"] not in known
                    and search_text.file_stem(row["path"]).lower() == name):
                scores.setdefault(row["id"], 0.0)
                found[row["id"]] = row
    docs = sorted((row for row in rows if row["kind"] == "docs"),
                  key=lambda row: scores[row["id"]])[:MAX_DOCS]
    for page in docs:
        parts = [p.lower() for p in _NAME_PART.split(search_text.file_stem(page["path"])) if p]
        if len(parts) < 2 or not all(p.isalnum() for p in parts):
            continue
        for row in _matching(conn, dataset, columns, "symbols", " ".join(parts)):
            if "".join(parts) in ranking.names_defined(row["doc"]):
                scores[row["id"]] = min(scores.get(row["id"], 0.0),
                                        DOC_SHARE * scores[page["id"]])
                if row["id"] not in known:
                    found[row["id"]] = row
    return list(found.values())


def _matching(conn: sqlite3.Connection, dataset: str, columns: str, column: str,
              phrase: str) -> list[dict[str, Any]]:
    """This dataset's source rows whose `column` has `phrase` (the index drives: CROSS
    JOIN keeps SQLite from testing the match record by record)."""
    return [dict(row) for row in conn.execute(
        f"SELECT {', '.join('r.' + c for c in columns.split(', '))} "
        "FROM records_fts f CROSS JOIN records r ON r.id = f.rowid "
        f"WHERE records_fts MATCH ? AND r.dataset = ? AND r.kind = 'source' LIMIT {LOOKUP_ROWS}",
        (f'{{{column}}} : "{phrase.replace(chr(34), chr(34) * 2)}"', dataset))]
