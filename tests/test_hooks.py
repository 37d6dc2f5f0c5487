"""The git hooks under real git commands: commit, merge, pull, rebase, amend, mv, rm."""

import json
import os
import stat
import subprocess
import sys
import time

import pytest

from codequery import hooks_install, ledger, store
from tests.helpers import (
    cli_run,
    commit_all,
    configure,
    git,
    make_repo,
    run_installed,
    use_fake_llm,
    write,
)

HEAVY = ("huey", "pydantic", "git", "rich", "click", "psutil")


def commit(repo, message="change", *args, env=None):
    """A real `git commit`; returns what git printed (the hook's line is on stderr)."""
    done = subprocess.run(["git", "commit", "-q", "-m", message, *args], cwd=repo,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _store(repo, dataset="repo"):
    return store.Store(store.connect(repo / ".code-query/code_data.db"), dataset)


@pytest.fixture
def setup(initialized_repo):
    return initialized_repo


def test_no_worker_the_commit_documents_synchronously(setup):
    repo = setup
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount * 0.2\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "codequery: documentation updated (no worker running, 1 file" in out
    assert out.count("\n") == 1
    assert _store(repo).get("src/tax.py")["functions"][0]["name"] == "compute_vat"


def test_with_a_worker_the_commit_queues_and_returns(setup):
    repo = setup
    assert run_installed(repo, "worker", "start").returncode == 0
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "1 file queued for background processing (Q-" in out
    job = out.split("(")[1].split(")")[0]
    assert run_installed(repo, "queue", "wait", job, "--timeout", "30").returncode == 0
    assert _store(repo).get("src/tax.py") is not None


def test_manual_mode_leaves_jobs_pending_and_says_how_to_start(setup):
    repo = setup
    configure(repo, processing={"mode": "manual"})
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "1 file pending; start the worker with: codequery worker start" in out
    assert _store(repo).get("a.py") is None


def test_sync_mode_always_documents_even_with_a_worker(setup):
    repo = setup
    configure(repo, processing={"mode": "sync"})
    assert run_installed(repo, "worker", "start").returncode == 0
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
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


def test_a_rebase_of_20_commits_on_3_files_leaves_at_most_3_jobs(setup):
    repo = setup
    configure(repo, processing={"mode": "manual"})
    commit_all(repo, "share the codequery settings")
    git(repo, "checkout", "-q", "-b", "topic")
    for n in range(20):
        write(repo, {f"f{n % 3}.py": f"value = {n}\n"})
        commit_all(repo, f"topic {n}")
    git(repo, "checkout", "-q", "main")
    write(repo, {"base.py": "base = 1\n"})
    commit_all(repo, "base")
    conn = store.connect(repo / ".code-query/code_data.db")
    before = {r[0] for r in conn.execute("SELECT id FROM jobs")}
    git(repo, "checkout", "-q", "topic")
    done = subprocess.run(["git", "rebase", "-q", "main"], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    new = conn.execute("SELECT path FROM jobs WHERE status = 'pending'").fetchall()
    created = {r[0] for r in conn.execute("SELECT id FROM jobs")} - before
    assert {p for (p,) in new} >= {"f0.py", "f1.py", "f2.py"}
    assert len([p for (p,) in new if p.startswith("f")]) <= 3
    assert len(created) <= 4  # the three files, and base.py brought in by the checkout


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


def test_a_failing_user_hook_keeps_its_exit_status(repo):
    hooks = repo / ".git" / "hooks"
    (hooks / "post-merge").write_text("#!/bin/sh\necho failing >&2\nexit 7\n")
    (hooks / "post-merge").chmod(0o755)
    cli_run(repo, "init")
    done = subprocess.run([str(hooks / "post-merge"), "0"], cwd=repo, capture_output=True,
                          text=True)
    assert done.returncode == 7 and "failing" in done.stderr


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


def test_a_crashing_documenter_never_fails_a_commit(setup, monkeypatch):
    repo = setup
    use_fake_llm(repo)
    configure(repo, processing={"mode": "sync"})
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "documentation not updated" in out and "1 failed" in out
    assert out.count("\n") == 1


def test_a_hanging_documenter_is_killed_and_the_commit_stands(setup, monkeypatch):
    repo = setup
    use_fake_llm(repo, timeout_seconds=1)
    configure(repo, processing={"mode": "sync"})
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
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    out = commit(repo)
    assert "1 file pending; start the worker" in out and "runs in the worker" in out
    assert not log.exists()


def test_a_job_left_processing_by_a_killed_hook_is_released_later(setup):
    repo = setup
    conn = store.connect(repo / ".code-query/code_data.db")
    write(repo, {"a.py": "x = 1\n"})
    [queued] = ledger.enqueue(conn, "repo", [("a.py", ledger.DOCUMENT, None)])
    assert ledger.claim(conn, queued.id, "999999/hook", lease_seconds=0) is not None
    git(repo, "add", "-A")
    assert "documentation updated (no worker running, 1 file" in commit(repo)
    assert ledger.get(conn, queued.id).status == ledger.CANCELLED  # the commit's job won
    assert ledger.counts(conn, "repo")["processing"] == 0
    assert _store(repo).get("a.py") is not None


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


def test_the_fast_path_imports_no_heavy_module(setup):
    repo = setup
    configure(repo, processing={"mode": "manual"})
    write(repo, {"a.py": "x = 1\n"})
    git(repo, "add", "-A")
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    out = commit(repo, env=env)
    assert "pending" in out
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.splitlines()
                if line.startswith("import time:")}
    assert "codequery" in imported and "sqlite3" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_the_worker_ignores_a_codequery_package_inside_the_repository(setup):
    repo = setup
    write(repo, {"codequery/__init__.py": "raise SystemExit('shadowed!')\n",
                 "tasks.py": "raise SystemExit('shadowed!')\n"})
    commit_all(repo)
    done = run_installed(repo, "worker", "start")
    assert done.returncode == 0, done.stderr
    assert json.loads(run_installed(repo, "worker", "status", "--json").stdout)["worker"][
        "running"]
    write(repo, {"after.py": "def after():\n    pass\n"})
    git(repo, "add", "-A")
    job = commit(repo).split("(")[1].split(")")[0]  # queued for the running worker
    assert run_installed(repo, "queue", "wait", job, "--timeout", "30").returncode == 0


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
    out = commit(repo, "merge side")
    # against the first parent: the resolved file and what the side branch brought
    assert "2 files pending" in out
    conn = store.connect(repo / ".code-query/code_data.db")
    rows = conn.execute("SELECT path, count(*) FROM jobs WHERE status = 'pending' "
                        "GROUP BY path").fetchall()
    assert dict(rows) == {"conflict.py": 1, "side_only.py": 1}
