"""The index follows what git checks out, with a real worker running: after any git
operation, within seconds, every function in the checked-out files is found and not
stale, and nothing of another branch is returned. No hook has to have run for it."""

from __future__ import annotations

import contextlib
import json
import sys

import pytest

from codequery import worker_control
from codequery.paths import RepoPaths
from tests.helpers import (
    FAKE_LLM,
    TimedOut,
    cli_json,
    cli_run,
    commit_all,
    configure,
    git,
    logged_calls,
    make_repo,
    run_installed,
    wait_for,
    write,
)

pytestmark = pytest.mark.slow

MAIN = {
    "app/alpha.py": "def alpha_main():\n    \"\"\"Only on main.\"\"\"\n",
    "app/shared.py": "def shared_first():\n    \"\"\"The first version.\"\"\"\n",
    "docs/guide.md": "# Guide\n\nHow to use it.\n",
}
FEATURE = {
    "app/beta.py": "def beta_feature():\n    \"\"\"Only on feature.\"\"\"\n",
    "app/shared.py": "def shared_second():\n    \"\"\"The second version.\"\"\"\n",
}


@pytest.fixture
def live(tmp_path):
    """A repository on main with branch `feature` (alpha.py gone, beta.py new, shared.py
    changed), the hooks installed and a worker running."""
    repo = make_repo(tmp_path / "repo", MAIN)
    assert cli_run(repo, "init").exit_code == 0
    commit_all(repo, "settings")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "rm", "-q", "app/alpha.py")
    write(repo, FEATURE)
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    done = run_installed(repo, "worker", "start")
    assert done.returncode == 0, done.stderr
    yield repo
    with contextlib.suppress(Exception):
        worker_control.stop(RepoPaths(repo), timeout=5)


def _found(repo, name: str) -> list[dict]:
    return [r for r in cli_json(repo, "search", name) if name in r["snippet"].replace("*", "")]


def converged(repo, present: list[str], absent: list[str], timeout: float = 20.0) -> None:
    """Within `timeout`: each name in `present` is found, in a record that is not stale;
    none in `absent` is found at all. (Generous: on a loaded 2-CPU machine a reset took
    just over 5 s to show; a check that holds returns at once.)"""
    def check() -> bool:
        for name in present:
            hits = _found(repo, name)
            if not hits or any(hit["stale"] for hit in hits):
                return False
        return not any(_found(repo, name) for name in absent)

    try:
        wait_for(check, timeout=timeout, interval=0.1)
    except TimedOut:
        state = {name: _found(repo, name) for name in present + absent}
        raise AssertionError(f"not converged within {timeout}s: {json.dumps(state)}\n"
                             f"{_worker_story(repo)}") from None


def drained(repo, timeout: float = 20.0) -> None:
    """Within `timeout`: no job pending or processing (a search can find one file while
    another is still being documented)."""
    def idle() -> bool:
        queue = cli_json(repo, "status")["queue"]
        return queue["pending"] == 0 and queue["processing"] == 0

    try:
        wait_for(idle, timeout=timeout, interval=0.1)
    except TimedOut:
        raise AssertionError(f"jobs still queued after {timeout}s\n{_worker_story(repo)}"
                             ) from None


def _worker_story(repo) -> str:
    """What the worker did (its log's last lines, the last reconcile): a failure here
    says why, not only that the index had not followed."""
    log = repo / ".code-query" / "logs" / "worker.log"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:] if (
        log.exists()) else ["(no worker log)"]
    status = cli_run(repo, "status", "--json")
    return "worker log, last lines:\n" + "\n".join(lines) + f"\nstatus: {status.output}"


def test_checkout_of_another_branch_and_back(live):
    converged(live, ["alpha_main", "shared_first"], ["beta_feature", "shared_second"])
    git(live, "checkout", "-q", "feature")
    converged(live, ["beta_feature", "shared_second"], ["alpha_main", "shared_first"])
    git(live, "checkout", "-q", "main")
    converged(live, ["alpha_main", "shared_first"], ["beta_feature", "shared_second"])


def test_reset_hard(live):
    write(live, {"app/later.py": "def later_work():\n    pass\n"})
    commit_all(live, "later")
    converged(live, ["later_work"], [])
    git(live, "reset", "-q", "--hard", "HEAD~1")
    converged(live, ["alpha_main"], ["later_work"])


def test_stash_and_stash_pop(live):
    write(live, {"app/shared.py": "def shared_stashed():\n    pass\n"})
    git(live, "add", "app/shared.py")  # staged: git's index holds it
    converged(live, ["shared_stashed"], ["shared_first"])
    git(live, "stash", "-q")
    converged(live, ["shared_first"], ["shared_stashed"])
    git(live, "stash", "pop", "-q", "--index")
    converged(live, ["shared_stashed"], ["shared_first"])


def test_checkout_of_a_file_undoes_a_staged_change(live):
    write(live, {"app/shared.py": "def shared_staged():\n    pass\n"})
    git(live, "add", "app/shared.py")
    converged(live, ["shared_staged"], ["shared_first"])
    git(live, "checkout", "HEAD", "--", "app/shared.py")
    converged(live, ["shared_first"], ["shared_staged"])


