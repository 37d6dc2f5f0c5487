"""LLM documenting end to end, with tests/bin/claude standing in for the Claude CLI."""

import json
import logging
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from codequery import blocking, ledger, store, worker_control
from codequery.paths import RepoPaths
from tests.helpers import (
    CODEQUERY_BIN,
    cli_run,
    commit_all,
    configure,
    git,
    gone,
    logged_calls,
    make_repo,
    run_installed,
    wait_for,
    write,
)

FAKE_BIN = Path(__file__).parent / "bin"
KEY = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t\n"
       "-----END RSA PRIVATE KEY-----\n")


@pytest.fixture
def calls_log(tmp_path, monkeypatch):
    log = tmp_path / "claude-calls.jsonl"
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAUDE_LOG", str(log))
    return log



@pytest.fixture
def logged_out(tmp_path, monkeypatch):
    """The fake claude answers as the real one does logged out, while this file exists
    (unlink it to log in)."""
    marker = tmp_path / "logged-out"
    marker.touch()
    monkeypatch.setenv("FAKE_CLAUDE_LOGGED_OUT", str(marker))
    return marker


def files(n: int, prefix: str = "m") -> dict[str, str]:
    return {f"src/{prefix}{i}.py": f'"""Module {i}."""\n\ndef f{i}():\n    return {i}\n'
            for i in range(n)}


def _init_claude(repo, *extra):
    result = cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test", "--yes",
                     *extra)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def stop_workers():
    started: list[Path] = []
    yield started.append
    for repo in started:
        worker_control.stop(RepoPaths(repo), timeout=5)


def _db(repo):
    return store.connect(repo / ".code-query/code_data.db")


def test_unchanged_renamed_or_copied_content_costs_no_call(tmp_path, calls_log):
    repo = make_repo(tmp_path / "r", files(4))
    _init_claude(repo)
    assert len(logged_calls(calls_log)) == 4
    record = json.loads(cli_run(repo, "show", "--json", "src/m0.py").stdout)
    assert (record["documenter"], record["model"]) == ("claude", "claude-test")
    assert record["cost_usd"] == pytest.approx(0.0123)
    assert "0 documented, 4 unchanged" in cli_run(repo, "document").stderr
    git(repo, "mv", "src/m1.py", "src/renamed.py")
    write(repo, {"src/copy.py": (repo / "src/m2.py").read_text()})
    commit_all(repo, "rename and copy")
    # Both point at the record kept under the content's key: nothing is documented.
    assert "0 documented, 2 reused (the same content as a file documented before), 3 " \
        "unchanged" in cli_run(repo, "document").stderr
    assert len(logged_calls(calls_log)) == 4
    db = store.Store(_db(repo), "r")
    assert db.get("src/renamed.py")["documenter"] == "claude"
    assert db.get("src/copy.py")["content_sha"] == db.get("src/m2.py")["content_sha"]
    assert db.get("src/copy.py")["documenter"] == "claude"


def test_a_file_too_large_for_the_llm_is_outlined_offline(tmp_path, calls_log):
    body = '"""Lookup tables."""\n\n' + "".join(
        f"def table_{i}():\n    return {i}\n\n" for i in range(25_000))
    assert 512 * 1024 < len(body) < 2 * 1024 * 1024
    repo = make_repo(tmp_path / "r", {**files(1), "src/tables.py": body})
    _init_claude(repo)
    calls = logged_calls(calls_log)
    assert len(calls) == 1 and "table_1" not in json.dumps(calls)
    record = json.loads(cli_run(repo, "show", "--json", "src/tables.py").stdout)
    assert (record["documenter"], record["model"]) == ("builtin", None)
    assert record["notes"] == ["Outlined offline by the builtin documenter: at "
                               f"{-(-len(body) // 1024)} KiB, too large to send to an LLM "
                               "(over 512 KiB)."]
    assert record["functions"][0]["name"] == "table_0"
    # kept under the claude documenter's key: the next run has nothing to do
    assert "0 documented, 2 unchanged" in cli_run(repo, "document").stderr
    assert len(logged_calls(calls_log)) == 1


def test_status_totals_calls_and_cost(tmp_path, calls_log):
    repo = make_repo(tmp_path / "r", files(3))
    _init_claude(repo)
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert report["llm"]["calls"] == 3 and report["llm"]["failed"] == 0
    assert report["llm"]["cost_usd"] == pytest.approx(3 * 0.0123)
    assert report["llm"]["breaker"]["state"] == "closed"


def test_a_private_key_is_never_in_any_calls_stdin(tmp_path, calls_log):
    repo = make_repo(tmp_path / "r", {"deploy/keys.py": f'KEY = """{KEY}"""\n',
                                      ".env": "TOKEN=hunter2hunter2\n", **files(2)})
    _init_claude(repo)
    sent = "".join(call["stdin"] for call in logged_calls(calls_log))
    assert "PRIVATE KEY" not in sent and "MIIEowIBAAK" not in sent and "hunter2" not in sent
    assert len(logged_calls(calls_log)) == 2
    record = json.loads(cli_run(repo, "show", "--json", "deploy/keys.py").stdout)
    assert record["documenter"] == "builtin" and "Secret-looking" in record["notes"][0]


