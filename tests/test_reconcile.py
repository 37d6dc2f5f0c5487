"""The reconciler in process: real git repositories, real SQLite, the real job runner."""

from __future__ import annotations

import json
import sys
import time

import pytest

from codequery import ledger, local_run, reconcile
from codequery.jobs import JobRunner
from codequery.workspace import Workspace
from tests.helpers import FAKE_LLM, cli_json, cli_run, commit_all, configure, git, logged_calls
from tests.helpers import write as write_files


@pytest.fixture(autouse=True)
def no_hooks(monkeypatch):
    """The hooks stay quiet: these tests drive the reconciler themselves."""
    monkeypatch.setenv("CODEQUERY_SKIP", "1")


def _plan(repo):
    runner = JobRunner(Workspace(repo))
    return reconcile.plan(runner.store, repo, runner.config, runner.identity)


def _converge(repo) -> local_run.Outcome:
    return local_run.document_now(Workspace(repo), trigger="test")


def _found(repo, word: str) -> list[str]:
    return [r["path"] for r in cli_json(repo, "search", word, "--limit", "50")]


def _source_files_found(repo, word: str) -> list[str]:
    """Like `_found`, without the README (its prose, "parsing invoices", also answers)."""
    return [path for path in _found(repo, word) if path != "README.md"]


@pytest.fixture
def branches(initialized_repo):
    """main with src/invoices.py; `other` adds src/refunds.py and drops web/app.js."""
    repo = initialized_repo
    commit_all(repo, "share the settings")
    git(repo, "checkout", "-q", "-b", "other")
    write_files(repo, {"src/refunds.py": "def issue_refund(order):\n"
                                         "    \"\"\"Give the money back.\"\"\"\n"})
    git(repo, "rm", "-q", "web/app.js")
    commit_all(repo, "refunds")
    git(repo, "checkout", "-q", "main")
    _converge(repo)
    return repo


def test_after_init_the_plan_is_converged(initialized_repo):
    found = _plan(initialized_repo)
    assert found.converged
    assert found.tracked == 3 and found.current == 3 and found.missing == 0


def test_a_branch_switch_documents_new_files_and_drops_gone_ones(branches):
    repo = branches
    git(repo, "checkout", "-q", "other")
    found = _plan(repo)
    assert found.document == [("src/refunds.py", git(repo, "rev-parse", "HEAD:src/refunds.py")
                               .strip())]
    assert found.remove == ["web/app.js"]
    _converge(repo)
    assert _found(repo, "issue_refund") == ["src/refunds.py"]
    assert _found(repo, "renderInvoice") == []
    assert _plan(repo).converged


def test_switching_back_points_at_kept_records_without_documenting(branches):
    repo = branches
    git(repo, "checkout", "-q", "other")
    _converge(repo)
    git(repo, "checkout", "-q", "main")
    found = _plan(repo)
    assert found.document == [] and found.point and found.remove == ["src/refunds.py"]
    outcome = _converge(repo)
    assert outcome.documented == 0
    assert _found(repo, "renderInvoice") == ["web/app.js"]
    assert _found(repo, "issue_refund") == []


def test_a_branch_round_trip_makes_no_llm_call(branches, tmp_path, monkeypatch):
    repo = branches
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]})
    _converge(repo)  # the documenter changed: every file once
    first = len(logged_calls(log))
    assert first == 3
    git(repo, "checkout", "-q", "other")
    _converge(repo)
    assert len(logged_calls(log)) == first + 1  # only src/refunds.py is new content
    git(repo, "checkout", "-q", "main")
    _converge(repo)
    git(repo, "checkout", "-q", "other")
    _converge(repo)
    assert len(logged_calls(log)) == first + 1
    assert _found(repo, "fake_refunds") == ["src/refunds.py"]


def test_a_rename_moves_the_record_without_documenting(branches):
    repo = branches
    git(repo, "mv", "src/invoices.py", "src/billing.py")
    commit_all(repo, "rename")
    outcome = _converge(repo)
    assert outcome.documented == 0
    assert _source_files_found(repo, "parse_invoice") == ["src/billing.py"]


def test_an_uncommitted_edit_is_stale_not_documented(branches):
    repo = branches
    write_files(repo, {"src/invoices.py": "def edited():\n    pass\n"})
    assert _plan(repo).converged
    result = cli_json(repo, "search", "parse_invoice")[0]
    assert (result["path"], result["stale"]) == ("src/invoices.py", True)


