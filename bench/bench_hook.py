"""What codequery's post-commit hook adds to `git commit` (a benchmark, not a test).

Repositories committed to in turns (round robin, so machine noise hits all alike), 30
commits each: no hook; a hook that only starts Python (`exec <venv python> -c pass`, the
same interpreter and site-packages our hook starts, so start-up is compared like for like);
the same with the system python3; ours in auto mode with a running worker (the hook only
wakes it); ours with no worker (the hook's fallback documents the commit itself). Prints
the medians, (ours - none) / (bare python - none) beside the goal, and the import time
profile of the hook's fast path. Runs in temporary directories, with HOME pointed at one.

    python bench/bench_hook.py [--commits 30] [--no-fallback] [--system-python PATH]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import codequery_command

GOAL = 2.0  # ours with a worker may add at most this many bare Python start-ups
FILES = 50
SETTLE_TIMEOUT = 10.0


CODEQUERY = codequery_command()


def clean_env(home: Path) -> dict[str, str]:
    """No GIT_*, CODEQUERY_* or PYTHON* from the caller, and a HOME of our own: nothing
    reads or writes the real one."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "CODEQUERY_", "PYTHON"))}
    env.pop("XDG_CONFIG_HOME", None)
    env["HOME"] = str(home)
    return env


def make_home(home: Path) -> None:
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = bench\n\temail = bench@example.com\n"
                                     "[init]\n\tdefaultBranch = main\n")


