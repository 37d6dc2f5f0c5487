"""The git hooks under real git commands: commit, merge, pull, rebase, amend, mv, rm."""

import contextlib
import json
import os
import re
import stat
import subprocess
import sys
import time

import pytest

from codequery import hook, hooks_install, ledger, liveness, store
from codequery.paths import RepoPaths
from tests.helpers import (
    cli_json,
    cli_run,
    commit_all,
    configure,
    git,
    logged_calls,
    make_repo,
    run_installed,
    use_fake_llm,
    wait_for,
    write,
)

pytestmark = pytest.mark.slow  # real commits run the installed hooks in subprocesses

HEAVY = ("huey", "pydantic", "git", "rich", "click", "psutil", "sqlite3", "redis")
NO_WORKER = "no worker is running; the index catches up when one starts (codequery worker start)"
WORKER_TRIGGERS = ("wake-up", "periodic check", "worker start")  # jobs the worker queued


def commit(repo, message="change", *args, env=None):
    """A real `git commit`; returns what git printed (the hook's line is on stderr)."""
    done = subprocess.run(["git", "commit", "-q", "-m", message, *args], cwd=repo,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def checkout(repo, *args):
    """A real `git checkout`; returns what git printed (the hook's line is on stderr)."""
    done = subprocess.run(["git", "checkout", "-q", *args], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr


def commit_settings(repo):
    git(repo, "add", "-A")
    return commit(repo, "share the codequery settings")


def _store(repo, dataset="repo"):
    return store.Store(store.connect(repo / ".code-query/code_data.db"), dataset)


def _jobs(repo):
    result = cli_run(repo, "queue", "list", "--json", "--limit", "1000")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _events(repo, job_id):
    result = cli_run(repo, "queue", "show", job_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["events"]


def _search(repo, word):
    return cli_json(repo, "search", word)


def _converged(repo):
    """The worker has nothing left to do: no job open, the index matches git."""
    report = cli_json(repo, "status")
    queue, index = report["queue"], report["index"]
    return (queue["pending"] == queue["processing"] == 0
            and index["missing"] == index["outdated"] == 0)


def _blob(repo, path):
    return git(repo, "rev-parse", f"HEAD:{path}").strip()


def _hook_lines(stderr):
    """codequery's lines in what git printed, without the time a run took and after."""
    return [re.sub(r", [0-9.]+ s\).*", "", line)
            for line in stderr.splitlines() if line.startswith("codequery:")]


@contextlib.contextmanager
def _stand_in_worker(repo):
    """What the hook sees of a live worker: its lock held, its wake-up FIFO read.
    Yields the FIFO's reading end."""
    paths = RepoPaths(repo)
    lock = liveness.acquire(paths)
    assert lock is not None
    os.mkfifo(liveness.fifo_path(paths))
    reader = os.open(liveness.fifo_path(paths), os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield reader
    finally:
        os.close(reader)
        os.close(lock)
        os.unlink(liveness.fifo_path(paths))


@pytest.fixture
def setup(initialized_repo):
    return initialized_repo


def test_a_rename_reports_the_record_reused_under_the_new_path(setup):
    repo = setup
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount * 0.2\n"})
    git(repo, "add", "-A")
    commit(repo)
    git(repo, "mv", "src/tax.py", "src/vat.py")
    out = commit(repo, "rename")
    assert ("1 file reused (same content documented before), 1 file removed" in out), out
    assert _store(repo).get("src/vat.py")["functions"][0]["name"] == "compute_vat"


def test_a_new_work_tree_starts_with_the_records_of_the_others(setup, tmp_path):
    # `git worktree add` of 2,000 files had spent the hook's whole budget documenting
    # what the main work tree's index already held
    repo = setup
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount * 0.2\n"})
    commit_settings(repo)
    documented = cli_json(repo, "status")["index"]["documented"]
    done = subprocess.run(["git", "worktree", "add", "-q", str(tmp_path / "other")],
                          cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{documented} files reused (same content documented before)" in done.stderr
    other = cli_json(tmp_path / "other", "status")
    assert other["index"]["documented"] == documented and other["index"]["stale"] == 0
    assert other["queue"]["completed"] == 0  # pointed at, not documented again
    assert _store(tmp_path / "other").get("src/tax.py")["functions"][0]["name"] == \
        "compute_vat"


def test_no_worker_the_commit_documents_synchronously(setup):
    repo = setup
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount * 0.2\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "codequery: documentation updated (no worker running, 1 file" in out
    assert out.count("\n") == 1
    assert _store(repo).get("src/tax.py")["functions"][0]["name"] == "compute_vat"


def test_with_a_worker_alive_the_hook_only_wakes_it(setup):
    repo = setup
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount\n"})
    git(repo, "add", "-A")
    with _stand_in_worker(repo) as wakes:
        assert commit(repo) == ""
        assert os.read(wakes, 64) == b"\n"  # woken once
    assert _store(repo).get("src/tax.py") is None  # the hook documented nothing itself
    assert "src/tax.py" not in {job["path"] for job in _jobs(repo)}  # nor queued it


def test_with_a_worker_the_commit_returns_and_the_worker_documents(setup):
    repo = setup
    assert run_installed(repo, "worker", "start").returncode == 0
    write(repo, {"src/tax.py": "def computevat(amount):\n    return amount\n"})
    git(repo, "add", "-A")
    assert commit(repo) == ""  # nothing to say: the worker is on it
    [hit] = wait_for(lambda: _search(repo, "computevat"), timeout=10)
    assert hit["path"] == "src/tax.py" and not hit["stale"]
    [job] = [job for job in _jobs(repo) if job["path"] == "src/tax.py"]
    assert job["status"] == "completed"
    created_by = _events(repo, job["id"])[0]["worker"]
    assert created_by in WORKER_TRIGGERS, created_by  # the worker queued it, not the hook


def test_manual_mode_says_how_to_start_and_the_worker_catches_up(setup):
    repo = setup
    configure(repo, processing={"mode": "manual"})
    write(repo, {"a.py": "def manualfunction():\n    pass\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert out == f"codequery: {NO_WORKER}\n"
    assert _store(repo).get("a.py") is None
    assert "a.py" not in {job["path"] for job in _jobs(repo)}  # no job until a worker runs
    assert run_installed(repo, "worker", "start").returncode == 0
    [hit] = wait_for(lambda: _search(repo, "manualfunction"), timeout=10)
    assert hit["path"] == "a.py" and not hit["stale"]


def test_sync_mode_always_documents_even_with_a_worker(setup):
    repo = setup
    configure(repo, processing={"mode": "sync"})
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    # A stand-in, not a real worker: that one might document a.py first, from the index.
    with _stand_in_worker(repo):
        assert "documentation updated (synchronous mode, 1 file" in commit(repo)
    assert _store(repo).get("a.py") is not None


def test_renames_and_deletes_move_and_drop_records(setup):
    repo = setup
    git(repo, "mv", "web/app.js", "web/viewer.js")
    commit(repo, "rename")
    paths = _store(repo).paths()
    assert "web/viewer.js" in paths and "web/app.js" not in paths
    git(repo, "rm", "-q", "README.md")
    commit(repo, "remove")
    assert "README.md" not in _store(repo).paths()


def test_amend_documents_the_amended_content(setup):
    repo = setup
    write(repo, {"src/invoices.py": "def amended_function():\n    pass\n"})
    git(repo, "add", "-A")
    commit(repo, "amend me", "--amend")
    record = _store(repo).get("src/invoices.py")
    assert record["functions"][0]["name"] == "amended_function"


def test_merge_documents_what_the_merge_brought(setup):
    repo = setup
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"feature.py": "def from_feature():\n    pass\n"})
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    write(repo, {"main_only.py": "x = 1\n"})
    commit_all(repo, "main")
    done = subprocess.run(["git", "merge", "-q", "--no-edit", "feature"], cwd=repo,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _store(repo).get("feature.py")["functions"][0]["name"] == "from_feature"


def test_pull_from_a_second_clone_documents_incoming_files(setup, tmp_path):
    repo = setup
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(repo), str(other))
    write(other, {"incoming.py": "def arrived():\n    pass\n"})
    commit_all(other, "incoming")
    done = subprocess.run(["git", "pull", "-q", "--no-rebase", str(other), "main"], cwd=repo,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _store(repo).get("incoming.py")["functions"][0]["name"] == "arrived"


def test_git_am_documents_each_patch_it_applies(setup, tmp_path):
    # a review: `git am` fires none of the other hooks, and the index stayed behind
    repo = setup
    commit_all(repo, "share the codequery settings")  # `git am` wants a clean index
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(repo), str(other))
    write(other, {"patched.py": "def from_a_patch():\n    pass\n"})
    commit_all(other, "a patch")
    patch = subprocess.run(["git", "format-patch", "-1", "--stdout"], cwd=other,
                           capture_output=True, check=True).stdout
    done = subprocess.run(["git", "am", "-q"], cwd=repo, input=patch, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert _store(repo).get("patched.py")["functions"][0]["name"] == "from_a_patch"


def test_a_rebase_of_20_commits_on_3_files_leaves_at_most_3_jobs(setup, monkeypatch):
    repo = setup
    commit_all(repo, "share the codequery settings")
    monkeypatch.setenv("CODEQUERY_SKIP", "1")  # the topic branch is never documented
    git(repo, "checkout", "-q", "-b", "topic")
    for n in range(20):
        write(repo, {f"f{n % 3}.py": f"value = {n}\n"})
        commit_all(repo, f"topic {n}")
    git(repo, "checkout", "-q", "main")
    monkeypatch.delenv("CODEQUERY_SKIP")
    write(repo, {"base.py": "base = 1\n"})
    git(repo, "add", "-A")
    assert "documentation updated" in commit(repo, "base")
    with monkeypatch.context() as skipping:
        skipping.setenv("CODEQUERY_SKIP", "1")
        git(repo, "checkout", "-q", "topic")
    before = {job["id"] for job in _jobs(repo)}
    done = subprocess.run(["git", "rebase", "-q", "main"], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    # one reconcile, at the end (post-rewrite): each step of the rebase stays quiet
    assert _hook_lines(done.stderr) == [
        "codequery: documentation updated (no worker running, 3 files documented"]
    created = [job for job in _jobs(repo) if job["id"] not in before]
    assert sorted(job["path"] for job in created) == ["f0.py", "f1.py", "f2.py"]
    assert {job["status"] for job in created} == {"completed"}
    assert _store(repo).get("f1.py")["content_sha"] == _blob(repo, "f1.py")


def test_an_interactive_rebase_rewording_each_commit_documents_once_at_the_end(setup):
    repo = setup
    commit_all(repo, "share the codequery settings")
    for n in range(12):
        write(repo, {f"f{n % 3}.py": f"value = {n}\n"})
        git(repo, "add", "-A")
        commit(repo, f"step {n}", env={**os.environ, "CODEQUERY_SKIP": "1"})
    before = {job["id"] for job in _jobs(repo)}
    # each reword amends its commit, which fires `post-rewrite amend` mid-rebase
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 's/^pick/reword/'",
           "GIT_EDITOR": "true"}
    done = subprocess.run(["git", "rebase", "-q", "-i", "--force-rebase", "HEAD~12"],
                          cwd=repo, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert _hook_lines(done.stderr) == [
        "codequery: documentation updated (no worker running, 3 files documented"]
    created = [job for job in _jobs(repo) if job["id"] not in before]
    assert sorted(job["path"] for job in created) == ["f0.py", "f1.py", "f2.py"]
    assert _store(repo).get("f2.py")["content_sha"] == _blob(repo, "f2.py")


@pytest.mark.parametrize("settings", [
    {"processing": {"mode": "manual"}},
    {"processing": {"fallback_to_sync": False}},
    {"documenter": {"name": "command", "command": ["false"]}},
], ids=["manual", "no-fallback", "llm-documenter"])
# --apply rebases through `git am`'s machinery, which runs post-applypatch for each commit
@pytest.mark.parametrize("backend", ["--merge", "--apply"])
def test_a_rebase_without_a_worker_says_so_once_at_most(setup, settings, backend):
    repo = setup
    configure(repo, **settings)
    commit_all(repo, "share the codequery settings")
    git(repo, "checkout", "-q", "-b", "topic")
    for n in range(5):
        write(repo, {f"f{n}.py": f"value = {n}\n"})
        commit_all(repo, f"topic {n}")
    git(repo, "checkout", "-q", "main")
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "topic")
    done = subprocess.run(["git", "rebase", "-q", backend, "main"], cwd=repo,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    said = _hook_lines(done.stderr)  # post-rewrite's line, once
    # --apply checks out the base before git's rebase folder exists: that checkout's line
    # too (no hook can tell it from a branch switch), but none for each commit applied
    assert len(said) == (2 if backend == "--apply" else 1), done.stderr
    assert all("no worker is running" in line for line in said), done.stderr


def test_a_users_existing_hook_runs_first_and_is_restored_byte_for_byte(repo):
    hooks = repo / ".git" / "hooks"
    mine = b"#!/bin/sh\necho user-hook-ran >> \"$(git rev-parse --show-toplevel)/ran.txt\"\n"
    (hooks / "post-commit").write_bytes(mine)
    (hooks / "post-commit").chmod(0o750)
    cli_run(repo, "init")
    assert (hooks / "post-commit.legacy").read_bytes() == mine
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert (repo / "ran.txt").read_text() == "user-hook-ran\n"
    assert "documentation updated" in out
    cli_run(repo, "install-hooks")  # upgrading in place keeps the legacy hook
    assert (hooks / "post-commit.legacy").read_bytes() == mine
    assert cli_run(repo, "uninstall-hooks").exit_code == 0
    assert (hooks / "post-commit").read_bytes() == mine
    assert stat.S_IMODE((hooks / "post-commit").stat().st_mode) == 0o750
    assert not (hooks / "post-commit.legacy").exists()
    assert not (hooks / "post-merge").exists()


def test_installing_hooks_again_says_they_are_current_and_upgrades_an_old_one(repo):
    cli_run(repo, "init", "--no-document")
    again = cli_run(repo, "install-hooks")
    assert "post-commit: current" in again.stderr and "upgraded" not in again.stderr
    hook = repo / ".git" / "hooks" / "post-merge"
    hook.write_bytes(hook.read_bytes() + b"# an older version\n")
    upgraded = cli_run(repo, "install-hooks").stderr
    assert "post-merge: upgraded" in upgraded and "post-commit: current" in upgraded
    assert b"an older version" not in hook.read_bytes()


def test_a_failing_user_hook_keeps_its_exit_status(repo):
    hooks = repo / ".git" / "hooks"
    (hooks / "post-merge").write_text("#!/bin/sh\necho failing >&2\nexit 7\n")
    (hooks / "post-merge").chmod(0o755)
    cli_run(repo, "init")
    done = subprocess.run([str(hooks / "post-merge"), "0"], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 7 and "failing" in done.stderr


@pytest.fixture
def gone_python(repo, tmp_path):
    """`repo` with codequery's hooks run by a venv's Python that was then moved away, over
    a user's post-commit (it logs) and post-merge (it fails); returns the Python's path."""
    hooks = repo / ".git" / "hooks"
    (hooks / "post-commit").write_text('#!/bin/sh\necho "user-hook-ran $*" >> ran.txt\n')
    (hooks / "post-merge").write_text("#!/bin/sh\necho failing >&2\nexit 7\n")
    for name in ("post-commit", "post-merge"):
        (hooks / name).chmod(0o755)
    assert cli_run(repo, "init").exit_code == 0
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    hooks_install.install(repo, python=str(python))
    (tmp_path / "venv").rename(tmp_path / "venv.moved")
    return python


def _gone_line(python):
    return (f"codequery: hook skipped, its Python is gone ({python}); reinstall codequery "
            "or run `codequery install-hooks` again\n")


def test_a_gone_python_never_changes_gits_exit_status(gone_python, repo, tmp_path):
    for command in (["checkout", "-q", "-b", "t2"], ["switch", "-q", "-"],
                    ["worktree", "add", "-q", str(tmp_path / "wt")]):
        done = subprocess.run(["git", *command], cwd=repo, capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (0, _gone_line(gone_python)), command
    assert (tmp_path / "wt" / "README.md").exists()


def test_a_gone_python_still_runs_the_users_hook_with_its_status(gone_python, repo):
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "a.py")
    assert commit(repo) == _gone_line(gone_python)
    assert (repo / "ran.txt").read_text() == "user-hook-ran \n"
    hook = repo / ".git" / "hooks" / "post-merge"
    done = subprocess.run([str(hook), "0"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 7
    assert done.stderr == "failing\n" + _gone_line(gone_python)


def test_core_hooks_path_is_honoured(repo):
    git(repo, "config", "core.hooksPath", ".githooks")
    result = cli_run(repo, "init")
    assert "core.hooksPath" in result.stderr
    assert hooks_install.is_ours(repo / ".githooks" / "post-commit")
    assert not (repo / ".git" / "hooks" / "post-commit").exists()
    write(repo, {"a.py": "def via_hooks_path():\n    pass\n"})
    git(repo, "add", "a.py")
    assert "documentation updated" in commit(repo)


def test_a_second_worktree_documents_into_its_own_dataset(setup, tmp_path):
    repo = setup
    second = tmp_path / "second"
    git(repo, "worktree", "add", "-q", "-b", "side", str(second))
    assert cli_run(second, "init", "--dataset", "side", "--no-document").exit_code == 0
    write(second, {"side_only.py": "def only_on_side():\n    pass\n"})
    git(second, "add", "-A")
    commit(second)
    assert _store(second, "side").get("side_only.py") is not None
    assert _store(repo).get("side_only.py") is None


@pytest.mark.parametrize("damage", ["config", "database"])
def test_broken_state_never_fails_a_commit(setup, damage):
    repo = setup
    if damage == "config":
        (repo / ".code-query/config.json").write_text("{not json")
    else:
        for suffix in ("", "-wal", "-shm"):
            path = repo / f".code-query/code_data.db{suffix}"
            if path.exists():
                path.unlink()
        (repo / ".code-query/code_data.db").write_bytes(b"garbage" * 1000)
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert out.startswith("codequery: ") and out.count("\n") == 1
    assert "the commit is fine" in out
    assert git(repo, "log", "-1", "--format=%s").strip() == "change"


def test_a_broken_config_with_a_worker_alive_wakes_it_and_says_so(setup):
    # the worker keeps the settings it started with: the change is documented after all
    repo = setup
    (repo / ".code-query/config.json").write_text("{not json")
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    with _stand_in_worker(repo) as wakes:
        out = commit(repo)
        assert os.read(wakes, 64) == b"\n"  # woken
    assert out.startswith("codequery: invalid config ") and out.count("\n") == 1
    # said as the commands say it, without Python's exception name (a trial)
    assert "not valid JSON (line 1, column 2: Expecting property name" in out, out
    assert "JSONDecodeError" not in out
    assert "the running worker documents the change with its earlier settings" in out
    assert "not updated" not in out


def test_broken_state_on_a_checkout_speaks_of_the_checkout_not_a_commit(setup):
    repo = setup
    git(repo, "branch", "other")
    (repo / ".code-query/config.json").write_text("{not json")
    out = checkout(repo, "other")
    assert out.startswith("codequery: ") and out.count("\n") == 1
    assert "the checkout is fine" in out and "commit" not in out


def test_a_crashing_documenter_never_fails_a_commit(setup, monkeypatch):
    repo = setup
    use_fake_llm(repo)
    configure(repo, processing={"mode": "sync"})
    assert "documentation updated" in commit_settings(repo)  # the tree, by the fake LLM
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert out.startswith("codequery: documentation not updated (synchronous mode, ")
    assert "; 1 failed (codequery queue list --status pending)" in out
    assert out.count("\n") == 1
    assert git(repo, "log", "-1", "--format=%s").strip() == "change"


def test_a_hanging_documenter_is_killed_and_the_commit_stands(setup, monkeypatch):
    repo = setup
    use_fake_llm(repo, timeout_seconds=1)
    configure(repo, processing={"mode": "sync"})
    assert "documentation updated" in commit_settings(repo)
    monkeypatch.setenv("FAKE_LLM_HANG", "1")
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    started = time.monotonic()
    out = commit(repo)
    assert time.monotonic() - started < 5
    assert "1 failed" in out and out.count("\n") == 1
    conn = store.connect(repo / ".code-query/code_data.db")
    [(status, error)] = conn.execute("SELECT status, last_error FROM jobs WHERE path = 'a.py'")
    assert status == ledger.PENDING and "timed out after 1 s" in error


def test_in_auto_mode_an_llm_documenter_waits_for_the_worker(setup, monkeypatch, tmp_path):
    repo = setup
    use_fake_llm(repo)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    write(repo, {"a.py": "def llmfunction():\n    pass\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert out == ("codequery: no worker is running; the command documenter runs in the worker"
                   " (codequery worker start)\n")
    assert not log.exists() and _store(repo).get("a.py") is None
    # a documenter known to be blocked: starting a worker alone would not help, it says why
    from codequery import blocking

    conn = store.connect(repo / ".code-query/code_data.db")
    # (as the block's reason reads: "the jobs wait and go on by themselves", which they do
    # not with no worker, so the hook leaves that out)
    assert hook.JOBS_WAIT == blocking.JOBS_WAIT
    blocking.block(conn, "command", "not logged in: log in first" + blocking.JOBS_WAIT)
    conn.close()
    write(repo, {"b.py": "def other():\n    pass\n"})
    git(repo, "add", "-A")
    assert commit(repo).endswith("runs in the worker (codequery worker start), and cannot be "
                                 "called now: not logged in: log in first\n")
    conn = store.connect(repo / ".code-query/code_data.db")
    blocking.lift(conn, "command")
    conn.close()
    assert run_installed(repo, "worker", "start").returncode == 0
    record = wait_for(lambda: _store(repo).get("a.py"), timeout=20)
    assert record["functions"][0]["name"] == "fake_a"  # written by the (fake) LLM
    assert logged_calls(log)


def test_a_job_left_processing_by_a_killed_hook_is_released_later(setup):
    repo = setup
    conn = store.connect(repo / ".code-query/code_data.db")
    write(repo, {"a.py": "x = 1\n"})
    [queued] = ledger.enqueue(conn, "repo", [("a.py", ledger.DOCUMENT, None)])
    # its holder (no such process) was killed long before its lease runs out
    assert ledger.claim(conn, queued.id, "999999/hook", lease_seconds=3600) is not None
    git(repo, "add", "-A")
    assert "documentation updated (no worker running, 1 file" in commit(repo)
    assert ledger.get(conn, queued.id).status == ledger.COMPLETED  # released, then done
    assert any("lease released" in (e["detail"] or "") for e in _events(repo, queued.id))
    assert ledger.counts(conn, "repo")["processing"] == 0
    assert _store(repo).get("a.py")["content_sha"] == _blob(repo, "a.py")


def test_a_python_path_with_spaces_still_runs_the_hook(setup, tmp_path):
    repo = setup
    odd = tmp_path / "odd place's" / "python"
    odd.parent.mkdir()
    odd.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    odd.chmod(0o755)
    hooks_install.install(repo, python=str(odd))
    write(repo, {"spaced.py": "def spaced():\n    pass\n"})
    git(repo, "add", "-A")
    assert "documentation updated" in commit(repo)


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_documented(setup):
    repo = setup
    (repo / os.fsdecode(b"bad\xffname.py")).write_text("x = 1\n")
    write(repo, {"good.py": "def good():\n    pass\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "documentation updated (no worker running, 1 file" in out
    assert _store(repo).get("good.py") is not None
    result = cli_run(repo, "document")
    assert result.exit_code == 0, result.output
    assert "not UTF-8" in result.stderr
    # status and doctor count it too (status had said nothing, and 24 of git's 25)
    index = cli_json(repo, "status")["index"]
    assert index["names_not_utf8"] == 1
    assert "1 file name not UTF-8" in cli_run(repo, "status").stdout
    from codequery import doctor

    [check] = [c for c in doctor.diagnose(repo) if c.name == "index"]
    assert "1 file left out: its name is not UTF-8" in check.detail
    # asked for by name, it gets that reason, not a crash (show) or "not tracked" (document)
    name = os.fsdecode(b"bad\xffname.py")
    for command in ("show", "document"):
        result = cli_run(repo, command, name)
        assert result.exit_code == 1, result.output
        assert "its name is not UTF-8" in result.stderr, result.stderr


ODD = ["with space.py", "new\nline.py", "ünï.py", "-dash.py", "$(touch pwned).py"]


def test_odd_filenames_through_a_commit(setup):
    repo = setup
    write(repo, {name: f"def f{i}():\n    pass\n" for i, name in enumerate(ODD)})
    git(repo, "add", "-A")
    commit(repo)
    assert set(ODD) <= _store(repo).paths()
    assert not (repo / "pwned").exists()


def test_skip_variable_and_uninitialised_repositories_do_nothing(setup, tmp_path):
    repo = setup
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo, env={**os.environ, "CODEQUERY_SKIP": "1"})
    assert out == "" and _store(repo).get("a.py") is None
    plain = make_repo(tmp_path / "plain")
    hooks_install.install(plain)
    write(plain, {"b.py": "x = 1\n"})
    git(plain, "add", "-A")
    assert commit(plain) == ""
    assert not (plain / ".code-query").exists()


@pytest.mark.parametrize("worker", [True, False], ids=["worker-alive", "fallback"])
def test_the_fast_path_imports_no_heavy_module(setup, worker):
    repo = setup
    if worker:
        assert run_installed(repo, "worker", "start").returncode == 0
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    out = commit(repo, env=env)
    said = _hook_lines(out)
    if worker:
        assert said == []  # woken, nothing to say
    else:  # the documenting runs in a child process (-I: it prints no import times)
        assert said == ["codequery: documentation updated (no worker running, 1 file documented"]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.splitlines()
                if line.startswith("import time:")}
    assert "codequery" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_the_worker_ignores_a_codequery_package_inside_the_repository(setup):
    repo = setup
    write(repo, {"codequery/__init__.py": "raise SystemExit('shadowed!')\n",
                 "tasks.py": "raise SystemExit('shadowed!')\n"})
    git(repo, "add", "-A")
    assert "documentation updated (no worker running" in commit(repo)  # the fallback too
    assert {"codequery/__init__.py", "tasks.py"} <= _store(repo).paths()
    done = run_installed(repo, "worker", "start")
    assert done.returncode == 0, done.stderr
    assert json.loads(run_installed(repo, "worker", "status", "--json").stdout)["worker"][
        "running"]
    write(repo, {"after.py": "def afterwards():\n    pass\n"})
    git(repo, "add", "-A")
    assert commit(repo) == ""  # handed to the running worker
    [hit] = wait_for(lambda: _search(repo, "afterwards"), timeout=10)
    assert hit["path"] == "after.py"
    assert json.loads(run_installed(repo, "worker", "status", "--json").stdout)["worker"][
        "running"]


def test_git_stash_makes_no_hook_output(setup):
    repo = setup
    write(repo, {"README.md": "# stashed change\n"})
    done = subprocess.run(["git", "stash", "-q"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0 and "codequery" not in done.stderr + done.stdout
    done = subprocess.run(["git", "stash", "pop", "-q"], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 0 and "codequery" not in done.stderr + done.stdout


def test_a_merge_commit_after_a_conflict_queues_each_file_once(setup):
    repo = setup
    configure(repo, processing={"mode": "manual"})
    commit_all(repo, "share the settings")
    before = {job["id"] for job in _jobs(repo)}
    git(repo, "checkout", "-q", "-b", "side")
    write(repo, {"conflict.py": "side = 1\n", "side_only.py": "s = 1\n"})
    commit_all(repo, "side")
    git(repo, "checkout", "-q", "main")
    write(repo, {"conflict.py": "main = 1\n"})
    commit_all(repo, "main")
    merged = subprocess.run(["git", "merge", "-q", "side"], cwd=repo, capture_output=True,
                            text=True)
    assert merged.returncode != 0  # the conflict
    write(repo, {"conflict.py": "resolved = 1\n"})
    git(repo, "add", "-A")
    assert commit(repo, "merge side") == f"codequery: {NO_WORKER}\n"
    assert {job["id"] for job in _jobs(repo)} == before  # manual: the hooks queued nothing
    assert run_installed(repo, "worker", "start").returncode == 0
    wait_for(lambda: _converged(repo), timeout=15)
    jobs = [job for job in _jobs(repo) if job["id"] not in before]
    assert sorted(job["path"] for job in jobs) == ["conflict.py", "side_only.py"]
    [resolved] = [job for job in jobs if job["path"] == "conflict.py"]
    assert resolved["content_sha"] == _blob(repo, "conflict.py")
    assert _store(repo).get("conflict.py")["content_sha"] == _blob(repo, "conflict.py")


def _branches(repo):
    """main has mainlandonly() in branchy.py; `other` (never documented) has otherlandonly()
    there instead, and extra.py with extraonly()."""
    write(repo, {"branchy.py": "def mainlandonly():\n    pass\n"})
    commit_all(repo, "main's version")
    skip = {**os.environ, "CODEQUERY_SKIP": "1"}
    subprocess.run(["git", "checkout", "-q", "-b", "other"], cwd=repo, env=skip, check=True)
    write(repo, {"branchy.py": "def otherlandonly():\n    pass\n",
                 "extra.py": "def extraonly():\n    pass\n"})
    for args in (["add", "-A"], ["commit", "-q", "-m", "other"], ["checkout", "-q", "main"]):
        subprocess.run(["git", *args], cwd=repo, env=skip, check=True)


def _shows_only(repo, present, absent):
    """Search finds each of `present` (not stale) and none of `absent`."""
    for word in present:
        hits = _search(repo, word)
        if len(hits) != 1 or hits[0]["stale"]:
            return False
    return not any(_search(repo, word) for word in absent)


def test_with_a_worker_checking_out_a_branch_and_back_reindexes_within_5_s(setup):
    repo = setup
    _branches(repo)
    assert run_installed(repo, "worker", "start").returncode == 0
    wait_for(lambda: _shows_only(repo, ["mainlandonly"], ["otherlandonly", "extraonly"]),
             timeout=10)
    assert checkout(repo, "other") == ""  # the worker was woken; the hook said nothing
    wait_for(lambda: _shows_only(repo, ["otherlandonly", "extraonly"], ["mainlandonly"]),
             timeout=5)
    assert checkout(repo, "main") == ""
    wait_for(lambda: _shows_only(repo, ["mainlandonly"], ["otherlandonly", "extraonly"]),
             timeout=5)
    assert "extra.py" not in _store(repo).paths()


def test_without_a_worker_a_checkout_documents_through_the_fallback(setup):
    repo = setup
    _branches(repo)
    out = checkout(repo, "other")
    assert _hook_lines(out) == [
        "codequery: documentation updated (no worker running, 2 files documented"]
    assert _shows_only(repo, ["otherlandonly", "extraonly"], ["mainlandonly"])
    out = checkout(repo, "main")  # main's branchy.py is kept: pointed at, extra.py dropped
    assert _hook_lines(out) == [
        "codequery: documentation updated (no worker running, 1 file reused (same content "
        "documented before), 1 file removed"]
    assert _shows_only(repo, ["mainlandonly"], ["otherlandonly", "extraonly"])
    assert "extra.py" not in _store(repo).paths()
