"""Speed of documenting and searching (a benchmark, not a test).

Makes a synthetic repository of 2,000 source files in several languages, then prints:
files/s of a first full `document` run, the time of a second run where nothing changed
(and its ratio to the first), and p50/p95 of search over a database of 50,000 records.

    python bench/bench_document.py [--files 2000] [--records 50000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codequery.store import Store, connect  # noqa: E402


def _vocabulary(size: int = 3000) -> list[str]:
    """Pseudo-words; drawn with Zipf-like weights, like identifiers in real code."""
    rng = random.Random(11)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ar", "en")]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)  # Zipf rank must not follow spelling
    return ordered


VOCAB = _vocabulary()
_WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCAB))]


def _word(rng: random.Random) -> str:
    return rng.choices(VOCAB, weights=_WEIGHTS)[0]


def _name(rng: random.Random) -> str:
    return f"{_word(rng)}_{_word(rng)}"


def python_file(rng: random.Random) -> str:
    parts = [f'"""{_word(rng).title()} {_word(rng)} helpers."""\n',
             "import json\nimport os\nfrom pathlib import Path\n"]
    for _ in range(rng.randint(5, 25)):
        parts.append(f"\n\ndef {_name(rng)}(a, b=None, *args, **kwargs):\n"
                     f'    """{_word(rng).title()} the {_word(rng)}."""\n'
                     + "    x = a\n" * rng.randint(3, 20) + "    return x\n")
    parts.append(f"\n\nclass {_word(rng).title()}Service:\n"
                 '    """A service."""\n\n    def run(self):\n        return 1\n')
    return "".join(parts)


def js_file(rng: random.Random) -> str:
    body = "".join(f"export function {_name(rng)}(a, b) {{\n" + "  a += b;\n" * rng.randint(3, 15)
                   + "  return a;\n}\n\n" for _ in range(rng.randint(4, 20)))
    return f"// {_word(rng)} module\nimport fs from 'fs';\nimport x from './x';\n\n{body}"


def go_file(rng: random.Random) -> str:
    body = "".join(f"// {_name(rng)} does work.\nfunc {_name(rng).title().replace('_', '')}"
                   f"(a int) int {{\n" + "\ta++\n" * rng.randint(3, 15) + "\treturn a\n}\n\n"
                   for _ in range(rng.randint(4, 20)))
    return f'// Package p is about {_word(rng)}.\npackage p\n\nimport "fmt"\n\n{body}'


def md_file(rng: random.Random) -> str:
    return "".join(f"## {_word(rng).title()}\n\n" + " ".join([_word(rng) for _ in range(60)])
                   + "\n\n" for _ in range(rng.randint(2, 10)))


MAKERS = [(".py", python_file, 5), (".js", js_file, 2), (".go", go_file, 2), (".md", md_file, 1)]


def make_repo(root: Path, count: int) -> None:
    rng = random.Random(7)
    root.mkdir()
    run(["git", "init", "-q", "-b", "main"], root)
    makers = [m for m in MAKERS for _ in range(m[2])]
    for i in range(count):
        suffix, maker, _ = rng.choice(makers)
        path = root / f"pkg{i % 40}" / f"{_name(rng)}_{i}{suffix}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(maker(rng))
    run(["git", "add", "-A"], root)
    run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"], root)


def run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def search_latency(db_path: Path, records: int) -> tuple[tuple[float, float], ...]:
    store = Store(connect(db_path), "bench")
    seed = store.conn.execute("SELECT * FROM records").fetchall()
    store.conn.execute("BEGIN")
    import json

    for i in range(records - len(seed)):
        row = seed[i % len(seed)]
        record = dict(row)
        record.update(json.loads(row["doc"]))
        record["path"] = f"copy{i // len(seed)}/{row['path']}"
        store.put(record, row["doc_key"])
    store.conn.execute("COMMIT")
    rng = random.Random(3)
    typical = [_word(rng) for _ in range(100)] + [
        f"{_word(rng)} {_word(rng)}" for _ in range(100)] + [
        f"{_word(rng)[:4]}*" for _ in range(50)]
    worst = VOCAB[:10] * 5  # the most common words: bm25 must rank nearly every record
    return _percentiles(store, typical), _percentiles(store, worst)


def _percentiles(store: Store, queries: list[str]) -> tuple[float, float]:
    timings = []
    for query in queries:
        start = time.perf_counter()
        store.search(query, limit=10)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    codequery = str(Path(sys.executable).parent / "codequery")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        make_repo(repo, args.files)
        run([codequery, "init", "--no-document", "--dataset", "bench"], repo)
        first = run([codequery, "document"], repo)
        second = run([codequery, "document"], repo)
        baseline = run([codequery, "--version"], repo)
        rate = args.files / first
        print(f"first run:   {args.files} files in {first:.2f} s = {rate:.0f} files/s")
        print(f"second run:  {second:.2f} s (nothing changed) = {second / first:.3f} x the first")
        print(f"             (codequery start-up alone: {baseline:.2f} s)")
        typical, worst = search_latency(repo / ".code-query/code_data.db", args.records)
        print(f"search over {args.records} records, typical queries: "
              f"p50 {typical[0]:.2f} ms, p95 {typical[1]:.2f} ms")
        print(f"search over {args.records} records, 10 most common words: "
              f"p50 {worst[0]:.2f} ms, p95 {worst[1]:.2f} ms")


if __name__ == "__main__":
    main()
