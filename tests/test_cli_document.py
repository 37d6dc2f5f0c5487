import json
import os

from codequery.defaults import MAX_FILE_BYTES
from codequery.store import Store, connect
from tests.helpers import cli_json, cli_run, commit_all, git, make_repo, run_installed, write


def _store(repo, dataset="repo"):
    return Store(connect(repo / ".code-query/code_data.db"), dataset)


def test_unchanged_files_cost_nothing_on_a_second_run(repo):
    cli_run(repo, "init")
    before = _store(repo).get("src/invoices.py")["documented_at"]
    result = cli_run(repo, "document")
    assert "0 documented, 3 unchanged" in result.stderr
    assert _store(repo).get("src/invoices.py")["documented_at"] == before


def test_changed_file_is_documented_again(repo):
    cli_run(repo, "init")
    write(repo, {"src/invoices.py": "def refund_invoice():\n    pass\n"})
    result = cli_run(repo, "document", "src/invoices.py")
    assert "1 documented" in result.stderr
    record = _store(repo).get("src/invoices.py")
    assert [f["name"] for f in record["functions"]] == ["refund_invoice"]


def test_force_redocuments_everything(repo):
    cli_run(repo, "init")
    assert "3 documented" in cli_run(repo, "document", "--force").stderr


def test_a_deleted_file_loses_its_record(repo):
    cli_run(repo, "init", "--no-hooks")  # the hook would do it at commit time
    git(repo, "rm", "-q", "web/app.js")
    commit_all(repo)
    result = cli_run(repo, "document")
    assert "1 removed" in result.stderr
    assert "web/app.js" not in _store(repo).paths()


def test_a_tracked_file_deleted_from_disk_keeps_its_record_when_named(repo):
    # git's copy is what there is: `document PATH` of it had dropped its record and left
    # jobs for no content
    cli_run(repo, "init", "--no-hooks")
    (repo / "src" / "invoices.py").unlink()
    for named in ("src/invoices.py", "src"):
        result = cli_run(repo, "document", named)
        assert result.exit_code == 0, result.output
        # not "1 unchanged", as if it had been looked at: it is not there to document
        assert ("0 unchanged, 1 not on disk (deleted; the record stays until the deletion "
                "is staged or committed)") in result.stderr, result.stderr
        assert "missing" not in result.stderr
        assert "src/invoices.py" in _store(repo).paths()
    from codequery import operations
    from codequery.workspace import Workspace

    said = operations.document(Workspace(repo), ["src/invoices.py"])
    assert said["not_on_disk"] == ["src/invoices.py"] and said["done"]


def test_document_of_a_binary_file_says_it_was_skipped_and_why(initialized_repo):
    # a new user's trial: MCP's `document` of a PNG answered no job and no record, and
    # said nothing of why
    from codequery import ledger, operations
    from codequery.workspace import Workspace
    from tests.helpers import commit_all, write

    repo = initialized_repo
    write(repo, {"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary"})
    commit_all(repo, "a logo")
    said = operations.document(Workspace(repo), ["logo.png", "src/invoices.py"])
    assert said["done"] and [r["path"] for r in said["records"]] == ["src/invoices.py"]
    assert said["skipped"] == [{"path": "logo.png", "reason": "binary"}]
    # while its jobs are not done, nothing is said of them yet (this had raised)
    ws = Workspace(repo)
    [queued] = ledger.enqueue(ws.store.conn, ws.config.dataset,
                              [("logo.png", ledger.DOCUMENT, None)])
    progress = operations.document_progress(ws, [queued.id], ["logo.png"])
    assert not progress["finished"] and "skipped" not in progress


def test_documenting_a_file_documents_the_links_that_lead_to_it(repo):
    # RxSwift's Sources/ links into its folders: the link had stayed stale
    (repo / "alias").mkdir()
    os.symlink("../src/invoices.py", repo / "alias" / "invoices.py")
    commit_all(repo, "a link")
    cli_run(repo, "init", "--no-hooks")
    (repo / "src" / "invoices.py").write_text("def parse_receipt(text):\n    return text\n")
    assert cli_run(repo, "document", "src/invoices.py").exit_code == 0
    for path in ("src/invoices.py", "alias/invoices.py"):
        shown = cli_json(repo, "show", path)
        assert not shown["stale"] and shown["functions"][0]["name"] == "parse_receipt", path
    # forced, the file alone is done again: each link would be a documenter call of its own
    assert "1 documented" in cli_run(repo, "document", "--force", "src/invoices.py").stderr


def test_directory_argument_and_paths_relative_to_cwd(repo):
    cli_run(repo, "init", "--no-document")
    result = cli_run(repo / "src", "document", ".")
    assert result.exit_code == 0, result.output
    assert _store(repo).paths() == {"src/invoices.py"}


