"""Fit the weights search rescores its best candidates by (codequery/rescoring.py).

Reads the indexes that `bench/search_quality.py --keep DIR` built and kept (one folder a
question file, `DIR/<owner>+<name>/`), asks every question in process with this work
tree's codequery, and records, for each candidate read, its score before and what
rescoring.features found. Then it fits a pairwise logistic regression, the right file
against each wrong one read for the same question, and prints the weights in
rescoring's units (each divided by the weight of the log of the score), with top-1,
top-3 and MRR over the candidates read: for the fitted weights, for rescoring.WEIGHTS as
they are, and for the proximity bonus alone (score times 1 + the share). `--check` adds
other question files (bench/holdout, with their own `--check-keep`) measured, not
fitted. A question whose right file was not read counts as a miss in all three.

    python bench/search_quality.py --keep /tmp/kept
    python bench/search_quality.py --data bench/holdout --keep /tmp/kept-holdout
    python bench/fit_rescoring.py --keep /tmp/kept --check bench/holdout \\
        --check-keep /tmp/kept-holdout

Standard library only; a few minutes for the whole bench.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import codequery_from, isolate  # noqa: E402

codequery_from(None)
from codequery import operations, rescoring  # noqa: E402
from codequery.workspace import Workspace  # noqa: E402

DATA = Path(__file__).resolve().parent / "search_quality"
NAMES = ["score", *rescoring.WEIGHTS]
# A little ridge, so that a kind that never won still gets a finite weight.
RIDGE = 1.0
NEWTON_STEPS = 30

# (path, features with "score": the log of the score before) of each candidate read
Read = list[tuple[str, dict[str, float]]]


def recorded(keep: Path, data: Path) -> list[tuple[list[str], Read]]:
    """For each question of `data`: its right files and the candidates read."""
    seen: list[tuple[str, dict[str, float]]] = []
    asked: list[tuple[list[str], Read]] = []
    features, reordered = rescoring.features, rescoring.reordered

    def recording_features(row: dict[str, Any], *args: Any) -> dict[str, float]:
        found = features(row, *args)
        seen.append((row["path"], found))
        return found

    def recording_reordered(ranked: list[Any], *args: Any) -> list[Any]:
        before = {c.row["path"]: c.score for c in ranked[:rescoring.CHECKED]}
        seen.clear()
        result = reordered(ranked, *args)
        asked[-1][1].extend((path, {**found, "score": math.log(max(before[path], 1e-12))})
                            for path, found in seen)
        return result

    rescoring.features, rescoring.reordered = recording_features, recording_reordered
    try:
        for path in sorted(data.glob("*.json")):
            questions = json.loads(path.read_text())
            root = keep / questions["repo"].replace("/", "+")
            if not (root / ".code-query" / "code_data.db").exists():
                raise SystemExit(f"{root}: no index kept there (run bench/search_quality.py "
                                 f"--data {data} --keep {keep} first)")
            ws = Workspace(root)
            for q in questions["questions"]:
                asked.append((q["files"], []))
                operations.search(ws, q["question"], 10)
    finally:
        rescoring.features, rescoring.reordered = features, reordered
    return asked


def fitted(asked: list[tuple[list[str], Read]]) -> list[float]:
    """The weights (in NAMES' order) of a logistic regression on right-minus-wrong
    feature differences, by Newton's method."""
    pairs = []
    for right, read in asked:
        for path, good in read:
            if path not in right:
                continue
            pairs += [[good.get(n, 0.0) - bad.get(n, 0.0) for n in NAMES]
                      for other, bad in read if other not in right]
    if not pairs:
        raise SystemExit("no question had its right file among the candidates read")
    w = [0.0] * len(NAMES)
    for _ in range(NEWTON_STEPS):
        grad = [RIDGE * wi for wi in w]
        hess = [[RIDGE if i == j else 0.0 for j in range(len(w))] for i in range(len(w))]
        for x in pairs:
            z = sum(a * b for a, b in zip(w, x, strict=True))
            p = 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))
            for i, xi in enumerate(x):
                grad[i] += (p - 1) * xi
                row = hess[i]
                for j, xj in enumerate(x):
                    row[j] += p * (1 - p) * xi * xj
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(map(abs, step)) < 1e-9:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a x = b (Gaussian elimination with partial pivoting)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def measured(asked: list[tuple[list[str], Read]], score: Callable[[dict[str, float]], float]
             ) -> tuple[float, float, float]:
    """top-1, top-3 and MRR over the candidates read, ordered by `score`."""
    ranks = []
    for right, read in asked:
        order = sorted(read, key=lambda item: (-score(item[1]), item[0]))
        ranks.append(next((i + 1 for i, (path, _) in enumerate(order) if path in right), None))
    n = len(ranks) or 1
    return (sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 3 for r in ranks) / n,
            sum(1 / r for r in ranks if r) / n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, required=True,
                        help="the indexes bench/search_quality.py --keep built for --data")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="the question files to fit on (default: bench/search_quality)")
    parser.add_argument("--check", type=Path, help="question files to measure, not fit on")
    parser.add_argument("--check-keep", type=Path, help="the indexes kept for --check")
    args = parser.parse_args()
    if bool(args.check) != bool(args.check_keep):
        parser.error("--check and --check-keep go together")
    with tempfile.TemporaryDirectory(prefix="fit-rescoring-") as tmp:
        isolate(Path(tmp) / "home")
        fit_on = recorded(args.keep.resolve(), args.data)
        checked = recorded(args.check_keep.resolve(), args.check) if args.check else None
    w = fitted(fit_on)
    weights = {n: wi / w[0] for n, wi in zip(NAMES[1:], w[1:], strict=True)}
    print("fitted, in units of log(score):")
    print("  " + ", ".join(f"{n} {v:+.2f}" for n, v in weights.items()))
    scorers = {
        "fitted": lambda f: f["score"] + sum(v * f.get(n, 0.0) for n, v in weights.items()),
        "rescoring.WEIGHTS": lambda f: f["score"] + sum(
            v * f.get(n, 0.0) for n, v in rescoring.WEIGHTS.items()),
        "proximity alone": lambda f: f["score"] + math.log1p(f["share"]),
    }
    for label, asked in (("fitted on", fit_on), ("checked", checked)):
        if asked is None:
            continue
        among = sum(any(path in right for path, _ in read) for right, read in asked)
        print(f"{label} {len(asked)} questions, the right file among the candidates read "
              f"for {among / len(asked):.1%} (top-1, top-3, MRR over those read):")
        for name, score in scorers.items():
            top1, top3, mrr = measured(asked, score)
            print(f"  {name:18s} {top1:6.1%} {top3:6.1%} {mrr:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
