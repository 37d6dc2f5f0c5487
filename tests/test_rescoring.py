"""The best candidates scored again on what reading them shows (codequery.rescoring): in
process, with a real SQLite index and the files' texts."""

import json

import pytest

from codequery import ranking, rescoring, search_text, store
from tests.test_proximity import HUB, UTILS, _hub_and_helper
from tests.test_search_ranking import _add, _paths

QUESTION = "where is a callback debounced with a timer"


@pytest.fixture
def db(tmp_path):
    return store.Store(store.connect(tmp_path / "data.db"), "demo")


def test_a_file_that_cannot_be_read_gets_nothing_for_its_text(db):
    _hub_and_helper(db)
    both = {"src/hub.ts": HUB, "src/utils.ts": UTILS}
    assert _paths(db, QUESTION, read=both.get)[0] == "src/utils.ts"
    found = db.search(QUESTION, read={"src/hub.ts": HUB}.get)  # the helper is gone
    assert found[0]["path"] == "src/hub.ts"
    assert next(r for r in found if r["path"] == "src/utils.ts")["lines"] is None


def test_a_file_gone_comes_after_a_long_one_that_holds_the_words(db):
    # the same records; the file that is there is long, which costs, but it holds every
    # word: the one that is gone, however short its text now is, holds none
    for name in ("a_present", "b_gone"):
        _add(db, f"src/{name}.py", "retry failed request", overview="Requests.",
             line_count=2000)
    for i in range(8):
        _add(db, f"src/other{i}.py", "render layout", overview="Renders a layout.")
    text = "x = 1\n" * 1000 + "def retry(request):\n    failed(request)\n" + "x = 1\n" * 998
    found = db.search("where is a failed request retried",
                      read={"src/a_present.py": text}.get)
    assert [r["path"] for r in found[:2]] == ["src/a_present.py", "src/b_gone.py"]
    assert found[0]["lines"] == [1001, 1002]


def test_a_one_word_question_is_not_read_again(db):
    _hub_and_helper(db)
    read = []
    db.search("debounce", read=lambda path: read.append(path))
    assert read == []


def test_only_the_best_candidates_are_read(db, monkeypatch):
    for i in range(12):
        _add(db, f"src/m{i:02d}.py", "parse token", overview="Parse a token.")
    monkeypatch.setattr(rescoring, "CHECKED", 5)
    read = []
    found = db.search("parse token", read=lambda path: read.append(path))
    assert sorted(read) == sorted(_paths(db, "parse token")[:5])
    assert [r["path"] for r in found] == _paths(db, "parse token")  # alike, none moved


def test_scores_stay_in_their_order_when_the_files_read_score_lower(db, monkeypatch):
    # long files whose text holds none of the words: read, they score lower than the
    # ones not read, and are lifted to stay first
    for i in range(8):
        _add(db, f"src/m{i:02d}.py", "parse token", overview="Parse a token.",
             line_count=5000)
    for i in range(30):
        _add(db, f"src/other{i:02d}.py", "render layout", overview="Renders a layout.")
    monkeypatch.setattr(rescoring, "CHECKED", 3)
    before = db.search("parse token")
    found = db.search("parse token", read=lambda path: "pass\n" * 50)
    assert found[3]["score"] == before[3]["score"]  # not read: as it was
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)
    assert found[2]["score"] >= found[3]["score"] > 0
    assert sorted(r["path"] for r in found[:3]) == sorted(r["path"] for r in before[:3])


RETRY_TEST = "test('retry after a failed request', () => {\n  retry(request)\n})\n"
RETRY_CODE = ("export function retry(request, failed) {\n  // the request is sent again\n"
              "  return send(request)\n}\n")


def _code_and_its_test(db: store.Store) -> dict[str, str]:
    # The test says every word of the question, so bm25 puts it first.
    _add(db, "test/retry.test.ts", "retry failed request retry failed request",
         overview="Tests: retry after a failed request.")
    _add(db, "src/send.ts", "retry request", overview="Sends requests.")
    for i in range(8):
        _add(db, f"src/other{i}.ts", "render layout", overview="Renders a layout.")
    return {"test/retry.test.ts": RETRY_TEST, "src/send.ts": RETRY_CODE}