def test_a_missing_claude_is_a_clear_error_at_init(tmp_path, monkeypatch):
    import shutil

    repo = make_repo(tmp_path / "r", files(1))
    only_git = tmp_path / "bin"  # whatever this machine has installed, no `claude` here
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(only_git))
    result = cli_run(repo, "init", "--documenter", "claude")
    assert result.exit_code == 1
    assert "was not found on PATH" in result.stderr
    assert not (repo / ".code-query/config.json").exists()


def test_garbage_answers_retry_then_end_dead(tmp_path, calls_log, monkeypatch, stop_workers):
    repo = make_repo(tmp_path / "r", files(1))
    _init_claude(repo, "--no-document")
    configure(repo, processing={"max_retries": 2, "retry_base_seconds": 0.1})
    monkeypatch.setenv("FAKE_CLAUDE_GARBAGE", "1")
    [job] = [line.split("\t")[0] for line in
             run_installed(repo, "document", "--queue").stdout.splitlines()]
    stop_workers(repo)
    assert run_installed(repo, "worker", "start").returncode == 0
    assert run_installed(repo, "queue", "wait", job, "--timeout", "60").returncode == 1
    shown = json.loads(run_installed(repo, "queue", "show", "--json", job).stdout)
    assert shown["status"] == "dead" and shown["attempts"] == 3
    assert len(logged_calls(calls_log)) == 3


def test_a_hung_call_is_killed_at_the_timeout(tmp_path, calls_log, monkeypatch, stop_workers):
    repo = make_repo(tmp_path / "r", files(1))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"timeout_seconds": 1}, processing={"max_retries": 0})
    monkeypatch.setenv("FAKE_CLAUDE_HANG", "1")
    [job] = [line.split("\t")[0] for line in
             run_installed(repo, "document", "--queue").stdout.splitlines()]
    stop_workers(repo)
    started = time.monotonic()
    assert run_installed(repo, "worker", "start").returncode == 0
    assert run_installed(repo, "queue", "wait", job, "--timeout", "30").returncode == 1
    assert time.monotonic() - started < 15
    shown = json.loads(run_installed(repo, "queue", "show", "--json", job).stdout)
    assert "timed out after 1 s" in shown["error"]
    child = logged_calls(calls_log)[0]["child"]
    assert gone(child, wait=5)




def test_the_rate_limit_holds_across_four_threads(tmp_path, calls_log, stop_workers):
    repo = make_repo(tmp_path / "r", files(30))
    _init_claude(repo, "--no-document")
    per_minute = 120.0  # 2 calls/s, after a burst of per_minute / 6 = 20 (the default)
    configure(repo, documenter={"requests_per_minute": per_minute})
    run_installed(repo, "document", "--queue")
    stop_workers(repo)
    assert run_installed(repo, "worker", "start", "--threads", "4").returncode == 0
    conn = _db(repo)
    wait_for(lambda: ledger.counts(conn, "r")["completed"] == 30, timeout=90)
    starts = sorted(call["start"] for call in logged_calls(calls_log))
    assert len(starts) == 30
    capacity = max(1, per_minute / 6)
    for i, at in enumerate(starts):
        allowed = capacity + (at - starts[0]) * per_minute / 60 + 1
        assert i + 1 <= allowed, (i, at - starts[0])
    assert starts[-1] - starts[0] >= (30 - capacity) / (per_minute / 60) * 0.8


def test_the_breaker_opens_and_closes(tmp_path, calls_log, monkeypatch, stop_workers):
    repo = make_repo(tmp_path / "r", files(6))
    _init_claude(repo, "--no-document")
    # the cooldown is long enough that a loaded machine's slow `status` (it spotted the
    # breaker open, then 0.5 s) does not outlast it: a probe after it is right, not a leak
    configure(repo, documenter={"breaker_failures": 3, "breaker_cooldown_seconds": 5},
              processing={"max_retries": 10, "retry_base_seconds": 0.05})
    failing = tmp_path / "failing"
    failing.touch()
    monkeypatch.setenv("FAKE_CLAUDE_FAIL_WHILE", str(failing))
    run_installed(repo, "document", "--queue")
    stop_workers(repo)
    assert run_installed(repo, "worker", "start", "--threads", "1").returncode == 0

    def breaker_state():
        return json.loads(run_installed(repo, "status", "--json").stdout)["llm"]["breaker"]

    wait_for(lambda: breaker_state()["state"] == "open", timeout=30)
    made = len(logged_calls(calls_log))
    assert made == 3
    time.sleep(0.5)
    calls = logged_calls(calls_log)
    assert len(calls) == made, [c["start"] - calls[0]["start"] for c in calls]  # none while open
    failing.unlink()
    conn = _db(repo)
    wait_for(lambda: ledger.counts(conn, "r")["completed"] == 6, timeout=60)
    assert breaker_state()["state"] == "closed"
    attempts = [r[0] for r in conn.execute("SELECT attempts FROM jobs")]
    assert sum(attempts) <= 6 + 3  # rescheduling while open spent no attempts
    events = [r[0] for r in conn.execute("SELECT detail FROM job_events WHERE detail LIKE "
                                         "'%circuit breaker%'")]
    assert events


