"""Where a file's matching words meet: the question's words together in a few lines (one
function that does what is asked) answer it better than the same words spread over a
large file. This finds, in a file's text, the largest share of the question's words
that some few consecutive lines hold, and where (rescoring reads the best candidates
and weighs it with what else their text shows).

bm25 sees a file as one bag of words, so a hub file that mentions everything somewhere
outranks the small helper whose one function holds every word asked for. Standard
library only.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence

from codequery.search_text import Term, asked_forms, by_first_letter, forms, shared_start

# Lines that count as together. First measured as a bonus alone (score times 1 + the
# share held) on bench/search_quality.py (3,515 questions): top-3 89.6% -> 90.7%, MRR
# 0.811 -> 0.819; held out (1,125 questions) 86.1% -> 87.6%, MRR 0.772 -> 0.789. 10 and
# 22 lines were within 0.1 point; each word weighed by its rarity (in the whole index or
# among the candidates read), no better.
WINDOW_LINES = 15
# One function's lines: from its first line to the next definition's, this many at most.
BODY_LINES = 80
# A file is read this far at most (bytes by file_text, characters here): a generated
# table or a bundle says little in its later lines. The same ranks as reading 400,000;
# 60,000 one question lower.
MAX_CHARS = 150_000
# A term matched more often in one file is not looked for further in it (a one-letter
# prefix, `aaaa...`): a search stays fast whatever a file holds.
MAX_MATCHES = 5_000

_NEWLINE = "\n"


def _alternatives(words: Iterable[str]) -> str:
    """A regular expression for any of `words`, their shared start first (see
    search_text.shared_start)."""
    start, rests = shared_start(words)
    return f"{re.escape(start)}(?:{'|'.join(map(re.escape, rests))})"


# Where a term is next found in a lower-case text from a place (see Finder.lines).
Search = Callable[[str, int], re.Match[str] | None]
# The fewest characters a letter's forms share for them to be looked for as a string
# (see _forms_search): a shorter start is found at many places in most texts (`str`,
# `valu`, `get`), where the compiled expression of the forms, all in C, is faster, and
# those words are in most questions (their expressions kept, see TERMS_KEPT). The
# 5,377 files read for 450 questions, at 5: 1.53 s the first time (1.42 s), 1.17 s
# after that (1.19 s); at 4, 1.42 s and 1.25 s; at 6, 1.46 s and 1.18 s.
MIN_LEAD = 5

# A question has about 11 terms, the words left out of its ranking included: 1,024 held
# about 90 questions' terms, and 150 of the bench's questions, asked again, compiled 700
# of theirs again (1.3 ms a question at 50,000 real records). A term's expressions take
# about 1.3 KB: 4,096 of them at most 5 MB.
TERMS_KEPT = 4096


@functools.lru_cache(maxsize=TERMS_KEPT)  # a session's questions share many words
def _expression(term: Term) -> tuple[tuple[Search, ...], frozenset[str] | None]:
    """What finds the term (see Finder): a search for each letter its forms start with
    (see search_text.by_first_letter), a compound's parts after the forms that start as
    they do, and the words a match may be cut back to (None: only the whole match)."""
    if term.prefix:
        return (re.compile(rf"{re.escape(term.word)}\w*").search,), None
    words = asked_forms(term.word)
    groups = {group[0][:1]: group for group in by_first_letter(words)}
    found = {letter: _alternatives(group) for letter, group in groups.items()}
    joined = None
    if term.parts:
        *first, last = term.parts
        parts = "[_$]?".join([*map(re.escape, first), _alternatives(forms(last))])
        # after the forms: where both fit, a form is the match
        joined = term.parts[0][:1]
        found[joined] = f"{found[joined]}|{parts}" if joined in found else parts
    return tuple(re.compile(found[letter]).search if letter == joined
                 else _forms_search(groups[letter], found[letter])
                 for letter in sorted(found)), words


def _forms_search(group: list[str], expression: str) -> Search:
    """What finds the longest of `group` (a letter's forms, see _expression) at the first
    place one starts, as the regular `expression` of them finds it: the text they share,
    looked for as a string, then the first of the rests of them that fits there (longest
    first), an expression most terms' forms share (see _rests). Compiling a term's own
    took about 0.1 ms: 0.9 ms of the time a question was first asked."""
    start, rests = shared_start(group)
    if len(start) < MIN_LEAD:
        return re.compile(expression).search
    rests = sorted(rests, key=_longest_first)  # (one order for _rests' cache)
    return functools.partial(_led, start, _rests(len(start), tuple(rests)))


def _longest_first(rest: str) -> tuple[int, str]:
    return -len(rest), rest


@functools.lru_cache(maxsize=256)  # of a few rests (most terms' are one) and lengths
def _rests(length: int, rests: tuple[str, ...]) -> Callable[[str, int], re.Match[str] | None]:
    """What matches, where a lead of `length` characters starts, it and the first of
    `rests` after it."""
    return re.compile(f".{{{length}}}(?:{'|'.join(map(re.escape, rests))})", re.DOTALL).match


def _led(lead: str, rest: Callable[[str, int], re.Match[str] | None], lower: str,
         at: int) -> re.Match[str] | None:
    """The first match from `at` of `rest` (see _rests) where `lead` starts."""
    start = lower.find(lead, at)
    while start >= 0:
        match = rest(lower, start)
        if match:
            return match
        start = lower.find(lead, start + 1)
    return None


def _first(found: tuple[Search, ...], lower: str, at: int,
           ahead: list[re.Match[str] | bool | None]) -> re.Match[str] | None:
    """The first match from `at` of any of `found` (no two start at one place: see
    search_text.by_first_letter). `ahead` keeps each one's last match (False: not looked
    for yet, None: no more), which stands while it starts at `at` or later."""
    best = None
    for k, search in enumerate(found):
        match = ahead[k]
        if match is False or match is not None and match.start() < at:
            match = ahead[k] = search(lower, at)
        if match is not None and (best is None or match.start() < best.start()):
            best = match
    return best


class Finder:
    """What finds each of a question's terms in a lower-case text: any of its usual forms
    (see search_text.asked_forms), a compound identifier's parts in a row (`sendFile`:
    sendfile, send_file), a prefix's continuations. Where a match starts and ends inside
    a word is left to `_starts_word`. Each of a term's searches starts with a fixed text,
    to be looked for quickly (see _expression)."""

    def __init__(self, terms: Sequence[Term]) -> None:
        # (expressions, the words a match may be cut back to; None: only the whole match)
        self.terms = [_expression(term) for term in terms]

    def lines(self, text: str, lower: str, term: int,
              spans: list[tuple[int, int]] | None = None) -> Iterator[int]:
        """Each line, once and in order, that holds a word of `text` (`lower`, in lower
        case) that is the term; after MAX_MATCHES matches of it, no more. `spans` gets
        where each of those words starts and ends (the first of its line)."""
        found, words = self.terms[term]
        one = found[0] if len(found) == 1 else None
        ahead: list[re.Match[str] | bool | None] = [False] * len(found)
        line, counted, at = 0, 0, 0
        for _ in range(MAX_MATCHES):
            match = one(lower, at) if one else _first(found, lower, at, ahead)
            if match is None:
                return
            start, end = match.span()
            # (`_starts_word`'s commonest answers first: a hot loop)
            if start == 0 or not text[start - 1].isalnum() or _starts_word(text, start):
                # `cacheSize` reads as `caches` + `ize`: a shorter form may end where a
                # word does
                while end > start and not (
                        (end == len(text) or not text[end].isalnum() or _starts_word(text, end))
                        and (end == match.end() or words and lower[start:end] in words)):
                    end -= 1
            else:
                end = start
            if end == start:  # not a word: one may start inside it (`unparseParser`)
                at = next((k for k in range(start + 1, match.end()) if _starts_word(text, k)),
                          match.end())
                continue
            line += lower.count(_NEWLINE, counted, start)
            if spans is not None:
                spans.append((start, end))
            yield line
            # the rest of the line holds nothing more to know
            at = counted = lower.find(_NEWLINE, end) + 1 or len(lower)
            line += 1


def _starts_word(text: str, at: int) -> bool:
    """Whether a word of an identifier starts at `at` (see search_text.split_identifier):
    after a non-letter, at a capital after a small letter (`getClient`), at the last
    capital of a run before a small letter (`HTTPServer`), at a change between letters
    and digits."""
    if at <= 0 or at >= len(text):
        return True
    before, char = text[at - 1], text[at]
    if not before.isalnum() or not char.isalnum():
        return True
    if char.isdigit() != before.isdigit():
        return True
    if char.isupper():
        return before.islower() or before.isdigit() or (
            before.isupper() and at + 1 < len(text) and text[at + 1].islower())
    return False


class Meeting(namedtuple("Meeting", "share lines used hits in_one joined",
                         defaults=(0, 0, 0.0, 0))):
    """Where most of a question's terms meet in a file (a namedtuple: a search does not
    import dataclasses)."""

    __slots__ = ()
    share: float  # of the terms, 0 to 1
    lines: tuple[int, int] | None  # first and last line (from 1); None: fewer than two
    used: int  # lines holding a term in that window, each term's counted apart
    hits: int  # the same in the whole file
    in_one: float  # the largest share of the terms one definition's lines hold, 0 to 1
    joined: int  # how many of the question's neighbouring terms the text writes as one
    #              phrase or name (see _joined)


def held_together(text: str, finder: Finder, window: int | None = None,
                  starts: Sequence[int] = ()) -> Meeting:
    """The most of `finder`'s terms found in some `window` consecutive lines of `text`,
    and where: of the windows that hold as many, the one where they are used most. With
    `starts`, the lines (from 1) where the file's functions, classes and methods begin,
    also the largest share of the terms that the lines of one of them hold (see
    _in_one)."""
    window = window or WINDOW_LINES
    text = text[:MAX_CHARS]
    lower = text.replace("\u0130", "I").lower()  # İ: the one letter whose small form is two
    if len(lower) != len(text):  # (should Unicode add another: no cases to read)
        text = lower
    spans: list[list[tuple[int, int]]] = [[] for _ in finder.terms]
    hits = sorted((line, term) for term in range(len(finder.terms))
                  for line in finder.lines(text, lower, term, spans[term]))
    best, held, low, lines, most = 0, 0, 0, None, 0
    counts = [0] * len(finder.terms)  # of each term in the window that ends at this line
    for at, (line, i) in enumerate(hits):
        while hits[low][0] <= line - window:
            gone = hits[low][1]
            counts[gone] -= 1
            if not counts[gone]:
                held -= 1
            low += 1
        if not counts[i]:
            held += 1
        counts[i] += 1
        # of windows that hold as many terms, the one with the most hits is the one to
        # show (the code that uses the words, not the imports that name them)
        if held > best or held == best and at - low + 1 > most:
            best, most = held, at - low + 1
            lines = (hits[low][0] + 1, line + 1)
    if not finder.terms:
        return Meeting(0.0, None)
    return Meeting(best / len(finder.terms), lines if best >= 2 else None, most, len(hits),
                   _in_one(hits, starts, len(finder.terms)) / len(finder.terms),
                   _joined(text, spans))


# What may stand between two words of one phrase or name: `circuit breaker`,
# `CircuitBreaker`, `circuit_breaker`, `circuit-breaker`, `Circuit.Breaker`.
_JOINERS = frozenset(" _-.")


def _joined(text: str, spans: list[list[tuple[int, int]]]) -> int:
    """How many pairs of the question's neighbouring terms (in its order; `spans`: where
    each term's words start and end in `text`) the text writes together somewhere, the
    second right after the first, as one phrase or one name: a file that says `retry
    policy` or `RetryPolicy` for "the retry policy", not `retry` here and `policy`
    there. (Only a line's first word of each term is known: see Finder.lines.)"""
    joined = 0
    for first, second in zip(spans, spans[1:], strict=False):
        ends = {end for _, end in first}
        if any(start in ends or start - 1 in ends and text[start - 1] in _JOINERS
               for start, _ in second):
            joined += 1
    return joined


def _in_one(hits: list[tuple[int, int]], starts: Sequence[int], terms: int) -> int:
    """The most of the `terms` of `hits` ((line from 0, term), in order) that the lines
    of one definition hold: from the line where it starts to the line before the next
    one's (a class's, up to its first method), BODY_LINES at most."""
    if not hits or not starts:
        return 0
    last_hit = hits[-1][0] + 1
    begins = sorted({line for line in starts if 0 < line <= last_hit})
    lines = [line for line, _ in hits]
    best = 0
    for k, start in enumerate(begins):
        end = start + BODY_LINES
        if k + 1 < len(begins):
            end = min(begins[k + 1], end)
        first, last = bisect.bisect_left(lines, start - 1), bisect.bisect_left(lines, end - 1)
        if last - first > best:  # fewer hits than the best holds cannot hold more terms
            best = max(best, len({term for _, term in hits[first:last]}))
            if best == terms:
                break
    return best