def test_an_explicit_document_of_an_edit_is_kept_by_the_reconciler(branches):
    repo = branches
    write_files(repo, {"src/invoices.py": "def edited_now():\n    pass\n"})
    assert cli_run(repo, "document", "src/invoices.py").exit_code == 0
    assert _found(repo, "edited_now") == ["src/invoices.py"]
    assert _plan(repo).converged  # it describes the work tree: more current than the index
    git(repo, "checkout", "--", "src/invoices.py")
    found = _plan(repo)
    assert [p for p, _ in found.point + found.document] == ["src/invoices.py"]
    _converge(repo)
    assert _source_files_found(repo, "parse_invoice") == ["src/invoices.py"]


def test_a_reset_hard_converges(branches):
    repo = branches
    write_files(repo, {"src/later.py": "def later_feature():\n    pass\n"})
    commit_all(repo, "later")
    _converge(repo)
    assert _found(repo, "later_feature") == ["src/later.py"]
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    _converge(repo)
    assert _found(repo, "later_feature") == []
    assert _plan(repo).converged


def test_a_path_that_is_gone_cancels_its_pending_job(branches):
    repo = branches
    write_files(repo, {"src/tmp.py": "def temporary():\n    pass\n"})
    commit_all(repo, "tmp")
    runner = JobRunner(Workspace(repo))
    ws = Workspace(repo)
    result = local_run.submit(ws, runner, local_run.prepare(ws, runner, None))
    [queued] = result.queued
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    found = _plan(repo)
    assert found.cancel == [queued.id]
    reconcile.apply(runner.store, found, trigger="test")
    assert ledger.get(runner.store.conn, queued.id).status == ledger.CANCELLED


def test_switching_the_documenter_queues_every_file(branches, tmp_path, monkeypatch):
    repo = branches
    monkeypatch.setenv("FAKE_LLM_LOG", str(tmp_path / "calls.jsonl"))
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]})
    result = cli_run(repo, "document", "--queue")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3
    assert "everything is documented already" not in result.stderr


def test_a_binary_file_is_skipped_once_and_remembered(branches):
    repo = branches
    write_files(repo, {"logo.bin": b"\x89PNG\0\0\0binary"})
    commit_all(repo, "logo")
    outcome = _converge(repo)
    assert outcome.skipped["binary"] == 1
    found = _plan(repo)
    assert found.converged and found.skipped == 1
    configure(repo, files={"max_file_bytes": 4096})  # the rules changed: judged again
    assert [p for p, _ in _plan(repo).document] == ["logo.bin"]


def test_a_lowered_size_limit_skips_files_documented_before_and_a_raised_one_returns_them(
        branches):
    # the limit had applied to new content only: records over it stayed, and doctor
    # said the index matched the tree
    repo = branches
    write_files(repo, {"src/ledger.py": "def post_entry(entry):\n    \"\"\"Post it.\"\"\"\n"
                                        + "# padding\n" * 200})
    commit_all(repo, "ledger")
    _converge(repo)
    assert "src/ledger.py" in _found(repo, "post_entry")
    configure(repo, files={"max_file_bytes": 1000})
    found = _plan(repo)
    assert [p for p, _ in found.document] == ["src/ledger.py"] and found.outdated == 1
    assert _converge(repo).skipped["too large"] == 1
    assert "src/ledger.py" not in _found(repo, "post_entry")
    assert _plan(repo).converged
    configure(repo, files={"max_file_bytes": 100_000})
    _converge(repo)
    assert "src/ledger.py" in _found(repo, "post_entry")


def test_an_excluded_path_loses_its_record(branches):
    repo = branches
    configure(repo, files={"exclude": ["web/*"]})
    found = _plan(repo)
    assert found.remove == ["web/app.js"]


def test_a_new_secret_pattern_turns_a_record_into_metadata(branches):
    repo = branches
    assert _plan(repo).converged
    configure(repo, files={"secret_patterns": ["invoices.py"]})
    found = _plan(repo)
    assert [p for p, _ in found.document] == ["src/invoices.py"]
    _converge(repo)
    record = cli_json(repo, "show", "src/invoices.py")
    assert record["functions"] == [] and "Secret-looking" in record["notes"][0]