def test_batches_map_answers_back_and_a_missing_file_is_retried_alone(
        tmp_path, calls_log, monkeypatch, stop_workers):
    repo = make_repo(tmp_path / "r", files(5))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"batch_size": 5},
              processing={"retry_base_seconds": 0.1})
    monkeypatch.setenv("FAKE_CLAUDE_OMIT", "src/m2.py")
    run_installed(repo, "document", "--queue")
    stop_workers(repo)
    assert run_installed(repo, "worker", "start", "--threads", "1").returncode == 0
    conn = _db(repo)
    wait_for(lambda: ledger.counts(conn, "r")["completed"] == 5, timeout=60)
    made = logged_calls(calls_log)
    assert len(made) == 2
    assert _labelled_paths(made[0]["stdin"]) == 5
    assert "src/m2.py" in made[1]["stdin"] and _labelled_paths(made[1]["stdin"]) == 0
    db = store.Store(conn, "r")
    for i in range(5):
        assert db.get(f"src/m{i}.py")["functions"], i
    assert db.get("src/m0.py")["cost_usd"] == pytest.approx(0.0123 / 5)


def _labelled_paths(prompt: str) -> int:
    return sum(line.startswith('Path (JSON string): "') for line in prompt.splitlines())


def test_without_a_terminal_a_large_run_is_queued_not_asked(tmp_path, calls_log):
    repo = make_repo(tmp_path / "r", files(4))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"confirm_above": 2})
    result = cli_run(repo, "document")
    assert "4 files need the claude documenter (claude-test): 4 calls" in result.stderr
    assert "queued for the worker" in result.stderr
    assert logged_calls(calls_log) == []
    assert ledger.counts(_db(repo), "r")["pending"] == 4
    # asked again (and with --queue): the files wait in those jobs, not "documented"
    for again in (cli_run(repo, "document"), cli_run(repo, "document", "--queue")):
        assert "0 jobs queued; 4 files already queued" in again.stderr, again.stderr
        assert "documented already" not in again.stderr
    assert "the files wait in the queue for the worker" in cli_run(repo, "document").stderr
    assert ledger.counts(_db(repo), "r")["pending"] == 4
    # one out at work (a remote consumer's): queued all the same, not documented
    conn = _db(repo)
    [first, *_] = ledger.jobs(conn, "r", ledger.PENDING)
    assert ledger.claim(conn, first.id, "remote:abc", 600) is not None
    again = cli_run(repo, "document", "--queue")
    assert "0 jobs queued; 4 files already queued" in again.stderr, again.stderr


def test_the_estimate_counts_only_what_will_cost_a_call(tmp_path, calls_log):
    # binary files and the same content at several paths had counted a call each: "54
    # calls" for a run that made 42
    same = '"""Shared."""\n\ndef shared():\n    return 1\n'
    script = "export function run() {\n  return 1;\n}\n"
    repo = make_repo(tmp_path / "r", {**files(3), "src/copy1.py": same, "src/copy2.py": same,
                                      "src/copy3.py": same, "logo.png": b"\x89PNG\x00\x01" * 40,
                                      "empty.py": "", "pkg/__init__.py": "\n\n",
                                      # one content, two languages: two content keys
                                      "web/run.js": script, "web/run.ts": script})
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"confirm_above": 1})
    said = cli_run(repo, "document").stderr
    assert "6 files need the claude documenter (claude-test): 6 calls" in said, said
    assert cli_run(repo, "document", "--yes").exit_code == 0
    # an empty or blank file costs no call either (it had been sent to the LLM)
    asked = sorted(re.findall(r'describing the file "([^"]+)"', " ".join(
        c["stdin"] for c in logged_calls(calls_log))))
    assert len(logged_calls(calls_log)) == 6, asked
    # forced, each path is documented anew: each copy is a call
    said = cli_run(repo, "document", "--force").stderr
    assert "8 files need the claude documenter (claude-test): 8 calls" in said, said


def test_the_estimate_counts_copies_queued_already_once(tmp_path, calls_log):
    # a new user's trial: init said 71 calls, `document` after it 78, the jobs init had
    # queued for kong's bin/ links to one file counting a call each
    same = '"""Shared."""\n\ndef shared():\n    return 1\n'
    repo = make_repo(tmp_path / "r", {**files(2), "src/copy1.py": same, "src/copy2.py": same,
                                      "src/copy3.py": same})
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"confirm_above": 1})
    assert cli_run(repo, "document", "--queue").exit_code == 0  # no worker takes them
    said = cli_run(repo, "document").stderr
    assert "3 files need the claude documenter (claude-test): 3 calls" in said, said
    # a queued job for an uncommitted edit documents the edit, not git's copy: one more
    (repo / "src" / "copy1.py").write_text(same + "\n# edited\n", encoding="utf-8")
    assert cli_run(repo, "document", "--queue", "src/copy1.py").exit_code == 0
    said = cli_run(repo, "document").stderr
    assert "4 files need the claude documenter (claude-test): 4 calls" in said, said


