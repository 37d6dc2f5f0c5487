"""LLM documenting throughput (a benchmark, not a test).

With the stand-in Claude CLI (tests/bin/claude) answering after 200 ms, 200 changed files
are documented end to end by a real worker, for batch_size 1 vs 5 and threads 1 vs 4.
Prints wall time and calls made against the ideal (calls x 200 ms / threads). The rate
limit is switched off (requests_per_minute 0) so that the figures show our overhead.

    python bench/bench_llm.py [--files 200] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codequery import ledger  # noqa: E402
from codequery.store import connect  # noqa: E402

CODEQUERY = str(Path(sys.executable).parent / "codequery")
FAKE_BIN = Path(__file__).resolve().parent.parent / "tests" / "bin"


def sh(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")


def run(tmp: Path, files: int, batch: int, threads: int, delay: float) -> tuple[float, int]:
    root = tmp / f"b{batch}-t{threads}"
    root.mkdir()
    log = tmp / f"calls-{batch}-{threads}.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PATH=f"{FAKE_BIN}{os.pathsep}{env['PATH']}", FAKE_CLAUDE_DELAY=str(delay),
               FAKE_CLAUDE_LOG=str(log), GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b",
               GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
    sh(["git", "init", "-q", "-b", "main"], root, env)
    (root / "src").mkdir()
    for i in range(files):
        (root / "src" / f"m{i}.py").write_text(f'"""Module {i}."""\n\ndef f{i}():\n    '
                                               f"return {i}\n")
    sh(["git", "add", "-A"], root, env)
    sh(["git", "commit", "-qm", "files"], root, env)
    sh([CODEQUERY, "init", "--no-document", "--no-hooks", "--documenter", "claude", "--model",
        "bench", "--dataset", "bench"], root, env)
    config_path = root / ".code-query" / "config.json"
    config = json.loads(config_path.read_text())
    config["documenter"].update(batch_size=batch, requests_per_minute=0)
    config_path.write_text(json.dumps(config))
    sh([CODEQUERY, "worker", "start", "--threads", str(threads)], root, env)
    conn = connect(root / ".code-query" / "code_data.db")
    try:
        start = time.perf_counter()
        sh([CODEQUERY, "document", "--queue"], root, env)
        while ledger.counts(conn, "bench")["completed"] < files:
            time.sleep(0.02)
        wall = time.perf_counter() - start
    finally:
        sh([CODEQUERY, "worker", "stop"], root, env)
    return wall, len(log.read_text().splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    print(f"{args.files} files, fake Claude CLI answering in {args.delay * 1000:.0f} ms")
    print("batch threads  calls  wall s  ideal s  wall/ideal")
    with tempfile.TemporaryDirectory() as name:
        for batch in (1, 5):
            for threads in (1, 4):
                wall, calls = run(Path(name), args.files, batch, threads, args.delay)
                ideal = math.ceil(args.files / batch) * args.delay / threads
                print(f"{batch:5} {threads:7} {calls:6} {wall:7.1f} {ideal:8.1f} "
                      f"{wall / ideal:10.2f}")


if __name__ == "__main__":
    main()
