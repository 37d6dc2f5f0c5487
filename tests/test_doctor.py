"""codequery doctor against real repositories: healthy, damaged, and not set up at all."""

import contextlib
import json
import os
import shutil
import sqlite3
import sys

import pytest

from codequery import doctor, ledger, migrations, store
from codequery.documenters.errors import DocumenterError
from codequery.paths import RepoPaths
from tests.helpers import cli_run, commit_all, configure, git, run_installed

NAMES = ["git", "work-tree", "state-dir", "ignored", "config", "hooks", "database",
         "queue-database", "worker", "documenter", "queue", "index", "disk-space"]


def report(repo):
    result = cli_run(repo, "doctor", "--json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def by_name(document):
    return {check["name"]: check for check in document["checks"]}


def failing(document):
    return {check["name"] for check in document["checks"] if not check["ok"]}


@pytest.fixture
def ready(initialized_repo):
    return initialized_repo


def test_a_fresh_repository_passes_without_a_worker(ready):
    """Commits document synchronously in the default auto mode: no worker is needed."""
    code, document = report(ready)
    assert code == 0 and document["ok"] is True
    assert "synchronously" in by_name(document)["worker"]["detail"]


def test_in_manual_mode_a_missing_worker_fails(ready):
    configure(ready, processing={"mode": "manual"})
    code, document = report(ready)
    assert code == 1 and failing(document) == {"worker"}
    worker = by_name(document)["worker"]
    assert worker["fix"] == "codequery worker start (or codequery install-service)"
    assert worker["severity"] == "warning"


def test_a_redis_url_that_is_no_url_is_a_config_problem_not_a_redis_to_start(ready):
    configure(ready, processing={"transport": "redis", "redis_url": "notaurl"})
    code, document = report(ready)
    assert code == 1 and "config" in failing(document)
    assert "processing.redis_url: 'notaurl' is not a valid Redis URL; expected " \
           "redis://host:port/db" in by_name(document)["config"]["detail"]
    assert "start Redis" not in json.dumps(document)


def test_with_a_worker_running_everything_passes_and_exits_0(ready):
    assert run_installed(ready, "worker", "start").returncode == 0
    code, document = report(ready)
    assert failing(document) == set()
    assert code == 0 and document["ok"] is True
    assert "running" in by_name(document)["worker"]["detail"]


def test_json_shape_matches_the_contract(ready):
    _, document = report(ready)
    assert set(document) >= {"ok", "checks"} and isinstance(document["ok"], bool)
    assert [check["name"] for check in document["checks"]] == NAMES
    for check in document["checks"]:
        assert isinstance(check["name"], str) and isinstance(check["ok"], bool)
        assert isinstance(check["detail"], str) and check["detail"]
        assert check["fix"] is None or isinstance(check["fix"], str)
        assert check["ok"] or check["fix"] or check["skipped"]


def test_human_output_marks_each_check_and_gives_the_fix(ready):
    configure(ready, processing={"mode": "manual"})
    result = cli_run(ready, "doctor")
    assert result.exit_code == 1
    assert "✓ git: git version" in result.stdout
    assert "✗ worker:" in result.stdout
    assert "    fix: codequery worker start" in result.stdout
    assert "1 of 13 checks failed" in result.stderr


def test_a_broken_config_names_the_key(ready):
    configure(ready, processing={"threads": "lots"})
    _, document = report(ready)
    config = by_name(document)["config"]
    assert not config["ok"] and "processing.threads" in config["detail"]
    assert "config.json" in config["fix"]
    assert by_name(document)["documenter"]["skipped"]


def test_a_config_that_is_no_json_is_fixed_by_restoring_it(ready):
    config = ready / ".code-query" / "config.json"
    good = config.read_text()
    config.write_text('{"dataset": ')
    _, document = report(ready)
    check = by_name(document)["config"]  # init staged it: the one staged
    assert not check["ok"] and "not valid JSON (line 1" in check["detail"]
    assert check["fix"] == (f"correct it by hand, or restore the one staged (`git -C {ready} "
                            f"checkout -- "
                            f".code-query/config.json`), or copy the last good one (`cp "
                            f"{config.parent}/config.last.json {config}`)")
    git(ready, "rm", "-q", "--cached", "-f", str(config))
    _, document = report(ready)  # not in git at all: the last good copy
    assert by_name(document)["config"]["fix"] == (
        f"correct it by hand, or copy the last good one (`cp {config.parent}/config.last.json "
        f"{config}`)")
    config.write_text(good)
    commit_all(ready, "config")
    config.write_bytes(b"\xff\xfe{}")  # not even UTF-8
    _, document = report(ready)
    check = by_name(document)["config"]
    assert check["detail"].endswith("not UTF-8 text")
    assert f"`git -C {ready} checkout HEAD -- .code-query/config.json`" in check["fix"]
    result = cli_run(ready, "document")  # a command that needs it says the same
    assert result.exit_code == 1 and check["fix"] in result.stderr
    result = cli_run(ready, "search", "invoice")  # a search reads on, as the copy says
    assert result.exit_code == 0 and "not valid JSON" in result.stderr
    git(ready, "-C", str(ready), "checkout", "HEAD", "--", ".code-query/config.json")
    assert report(ready)[0] == 0  # as the fix says


def test_a_broken_config_that_was_committed_is_not_offered_as_the_way_back(ready):
    # a new user's `git commit -am` took the broken file: checking it out changes nothing
    config = ready / ".code-query" / "config.json"
    config.write_text('{"dataset": ')
    commit_all(ready, "broken")
    _, document = report(ready)
    check = by_name(document)["config"]
    assert check["fix"] == (
        f"correct it by hand, or copy the last good one (`cp {config.parent}/config.last.json "
        f"{config}`)")
    # whether a worker is wanted is the config's to say: no `worker start` to fix it with
    assert by_name(document)["worker"]["detail"] == "skipped: no usable config"
    shutil.copyfile(config.parent / "config.last.json", config)
    assert report(ready)[0] == 0  # as the fix says
    commit_all(ready, "fixed")  # the good one committed again: it is the way back
    config.write_text('{"dataset": ')
    assert "checkout HEAD -- .code-query/config.json" in by_name(report(ready)[1])["config"][
        "fix"]
    # JSON, but no config codequery can use: no way back either
    config.write_text('{"processing": {"threads": "many"}}')
    commit_all(ready, "unusable")
    config.write_text('{"dataset": ')
    assert "checkout HEAD" not in by_name(report(ready)[1])["config"]["fix"]


def test_a_running_worker_is_reported_even_when_the_config_is_unusable(ready):
    import fcntl

    from codequery.paths import RepoPaths

    config = ready / ".code-query" / "config.json"
    config.write_text('{"dataset": ')
    lock = RepoPaths(ready).lock_file
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as held:  # what a running worker holds
        fcntl.flock(held, fcntl.LOCK_EX)
        worker = by_name(report(ready)[1])["worker"]
    assert not worker.get("skipped") and worker["detail"].startswith("running")


def test_a_config_in_a_merge_conflict_is_fixed_by_taking_a_side(ready):
    commit_all(ready, "config")
    git(ready, "checkout", "-q", "-b", "other")
    configure(ready, processing={"threads": 3})
    commit_all(ready, "three")
    git(ready, "checkout", "-q", "main")
    configure(ready, processing={"threads": 5})
    commit_all(ready, "five")
    git(ready, "merge", "other", check=False)  # the config holds conflict markers now
    _, document = report(ready)
    check = by_name(document)["config"]
    assert "not valid JSON" in check["detail"]
    assert f"`git -C {ready} checkout --theirs -- .code-query/config.json`" in check["fix"]


def test_a_missing_config_is_fixed_by_init(ready):
    (ready / ".code-query" / "config.json").unlink()
    (ready / ".code-query" / "config.last.json").unlink()
    _, document = report(ready)
    check = by_name(document)["config"]
    assert not check["ok"] and check["fix"] == "codequery init (or codequery setup)"
    assert by_name(document)["documenter"]["detail"] == "skipped: no usable config"


def test_human_output_into_a_pipe_is_not_wrapped(tmp_path):
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / ("a-folder-with-a-long-name-" * 4))
    result = cli_run(repo, "doctor")
    [line] = [line for line in result.stdout.splitlines() if line.startswith("✓ work-tree")]
    assert line.endswith(str(repo)) and len(line) > 100


