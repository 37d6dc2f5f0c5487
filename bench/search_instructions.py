"""How many instructions a search takes (a benchmark, not a test).

Wall-clock times on a shared 2-CPU machine vary by a third from run to run, more than a
change to search's speed usually makes. valgrind's callgrind counts the instructions a
process runs instead: with one hash seed, the same count run after run, whatever else
the machine does. This asks a fixed sample of the bench's questions of an indexed
repository (any work tree where `codequery init` has run; one of 50,000 records for the
in-process goal), in process, under callgrind: once asking nothing (the imports and the
opening), once asking each question once, once asking each twice. It prints, for each
revision, the instructions of a question asked the first time and asked again, and their
ratio to the first revision's. Instructions are not time (a cache miss costs more than
an add), but a change that saves none saves little.

    python bench/search_instructions.py REPO [--rev REV ...] [--questions 30]
        # e.g. --rev HEAD~1 --rev HEAD; without --rev, the work tree alone

Needs valgrind (Debian: apt-get install valgrind). Each run takes about as long as the
searches would take 50 times over.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import codequery_source

HERE = Path(__file__).resolve().parent


def questions(count: int) -> list[str]:
    """A fixed sample of the bench's questions (the same for every revision)."""
    bank = sorted({q["question"] for f in sorted(HERE.glob("*/*.json"))
                   for q in json.loads(f.read_text(encoding="utf-8"))["questions"]})
    return random.Random(50).sample(bank, min(count, len(bank)))


def child(repo: Path, asked: list[str], passes: int) -> None:
    """Ask each question `passes` times (run under callgrind)."""
    from codequery import file_text, proximity
    from codequery.workspace import Workspace

    store = Workspace(repo).store
    store.count()
    for _ in range(passes):
        for question in asked:
            store.search(question, 10, read=lambda path: file_text.text_of(
                repo, path, proximity.MAX_CHARS))


def counted(code: Path, repo: Path, count: int, passes: int, out: Path) -> int:
    """Instructions of one child process under callgrind."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(code)}
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
         __file__, "--child", str(repo), "--questions", str(count), "--passes", str(passes)],
        env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or not found:
        raise SystemExit(f"callgrind run failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="an indexed work tree")
    parser.add_argument("--rev", action="append", default=[],
                        help="a git revision of codequery to count (repeatable; default: "
                             "the work tree)")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    repo = args.repo.resolve()
    if args.child:
        child(repo, questions(args.questions), args.passes)
        return
    if not (repo / ".code-query" / "code_data.db").is_file():
        raise SystemExit(f"{repo} has no index: run `codequery init` there first")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    print(f"{args.questions} questions asked of {repo}, in process, instructions per "
          "question (callgrind, PYTHONHASHSEED=0)")
    print(f"{'revision':24} {'first':>14} {'again':>14} {'first/base':>11} {'again/base':>11}")
    base: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for rev in args.rev or [None]:
            code, _ = codequery_source(rev)  # byte-compiled: no run compiles it
            runs = [counted(code, repo, args.questions, passes, Path(tmp) / "callgrind.out")
                    for passes in (0, 1, 2)]
            first = (runs[1] - runs[0]) / args.questions
            again = (runs[2] - runs[1]) / args.questions
            base = base or (first, again)
            print(f"{rev or 'work tree':24} {first:14,.0f} {again:14,.0f} "
                  f"{first / base[0]:11.3f} {again / base[1]:11.3f}")


if __name__ == "__main__":
    main()
