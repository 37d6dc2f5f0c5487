"""A full disk under `.code-query/`: commits stand, and once space is back every file is
indexed with no manual step. Needs a small tmpfs, so root (CI runs as root)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time

import pytest

from codequery import worker_control
from codequery.paths import RepoPaths
from tests.helpers import cli_json, cli_run, git, make_repo, run_installed, wait_for
from tests.helpers import write as write_files

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/proc/mounts"),
                       reason="mounting a small tmpfs needs root on Linux"),
]


@pytest.fixture
def small_disk(tmp_path):
    """The repository on the normal disk; its `.code-query/` on an 8 MiB tmpfs."""
    repo = make_repo(tmp_path / "repo", {"app/first.py": "def first_function():\n    pass\n"})
    state = repo / ".code-query"
    state.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(state)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield repo
    finally:
        with contextlib.suppress(Exception):
            worker_control.stop(RepoPaths(repo), timeout=5)
        subprocess.run(["umount", "-l", str(state)], capture_output=True)


def _fill(path) -> None:
    """Write until the file system is full."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 65536)
    finally:
        os.close(fd)


def _found(repo, name: str) -> bool:
    return any(r["path"] for r in cli_json(repo, "search", name))


def test_with_a_worker_commits_stand_and_the_index_catches_up(small_disk):
    repo = small_disk
    assert cli_run(repo, "init").exit_code == 0
    assert run_installed(repo, "worker", "start").returncode == 0
    filler = repo / ".code-query" / "filler"
    _fill(filler)
    for i in range(5):
        write_files(repo, {f"app/m{i}.py": f"def written_while_full_{i}():\n    pass\n"})
        git(repo, "add", "-A")
        done = subprocess.run(["git", "commit", "-q", "-m", f"full {i}"], cwd=repo,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr  # the commit stands
    time.sleep(1.5)  # the worker was woken and tried
    assert not any(_found(repo, f"written_while_full_{i}") for i in range(5))
    filler.unlink()
    wait_for(lambda: all(_found(repo, f"written_while_full_{i}") for i in range(5)),
             timeout=30, interval=0.2)
    assert cli_json(repo, "status")["index"]["missing"] == 0


def test_without_a_worker_the_hook_says_so_and_the_next_start_catches_up(small_disk):
    repo = small_disk
    assert cli_run(repo, "init").exit_code == 0
    filler = repo / ".code-query" / "filler"
    _fill(filler)
    write_files(repo, {"app/late.py": "def written_with_no_space():\n    pass\n"})
    git(repo, "add", "-A")
    done = subprocess.run(["git", "commit", "-q", "-m", "full"], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 0 and "documentation not updated" in done.stderr, done.stderr
    filler.unlink()
    assert not _found(repo, "written_with_no_space")
    assert run_installed(repo, "worker", "start").returncode == 0
    wait_for(lambda: _found(repo, "written_with_no_space"), timeout=30, interval=0.2)


def test_deriving_search_columns_on_a_full_disk_says_so_and_loses_nothing(small_disk,
                                                                          monkeypatch):
    # a new SEARCH_VERSION derives every row again when the index opens: on a full disk
    # that failed as "move it aside and rebuild it", advice that would lose the index
    from codequery import store

    repo = small_disk
    assert cli_run(repo, "init").exit_code == 0
    write_files(repo, {f"app/m{i}.py": f"def module_function_{i}():\n    pass\n" * 40
                       for i in range(60)})
    git(repo, "add", "-A")
    git(repo, "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "more")
    assert cli_run(repo, "document").exit_code == 0
    conn = store.connect(repo / ".code-query" / "code_data.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no room kept in the log
    conn.close()
    filler = repo / ".code-query" / "filler"
    _fill(filler)
    monkeypatch.setattr(store, "SEARCH_VERSION", store.SEARCH_VERSION + 1)
    derive = store._search_columns

    def derived_otherwise(*args):  # as a new version would: every row's words change
        cols = derive(*args)
        return {**cols, "terms": cols["terms"] + " newly derived words" * 200}

    monkeypatch.setattr(store, "_search_columns", derived_otherwise)
    with pytest.raises(Exception) as failed:
        store.connect(repo / ".code-query" / "code_data.db")
    message = str(failed.value)
    assert "the disk is full" in message and "move it aside" not in message
    filler.unlink()
    monkeypatch.setattr(store, "_search_columns", derive)
    store.connect(repo / ".code-query" / "code_data.db").close()  # space back: it opens
    assert _found(repo, "module_function_59")


def test_a_command_on_a_full_disk_says_so_and_not_to_rebuild_the_index(small_disk):
    # nothing has the database open: opening it makes its shared-memory file, which fails
    # as "disk I/O error" on a full disk; that had been told to move the index aside
    repo = small_disk
    assert run_installed(repo, "init").returncode == 0  # its own process: closed after
    assert not (repo / ".code-query" / "code_data.db-shm").exists()
    filler = repo / ".code-query" / "filler"
    _fill(filler)
    try:
        for args in (("search", "first_function"), ("status",)):
            said = run_installed(repo, *args)
            assert said.returncode == 1, said
            assert "the disk is full" in said.stderr, said.stderr
            assert "move it aside" not in said.stderr and "bug" not in said.stderr
    finally:
        filler.unlink()
    assert _found(repo, "first_function")  # space back: nothing was lost


def test_status_says_a_backlog_waits_for_room_and_promises_nothing(small_disk):
    # with the disk full, status said "done in about 0.3s" of jobs no one could write
    repo = small_disk
    assert cli_run(repo, "init", "--no-hooks").exit_code == 0
    assert cli_run(repo, "document", "--queue", "--force").exit_code == 0
    assert cli_json(repo, "status")["queue"]["waiting_for"] == "worker"
    _fill(repo / ".code-query" / "filler")
    queue = cli_json(repo, "status")["queue"]
    assert queue["pending"] >= 1
    assert queue["waiting_for"] == "disk" and queue["eta_s"] is None
    said = cli_run(repo, "status").stdout
    assert "the disk holding the index is full" in said
    (repo / ".code-query" / "filler").unlink()
    assert cli_json(repo, "status")["queue"]["waiting_for"] == "worker"
