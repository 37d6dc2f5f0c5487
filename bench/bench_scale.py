"""Scaling out with remote consumers (a benchmark, not a test).

A real redis-server (loopback, a temp dir), a home worker on the Redis transport that
makes no LLM call itself (remote_threads 0), and 1, 2, then 4 consumer processes
(`codequery worker start --remote URL`, one thread each, in directories without the
repository) documenting the same files with a fake Claude CLI answering after 200 ms.
Prints jobs/s for each and the ratio to one consumer, from one run. The rate limit is off
(requests_per_minute 0) so that the figures show our overhead.

The fake LLM is, by default, a shell script that reads the prompt, sleeps and prints a
fixed answer in the CLI's JSON envelope: what it costs is the latency, as with a real
model. `--fake python` uses tests/bin/claude instead, whose Python start-up (about 100 ms
of CPU per call) competes with the consumers for the CPUs of one machine.

    python bench/bench_scale.py [--files 200] [--delay 0.2] [--fake sh|python]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import codequery_command, isolate, run  # noqa: E402

from codequery import ledger  # noqa: E402
from codequery.store import connect  # noqa: E402
from tests.redis_server import RedisServer, available  # noqa: E402

FAKE_BIN = Path(__file__).resolve().parent.parent / "tests" / "bin"
CONSUMERS = (1, 2, 4)
DOC = {"overview": "Fake documentation.", "functions": [], "classes": [], "imports": [],
       "exports": [], "dependencies": [], "notes": []}
ENVELOPE = {"type": "result", "subtype": "success", "is_error": False, "duration_ms": 200,
            "num_turns": 1, "session_id": "bench", "total_cost_usd": 0.0,
            "usage": {"input_tokens": 1, "output_tokens": 1}, "result": json.dumps(DOC),
            "structured_output": DOC}


def shell_fake(directory: Path, delay: float) -> Path:
    """A `claude` that only waits: `--version` answers, anything else sleeps `delay`."""
    directory.mkdir()
    script = directory / "claude"
    answer = json.dumps(ENVELOPE).replace("'", "'\\''")
    script.write_text(
        "#!/bin/sh\n"
        'case "$1" in -v|--version) echo "2.0.0 (Claude Code)"; exit 0;; esac\n'
        f"cat >/dev/null\nsleep {delay}\nprintf '%s\\n' '{answer}'\n")
    script.chmod(0o755)
    return directory


def make_repo(root: Path, files: int, url: str) -> None:
    root.mkdir()
    run(["git", "init", "-q", "-b", "main"], root)
    (root / "src").mkdir()
    for i in range(files):
        (root / "src" / f"m{i}.py").write_text(f'"""Module {i}."""\n\ndef f{i}():\n    '
                                               f"return {i}\n")
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "files"], root)
    run([codequery_command(), "init", "--no-document", "--no-hooks", "--documenter",
         "claude", "--model", "bench", "--dataset", "bench"], root)
    path = root / ".code-query" / "config.json"
    config = json.loads(path.read_text())
    config["documenter"].update(requests_per_minute=0)
    config["processing"].update(transport="redis", redis_url=url, threads=4,
                                remote_threads=0)
    path.write_text(json.dumps(config))
    run([codequery_command(), "init", "--no-document", "--no-hooks"], root)  # approves it


def measure(tmp: Path, consumers: int, files: int) -> float:
    """Jobs/s from the worker's start until every job is completed."""
    server = RedisServer(tmp / f"redis-{consumers}")
    server.start()
    root = tmp / f"repo-{consumers}"
    procs: list[subprocess.Popen] = []
    try:
        make_repo(root, files, server.url)
        for n in range(consumers):
            where = tmp / f"consumer-{consumers}-{n}"
            where.mkdir()
            procs.append(subprocess.Popen(
                [codequery_command(), "worker", "start", "--remote", server.url,
                 "--threads", "1"], cwd=where, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)  # the consumers are up and waiting
        conn = connect(root / ".code-query" / "code_data.db")
        start = time.perf_counter()
        run([codequery_command(), "worker", "start"], root)
        try:
            while ledger.counts(conn, "bench")["completed"] < files:
                time.sleep(0.02)
            return files / (time.perf_counter() - start)
        finally:
            conn.close()
            run([codequery_command(), "worker", "stop"], root)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=15)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--fake", choices=("sh", "python"), default="sh")
    args = parser.parse_args()
    if not available():
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        isolate(tmp / "home")
        fake = FAKE_BIN if args.fake == "python" else shell_fake(tmp / "fake", args.delay)
        os.environ["PATH"] = f"{fake}{os.pathsep}{os.environ['PATH']}"
        os.environ["FAKE_CLAUDE_DELAY"] = str(args.delay)
        print(f"{args.files} files, fake Claude CLI ({args.fake}) answering in "
              f"{args.delay * 1000:.0f} ms, {os.cpu_count()} CPUs")
        print("consumers  jobs/s  ratio to 1  ideal")
        first = None
        for consumers in CONSUMERS:
            rate = measure(tmp, consumers, args.files)
            first = first or rate
            print(f"{consumers:9} {rate:7.2f} {rate / first:11.2f} {consumers:6}")


if __name__ == "__main__":
    main()