def test_records_no_path_uses_are_pruned_after_retention(branches):
    repo = branches
    git(repo, "checkout", "-q", "other")
    _converge(repo)
    git(repo, "checkout", "-q", "main")
    _converge(repo)
    store = JobRunner(Workspace(repo)).store
    kept = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    with ledger.transaction(store.conn):
        assert store.prune_documents(7) == 0  # used moments ago
        store.conn.execute("UPDATE documents SET used_at = ?", (time.time() - 8 * 86400,))
        assert store.prune_documents(7) == 1  # src/refunds.py: no path on main uses it
    assert store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == kept - 1


def test_a_file_that_fails_keeps_a_pending_job(repo, tmp_path, monkeypatch):
    assert cli_run(repo, "init", "--no-document").exit_code == 0
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]})
    result = cli_run(repo, "document", "--yes")
    assert result.exit_code == 1
    assert "3 failed" in result.stderr
    listed = cli_run(repo, "queue", "list", "--status", "pending", "--json")
    pending = json.loads(listed.stdout)
    assert sorted(j["path"] for j in pending) == ["README.md", "src/invoices.py", "web/app.js"]


def test_status_counts_missing_files_and_the_last_reconcile(branches):
    repo = branches
    write_files(repo, {"new_a.py": "a = 1\n", "new_b.py": "b = 1\n"})
    commit_all(repo, "two new files")  # the hooks are off: nothing documents them
    report = cli_json(repo, "status")
    assert report["index"]["missing"] == 2
    assert report["index"]["last_reconcile"]["trigger"]
    _converge(repo)
    assert cli_json(repo, "status")["index"]["missing"] == 0


def test_status_keeps_the_last_reconcile_that_changed_something(branches):
    # a trial's `status` showed only the periodic check that came after a branch switch
    repo = branches
    git(repo, "checkout", "-q", "other")
    _converge(repo)
    runner = JobRunner(Workspace(repo))
    switched = reconcile.last_run(runner.store)
    assert switched["last_change"]["ran_at"] == switched["ran_at"]
    assert switched["last_change"]["removed"] == 1  # web/app.js
    assert switched["last_change"]["trigger"] == "test"
    reconcile.reconcile(runner.store, repo, runner.config, runner.identity, trigger="periodic")
    later = reconcile.last_run(runner.store)
    assert later["trigger"] == "periodic" and later["removed"] == 0
    assert later["last_change"] == switched["last_change"]
    shown = cli_run(repo, "status").output
    assert "(periodic" in shown and "; last change " in shown and "(test): " in shown, shown
    assert cli_json(repo, "status")["index"]["last_reconcile"]["last_change"] == (
        switched["last_change"])
    git(repo, "checkout", "-q", "main")  # a change again: it replaces the one kept
    reconcile.reconcile(runner.store, repo, runner.config, runner.identity, trigger="hook")
    back = reconcile.last_run(runner.store)
    assert back["last_change"]["trigger"] == "hook"
    assert back["last_change"]["pointed"] == 1  # web/app.js, its record kept
    assert back["last_change"]["removed"] == 1  # src/refunds.py
    assert back["last_change"]["ran_at"] == back["ran_at"]
    assert "; last change " not in cli_run(repo, "status").output  # the last run is it


def test_no_reconcile_that_changed_anything_is_no_last_change(tmp_path):
    from codequery.store import Store, connect

    store = Store(connect(tmp_path / "data.db"), "demo")
    reconcile.record_run(store, reconcile.Plan(tracked=3), [], 2.0, "periodic", None)
    last = reconcile.last_run(store)
    assert last["trigger"] == "periodic" and last["tracked"] == 3
    assert last["last_change"] is None


def test_a_database_from_before_content_keys_needs_no_redocumenting(branches):
    repo = branches
    store = JobRunner(Workspace(repo)).store
    with ledger.transaction(store.conn):  # what migration 5 gives records made before it
        store.conn.execute("UPDATE records SET doc_key = content_sha || ':' || documenter "
                           "|| ':' || coalesce(model, '') || ':legacy:' || language")
        store.conn.execute("DELETE FROM documents")
    assert _plan(repo).converged
    assert json.loads(json.dumps(cli_json(repo, "status")["index"]))["outdated"] == 0


def test_a_pulled_llm_command_does_not_run_until_approved_here(branches, tmp_path,
                                                                 monkeypatch):
    repo = branches
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    path = repo / ".code-query" / "config.json"
    cfg = json.loads(path.read_text())
    cfg["documenter"] = {"name": "command", "command": [sys.executable, str(FAKE_LLM)]}
    path.write_text(json.dumps(cfg))  # as a pull or a teammate's commit would bring it
    result = cli_run(repo, "document")
    assert result.exit_code == 1
    assert "has not approved these settings" in result.stderr
    assert "codequery init" in result.stderr
    assert logged_calls(log) == []
    assert cli_run(repo, "init", "--no-document").exit_code == 0  # the user reviews, approves
    assert cli_run(repo, "document").exit_code == 0
    assert len(logged_calls(log)) == 3


