"""Where a question's words meet in a file (codequery.proximity): in process, with real
files and a real SQLite index."""

import random
import re

import pytest

from codequery import operations, proximity, search_text, store
from codequery.workspace import Workspace
from tests.helpers import cli_run, make_repo
from tests.test_search_ranking import _add, _paths


def _held(question: str, text: str, window: int | None = None) -> float:
    finder = proximity.Finder(search_text.query_terms(question))
    return proximity.held_together(text, finder, window).share


def test_words_in_one_function_hold_the_whole_question():
    text = "def debounce(wait, callback):\n    timer = schedule(wait)\n    return timer\n"
    assert _held("debounce a callback with a timer", text) == 1.0


def test_a_window_is_fifteen_lines():
    assert _held("debounce timer", "debounce\n" + "x\n" * 13 + "timer\n") == 1.0  # 14 apart
    assert _held("debounce timer", "debounce\n" + "x\n" * 14 + "timer\n") == 0.5  # 15 apart


def test_words_far_apart_hold_only_what_one_window_holds():
    text = "debounce()\n" + "pass\n" * 40 + "callback()\n" + "pass\n" * 40 + "timer()\n"
    assert _held("debounce a callback with a timer", text) == pytest.approx(1 / 3)
    assert _held("debounce a callback with a timer", text, window=100) == 1.0


@pytest.mark.parametrize("text,share", [
    ("x = cacheSize\n", 1.0),            # a camelCase name: both its words
    ("cache_size = 0\n", 1.0),
    ("CACHE_SIZE = 0\n", 1.0),
    ("caches sized\n", 1.0),             # other forms of the words
    ("cachesize = 0\n", 0.0),            # one lower-case word is not two
    ("escaches outsize\n", 0.0),         # inside other words
])
def test_a_word_counts_where_an_identifier_has_it_as_a_word(text, share):
    assert _held("cache size", text) == share


def test_a_capital_run_and_digits_are_words_of_their_own():
    assert _held("http server", "class HTTPServer2:\n") == 1.0
    assert _held("server http", "HTTP2Server\n") == 1.0
    assert _held("client ip", "zip = unzip(clientship)\n") == 0.0


@pytest.mark.parametrize("question,text", [
    ("port* config", "import_port_config\n"),      # `import...` is no port, `port` is
    ("parse* token", "unparseParser(token)\n"),
    ("size cache", "upsizeSize cache\n"),           # `sizes` read inside `upsizeSize`
])
def test_a_word_inside_what_was_not_a_word_is_still_found(question, text):
    assert _held(question, text) == 1.0


def test_a_letter_whose_small_form_is_longer_leaves_the_cases_readable():
    assert _held("cache size", "İstanbul\nx = cacheSize\n") == 1.0


def test_a_term_matched_too_often_in_a_file_is_not_looked_for_further(monkeypatch):
    text = "cache\n" * 30 + "size\n"
    assert _held("cache size", text) == 1.0
    monkeypatch.setattr(proximity, "MAX_MATCHES", 5)
    assert _held("cache size", text) == 0.5  # the cache near `size` was never reached


def test_a_name_typed_as_code_is_found_however_it_is_written():
    assert _held("sendFile stream", "def send_file(stream):\n") == 1.0
    assert _held("sendFile stream", "function sendFile(stream) {}\n") == 1.0


def test_the_meeting_names_its_first_and_last_line():
    finder = proximity.Finder(search_text.query_terms("debounce a callback with a timer"))
    text = "a\nb\n# debounce the callback\nc\n  timer = 1\n" + "d\n" * 30 + "timer\n"
    assert proximity.held_together(text, finder).lines == (3, 5)
    assert proximity.held_together("timer\n", finder).lines is None  # one word meets none
    # the lines where they are used, whichever word comes first
    text = "debounce\n" + "x\n" * 4 + "debounce\n" + "x\n" * 4 + "timer callback\n"
    assert proximity.held_together(text, finder).lines == (1, 11)
    # of two places that hold as many words, the one that uses them most
    imports = "import { debounce, timer }\n" + "x\n" * 20
    body = "debounce(a)\ntimer.start()\ndebounce(b)\ntimer.stop()\n"
    assert proximity.held_together(imports + body, finder).lines == (22, 25)
    body = "debounce(a, callback)\ntimer.start()\ndebounce(b)\ntimer.stop(callback)\n"
    text = "import { debounce, timer, callback }\n" + "x\n" * 20 + body
    assert proximity.held_together(text, finder).lines == (22, 25)  # all of them, too


def test_a_prefix_finds_its_continuations():
    assert _held("serial* port", "serializer.port = 1\n") == 1.0


def test_a_word_the_question_asks_twice_in_two_forms_counts_for_both():
    assert _held("run runs", "run()\n") == 1.0