def test_on_a_terminal_a_large_run_asks_first(tmp_path, calls_log):
    repo = make_repo(tmp_path / "r", files(4))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"confirm_above": 2})
    transcript = _on_a_terminal([str(CODEQUERY_BIN), "-C", str(repo), "document"], "n\n")
    assert "4 calls, cost unknown" in transcript and "Go ahead?" in transcript
    assert logged_calls(calls_log) == []
    # what "no" leaves: nothing now, but a worker would document them (one is not running)
    assert ("nothing documented. The index follows the checked-out tree: a worker documents "
            "these files with the claude documenter whenever one runs;") in transcript
    # no worker redoes a --force by itself: nothing is promised
    transcript = _on_a_terminal([str(CODEQUERY_BIN), "-C", str(repo), "document", "--force"],
                                "n\n")
    assert "nothing documented, nothing queued" in transcript
    assert "whenever one runs" not in transcript
    transcript = _on_a_terminal([str(CODEQUERY_BIN), "-C", str(repo), "document"], "y\n")
    assert "4 documented" in transcript
    assert len(logged_calls(calls_log)) == 4


def test_a_refused_run_in_setup_does_not_start_the_worker_that_would_make_the_calls(
        tmp_path, calls_log, stop_workers):
    # answering "no" to the cost, the wizard went on to start a worker, which made them
    repo = make_repo(tmp_path / "r", files(4))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"confirm_above": 2})
    stop_workers(repo)
    transcript = _on_a_terminal(
        [str(CODEQUERY_BIN), "-C", str(repo), "setup", "--dataset", "r", "--documenter",
         "claude", "--model", "claude-test", "--mode", "auto", "--no-hooks", "--worker",
         "start", "--document", "--mcp-client", "none"], "n\n")
    assert "Go ahead?" in transcript
    assert "the worker was not started, as it would document those files now" in transcript
    assert run_installed(repo, "worker", "status").returncode == 3  # none to make them
    assert logged_calls(calls_log) == []
    # with nobody to ask, the files go to the queue: the worker asked for is started
    unasked = subprocess.run(
        [str(CODEQUERY_BIN), "-C", str(repo), "setup", "--dataset", "r", "--documenter",
         "claude", "--model", "claude-test", "--mode", "auto", "--no-hooks", "--worker",
         "start", "--document", "--mcp-client", "none"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert "queued for the worker" in unasked.stderr, unasked.stderr
    assert "was not started" not in unasked.stderr
    assert run_installed(repo, "worker", "status").returncode == 0


def _on_a_terminal(argv: list[str], answer: str) -> str:
    """Run argv with a real pseudo-terminal; type `answer` at its question."""
    main, secondary = pty.openpty()
    proc = subprocess.Popen(argv, stdin=secondary, stdout=secondary, stderr=secondary,
                            close_fds=True)
    os.close(secondary)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"Go ahead?" in seen:
            os.write(main, answer.encode())
            answered = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=10)
    os.close(main)
    return " ".join(seen.decode(errors="replace").split())  # the terminal wraps lines


def test_stopping_the_worker_stops_its_llm_calls(tmp_path, calls_log, monkeypatch, stop_workers):
    repo = make_repo(tmp_path / "r", files(2))
    _init_claude(repo, "--no-document")
    monkeypatch.setenv("FAKE_CLAUDE_HANG", "1")
    run_installed(repo, "document", "--queue")
    stop_workers(repo)
    assert run_installed(repo, "worker", "start", "--threads", "2").returncode == 0
    wait_for(lambda: len(logged_calls(calls_log)) == 2, timeout=30)
    done = run_installed(repo, "worker", "stop", "--timeout", "1")
    assert done.returncode == 0, done.stderr
    for call in logged_calls(calls_log):
        assert gone(call["pid"], wait=5) and gone(call["child"], wait=5)
    # killed by the stop, not failing: the breaker is not told (three restarts had opened
    # it), and status counts the calls but not as failures
    status = json.loads(run_installed(repo, "status", "--json").stdout)["llm"]
    assert status["breaker"]["failures"] == 0, status
    assert status["calls"] == 2 and status["failed"] == 0, status
    errors = [r[0] for r in _db(repo).execute("SELECT error FROM llm_calls")]
    assert errors and all(e.startswith("stopped: ") for e in errors), errors


def test_renamed_files_keep_their_records_with_a_busy_worker(tmp_path, calls_log,
                                                             stop_workers):
    repo = make_repo(tmp_path / "r", files(5))
    _init_claude(repo)
    commit_all(repo, "share the settings")
    stop_workers(repo)
    assert run_installed(repo, "worker", "start", "--threads", "4").returncode == 0
    for i in range(5):
        git(repo, "mv", f"src/m{i}.py", f"src/moved{i}.py")
    commit_all(repo, "rename five")
    conn = _db(repo)
    db = store.Store(conn, "r")
    # No job: the worker's reconcile points the new paths at the kept records.
    wait_for(lambda: {f"src/moved{i}.py" for i in range(5)} <= db.paths(), timeout=30)
    assert ledger.counts(conn, "r")["pending"] == ledger.counts(conn, "r")["processing"] == 0
    assert len(logged_calls(calls_log)) == 5  # the first documentation only
    assert not {f"src/m{i}.py" for i in range(5)} & db.paths()


def test_a_call_writes_no_transcript_under_home(tmp_path, calls_log, isolated_home):
    repo = make_repo(tmp_path / "r", files(2))
    _init_claude(repo)
    assert len(logged_calls(calls_log)) == 2  # the fake did answer...
    written = [p for p in (isolated_home / ".claude").rglob("*") if p.is_file()] \
        if (isolated_home / ".claude").exists() else []
    assert written == []  # ...and, told --no-session-persistence, kept no transcript


def test_init_without_a_login_says_so_and_keeps_every_file_queued(tmp_path, calls_log,
                                                                   logged_out):
    repo = make_repo(tmp_path / "r", files(3))
    result = cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test", "--yes")
    assert result.exit_code == 1
    assert ("codequery: the claude documenter cannot be called: not logged in"
            in " ".join(result.stderr.split()))
    calls = [c for c in logged_calls(calls_log) if not c.get("auth_status")]
    assert calls == []  # `claude auth status` said so before any call was paid for
    pending = json.loads(cli_run(repo, "queue", "list", "--status", "pending", "--json").stdout)
    assert len(pending) == 3 and {job["attempts"] for job in pending} == {0}
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert "not logged in" in report["llm"]["blocked"]["reason"]
    said = " ".join(cli_run(repo, "status").stdout.split())  # as rich wrapped it
    assert "old, waiting: the documenter is blocked (see below) index:" in said
    # not "the worker catches up": nothing does while it is blocked (a new user's trial)
    assert "3 missing, 0 outdated (they wait with the backlog above)" in said


def test_a_blocked_run_still_does_what_needs_no_call(tmp_path, calls_log, logged_out):
    # a binary and a blank file cost no call: they had waited with the rest (311 left
    # pending where 307 needed the documenter), behind the first file that did
    repo = make_repo(tmp_path / "r", {"a.py": "def a():\n    pass\n",
                                       "logo.png": b"\x89PNG\r\n\x1a\n\x00\x01",
                                       "z_empty.py": ""})
    result = cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test", "--yes")
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "1 documented, 0 unchanged, 1 skipped (1 binary), 1 left pending" in said, said
    pending = json.loads(cli_run(repo, "queue", "list", "--status", "pending", "--json").stdout)
    assert [job["path"] for job in pending] == ["a.py"]


def test_init_without_a_login_or_a_terminal_says_so_as_with_one(tmp_path, calls_log,
                                                                logged_out):
    # more files than `confirm_above` and nobody to ask: there is no cost to ask about, as
    # nothing can be called; the run says what a terminal's run says, and fails as it does
    # (it had exited 0 listing every job queued, where with a terminal it asked "Go ahead?"
    # about calls it could not make, then failed)
    repo = make_repo(tmp_path / "r", files(3))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"confirm_above": 1})
    result = cli_run(repo, "init")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 1, said
    assert "the claude documenter cannot be called: not logged in" in said
    assert said.count("not logged in") == 1, said  # said once, not again as it stops
    assert "no terminal to ask" not in said and "Go ahead" not in said
    assert "3 files are not documented yet" in said and "Q-" not in result.stdout
    assert [c for c in logged_calls(calls_log) if not c.get("auth_status")] == []
    pending = json.loads(cli_run(repo, "queue", "list", "--status", "pending", "--json").stdout)
    assert len(pending) == 3 and {job["attempts"] for job in pending} == {0}
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert "not logged in" in report["llm"]["blocked"]["reason"]
    # asked to document now all the same: what would help, not "run it again"
    forced = cli_run(repo, "document", "--yes")
    said = " ".join(forced.stderr.split())
    assert forced.exit_code == 1 and "document offline now: codequery init --documenter " \
        "builtin" in said, said
    assert "run `codequery document` again" not in said


