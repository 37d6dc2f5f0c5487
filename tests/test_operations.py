"""The operations layer (codequery/operations.py), called in process: what the CLI, the
MCP server and any other face get back, and the errors they pass on."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from codequery import local_run, operations
from codequery.errors import CodeQueryError
from codequery.workspace import Workspace
from tests.helpers import cli_run, commit_all, git, make_repo, use_fake_llm, write

SECRET_VALUE = "zq9-unguessable-secret-marker"
NEW_FUNCTION = (
    "\n\ndef settle_overdue_invoices(invoices: list) -> int:\n"
    '    """Mark every overdue invoice as settled."""\n'
    "    return len(invoices)\n"
)


@pytest.fixture
def quiet_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits made by a test do not run codequery's git hooks."""
    monkeypatch.setenv("CODEQUERY_SKIP", "1")


@pytest.fixture
def ws(initialized_repo: Path) -> Workspace:
    return Workspace(initialized_repo)


@pytest.fixture
def tricky_repo(repo: Path, tmp_path: Path, quiet_hooks: None) -> Path:
    """`repo` plus a secret-looking file and a symlink pointing outside, then `init`."""
    outside = tmp_path / "outside.py"
    outside.write_text("def outside_function():\n    return 1\n", encoding="utf-8")
    write(repo, {".env": f"TOKEN=abc\nAPI_SECRET={SECRET_VALUE}\n"})
    os.symlink(outside, repo / "escape.py")
    commit_all(repo, "a secret and a symlink")
    assert cli_run(repo, "init").exit_code == 0
    return repo