def test_a_foreign_post_commit_hook_fails_the_hooks_check(ready):
    hook = ready / ".git" / "hooks" / "post-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    hook.chmod(0o755)
    _, document = report(ready)
    hooks = by_name(document)["hooks"]
    assert not hooks["ok"] and "post-commit foreign" in hooks["detail"]
    assert hooks["fix"].startswith("codequery install-hooks")


def test_removed_hooks_fail_the_hooks_check(ready):
    assert cli_run(ready, "uninstall-hooks").exit_code == 0
    _, document = report(ready)
    hooks = by_name(document)["hooks"]
    assert not hooks["ok"] and "post-merge missing" in hooks["detail"]
    assert hooks["fix"] == "codequery install-hooks"


def test_a_hook_that_is_not_executable_fails(ready):
    (ready / ".git" / "hooks" / "post-rewrite").chmod(0o644)
    _, document = report(ready)
    assert "post-rewrite not executable" in by_name(document)["hooks"]["detail"]


def test_a_hook_written_by_an_older_codequery_is_outdated_until_reinstalled(ready):
    hook = ready / ".git" / "hooks" / "post-checkout"
    # an older hook: ours (the marker), another Python, without this version's guards
    older = hook.read_text().replace("except Exception as exc:", "except ImportError as exc:")
    hook.write_text(older.replace("python=", "python='/old/venv/bin/python' #", 1))
    _, document = report(ready)
    hooks = by_name(document)["hooks"]
    assert not hooks["ok"] and "post-checkout outdated" in hooks["detail"]
    assert hooks["fix"] == "codequery install-hooks"
    assert cli_run(ready, "install-hooks").exit_code == 0
    assert by_name(report(ready)[1])["hooks"]["ok"]


