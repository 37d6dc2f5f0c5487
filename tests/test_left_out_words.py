"""The common words a large index leaves out of its ranking, scored after all: against
SQLite's own bm25 on a real FTS5 index, and through Store.search."""

import random
import re

import pytest

from codequery import left_out_words, search_text, store
from tests.test_search_ranking import _add, _paths


@pytest.fixture
def db(tmp_path):
    return store.Store(store.connect(tmp_path / "data.db"), "demo")


def _fts5_scores(db: store.Store, term: search_text.Term) -> dict[int, float]:
    """SQLite's score for one term, the two ways Store._described_and_used adds it."""
    return db._described_and_used(term.expression(), False, 100)


@pytest.mark.parametrize("word", ["retry", "handler"])
def test_a_word_scores_as_sqlite_bm25_scores_it(db, word):
    """Where a word's rows are the same counted over every column and over each column set
    (here: it is in each file's words used), the scores are SQLite's to the last digit."""
    _add(db, "src/retry.py", "retry retry retry handler value",
         functions=[{"name": "retry_later", "summary": "Retry the handler later."}])
    _add(db, "src/handler.py", "handler " * 12 + "value other words here")
    _add(db, "src/value.py", "value")
    _add(db, "src/other.py", "other words entirely")
    term = search_text.Term(word)
    rows = db.count()
    matching = db.conn.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?",
                               (term.expression(),)).fetchone()[0]
    expected = _fts5_scores(db, term)
    ids = [row_id for (row_id,) in db.conn.execute("SELECT id FROM records")]
    got = left_out_words.scores(db.conn, ids, [(term, matching)], rows)
    assert expected and set(got) == set(ids)
    for row_id in ids:
        assert got[row_id] == pytest.approx(expected.get(row_id, 0.0), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("word", ["retry", "handler"])
def test_a_word_beside_letters_beyond_ascii_scores_as_sqlite_bm25_scores_it(db, word):
    """Texts with a letter beyond ASCII are searched apart from the others (see
    left_out_words._joined), put in lower case one by one: `İ` becomes two characters
    there, which moves every match after it. The word in capitals after it, and a row
    whose every match is in such a text, score as SQLite scores them."""
    _add(db, "src/retry.py", "İİ Straße RETRY retry handler value",
         functions=[{"name": "retry_later", "summary": "İ Retry the HANDLER later."}])
    _add(db, "src/ärger.py", "Ärger HANDLER handler retry other",
         functions=[{"name": "ärger", "summary": "İİİ Ärger über den Handler, RETRY"}])
    _add(db, "src/handler.py", "handler " * 12 + "value other words here",
         functions=[{"name": "on_event", "summary": "The handler."}])
    for name in ("other", "more", "else", "one", "two", "three", "four", "five"):
        _add(db, f"src/{name}.py", f"{name} words entirely")
    term = search_text.Term(word)
    matching = db.conn.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?",
                               (term.expression(),)).fetchone()[0]
    expected = _fts5_scores(db, term)
    ids = [row_id for (row_id,) in db.conn.execute("SELECT id FROM records")]
    got = left_out_words.scores(db.conn, ids, [(term, matching)], db.count())
    assert expected and set(got) == set(ids)
    for row_id in ids:
        assert got[row_id] == pytest.approx(expected.get(row_id, 0.0), rel=1e-9, abs=1e-9)


def test_word_forms_compound_names_and_prefixes_are_found():
    found = left_out_words.found
    assert found(search_text.Term("parses"), "parse parsed x_parser parsing sparse") == [
        "parse", "parsed", "parser", "parsing"]
    compound = search_text.query_terms("sendFile")[0]
    assert found(compound, "send file | sendfile") == ["send file", "sendfile"]
    assert found(search_text.Term("colours"), "color colours colored dolor") == [
        "color", "colours", "colored"]
    # a prefix as the search asks for it: `config*` is looked up as `conf*`
    assert found(search_text.Term("config", prefix=True), "configure reconf conf") == [
        "configure", "conf"]
    # a synonym that starts differently: each is looked for by its own start
    assert sorted(found(search_text.Term("failed"), "fail error failing errors")) == [
        "error", "errors", "fail", "failing"]