def test_a_secret_name_and_an_ordinary_name_never_share_a_record(branches):
    repo = branches
    write_files(repo, {".env.local": "", "pkg/__init__.py": "", ".env.prod": "A = 1\n",
                       "conf.py": "A = 1\n"})
    commit_all(repo, "same bytes, different kinds of name")
    _converge(repo)
    assert cli_json(repo, "show", "pkg/__init__.py")["language"] == "python"
    assert cli_json(repo, "show", "pkg/__init__.py")["notes"] == []
    assert "Secret-looking" in cli_json(repo, "show", ".env.prod")["notes"][0]
    assert cli_json(repo, "show", "conf.py")["notes"] == []
    assert _plan(repo).converged


def test_a_rename_to_another_language_is_documented_as_that_language(branches):
    repo = branches
    write_files(repo, {"notes.txt": "# Title\n\nSome words.\n"})
    commit_all(repo, "notes")
    _converge(repo)
    git(repo, "mv", "notes.txt", "notes.md")
    commit_all(repo, "now markdown")
    _converge(repo)
    assert cli_json(repo, "show", "notes.md")["language"] == "markdown"


def test_a_binary_edit_on_disk_does_not_hide_the_committed_file(branches):
    repo = branches
    write_files(repo, {"src/invoices.py": b"\x00\x01binary now"})
    assert cli_run(repo, "document", "src/invoices.py").exit_code == 0
    git(repo, "checkout", "--", "src/invoices.py")
    _converge(repo)
    assert _source_files_found(repo, "parse_invoice") == ["src/invoices.py"]
    assert _plan(repo).converged


def test_the_reconciler_keeps_a_queued_request_for_an_uncommitted_edit(branches):
    repo = branches
    write_files(repo, {"src/new.py": "def committed_version():\n    pass\n"})
    commit_all(repo, "new")
    write_files(repo, {"src/new.py": "def edited_version():\n    pass\n"})
    queued = cli_run(repo, "document", "--queue", "src/new.py")
    assert queued.exit_code == 0 and len(queued.stdout.splitlines()) == 1
    found = _plan(repo)  # git's copy has no record either: the edit still wins
    assert found.document == [] and len(found.waiting) == 1
    _converge(repo)
    assert _found(repo, "edited_version") == ["src/new.py"]


def test_a_request_for_an_edit_a_worker_holds_is_not_superseded_by_the_committed_copy(
        branches):
    # an agent's `document` of an edit, taken by a worker and put back while the
    # documenter is blocked: a periodic check in between queued git's copy, and the
    # request was cancelled as superseded by it
    repo = branches
    write_files(repo, {"src/new.py": "def committed_version():\n    pass\n"})
    commit_all(repo, "new")
    write_files(repo, {"src/new.py": "def edited_version():\n    pass\n"})
    queued = cli_run(repo, "document", "--queue", "src/new.py")
    assert queued.exit_code == 0
    runner = JobRunner(Workspace(repo))
    conn = runner.store.conn
    (job_id, _), = [(v[0], k) for k, v in ledger.open_work(conn, runner.store.dataset).items()
                    if k[0] == "src/new.py"]
    held = ledger.claim(conn, job_id, "worker-1/1", 60)
    assert held is not None and held.status == ledger.PROCESSING
    found = _plan(repo)
    assert found.document == [] and found.state["src/new.py"] == reconcile.QUEUED
    reconcile.apply(runner.store, found, trigger="periodic check")
    assert ledger.reschedule(conn, held, "worker-1/1", 0.0, "blocked")
    assert ledger.get(conn, job_id).status == ledger.PENDING  # not cancelled
    _converge(repo)
    assert _found(repo, "edited_version") == ["src/new.py"]


def test_a_run_retries_a_job_waiting_out_its_back_off(repo, tmp_path, monkeypatch):
    assert cli_run(repo, "init", "--no-document").exit_code == 0
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]},
              processing={"retry_base_seconds": 300})
    assert cli_run(repo, "document", "--yes").exit_code == 1
    monkeypatch.delenv("FAKE_LLM_FAIL")
    result = cli_run(repo, "document", "--yes")  # what the first run said to do
    assert result.exit_code == 0, result.stderr
    assert "3 documented" in result.stderr


