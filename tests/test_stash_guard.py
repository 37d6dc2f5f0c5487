"""While the newest stash holds the index (`git stash --all` takes the ignored
.code-query/ along), nothing makes a file in its place, so that `git stash pop` can put it
back; a linked work tree made after that stash starts an index of its own. Real git, real
SQLite, the worker's entry point in a process of its own."""

import os
import subprocess
import sys

import pytest

from codequery import doctor, worker_control
from codequery.all_worker import AllWorker
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from codequery.store import SharedConnection
from codequery.workspace import Workspace
from tests.helpers import commit_all, git


@pytest.fixture
def stashed(initialized_repo, monkeypatch):
    monkeypatch.setenv("CODEQUERY_SKIP", "1")  # the hooks stay out of it
    commit_all(initialized_repo, "share the settings")
    git(initialized_repo, "stash", "-q", "--all")
    return initialized_repo


def _left(repo) -> list[str]:
    """What the stash left in the folder: its tracked files and the wake-up fifo."""
    return sorted(os.listdir(repo / ".code-query"))


def test_nothing_is_made_in_the_stashed_index_s_place(stashed):
    left = _left(stashed)
    assert "code_data.db" not in left
    with pytest.raises(CodeQueryError, match="`git stash pop` puts it back"):
        Workspace(stashed).connect()
    worker_control.requeue_jobs_of(RepoPaths(stashed))  # `worker stop --all`
    with pytest.raises(CodeQueryError, match="no index at"):  # the breaker's, /metrics'
        SharedConnection(RepoPaths(stashed).data_db).get()
    with pytest.raises(CodeQueryError, match="in the newest stash"):
        AllWorker()._serve(stashed)  # a worker of all repositories, scanning
    worker = subprocess.run([sys.executable, "-m", "codequery.worker"], cwd=stashed,
                            capture_output=True, text=True, timeout=60)
    assert worker.returncode == 1 and "in the newest stash" in worker.stderr
    [database] = [c for c in doctor.diagnose(stashed) if c.name == "database"]
    assert "in the newest stash" in database.detail and database.fix == "git stash pop"
    assert _left(stashed) == left
    git(stashed, "stash", "pop", "-q")  # nothing stands in its way
    assert Workspace(stashed).store.count() > 0


def test_a_work_tree_made_after_the_stash_starts_its_own_index(stashed, tmp_path):
    git(stashed, "worktree", "add", "-q", str(tmp_path / "later"))
    conn = Workspace(tmp_path / "later").connect()  # not blocked: its index is new
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0


def test_a_stash_is_told_by_the_work_tree_it_was_taken_in(initialized_repo, tmp_path,
                                                          monkeypatch):
    # the stash is the repository's: one taken in the main work tree had blocked a work
    # tree made before it (whose pop would pour the main tree's files into it), and one
    # taken in a linked work tree within the second it was made was let through
    monkeypatch.setenv("CODEQUERY_SKIP", "1")
    commit_all(initialized_repo, "share the settings")
    git(initialized_repo, "worktree", "add", "-q", str(tmp_path / "before"))
    git(initialized_repo, "stash", "-q", "--all")  # in the main work tree
    Workspace(tmp_path / "before").connect()  # made before it: its own index
    git(initialized_repo, "stash", "pop", "-q")
    git(tmp_path / "before", "stash", "-q", "--all")  # now in the linked one
    with pytest.raises(CodeQueryError, match="in the newest stash"):
        Workspace(tmp_path / "before").connect()
    Workspace(initialized_repo).connect()  # the main one kept its index: as it was
