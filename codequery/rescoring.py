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

import math
from collections.abc import Callable

from codequery import deprecation, proximity
from codequery.content_key import is_secret
from codequery.lazy_re import lazy
from codequery.ranking import (
    SAMPLE_KINDS,
    Candidate,
    NameMatcher,
    document,
    symbol_lines,
    symbol_names,
)
from codequery.search_text import Term

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from typing import Any

# How many of the best candidates are read (the right file is among the first 12 for
# 97.7% of the bench's 3,950 questions, 96.6% of the 1,500 held out: bench/fit_rescoring.py).
CHECKED = 12
# Each in units of the log of the score (see features). Fitted on bench/search_quality
# (3,785 questions) by bench/fit_rescoring.py, then measured on questions nothing was
# fitted on. Without `in_one` (fitted on the 3,650 questions before round 29):
# bench/holdout top-3 87.0% -> 88.6%, MRR 0.780 -> 0.795; round 29's blind held-out
# half 85.9% -> 88.1%. With it, over the candidates read: holdout (1,395) MRR 0.795 ->
# 0.799, top-1 69.2% -> 70.1%. Against the proximity bonus alone (score times 1 + the
# share), the fit says where the words meet counts for more, in 15 lines or in one
# function; that lines which use them again and again (a function at work, not a list
# of imports) count too; and that a test or a doc which holds the words together is
# still a test or a doc: they read like the code they exercise, so their penalty in
# ranking.KIND_FACTORS is not enough once they are read. (Before `in_one`, fitted on
# half the bench's repositories, the weights moved by about a third, share 1.1-1.7 and
# test -0.7 to -1.2, and the other half gained 0.5-1.2 points.)
WEIGHTS = {
    "share": 0.88,      # the share of the question's terms some 15 lines hold
    "in_one": 0.71,     # the share the lines of one definition hold (see proximity)
    "used": 0.17,       # log(1 + the terms' hits in those lines; a line counts once a term)
    "hits": 0.11,       # log(1 + the same in the whole text read)
    "lines": -0.18,     # log(1 + the file's lines, as documented)
    "named": 0.45,      # the largest share of the terms the name of one function,
                        # class or method holds
    "place": -0.14,     # the place bm25 and ranking gave it, from 0 (first) in 1/CHECKED
    "source": 0.44,     # kinds (see search_text.kind_of and _KIND_WEIGHT)
    "test": -1.09,
    "docs": -0.75,
    # a file named as a holder of settings (`CacheConfig`, `RetryOptions`,
    # `HikariConfigMXBean`, `settings.py`) for a question that asks for none: its
    # getters' doc comments repeat the question's words, the code that does it is
    # elsewhere. Fitted with the rest (-0.45), then added alone to the weights above:
    # bench (6,484 questions, over the candidates read) top-1 73.3% -> 73.5%, top-3
    # 91.1% -> 91.2%, MRR 0.825 -> 0.827; held out (1,210) 71.9% -> 72.3%, 89.1% ->
    # 89.3%, 0.812 -> 0.815. Among the bench's first results, such a file was wrong 23
    # times in 27 when no settings were asked for, and right 20 times in 35 when they were.
    "holder": -0.45,
    # log(1 + how many pairs of the question's neighbouring words the text writes as one
    # phrase or name: `CircuitBreaker`, `retry policy`; see proximity._joined). Fitted
    # alone on each language's candidates read: +0.10 (Java) to +0.25 (C#). Added at
    # 0.2 to the weights above, over the candidates read (top-3, MRR): C# (1,048
    # questions) 88.45% -> 88.74%, 0.786 -> 0.796; Java (720) 89.44% -> 89.72%, 0.794
    # -> 0.799; TypeScript (1,379) 90.36% -> 90.94%, 0.818 -> 0.819; C++ (883) 89.92% ->
    # 90.03%, 0.811 -> 0.809; C (514) 91.83% -> 91.05%, 0.825 -> 0.826; 60 repositories
    # of Python, Go, JavaScript, PHP, Ruby and Rust (929) 93.22% either way, 0.853 ->
    # 0.850. Counting only names run together (`CircuitBreaker`), only words with a
    # space, `_`, `-` or `.` between, or only spaces, measured no better.
    "joined": 0.2,
}
# A file that marks a class of its deprecated, or says in its opening comment that it is
# kept for compatibility (see deprecation), gives way to a file that scores about as
# well: the code in use. Measured on bench/search_quality's Java, Kotlin,
# C#, TypeScript, PHP, Swift and Scala (2,360 questions): 5 better (commons-text's
# StrSubstitutor had come before StringSubstitutor), none worse; the holdout 1 better.
# (The opening comment, added later, is rare: 8 files in 5 of the 574 kept repositories
# of the bench and the holdout, none a right answer; no rank there moved.)
DEPRECATED_FACTOR = 0.9
# Which weight a kind takes. Fixtures, meta files and generated files were too few among
# the candidates to fit (under 100 of 42,000): they go with the kind their penalty in
# ranking.KIND_FACTORS is nearest. Settings and declarations take none.
_KIND_WEIGHT = {"source": "source", "test": "test", "fixture": "test", "docs": "docs",
                "example": "docs", "meta": "docs", "generated": "docs"}