def _error(call, *args, **kwargs) -> str:
    with pytest.raises(CodeQueryError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# --- search -----------------------------------------------------------------------------

def test_search_returns_ranked_files_with_matching_symbols_and_lines(ws: Workspace):
    results = operations.search(ws, "parse_invoice")
    assert results[0]["path"] == "src/invoices.py"
    assert set(results[0]) >= {"path", "score", "overview", "snippet", "stale", "symbols"}
    assert results[0]["stale"] is False
    assert "content_sha" not in results[0]
    assert "\x02" not in results[0]["snippet"] and "**" in results[0]["snippet"]
    symbols = {s["name"]: s for s in results[0]["symbols"]}
    assert symbols["parse_invoice"]["kind"] == "function"
    assert symbols["parse_invoice"]["line"] == 6
    assert symbols["parse_invoice"]["summary"] == "Read one invoice from JSON text."


def test_search_names_methods_with_their_class_and_line(ws: Workspace):
    [result] = [r for r in operations.search(ws, "total*") if r["path"] == "src/invoices.py"]
    symbols = {s["name"]: s for s in result["symbols"]}
    assert symbols["InvoiceTotaler"]["line"] == 11
    assert symbols["InvoiceTotaler.total"] == {"name": "InvoiceTotaler.total", "kind": "method",
                                               "line": 14, "summary": ""}


def test_search_points_at_the_code_not_at_imports_that_name_the_words(repo: Path,
                                                                       quiet_hooks: None):
    """javaparser's CommentsInserter imports `...ast.comments.Comment` and `...ast.Node`:
    where a question's words meet most is its imports. The result points at the class
    named with them instead; words meeting in the code are pointed at as they are."""
    imports = "".join(f"import org.example.ast.comments.Comment{i};\n"
                      f"import org.example.ast.Node{i};\n" for i in range(6))
    body = "".join(f"    int helper{i}() {{ return {i}; }}\n" for i in range(30))
    write(repo, {
        "src/CommentsInserter.java": "/* Licence: free to use. */\npackage org.example;\n\n"
        + imports + "\n/**\n * Assigns each remark to the tree element it belongs to.\n *\n"
        " * @author someone\n * @since 1.0\n */\npublic class CommentsInserter {\n"
        + body + "}\n",
        "src/Walker.java": "package org.example;\n\npublic class Walker {\n" + body
        + "    void visit() {\n        attached(comments, node);\n"
        "        attach(comments, ast, node);\n    }\n}\n"})
    commit_all(repo, "java")
    assert cli_run(repo, "init").exit_code == 0
    results = {r["path"]: r for r in operations.search(Workspace(repo),
                                                      "comments attached to an ast node")}
    inserter = results["src/CommentsInserter.java"]
    assert inserter["lines"] is None
    assert inserter["symbols"][0]["name"] == "CommentsInserter"
    assert inserter["symbols"][0]["line"] == 23
    assert results["src/Walker.java"]["lines"] == [35, 36]
    # a module's doc holding the words is pointed at, though a function is named with one
    write(repo, {"src/remarks.py": '"""Comments attached to an AST node, kept in order."""\n'
                 + "\n" * 40 + "def comments():\n    return []\n"})
    commit_all(repo, "python")
    assert cli_run(repo, "document").exit_code == 0
    found = {r["path"]: r for r in operations.search(Workspace(repo),
                                                    "comments attached to an ast node")}
    assert found["src/remarks.py"]["lines"] == [1, 1]


def test_a_file_and_a_symlink_to_it_are_shown_by_the_file(repo: Path, quiet_hooks: None):
    """pyenv's `bin/pyenv` links to `libexec/pyenv`: one result, named by the file itself
    though the link's path is shorter, with the link among its copies."""
    code = "".join(f"dispatch_{i}() {{\n  plugin_hooks_{i} \"$@\"\n}}\n" for i in range(12))
    write(repo, {"libexec/dispatcher": "#!/usr/bin/env bash\n" + code})
    (repo / "bin").mkdir()
    os.symlink("../libexec/dispatcher", repo / "bin" / "dispatcher")
    commit_all(repo, "a command and its link")
    assert cli_run(repo, "init").exit_code == 0
    ws = Workspace(repo)
    results = operations.search(ws, "dispatch plugin hooks")
    shown = [r for r in results if "dispatcher" in r["path"]]
    assert [(r["path"], r["copies"]) for r in shown] == [("libexec/dispatcher",
                                                          ["bin/dispatcher"])]
    assert not shown[0]["stale"]


def test_a_link_is_shown_by_the_file_it_leads_to_before_other_copies(tmp_path: Path):
    repo = make_repo(tmp_path / "links", {path: "same\n" for path in (
        "libexec/run", "plugins/a/run", "z/run", "tests/check_run.py")})
    (repo / "bin").mkdir()
    os.symlink("../libexec/run", repo / "bin" / "run")
    os.symlink("../z/run", repo / "bin" / "other")
    os.symlink("../tests/check_run.py", repo / "bin" / "check_run.py")
    commit_all(repo, "links")
    assert cli_run(repo, "init").exit_code == 0
    ws = Workspace(repo)

    def shown(result: dict) -> tuple:
        operations._file_before_its_links(ws, result)
        return result["path"], result["copies"], result.get("kind")

    assert shown({"path": "bin/run", "copies": ["plugins/a/run", "libexec/run", "bin/other"],
                  "kind": "source"}) == (
        "libexec/run", ["bin/run", "plugins/a/run", "bin/other"], "source")
    # a link to a file that is no copy: the shortest real copy
    assert shown({"path": "bin/other", "copies": ["plugins/a/run", "libexec/run"]})[:2] == (
        "libexec/run", ["bin/other", "plugins/a/run"])
    # the file already: as it is
    assert shown({"path": "libexec/run", "copies": ["bin/run"], "kind": "source"}) == (
        "libexec/run", ["bin/run"], "source")
    # a link into the tests (RxSwift's Sources/AllTestz/): shown as the test it is
    assert shown({"path": "bin/check_run.py", "copies": ["tests/check_run.py"],
                  "kind": "source"}) == ("tests/check_run.py", ["bin/check_run.py"], "test")


def test_search_respects_the_limit(ws: Workspace):
    assert len(operations.search(ws, "invoice*", limit=10)) >= 2
    assert len(operations.search(ws, "invoice*", limit=1)) == 1


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_search_with_an_empty_query_is_a_clear_error(ws: Workspace, query: str):
    assert "query is empty" in _error(operations.search, ws, query)


@pytest.mark.parametrize("limit", [0, -1, 10_000])
def test_search_limit_out_of_range_is_a_clear_error(ws: Workspace, limit: int):
    message = _error(operations.search, ws, "invoice", limit)
    assert f"limit must be between 1 and {operations.MAX_LIMIT}, not {limit}" in message


def test_search_from_eight_threads_at_once_on_one_workspace(ws: Workspace):
    expected = operations.search(ws, "invoice*")
    start = threading.Barrier(8)

    def one_search(_: int) -> tuple[int, list]:
        start.wait(timeout=10)  # all eight query at the same moment
        results = operations.search(ws, "invoice*")
        return id(ws.store.conn), results

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(one_search, range(8)))
    assert all(results == expected for _, results in done)
    connections = {conn for conn, _ in done}
    assert len(connections) == 8  # one connection per thread
    assert id(ws.store.conn) not in connections


# --- show and paths ---------------------------------------------------------------------

def test_show_returns_the_record_with_its_stale_mark(ws: Workspace):
    record = operations.show(ws, "src/invoices.py")
    assert record["path"] == "src/invoices.py"
    assert [f["name"] for f in record["functions"]] == ["parse_invoice"]
    assert record["stale"] is False
    write(ws.root, {"src/invoices.py": "# rewritten\n"})
    assert operations.show(ws, "src/invoices.py")["stale"] is True