def test_setup_without_a_login_still_starts_the_worker_it_was_asked_for(tmp_path, calls_log,
                                                                        logged_out):
    # a new user's try: the first run stopped at the login and the worker step was skipped
    repo = make_repo(tmp_path / "r", files(2))
    try:
        result = cli_run(repo, "setup", "--documenter", "claude", "--model", "claude-test",
                         "--worker", "start", "--mcp-client", "none", "--yes")
        assert result.exit_code == 1  # the files are not documented yet, and it says so
        assert "not logged in" in result.stderr
        assert "2 files are not documented yet" in result.stderr
        # said when claude is chosen, before the other questions and the run
        said = " ".join(result.stderr.split())
        warned = said.find("the claude documenter cannot be called now: not logged in")
        assert 0 <= warned < said.find("codequery: dataset"), said
        assert worker_control.info(RepoPaths(repo), sample_cpu=False).running
        assert "set up; try" not in result.stderr
    finally:
        worker_control.stop(RepoPaths(repo), timeout=5)


def test_document_right_after_login_checks_again_instead_of_trusting_the_block(
        tmp_path, calls_log, logged_out):
    repo = make_repo(tmp_path / "r", files(2))
    assert cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test",
                   "--yes").exit_code == 1
    logged_out.unlink()  # the user logs in, and documents at once
    result = cli_run(repo, "document", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "not logged in" not in result.stderr
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert report["llm"].get("blocked") is None


@pytest.mark.slow
def test_a_logged_out_cli_blocks_the_worker_until_login_then_all_complete(
        tmp_path, calls_log, logged_out, stop_workers):
    repo = make_repo(tmp_path / "r", files(20))
    _init_claude(repo, "--no-document")
    stop_workers(repo)
    assert run_installed(repo, "worker", "start").returncode == 0
    conn = _db(repo)
    wait_for(lambda: _blocked_reason(repo), timeout=20)
    time.sleep(5)  # the worker keeps running, blocked
    calls = [c for c in logged_calls(calls_log) if not c.get("auth_status")]
    assert len(calls) <= 3
    attempts = conn.execute("SELECT max(attempts) FROM jobs").fetchone()[0]
    assert attempts == 0
    doctor = json.loads(run_installed(repo, "doctor", "--json").stdout)
    [check] = [c for c in doctor["checks"] if c["name"] == "documenter"]
    assert not check["ok"] and "not logged in" in check["detail"]
    logged_out.unlink()  # the user logs in
    wait_for(lambda: ledger.counts(conn, "r")["completed"] == 20, timeout=60)
    assert ledger.counts(conn, "r")["dead"] == 0
    assert _blocked_reason(repo) is None


def _blocked_reason(repo):
    report = json.loads(run_installed(repo, "status", "--json").stdout)
    blocked = report["llm"].get("blocked")
    return blocked and blocked["reason"]


def _waiting_job(repo):
    [job] = json.loads(cli_run(repo, "queue", "list", "--status", "pending", "--json").stdout)
    retry_at = _db(repo).execute("SELECT next_retry_at FROM jobs WHERE id = ?",
                                 (job["id"],)).fetchone()[0]
    return job, retry_at - time.time()


def test_the_usage_limit_spends_no_attempt_and_waits_for_its_reset(tmp_path, calls_log,
                                                                    monkeypatch):
    repo = make_repo(tmp_path / "r", files(1))
    reset = int(time.time()) + 600
    monkeypatch.setenv("FAKE_CLAUDE_API_ERROR", f"Claude AI usage limit reached|{reset}")
    result = cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test", "--yes")
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "usage limit reached, resets at " in said and "ClaudeCallError" not in said
    job, wait = _waiting_job(repo)
    assert job["attempts"] == 0
    assert 580 < wait <= 601  # until the reset the CLI gave
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert "usage limit reached, resets at" in report["llm"]["last_error"]["error"]


def test_a_connection_error_spends_no_attempt_and_waits(tmp_path, calls_log, monkeypatch):
    repo = make_repo(tmp_path / "r", files(1))
    monkeypatch.setenv("FAKE_CLAUDE_API_ERROR", "API Error: Connection error.")
    result = cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test", "--yes")
    assert result.exit_code == 1 and "cannot reach the API" in " ".join(result.stderr.split())
    job, wait = _waiting_job(repo)
    assert job["attempts"] == 0 and 30 < wait <= 61


def test_a_rate_limited_call_spends_no_attempt_and_waits_as_told(tmp_path, calls_log,
                                                                  monkeypatch):
    repo = make_repo(tmp_path / "r", files(1))
    monkeypatch.setenv("FAKE_CLAUDE_BUSY", "120")
    result = cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test", "--yes")
    assert result.exit_code == 1 and "429" in result.stderr
    [job] = json.loads(cli_run(repo, "queue", "list", "--status", "pending", "--json").stdout)
    assert job["attempts"] == 0
    conn = _db(repo)
    retry_at = conn.execute("SELECT next_retry_at FROM jobs WHERE id = ?",
                            (job["id"],)).fetchone()[0]
    assert 100 < retry_at - time.time() <= 121  # the wait the answer asked for


def test_a_command_documenters_cost_is_unknown_not_free(initialized_repo):
    # an LLM CLI says no cost: status had shown "$0.0000, 0 tokens in, 0 out"
    from tests.helpers import use_fake_llm

    use_fake_llm(initialized_repo)
    assert cli_run(initialized_repo, "document", "--force", "--yes").exit_code == 0
    report = json.loads(cli_run(initialized_repo, "status", "--json").stdout)
    assert report["llm"]["calls"] > 0 and report["llm"]["priced_calls"] == 0
    said = cli_run(initialized_repo, "status").stdout
    assert "cost unknown (the documenter reports none), tokens unknown" in " ".join(said.split())


def test_a_blocked_documenter_takes_no_batch_mates(tmp_path, calls_log, logged_out, caplog):
    # not logged in: each task had taken a batch of pending jobs only to put them all
    # back, two events each, a burst of 60 every 15 seconds for as long as the block lasted
    from codequery.jobs import JobRunner
    from codequery.workspace import Workspace

    repo = make_repo(tmp_path / "r", files(5))
    _init_claude(repo, "--no-document")
    configure(repo, documenter={"batch_size": 5})
    conn = _db(repo)
    ids = [q.id for q in ledger.enqueue(conn, "r", [(f"src/m{i}.py", ledger.DOCUMENT, None)
                                                    for i in range(5)])]
    blocking.block(conn, "claude", "not logged in")
    caplog.set_level(logging.INFO)
    results = JobRunner(Workspace(repo)).run_all(ids[0])
    assert [(r.id, r.status) for r in results] == [(ids[0], "deferred")]  # the block stands
    taken = {r[0] for r in conn.execute("SELECT DISTINCT job_id FROM job_events "
                                        "WHERE to_status = 'processing'")}
    assert taken == {ids[0]}
    assert ledger.counts(conn, "r")["pending"] == 5
    # the log says the attempt was given back, as the ledger has it (attempts 0)
    assert ledger.get(conn, ids[0]).attempts == 0
    assert f"{ids[0]} path=src/m0.py status=deferred" in caplog.text
    assert "attempt=1 (not counted)" in caplog.text


def _breaking_at_once(tmp_path, n: int, **processing):  # noqa: ANN202
    """(connection, in-process job runner) of a repository of `n` files whose command
    documenter (the fake LLM) opens its breaker at the first failure, for five minutes."""
    import sys

    from codequery.jobs import JobRunner
    from codequery.workspace import Workspace
    from tests.helpers import FAKE_LLM, cli_run, configure

    repo = make_repo(tmp_path / "r", files(n))
    assert cli_run(repo, "init", "--no-document").exit_code == 0
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)],
                                "breaker_failures": 1, "breaker_cooldown_seconds": 300},
              processing=processing)
    return _db(repo), JobRunner(Workspace(repo))


