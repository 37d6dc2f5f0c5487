"""The question's common words a large index leaves out of its ranking, scored after all.

In an index over the ranking budget, SQLite's bm25 is computed for every row a word
matches, so Store._affordable leaves out the commonest words ("value", "default",
"client") and ranks by the rarer ones. This scores the left-out words over the best
matches of the rarer ones, nearly as bm25 would: the same column weights, saturation and
length normalisation (read from the full-text index's own counts), with two
approximations. A word's rarity is its rarity over whole rows, counted once, where bm25
counts it apart for each of Store._described_and_used's two column sets (another count
per word would cost as much as the scoring saves); and the question's word forms stand in
for the porter stemmer, with a word's alternatives (`sendFile` as "send file", colour as
color) counted as one. Where the counts agree, the scores are bm25's (see the tests).
Asking the full-text index for these rows by id is no cheaper: bm25 counts each word's
rows again for every row. Standard library only.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator

from codequery import ranking
from codequery.lazy_re import lazy
from codequery.search_text import Term, asked_forms, by_first_letter

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any

# SQLite FTS5's bm25 parameters.
K1 = 1.2
B = 0.75
# The full-text index's record of its row count and each column's total tokens.
_AVERAGES_ID = 1
# Where Store._kept holds the index's row lengths (see _lengths).
_LENGTHS = "full-text row lengths"
# The row lengths kept at most (about 100 bytes each) before they are read again: a
# session's questions share most of their candidates, and a shared index of many
# datasets must not keep every row's.
LENGTHS_KEPT = 50_000
# Where the words a file uses are among ranking.COLUMNS (lower case already).
_USED = ranking.COLUMNS.index("terms")
# A form that `searches` may look for as any word that starts as it does.
_PLAIN = lazy("[a-z0-9]+")


def varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers, as FTS5 stores its token counts."""
    values, value = [], 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values


def word_rarity(rows: int, matching: int) -> float:
    """bm25's inverse document frequency, as FTS5 computes it (never below 1e-6)."""
    return max(1e-6, math.log((rows - matching + 0.5) / (matching + 0.5)))


def found(term: Term, text: str) -> list[str]:
    """The term in lower-case text: any usual form of the word (American spellings, the
    verb or singular of an irregular form and the word code names it by included, see
    search_text.asked_forms), or its parts in a row (`sendFile` as "send file"), or, for
    a prefix, any word that starts as the search asks. Each is found where no ASCII
    letter or digit is just before or after it. In the order of `searches`."""
    return [match.group() for match in matches(term, text)]


def matches(term: Term, text: str) -> Iterator[re.Match[str]]:
    """Where the term is in lower-case text (see `found`): the matches of each of
    `searches` that count."""
    for pattern, kept in searches(term):
        for match in pattern.finditer(text):
            if kept is None or match.group() in kept:
                yield match


@functools.lru_cache(maxsize=1024)  # a session's questions share many words
def searches(term: Term) -> tuple[tuple[re.Pattern[str], frozenset[str] | None], ...]:
    """What finds the term (see `found`): a regular expression for each letter its forms
    start with (see search_text.by_first_letter), a compound's parts after the forms that
    start as they do, each with the matches that count (None: all). The text every match
    of one starts with is written first, then a look back for a word's start, so that
    each is looked for as a string is. Forms of letters and digits alone
    are looked for as any word that starts with the text they share, kept if it is one
    of them: a regular expression of a few characters compiles five times faster than an
    alternation of twenty forms, which took a tenth of a question's time the first time
    it was asked."""
    if term.prefix:  # as Term.expression asks for it
        return (_led(term.word[:max(3, len(term.word) - 2)], ["[a-z0-9]*"], ""),)
    groups = {group[0][:1]: [(form, "") for form in group]  # (start, rest)
              for group in by_first_letter(asked_forms(term.word))}
    if term.parts:
        first, *others = term.parts
        groups.setdefault(first[:1], []).append(
            # (never across a \0: `scores` looks in texts joined by it)
            (first, "".join(r"[^a-z0-9\x00]+" + re.escape(part) for part in others)))
    led = []
    for letter in sorted(groups):
        group = groups[letter]
        lead = os.path.commonprefix([start for start, _ in group])
        if lead and all(not tail and _PLAIN.fullmatch(start) for start, tail in group):
            led.append(_led(lead, ["[a-z0-9]*"], "", frozenset(start for start, _ in group)))
            continue
        # longest first: a regular expression takes the first alternative that fits
        alternatives = [re.escape(start[len(lead):]) for start in sorted(
            (start for start, tail in group if not tail), key=len, reverse=True)]
        alternatives += [re.escape(start[len(lead):]) + tail for start, tail in group if tail]
        led.append(_led(lead, alternatives, "(?![a-z0-9])"))
    return tuple(led)


def _led(lead: str, alternatives: list[str], after: str, kept: frozenset[str] | None = None
         ) -> tuple[re.Pattern[str], frozenset[str] | None]:
    rest = f"(?:{'|'.join(alternatives)}){after}"
    if not lead:
        return re.compile(f"(?<![a-z0-9]){rest}"), kept
    return re.compile(f"{re.escape(lead)}(?<![a-z0-9]{re.escape(lead)}){rest}"), kept