def test_show_takes_paths_relative_to_cwd_and_absolute_paths_inside(ws: Workspace):
    assert operations.show(ws, "invoices.py", cwd=ws.root / "src")["path"] == "src/invoices.py"
    assert operations.show(ws, str(ws.root / "web" / "app.js"))["path"] == "web/app.js"
    assert operations.show(ws, "src/../README.md")["path"] == "README.md"


@pytest.mark.parametrize(("docstring", "query", "snippet"), [
    ("Pass **kwargs on to the widget renderer.", "widget",
     "Pass \\*\\*kwargs on to the **widget** renderer."),
    ("Pass **kwargs to the widget.", "kwargs widget", "Pass \\*\\***kwargs** to the **widget**."),
    ("Reads char ***argv) widget.", "argv widget",
     "Reads char \\*\\*\\***argv**) **widget**."),
    ("Takes *kwargs and a widget.", "kwargs widget", "Takes \\***kwargs** and a **widget**."),
    ("Splits on \\widget.", "widget", "Splits on \\\\**widget**."),
])
def test_stars_and_backslashes_of_the_text_in_a_snippet_are_escaped(tmp_path: Path,
                                                                     docstring: str,
                                                                     query: str, snippet: str):
    """Every * and \\ of the text is escaped, so only a match's ** is bare, even when the
    match touches stars of the text."""
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "stars", {"render.py": f'r"""{docstring}"""\n'})
    cli_run(repo, "init")
    [hit] = operations.search(Workspace(repo), query)
    assert hit["snippet"] == snippet


def test_show_in_a_subfolder_takes_the_path_search_printed(ws: Workspace):
    """search gives paths from the repository's root; one of them, given from a
    subfolder, still shows that file."""
    [first, *_] = operations.search(ws, "parse_invoice")
    assert operations.show(ws, first["path"], cwd=ws.root / "src")["path"] == "src/invoices.py"
    assert "no record for src/nothing.py" in _error(operations.show, ws, "nothing.py",
                                                    cwd=ws.root / "src")


def test_show_in_a_subfolder_does_not_take_the_roots_namesake_of_a_file_there(ws: Workspace):
    """A file in the subfolder that has no record is that file, not the root's of the
    same name (a review: `show README.md` in src/ printed the root's, exit 0)."""
    write(ws.root, {"src/README.md": "# not tracked\n"})
    message = _error(operations.show, ws, "README.md", cwd=ws.root / "src")
    assert "no record for src/README.md: git does not track it" in message
    assert operations.show(ws, "README.md", cwd=ws.root / "web")["path"] == "README.md"


def test_show_refuses_paths_outside_the_repository(tricky_repo: Path, tmp_path: Path):
    ws = Workspace(tricky_repo)
    assert "outside the repository" in _error(operations.show, ws, "../x")
    assert "outside the repository" in _error(operations.show, ws, "src/../../x")
    outside = str(tmp_path / "outside.py")
    assert "outside the repository" in _error(operations.show, ws, outside)
    assert "symlink pointing outside the repository" in _error(operations.show, ws, "escape.py")
    for bad in ("", "  ", "a\0b"):
        assert "give a file path" in _error(operations.show, ws, bad)


def test_show_of_an_unknown_path_says_so(ws: Workspace):
    message = _error(operations.show, ws, "src/nope.py")
    assert "no record for src/nope.py" in message


def test_repo_path_normalises_and_refuses(tricky_repo: Path):
    ws = Workspace(tricky_repo)
    assert operations.repo_path(ws, "./src//invoices.py") == "src/invoices.py"
    assert operations.repo_path(ws, "invoices.py", tricky_repo / "src") == "src/invoices.py"
    assert "outside" in _error(operations.repo_path, ws, "..")
    assert str(tricky_repo) not in _error(operations.repo_path, ws, "../elsewhere.py")
    assert "not its root" in _error(operations.repo_path, ws, ".")
    assert "symlink" in _error(operations.repo_path, ws, "escape.py")


# --- secrets ----------------------------------------------------------------------------

def test_a_secret_looking_file_gives_no_content_anywhere(tricky_repo: Path):
    ws = Workspace(tricky_repo)
    record = operations.show(ws, ".env")
    assert record["functions"] == [] and record["classes"] == []
    assert record["exports"] == [] and record["imports"] == []
    assert any("Secret-looking" in note for note in record["notes"])
    assert record["overview"] == ""

    outputs = [record, operations.list_files(ws), operations.status(ws)]
    for query in ("TOKEN", "abc", "API_SECRET", SECRET_VALUE, "zq9*", "unguessable",
                  "env", "secret*"):
        outputs.append(operations.search(ws, query))
    assert not operations.search(ws, "TOKEN")
    assert not operations.search(ws, "unguessable")
    text = json.dumps(outputs, default=str)
    for leaked in ("TOKEN=abc", "TOKEN", "API_SECRET", SECRET_VALUE, "unguessable"):
        assert leaked not in text