def test_an_untracked_or_misspelt_path_is_an_error_and_nothing_is_documented(repo):
    cli_run(repo, "init", "--no-document")
    write(repo, {"scratch.py": "x = 1\n"})
    result = cli_run(repo, "document", "README.md", "scratch.py", "nonexist.py")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: not tracked by git: scratch.py, nonexist.py")
    assert len(result.stderr.strip().splitlines()) == 1
    assert _store(repo).paths() == set()


def test_an_untracked_path_is_the_error_given_even_when_the_documenter_is_blocked(
        repo, fake_claude, tmp_path, monkeypatch):
    # a new user's trial: "cannot be called: not logged in" came first, then the error
    from tests.helpers import configure

    cli_run(repo, "init", "--no-document")
    configure(repo, documenter={"name": "claude"})
    logged_out = tmp_path / "logged-out"
    logged_out.touch()
    monkeypatch.setenv("FAKE_CLAUDE_LOGGED_OUT", str(logged_out))
    write(repo, {"scratch.py": "x = 1\n"})
    result = cli_run(repo, "document", "scratch.py")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: not tracked by git: scratch.py"), result.stderr
    assert "not logged in" not in result.stderr
    result = cli_run(repo, "document", "src/invoices.py")  # a tracked file: the block
    assert "not logged in" in result.stderr


def test_queueing_an_untracked_path_is_the_same_error_and_queues_nothing(repo):
    cli_run(repo, "init", "--no-document")
    result = cli_run(repo, "document", "--queue", "nonexist.py")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: not tracked by git: nonexist.py")
    assert cli_run(repo, "queue", "list", "--json").stdout.strip() == "[]"


def test_a_named_tracked_but_excluded_file_is_skipped_not_called_untracked(repo):
    from tests.helpers import configure

    cli_run(repo, "init", "--no-document")
    configure(repo, files={"exclude": ["web/*"]})
    result = cli_run(repo, "document", "web/app.js")
    assert result.exit_code == 0, result.output
    assert "0 documented, 0 unchanged, 1 skipped (1 excluded)" in result.stderr


def test_paths_and_all_together_is_a_usage_error(repo):
    cli_run(repo, "init", "--no-document")
    assert cli_run(repo, "document", "--all", "README.md").exit_code == 2


def test_document_before_init_says_to_init(repo):
    result = cli_run(repo, "document")
    assert result.exit_code == 1
    assert "codequery init" in result.stderr


ODD_NAMES = {
    "with space.py": "def spaced():\n    pass\n",
    "new\nline.py": "def newline_name():\n    pass\n",
    "ünïcødé.py": "def unicode_name():\n    pass\n",
    "-leading-dash.py": "def dashed():\n    pass\n",
    "$(touch pwned).py": "def not_executed():\n    pass\n",
}


def test_odd_filenames_are_documented_and_nothing_is_executed(tmp_path):
    repo = make_repo(tmp_path / "odd", ODD_NAMES)
    cli_run(repo, "init")
    assert _store(repo, "odd").paths() == set(ODD_NAMES)
    assert not (repo / "pwned").exists()
    assert cli_json(repo, "show", "--", "-leading-dash.py")["functions"][0]["name"] == "dashed"
    assert cli_json(repo, "search", "newline_name")[0]["path"] == "new\nline.py"
    result = cli_run(repo, "document", "--force", "--", "-leading-dash.py", "with space.py")
    assert "2 documented" in result.stderr


def test_secret_files_get_metadata_but_never_their_content(tmp_path):
    repo = make_repo(tmp_path / "s", {".env": "API_TOKEN=supersecretvalue\n",
                                      "conf.py": "KEY = 'AKIAIOSFODNN7EXAMPLE'\n"})
    cli_run(repo, "init")
    db = repo / ".code-query/code_data.db"
    raw = db.read_bytes() + (repo / ".code-query/code_data.db-wal").read_bytes()
    assert b"supersecretvalue" not in raw and b"AKIAIOSFODNN7EXAMPLE" not in raw
    record = cli_json(repo, "show", ".env")
    assert record["overview"] == "" and "Secret-looking" in record["notes"][0]


def test_a_pending_redo_of_unchanged_content_is_done_by_the_next_document_run(repo):
    # `document x --force` with a documenter that could not be called leaves a redo job
    # pending; "run `codequery document` again" must then do it, not count it unchanged
    from codequery import ledger, local_run
    from codequery.jobs import JobRunner
    from codequery.workspace import Workspace

    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    runner = JobRunner(ws)
    request = local_run.prepare(ws, runner, ["src/invoices.py"], force=True)
    queued = local_run.submit(ws, runner, request, wake=False).queued
    assert [q.path for q in queued] == ["src/invoices.py"]
    store = _store(repo)
    assert list(ledger.open_work(store.conn, "repo").values()) == [(queued[0].id,
                                                                    ledger.PENDING)]
    result = cli_run(repo, "document")
    assert "1 documented, 2 unchanged" in result.stderr, result.stderr
    assert ledger.open_work(_store(repo).conn, "repo") == {}