def _lengths(conn: sqlite3.Connection, row_ids: list[int], kept: dict[Any, Any]
             ) -> tuple[float, dict[int, int]]:
    """The full-text index's average row length, and row id -> length for `row_ids` (and
    any other read before), kept in `kept` while the index is unchanged (Store._kept):
    the questions of a session share most of their candidates, and reading the lengths
    took 0.45 ms of a question's 4.3 in `scores` at 50,000 real records."""
    if _LENGTHS not in kept:
        averages = conn.execute("SELECT block FROM records_fts_data WHERE id = ?",
                                (_AVERAGES_ID,)).fetchone()
        totals = varints(averages[0]) if averages else []
        kept[_LENGTHS] = (sum(totals[1:]) / totals[0] if totals and totals[0] else 1.0, {})
    average_length, lengths = kept[_LENGTHS]
    if len(lengths) > LENGTHS_KEPT:
        lengths.clear()
    if missing := [row_id for row_id in row_ids if row_id not in lengths]:
        lengths.update((row_id, sum(varints(size))) for row_id, size in conn.execute(
            f"SELECT id, sz FROM records_fts_docsize WHERE id IN "
            f"({','.join(map(str, missing))})"))
    return average_length, lengths


def _joined(texts: list[str]) -> list[tuple[str, list[int], list[int]]]:
    """Each row's columns (`texts`, as stored, in ranking.COLUMNS' order) in lower case,
    joined by \0, which no match crosses, with where each starts and which of `texts` it
    is: a search for each of a word's leads instead of one for each of a row's texts (0.6
    ms of 3.7 a question at 50,000 real records). A match's text is the last that starts
    at or before it. The ASCII texts apart from the others: one character beyond ASCII
    makes Python store a whole string at 2 or 4 bytes a character, and 143 of 144
    questions' texts held one (scores 4.8 -> 4.3 ms a question at 50,000 real records).
    The ASCII described columns are put in lower case at once, joined (ASCII keeps its
    length), the words a file uses not at all: they are lower case already
    (search_text.vocabulary), and the longest (scores 4.33 -> 4.12 ms, median of 6)."""
    width = len(ranking.COLUMNS)
    described, used, other = [], [], []
    for k, text in enumerate(texts):
        (other if not text.isascii() else used if k % width == _USED
         else described).append(k)
    ascii_texts = [text.lower() for text in ["\0".join(texts[k] for k in described)]
                   if described]
    ascii_texts += [texts[k] for k in used]
    others = [texts[k] if k % width == _USED else texts[k].lower() for k in other]
    return [_starts(ascii_texts, described + used,
                    [len(texts[k]) for k in described + used]),
            _starts(others, other, [len(text) for text in others])]


def _starts(parts: list[str], which: list[int], lengths: list[int]
            ) -> tuple[str, list[int], list[int]]:
    """`parts` joined by \0, where each of the texts `which` (of `lengths`) starts in it,
    and `which`."""
    starts, at = [], 0
    for length in lengths:
        starts.append(at)
        at += length + 1
    return "\0".join(parts), starts, which


def scores(conn: sqlite3.Connection, row_ids: Iterable[int],
           left_out: list[tuple[Term, int]], rows: int,
           kept: dict[Any, Any] | None = None) -> dict[int, float]:
    """Row id -> what the left-out words (each with how many rows it matches, of `rows`)
    add to its score, negative as bm25's: the described columns at their weights, plus
    the words used at ranking.USED_WEIGHT, as Store._described_and_used adds them.
    `kept`: what is kept while the index is unchanged (see _lengths)."""
    numbers = [int(row_id) for row_id in row_ids]
    ids = ",".join(map(str, numbers))
    if not ids or not left_out:
        return {}
    average_length, lengths = _lengths(conn, numbers, {} if kept is None else kept)
    order: list[int] = []
    texts: list[str] = []  # each row's columns, in order
    for row_id, *columns in conn.execute(f"SELECT id, {', '.join(ranking.COLUMNS)} "
                                         f"FROM records WHERE id IN ({ids})"):
        order.append(row_id)
        texts += [text or "" for text in columns]
    width = len(ranking.COLUMNS)
    added = [0.0] * len(order)
    joined = _joined(texts)
    for term, matching in left_out:
        counts: dict[int, int] = {}  # text -> matches
        for whole, starts, which in joined:
            for match in matches(term, whole):
                text = which[bisect.bisect_right(starts, match.start()) - 1]
                counts[text] = counts.get(text, 0) + 1
        by_row: dict[int, list[int]] = {}
        for text, n in counts.items():
            by_row.setdefault(text // width, [0] * width)[text % width] = n
        rarity = word_rarity(rows, matching)
        for row, found in by_row.items():
            norm = K1 * (1 - B + B * lengths.get(order[row], average_length) / average_length)
            *weighed, used = [w * n for w, n in zip(ranking.WEIGHTS, found, strict=True)]
            described = sum(weighed)
            added[row] += rarity * (described * (K1 + 1) / (described + norm)
                                    + ranking.USED_WEIGHT * used * (K1 + 1) / (used + norm))
    return {row_id: -total for row_id, total in zip(order, added, strict=True)}