def test_a_test_that_holds_the_words_together_still_comes_after_the_code(db):
    files = _code_and_its_test(db)
    question = "where is a failed request retried"
    assert _paths(db, question)[0] == "test/retry.test.ts"  # the index alone
    assert _paths(db, question, read=files.get)[0] == "src/send.ts"
    # with the test's kind weighed like code's, the words meeting in it would put it first
    flat = dict(rescoring.WEIGHTS, test=rescoring.WEIGHTS["source"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rescoring, "WEIGHTS", flat)
        assert _paths(db, question, read=files.get)[0] == "test/retry.test.ts"


def test_asked_for_tests_a_test_is_not_held_back_for_being_one(db):
    files = _code_and_its_test(db)
    question = "which tests retry a failed request"
    assert search_text.wants_tests(question)
    assert _paths(db, question, read=files.get)[0] == "test/retry.test.ts"
    found = rescoring.features({"kind": "test", "line_count": 3}, MEETING, 0.0, 0, True)
    assert found["source"] == 1.0 and "test" not in found
    found = rescoring.features({"kind": "docs", "line_count": 3}, MEETING, 0.0, 0, True)
    assert found["docs"] == 1.0  # docs are still docs


MEETING = rescoring.proximity.Meeting(1.0, (1, 2), 2, 2)


def _used_and_listed(db: store.Store) -> None:
    for name in ("a_listed", "b_used"):
        _add(db, f"src/{name}.py", "queue retry job", overview="Job things.")
    for i in range(8):
        _add(db, f"src/other{i}.py", "render layout", overview="Renders a layout.")


# Both name queue, retry and job ten times (a line counted once for each word): one in a
# list of imports and then apart, the other in five lines that use them together.
LISTED = "from jobs import queue, retry, job\n" + ("x = 1\n" * 15 + "queue\n") * 7
USED = ("def run(queue):\n    job = queue.pop()\n    retry(job)\n    queue.push(job)\n"
        "    retry(queue)\n" + "x = 1\n" * 30 + "job\n")


def test_lines_that_use_the_words_count_for_more_than_a_list_that_names_them(db):
    _used_and_listed(db)
    question = "how is a job retried from the queue"
    assert _paths(db, question)[:2] == ["src/a_listed.py", "src/b_used.py"]  # by path
    files = {"src/a_listed.py": LISTED, "src/b_used.py": USED}
    finder = rescoring.proximity.Finder(search_text.query_terms(question))
    held = [rescoring.proximity.held_together(t, finder) for t in (LISTED, USED)]
    assert held[0].share == held[1].share == 1.0 and held[0].hits == held[1].hits
    assert _paths(db, question, read=files.get)[0] == "src/b_used.py"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rescoring, "WEIGHTS", dict(rescoring.WEIGHTS, used=0.0))
        assert _paths(db, question, read=files.get)[0] == "src/a_listed.py"


def test_a_function_named_by_the_question_comes_first(db):
    _add(db, "src/a_backoff.py", "retry delay", overview="Computes the retry delay.",
         functions=[{"name": "retryOnce"}, {"name": "delayFor"}])
    _add(db, "src/b_policy.py", "retry delay", overview="Policy.",
         functions=[{"name": "computeRetryDelay"}, *({"name": f"render{i}"} for i in range(5))])
    for i in range(8):
        _add(db, f"src/other{i}.py", "render layout", overview="Renders a layout.")
    question = "where is the retry delay computed"
    assert _paths(db, question)[0] == "src/a_backoff.py"  # the index alone
    same = "retry delay\n"
    read = {"src/a_backoff.py": same, "src/b_policy.py": same}.get
    assert _paths(db, question, read=read)[0] == "src/b_policy.py"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rescoring, "WEIGHTS", dict(rescoring.WEIGHTS, named=0.0))
        assert _paths(db, question, read=read)[0] == "src/a_backoff.py"


def test_one_function_named_by_the_question_counts():
    terms = search_text.query_terms("where is the retry delay computed")
    def share(doc):
        return rescoring._named_by_one(ranking.NameMatcher(terms), json.loads(doc))

    named = json.dumps({"functions": [{"name": "computeRetryDelay"}, {"name": "send"}]})
    assert share(named) == 1.0
    assert share(json.dumps({"functions": [{"name": "retryOnce"}, {"name": "delayFor"}]})) == \
        pytest.approx(1 / 3)
    assert share("{}") == 0.0
    methods = json.dumps({"classes": [{"name": "Backoff", "methods": [{"name": "retry_delay"}]}]})
    assert share(methods) == pytest.approx(2 / 3)
    prefixed = ranking.NameMatcher(search_text.query_terms("retr* delay"))

    def prefix(doc):
        return rescoring._named_by_one(prefixed, json.loads(doc))
    assert prefix(json.dumps({"functions": [{"name": "retriesLeft"}]})) == 0.5
    assert prefix(json.dumps({"functions": [{"name": "send"}]})) == 0.0


