"""What the reconciler costs (a benchmark, not a test).

Makes a repository of 10,000 small Python files in nested folders and runs `codequery
init` on it (builtin documenter, hooks left out so that no hook documents behind the
benchmark's back), then prints:
- the time of a reconcile that finds nothing to do, in process, beside `git ls-files -s -z`
  alone (the floor: the reconciler reads that) and the steps in between;
- convergence after checkouts between main and a branch where 1,000 files differ: the
  first switch documents those files, switching back and forth again only points paths at
  records kept under their content key (no documenter call).

    python bench/bench_reconcile.py [--files 10000] [--changed 1000] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import codequery_command, isolate, run  # noqa: E402

from codequery import git, ledger, local_run, reconcile  # noqa: E402
from codequery.jobs import JobRunner  # noqa: E402
from codequery.workspace import Workspace  # noqa: E402

GOAL_MS = 100.0  # a no-op reconcile of 10,000 files



def source(i: int, variant: str = "main") -> str:
    """A small module, different for every i (else content keys would share records)."""
    op, word = ("+", "plus") if variant == "main" else ("*", "times")
    return (f'"""Module {i}: helpers for item {i}."""\n\nimport os\n\n\n'
            f'def compute_{i}(value):\n    """Return value {word} {i}."""\n'
            f"    return value {op} {i}\n\n\n"
            f'class Thing{i}:\n    """Holds item {i}."""\n\n'
            f"    def run(self):\n        return compute_{i}(os.getpid())\n")


def path_of(i: int) -> str:
    return f"src/pkg{i % 25:02d}/sub{i // 25 % 20:02d}/mod_{i:05d}.py"


def make_repo(root: Path, files: int, changed: int) -> list[int]:
    """main with `files` modules; branch `other` where `changed` of them differ."""
    root.mkdir()
    run(["git", "init", "-q", "-b", "main"], root)
    for i in range(files):
        path = root / path_of(i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source(i))
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "main"], root)
    step = max(files // max(changed, 1), 1)
    return list(range(0, files, step))[:changed]


def make_branch(root: Path, changed: list[int]) -> None:
    run(["git", "checkout", "-q", "-b", "other"], root)
    for i in changed:
        (root / path_of(i)).write_text(source(i, "other"))
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", f"{len(changed)} files differ"], root)
    run(["git", "checkout", "-q", "main"], root)


def median_ms(fn: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def noop_reconcile(ws: Workspace, runner: JobRunner, runs: int, files: int) -> None:
    store, config, ident, root = runner.store, runner.config, runner.identity, ws.root
    found = reconcile.plan(store, root, config, ident)
    print(f"index as set up: {found.tracked} tracked, {found.current} current, "
          f"converged: {'yes' if found.converged else 'NO'}")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("git ls-files -s -z (subprocess, baseline)",
         lambda: subprocess.run(["git", "ls-files", "-s", "-z"], cwd=root,
                                capture_output=True, check=True)),
        ("git.tracked_files (ls-files + parsing)", lambda: git.tracked_files(root)),
        ("store.view()", store.view),
        ("store.skips()", store.skips),
        ("ledger.open_work()", lambda: ledger.open_work(store.conn, store.dataset)),
        ("reconcile.plan()", lambda: reconcile.plan(store, root, config, ident)),
        ("reconcile.reconcile() (plan + apply)",
         lambda: reconcile.reconcile(store, root, config, ident, trigger="bench")),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _ in steps}
    for _ in range(runs):  # round robin: machine noise hits every step alike
        for name, fn in steps:
            timings[name].append(median_ms(fn, 1))
    med = {name: statistics.median(t) for name, t in timings.items()}
    floor = med[steps[0][0]]
    print(f"\nno-op reconcile of {files} files, in process, median of {runs} runs")
    print(f"{'step':42} {'ms':>8} {'x ls-files':>11}")
    for name, ms in med.items():
        print(f"{name:42} {ms:8.1f} {ms / floor:10.1f}x")
    total = med[steps[-1][0]]
    verdict = "met" if total < GOAL_MS else "NOT met"
    print(f"no-op reconcile: {total:.1f} ms = {total / floor:.1f}x git ls-files alone "
          f"({floor:.1f} ms); goal: under {GOAL_MS:.0f} ms ({verdict})")


def switch(ws: Workspace, runner: JobRunner, branch: str) -> dict[str, object]:
    """Check out `branch`, then document in process until the plan has converged (the
    check of the plan after each round is not timed)."""
    store = runner.store
    docs_before = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    start = time.perf_counter()
    run(["git", "checkout", "-q", branch], ws.root)
    checkout = time.perf_counter() - start
    document = 0.0
    documented = pointed = rounds = 0
    converged = False
    while not converged and rounds < 5:
        rounds += 1
        start = time.perf_counter()
        outcome = local_run.document_now(ws, trigger="bench", runner=runner)
        document += time.perf_counter() - start
        documented += outcome.documented
        pointed += store.conn.execute("SELECT pointed FROM reconciles WHERE dataset = ?",
                                      (store.dataset,)).fetchone()[0]
        if outcome.failed or outcome.left:
            raise SystemExit(f"{branch}: {len(outcome.failed)} failed, {outcome.left} left")
        converged = reconcile.plan(store, ws.root, runner.config, runner.identity).converged
    docs_after = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    return {"checkout": checkout, "document": document, "documented": documented,
            "pointed": pointed, "new": docs_after - docs_before, "rounds": rounds,
            "converged": converged}


def cli_switch(root: Path, branch: str) -> tuple[float, float, str]:
    """The same through the CLI: (checkout s, `codequery document` s, its last line)."""
    start = time.perf_counter()
    run(["git", "checkout", "-q", branch], root)
    checked_out = time.perf_counter()
    said = run([codequery_command(), "document"], root).strip().splitlines()
    return checked_out - start, time.perf_counter() - checked_out, said[-1] if said else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=1_000,
                        help="files that differ on the branch (at most --files)")
    parser.add_argument("--runs", type=int, default=20, help="runs of each no-op timing")
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as name:
        tmp = Path(name)
        isolate(tmp / "home")
        root = tmp / "repo"
        start = time.perf_counter()
        changed = make_repo(root, args.files, min(args.changed, args.files))
        made = time.perf_counter() - start
        start = time.perf_counter()
        said = run([codequery_command(), "init", "--no-hooks"], root).strip().splitlines()
        took = time.perf_counter() - start
        print(f"repository: {args.files} files written, added and committed in {made:.1f} s")
        print(f"codequery init (builtin documenter): {took:.1f} s = "
              f"{args.files / took:.0f} files/s; it said: {said[-1] if said else ''}")
        run(["git", "commit", "-qm", "codequery settings"], root)
        make_branch(root, changed)

        ws = Workspace(root)
        runner = JobRunner(ws)
        noop_reconcile(ws, runner, args.runs, args.files)

        print(f"\nconvergence after a checkout where {len(changed)} of {args.files} files "
              "differ (git checkout, then document_now in process until the plan converges)")
        print(f"{'step':30} {'checkout s':>10} {'document s':>10} {'documented':>10} "
              f"{'pointed':>8} {'new records':>11}  converged")
        for label, branch in (("(i) main -> other, first", "other"),
                              ("(ii) other -> main", "main"),
                              ("(iii) main -> other, again", "other")):
            r = switch(ws, runner, branch)
            rounds = f" ({r['rounds']} rounds)" if r["rounds"] > 1 else ""
            print(f"{label:30} {r['checkout']:10.2f} {r['document']:10.2f} "
                  f"{r['documented']:10} {r['pointed']:8} {r['new']:11}  "
                  f"{'yes' if r['converged'] else 'NO'}{rounds}")
        checkout, document, said = cli_switch(root, "main")
        print(f"{'(iv) other -> main, CLI':30} {checkout:10.2f} {document:10.2f}  "
              f"`codequery document` (with start-up) said: {said}")
    print(f"\nbench run time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
