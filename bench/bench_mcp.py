"""What the MCP server costs a coding agent (a benchmark, not a test).

Makes a git repository of a few hundred Python modules, documents it with `codequery init`
(builtin documenter), then copies its records up to 50,000 (each copy with its words
swapped for others of about the same frequency, and a hard link to the file under the
copy's path, so that the stale check reads a real file). Then prints:
- `codequery serve` start to first answer: from spawning the stdio server (through the
  SDK's stdio client) to the first `search` result, the initialize handshake included;
  beside it `python -c pass` and `python -c "import mcp.server.mcpserver"` (the floor);
- search round-trips in one live session (p50, p95, p99, max) over a mix of queries,
  beside the same queries through `operations.search` in process (the protocol's share).

    python bench/bench_mcp.py [--files 400] [--records 50000] [--starts 5] [--queries 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import anyio  # noqa: E402
from benchlib import band_swapper, isolate, run, swapped  # noqa: E402
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

from codequery import operations  # noqa: E402
from codequery.search_text import match_expression, query_terms  # noqa: E402
from codequery.workspace import Workspace  # noqa: E402

START_GOAL_S = 1.0  # spawn -> first search result
P50_GOAL_MS = 15.0  # one search round-trip in a live session
P99_GOAL_MS = 50.0
LIMIT = 10
TIMEOUT_S = 60.0  # a server that stops answering fails the run instead of hanging it


# -- the repository -------------------------------------------------------------------

class Words:
    """Made-up identifiers, drawn with Zipf-like weights (rank 0 is the most common)."""

    def __init__(self, size: int, seed: int = 5) -> None:
        rng = random.Random(seed)
        starts = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
                  "br", "gr", "pl", "st", "tr", "sk"]
        vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
        ends = ["", "", "n", "r", "l", "s", "x"]
        found: set[str] = set()
        while len(found) < size:
            found.add("".join(rng.choice(starts) + rng.choice(vowels) + rng.choice(ends)
                              for _ in range(rng.randint(2, 3))))
        self.ranked = sorted(found)
        rng.shuffle(self.ranked)  # rank must not follow spelling
        total = 0.0
        self.cumulative = []
        for rank in range(size):
            total += 1 / (rank + 1)
            self.cumulative.append(total)

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.ranked, cum_weights=self.cumulative, k=k)

    def one(self, rng: random.Random) -> str:
        return self.draw(rng)[0]


def module(words: Words, rng: random.Random) -> str:
    w = words.one
    parts = [f'"""{w(rng).title()} and {w(rng)}: {" ".join(words.draw(rng, 8))}."""\n\n'
             "import os\nfrom pathlib import Path\n"]
    for _ in range(rng.randint(4, 14)):
        parts.append(f"\n\ndef {w(rng)}_{w(rng)}({w(rng)}, {w(rng)}=None):\n"
                     f'    """{w(rng).title()} the {w(rng)} of a {w(rng)} {w(rng)}."""\n'
                     + "    value = os.sep\n" * rng.randint(1, 8) + "    return value\n")
    for _ in range(rng.randint(0, 2)):
        name = w(rng).title() + w(rng).title()
        parts.append(f"\n\nclass {name}:\n    \"\"\"{w(rng).title()} {w(rng)} {w(rng)}.\"\"\"\n")
        for _ in range(rng.randint(1, 4)):
            parts.append(f"\n    def {w(rng)}_{w(rng)}(self):\n"
                         f'        """{w(rng).title()} it."""\n        return Path(self)\n')
    return "".join(parts)




def make_repo(root: Path, words: Words, files: int) -> None:
    rng = random.Random(17)
    root.mkdir()
    run(["git", "init", "-q", "-b", "main"], root)
    for i in range(files):
        path = root / f"src/pkg{i % 20:02d}/{words.one(rng)}_{words.one(rng)}_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module(words, rng))
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "bench"], root)


def grow(ws: Workspace, words: Words, records: int) -> int:
    """Copy the documented records up to `records`, as bench_document does, each copy with
    swapped words and a hard link to its file. Returns how many there are now."""
    store = ws.store
    seed = store.conn.execute("SELECT * FROM records WHERE dataset = ?",
                              (store.dataset,)).fetchall()
    rng = random.Random(23)
    swap: Callable[[str], str] = str
    store.conn.execute("BEGIN")
    for i in range(records - len(seed)):
        copy, row = divmod(i, len(seed))
        if row == 0:
            swap = band_swapper([words.ranked], rng)
        source = seed[row]
        record = dict(source)
        doc = json.loads(source["doc"])
        record.update(swapped(doc, swap))
        record["overview"] = swap(record["overview"] or "")
        record["path"] = f"copy{copy:03d}/{swap(source['path'])}"
        target = ws.root / record["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(ws.root / source["path"], target)
        store.put(record, source["doc_key"])
    store.conn.execute("COMMIT")
    return store.conn.execute("SELECT count(*) FROM records").fetchone()[0]


def queries(words: Words, count: int) -> list[tuple[str, str]]:
    """(kind, query): words drawn by frequency, leaving out the 10 most common (those
    words are in nearly every record, like `self` or `return`): single words, two words,
    4-letter prefixes; and one query in ten is one of the 10 most common words alone."""
    rng = random.Random(31)
    common = words.ranked[:10]

    def word() -> str:
        while True:
            drawn = words.one(rng)
            if drawn not in common:
                return drawn

    kinds = ("word", "two words", "prefix", "word", "two words", "prefix", "word",
             "two words", "word", "common")
    mix = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == "word":
            text = word()
        elif kind == "two words":
            text = f"{word()} {word()}"
        elif kind == "prefix":
            text = word()[:4] + "*"
        else:
            text = rng.choice(common)
        mix.append((kind, text))
    return mix


# -- timing ---------------------------------------------------------------------------

def server(root: Path) -> StdioServerParameters:
    command = Path(sys.executable).parent / "codequery"
    return StdioServerParameters(command=str(command), args=["-C", str(root), "serve"])


def answer_count(result: Any) -> int:
    if result.is_error:
        raise SystemExit(f"search failed: {result.content}")
    found = result.structured_content
    found = found.get("result", found) if isinstance(found, dict) else found
    return len(found)


async def start_to_first_answer(params: StdioServerParameters, query: str,
                                errlog: Any) -> tuple[float, float, float, int]:
    """(s to the initialize result, s to the first search result, s to the process's
    end after stdin closed, results)."""
    began = time.perf_counter()
    async with (stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write, read_timeout_seconds=TIMEOUT_S) as session):
        await session.initialize()
        initialized = time.perf_counter()
        result = await session.call_tool("search", {"query": query, "limit": LIMIT})
        answered = time.perf_counter()
    ended = time.perf_counter()
    return initialized - began, answered - began, ended - answered, answer_count(result)


async def round_trips(params: StdioServerParameters, mix: list[tuple[str, str]],
                      errlog: Any) -> tuple[list[float], list[int]]:
    """ms of each search in one live session (after one call that is not timed: the SDK
    lists the tools on the first call to learn the output schema)."""
    timings, counts = [], []
    async with (stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write, read_timeout_seconds=TIMEOUT_S) as session):
        await session.initialize()
        await session.call_tool("search", {"query": mix[0][1], "limit": LIMIT})
        for _, query in mix:
            start = time.perf_counter()
            result = await session.call_tool("search", {"query": query, "limit": LIMIT})
            timings.append((time.perf_counter() - start) * 1000)
            counts.append(answer_count(result))
    return timings, counts


def in_process(ws: Workspace, mix: list[tuple[str, str]]) -> tuple[list[float], list[int]]:
    operations.search(ws, mix[0][1], LIMIT)  # open the connection, warm the cache
    timings, counts = [], []
    for _, query in mix:
        start = time.perf_counter()
        found = operations.search(ws, query, LIMIT)
        timings.append((time.perf_counter() - start) * 1000)
        counts.append(len(found))
    return timings, counts


def process_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def matching(ws: Workspace, query: str) -> int:
    """How many records the query's bm25 ranks (any of its words, like the store)."""
    expression = match_expression(query_terms(query))
    if expression is None:
        return 0
    return ws.store.conn.execute(
        "SELECT count(*) FROM records_fts WHERE records_fts MATCH ?", (expression,)
    ).fetchone()[0]