def test_the_jobs_the_open_breaker_put_back_go_as_soon_as_its_probe_succeeds(
        tmp_path, monkeypatch):
    # a new user's trial: they waited out the minute they had been given, while status
    # promised "done in about 4.6s"; a job in its back-off after a failure still waits
    conn, runner = _breaking_at_once(tmp_path, 4, retry_base_seconds=300)
    ids = [q.id for q in ledger.enqueue(conn, "r", [(f"src/m{i}.py", ledger.DOCUMENT, None)
                                                    for i in range(3)])]
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    assert runner.run(ids[0]).status == "pending"  # failed: its back-off, and the breaker
    assert [runner.run(i).status for i in ids[1:]] == ["deferred", "deferred"]

    def waiting() -> set[str]:
        return {row[0] for row in conn.execute(
            "SELECT id FROM jobs WHERE status = 'pending' AND next_retry_at > ?",
            (time.time(),))}

    assert waiting() == set(ids)
    monkeypatch.delenv("FAKE_LLM_FAIL")
    conn.execute("UPDATE breakers SET opened_until = ?", (time.time() - 1,))  # cooled down
    probe = ledger.enqueue(conn, "r", [("src/m3.py", ledger.DOCUMENT, None)])[0].id
    assert runner.run(probe).status == "completed"
    assert waiting() == {ids[0]}
    assert [runner.run(i).status for i in ids[1:]] == ["completed", "completed"]