def test_hooks_in_core_hooks_path_pass_and_say_so(repo):
    git(repo, "config", "core.hooksPath", ".githooks")
    assert cli_run(repo, "init").exit_code == 0
    hooks = by_name(report(repo)[1])["hooks"]
    assert hooks["ok"] and "core.hooksPath" in hooks["detail"]


def test_hooks_shadowed_by_a_later_core_hooks_path_fail(ready):
    git(ready, "config", "core.hooksPath", ".githooks")
    hooks = by_name(report(ready)[1])["hooks"]
    assert not hooks["ok"] and "shadowed" in hooks["detail"]
    assert "core.hooksPath" in hooks["detail"]


def test_a_corrupt_database_fails_and_is_left_alone(ready):
    db = ready / ".code-query" / "code_data.db"
    for suffix in ("-wal", "-shm"):
        (db.parent / f"code_data.db{suffix}").unlink(missing_ok=True)
    garbage = b"garbage" * 1000
    db.write_bytes(garbage)
    code, document = report(ready)
    checks = by_name(document)
    assert code == 1 and not checks["database"]["ok"]
    assert "code_data.db" in checks["database"]["fix"]
    assert checks["queue"]["skipped"]
    assert db.read_bytes() == garbage
    assert not (db.parent / "code_data.db-wal").exists()


