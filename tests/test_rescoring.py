"""The best candidates scored again on what reading them shows (codequery.rescoring): in
process, with a real SQLite index and the files' texts."""

import json

import pytest

from codequery import rescoring, search_text, store
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
    assert len(found) == 10


def test_scores_stay_in_their_order_when_the_files_read_score_lower(db, monkeypatch):
    for i in range(8):
        _add(db, f"src/m{i:02d}.py", "parse token", overview="Parse a token.")
    monkeypatch.setattr(rescoring, "CHECKED", 3)
    long = "parse token\n" + "pass\n" * 5000  # read and long, so scored lower
    found = db.search("parse token", read=lambda path: long)
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)
    assert sorted(r["path"] for r in found[:3]) == sorted(_paths(db, "parse token")[:3])


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
    assert _paths(db, question, tests=True)[0] == "test/retry.test.ts"
    assert _paths(db, question, read=files.get)[0] == "src/send.ts"
    # asked for tests, the test is not held back for being one
    assert _paths(db, question, tests=True, read=files.get)[0] == "test/retry.test.ts"


def test_lines_that_use_the_words_count_for_more_than_a_list_that_names_them(db):
    for name in ("imports", "worker"):
        _add(db, f"src/{name}.py", "queue retry job", overview="Job things.")
    for i in range(8):
        _add(db, f"src/other{i}.py", "render layout", overview="Renders a layout.")
    listed = "from jobs import queue, retry, job\n" + "x = 1\n" * 14
    used = ("def run(queue):\n    job = queue.pop()\n    retry(job)\n    queue.push(job)\n"
            "    retry(queue)\n" + "x = 1\n" * 10)
    files = {"src/imports.py": listed, "src/worker.py": used}
    assert _paths(db, "how is a job retried from the queue", read=files.get)[0] == \
        "src/worker.py"
    files = {"src/imports.py": used, "src/worker.py": listed}
    assert _paths(db, "how is a job retried from the queue", read=files.get)[0] == \
        "src/imports.py"


def test_one_function_named_by_the_question_counts():
    terms = search_text.query_terms("where is the retry delay computed")
    doc = json.dumps({"functions": [{"name": "computeRetryDelay"}, {"name": "send"}]})
    assert rescoring._named_by_one(doc, terms) == 1.0
    spread = json.dumps({"functions": [{"name": "retryOnce"}, {"name": "delayFor"}]})
    assert rescoring._named_by_one(spread, terms) == pytest.approx(1 / 3)
    assert rescoring._named_by_one(None, terms) == 0.0
    methods = json.dumps({"classes": [{"name": "Backoff",
                                       "methods": [{"name": "retry_delay"}]}]})
    assert rescoring._named_by_one(methods, terms) == pytest.approx(2 / 3)