def reordered(ranked: list[Candidate], terms: list[Term],
              read: Callable[[str], str | None], tests_first: bool = False
              ) -> list[Candidate]:
    """`ranked` (best first) with its first CHECKED candidates scored again on what
    reading them shows (see features), and sorted again; the rest after them, as they
    were. A question of one term is left as it is. A file `read` cannot give (None) is
    scored without its text. Each candidate read gets `row["lines"]`: where its terms
    meet (see proximity.Meeting), or None."""
    if len(terms) < 2:
        return ranked
    finder = proximity.Finder(terms)
    names = NameMatcher(terms)
    settings_asked = asks_for_settings(terms)
    top = ranked[:CHECKED]
    for place, cand in enumerate(top):
        # a secret-looking file is never read: its score would tell a right guess of the
        # key it holds from a wrong one
        text = None if is_secret(cand.row.get("doc_key") or "") else read(cand.row["path"])
        doc = document(cand.row)
        starts = symbol_lines(doc)
        meeting = (proximity.held_together(text, finder, starts=starts)
                   if text is not None else proximity.Meeting(0.0, None))
        named = _named_by_one(names, doc)
        # where a reader is pointed; not at imports when a definition is named with the
        # words: its line is shown instead (see search_output.meeting)
        cand.row["lines"] = (None if named and starts and meeting.lines
                             and _imports(text, meeting.lines) else meeting.lines)
        found = features(cand.row, meeting, named, place, tests_first, settings_asked)
        cand.score *= math.exp(sum(WEIGHTS[k] * v for k, v in found.items()))
        if text is not None and (deprecation.kept_for_compatibility(text)
                                 or deprecation.marks_its_class(text)):
            cand.score *= DEPRECATED_FACTOR
    top.sort(key=lambda c: (-c.score, c.row["path"]))
    rest = ranked[CHECKED:]
    if top and rest and 0 < top[-1].score < rest[0].score:
        # read or not, the files read come first: their scores say so too
        lift = rest[0].score / top[-1].score
        for cand in top:
            cand.score *= lift
    return top + rest


# A line that brings in what a file uses (imports, usings, includes, requires, a package
# or namespace line), and a line of a comment (a licence above them).
_IMPORT = lazy(r"\s*(?:import\b|from\s+\S+\s+import\b|using\b|package\b|#\s*include\b"
               r"|require(?:_once)?\b|use\b|extern\s+crate\b|@import\b|open\b"
               r"|namespace\s+[\w.\\]+\s*;|(?:const|let|var)\s+.*=\s*require\()")
_COMMENT = lazy(r"\s*(?://|/\*|\*|#|--|;|\(\*)")


# A file's imports come first: lines starting further down are not looked at for them.
IMPORTS_WITHIN = 300


def _imports(text: str | None, lines: tuple[int, int]) -> bool:
    """Whether lines `first`..`last` (from 1) of `text` are a file's imports: each a line
    that brings something in, a comment or blank, and at least half of those not blank
    bring something in (a licence and imports, not a module's doc comment)."""
    if text is None or lines[0] > IMPORTS_WITHIN:
        return False
    shown = [line for line in text.split("\n", lines[1])[lines[0] - 1:lines[1]]
             if line.strip()]
    brought = sum(1 for line in shown if _IMPORT.match(line))
    return bool(shown) and 2 * brought >= len(shown) and all(
        _IMPORT.match(line) or _COMMENT.match(line) for line in shown)


# The starts of the words a question that asks for settings uses (see "holder").
_SETTINGS_WORDS = ("config", "option", "setting", "propert", "param", "feature", "default",
                   "flag", "enabl", "disabl", "preferen", "customi")
_HOLDER = lazy(r"(?:config|configuration|options|settings|properties|params|parameters"
               r"|features?|mxbean|prefs|preferences|conf)$")


def asks_for_settings(terms: list[Term]) -> bool:
    """Whether a question asks for settings ("which option turns it on", "the configured
    timeout"): then a holder of settings may be what it seeks."""
    return any(t.word.startswith(_SETTINGS_WORDS) for t in terms)


def _holds_settings(path: str) -> bool:
    """Whether a file's name (before its first dot) ends as a holder of settings does."""
    stem = path.rsplit("/", 1)[-1].split(".", 1)[0].lower()
    return bool(_HOLDER.search(stem))


def features(row: dict[str, Any], meeting: proximity.Meeting, named: float, place: int,
             tests_first: bool, settings_asked: bool = True) -> dict[str, float]:
    """What a candidate's score is raised or lowered by, each in WEIGHTS' units: `row`
    the candidate's (its kind and line_count), `meeting` where its terms meet, `named`
    the share of them one of its names holds, `place` its place before (from 0),
    `settings_asked`: whether the question asks for settings (see "holder")."""
    found = {"share": meeting.share, "in_one": meeting.in_one,
             "used": math.log1p(meeting.used),
             "hits": math.log1p(meeting.hits), "lines": math.log1p(row["line_count"] or 0),
             "named": named, "place": place / CHECKED,
             "joined": math.log1p(meeting.joined)}
    if not settings_asked and _holds_settings(row["path"]):
        found["holder"] = 1.0
    kind = row["kind"]
    if tests_first and kind in SAMPLE_KINDS:
        kind = "source"  # asked for, tests and examples are what is sought
    if kind in _KIND_WEIGHT:
        found[_KIND_WEIGHT[kind]] = 1.0
    return found


def _named_by_one(names: NameMatcher, doc: dict[str, Any]) -> float:
    """The largest share of the question's terms that the name of one function, class
    or method of a record's document holds."""
    if not names.terms:
        return 0.0
    best = 0
    for name in symbol_names(doc):
        best = max(best, names.held(name))
        if best == len(names.terms):
            break
    return best / len(names.terms)
