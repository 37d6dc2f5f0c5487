"""A new index in a linked work tree starts with the records of the repository's other
work trees (real git work trees, real SQLite, in process)."""

from codequery import sibling_index
from codequery.workspace import Workspace
from tests.helpers import cli_run, commit_all, git


def _work_tree(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("CODEQUERY_SKIP", "1")  # no hook: this test opens the index
    assert cli_run(repo, "init").exit_code == 0
    commit_all(repo, "settings")
    git(repo, "worktree", "add", "-q", str(tmp_path / "other"))
    return tmp_path / "other"


def test_a_new_index_holds_the_records_the_main_work_tree_keeps(initialized_repo, tmp_path,
                                                                monkeypatch):
    other = _work_tree(initialized_repo, tmp_path, monkeypatch)
    assert sibling_index.other_indexes(other) == [
        initialized_repo / ".code-query" / "code_data.db"]
    kept = Workspace(initialized_repo).store.conn.execute(
        "SELECT count(*) FROM documents").fetchone()[0]
    conn = Workspace(other).connect()
    assert kept and conn.execute("SELECT count(*) FROM documents").fetchone()[0] == kept
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0  # not pointed yet


def test_an_index_it_cannot_read_is_passed_over(initialized_repo, tmp_path, monkeypatch):
    other = _work_tree(initialized_repo, tmp_path, monkeypatch)
    (initialized_repo / ".code-query" / "code_data.db").write_bytes(b"not a database" * 100)
    for name in ("code_data.db-wal", "code_data.db-shm"):
        (initialized_repo / ".code-query" / name).unlink(missing_ok=True)
    conn = Workspace(other).connect()  # made all the same, empty
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