def test_the_summary_counts_each_file_once(branches):
    repo = branches
    result = cli_run(repo, "document", "--force")
    assert "3 documented, 0 unchanged" in result.stderr
    write_files(repo, {"src/invoices.py": "def edited():\n    pass\n"})
    result = cli_run(repo, "document", "src/invoices.py")
    assert "1 documented, 0 unchanged" in result.stderr


def test_a_directory_where_git_has_a_file_is_documented_from_git(branches):
    repo = branches
    (repo / "web/app.js").unlink()
    (repo / "web/app.js").mkdir()  # git's index still says: a file, this content
    store = JobRunner(Workspace(repo)).store
    with ledger.transaction(store.conn):
        store.delete(["web/app.js"])
    _converge(repo)
    assert _found(repo, "renderInvoice") == ["web/app.js"]
    assert _plan(repo).converged  # and so no job comes back for it


def test_a_dead_job_is_reported_not_counted_as_unchanged(repo, monkeypatch):
    assert cli_run(repo, "init", "--no-document").exit_code == 0
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]},
              processing={"max_retries": 0})
    assert cli_run(repo, "document", "--yes").exit_code == 1
    result = cli_run(repo, "document", "--yes")
    assert result.exit_code == 1
    assert "0 documented, 0 unchanged" in result.stderr
    assert "3 dead (codequery queue retry --all-dead)" in result.stderr


def _pending_paths(repo) -> list[str]:
    runner = JobRunner(Workspace(repo))
    rows = runner.store.conn.execute(
        "SELECT path FROM jobs WHERE status = ? ORDER BY path", (ledger.PENDING,))
    return [row[0] for row in rows]


def test_a_file_that_would_not_fit_the_time_left_is_left_for_the_worker(branches):
    # 1 MB of definitions would take about 4 s at the pace first assumed: a 3 s budget
    # leaves it pending and goes on with the small file after it
    big = "".join(f"def f{i}(a):\n    return a + {i}\n\n" for i in range(35_000))
    assert len(big) > 1_000_000
    write_files(branches, {"src/aaa_generated.py": big, "src/zz_small.py": "def f():\n    pass\n"})
    commit_all(branches, "a large file and a small one")
    outcome = local_run.document_now(Workspace(branches), trigger="test",
                                     deadline=time.monotonic() + 3.0)
    assert outcome.documented == 1 and outcome.left == 1
    assert _pending_paths(branches) == ["src/aaa_generated.py"]
    assert "src/zz_small.py" in _source_files_found(branches, "zz_small")
    # without a deadline (the worker, `codequery document`) it is documented
    assert local_run.document_now(Workspace(branches), trigger="test").documented == 1
    assert _pending_paths(branches) == []


def test_the_pace_is_assumed_until_sizeable_files_were_timed():
    pace = local_run.Pace()
    assumed = 1_000_000 / local_run.ASSUMED_BYTES_PER_SECOND
    assert pace.seconds(1_000_000) == pytest.approx(assumed)
    documented = "documented by builtin"
    pace.took(1_000, 5.0, documented)  # a small file's time is its record's writing
    assert pace.seconds(1_000_000) == pytest.approx(assumed)
    pace.took(300_000, 0.001, "same content documented before")  # no work: not counted
    pace.took(300_000, 0.001, "not documented: binary")
    assert pace.seconds(1_000_000) == pytest.approx(assumed)
    pace.took(300_000, 0.3, documented)  # 1 MB a second
    assert pace.seconds(1_000_000) == pytest.approx(1.0)