def test_a_file_holding_a_cloud_key_is_metadata_only(repo: Path, quiet_hooks: None):
    write(repo, {"deploy/settings.py": 'AWS_KEY = "AKIAIOSFODNN7EXAMPLE"\n\n\n'
                                       "def upload_release_bundle():\n    pass\n"})
    commit_all(repo, "deploy settings")
    assert cli_run(repo, "init").exit_code == 0
    ws = Workspace(repo)
    record = operations.show(ws, "deploy/settings.py")
    assert record["functions"] == [] and record["notes"]
    found = operations.search(ws, "upload_release_bundle")
    assert all(r["path"] != "deploy/settings.py" or not r["symbols"] for r in found)
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(
        [record, found, operations.search(ws, "AKIAIOSFODNN7EXAMPLE")])
    # its text is not read at search time either: a right guess of the key scores as a
    # wrong one, and no lines point into it
    def settings(guess: str) -> dict:
        return next(r for r in operations.search(ws, f"deploy settings {guess}", 50)
                    if r["path"] == "deploy/settings.py")
    right, wrong = settings("AKIAIOSFODNN7EXAMPLE"), settings("AKIAWRONGWRONGWRONG1")
    assert right["score"] == wrong["score"] and right["lines"] is None


# --- list_files and status --------------------------------------------------------------

def test_list_files_with_glob_and_stale_only(ws: Workspace):
    everything = operations.list_files(ws)
    assert [f["path"] for f in everything] == ["README.md", "src/invoices.py", "web/app.js"]
    assert {f["path"]: f["language"] for f in everything}["src/invoices.py"] == "python"
    assert not any(f["stale"] for f in everything)

    assert [f["path"] for f in operations.list_files(ws, "src/*.py")] == ["src/invoices.py"]
    assert [f["path"] for f in operations.list_files(ws, "*.md")] == ["README.md"]
    assert operations.list_files(ws, "*.rs") == []
    # **/ may stand for no folder: the top-level file too
    assert [f["path"] for f in operations.list_files(ws, "**/*.md")] == ["README.md"]
    assert [f["path"] for f in operations.list_files(ws, "**/*.py")] == ["src/invoices.py"]
    assert [f["path"] for f in operations.list_files(ws, "src/**/*.py")] == ["src/invoices.py"]
    assert [f["path"] for f in operations.list_files(ws, "*.js")] == ["web/app.js"]  # as git
    assert operations.list_files(ws, stale_only=True) == []

    write(ws.root, {"web/app.js": "// changed\n"})
    assert operations.list_files(ws, stale_only=True) == [
        {"path": "web/app.js", "language": "javascript", "stale": True}]
    assert operations.list_files(ws, "src/*", stale_only=True) == []


def test_status_reports_missing_and_stale_files_and_the_last_reconcile(
        ws: Workspace, quiet_hooks: None):
    first = operations.status(ws)
    assert first["index"]["documented"] == 3
    assert first["transport"] == "sqlite"  # status named no transport (a user's trial)
    assert first["index"]["missing"] == 0 and first["index"]["stale"] == 0
    last = first["index"]["last_reconcile"]
    assert last is not None and last["runs"] >= 1 and last["ran_at"] > 0
    assert first["worker"]["running"] is False
    assert first["documenter"] == "builtin"
    json.dumps(first)  # every value is plain JSON

    write(ws.root, {"src/later.py": "def later():\n    pass\n"})
    commit_all(ws.root, "a file the hook did not see")
    write(ws.root, {"README.md": "# Changed\n"})
    after = operations.status(ws)
    assert after["index"]["missing"] == 1
    assert after["index"]["stale"] == 1
    assert after["records"]["stale"] == 1


# --- job --------------------------------------------------------------------------------

def test_job_with_an_unknown_id_is_an_error(ws: Workspace):
    assert "no job 'Q-00000000'" in _error(operations.job, ws, "Q-00000000")


@pytest.mark.parametrize("job_id", ["nope", "", "Q-1234567"])
def test_job_with_a_malformed_id_says_how_ids_look(ws: Workspace, job_id: str):
    said = _error(operations.job, ws, job_id)
    assert said == f"{job_id!r} is not a job id (they look like Q-1A2B3C4D)"


def test_job_returns_state_and_events_and_bounds_its_wait(ws: Workspace):
    write(ws.root, {"README.md": "# Queued edit\n"})
    queued = cli_run(ws.root, "document", "--queue", "README.md")
    assert queued.exit_code == 0, queued.output
    job_id = queued.stdout.split("\t")[0].strip()
    assert job_id.startswith("Q-")
    started = time.monotonic()
    found = operations.job(ws, job_id, wait_seconds=30)  # no worker: still pending
    assert time.monotonic() - started < 5  # nothing takes it: not waited for
    assert found["id"] == job_id and found["path"] == "README.md"
    assert found["status"] == "pending" and found["waiting_for"] == "worker"
    assert found["events"]
    for bad in (-1, operations.MAX_WAIT_SECONDS + 1):
        assert "wait_seconds must be between" in _error(operations.job, ws, job_id, bad)