def test_words_that_one_function_holds_count_though_no_window_does(db):
    body = "    pass\n" * 20
    # in both, no 15 lines hold all three words; in one, the lines of one function do
    apart = ("def first(queue):\n    job = 1\n" + body + "def second():\n    retry()\n")
    together = ("def first(queue):\n    job = 1\n" + body + "    retry()\ndef second():\n"
                "    pass\n")
    for name, second in (("a_apart", 23), ("b_together", 24)):
        _add(db, f"src/{name}.py", "queue retry job", overview="Job things.",
             functions=[{"name": "first", "line": 1}, {"name": "second", "line": second}])
    for i in range(8):
        _add(db, f"src/other{i}.py", "render layout", overview="Renders a layout.")
    question = "how is a job retried from the queue"
    files = {"src/a_apart.py": apart, "src/b_together.py": together}
    assert _paths(db, question, read=files.get)[0] == "src/b_together.py"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rescoring, "WEIGHTS", dict(rescoring.WEIGHTS, in_one=0.0))
        assert _paths(db, question, read=files.get)[0] == "src/a_apart.py"


def test_a_deprecated_class_gives_way_to_the_one_in_use(db):
    # commons-text: StrSubstitutor, kept for compatibility, says what StringSubstitutor
    # does in the same words; read the same, the class in use comes first
    for name in ("StrSubstitutor", "StringSubstitutor"):
        _add(db, f"src/text/{name}.java", "substitutes variables in a string",
             overview="Substitutes variables within a string by values.")
    def text(name: str, mark: str = "") -> str:
        return (f"/** Substitutes variables within a string by values. */\n{mark}"
                f"public class {name} {{\n  void substitute() {{}}\n}}\n")
    question = "how are variables substituted in a string"
    for old, new in (("StrSubstitutor", "StringSubstitutor"),
                     ("StringSubstitutor", "StrSubstitutor")):  # whichever it is
        files = {f"src/text/{old}.java": text(old, "@Deprecated\n"),
                 f"src/text/{new}.java": text(new, "// in use\n")}
        assert _paths(db, question, read=files.get)[:2] == [
            f"src/text/{new}.java", f"src/text/{old}.java"]


def test_a_file_kept_for_compatibility_gives_way_to_the_one_in_use(db):
    # two packages that read the same: the one whose opening comment says it is kept for
    # compatibility comes second, whichever it is
    for name in ("alpha", "beta"):
        _add(db, f"{name}/{name}.go", "compression codec level",
             overview="Compression codec with a level.")
    def text(kept: bool) -> str:
        said = "// Kept for backward compatibility.\n" if kept else "// Kept for new callers.\n"
        return f"{said}package x\n\nfunc NewCompressionCodec(level int) {{}}\n"
    for old, new in (("alpha", "beta"), ("beta", "alpha")):
        files = {f"{old}/{old}.go": text(True), f"{new}/{new}.go": text(False)}
        assert _paths(db, "compression codec with a level", read=files.get)[:2] == [
            f"{new}/{new}.go", f"{old}/{old}.go"]


@pytest.mark.parametrize("text,marked", [
    ("/** Old. */\n@Deprecated\npublic class A {}", True),
    ('@Deprecated(since = "1.3")\n@SuppressWarnings("x")\n// kept\nfinal class A {}', True),
    ('@Deprecated("use B")\nobject A', True),  # Kotlin
    ('namespace X\n{\n    [Obsolete("Use B")]\n    [Serializable]\n    public sealed class A {}',
     True),
    ("class A {\n  @Deprecated\n  public void f() {}\n}", False),  # a method, not the class
    ("[Obsolete]\npublic void F() {}", False),
    # only the first class: feign's ErrorDecoder holds a nested one kept for compatibility
    ("public interface ErrorDecoder {\n  @Deprecated\n  class Old {}\n}", False),
    ("// @Deprecated is not used here\npublic class A {}", False),
])
def test_what_marks_a_files_class_deprecated(text: str, marked: bool) -> None:
    from codequery import deprecation
    assert deprecation.marks_its_class(text) is marked


@pytest.mark.parametrize(("text", "kept"), [
    # kafka-go's zstd package; go-kit's log/syslog; a Python module's docstring; a script
    ("// Package zstd does nothing, it's kept for backward compatibility to avoid\n"
     "// breaking the programs that imported it.\npackage zstd\n", True),
    ("// Package syslog provides a Logger.\n//\n// Deprecated: Use github.com/go-kit/log/syslog"
     " instead.\npackage syslog\n", True),
    ('"""Old helpers.\n\nThis module is deprecated: use tools.py.\n"""\nimport os\n', True),
    ("#!/bin/sh\n# Kept for compatibility with version 1.\necho hi\n", True),
    # said after the code starts, or of something else, it is not the file's
    ("package zstd\n\n// f is kept for backward compatibility.\nfunc f() {}\n", False),
    ("// Package json encodes values; Marshal is deprecated: use Encode.\npackage json\n",
     False),
    ("// Package proxy finds the proxy\n// for a host.\npackage proxy\n", False),
    # a docstring of one line, or closed at its last line's end, ends the opening
    ('"""HTTP client."""\nimport os\nSession = Client  # kept for backward compatibility\n',
     False),
    ('"""HTTP client,\nwith sessions."""\nimport os\n# kept for compatibility\n', False),
    ('"""Old client,\nkept for backward compatibility."""\nimport os\n', True),
])
def test_a_file_that_says_it_is_kept_for_compatibility(text: str, kept: bool) -> None:
    from codequery import deprecation
    assert deprecation.kept_for_compatibility(text) is kept