def pct(timings: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {"p50": statistics.median(timings), "p95": cuts[94], "p99": cuts[98],
            "max": max(timings)}


def verdict(value: float, goal: float, unit: str) -> str:
    return f"goal under {goal:g} {unit}: {'met' if value < goal else 'NOT met'}"


# -- the run --------------------------------------------------------------------------

def setup(root: Path, words: Words, files: int, records: int) -> Workspace:
    start = time.perf_counter()
    make_repo(root, words, files)
    run([str(Path(sys.executable).parent / "codequery"), "init", "--no-hooks"], root)
    ws = Workspace(root)
    documented = ws.store.count()
    total = grow(ws, words, records)
    print(f"repository: {files} modules; `codequery init` documented {documented}, copied up "
          f"to {total} records (SELECT count(*) FROM records) in "
          f"{time.perf_counter() - start:.0f} s")
    if total < records:
        raise SystemExit(f"only {total} records, not {records}")
    return ws


def report_starts(params: StdioServerParameters, mix: list[tuple[str, str]], runs: int,
                  errlog: Any) -> None:
    """Server starts and their baselines, round robin (machine noise hits each alike)."""
    python = sys.executable
    baselines = {
        "baseline: python -c pass": [python, "-c", "pass"],
        "baseline: python -c 'import mcp.server.mcpserver'":
            [python, "-c", "import mcp.server.mcpserver"],
        "baseline: python -c 'import codequery.server.mcp_tools'":
            [python, "-c", "import codequery.server.mcp_tools"],
        "baseline: codequery --version": [str(Path(python).parent / "codequery"), "--version"],
    }
    starts = []
    seconds: dict[str, list[float]] = {label: [] for label in baselines}
    for i in range(runs):
        starts.append(anyio.run(start_to_first_answer, params, mix[i % len(mix)][1], errlog))
        for label, args in baselines.items():
            seconds[label].append(process_seconds(args))
    rows = {"spawn -> initialize result": [s[0] for s in starts],
            "spawn -> first search result (tools/list + search)": [s[1] for s in starts],
            "  then: stdin closed -> server exited (not counted)": [s[2] for s in starts],
            **seconds}
    print(f"\n`codequery serve` start to first answer, {runs} starts, in seconds")
    print(f"{'':58} {'median':>7} {'best':>7}")
    for label, values in rows.items():
        print(f"{label:58} {statistics.median(values):7.3f} {min(values):7.3f}")
    first = statistics.median(s[1] for s in starts)
    sdk = statistics.median(seconds["baseline: python -c 'import mcp.server.mcpserver'"])
    print(f"start to first answer: median {first:.3f} s, best {min(s[1] for s in starts):.3f} s; "
          f"{verdict(first, START_GOAL_S, 's')} (importing the SDK alone takes {sdk:.3f} s)")


def report_searches(ws: Workspace, params: StdioServerParameters,
                    mix: list[tuple[str, str]], errlog: Any) -> None:
    mcp_ms, mcp_counts = anyio.run(round_trips, params, mix, errlog)
    local_ms, local_counts = in_process(ws, mix)
    if mcp_counts != local_counts:
        raise SystemExit("the server and operations.search returned different result counts")
    ranked = [matching(ws, query) for _, query in mix]
    total = ws.store.count()
    print(f"\n{len(mix)} searches (limit {LIMIT}, {sum(mcp_counts) / len(mix):.1f} results on "
          f"average) over {total} records, in ms; `ranked`: median records bm25 ranks")
    print(f"{'':44} {'ranked':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    kinds = list(dict.fromkeys(kind for kind, _ in mix))
    table = [("MCP round-trip, one live session", range(len(mix)), mcp_ms),
             ("operations.search in process (baseline)", range(len(mix)), local_ms)]
    for kind in kinds:
        picked = [i for i, (k, _) in enumerate(mix) if k == kind]
        table.append((f"  MCP, {kind} ({len(picked)} queries)", picked, mcp_ms))
        table.append((f"  in process, {kind}", picked, local_ms))
    for label, picked, timings in table:
        p = pct([timings[i] for i in picked])
        matched = statistics.median(ranked[i] for i in picked)
        print(f"{label:44} {matched:7.0f} {p['p50']:7.2f} {p['p95']:7.2f} {p['p99']:7.2f} "
              f"{p['max']:7.2f}")
    mcp, local = pct(mcp_ms), pct(local_ms)
    overhead = statistics.median(m - loc for m, loc in zip(mcp_ms, local_ms, strict=True))
    print(f"MCP / in process: {mcp['p50'] / local['p50']:.2f}x at p50, "
          f"{mcp['p99'] / local['p99']:.2f}x at p99; protocol overhead per call "
          f"(median of the differences): {overhead:.2f} ms")
    print(f"MCP round-trip p50 {mcp['p50']:.2f} ms, {verdict(mcp['p50'], P50_GOAL_MS, 'ms')}; "
          f"p99 {mcp['p99']:.2f} ms, {verdict(mcp['p99'], P99_GOAL_MS, 'ms')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400, help="modules in the repository")
    parser.add_argument("--records", type=int, default=50_000, help="records to search")
    parser.add_argument("--starts", type=int, default=5, help="server starts to time")
    parser.add_argument("--queries", type=int, default=500, help="searches in one session")
    args = parser.parse_args()
    began = time.perf_counter()
    words = Words(3000)
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as name:
        tmp = Path(name)
        isolate(tmp / "home")
        ws = setup(tmp / "repo", words, args.files, args.records)
        mix = queries(words, args.queries)
        params = server(ws.root)
        log = tmp / "serve.log"
        try:
            with log.open("w") as errlog:
                report_starts(params, mix, args.starts, errlog)
                report_searches(ws, params, mix, errlog)
        except BaseException:
            print(f"the server's stderr:\n{log.read_text()}", file=sys.stderr)
            raise
    print(f"\nbench run time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