def _hub_and_helper(db: store.Store) -> None:
    # The hub names every asked word in its overview and symbols, so bm25 puts it first;
    # only the helper's one function holds them together.
    _add(db, "src/hub.ts", "debounce callback timer everywhere",
         overview="Form state: debounce settings, a callback registry and a timer pool.",
         functions=[{"name": "debounceSettings"}, {"name": "callbackRegistry"},
                    {"name": "timerPool"}])
    _add(db, "src/utils.ts", "debounce callback timer helpers", overview="Small helpers.")
    for i in range(10):  # words that are rare, as in a real index
        _add(db, f"src/other{i}.ts", "render layout", overview="Renders a layout.")


HUB = ("export function debounceSettings() {}\n" + "// form state\n" * 60
       + "export function callbackRegistry() {}\n" + "// more state\n" * 60
       + "export function timerPool() {}\n")
UTILS = ("export function debounce(callback, wait) {\n  const timer = setTimeout(callback, wait)\n"
         "  return timer\n}\n")


@pytest.fixture
def db(tmp_path):
    return store.Store(store.connect(tmp_path / "data.db"), "demo")


def test_the_file_whose_words_meet_comes_before_one_that_spreads_them(db, tmp_path):
    _hub_and_helper(db)
    files = {"src/hub.ts": HUB, "src/utils.ts": UTILS}
    question = "where is a callback debounced with a timer"
    assert _paths(db, question)[0] == "src/hub.ts"  # the index alone
    assert _paths(db, question, read=files.get)[0] == "src/utils.ts"


SETTLE = """export function settle(fn, ms) {
  let pending
  return () => {
    // debounce: the callback runs once the timer is quiet
    clearTimeout(pending)
    pending = setTimeout(fn, ms)
  }
}
"""


def test_search_reads_the_work_tree_as_it_is_now(tmp_path):
    files = {"src/hub.ts": HUB, "src/utils.ts": SETTLE}
    files.update({f"src/view{i}.ts": f"// Renders layout {i}.\nexport function render{i}"
                  "(layout) { return layout }\n" for i in range(8)})
    root = make_repo(tmp_path / "repo", files)
    assert cli_run(root, "init", "--documenter", "builtin", "--no-hooks").exit_code == 0
    ws = Workspace(root)
    question = "where is a callback debounced with a timer"
    assert ws.store.search(question)[0]["path"] == "src/hub.ts"  # the index alone
    first = operations.search(ws, question)[0]
    assert (first["path"], first["lines"]) == ("src/utils.ts", [4, 4])
    shown = cli_run(root, "search", question).output.splitlines()
    assert shown[0].split() == ["src/utils.ts", f"{first['score']:.2f}", "line", "4"]
    # spread apart in the work tree (not documented again), its words no longer meet
    (root / "src/utils.ts").write_text(SETTLE.replace("// debounce: the callback runs once "
                                                      "the timer is quiet", "\n" * 40))
    assert operations.search(ws, question)[0]["path"] == "src/hub.ts"


def test_the_lines_of_one_function_hold_what_a_window_cannot():
    finder = proximity.Finder(search_text.query_terms("debounce a callback with a timer"))
    body = "def debounce(callback):\n" + "    pass\n" * 20 + "    timer = 1\n"
    text = body + "def other():\n    callback()\n"
    spread = proximity.held_together(text, finder, starts=[1, 23])
    assert spread.share == pytest.approx(2 / 3)  # 21 lines apart: no window holds all
    assert spread.in_one == 1.0  # but the function does
    # the next definition ends a function's lines
    cut = proximity.held_together(text, finder, starts=[1, 10, 23])
    assert cut.in_one == pytest.approx(2 / 3)
    assert proximity.held_together(text, finder).in_one == 0.0  # no definitions known


def test_a_function_is_read_for_so_many_lines_at_most():
    finder = proximity.Finder(search_text.query_terms("debounce timer"))
    text = "def debounce():\n" + "    pass\n" * (proximity.BODY_LINES + 5) + "    timer\n"
    assert proximity.held_together(text, finder, starts=[1]).in_one == 0.5
    near = "def debounce():\n" + "    pass\n" * (proximity.BODY_LINES - 5) + "    timer\n"
    assert proximity.held_together(near, finder, starts=[1]).in_one == 1.0