def test_a_job_a_killed_run_held_is_done_by_the_next_run_planned_before_it_starts(repo):
    # Ctrl-C during `document --force` with an LLM documenter left the job it was on
    # processing; the next `codequery document` plans first (to ask about the cost) and
    # had released that job only after its plan, leaving it pending for a worker
    from codequery import ledger, local_run
    from codequery.jobs import JobRunner
    from codequery.workspace import Workspace

    cli_run(repo, "init", "--no-hooks")
    store = _store(repo)
    sha = git(repo, "rev-parse", "HEAD:src/invoices.py").strip()
    [queued] = ledger.enqueue(store.conn, "repo", [("src/invoices.py", ledger.REDO, sha)])
    assert ledger.claim(store.conn, queued.id, "999999/cli", lease_seconds=3600) is not None
    ws = Workspace(repo)
    runner = JobRunner(ws)
    request = local_run.prepare(ws, runner, None)  # as the CLI does before asking
    outcome = local_run.document_now(ws, runner=runner, request=request)
    assert not outcome.failed and not outcome.left
    assert ledger.get(store.conn, queued.id).status == ledger.COMPLETED
    assert ledger.open_work(store.conn, "repo") == {}


def test_jobs_for_uncommitted_edits_left_pending_are_done_by_the_next_document_run(repo):
    # `document PATH` cut short (an MCP server killed mid-call) left jobs for the edits
    # on disk; `codequery document`, which doctor and status advise, had left them pending
    cli_run(repo, "init", "--no-hooks")
    (repo / "src" / "invoices.py").write_text("def parse_receipt(text):\n    return text\n")
    assert cli_run(repo, "document", "--queue", "src/invoices.py").exit_code == 0
    assert cli_json(repo, "status")["queue"]["pending"] == 1
    result = cli_run(repo, "document")
    assert result.exit_code == 0, result.output
    assert cli_json(repo, "status")["queue"]["pending"] == 0
    assert cli_json(repo, "search", "parse_receipt")[0]["path"] == "src/invoices.py"
    (repo / "src" / "invoices.py").write_text("def parse_again(text):\n    return text\n")
    assert cli_run(repo, "document", "--queue", "src/invoices.py").exit_code == 0
    assert cli_run(repo, "document").exit_code == 0  # an edit the record describes not
    assert cli_json(repo, "status")["queue"]["pending"] == 0
    assert cli_json(repo, "search", "parse_again")[0]["path"] == "src/invoices.py"
    # and one the record describes already (left by a run cut short after another had
    # documented the edit): the job completes, as unchanged
    from codequery import git as git_mod
    from codequery import ledger

    disk = git_mod.blob_sha((repo / "src" / "invoices.py").read_bytes())
    ledger.enqueue(_store(repo).conn, "repo", [("src/invoices.py", ledger.DOCUMENT, disk)])
    assert cli_json(repo, "status")["queue"]["pending"] == 1
    assert cli_run(repo, "document").exit_code == 0
    assert cli_json(repo, "status")["queue"]["pending"] == 0


def test_pending_redos_of_skipped_files_are_settled_by_the_next_document_run(tmp_path):
    # Ctrl-C during `document --force` leaves a redo job pending for every file not done
    # yet; a binary or too-large file among them must not keep its job pending forever
    from codequery import ledger, local_run
    from codequery.jobs import JobRunner
    from codequery.workspace import Workspace

    repo = make_repo(tmp_path / "r", {"a.py": "def a():\n    pass\n",
                                      "bin.dat": b"\x00\x01binary",
                                      "big.txt": "x" * (MAX_FILE_BYTES + 1)})
    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    runner = JobRunner(ws)
    request = local_run.prepare(ws, runner, None, force=True)  # queued, then interrupted
    local_run.submit(ws, runner, request, wake=False)
    assert len(ledger.open_work(_store(repo, "r").conn, "r")) == 3
    result = cli_run(repo, "document")
    assert result.exit_code == 0, result.output
    assert ledger.open_work(_store(repo, "r").conn, "r") == {}
    assert cli_json(repo, "status")["queue"]["pending"] == 0
    assert "1 documented, 0 unchanged, 2 skipped (" in result.stderr
    assert "1 binary" in result.stderr and "1 too large" in result.stderr
    # which ones (a trial's init said `1 skipped (1 binary)` and not which file)
    assert "codequery: skipped: big.txt (too large" in result.stderr
    assert "bin.dat (binary)" in result.stderr


