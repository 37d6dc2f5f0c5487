"""Queue speed (a benchmark, not a test), measured in one run against raw Huey.

Prints: enqueue rate through the codequery ledger (what the CLI and the git hook pay per
file) vs a raw SqliteHuey enqueue of no-op tasks, and end-to-end documented files/s with
a near-instant documenter (builtin on tiny files) on 1 and 4 consumer threads vs raw Huey
no-op throughput on as many threads.

    python bench/bench_queue.py [--jobs 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from huey import SqliteHuey  # noqa: E402

from codequery import ledger, liveness  # noqa: E402
from codequery.paths import RepoPaths  # noqa: E402
from codequery.store import connect  # noqa: E402

CODEQUERY = str(Path(sys.executable).parent / "codequery")


def raw_huey(path: Path) -> tuple[SqliteHuey, object]:
    huey = SqliteHuey("raw", filename=str(path), results=False, journal_mode="wal")

    @huey.task()
    def noop(i: int) -> None:
        return None

    return huey, noop


def raw_enqueue_rate(tmp: Path, jobs: int) -> float:
    huey, noop = raw_huey(tmp / "raw-enqueue.db")
    start = time.perf_counter()
    for i in range(jobs):
        huey.enqueue(noop.s(i))
    return jobs / (time.perf_counter() - start)


def ledger_enqueue_rate(tmp: Path, jobs: int) -> float:
    conn = connect(tmp / "ledger.db")
    start = time.perf_counter()
    for i in range(jobs):
        ledger.enqueue(conn, "bench", [(f"src/file_{i}.py", ledger.DOCUMENT, f"{i:040x}")])
    return jobs / (time.perf_counter() - start)


def raw_throughput(tmp: Path, jobs: int, threads: int) -> float:
    huey, noop = raw_huey(tmp / f"raw-run-{threads}.db")
    for i in range(jobs):
        huey.enqueue(noop.s(i))
    consumer = huey.create_consumer(workers=threads, worker_type="thread", initial_delay=0.05,
                                    max_delay=1.0, periodic=False)
    start = time.perf_counter()
    consumer.start()
    while huey.pending_count():
        time.sleep(0.01)
    consumer.stop(graceful=True)
    return jobs / (time.perf_counter() - start)


def make_repo(root: Path, jobs: int) -> None:
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "src").mkdir()
    for i in range(jobs):
        (root / "src" / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "b"],
                   cwd=root, check=True)
    subprocess.run([CODEQUERY, "init", "--no-document", "--dataset", "bench"], cwd=root,
                   check=True, capture_output=True)


def our_throughput(tmp: Path, jobs: int, threads: int) -> float:
    root = tmp / f"repo-{threads}"
    make_repo(root, jobs)
    paths = RepoPaths(root)
    subprocess.run([CODEQUERY, "worker", "start", "--threads", str(threads)], cwd=root,
                   check=True, capture_output=True)
    conn = connect(paths.data_db)
    items = [(f"src/m{i}.py", ledger.DOCUMENT, None) for i in range(jobs)]
    try:
        start = time.perf_counter()
        ledger.enqueue(conn, "bench", items)
        liveness.wake(paths)
        while ledger.counts(conn, "bench")["completed"] < jobs:
            time.sleep(0.01)
        return jobs / (time.perf_counter() - start)
    finally:
        subprocess.run([CODEQUERY, "worker", "stop"], cwd=root, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        raw = raw_enqueue_rate(tmp, args.jobs)
        ours = ledger_enqueue_rate(tmp, args.jobs)
        print(f"enqueue: raw SqliteHuey {raw:,.0f}/s, codequery ledger {ours:,.0f}/s "
              f"-> ours is {raw / ours:.2f}x slower (goal <= 1.5x)")
        for threads in (1, 4):
            raw_rate = raw_throughput(tmp, args.jobs, threads)
            our_rate = our_throughput(tmp, args.jobs, threads)
            print(f"end to end, {threads} thread(s): raw Huey no-op {raw_rate:,.0f} tasks/s, "
                  f"codequery {our_rate:,.0f} files documented/s "
                  f"-> {our_rate / raw_rate:.2f}x (goal >= 0.5x)")


if __name__ == "__main__":
    main()