def sh(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed in {cwd}:\n{done.stdout}{done.stderr}")
    return done


def make_repo(root: Path, env: dict[str, str]) -> Path:
    root.mkdir()
    sh(["git", "init", "-q", "-b", "main"], root, env)
    for i in range(FILES):
        (root / f"m{i}.py").write_text(f'"""Module {i}."""\n\n\ndef f{i}():\n    return {i}\n')
    sh(["git", "add", "-A"], root, env)
    sh(["git", "commit", "-qm", "init"], root, env)
    return root


def bare_hook(root: Path, python: str) -> None:
    """A post-commit hook started the way ours is (/bin/sh, then exec Python), doing nothing."""
    hook = root / ".git" / "hooks" / "post-commit"
    hook.write_text(f"#!/bin/sh\nexec {shlex.quote(python)} -c pass\n")
    hook.chmod(0o755)


def setup_ours(root: Path, env: dict[str, str]) -> None:
    sh([CODEQUERY, "init"], root, env)
    sh(["git", "add", "-A"], root, env)
    sh(["git", "commit", "-qm", "codequery settings"], root, env)


class Settler:
    """Waits until the worker has reconciled after a commit and its queue is empty, so its
    work neither overlaps the next timed commit nor goes unchecked."""

    def __init__(self, root: Path) -> None:
        self.db = root / ".code-query" / "code_data.db"
        self.lags: list[float] = []

    def wait(self, since: float) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        try:
            while time.monotonic() < deadline:
                ran = conn.execute("SELECT max(ran_at) FROM reconciles").fetchone()[0]
                busy = conn.execute("SELECT count(*) FROM jobs WHERE status IN "
                                    "('pending', 'processing')").fetchone()[0]
                if ran is not None and ran >= since and not busy:
                    self.lags.append(time.time() - since)
                    return
                time.sleep(0.005)
        finally:
            conn.close()
        raise SystemExit(f"the worker did not catch up within {SETTLE_TIMEOUT:.0f} s")


def timed_commit(root: Path, n: int, env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds the commit took, wall clock time it began, what the hook printed)."""
    (root / f"m{n % FILES}.py").write_text(f'"""Changed {n}."""\n\n\ndef g{n}():\n'
                                           f"    return {n}\n")
    sh(["git", "add", "-A"], root, env)
    began = time.time()
    start = time.perf_counter()
    done = sh(["git", "commit", "-qm", f"c{n}"], root, env)
    return time.perf_counter() - start, began, done.stderr.strip()


def importtime(args: list[str], cwd: Path, env: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """module -> (depth in the import tree, self us, cumulative us)."""
    err = sh([sys.executable, "-X", "importtime", *args], cwd, env).stderr
    rows = {}
    for line in err.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            name = parts[2][1:].rstrip()  # Python indents by two spaces a level
            depth = (len(name) - len(name.lstrip())) // 2
            rows[name.strip()] = (depth, int(parts[0]), int(parts[1]))
    return rows


def import_profile(root: Path, env: dict[str, str], runs: int = 5, top: int = 15) -> list[str]:
    """The installed post-commit hook (worker running: the fast path) under -X importtime,
    beside a bare `python -c pass`: what the hook adds, biggest cumulative first."""
    hook = str(root / ".git" / "hooks" / "post-commit")
    bare = set(importtime(["-c", "pass"], root, env))
    samples: dict[str, list[tuple[int, int, int]]] = {}
    for _ in range(runs):
        for name, row in importtime([hook], root, env).items():
            if name not in bare:
                samples.setdefault(name, []).append(row)
    added = {name: (rows[0][0], statistics.median(r[1] for r in rows),
                    statistics.median(r[2] for r in rows)) for name, rows in samples.items()}
    ours = sorted(m for m in added if m.split(".")[0] == "codequery")
    foreign = sorted(m for m in added if m.split(".")[0] != "codequery"
                     and m.split(".")[0] not in sys.stdlib_module_names)
    total = sum(cumulative for depth, _, cumulative in added.values() if depth == 0)
    lines = [f"import time of the hook's fast path (worker running), median of {runs} runs:",
             f"  modules a bare `python -c pass` does not load: {len(added)}, "
             f"{total / 1000:.1f} ms in all",
             f"  codequery modules: {', '.join(ours)}",
             f"  outside the standard library: {', '.join(foreign) or 'none'}",
             f"  {'self us':>8} {'cumul us':>8}  module (biggest cumulative first; "
             "indent = import depth)"]
    ranked = sorted(added.items(), key=lambda item: item[1][2], reverse=True)
    lines += [f"  {s:8.0f} {c:8.0f}  {'  ' * depth}{name}" for name, (depth, s, c) in ranked[:top]]
    return lines


def python_version(python: str) -> str:
    done = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=30, help="commits per variant")
    parser.add_argument("--no-fallback", action="store_true",
                        help="leave out ours with no worker (the synchronous fallback)")
    parser.add_argument("--system-python", default="/usr/bin/python3",
                        help="the plain python3 to compare with (skipped if missing)")
    args = parser.parse_args()
    system_python = shutil.which(args.system_python)
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as name:
        tmp = Path(name)
        make_home(tmp / "home")
        env = clean_env(tmp / "home")
        variants = ["none", "bare venv python", "ours, worker"]
        if system_python:
            variants.insert(2, "bare system python3")
        if not args.no_fallback:
            variants.append("ours, no worker")
        repos = {v: make_repo(tmp / f"repo{i}", env) for i, v in enumerate(variants)}
        bare_hook(repos["bare venv python"], sys.executable)
        if system_python:
            bare_hook(repos["bare system python3"], system_python)
        for variant in variants:
            if variant.startswith("ours"):
                setup_ours(repos[variant], env)
        worker_repo = repos["ours, worker"]
        sh([CODEQUERY, "worker", "start"], worker_repo, env)
        settler = Settler(worker_repo)
        times: dict[str, list[float]] = {v: [] for v in variants}
        said: dict[str, str] = {}
        try:
            for n in range(args.commits):
                k = n % len(variants)  # rotate who goes first: no variant always follows another
                for variant in variants[k:] + variants[:k]:
                    took, began, stderr = timed_commit(repos[variant], n, env)
                    times[variant].append(took)
                    said[variant] = stderr.splitlines()[-1] if stderr else ""
                    if variant == "ours, worker":
                        settler.wait(began)
            profile = import_profile(worker_repo, env)
        finally:
            sh([CODEQUERY, "worker", "stop"], worker_repo, env)
    report(variants, times, args.commits, sys.executable, system_python)
    lag = statistics.median(settler.lags) * 1000
    print(f"\nworker caught up (reconciled, queue empty) a median {lag:.0f} ms after the commit "
          "began")
    for variant in variants:
        if said.get(variant):
            print(f"last hook message, {variant}: {said[variant]}")
    print()
    print("\n".join(profile))


def report(variants: list[str], times: dict[str, list[float]], commits: int, venv_python: str,
           system_python: str | None) -> None:
    med = {v: statistics.median(t) * 1000 for v, t in times.items()}
    quartiles = {v: statistics.quantiles([x * 1000 for x in t], n=4) for v, t in times.items()}
    none = med["none"]
    base = med["bare venv python"] - none
    print(f"git commit, {commits} commits per variant, round robin (ms)")
    print(f"venv python {python_version(venv_python)}: {venv_python}")
    if system_python:
        print(f"system python {python_version(system_python)}: {system_python}")
    print()
    print(f"{'variant':22} {'median':>8} {'q1-q3':>13} {'added':>8} {'/ bare venv':>12}  goal")
    for variant in variants:
        added = med[variant] - none
        q1, _, q3 = quartiles[variant]
        ratio = f"{added / base:.2f}x" if variant != "none" and base > 0 else ""
        goal = f"at most {GOAL:g}" if variant == "ours, worker" else ""
        if goal:
            goal += " (met)" if base > 0 and added / base <= GOAL else " (NOT met)"
        spread = f"{q1:.1f}-{q3:.1f}"
        print(f"{variant:22} {med[variant]:8.1f} {spread:>13} "
              f"{added if variant != 'none' else 0:8.1f} {ratio:>12}  {goal}")
    print(f"\nadded-time ratio (ours, worker - none) / (bare venv python - none) = "
          f"{(med['ours, worker'] - none) / base:.2f}   goal: at most {GOAL:g}"
          if base > 0 else "\nbare python start-up too small to measure a ratio")


if __name__ == "__main__":
    main()