def _scored_as_alone(db, term, matching):
    """Every row's ids in order and the term's scores over all of them, checked to be
    what each row scores searched alone."""
    ids = [row_id for (row_id,) in db.conn.execute("SELECT id FROM records ORDER BY id")]
    got = left_out_words.scores(db.conn, ids, [(term, matching)], db.count())
    alone = {row_id: left_out_words.scores(db.conn, [row_id], [(term, matching)], db.count())
             for row_id in ids}
    assert got == {row_id: alone[row_id][row_id] for row_id in ids}
    return ids, got


def test_a_word_is_counted_in_each_column_and_never_across_two(db):
    """The texts of every row are searched together: a compound's parts at the end of one
    column and the start of the next are not the name, and each match counts for the row
    and column it is in."""
    _add(db, "bin/send", "unrelated words then send",
         functions=[{"name": "file_cleanup", "summary": "Tidy up."}])
    _add(db, "src/sendfile.py", "send file here sendfile",
         functions=[{"name": "send_file", "summary": "Send a file."}])
    _add(db, "src/other.py", "other words entirely")
    texts = {row_id: [t or "" for t in row] for row_id, *row in db.conn.execute(
        "SELECT id, path_words, symbols, overview_words, docstrings, terms FROM records")}
    compound = search_text.query_terms("sendFile")[0]
    ids, got = _scored_as_alone(db, compound, 1)
    send, sendfile, other = ids
    assert got[other] == 0.0 and got[sendfile] < 0.0
    # bin/send's path ends in "send" and its symbols go on with "file_cleanup": not the name
    assert not any(left_out_words.found(compound, text.lower()) for text in texts[send])
    assert got[send] == 0.0


def test_ascii_and_other_texts_are_searched_apart_and_count_alike(db):
    """The ASCII texts are searched apart from the others, and put in lower case once
    joined (see left_out_words._joined): a word in capitals, beside a letter beyond ASCII
    or not, in the described columns or in the words used, counts as it does searched one
    row at a time."""
    _add(db, "src/Retry.py", "retry RETRY handler",
         functions=[{"name": "RetryPolicy", "summary": "Retry ÄRGER later."}])
    _add(db, "src/ärger_retry.py", "ärger retry retry",
         functions=[{"name": "retry_all", "summary": "RETRY all."}])
    _add(db, "src/plain.py", "nothing to see")
    ids, got = _scored_as_alone(db, search_text.Term("retry"), 2)
    first, second, plain = ids
    assert got[first] < 0.0 and got[second] < 0.0 and got[plain] == 0.0


def test_varints_read_as_sqlite_writes_them():
    assert left_out_words.varints(bytes([0x05, 0x00, 0x81, 0x50, 0x86, 0x8B, 0x68])) == [
        5, 0, 208, (6 << 14) | (11 << 7) | 0x68]


def test_a_large_index_still_weighs_the_common_words_it_leaves_out(db, monkeypatch):
    monkeypatch.setattr(store, "RANK_BUDGET", 12)
    monkeypatch.setattr(store, "FULL_RANKING_ROWS", 12)
    _add(db, "src/target.py", "retry value handler cache")
    _add(db, "src/decoy.py", "retry value handler")
    for word, times in (("retry", 2), ("value", 2), ("handler", 2), ("cache", 3)):
        for i in range(times):
            _add(db, f"src/{word}{i}.py", word)
    for i in range(2):
        _add(db, f"src/other{i}.py", "other")
    # 16 matches over 13 rows: "cache" is left out of the ranking; by the other words
    # alone, the shorter decoy would come first
    left_out = db._affordable(search_text.query_terms("retry value handler cache"))[2]
    assert [term.word for term, _ in left_out] == ["cache"]
    assert _paths(db, "retry value handler cache")[0] == "src/target.py"