# --- document ---------------------------------------------------------------------------

def test_document_without_a_worker_documents_an_edit_at_once(ws: Workspace):
    source = (ws.root / "src" / "invoices.py").read_text(encoding="utf-8")
    write(ws.root, {"src/invoices.py": source + NEW_FUNCTION})
    assert operations.search(ws, "settle_overdue_invoices") == []

    result = operations.document(ws, ["src/invoices.py"])
    assert result["done"] is True
    assert result["jobs"] == []
    [record] = result["records"]
    assert record["path"] == "src/invoices.py" and record["stale"] is False
    functions = {f["name"]: f for f in record["functions"]}
    new_line = source.count("\n") + 3
    assert functions["settle_overdue_invoices"]["line"] == new_line

    # read after write: the next search and show already see it
    [hit] = operations.search(ws, "settle_overdue_invoices")
    assert hit["path"] == "src/invoices.py" and hit["stale"] is False
    assert hit["symbols"] == [{"name": "settle_overdue_invoices", "kind": "function",
                               "line": new_line,
                               "summary": "Mark every overdue invoice as settled."}]
    assert operations.show(ws, "src/invoices.py")["stale"] is False


def test_document_of_a_directory_documents_the_files_under_it(ws: Workspace):
    write(ws.root, {"web/app.js": "// Viewer\nexport function drawLedgerChart() {}\n"})
    result = operations.document(ws, ["web"])
    assert result["done"] is True
    assert operations.search(ws, "drawLedgerChart")[0]["path"] == "web/app.js"


def test_document_of_a_file_that_is_skipped_returns_the_others(ws: Workspace):
    # a binary file gets no record: it had crashed the request (a record of None marked)
    write(ws.root, {"blob.bin": b"\x00\x01binary\x00" * 50})
    commit_all(ws.root, "a binary file")
    result = operations.document(ws, ["blob.bin", "src/invoices.py"])
    assert result["done"] is True
    assert [r["path"] for r in result["records"]] == ["src/invoices.py"]


def test_document_of_an_untracked_path_is_an_error(ws: Workspace):
    write(ws.root, {"src/scratch.py": "def scratch():\n    pass\n"})
    message = _error(operations.document, ws, ["src/scratch.py"])
    assert "not tracked by git: src/scratch.py" in message
    assert operations.search(ws, "scratch") == []


def test_document_checks_its_arguments(ws: Workspace, tmp_path: Path):
    assert "give one or more file paths" in _error(operations.document, ws, [])
    assert "priority must be one of" in _error(operations.document, ws, ["README.md"],
                                               priority="urgent")
    assert "wait_seconds must be between" in _error(operations.document, ws, ["README.md"],
                                                    wait_seconds=-1)
    assert "outside the repository" in _error(operations.document, ws, ["../elsewhere.py"])
    assert "outside the repository" in _error(operations.document, ws,
                                              [str(tmp_path / "elsewhere.py")])


def test_document_with_an_llm_documenter_needs_the_worker(initialized_repo: Path):
    use_fake_llm(initialized_repo)
    ws = Workspace(initialized_repo)
    message = _error(operations.document, ws, ["src/invoices.py"])
    assert "worker" in message and "codequery worker start" in message
    assert "command documenter" in message


def test_document_of_a_directory_returns_the_records_under_it(ws: Workspace):
    write(ws.root, {"web/app.js": "// Viewer\nexport function drawLedgerChart() {}\n"})
    result = operations.document(ws, ["web"])
    assert result["done"] is True
    assert [r["path"] for r in result["records"]] == ["web/app.js"]


@pytest.mark.parametrize("call", ["show", "document"])
def test_an_overlong_path_is_a_clear_error(ws: Workspace, call: str):
    overlong = "a" * 5000
    with pytest.raises(CodeQueryError):
        if call == "show":
            operations.show(ws, overlong)
        else:
            operations.document(ws, [overlong])