def test_an_old_schema_fails_and_is_not_migrated(repo):
    assert cli_run(repo, "init", "--no-document").exit_code == 0
    db = repo / ".code-query" / "code_data.db"
    for suffix in ("", "-wal", "-shm"):
        (db.parent / f"code_data.db{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    migrations.migrate(conn, target=3)
    conn.close()
    database = by_name(report(repo)[1])["database"]
    assert not database["ok"] and "schema 3" in database["detail"]
    conn = sqlite3.connect(db)
    assert migrations.current_version(conn) == 3
    conn.close()


def test_outside_a_git_repository_it_fails_without_a_traceback(tmp_path):
    code, document = report(tmp_path)
    checks = by_name(document)
    assert code == 1 and not checks["work-tree"]["ok"]
    assert checks["hooks"]["skipped"] and checks["disk-space"]["ok"]


def test_an_uninitialised_repository_is_told_to_init_and_nothing_is_created(repo):
    _, document = report(repo)
    assert by_name(document)["state-dir"]["fix"] == "codequery init"
    assert not (repo / ".code-query").exists()


def test_claude_with_a_missing_executable_fails_with_the_fix(ready):
    configure(ready, documenter={"name": "claude", "executable": "no-such-claude-cli"})
    documenter = by_name(report(ready)[1])["documenter"]
    assert not documenter["ok"] and "no-such-claude-cli" in documenter["detail"]
    assert "documenter.executable" in documenter["fix"]


def test_claude_answering_its_version_passes(ready, tmp_path):
    fake = tmp_path / "claude"
    fake.write_text("#!/bin/sh\necho '9.9.9 (Claude Code)'\n")
    fake.chmod(0o755)
    configure(ready, documenter={"name": "claude", "executable": str(fake)})
    documenter = by_name(report(ready)[1])["documenter"]
    assert documenter["ok"] and "9.9.9" in documenter["detail"]


def test_claude_logged_out_fails_with_how_to_log_in_or_go_offline(ready, tmp_path,
                                                                 monkeypatch):
    # the fix named only logging in: a new user who cannot was not told of the builtin
    from pathlib import Path

    fake = Path(__file__).parent / "bin" / "claude"  # answers as the real CLI does
    marker = tmp_path / "logged-out"
    marker.touch()
    monkeypatch.setenv("FAKE_CLAUDE_LOGGED_OUT", str(marker))
    configure(ready, documenter={"name": "claude", "executable": str(fake)})
    documenter = by_name(report(ready)[1])["documenter"]
    assert not documenter["ok"] and "not logged in" in documenter["detail"]
    assert "`codequery init --documenter builtin`" in documenter["fix"]


def test_a_version_check_that_hangs_is_cut_off(tmp_path):
    hang = tmp_path / "hang"
    hang.write_text("#!/bin/sh\nsleep 30\n")
    hang.chmod(0o755)
    from codequery.documenters.claude import version_check

    with pytest.raises(DocumenterError, match="timed out after 0.5 s"):
        version_check(str(hang), timeout=0.5)


def test_a_command_documenter_not_on_path_fails(ready):
    configure(ready, documenter={"name": "command", "command": ["no-such-llm", "-m", "x"]})
    documenter = by_name(report(ready)[1])["documenter"]
    assert not documenter["ok"] and "no-such-llm" in documenter["detail"]
    configure(ready, documenter={"command": [sys.executable, "-c", "pass"]})
    assert by_name(report(ready)[1])["documenter"]["ok"]


def _job(repo):
    conn = store.connect(repo / ".code-query" / "code_data.db")
    [queued] = ledger.enqueue(conn, "repo", [("gone.py", ledger.DOCUMENT, "0" * 40)])
    return conn, queued.id


def _dead(conn, path, sha):
    [queued] = ledger.enqueue(conn, "repo", [(path, ledger.DOCUMENT, sha)])
    job = ledger.claim(conn, queued.id, "w", lease_seconds=60)
    assert ledger.fail(conn, job, "w", "boom", max_retries=0, base=1, cap=1) == ledger.DEAD
    return queued.id


def test_a_dead_job_fails_the_queue_check_while_its_file_still_needs_it(ready):
    conn, _ = _job(ready)  # a pending job of a file that is gone: cancelled by a reconcile
    gone = _dead(conn, "gone.py", "0" * 40)  # settled: nothing to document any more
    queue = by_name(report(ready)[1])["queue"]
    assert queue["ok"], queue
    assert queue["detail"].endswith(f"1 dead (their files were documented since, or are "
                                    f"gone; to forget them: codequery queue purge {gone})")
    _committed_unseen(ready)  # committed, not documented: its dead job still matters
    unseen = _dead(conn, "unseen.py", git(ready, "rev-parse", "HEAD:unseen.py").strip())
    queue = by_name(report(ready)[1])["queue"]
    assert not queue["ok"] and "2 dead (1 of them still needed)" in queue["detail"]
    assert queue["fix"].endswith(f"codequery queue retry {unseen}")  # not --all-dead


def test_a_dead_job_of_an_edit_not_committed_is_still_needed(ready):
    # `document` of a file as it is on disk now: a job of content no commit holds
    (ready / "src" / "invoices.py").write_text("def edited():\n    pass\n")
    sha = git(ready, "hash-object", "src/invoices.py").strip()
    conn = store.connect(ready / ".code-query" / "code_data.db")
    _dead(conn, "src/invoices.py", sha)
    queue = by_name(report(ready)[1])["queue"]
    assert not queue["ok"] and queue["fix"].endswith("codequery queue retry --all-dead")


def test_a_job_with_an_expired_lease_fails_the_queue_check(ready):
    conn, job_id = _job(ready)
    ledger.claim(conn, job_id, "w", lease_seconds=-1)
    queue = by_name(report(ready)[1])["queue"]
    assert not queue["ok"] and "1 stuck" in queue["detail"]


def test_a_job_held_by_a_killed_worker_warns_before_its_lease_expires(ready):
    # kill -9 mid-job: the lease runs for the documenter's timeout, the job shows as
    # processing, and nothing was stuck yet
    import socket
    import subprocess

    import psutil

    gone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = psutil.Process(gone.pid).create_time()
    gone.kill()
    gone.wait()
    conn, job_id = _job(ready)
    owner = f"{socket.gethostname()}:{gone.pid}@{started:.3f}/MainThread"
    assert ledger.claim(conn, job_id, owner, lease_seconds=600) is not None
    code, document = report(ready)
    queue = by_name(document)["queue"]
    assert code == 1 and not queue["ok"] and queue["severity"] == "warning"
    assert queue["detail"].endswith("0 stuck, 0 dead; 1 processing by a worker that is gone "
                                    "(killed?)")
    status = json.loads(cli_run(ready, "status", "--json").stdout)
    assert status["queue"]["orphaned"] == 1 and status["queue"]["stuck"] == 0


def test_pending_jobs_without_a_worker_warn_in_the_queue_check(ready):
    # what a commit's budget left (or a killed worker): nothing takes them until a worker
    # starts, though commits document synchronously
    _job(ready)
    code, document = report(ready)
    checks = by_name(document)
    assert code == 1 and checks["worker"]["ok"]
    queue = checks["queue"]
    assert not queue["ok"] and queue["severity"] == "warning"
    assert queue["detail"] == "1 pending, 0 stuck, 0 dead; no worker is running to take them"
    assert "codequery worker start" in queue["fix"]


def test_pending_jobs_are_not_warned_of_twice_when_the_worker_check_warns(ready):
    # in manual mode the worker check says that queued jobs wait for a worker already
    configure(ready, processing={"mode": "manual"})
    _job(ready)
    checks = by_name(report(ready)[1])
    assert not checks["worker"]["ok"] and "queued jobs wait" in checks["worker"]["detail"]
    assert checks["queue"]["ok"] and checks["queue"]["detail"] == "1 pending, 0 stuck, 0 dead"


@contextlib.contextmanager
def _worker_alive(repo):
    """What a live worker shows (its lock held), without one taking jobs meanwhile."""
    from codequery import liveness

    lock = liveness.acquire(RepoPaths(repo))
    assert lock is not None
    try:
        yield
    finally:
        os.close(lock)


def test_pending_jobs_with_a_worker_alive_pass_the_queue_check(ready):
    _job(ready)
    with _worker_alive(ready):
        queue = by_name(report(ready)[1])["queue"]
    assert queue["ok"] and queue["detail"] == "1 pending, 0 stuck, 0 dead"


def _committed_unseen(repo):
    """A file committed with the hooks off (as after a killed worker, before any
    reconcile): the index has no record of it and no job is queued."""
    (repo / "unseen.py").write_text("def unseen():\n    return 1\n")
    git(repo, "add", "unseen.py")
    git(repo, "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "unseen")


def test_an_index_behind_the_tree_with_nothing_queued_warns(ready):
    assert by_name(report(ready)[1])["index"]["ok"]
    _committed_unseen(ready)
    code, document = report(ready)
    index = by_name(document)["index"]
    assert code == 1 and failing(document) == {"index"}
    assert index["severity"] == "warning"
    assert index["detail"].startswith("behind the checked-out tree: 1 file to document, "
                                      "0 records to remove")
    assert index["fix"].startswith("codequery document")
    assert cli_run(ready, "document").exit_code == 0
    code, document = report(ready)
    assert code == 0 and by_name(document)["index"]["detail"].startswith("matches")


def test_content_documented_under_another_path_is_a_pointer_to_move_not_a_file_to_document(
        ready):
    # a copy of a documented file, committed unseen: reconciling points it at the record
    # kept; doctor had counted it among the files "to document"
    (ready / "copy.py").write_text((ready / "src" / "invoices.py").read_text())
    git(ready, "add", "copy.py")
    _committed_unseen(ready)
    index = by_name(report(ready)[1])["index"]
    assert index["detail"].startswith(
        "behind the checked-out tree: 1 file to document, 1 file to point at records kept "
        "already (the same content, no documenter call), 0 records to remove"), index


def test_an_index_is_not_behind_for_a_staged_edit_or_an_older_documenter(ready, monkeypatch):
    # the commit's hook documents a staged edit; records of the same content by an older
    # documenter (after an upgrade) still describe it
    (ready / "src" / "invoices.py").write_text("def staged_only():\n    pass\n")
    git(ready, "add", "src/invoices.py")
    index = by_name(report(ready)[1])["index"]
    assert index["ok"] and index["detail"].startswith("matches"), index
    git(ready, "restore", "--staged", "--worktree", "src/invoices.py")
    monkeypatch.setattr("codequery.documenters.BUILTIN_VERSION", "b-next")
    index = by_name(report(ready)[1])["index"]
    assert index["ok"], index
    assert index["detail"].endswith("3 by an older documenter (codequery document refreshes "
                                    "them)")
    # another documenter is a switch, not an upgrade: its records are still to be made
    configure(ready, documenter={"name": "command", "command": ["my-llm"]})
    index = by_name(report(ready)[1])["index"]
    assert not index["ok"] and "3 files to document" in index["detail"], index


def test_an_index_whose_files_are_queued_says_so_not_that_it_matches(ready):
    # files queued for an LLM documenter: "matches the checked-out tree" had been said of
    # an index with nothing documented
    _committed_unseen(ready)
    assert cli_run(ready, "document", "--queue", "unseen.py").exit_code == 0
    index = by_name(report(ready)[1])["index"]
    assert index["ok"] and index["detail"].startswith("1 of 4 files queued to document")


def test_an_index_behind_the_tree_passes_while_a_worker_runs(ready):
    _committed_unseen(ready)
    with _worker_alive(ready):
        index = by_name(report(ready)[1])["index"]
    assert index["ok"] and index["detail"].endswith("the running worker catches up")


def test_little_free_disk_space_fails(tmp_path):
    free = doctor.shutil.disk_usage(tmp_path).free
    check = doctor.check_disk(tmp_path, min_free=free + 2**30)
    assert not check.ok and "MiB on the file system" in check.fix
    assert doctor.check_disk(tmp_path).ok




def _fake_systemctl(bin_dir, *, answers=True, enabled="enabled", active="active"):
    """A stand-in `systemctl --user` saying what a user manager would (first on PATH)."""
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "systemctl"
    fake.write_text(f"""#!/bin/sh
# called as: systemctl --user VERB [ARGS...]
case "$2" in
  show-environment) exit {0 if answers else 1} ;;
  is-enabled) echo {enabled}; [ {enabled} = enabled ] ;;
  is-active) echo {active}; [ {active} = active ] ;;
  *) exit 0 ;;
esac
""")
    fake.chmod(0o755)


@pytest.fixture
def with_service(ready, tmp_path, monkeypatch):
    """A systemd unit installed for `ready` where no user manager answers (as in a
    container); returns the folder of the stand-in systemctl, to change what it says."""
    bin_dir = tmp_path / "bin"
    _fake_systemctl(bin_dir, answers=False)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    configure(ready, processing={"mode": "manual"})
    result = cli_run(ready, "install-service", "--platform", "systemd")
    assert result.exit_code == 0 and "to start the service, run:" in result.stderr
    return bin_dir


def test_a_service_no_manager_will_start_fails_with_the_commands(ready, with_service):
    code, document = report(ready)
    worker = by_name(document)["worker"]
    assert code == 1 and not worker["ok"] and worker["severity"] == "warning"
    assert "nothing starts it" in worker["detail"]
    assert "systemctl --user enable --now codequery-worker-" in worker["fix"]


def test_a_service_not_enabled_fails_with_the_enable_command(ready, with_service):
    _fake_systemctl(with_service, enabled="disabled", active="inactive")
    worker = by_name(report(ready)[1])["worker"]
    assert not worker["ok"] and "installed but disabled" in worker["detail"]
    assert worker["fix"].startswith("systemctl --user daemon-reload && systemctl --user "
                                    "enable --now codequery-worker-")


def test_an_enabled_service_that_failed_fails_with_the_restart_command(ready, with_service):
    _fake_systemctl(with_service, enabled="enabled", active="failed")
    worker = by_name(report(ready)[1])["worker"]
    assert not worker["ok"] and "enabled but failed" in worker["detail"]
    assert "worker.out" in worker["fix"] and "systemctl --user restart" in worker["fix"]


def test_an_enabled_active_service_passes(ready, with_service):
    _fake_systemctl(with_service, enabled="enabled", active="active")
    worker = by_name(report(ready)[1])["worker"]
    assert worker["ok"] and "codequery-worker-" in worker["detail"]


def test_an_open_circuit_breaker_warns_with_the_last_failure(ready):
    # the calls fail and the breaker stops them: doctor had passed
    from codequery import config
    from codequery.llm_caller import breaker_for

    configure(ready, documenter={"name": "command", "command": ["my-llm"]})
    paths = RepoPaths(ready)
    settings = config.load(paths.config)
    breaker = breaker_for(paths.data_db, settings)
    for _ in range(settings.documenter.breaker_failures):
        breaker.record_failure()
    breaker.close()
    checks = by_name(report(ready)[1])
    assert not checks["breaker"]["ok"] and checks["breaker"]["severity"] == "warning"
    assert checks["breaker"]["detail"].startswith(
        f"open after {settings.documenter.breaker_failures} failures: calls resume in ")


def test_settings_this_machine_did_not_approve_fail_and_status_waits_on_them(ready):
    # the worker runs no documenter whose settings (or the files they name) changed
    # unapproved: it had waited while status gave an estimate and doctor passed
    configure(ready, documenter={"name": "command", "command": ["my-llm"]})  # approves
    assert by_name(report(ready)[1])["approved"]["ok"]
    settings = json.loads((ready / ".code-query" / "config.json").read_text())
    settings["documenter"]["command"] = ["their-llm"]  # as a pull could bring
    (ready / ".code-query" / "config.json").write_text(json.dumps(settings))
    approved = by_name(report(ready)[1])["approved"]
    assert not approved["ok"] and "has not approved these settings" in approved["detail"]
    _job(ready)  # a backlog, which waits for the approval
    status = json.loads(cli_run(ready, "status", "--json").stdout)
    assert status["queue"]["waiting_for"] == "approval"


def test_a_prompt_template_that_cannot_be_read_is_named_not_sent_to_init(ready):
    # a new user's trial: doctor said to run `codequery init`, and init stopped at the
    # missing template, which doctor never named
    configure(ready, documenter={"name": "command", "command": ["my-llm"]})
    settings = json.loads((ready / ".code-query" / "config.json").read_text())
    settings["documenter"]["prompt_template"] = "nope/missing.txt"
    (ready / ".code-query" / "config.json").write_text(json.dumps(settings))
    approved = by_name(report(ready)[1])["approved"]
    assert not approved["ok"]
    assert "cannot read prompt template" in approved["detail"]
    assert "nope/missing.txt" in approved["detail"]
    assert "documenter.prompt_template" in approved["fix"] and "init" not in approved["fix"]


def test_doctor_says_what_a_running_worker_cannot_run_until_it_stops_saying_so(
        initialized_repo):
    # the shell's PATH may have the Claude CLI where the worker's has none: the worker's
    # word (a block it renews, see blocking.WORKER_CANNOT) is what doctor reports
    from codequery import blocking
    from codequery.config import load

    configure(initialized_repo, documenter={"name": "claude"})
    paths = RepoPaths(initialized_repo)
    cfg = load(paths.config)
    assert doctor._worker_cannot(paths, cfg) is None
    conn = store.connect(paths.data_db)
    blocking.block(conn, "claude", "not logged in")  # the shell's own finding
    assert doctor._worker_cannot(paths, cfg) is None
    blocking.block(conn, "claude", blocking.worker_cannot("`claude` was not found on PATH"))
    said = doctor._worker_cannot(paths, cfg)
    assert said is not None and said.startswith("`claude` was not found on PATH")
    conn.execute("UPDATE documenter_blocks SET checked_at = checked_at - ?",
                 (blocking.WORKER_RENEWS_WITHIN,))  # no worker renewed it: gone
    assert doctor._worker_cannot(paths, cfg) is None


def test_an_index_git_does_not_ignore_is_warned_of(ready):
    # a new user's trial: with .code-query/.gitignore gone, `git status` listed the index,
    # doctor passed, and `git clean -fd` deleted it
    assert by_name(report(ready)[1])["ignored"]["ok"]
    (ready / ".code-query" / ".gitignore").unlink()
    exclude = ready / ".git" / "info" / "exclude"
    if exclude.exists():
        exclude.write_text("".join(line for line in exclude.read_text().splitlines(True)
                                   if ".code-query" not in line))
    check = by_name(report(ready)[1])["ignored"]
    assert not check["ok"] and check["severity"] == "warning"
    assert "git does not ignore .code-query/code_data.db" in check["detail"]
    assert "codequery init" in check["fix"]
    git(ready, "add", "-f", ".code-query/code_data.db")  # committed once: init cannot help
    check = by_name(report(ready)[1])["ignored"]
    assert not check["ok"] and "git tracks .code-query/code_data.db" in check["detail"]
    assert check["fix"].startswith("git rm --cached .code-query/code_data.db")
    git(ready, "rm", "-q", "--cached", ".code-query/code_data.db")
    assert cli_run(ready, "init").exit_code == 0
    assert by_name(report(ready)[1])["ignored"]["ok"]