def test_only_the_rarest_words_left_out_are_scored_after_all(db, monkeypatch):
    monkeypatch.setattr(store, "RANK_BUDGET", 4)
    monkeypatch.setattr(store, "FULL_RANKING_ROWS", 4)
    monkeypatch.setattr(store, "LEFT_OUT_SCORED", 2)
    words = ("retry", "value", "handler", "cache", "client")  # in 2 to 6 rows each
    for i in range(6):
        _add(db, f"src/m{i}.py", " ".join(w for n, w in enumerate(words, 2) if i < n))
    for i in range(8):
        _add(db, f"src/other{i}.py", "other")
    kept, _, left_out, _ = db._affordable(search_text.query_terms(" ".join(words)))
    assert [t.word for t in kept] == ["retry"]
    # left out: client (6 rows), cache (5), handler (4), value (3); the two rarest stay
    assert [(t.word, n) for t, n in left_out] == [("handler", 4), ("value", 3)]


def _spelled_out(term: search_text.Term) -> re.Pattern[str]:
    """`pattern` as its docstring says it: each form at a word's start, in turn."""
    if term.prefix:
        return re.compile(rf"(?<![a-z0-9]){re.escape(term.word[:max(3, len(term.word) - 2)])}"
                          "[a-z0-9]*")
    alternatives = sorted(map(re.escape, search_text.asked_forms(term.word)), key=len,
                          reverse=True)
    if term.parts:
        alternatives.append(r"[^a-z0-9]+".join(map(re.escape, term.parts)))
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(alternatives)})(?![a-z0-9])")


@pytest.mark.parametrize("asked", ["parses", "sendFile", "colours", "sent", "went", "flags",
                                   "config*", "c++", "data_data", "aborted", "failed",
                                   "serializeFailed", "x_axis", "e_tag"])
def test_a_term_is_found_where_each_of_its_forms_is_found(asked):
    """Each pattern leads with what the term's forms that start alike share, to be looked
    for as a string is: together they must find exactly what testing each form at every
    word's start finds."""
    term = search_text.query_terms(asked)[0]
    rng = random.Random(asked)
    words = [*search_text.asked_forms(term.word), *term.parts, term.word[:3], "x", "9",
             "re" + term.word, term.word + "9", "go", "cancel", "colour"]
    gaps = [" ", "_", "-", "", ".", "\n", "é", "::"]
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice(gaps) for _ in range(rng.randint(1, 12)))
        assert (sorted(left_out_words.found(term, text))
                == sorted(_spelled_out(term).findall(text))), text



def test_a_match_after_letters_that_lengthen_in_lower_case_stays_in_its_own_column(db):
    """`İ` is two characters in lower case: a text's matches after many of them lie past
    where the next text would start were it measured before it was put in lower case.
    The word in the symbols (weight 8) must not count as in the overview after it
    (weight 3): the score is SQLite's (the word in the same rows' described columns and
    words used, where one rarity stands for both, see left_out_words)."""
    _add(db, "src/a.py", "retry", overview="Ärger über alles.",
         functions=[{"name": "İ" * 30}, {"name": "retry"}])
    _add(db, "src/one.py", "retry words", functions=[{"name": "retry"}])
    for name in ("other", "more", "else", "two", "three"):
        _add(db, f"src/{name}.py", f"{name} words entirely")
    row = db.conn.execute("SELECT id, symbols, overview_words FROM records "
                          "WHERE path = 'src/a.py'").fetchone()
    assert row[1].index("retry") > len(row[1].replace("İ", "I")) - len("retry") - 1
    assert not row[1].isascii() and not row[2].isascii()
    term = search_text.Term("retry")
    matching = db.conn.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?",
                               (term.expression(),)).fetchone()[0]
    expected = _fts5_scores(db, term)
    got = left_out_words.scores(db.conn, [row[0]], [(term, matching)], db.count())
    assert got[row[0]] == pytest.approx(expected[row[0]], rel=1e-9, abs=1e-9)