def test_a_failed_probe_of_the_breaker_spends_no_attempt_of_its_job_at_first(
        tmp_path, monkeypatch):
    # a new user's trial: a broken command opened the breaker, and the job at the head of
    # the queue, the probe each time, used up its retries and stayed dead after the fix
    from codequery.jobs import PROBE_FAILED_SAYS

    conn, runner = _breaking_at_once(tmp_path, 1, max_retries=2)
    job_id = ledger.enqueue(conn, "r", [("src/m0.py", ledger.DOCUMENT, None)])[0].id
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")

    def probe() -> str:
        conn.execute("UPDATE breakers SET opened_until = ?", (time.time() - 1,))
        conn.execute("UPDATE jobs SET next_retry_at = NULL WHERE id = ?", (job_id,))
        return runner.run(job_id).status

    assert runner.run(job_id).status == "pending"  # an attempt spent; the breaker opens
    assert [probe(), probe()] == ["deferred", "deferred"]
    job = ledger.get(conn, job_id)
    assert job.attempts == 1 and job.next_retry_at > time.time() + 300  # past the next probe
    assert ledger.count_events(conn, job_id, PROBE_FAILED_SAYS) == 2
    assert probe() == "pending" and ledger.get(conn, job_id).attempts == 2  # then it counts
    monkeypatch.delenv("FAKE_LLM_FAIL")
    assert probe() == "completed"