def test_checkout_of_a_file_undoes_an_edit_documented_on_request(live):
    write(live, {"app/shared.py": "def shared_edited():\n    pass\n"})
    assert cli_run(live, "document", "app/shared.py").exit_code == 0
    converged(live, ["shared_edited"], ["shared_first"])
    git(live, "checkout", "--", "app/shared.py")  # HEAD and the index file may stay as they are
    converged(live, ["shared_first"], ["shared_edited"])


def test_rebase(live):
    write(live, {"app/main_more.py": "def main_more():\n    pass\n"})
    commit_all(live, "more on main")
    git(live, "checkout", "-q", "feature")
    converged(live, ["beta_feature"], ["main_more"])
    git(live, "rebase", "-q", "main")
    converged(live, ["beta_feature", "main_more", "shared_second"], ["alpha_main"])


def test_merge(live):
    git(live, "merge", "-q", "--no-edit", "feature")
    converged(live, ["beta_feature", "shared_second"], ["alpha_main", "shared_first"])


def test_pull_from_a_second_clone(live, tmp_path):
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(live), str(other))
    write(other, {"app/pulled.py": "def pulled_in():\n    pass\n"})
    commit_all(other, "from the other clone")
    git(live, "pull", "-q", "--no-rebase", str(other), "main")
    converged(live, ["pulled_in", "alpha_main"], [])


def test_commits_that_skip_hooks(live):
    write(live, {"app/quiet.py": "def no_verify_commit():\n    pass\n"})
    git(live, "add", "-A")
    git(live, "commit", "-q", "--no-verify", "-m", "no verify")
    converged(live, ["no_verify_commit"], [])
    write(live, {"app/hookless.py": "def hookless_commit():\n    pass\n"})
    git(live, "add", "-A")
    git(live, "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "as a tool would")
    converged(live, ["hookless_commit"], [])


def test_a_branch_round_trip_costs_no_llm_call(live, tmp_path, monkeypatch):
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    worker_control.stop(RepoPaths(live), timeout=5)
    configure(live, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]})
    assert run_installed(live, "worker", "start").returncode == 0
    converged(live, ["fake_alpha", "fake_shared"], [], timeout=20)
    git(live, "checkout", "-q", "feature")
    converged(live, ["fake_beta"], ["fake_alpha"], timeout=20)
    drained(live)  # shared.py's new version may still be with the documenter
    before = len(logged_calls(log))
    git(live, "checkout", "-q", "main")
    converged(live, ["fake_alpha"], ["fake_beta"])
    git(live, "checkout", "-q", "feature")
    converged(live, ["fake_beta"], ["fake_alpha"])
    drained(live)  # a call for shared.py would be made by now
    assert len(logged_calls(log)) == before


def test_a_branch_without_the_config_file_is_still_followed(tmp_path):
    repo = make_repo(tmp_path / "old", MAIN)
    git(repo, "branch", "before-codequery")  # made before config.json was committed
    assert cli_run(repo, "init").exit_code == 0
    commit_all(repo, "settings")
    assert run_installed(repo, "worker", "start").returncode == 0
    try:
        git(repo, "checkout", "-q", "before-codequery")
        write(repo, {"app/old_branch.py": "def on_the_old_branch():\n    pass\n"})
        commit_all(repo, "work on the old branch")
        assert not (repo / ".code-query/config.json").exists()
        converged(repo, ["on_the_old_branch", "alpha_main"], [])
        report = json.loads(run_installed(repo, "doctor", "--json").stdout)
        [check] = [c for c in report["checks"] if c["name"] == "config"]
        assert not check["ok"] and "config.last.json" in check["detail"]
        assert check["severity"] == "warning"  # worked around, as the README says
        assert git(repo, "status", "--porcelain") == ""  # the state stays out of git
    finally:
        worker_control.stop(RepoPaths(repo), timeout=5)


def test_stash_all_takes_the_index_away_and_the_worker_stops_then_pop_restores_it(live):
    # `git stash --all` takes the ignored .code-query/ too: the worker had written on into
    # the deleted database, unseen, and a read-only command's write into the folder made
    # `git stash pop` refuse ("already exists")
    import os

    converged(live, ["alpha_main"], [])
    pid = json.loads((live / ".code-query" / "worker.pid").read_text())["pid"]
    git(live, "stash", "-q", "--all")
    assert not (live / ".code-query" / "code_data.db").exists()
    wait_for(lambda: not _alive(pid), timeout=15)
    # what git left: the tracked files, and the wake-up fifo (git stashes no fifo)
    assert sorted(os.listdir(live / ".code-query")) == [".gitignore", "config.json",
                                                         "worker.wake"]
    for command in (["worker", "status"], ["status"], ["search", "alpha"]):
        said = run_installed(live, *command)
        assert said.returncode != 0 and "`git stash pop` puts it back" in said.stderr
    git(live, "stash", "pop", "-q")  # nothing written meanwhile stands in its way
    assert run_installed(live, "worker", "start").returncode == 0
    write(live, {"app/after.py": "def after_the_stash():\n    pass\n"})
    commit_all(live, "after")
    converged(live, ["alpha_main", "after_the_stash"], [])


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone too
            return not stat.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return False
