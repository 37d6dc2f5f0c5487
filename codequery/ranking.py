"""Ordering full-text matches the way a reader would: the final word on a result's place.

SQLite's bm25 (with per-column weights) picks the candidates; this module then weighs how
many of the question's words a candidate has (a file that has four of them beats one that
repeats one), and lets tests, fixtures and examples follow the source they exercise.
Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from codequery.search_text import Term, forms, split_identifier, words_of

# bm25 weights in the FTS column order (path_words, symbols, overview_words, docstrings,
# terms): what a file declares and says of itself counts for more than a word it uses.
COLUMNS = ("path_words", "symbols", "overview_words", "docstrings", "terms")
WEIGHTS = (6.0, 8.0, 3.0, 2.0, 1.0)
# Tests repeat the words of what they test, so for the same match they come after it.
KIND_FACTORS = {"source": 1.0, "test": 0.45, "fixture": 0.35, "example": 0.6, "docs": 0.7,
                "meta": 0.25}
COVERAGE_POWER = 2.0
SNIPPET_CHARS = 160

_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


@dataclass
class Candidate:
    row: dict[str, Any]
    bm25: float  # SQLite's value, negated: larger is better
    matched: int = 0
    score: float = field(default=0.0)


def rank(rows: list[dict[str, Any]], bm25: dict[int, float], terms: list[Term],
         tests_first: bool) -> list[Candidate]:
    """Candidates best first. `rows` carry the FTS columns; `bm25` maps row id to
    SQLite's (negative) bm25."""
    ranked = []
    for row in rows:
        words = set(row["terms"].split())
        for column in COLUMNS[:-1]:
            words |= words_of(row[column])
        matched = sum(term.found_in(words) for term in terms)
        coverage = (matched or 1) / len(terms) if terms else 1.0
        factor = 1.0 if tests_first else KIND_FACTORS.get(row["kind"], 1.0)
        cand = Candidate(row, -bm25[row["id"]], matched)
        cand.score = cand.bm25 * coverage ** COVERAGE_POWER * factor
        ranked.append(cand)
    ranked.sort(key=lambda c: (-c.score, c.row["path"]))
    return ranked


def snippet(row: dict[str, Any], terms: list[Term]) -> str:
    """The line of a record that best shows why it matched, matched words between
    \\x02 and \\x03: from the overview or a symbol's summary, else the symbol names."""
    wanted = frozenset().union(*(forms(t.word) for t in terms),
                               *(forms(p) for t in terms for p in t.parts))
    lines = [s for s in re.split(r"(?<=[.!?])\s+|\n", row.get("overview") or "") if s.strip()]
    lines += [s for s in row.get("summaries", []) if s.strip()]
    best, best_hits = "", 0
    for line in lines:
        hits = sum(_is_wanted(w, wanted) for w in _WORD.findall(line))
        if hits > best_hits:
            best, best_hits = line, hits
    if not best:
        names = [n for n in row.get("symbols", "").split() if _is_wanted(n, wanted)]
        best = " ".join(dict.fromkeys(names)) or (lines[0] if lines else "")
    return _mark(_clip(best, wanted), wanted)


def _is_wanted(word: str, wanted: frozenset[str]) -> bool:
    lower = word.lower()
    return lower in wanted or any(p.lower() in wanted for p in split_identifier(word))


def _clip(line: str, wanted: frozenset[str]) -> str:
    line = " ".join(line.split())
    if len(line) <= SNIPPET_CHARS:
        return line
    first = next((m.start() for m in _WORD.finditer(line) if _is_wanted(m.group(), wanted)), 0)
    start = max(0, min(first - 40, len(line) - SNIPPET_CHARS))
    text = line[start:start + SNIPPET_CHARS]
    return ("…" if start else "") + text + ("…" if start + SNIPPET_CHARS < len(line) else "")


def _mark(line: str, wanted: frozenset[str]) -> str:
    return _WORD.sub(lambda m: f"\x02{m.group()}\x03" if _is_wanted(m.group(), wanted)
                     else m.group(), line)