@pytest.mark.parametrize("text, starts, held", [
    ("def f():\n  alpha\ndef beta():\n", [1, 3], 0.5),  # the next definition's line is its own
    ("alpha\nbeta\n", [2], 0.5),  # nor the line before a definition
    ("alpha\nbeta\n", [1], 1.0),
    ("alpha\nbeta\n", [1, 2], 0.5),
    ("alpha\nbeta\n", [2, 1], 0.5),  # in any order
    ("x\nalpha\n" + "x\n" * 7 + "beta\n", [9, 2], 0.5),  # (a set of these is unsorted)
    ("alpha\nbeta\n", [0, -3], 0.0),  # lines from 1
    ("alpha\n" + "x\n" * (proximity.BODY_LINES - 2) + "beta\n", [1], 1.0),  # line 80
    ("alpha\n" + "x\n" * (proximity.BODY_LINES - 1) + "beta\n", [1], 0.5),  # line 81
])
def test_the_lines_of_a_definition_end_where_the_next_begins(text, starts, held):
    finder = proximity.Finder(search_text.query_terms("alpha beta"))
    assert proximity.held_together(text, finder, starts=starts).in_one == held


def test_definitions_listed_out_of_order_read_as_in_order():
    finder = proximity.Finder(search_text.query_terms("debounce a callback with a timer"))
    text = ("def debounce(callback):\n" + "    pass\n" * 20 + "    timer = 1\n"
            + "def other():\n    callback()\n")
    for starts in ([23, 1], [23, 10, 1]):
        assert proximity.held_together(text, finder, starts=starts).in_one == \
            proximity.held_together(text, finder, starts=sorted(starts)).in_one


def _one_alternation(term: search_text.Term) -> tuple:
    """The term as one regular expression of all its forms (as before they were split by
    first letter), with the words a match may be cut back to."""
    (*_, words) = proximity._expression(term)
    found = proximity._alternatives(words)
    if term.parts:
        *first, last = term.parts
        found += "|" + "[_$]?".join([*map(re.escape, first),
                                      proximity._alternatives(search_text.forms(last))])
    return (re.compile(found).search,), words


@pytest.mark.parametrize("asked", ["failed", "aborting", "sendFile", "x_axis", "parses",
                                   "colours", "c++", "serializeFailed", "directory"])
def test_the_expressions_of_a_term_find_the_lines_one_alternation_finds(asked):
    """A term's forms that start with other letters (a synonym) are looked for apart, to
    be searched for quickly: on any text, the same lines as one alternation of them all."""
    term = search_text.query_terms(asked)[0]
    split = proximity.Finder([term])
    whole = proximity.Finder([term])
    whole.terms = [_one_alternation(term)]
    assert len(split.terms[0][0]) >= (2 if asked in ("failed", "aborting") else 1)
    rng = random.Random(asked)
    # (and words that start as its forms do)
    words = [*search_text.asked_forms(term.word), *term.parts, "x", "xment", "Error", "un",
             "re" + term.word, term.word.upper(), "cancel", "e_tag", term.word[:3] + "zz",
             term.word + "9", term.word + "é", term.word + "s2", term.word.capitalize()]
    gaps = [" ", "_", "", ".", "\n", "::", "\n\n"]
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice(gaps) for _ in range(rng.randint(1, 30)))
        lower = text.lower()
        assert list(split.lines(text, lower, 0)) == list(whole.lines(text, lower, 0)), text


def test_words_that_only_start_as_a_form_does_use_up_no_matches():
    """`indent` starts as `index` does (`ind`, what the forms of "indices" share) but is
    none of its forms: thousands of them, as an alternation of the forms would, leave the
    term still found after them."""
    finder = proximity.Finder(search_text.query_terms("indices parse"))
    text = "indent\n" * proximity.MAX_MATCHES + "parse(index)\n"
    assert list(finder.lines(text, text.lower(), 0)) == [proximity.MAX_MATCHES]
    assert proximity.held_together(text, finder).share == 1.0


def test_a_start_the_forms_share_is_passed_over_where_none_of_them_follows():
    """`director` starts every form of "directory" and is none of them: `directorate`
    is not the word, the `directories` after it are."""
    finder = proximity.Finder(search_text.query_terms("directory"))
    text = "directorate = directorate_directories\nx\ndirectory\n"
    assert list(finder.lines(text, text.lower(), 0)) == [0, 2]


def _joined(question: str, text: str) -> int:
    finder = proximity.Finder(search_text.query_terms(question))
    return proximity.held_together(text, finder).joined


@pytest.mark.parametrize(("text", "joined"), [
    ("class CircuitBreaker:\n    pass\n", 1),              # one name
    ("the circuit breaker opens\n", 1),                       # one phrase
    ("circuit_breaker = make()\ncircuit-breaker\n", 1),      # counted once a pair
    ("Circuit.Breaker.open()\n", 1),
    ("the circuit is open\nthe breaker is shut\n", 0),        # both words, apart
    ("breaker circuit\n", 0),                                 # not in the question's order
    ("circuit, breaker\n", 0),                                # a list, not a phrase
    ("circuitBreaker; retryPolicy\n", 2),                    # two of the question's pairs
])
def test_neighbouring_words_of_the_question_written_as_one_phrase_or_name(text, joined):
    assert _joined("where does the circuit breaker consult the retry policy", text) == joined