@pytest.mark.parametrize(("text", "lines", "imports"), [
    # a licence's end and a Java file's imports (javaparser's CommentsInserter)
    (" * limitations under the License.\n */\npackage com.github.javaparser;\n\n"
     "import com.github.javaparser.ast.Node;\nimport com.github.javaparser.ast.comments.Comment;"
     "\nimport java.util.List;\n\n/**\n * Assigns comments.\n */\npublic class X {\n",
     (1, 7), True),
    ("using System;\nusing System.Linq;\n// the parser\nusing Foo.Parsing;\n", (1, 4), True),
    ("const http = require('http');\nconst url = require('url');\n", (1, 2), True),
    # a module's own doc: prose, not imports
    ('"""Proxy settings: where the client finds a proxy for a host."""\n\nimport os\n',
     (1, 3), False),
    ("// Package proxy finds the proxy\n// for a host.\npackage proxy\n", (1, 3), False),
    ("import os\n\ndef find_proxy(host):\n    return os.environ.get(host)\n", (1, 4), False),
    ("import os\n", (3, 4), False),  # past the end: nothing there
])
def test_lines_that_are_a_files_imports_are_told_from_its_code_and_docs(text, lines, imports):
    assert rescoring._imports(text, lines) is imports


def test_a_holder_of_settings_gives_way_unless_settings_are_asked_for(db):
    # httpcomponents' CacheConfig came first for "where are concurrent cache misses
    # coalesced": its getters' doc comments say what CacheRequestCollapser does
    def text(name: str) -> str:
        return (f"/** Concurrent cache misses for one key are coalesced. */\n"
                f"public class {name} {{\n  void coalesce(String key) {{}}\n}}\n")
    files = {}
    for name in ("CacheConfig", "CacheGate"):
        _add(db, f"src/cache/{name}.java", "concurrent cache misses coalesced key",
             overview="Concurrent cache misses for one key are coalesced.")
        files[f"src/cache/{name}.java"] = text(name)
    # the same words, the same scores: without the rule the path decides (Config first)
    assert _paths(db, "where are concurrent cache misses coalesced", read=files.get)[:2] == [
        "src/cache/CacheGate.java", "src/cache/CacheConfig.java"]


@pytest.mark.parametrize(("path", "asked", "holder"), [
    ("src/cache/CacheConfig.java", False, True),
    ("src/cache/CacheConfig.java", True, False),   # "which option turns it on"
    ("lib/HikariConfigMXBean.java", False, True),
    ("app/settings.py", False, True),
    ("src/RetryOptions.cs", False, True),
    ("src/cache/CacheRequestCollapser.java", False, False),
    ("src/config/loader.go", False, False),        # the folder is not the file
])
def test_which_files_hold_settings(path, asked, holder):
    from codequery import proximity

    found = rescoring.features({"path": path, "kind": "source", "line_count": 10},
                               proximity.Meeting(0.0, None), 0.0, 0, False, asked)
    assert ("holder" in found) is holder


def test_a_question_asks_for_settings_by_its_words():
    def asked(question: str) -> bool:
        return rescoring.asks_for_settings(search_text.query_terms(question))
    assert asked("which option turns on compression")
    assert asked("where are the configured timeouts read")
    assert not asked("where are concurrent cache misses coalesced")


def test_a_file_that_writes_the_questions_words_as_one_name_comes_first(db):
    # both hold every word in a few lines; one names the thing asked for as one name
    files = {"src/a_apart.java": "class Breaker {\n  // a circuit opens after failures\n"
                                 "  void trip() {}\n}\n",
             "src/b_joined.java": "class CircuitBreaker {\n  // opens after failures\n"
                                  "  void trip() {}\n}\n"}
    for path in files:
        _add(db, path, "circuit breaker failures opens trip", overview="Trips on failures.")
    question = "when does the circuit breaker open after failures"
    assert _paths(db, question, read=files.get)[:2] == ["src/b_joined.java", "src/a_apart.java"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rescoring, "WEIGHTS", dict(rescoring.WEIGHTS, joined=0.0))
        assert _paths(db, question, read=files.get)[:2] == [
            "src/a_apart.java", "src/b_joined.java"]