@pytest.mark.parametrize("lines, locked", [(20_000, False), (10, True)])
def test_a_large_file_is_documented_outside_the_write_lock(branches, monkeypatch, lines,
                                                          locked):
    # a file over AT_ONCE_MAX_BYTES is documented under a lease (its job shows as
    # processing, and others may write meanwhile); a small one in one transaction
    import sqlite3

    from codequery import jobs

    source = "".join(f"def g{i}(a):\n    return a * {i}\n\n" for i in range(lines))
    assert (len(source) > jobs.AT_ONCE_MAX_BYTES) is not locked
    write_files(branches, {"src/probe.py": source})
    commit_all(branches, "a file to document")
    seen = {}
    real = jobs.make_record

    def watched(content, documenter):  # while the real documenter works: what others see
        other = sqlite3.connect(branches / ".code-query/code_data.db", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen["writable"] = True
        except sqlite3.OperationalError:
            seen["writable"] = False
        seen["status"] = other.execute("SELECT status FROM jobs WHERE path = 'src/probe.py' "
                                       "ORDER BY created_at DESC LIMIT 1").fetchone()[0]
        other.close()
        return real(content, documenter)

    monkeypatch.setattr(jobs, "make_record", watched)
    assert _converge(branches).documented == 1
    assert seen == ({"writable": False, "status": ledger.PENDING} if locked
                    else {"writable": True, "status": ledger.PROCESSING})
    assert "src/probe.py" in _source_files_found(branches, "probe")


def test_files_settled_at_once_are_not_left_for_the_time_they_would_take(branches):
    # a binary and a file over the size limit are skips, done in no time: a budget of
    # a second does not leave them pending for ever (they had been, every commit)
    write_files(branches, {"assets/blob.bin": "\0" * 1_500_000,
                           "data/huge.py": "x = 1\n" * 800_000})
    commit_all(branches, "a binary and a huge file")
    outcome = local_run.document_now(Workspace(branches), trigger="test",
                                     deadline=time.monotonic() + 1.0)
    assert outcome.left == 0 and _pending_paths(branches) == []
    assert outcome.skipped["binary"] == 1 and outcome.skipped["too large"] == 1


def test_a_plan_reads_only_the_files_git_sees_modified(branches, monkeypatch):
    # after an upgrade every record is of an older version: status had read and hashed
    # every file of the tree (0.5 s at 5,000 files)
    repo = branches
    monkeypatch.setattr("codequery.documenters.BUILTIN_VERSION", "b-next")
    (repo / "src" / "invoices.py").write_text("def edited():\n    pass\n")  # not committed
    read: list[str] = []
    real = reconcile.file_text.regular_bytes

    def counted(root, path, *args):
        read.append(path)
        return real(root, path, *args)

    monkeypatch.setattr(reconcile.file_text, "regular_bytes", counted)
    found = _plan(repo)
    assert found.outdated == found.tracked  # every record is of the older version
    assert read == ["src/invoices.py"]


def test_a_pending_job_for_content_kept_under_another_path_completes_in_a_local_run(
        initialized_repo):
    # a new user's trial: `init` cut short by Ctrl-C left jobs pending for files whose
    # content another file has (docs/fonts/*.svg); `codequery document` pointed them at
    # the kept record and left their jobs pending, "waiting for a worker", until a
    # second run
    repo = initialized_repo
    body = "def shared_helper():\n    return 42\n"
    write_files(repo, {"src/first.py": body})
    commit_all(repo, "first")
    _converge(repo)
    write_files(repo, {"src/second.py": body})
    commit_all(repo, "second, the same content")
    ws = Workspace(repo)
    runner = JobRunner(ws)
    # queued by name, as `init` queues every file before it runs one
    request = local_run.prepare(ws, runner, ["src/second.py"])
    [queued] = local_run.submit(ws, runner, request, wake=False).queued
    assert queued.path == "src/second.py"
    conn = runner.store.conn
    found = _plan(repo)
    assert [path for path, _ in found.point] == ["src/second.py"]
    assert (queued.id, "src/second.py") in found.waiting
    _converge(repo)
    assert ledger.get(conn, queued.id).status == ledger.COMPLETED
    assert ledger.counts(conn, runner.config.dataset)[ledger.PENDING] == 0
    assert _plan(repo).converged


def test_a_pending_job_for_content_kept_under_another_path_costs_no_call(
        initialized_repo, tmp_path, monkeypatch):
    # a review: the job left waiting (see above) was counted as an LLM call, which could
    # ask to confirm a run that costs nothing
    from codequery.planning import estimate

    repo = initialized_repo
    monkeypatch.setenv("FAKE_LLM_LOG", str(tmp_path / "calls.jsonl"))
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)]})
    body = "def shared_helper():\n    return 42\n"
    write_files(repo, {"src/first.py": body})
    commit_all(repo, "first")
    assert cli_run(repo, "document", "--yes").exit_code == 0
    write_files(repo, {"src/second.py": body})
    commit_all(repo, "second, the same content")
    ws = Workspace(repo)
    runner = JobRunner(ws)
    local_run.submit(ws, runner, local_run.prepare(ws, runner, ["src/second.py"]), wake=False)
    request = local_run.prepare(ws, runner, None)
    assert [path for _, path in request.plan.waiting] == ["src/second.py"]
    assert estimate(runner, request).calls == 0
