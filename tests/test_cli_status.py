"""codequery status as people read it."""

from pathlib import Path

from tests.helpers import cli_run, commit_all, run_installed, write


def _backlog(repo: Path) -> str:
    """The backlog line (rich wraps long lines at 80 columns; put together again)."""
    result = cli_run(repo, "status")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    return said[said.index("backlog:"):said.index("index:")]


def test_a_backlog_without_a_worker_says_it_waits_for_one_not_when_it_is_done(
        initialized_repo: Path):
    write(initialized_repo, {"README.md": "# Changed\n"})
    queued = cli_run(initialized_repo, "document", "--queue", "README.md")
    assert "codequery: 1 job queued" in queued.stderr
    line = _backlog(initialized_repo)
    assert "waiting for a worker (codequery worker start" in line
    assert "done in about" not in line


def test_a_database_damaged_past_its_first_pages_is_reported_as_unusable_not_as_a_bug(
        damaged_repo: Path):
    db = damaged_repo / ".code-query" / "code_data.db"
    for args in (["status"], ["status", "--json"]):
        result = run_installed(damaged_repo, *args)
        assert result.returncode == 1, args
        assert result.stderr.startswith(f"error: cannot use database {db}: database disk "
                                        "image is malformed; move it aside and run "
                                        "`codequery document`"), (args, result.stderr)
        assert "bug" not in result.stderr and result.stdout == "", args


def test_the_pace_is_read_only_from_jobs_done_since_the_settings_changed(
        initialized_repo: Path):
    import json
    import os
    import time

    write(initialized_repo, {"README.md": "# Changed\n"})
    assert cli_run(initialized_repo, "document").exit_code == 0
    before = json.loads(cli_run(initialized_repo, "status", "--json").stdout)
    assert before["queue"]["mean_duration_s"] is not None  # the jobs just done
    config = initialized_repo / ".code-query" / "config.json"
    later = time.time() + 5  # settings written after them (another documenter)
    os.utime(config, (later, later))
    after = json.loads(cli_run(initialized_repo, "status", "--json").stdout)
    assert after["queue"]["mean_duration_s"] is None and after["queue"]["eta_s"] is None


def test_a_block_says_jobs_wait_on_it_only_when_some_do(initialized_repo: Path):
    # after an aborted setup: "the jobs wait and go on by themselves", with no job queued
    from codequery import blocking, ledger
    from codequery.documenters.claude import LOGIN_HINT
    from codequery.store import connect
    from tests.helpers import configure

    configure(initialized_repo, documenter={"name": "claude"})
    conn = connect(initialized_repo / ".code-query" / "code_data.db")
    blocking.block(conn, "claude", LOGIN_HINT)

    def said() -> str:
        result = cli_run(initialized_repo, "status")
        assert result.exit_code == 0, result.output
        return " ".join(result.stdout.split())

    assert "blocked: the claude documenter: not logged in" in said()
    assert "the jobs wait" not in said()
    ledger.enqueue(conn, "repo", [("README.md", ledger.DOCUMENT, None)])
    assert "for the worker); the jobs wait and go on by themselves" in said()


def test_while_the_backlog_waits_there_is_no_estimate_and_its_line_stays(
        initialized_repo: Path, monkeypatch):
    # every job out at work and nothing to take them on: text status had no backlog line,
    # and JSON promised "about 1s" beside waiting_for (Redis down: "about 0.6s")
    import json

    from codequery import ledger
    from codequery.store import connect

    write(initialized_repo, {"README.md": "# Changed\n"})
    assert cli_run(initialized_repo, "document").exit_code == 0  # a pace to estimate by
    write(initialized_repo, {"README.md": "# Changed again\n"})
    assert cli_run(initialized_repo, "document", "--queue", "README.md").exit_code == 0
    report = json.loads(cli_run(initialized_repo, "status", "--json").stdout)["queue"]
    assert report["mean_duration_s"] is not None and report["waiting_for"] == "worker"
    assert report["eta_s"] is None
    conn = connect(initialized_repo / ".code-query" / "code_data.db")
    [job] = ledger.jobs(conn, "repo", ledger.PENDING)
    assert ledger.claim(conn, job.id, "cli-1@here", 60) is not None
    # with no worker, a job processing is a `codequery document` run's: no backlog line
    said = " ".join(cli_run(initialized_repo, "status").stdout.split())
    assert "backlog:" not in said and "1 processing" in said
    # out at consumers that are gone (the Redis transport): the line says what it waits for
    from codequery import operations

    monkeypatch.setattr(operations, "_waiting_for", lambda *args, **kwargs: "consumers")
    assert "1 processing, waiting: no consumer of the remote queue can take its tasks" in (
        _backlog(initialized_repo))


def test_status_says_in_words_what_ran_the_last_reconcile(initialized_repo: Path):
    # a trial read `(cli, 4 ms)` as the name of its repository, which was called cli
    from codequery.cli.status import _by

    assert [_by(t) for t in ("cli", "document", "wake-up", "hook:post-commit",
                             "periodic check")] == [
        "run by a command", "run by codequery document", "woken by a hook",
        "run by the post-commit hook", "periodic check"]
    assert cli_run(initialized_repo, "document").exit_code == 0
    said = " ".join(cli_run(initialized_repo, "status").stdout.split())
    assert "reconcile: " in said and "(run by a command" in said and "(cli" not in said


def test_a_config_that_is_no_json_is_reported_and_status_reads_its_last_good_copy(
        initialized_repo: Path):
    # a new user's trial: `status` stopped at the broken file while search and show read
    # on, so the one command that says what is wrong said nothing else
    settings = initialized_repo / ".code-query" / "config.json"
    settings.write_text('{"version": 1, "documenter": {\n', encoding="utf-8")
    result = cli_run(initialized_repo, "status")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "settings: invalid config" in said and "not valid JSON" in said
    assert "(this report reads its last good copy)" in said
    assert "documenter builtin" in said and "index:" in said
    import json

    report = json.loads(cli_run(initialized_repo, "status", "--json").stdout)
    assert "not valid JSON" in report["settings_trouble"]
    assert report["documenter"] == "builtin" and report["index"]["documented"] > 0
    (initialized_repo / ".code-query" / "config.last.json").unlink()
    failed = cli_run(initialized_repo, "status")  # no copy to read: the error, as before
    assert failed.exit_code == 1 and "not valid JSON" in failed.stderr


def test_a_good_config_reports_no_settings_trouble(initialized_repo: Path):
    import json

    report = json.loads(cli_run(initialized_repo, "status", "--json").stdout)
    assert report["settings_trouble"] is None


def test_files_missing_with_no_worker_say_that_document_catches_up(initialized_repo: Path,
                                                                   monkeypatch):
    monkeypatch.setenv("CODEQUERY_SKIP", "1")  # the hook documents nothing
    write(initialized_repo, {"src/extra.py": "def more():\n    return 1\n"})
    commit_all(initialized_repo, "one more")
    said = " ".join(cli_run(initialized_repo, "status").stdout.split())
    assert "1 missing, 0 outdated (codequery document catches up, or a worker: codequery " \
        "worker start)" in said
