"""The best candidates scored again on what reading them shows.

bm25 and ranking.rank see each file as its record: bags of words in columns. The few
best candidates are then read as they are on disk now, and their place is settled by
what a reader sees at once: whether the question's words meet in a few lines (see
proximity) and how much those lines use them, whether one function or class is named
for them, how long the file is, and whether it is the code or a test of it.

The weights were fitted, not tuned by hand: a pairwise logistic regression over the
CHECKED best candidates of the 3,650 questions of bench/search_quality (the right file
against each wrong one of the same question), then rounded. See WEIGHTS for what each
measured. Standard library only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence

from codequery import proximity
from codequery.ranking import Candidate, symbols_of
from codequery.search_text import Term, words_of

# How many of the best candidates are read (the right file is among the first 12 for
# 97.7% of the bench's questions, 96.2% of the held-out ones).
CHECKED = 12
# Each in units of the log of the score (see _evidence). Fitted on bench/search_quality
# (3,650 questions), then measured on questions nothing was fitted on:
# bench/holdout (1,260) top-3 87.1% -> 88.7%, MRR 0.784 -> 0.799; a blind round of 270
# new questions 86.7% -> 88.9%. Against the proximity bonus alone (score times 1 + the
# share), the fit says where the words meet counts for more, that lines which use
# them again and again (a function at work, not a list of imports) count too, and that a
# test or a doc which holds the words together is still a test or a doc: they read as
# the code they exercise, so their penalty in ranking.KIND_FACTORS is not enough once
# they are read. Fitted on half the bench's repositories, the weights moved by about a
# third (share 1.1-1.7, test -0.7 to -1.2) and the other half gained 0.5-1.2 points.
WEIGHTS = {
    "share": 1.3,       # the share of the question's terms some 15 lines hold
    "used": 0.17,       # log(1 + hits in those lines)
    "hits": 0.12,       # log(1 + lines holding a term, in the whole file)
    "lines": -0.18,     # log(1 + the file's lines)
    "named": 0.7,       # the share of the terms one function or class is named by
    "place": -0.13,     # the place bm25 gave it, 0 (first) to 1 (last read)
    "source": 0.44,     # kinds (see search_text.kind_of), unless tests are asked for
    "test": -1.07,
    "docs": -0.8,       # docs and examples
}


def reordered(ranked: list[Candidate], terms: Sequence[Term],
              read: Callable[[str], str | None], tests_first: bool = False
              ) -> list[Candidate]:
    """`ranked` (best first) with its first CHECKED candidates scored again on what
    reading them shows, and sorted again; the rest after them, as they were. A file
    `read` cannot give (None) is scored without its text. Each candidate read gets
    `row["lines"]`: where its terms meet (see proximity.Meeting), or None."""
    if len(terms) < 2:
        return ranked
    finder = proximity.Finder(terms)
    top = ranked[:CHECKED]
    for place, cand in enumerate(top):
        text = read(cand.row["path"])
        meeting = proximity.held_together(text, finder) if text else proximity.Meeting(
            0.0, None)
        cand.row["lines"] = meeting.lines
        lines = text.count("\n") + 1 if text else 0
        cand.score *= math.exp(_evidence(cand, terms, meeting, lines, place / CHECKED,
                                         tests_first))
    top.sort(key=lambda c: (-c.score, c.row["path"]))
    rest = ranked[CHECKED:]
    if top and rest and 0 < top[-1].score < rest[0].score:
        # read or not, the files read come first: their scores say so too
        lift = rest[0].score / top[-1].score
        for cand in top:
            cand.score *= lift
    return top + rest


def _evidence(cand: Candidate, terms: Sequence[Term], meeting: proximity.Meeting,
              lines: int, place: float, tests_first: bool) -> float:
    """The log of the factor a read candidate's score is multiplied by."""
    kind = cand.row.get("kind")
    if tests_first:
        kind_weight = 0.0
    elif kind == "source":
        kind_weight = WEIGHTS["source"]
    elif kind == "test":
        kind_weight = WEIGHTS["test"]
    elif kind in ("docs", "example"):
        kind_weight = WEIGHTS["docs"]
    else:
        kind_weight = 0.0
    return (WEIGHTS["share"] * meeting.share
            + WEIGHTS["used"] * math.log1p(meeting.used)
            + WEIGHTS["hits"] * math.log1p(meeting.hits)
            + WEIGHTS["lines"] * math.log1p(lines)
            + WEIGHTS["named"] * _named_by_one(cand.row.get("doc"), terms)
            + WEIGHTS["place"] * place
            + kind_weight)


def _named_by_one(doc: str | None, terms: Sequence[Term]) -> float:
    """The largest share of `terms` that the name of one function, class or method of a
    record's document (JSON) holds."""
    if not doc or not terms:
        return 0.0
    best = 0
    for item in symbols_of(json.loads(doc)):
        words = words_of(item.get("name") or "")
        best = max(best, sum(1 for t in terms if t.found_in(words)))
        if best == len(terms):
            break
    return best / len(terms)