def test_a_folder_replaced_by_a_link_to_outside_reads_nothing_from_there(ws: Workspace,
                                                                           tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.js").write_text("export function stolenSecretFunction() {}\n")
    import shutil

    shutil.rmtree(ws.root / "web")
    (ws.root / "web").symlink_to(outside)  # web/app.js is still tracked by git
    assert "outside the repository" in _error(operations.document, ws, ["web/app.js"])
    local_run.document_now(ws, trigger="test")
    assert operations.search(ws, "stolenSecretFunction") == []


def test_a_link_into_git_s_own_folder_is_never_indexed(ws: Workspace):
    (ws.root / ".git" / "config").write_text(
        (ws.root / ".git" / "config").read_text() + "[remote \"x\"]\n"
        "\turl = https://user:Sup3rPassw0rd@example.com/r.git\n")
    (ws.root / "cfg.md").symlink_to(".git/config")
    git(ws.root, "add", "cfg.md")
    git(ws.root, "commit", "-q", "-m", "link")
    local_run.document_now(ws, trigger="test")
    assert operations.search(ws, "Sup3rPassw0rd") == []
    assert "git's or codequery's own files" in _error(operations.show, ws, ".git/config")
    assert "git's or codequery's own files" in _error(operations.document, ws, ["cfg.md"])


def test_the_duration_histogram_survives_pruning_old_jobs(ws: Workspace):
    from prometheus_client import generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from codequery import ledger
    from codequery.server.metrics import registry_for

    def samples() -> dict[str, float]:
        text = generate_latest(registry_for(ws)).decode()
        [family] = [f for f in text_string_to_metric_families(text)
                    if f.name == "codequery_job_duration_seconds"]
        return {s.name + s.labels.get("le", ""): s.value for s in family.samples}

    before = samples()
    assert before["codequery_job_duration_seconds_count"] == 3  # init's three jobs
    assert before["codequery_job_duration_seconds_bucket+Inf"] == 3
    ledger.clear(ws.store.conn, ws.config.dataset, older_than_days=0)
    assert samples() == before  # a counter never goes down


def test_what_the_backlog_waits_for_comes_before_any_estimate():
    # the dashboard had shown "about 28s" with the breaker open and every call failing
    open_breaker = {"breaker": {"state": "open"}, "blocked": None}
    assert operations._waiting_for(open_breaker, True, None) == "breaker"
    blocked = {"breaker": {"state": "open"}, "blocked": {"reason": "not logged in"}}
    assert operations._waiting_for(blocked, True, None) == "blocked"
    assert operations._waiting_for({"breaker": {"state": "closed"}}, False, None) == "worker"
    assert operations._waiting_for({}, True, None) is None
    # on the Redis transport: no consumer of the remote queue can take a task
    assert operations._waiting_for({}, True, {"ready": 0}) == "consumers"
    assert operations._waiting_for({}, True, {"ready": 2}) is None
    # Redis down: the remote queue's tasks go nowhere (status had promised "about 0.6s")
    assert operations._waiting_for({}, True, {"error": "Redis does not answer"}) == "redis"
    # with nothing pending or processing, nothing waits (status had said "worker")
    assert operations._waiting_for({"blocked": {"reason": "x"}}, False, None, backlog=0) is None


def test_a_removed_state_folder_is_told_apart_from_no_setup(tmp_path: Path):
    # an agent told "run codequery init" had rebuilt the index from nothing, where git
    # still tracked the settings the folder held
    repo = make_repo(tmp_path / "gone", {"a.py": "def a():\n    return 1\n"})
    assert cli_run(repo, "init").exit_code == 0
    commit_all(repo, "share the settings")
    shutil.rmtree(repo / ".code-query")
    said = _error(operations.status, Workspace(repo))
    assert "the .code-query/ folder was removed" in said
    assert "`git checkout -- .code-query` restores the settings" in said
    from codequery import doctor

    [state] = [c for c in doctor.diagnose(repo) if c.name == "state-dir"]
    assert state.fix == "git checkout -- .code-query" and "was removed" in state.detail
    never = make_repo(tmp_path / "never", {"a.py": "x = 1\n"})
    assert "is not set up in" in _error(operations.status, Workspace(never))


def test_a_job_whose_documenter_is_blocked_says_so_and_is_not_waited_for(initialized_repo,
                                                                          monkeypatch):
    # not logged in: `job` (and MCP's) said waiting_for null and waited out its time
    from codequery import blocking, ledger, liveness
    from tests.helpers import configure

    configure(initialized_repo, documenter={"name": "claude"})
    ws = Workspace(initialized_repo)
    [queued] = ledger.enqueue(ws.store.conn, ws.config.dataset,
                              [("src/a.py", ledger.DOCUMENT, None)])
    assert operations.job(ws, queued.id)["waiting_for"] == "worker"  # none is running
    blocking.block(ws.store.conn, "claude", "not logged in: run `claude` once")
    slept: list[float] = []

    def the_worker_checks_again(seconds: float) -> None:
        # the block was stored before the wait began (the user may have logged in since):
        # the wait goes on until the worker's next check says it stands
        slept.append(seconds)
        blocking.checked(ws.store.conn, "claude")

    with monkeypatch.context() as patched:
        patched.setattr(liveness, "worker_alive", lambda paths: True)  # the block is why
        patched.setattr(operations.time, "sleep", the_worker_checks_again)
        found = operations.job(ws, queued.id, wait_seconds=30)
    assert len(slept) == 1  # one look, then the confirmed block ends the wait
    assert found["waiting_for"] == "blocked"
    assert found["blocked"] == "not logged in: run `claude` once"
    progress = operations.document_progress(ws, [queued.id], ["src/a.py"])
    assert progress["waiting_for"] == "blocked" and not progress["finished"]
    # a caller that waits itself (MCP's job tool) names when its wait began: a block
    # checked before then ends nothing; one checked since does
    with monkeypatch.context() as patched:
        patched.setattr(liveness, "worker_alive", lambda paths: True)
        began = time.time() + 1
        assert operations.job(ws, queued.id, blocked_since=began)["waiting_for"] is None
        assert operations.job(ws, queued.id, blocked_since=began - 60)["waiting_for"] == (
            "blocked")


def test_a_job_held_by_an_open_breaker_says_so_and_is_not_waited_for(initialized_repo,
                                                                     monkeypatch):
    # the documenter failed repeatedly: `job` and `document` waited out their time with
    # waiting_for null while status said the breaker had stopped the calls
    from codequery import ledger, liveness
    from codequery.llm_caller import breaker_for
    from tests.helpers import configure

    configure(initialized_repo, documenter={"name": "claude", "breaker_failures": 2})
    ws = Workspace(initialized_repo)
    [queued] = ledger.enqueue(ws.store.conn, ws.config.dataset,
                              [("src/a.py", ledger.DOCUMENT, None)])
    breaker = breaker_for(ws.paths.data_db, ws.config)
    slept: list[float] = []
    with monkeypatch.context() as patched:
        patched.setattr(liveness, "worker_alive", lambda paths: True)
        assert operations.job(ws, queued.id)["waiting_for"] is None  # its turn will come
        for _ in range(2):
            breaker.record_failure()
        patched.setattr(operations.time, "sleep", slept.append)
        found = operations.job(ws, queued.id, wait_seconds=30)
        assert slept == [] and found["waiting_for"] == "breaker"
        cooldown = ws.config.documenter.breaker_cooldown_seconds
        assert 0 < found["breaker"]["retry_in_s"] <= cooldown
        progress = operations.document_progress(ws, [queued.id], ["src/a.py"])
        assert progress["waiting_for"] == "breaker" and not progress["finished"]
        # a job already at work (in a call begun before, or out at a consumer) goes on
        assert ledger.claim(ws.store.conn, queued.id, "remote:x", 60) is not None
        assert "waiting_for" not in operations.document_progress(ws, [queued.id],
                                                                 ["src/a.py"])
        assert operations.job(ws, queued.id)["waiting_for"] is None
        assert ledger.release(ws.store.conn, queued.id, None, "back", holder="remote:x")
        breaker.record_success()
        assert operations.job(ws, queued.id)["waiting_for"] is None
        assert "waiting_for" not in operations.document_progress(ws, [queued.id],
                                                                 ["src/a.py"])


def test_every_face_names_each_thing_a_backlog_can_wait_for():
    # the dashboard had no words for "redis" and showed "unknown yet"
    import re

    from codequery.cli.status import _outlook

    script = (Path(operations.__file__).parent / "server" / "dashboard" / "static"
              / "dashboard.js").read_text()
    table = script[script.index("const WAITING = {"):]
    named = set(re.findall(r"\"?([\w-]+)\"?: \"", table[:table.index("};")]))
    assert named == set(operations.WAITING_FOR)
    for waiting in operations.WAITING_FOR:
        said = _outlook({"queue": {"waiting_for": waiting, "eta_s": 12.0}})
        assert said.startswith("waiting") and "done in" not in said, (waiting, said)
    # a section below is named only where there is one (a builtin documenter's Redis
    # transport has no consumers to show: status said "see remote below" over nothing)
    alone = _outlook({"queue": {"waiting_for": "redis", "eta_s": None}})
    assert "below" not in alone and "codequery doctor" in alone
    shown = _outlook({"queue": {"waiting_for": "redis", "eta_s": None}, "remote": {}})
    assert "see remote below" in shown


def test_a_remote_call_cut_short_by_its_consumers_stop_is_not_a_failure(initialized_repo,
                                                                      fake_claude):
    # the breaker was spared, but status and /metrics still counted it as failed
    from codequery.jobs import JobRunner
    from codequery.llm_caller import STOPPED, call_totals, last_call_error
    from tests.helpers import configure

    configure(initialized_repo, documenter={"name": "claude"})
    ws = Workspace(initialized_repo)
    caller = JobRunner(ws).caller
    caller.report(ws.store, {}, f"{STOPPED}the worker is stopping; the command was killed "
                  "(on host-1)", wait=0.0)
    assert call_totals(ws.store)["calls"] == 1 and call_totals(ws.store)["failed"] == 0
    assert last_call_error(ws.store, "claude") is None
    caller.report(ws.store, {}, "Stopped: an older row's words (on host-1)", wait=None)
    assert call_totals(ws.store)["failed"] == 1  # case matters: only the mark counts
    assert caller.breaker.state()["failures"] == 1


def test_a_queue_on_a_redis_that_does_not_answer_is_what_the_backlog_waits_for(
        initialized_repo, monkeypatch):
    # the builtin (or a command) documenter on the Redis transport: no remote queue is
    # asked about, and status promised an estimate while nothing could move
    from codequery import ledger, liveness
    from tests.helpers import configure

    configure(initialized_repo, processing={"transport": "redis",
                                            "redis_url": "redis://127.0.0.1:1/0"})
    ws = Workspace(initialized_repo)
    ledger.enqueue(ws.store.conn, ws.config.dataset, [("src/a.py", ledger.DOCUMENT, None)])
    with monkeypatch.context() as patched:
        patched.setattr(liveness, "worker_alive", lambda paths: True)
        queue = operations.status(ws)["queue"]
    assert queue["waiting_for"] == "redis" and queue["eta_s"] is None
    assert operations.status(ws)["remote"] is None  # no remote line for it


def test_document_of_a_blocked_llm_documenter_with_no_worker_says_why_first(
        initialized_repo, fake_claude, tmp_path, monkeypatch):
    # "start the worker" alone would not help while claude is not logged in
    from tests.helpers import configure

    logged_out = tmp_path / "logged-out"
    logged_out.touch()
    monkeypatch.setenv("FAKE_CLAUDE_LOGGED_OUT", str(logged_out))
    configure(initialized_repo, documenter={"name": "claude"})
    ws = Workspace(initialized_repo)
    with pytest.raises(CodeQueryError, match="cannot be called: not logged in") as raised:
        operations.document(ws, ["src/invoices.py"])
    assert "codequery worker start" in str(raised.value)
    logged_out.unlink()
    with pytest.raises(CodeQueryError, match="runs in the worker, and none is running"):
        operations.document(Workspace(initialized_repo), ["src/invoices.py"])


def test_a_search_for_a_path_with_no_record_says_why_it_is_not_among_the_results(
        initialized_repo, monkeypatch):
    # a new user's trial: `search lib/kookaburra.js` for a file not documented yet listed
    # ten other files and said nothing of it
    from tests.helpers import commit_all, write

    monkeypatch.setenv("CODEQUERY_SKIP", "1")  # the hook documents nothing
    repo = initialized_repo
    ws = Workspace(repo)
    write(repo, {"lib/kookaburra.js": "function laugh() { return 'ha'; }\n"})
    [untracked] = operations.search_notes(ws, "lib/kookaburra.js")
    assert "no record for lib/kookaburra.js: git does not track it" in untracked
    commit_all(repo, "a bird")
    [waiting] = operations.search_notes(ws, "./lib/kookaburra.js")
    assert waiting == ("note: no record for lib/kookaburra.js yet; `codequery document "
                       "lib/kookaburra.js` documents it")
    operations.document(ws, ["lib/kookaburra.js"])
    local_run.document_now(ws, trigger="test")
    assert operations.search_notes(ws, "lib/kookaburra.js") == []  # documented: no note
    for query in ("laugh", "src/invoices.py", "../outside.py", "/etc/passwd", "lib",
                  "where is the kookaburra.js file"):
        assert operations.search_notes(ws, query) == [], query
    assert operations.search_notes(ws, "the") == [
        "note: every word of the query is a common word (the), searched for all the same; "
        "add a word of what you are looking for"]


def test_a_file_of_a_submodule_is_said_to_be_in_it_not_untracked(initialized_repo, tmp_path,
                                                                   monkeypatch):
    # a new user's trial: `show vendor/lib/x.py` of a submodule said "git does not track it"
    from tests.helpers import commit_all, git, make_repo

    monkeypatch.setenv("CODEQUERY_SKIP", "1")
    library = make_repo(tmp_path / "library", {"x.py": "def x():\n    return 1\n"})
    git(initialized_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q",
        str(library), "vendor/lib")
    commit_all(initialized_repo, "a submodule")
    ws = Workspace(initialized_repo)
    with pytest.raises(CodeQueryError) as err:
        operations.show(ws, "vendor/lib/x.py")
    assert "it is in the submodule vendor/lib, which codequery leaves out" in str(err.value)
    with pytest.raises(CodeQueryError) as err:
        operations.show(ws, "vendor/other.py")
    assert "git does not track it" in str(err.value)
