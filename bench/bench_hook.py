"""What codequery's post-commit hook adds to `git commit` (a benchmark, not a test).

Four repositories, committed to in turns (interleaved, so machine noise hits all alike),
30 commits each: no hook; a hook that only starts Python (`pass`); ours in auto mode with
a running worker (the enqueue path); ours with no worker and the builtin documenter (the
synchronous path). Prints medians and (ours - none) / (python - none), then the import
time profile of the hook's fast path.

    python bench/bench_hook.py [--commits 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODEQUERY = str(Path(sys.executable).parent / "codequery")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
ENV.update(GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
           GIT_COMMITTER_EMAIL="b@b")


def sh(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    return done.stderr


def make_repo(root: Path, files: int = 50) -> Path:
    root.mkdir()
    sh(["git", "init", "-q", "-b", "main"], root)
    for i in range(files):
        (root / f"m{i}.py").write_text(f'"""Module {i}."""\n\ndef f{i}():\n    return {i}\n')
    sh(["git", "add", "-A"], root)
    sh(["git", "commit", "-qm", "init"], root)
    return root


def python_only_hook(root: Path) -> None:
    hook = root / ".git" / "hooks" / "post-commit"
    hook.write_text(f"#!{sys.executable}\npass\n")
    hook.chmod(0o755)


def timed_commit(root: Path, n: int) -> float:
    (root / f"m{n % 50}.py").write_text(f'"""Changed {n}."""\n\ndef g{n}():\n    return {n}\n')
    sh(["git", "add", "-A"], root)
    start = time.perf_counter()
    sh(["git", "commit", "-qm", f"c{n}"], root)
    return time.perf_counter() - start


def import_profile(root: Path) -> str:
    """The hook's fast path (worker running) under -X importtime, biggest first."""
    (root / "m0.py").write_text('"""Profiled."""\n')
    sh(["git", "add", "-A"], root)
    err = sh(["git", "commit", "-qm", "profile"], root, {**ENV, "PYTHONPROFILEIMPORTTIME": "1"})
    rows = [line for line in err.splitlines()
            if line.startswith("import time:") and line.split("|")[1].strip().isdigit()]
    rows.sort(key=lambda line: int(line.split("|")[1]), reverse=True)
    return "\n".join(rows[:15])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        repos = {"none": make_repo(tmp / "none"), "python": make_repo(tmp / "python"),
                 "enqueue": make_repo(tmp / "enqueue"), "sync": make_repo(tmp / "sync")}
        python_only_hook(repos["python"])
        for variant in ("enqueue", "sync"):
            sh([CODEQUERY, "init", "--dataset", variant], repos[variant])
            sh(["git", "add", "-A"], repos[variant])
            sh(["git", "commit", "-qm", "config"], repos[variant])
        sh([CODEQUERY, "worker", "start"], repos["enqueue"])
        try:
            times: dict[str, list[float]] = {v: [] for v in repos}
            for n in range(args.commits):
                for variant, root in repos.items():
                    times[variant].append(timed_commit(root, n))
            profile = import_profile(repos["enqueue"])
        finally:
            sh([CODEQUERY, "worker", "stop"], repos["enqueue"])
    med = {v: statistics.median(t) * 1000 for v, t in times.items()}
    base = med["python"] - med["none"]
    print(f"git commit, median of {args.commits} (ms): " +
          ", ".join(f"{v} {m:.1f}" for v, m in med.items()))
    for variant in ("enqueue", "sync"):
        print(f"{variant:8} adds {med[variant] - med['none']:.1f} ms = "
              f"{(med[variant] - med['none']) / base:.2f}x a bare Python start "
              f"({base:.1f} ms){' (goal <= 3x)' if variant == 'enqueue' else ''}")
    print("import time profile of the hook (enqueue path), self | cumulative us:")
    print(profile)


if __name__ == "__main__":
    main()