def test_a_late_failure_of_a_call_from_before_the_probe_is_no_failed_probe(tmp_path):
    # a review: a long call begun before the breaker opened failed while the probe was out,
    # took the probe's pass, and the probe's job then paid for the probe's own failure
    import threading

    from codequery.llm_caller import PROBE_FAILED

    conn, runner = _breaking_at_once(tmp_path, 1)
    caller = runner.caller
    caller.breaker.record_failure()  # open
    conn.execute("UPDATE breakers SET opened_until = ?", (time.time() - 1,))  # cooled down
    late, probe = RuntimeError("late"), RuntimeError("probe")

    def the_probe() -> None:
        caller._guard(None)  # handed the probe
        failed.wait(10)
        caller._failed(runner.store, 1, probe)

    failed = threading.Event()
    prober = threading.Thread(target=the_probe)
    prober.start()
    while not caller.breaker.state()["probing"]:
        time.sleep(0.01)
    caller._failed(runner.store, 1, late)  # this thread's call never was the probe
    failed.set()
    prober.join(10)
    assert not hasattr(late, PROBE_FAILED)
    assert getattr(probe, PROBE_FAILED) == caller.breaker.cooldown


class _BusyProbe:
    """A half-open breaker (opened by one failure, cooled down) and, in a thread, the call
    it let through as its probe, which comes back busy when told (`back()`)."""

    def __init__(self, tmp_path) -> None:
        import threading

        self.conn, self.runner = _breaking_at_once(tmp_path, 1)
        self.caller = self.runner.caller
        self.caller.breaker.record_failure()  # open
        self.cool_down()
        self._handed, self._back = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._probe)
        self._thread.start()
        assert self._handed.wait(10)

    def cool_down(self) -> None:
        self.conn.execute("UPDATE breakers SET opened_until = ?", (time.time() - 1,))

    def busy(self) -> None:
        from codequery.documenters.errors import DocumenterBusy

        self.caller._busy(self.runner.store, 1, DocumenterBusy("overloaded", 1))

    def _probe(self) -> None:
        self.caller._guard(None)  # handed the probe
        self._handed.set()
        self._back.wait(10)
        self.busy()

    def back(self) -> None:
        self._back.set()
        self._thread.join(10)


def test_a_call_from_before_the_probe_that_comes_back_busy_leaves_the_probe_out(tmp_path):
    # a review: the busy, blocked and stopped paths gave back the probe's pass whoever held
    # it, so a second probe could go out while the first was still running
    probe = _BusyProbe(tmp_path)
    probe.busy()  # this thread's call: never was the probe
    assert probe.caller.breaker.state()["probing"]
    assert probe.caller.breaker.admit() is None  # no second probe while the first is out
    probe.back()
    assert not probe.caller.breaker.state()["probing"]  # the probe's own busy gives it back


def test_a_probe_whose_breaker_reopened_does_not_give_back_its_successors_pass(tmp_path):
    # a review: "this thread was handed the probe" is not "this thread holds the probe out
    # now": a late failure reopens the breaker, a new probe goes out after the cooldown,
    # and the old one coming back busy freed the new one's pass (two probes at once)
    import threading

    from codequery.breaker import PROBE

    old = _BusyProbe(tmp_path)
    breaker = old.caller.breaker
    breaker.record_failure()  # a call from before reports late: open again
    old.cool_down()
    successor: list[object] = []
    taker = threading.Thread(target=lambda: successor.append(breaker.admit()))
    taker.start()
    taker.join(10)
    assert successor == [PROBE]
    old.back()
    assert breaker.state()["probing"]  # the successor's probe is still out
    assert breaker.admit() is None  # and no other goes out beside it


def test_a_wait_for_the_rate_limit_ends_when_the_process_stops(tmp_path):
    # Ctrl-C of a document run waited for threads asleep in the rate limiter (29 s at 6
    # calls a minute), and each then spent a token on a call that was killed at once
    import threading

    from codequery.ratelimit import RateLimiter

    conn, runner = _breaking_at_once(tmp_path, 1)
    limiter = RateLimiter(runner.workspace.paths.data_db, "test", per_minute=1, burst=1)
    assert limiter.acquire()  # the one token there was
    stop = threading.Event()
    ended: list[float] = []

    def waiting() -> None:
        began = time.monotonic()
        limiter.acquire(stop=stop)
        ended.append(time.monotonic() - began)

    waiter = threading.Thread(target=waiting, daemon=True)
    waiter.start()
    time.sleep(0.3)
    assert not ended  # waiting for the next token, a minute away
    stop.set()
    waiter.join(10)
    assert ended  # woken: not a minute later
    # the token it had booked is back: the next caller waits no longer than it would have
    assert limiter._book(time.monotonic() + 61.0) <= 60.0