def test_a_named_symlink_leading_out_of_the_repository_stays_skipped(tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    repo = make_repo(tmp_path / "r", {"a.py": "def a():\n    pass\n"})
    (repo / "out").symlink_to(outside)
    commit_all(repo, "a link out")
    cli_run(repo, "init", "--no-hooks")
    result = cli_run(repo, "document", "out")
    assert result.exit_code == 0, result.output
    assert "0 documented, 0 unchanged, 1 skipped (1 symlink outside" in result.stderr
    index = cli_json(repo, "status")["index"]
    assert (index["documented"], index["missing"], index["skipped"]) == (1, 0, 1)


def test_a_path_with_a_line_break_is_printed_quoted_one_line_per_job(tmp_path):
    repo = make_repo(tmp_path / "odd", {"new\nline.py": "def newline_name():\n    pass\n",
                                        "plain.py": "x = 1\n"})
    cli_run(repo, "init", "--no-document")
    result = cli_run(repo, "document", "--queue")
    lines = sorted(line.split("\t")[1] for line in result.stdout.splitlines())
    assert lines == ['"new\\nline.py"', "plain.py"]


def test_a_damaged_database_stops_document_with_what_to_do_not_a_traceback(damaged_repo):
    result = run_installed(damaged_repo, "document")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use database ")
    assert "move it aside and run `codequery document`" in result.stderr
    assert "Traceback" not in result.stderr


def test_queue_list_into_a_pipe_keeps_each_job_on_one_line(repo):
    # a new user's `queue list | grep` found paths folded at 80 columns
    deep = "src/" + "/".join(f"a_rather_long_folder_name_{n}" for n in range(4)) + "/job.py"
    write(repo, {deep: "x = 1\n"})
    commit_all(repo, "deep")
    cli_run(repo, "init", "--no-document")
    assert cli_run(repo, "document", "--queue", deep).exit_code == 0
    lines = cli_run(repo, "queue", "list").stdout.splitlines()
    [row] = [line for line in lines if deep in line]
    assert "pending" in row and len(row) > 100
    # plain lines, tab-separated, as an agent or `cut -f` reads them: no box drawing
    assert lines[0].split("\t") == ["id", "operation", "path", "status", "created", "retries"]
    assert row.split("\t")[2:4] == [deep, "pending"]
    assert not any(ch in "".join(lines) for ch in "│┃┏━─")


def test_events_say_when_the_limit_cut_them(repo):
    assert cli_run(repo, "init").exit_code == 0  # an event or more for each file
    cut = cli_run(repo, "events", "--limit", "2")
    assert len(cut.stdout.splitlines()) == 2
    assert "codequery: the newest 2 events (--limit for more)" in cut.stderr
    assert cli_run(repo, "events", "-n", "2").stdout == cut.stdout  # as `worker logs -n`
    whole = cli_run(repo, "events", "--limit", "1000")
    n = len(whole.stdout.splitlines())
    assert 2 < n < 1000 and "--limit for more" not in whole.stderr
    exactly = cli_run(repo, "events", "--limit", str(n))  # all of them: nothing was cut
    assert exactly.stdout == whole.stdout and "--limit for more" not in exactly.stderr
    one_less = cli_run(repo, "events", "--limit", str(n - 1))
    assert one_less.stdout.splitlines() == whole.stdout.splitlines()[1:]
    assert "--limit for more" in one_less.stderr


def test_queue_list_says_when_the_limit_cut_it(repo):
    assert cli_run(repo, "init").exit_code == 0  # a job for each of the 3 files
    cut = cli_run(repo, "queue", "list", "--limit", "2", "--json")
    assert len(json.loads(cut.stdout)) == 2
    assert "codequery: the newest 2 of 3 jobs (--limit for more)" in cut.stderr
    whole = cli_run(repo, "queue", "list", "--limit", "3")
    assert "--limit for more" not in whole.stderr


def test_queue_retry_of_a_completed_job_says_why_nothing_happened(repo):
    assert cli_run(repo, "init").exit_code == 0
    [job] = json.loads(cli_run(repo, "queue", "list", "--limit", "1", "--json").stdout)
    assert job["status"] == "completed"
    result = cli_run(repo, "queue", "retry", job["id"])
    assert result.exit_code == 1 and "0 jobs queued again" in result.stdout
    assert "only dead or cancelled jobs can be retried" in result.stderr
    cancelled = cli_run(repo, "queue", "cancel", job["id"])
    assert cancelled.exit_code == 1 and "0 of 1 jobs cancelled" in cancelled.stdout
    assert "only pending jobs can be cancelled" in cancelled.stderr
