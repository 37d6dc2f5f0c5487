"""Queue speed (a benchmark, not a test), measured in one run against raw Huey.

Prints: enqueue rate through the codequery ledger (what the CLI and the git hook pay per
file) vs a raw SqliteHuey enqueue of no-op tasks; end-to-end documented files/s on 1 and 4
consumer threads vs raw Huey no-op throughput on as many threads, both with an instant
documenter (returns a fixed record: the queue's own overhead, consumer in this process like
the raw one) and with the real builtin documenter on tiny files in a real worker process.

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


def raw_huey(path: Path, ran: list[int]) -> tuple[SqliteHuey, object]:
    """Huey as its docs show it, with a no-op task that only counts that it ran."""
    huey = SqliteHuey("raw", filename=str(path), results=False, journal_mode="wal")

    @huey.task()
    def noop(i: int) -> None:
        ran.append(i)

    return huey, noop


def raw_enqueue_rate(tmp: Path, jobs: int) -> float:
    huey, noop = raw_huey(tmp / "raw-enqueue.db", [])
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
    """End to end like ours: the consumer runs, then the tasks are enqueued and executed."""
    done: list[int] = []
    huey, noop = raw_huey(tmp / f"raw-run-{threads}.db", done)
    consumer = huey.create_consumer(workers=threads, worker_type="thread", initial_delay=0.05,
                                    max_delay=1.0, periodic=False)
    consumer.start()
    try:
        start = time.perf_counter()
        for i in range(jobs):
            huey.enqueue(noop.s(i))
        while len(done) < jobs:
            time.sleep(0.005)
        return jobs / (time.perf_counter() - start)
    finally:
        consumer.stop(graceful=True)


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


class InstantDocumenter:
    """Answers at once, so the figure is the queue's cost and nothing else."""

    name = "instant"
    model = None
    inline = True

    def document(self, path: str, language: str, text: str):  # noqa: ANN201
        from codequery.records import FileDoc

        return FileDoc(overview=f"{path} instantly")


def instant_throughput(tmp: Path, jobs: int, threads: int) -> float:
    """Our worker (dispatcher, ledger, transport) in this process, as raw Huey is measured."""
    import os

    root = tmp / f"instant-{threads}"
    make_repo(root, jobs)
    os.environ["CODEQUERY_ROOT"] = str(root)
    import importlib

    import codequery

    sys.modules.pop("codequery.huey_app", None)  # a fresh Huey for this repository
    codequery.__dict__.pop("huey_app", None)
    huey_app = importlib.import_module("codequery.huey_app")

    huey_app.runtime.runner.__dict__["documenter"] = InstantDocumenter()
    assert huey_app.runtime.start()
    consumer = huey_app.huey.create_consumer(workers=threads, worker_type="thread",
                                             initial_delay=0.05, max_delay=1.0, periodic=False)
    conn = connect(huey_app.workspace.paths.data_db)
    items = [(f"src/m{i}.py", ledger.DOCUMENT, None) for i in range(jobs)]
    consumer.start()
    try:
        start = time.perf_counter()
        ledger.enqueue(conn, "bench", items)
        liveness.wake(huey_app.workspace.paths)
        while ledger.counts(conn, "bench")["completed"] < jobs:
            time.sleep(0.005)
        return jobs / (time.perf_counter() - start)
    finally:
        consumer.stop(graceful=True)
        huey_app.runtime.shutdown()


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
              f"-> ours takes {raw / ours:.2f}x the time of raw (goal <= 1.5x)")
        for threads in (1, 4):
            raw_rate = raw_throughput(tmp, args.jobs, threads)
            instant = instant_throughput(tmp, args.jobs, threads)
            builtin = our_throughput(tmp, args.jobs, threads)
            print(f"end to end, {threads} thread(s): raw Huey no-op {raw_rate:,.0f} tasks/s; "
                  f"codequery, instant documenter {instant:,.0f} files/s "
                  f"-> {instant / raw_rate:.2f}x (goal >= 0.5x); builtin documenter in a "
                  f"worker process {builtin:,.0f} files/s -> {builtin / raw_rate:.2f}x")


if __name__ == "__main__":
    main()
