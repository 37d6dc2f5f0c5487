"""Real git repositories for tests, and ways to run codequery against them."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result

import codequery.cli  # noqa: F401 - registers the commands
from codequery.cli.app import cli

BIN_DIR = Path(sys.executable).parent
CODEQUERY_BIN = BIN_DIR / "codequery"


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def write(repo: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def make_repo(path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    write(path, files if files is not None else {"README.md": "# Project\n\nA small project.\n"})
    commit_all(path, "initial")
    return path


def cli_run(repo: Path, *args: str, input: str | None = None) -> Result:
    """codequery in this process through click's runner (fast; no console script)."""
    return CliRunner().invoke(cli, ["-C", str(repo), *args], input=input, catch_exceptions=False)


def run_installed(repo: Path, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """codequery as a user runs it: the installed console script in a subprocess."""
    return subprocess.run([str(CODEQUERY_BIN), "-C", str(repo), *args], capture_output=True,
                          text=True, **kwargs)


def cli_json(repo: Path, command: str, *args: str):
    result = cli_run(repo, command, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def env_without_git_vars() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def damage_table(db: Path, table: str) -> None:
    """Garbage over the first page of `table` (call it with no connection open): the
    database still opens, and SQLite finds the damage when a query reads that table, as
    with a disk that lost some of the file's later pages."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        [root] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                              (table,)).fetchone()
    finally:
        conn.close()
    assert root > 1
    with db.open("r+b") as out:
        out.seek((root - 1) * page_size)
        out.write(b"\x00\xff" * (page_size // 2))


FAKE_LLM = Path(__file__).parent / "fake_llm.py"


def configure(repo: Path, **sections: dict) -> None:
    """Merge settings into .code-query/config.json (after `init`)."""
    path = repo / ".code-query" / "config.json"
    cfg = json.loads(path.read_text())
    for name, values in sections.items():
        cfg[name].update(values)
    path.write_text(json.dumps(cfg, indent=2))
    approve(repo)


def approve(repo: Path) -> None:
    """What running `codequery init` does for an edited config: this machine approves its
    documenter settings (an LLM documenter runs only with approved ones)."""
    from contextlib import suppress

    from codequery import config, trust
    from codequery.errors import CodeQueryError
    from codequery.paths import RepoPaths

    paths = RepoPaths(repo)
    with suppress(CodeQueryError):  # a test that writes a broken config on purpose
        trust.approve(paths, config.load(paths.config).documenter)


def use_fake_llm(repo: Path, **documenter: object) -> None:
    """The command documenter running tests/fake_llm.py (behaviour set through FAKE_LLM_*)."""
    configure(repo, documenter={"name": "command", "command": [sys.executable, str(FAKE_LLM)],
                                **documenter})


class TimedOut(AssertionError):
    """wait_for's condition did not hold in time (an AssertionError a caller can tell
    from one the predicate itself raised)."""


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimedOut(f"condition not met within {timeout}s")


def logged_calls(log: Path) -> list[dict]:
    """The calls a fake LLM CLI wrote to its log (one JSON line each); login checks
    (`claude auth status`, no model call) are left out."""
    if not log.exists():
        return []
    # a line is whole once its newline is written: a fake still writing one (a test
    # polling while calls are made) is read on the next look
    lines = log.read_text(encoding="utf-8").split("\n")[:-1]
    entries = [json.loads(line) for line in lines if line]
    return [entry for entry in entries if not entry.get("auth_status")]


def gone(pid: int, wait: float = 0.0) -> bool:
    """Dead within `wait` s: no such process, or a zombie nobody reaped (PID 1 in a container).

    SIGKILL is delivered asynchronously: a process can close its pipes a moment before it
    shows as exited, hence the short wait.
    """
    import time

    import psutil

    deadline = time.monotonic() + wait
    while True:
        try:
            if psutil.Process(pid).status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def assert_group_gone(call: dict) -> None:
    """The fake and the child it logged are both dead (killed here if not, then failed)."""
    import psutil

    try:
        assert gone(call["pid"], wait=1.0)
        assert gone(call["child"], wait=1.0)
    finally:
        for pid in (call["pid"], call["child"]):
            if not gone(pid):
                psutil.Process(pid).kill()


def assert_hung_call_killed(log: Path, elapsed: float, timeout: float) -> None:
    """The hung fake and the child holding its stdout died with their process group."""
    import psutil

    [call] = logged_calls(log)
    try:
        assert elapsed < timeout + 2
        assert gone(call["pid"], wait=1.0)
        assert gone(call["child"], wait=1.0)  # the child that held stdout went with the group
    finally:
        for pid in (call["pid"], call["child"]):
            if not gone(pid):
                psutil.Process(pid).kill()


# Outlining snippets: the tree-sitter and JavaScript outliner tests.
def dead_job(ws, path: str) -> str:  # noqa: ANN001 - a Workspace
    """A job whose only attempt failed, written through the real ledger: dead, as a
    worker leaves it."""
    from codequery import ledger

    conn = ws.store.conn
    [queued] = ledger.enqueue(conn, ws.config.dataset, [(path, ledger.DOCUMENT, None)])
    claimed = ledger.claim(conn, queued.id, "test-worker", 60)
    assert claimed is not None
    assert ledger.fail(conn, claimed, "test-worker", "the documenter broke", max_retries=0,
                       base=1, cap=1) == ledger.DEAD
    return queued.id


# -- `codequery serve --http` for the MCP and dashboard tests ---------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None,
            body: str | None = None) -> tuple[int, dict[str, str], str]:
    """One plain HTTP request (http.client sends our Host header when we give one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


@contextmanager
def http_server(repo: Path, log: Path, *extra: str) -> Iterator[int]:
    """`codequery serve --http` on a free port, until the block ends."""
    port = free_port()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [str(CODEQUERY_BIN), "-C", str(repo), "serve", "--http", "--port", str(port), *extra],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        def answers() -> int | None:
            if proc.poll() is not None:
                raise AssertionError(f"serve --http exited with {proc.returncode}: "
                                     f"{log.read_text(encoding='utf-8')}")
            try:
                return request(port, "GET", "/metrics")[0]
            except OSError:
                return None

        wait_for(answers, timeout=30)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


import textwrap  # noqa: E402

from codequery.documenters.treesitter import outline  # noqa: E402
from codequery.records import FileDoc  # noqa: E402


def outline_source(language: str, source: str) -> FileDoc:
    """The outline of `source`, dedented so a test can write it indented."""
    doc = outline(language, textwrap.dedent(source).lstrip("\n").encode())
    assert doc is not None
    return doc


def names(items: list) -> list[str]:
    return [item.name for item in items]


@contextmanager
def a_job_held_by_a_block(repo: Path) -> Iterator[str]:
    """The id of a job pending in `repo`, set to the claude documenter and blocked (not
    logged in), while this process holds the worker's lock: a worker runs, and takes
    nothing."""
    import fcntl

    from codequery import blocking, ledger
    from codequery.paths import RepoPaths
    from codequery.workspace import Workspace

    configure(repo, documenter={"name": "claude"})
    ws = Workspace(repo)
    [queued] = ledger.enqueue(ws.store.conn, ws.config.dataset,
                              [("src/a.py", ledger.DOCUMENT, None)])
    blocking.block(ws.store.conn, "claude", "not logged in: run `claude` once")
    lock = os.open(RepoPaths(repo).lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield queued.id
    finally:
        os.close(lock)
