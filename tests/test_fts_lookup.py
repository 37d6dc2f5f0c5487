"""Rows found through the full-text index: a repository's index answers alone, an index
of several datasets counts only the dataset's own matches."""

from codequery import fts_lookup, store
from tests.test_store import _put, _record


def _paths(db: store.Store, matches: int | None) -> list[str]:
    return [path for (path,) in fts_lookup.lookup(
        db.conn, db.dataset, "path_words", "client", "r.path", 50,
        "AND r.path LIKE ?", ("%.py",), matches=matches)]


def test_a_repositorys_index_counts_its_first_matches(tmp_path):
    db = store.Store(store.connect(tmp_path / "data.db"), "mine")
    for i in range(3):
        _put(db, _record(f"src/client{i}.go"))
    _put(db, _record("src/client.py"))
    assert fts_lookup.holds_only(db.conn, "mine")
    assert not fts_lookup.holds_only(db.conn, "other")
    # the fourth match is not among the first three; with all four it is
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    assert _paths(db, 3) == []
    db.conn.set_trace_callback(None)
    assert statements and not any("CROSS JOIN records d" in sql for sql in statements)
    assert _paths(db, 4) == _paths(db, None) == ["src/client.py"]
    _put(db, _record("lib/client.py"))
    assert [path for (path,) in fts_lookup.lookup(  # at most `limit` of what passes
        db.conn, "mine", "path_words", "client", "r.path", 1, "AND r.path LIKE ?",
        ("%.py",), matches=10)] == ["src/client.py"]


def test_another_datasets_matches_are_not_counted(tmp_path):
    conn = store.connect(tmp_path / "data.db")
    other, db = store.Store(conn, "other"), store.Store(conn, "mine")
    for i in range(5):  # first in the index
        _put(other, _record(f"lib/client{i}.py"))
    _put(db, _record("src/client.py"))
    assert not fts_lookup.holds_only(conn, "mine")
    assert _paths(db, 1) == ["src/client.py"]
    assert [path for (path,) in fts_lookup.lookup(
        conn, "other", "path_words", "client", "r.path", 50, matches=2)] == [
        "lib/client0.py", "lib/client1.py"]


def test_an_empty_index_holds_no_dataset(tmp_path):
    db = store.Store(store.connect(tmp_path / "data.db"), "mine")
    assert not fts_lookup.holds_only(db.conn, "mine")
