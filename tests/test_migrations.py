import sqlite3

from codequery import migrations, store


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(t, n, " ".join((s or "").split())) for t, n, s in rows]


def test_upgrading_from_the_first_migration_matches_a_fresh_database(tmp_path):
    old = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    assert migrations.migrate(old, target=1) == 1
    old.execute(
        "INSERT INTO records (dataset, path, language, doc, symbols, size, line_count, "
        "content_sha, documenter, documented_at) VALUES ('d', 'a.py', 'python', '{}', "
        "'legacy_symbol', 1, 1, 'x', 'builtin', 'now')"
    )
    assert migrations.migrate(old) == migrations.LATEST

    fresh = sqlite3.connect(tmp_path / "fresh.db", isolation_level=None)
    migrations.migrate(fresh)
    assert _schema(old) == _schema(fresh)
    versions = [r[0] for r in old.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == [number for number, _, _ in migrations.MIGRATIONS]
    # rows written before the index existed are searchable after the upgrade
    old.row_factory = sqlite3.Row
    assert store.Store(old, "d").search("legacy_symbol")[0]["path"] == "a.py"


def test_records_from_before_content_keys_stay_reusable(tmp_path):
    import json

    from codequery.content_key import Identity

    conn = sqlite3.connect(tmp_path / "v4.db", isolation_level=None)
    migrations.migrate(conn, target=4)
    conn.execute(
        "INSERT INTO records (dataset, path, language, overview, doc, size, line_count, "
        "content_sha, documenter, model, documented_at, cost_usd) VALUES ('d', 'a.py', "
        "'python', 'Old words.', '{\"functions\": [{\"name\": \"old_fn\"}]}', 9, 2, "
        "'abc', 'claude', 'm1', 'then', 0.5)")
    migrations.migrate(conn)
    legacy = Identity("claude", "m1", "p123").legacy("abc", "python")
    assert conn.execute("SELECT doc_key FROM records").fetchone()[0] == legacy
    conn.row_factory = sqlite3.Row
    kept = store.Store(conn, "d")
    assert kept.point("b.py", legacy)  # a copy elsewhere reuses it: no documenter call
    record = kept.get("b.py")
    assert (record["overview"], record["functions"][0]["name"], record["cost_usd"],
            record["model"]) == ("Old words.", "old_fn", 0.5, "m1")
    assert json.loads(conn.execute("SELECT record FROM documents").fetchone()[0])["size"] == 9


def test_migrating_twice_is_a_no_op(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrations.migrate(conn)
    before = _schema(conn)
    assert migrations.migrate(conn) == migrations.LATEST
    assert _schema(conn) == before


def test_connect_uses_wal_and_a_busy_timeout(tmp_path):
    conn = store.connect(tmp_path / "data.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_two_processes_adding_the_same_columns_both_end_at_the_latest(tmp_path):
    # both read version 11; the second's ALTER TABLE met the first's columns and failed
    # with "duplicate column name", which made its database unusable
    first = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    second = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrations.migrate(first, target=11)
    assert migrations.current_version(second) == 11
    migrations.migrate(first)  # the other process got there first
    number, name, sql = migrations.MIGRATIONS[11]
    assert "ADD COLUMN" in sql
    migrations._apply(second, number, name, sql)  # as migrate did, having read 11
    assert migrations.current_version(second) == migrations.LATEST
