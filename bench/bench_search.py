"""How fast search answers (a benchmark, not a test).

Makes a synthetic repository of 1,000 files (Python, Go and TypeScript source; a tenth
Python tests named for a module, a tenth Markdown pages named like an API) written with
an English programming vocabulary (names like `parse_config`, comments and docstrings
that are sentences), documents it once with `codequery init` (builtin documenter), then
prints:
(a) whole-process `codequery search QUERY` on that repository: p50 against a
    `python -c pass` baseline (and `codequery --version`) with the same interpreter, in
    interleaved runs, and the ratio; goal: p50 under 150 ms;
(b) `Store.search` in process at 50,000 records (the documented records copied through
    `Store.put`, each copy with its words swapped for others of about the same
    frequency, and its file a hard link to the one it copies, since a search reads its
    best candidates again; a copy's file keeps the original's words, so the reading is
    timed on about as many matches, from the page cache): p50 and p99 over a fixed list
    of agent-style queries, common words among them; goal: p50 under 20 ms.
(c) with --real DIR: `Store.search` in process at 50,000 real records, the records of
    the repositories `bench/search_quality.py --keep DIR` documented (each under its
    own folder, as in a monorepo; their files read from their snapshots), asked those
    repositories' questions from bench/search_quality and bench/holdout (any git
    repository indexed with `codequery init` will do as a snapshot: where too few of the
    questions are its own, the rest are the other repositories'). Real files use far
    more words than (b)'s vocabulary, and are larger: the same goal.

    python bench/bench_search.py [--files 1000] [--records 50000] [--runs 21] [--rounds 5]
                                 [--rev REV]   # e.g. --rev HEAD: the committed code
                                 [--real DIR ...] [--questions 150]
"""

from __future__ import annotations

import argparse
import inspect
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

from benchlib import (  # noqa: E402
    arg_value,
    band_swapper,
    codequery_command,
    codequery_from,
    isolate,
    run,
    swapped,
)

KEEP = ("content_sha", "documenter", "model", "documented_at", "language")

CODEQUERY = codequery_from(arg_value("--rev"))

from codequery.store import Store, connect  # noqa: E402
from codequery.workspace import Workspace  # noqa: E402

PROCESS_P50_GOAL_MS = 150.0
STORE_P50_GOAL_MS = 20.0
LIMIT = 10

def _words(text: str) -> list[str]:
    return text.split()


# Content words, most common first within each list (drawn with Zipf-like weights).
NOUNS = _words("""
request response client server session user config option error value file path name
data key token header body cache connection handler context message event command
argument flag parser route router middleware status code result item list record field
query index page document template view model table column row schema version url host
port proxy timeout retry delay limit rate queue job worker task thread lock process log
logger level format stream buffer socket pool channel signal callback hook plugin
extension permission role policy rule account password secret signature certificate
cookie domain address email notification webhook payment order invoice customer price
currency cart product image color font text string number date time zone locale
language translation metric counter histogram trace span profile memory disk storage
bucket object blob upload download progress snapshot backup migration archive
compression encoding chunk block byte packet frame graph node edge tree map vector
matrix shell terminal prompt editor pager window screen widget button input form
validation test fixture mock build release package module dependency registry mirror
license author commit branch diff patch merge conflict tag remote origin repository
workspace directory folder entry symbol function class method type interface struct
trait enum constant variable parameter environment
""")
VERBS = _words("""
get set load save read write parse format build create delete update find fetch send
receive open close start stop run check validate compute resolve merge split join
encode decode encrypt decrypt sign verify compress decompress schedule register
dispatch handle render convert normalize sanitize escape filter sort match lookup
refresh expire flush sync watch notify emit apply wrap clean reset retry cancel
serialize deserialize authenticate authorize hash cache index search rank score
""")
ADJECTIVES = _words("""
default current next previous remote local raw cached pending active expired valid
invalid secure public private temporary nested parent child global first last max min
total partial empty full new old unique shared internal external
""")
FILLER = _words("""the a of to for in is when and if it with from this that be by as on are
or not each before after an its into once every all only until which where how""")
AREAS = ["auth", "http", "storage", "cli", "render", "jobs", "search", "billing", "sync",
         "config", "net", "ui", "db", "cache", "metrics", "mail", "files", "plugins",
         "api", "core"]

# Agent-style queries over that vocabulary: questions as typed, keywords, identifiers,
# a prefix, and common words alone (they match nearly every record).
QUERIES = [
    "where is the retry delay computed after a failed request",
    "how are cookies signed before the response is sent",
    "which file parses the command line flags",
    "where is the session token validated",
    "how does the client find the proxy for a host",
    "where are log messages formatted",
    "how is the cache entry expired",
    "parse config file",
    "user password hash",
    "render template",
    "http client timeout",
    "webhook signature verify",
    "upload progress",
    "database migration schema version",
    "job queue worker",
    "ParseConfig",
    "parse_request_header",
    "lock",
    "price currency",
    "notify*",
    "the",
    "error",
    "get value",
    "where is the default value set",
    "how does the worker pick the next job from the queue",
    "which function merges two branches and reports a conflict",
    "where is the certificate of the remote server checked",
    "how is the payment invoice sent to the customer by email",
    "what handles a permission error for a role",
    "where is the image compressed before it is stored in the bucket",
]


# -- the repository -------------------------------------------------------------------

class Vocabulary:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.weights = {name: [1 / (i + 1) for i in range(len(words))]
                        for name, words in (("n", NOUNS), ("v", VERBS), ("a", ADJECTIVES))}

    def pick(self, kind: str) -> str:
        words = {"n": NOUNS, "v": VERBS, "a": ADJECTIVES}[kind]
        return self.rng.choices(words, weights=self.weights[kind])[0]

    def sentence(self) -> str:
        n, v, a, f = (lambda: self.pick("n")), (lambda: self.pick("v")), \
            (lambda: self.pick("a")), (lambda: self.rng.choice(FILLER))
        shapes = [
            lambda: f"{v().capitalize()} the {a()} {n()} of a {n()} {f()} {n()}.",
            lambda: f"{v().capitalize()}s the {n()} {f()} the {n()} is {a()}.",
            lambda: f"The {n()} {f()} {n()} is {v()}ed before {f()} {n()} {v()}s.",
            lambda: f"Returns the {a()} {n()} for {f()} {n()}, or None.",
            lambda: f"{v().capitalize()} {f()} {a()} {n()} when the {n()} has {n()}s.",
        ]
        return self.rng.choice(shapes)()

    def snake(self) -> str:
        return f"{self.pick('v')}_{self.pick('n')}" + (
            f"_{self.pick('n')}" if self.rng.random() < 0.3 else "")

    def camel(self, upper: bool) -> str:
        first, *rest = self.snake().split("_")
        return (first.capitalize() if upper else first) + "".join(w.capitalize() for w in rest)

    def type_name(self) -> str:
        return self.pick("a").capitalize() * (self.rng.random() < 0.3) + \
            self.pick("n").capitalize() + self.pick("n").capitalize()


def python_module(v: Vocabulary) -> str:
    rng = v.rng
    out = [f'"""{v.sentence()} {v.sentence()}"""\n\nimport os\nimport re\n'
           f"from .{v.pick('n')} import {v.type_name()}\n"]
    for _ in range(rng.randint(3, 10)):
        a, b = v.pick("n"), v.pick("n")
        out.append(f"\n\ndef {v.snake()}({a}, {b}=None):\n    \"\"\"{v.sentence()}\"\"\"\n"
                   f"    # {v.sentence()}\n    {a} = {b} or os.environ.get(\"{a.upper()}\")\n"
                   f"    return {a}\n")
    for _ in range(rng.randint(0, 2)):
        out.append(f"\n\nclass {v.type_name()}:\n    \"\"\"{v.sentence()}\"\"\"\n")
        for _ in range(rng.randint(1, 5)):
            out.append(f"\n    def {v.snake()}(self, {v.pick('n')}):\n"
                       f"        \"\"\"{v.sentence()}\"\"\"\n        return self\n")
    return "".join(out)


def go_module(v: Vocabulary, package: str) -> str:
    rng = v.rng
    out = [f"// Package {package}: {v.sentence()}\npackage {package}\n\nimport \"fmt\"\n"]
    for _ in range(rng.randint(3, 10)):
        out.append(f"\n// {v.camel(True)} {v.sentence().lower()}\n"
                   f"func {v.camel(True)}({v.pick('n')} string, {v.pick('a')} int) error {{\n"
                   f"\t// {v.sentence()}\n\treturn fmt.Errorf(\"{v.sentence()}\")\n}}\n")
    for _ in range(rng.randint(0, 2)):
        name = v.type_name()
        out.append(f"\n// {name} {v.sentence().lower()}\ntype {name} struct {{\n"
                   f"\t{v.pick('n').capitalize()} string\n}}\n")
        for _ in range(rng.randint(1, 4)):
            out.append(f"\n// {v.sentence()}\nfunc (x *{name}) {v.camel(True)}() string "
                       f"{{\n\treturn x.{v.pick('n').capitalize()}\n}}\n")
    return "".join(out)


def ts_module(v: Vocabulary) -> str:
    rng = v.rng
    out = [f"/** {v.sentence()} */\nimport {{ {v.type_name()} }} from './{v.pick('n')}';\n"]
    for _ in range(rng.randint(3, 10)):
        out.append(f"\n/** {v.sentence()} */\nexport function {v.camel(False)}"
                   f"({v.pick('n')}: string): string {{\n  // {v.sentence()}\n"
                   f"  return '{v.pick('n')}';\n}}\n")
    for _ in range(rng.randint(0, 2)):
        out.append(f"\n/** {v.sentence()} */\nexport class {v.type_name()} {{\n")
        for _ in range(rng.randint(1, 4)):
            out.append(f"  /** {v.sentence()} */\n  {v.camel(False)}(): void {{}}\n")
        out.append("}\n")
    return "".join(out)


def make_repo(root: Path, files: int) -> None:
    v = Vocabulary(random.Random(17))
    root.mkdir()
    run(["git", "init", "-q", "-b", "main"], root)
    made: set[str] = set()
    tested: list[tuple[str, str]] = []  # (area, stem) of Python modules a test may name
    for i in range(files):
        area = AREAS[i % len(AREAS)]
        # a real tree has tests and docs too: search looks up what they speak for
        kind = ("py", "py", "go", "ts", "py", "test", "go", "ts", "py", "doc")[i % 10]
        stem = f"{v.pick('n')}_{v.pick('n')}"
        if kind == "test" and tested:
            test_area, subject = tested[v.rng.randrange(len(tested))]
            path, text = f"tests/{test_area}/test_{subject}.py", python_module(v)
        elif kind == "doc":
            path = f"docs/{area}/{v.snake().replace('_', '-')}.md"
            text = "\n\n".join(v.sentence() for _ in range(6))
        elif kind in ("py", "test"):
            path, text = f"src/{area}/{stem}.py", python_module(v)
            tested.append((area, stem))
        elif kind == "go":
            path, text = f"pkg/{area}/{stem}.go", go_module(v, area)
        else:
            parts = stem.split("_")
            path = f"web/{area}/{parts[0]}{parts[1].capitalize()}.ts"
            text = ts_module(v)
        if path in made:
            path = path.replace(".", f"_{i}.", 1) if path.count(".") == 1 else path
        made.add(path)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "bench"], root)


# -- (a) whole process ----------------------------------------------------------------

def seconds(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout.decode()}"
                         f"{done.stderr.decode()}")
    return took


def whole_process(root: Path, runs: int) -> None:
    python, cq = sys.executable, codequery_command()
    commands: dict[str, Callable[[int], list[str]]] = {
        "python -c pass (baseline)": lambda i: [python, "-c", "pass"],
        "codequery --version": lambda i: [cq, "--version"],
        "codequery search QUERY": lambda i: [cq, "search", QUERIES[i % len(QUERIES)]],
    }
    for make in commands.values():  # warm the page cache once
        seconds(make(0), root)
    timings: dict[str, list[float]] = {label: [] for label in commands}
    for i in range(runs):  # interleaved: machine noise hits each alike
        for label, make in commands.items():
            timings[label].append(seconds(make(i), root) * 1000)
    print(f"\n(a) whole process, {runs} interleaved runs each, in ms (the queries cycle "
          f"through the {len(QUERIES)} below)")
    print(f"{'':34} {'p50':>7} {'best':>7} {'max':>7}")
    for label, values in timings.items():
        print(f"{label:34} {statistics.median(values):7.1f} {min(values):7.1f} "
              f"{max(values):7.1f}")
    search = statistics.median(timings["codequery search QUERY"])
    base = statistics.median(timings["python -c pass (baseline)"])
    version = statistics.median(timings["codequery --version"])
    print(f"codequery search p50 {search:.0f} ms = {search / base:.1f}x python -c pass "
          f"({base:.0f} ms), {search - base:.0f} ms over it (`codequery --version`, which "
          f"starts the click CLI that a plain search skips: {version - base:.0f} ms over "
          f"it); goal under {PROCESS_P50_GOAL_MS:g} ms: "
          f"{'met' if search < PROCESS_P50_GOAL_MS else 'NOT met'}")


# -- (b) in process at 50,000 records -------------------------------------------------

def documented(source: Store) -> list[dict[str, Any]]:
    """Each record as documenting made it, with the words of its file (which `get` leaves
    out), by path."""
    terms = dict(source.conn.execute("SELECT path, terms FROM records WHERE dataset = ?",
                                     (source.dataset,)).fetchall())
    return [{**source.get(path), "terms": terms[path]} for path in sorted(source.paths())]


def grow(source: Store, target: Store, records: int) -> dict[str, str]:
    """`records` records in `target`: the documented ones, then swapped copies. Returns
    each record's path -> the documented file it copies."""
    seed = documented(source)
    rng = random.Random(23)
    swap: Callable[[str], str] = str
    used: dict[str, str] = {}
    target.conn.execute("BEGIN")
    for i in range(records):
        copy, row = divmod(i, len(seed))
        if row == 0:
            swap = band_swapper([NOUNS, VERBS, ADJECTIVES], rng) if copy else str
        record = (swapped(seed[row], swap, KEEP) if copy else dict(seed[row]))
        path = (f"copy{copy:03d}/" if copy else "") + record["path"]
        if path in used:  # two words swapped into one: keep every record
            path = f"{path}.{row}"
        used[path] = seed[row]["path"]
        record["path"] = path
        record["content_sha"] = f"{i:040x}"
        target.put(record, f"bench-{i}")
    target.conn.execute("COMMIT")
    return used


def work_tree(root: Path, tree: Path, copies: dict[str, str]) -> Callable[[str], str | None]:
    """A work tree of the grown records at `tree` (each a hard link to the file it copies:
    a search reads its best candidates, see codequery.proximity), and what reads it."""
    for path, original in copies.items():
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(root / original, target)
    from codequery import file_text, proximity

    return lambda path: file_text.text_of(tree, path, proximity.MAX_CHARS)


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def in_process(ws: Workspace, tmp: Path, records: int, rounds: int) -> None:
    start = time.perf_counter()
    store = Store(connect(tmp / "search.db"), "bench")
    copies = grow(ws.store, store, records)
    # the code of --rev may not read files: then it is timed as it was
    reads = ({"read": work_tree(ws.root, tmp / "tree", copies)}
             if "read" in inspect.signature(store.search).parameters else {})
    total = store.count()
    print(f"\n(b) Store.search in process, limit {LIMIT}, over {total} records (put in "
          f"{time.perf_counter() - start:.0f} s); {len(QUERIES)} queries x {rounds} rounds, "
          f"in ms; {'reading the best candidates' if reads else 'reading no file'}")
    if total < records:
        raise SystemExit(f"only {total} records, not {records}")
    for query in QUERIES:  # warm the cache
        store.search(query, LIMIT, **reads)
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    found: dict[str, int] = {}
    for _ in range(rounds):
        for query in QUERIES:
            began = time.perf_counter()
            found[query] = len(store.search(query, LIMIT, **reads))
            per_query[query].append((time.perf_counter() - began) * 1000)
    every = [t for values in per_query.values() for t in values]
    p50, p99 = statistics.median(every), pct(every, 99)
    print(f"{'query':62} {'results':>7} {'p50':>7} {'max':>7}")
    for query in sorted(QUERIES, key=lambda q: -statistics.median(per_query[q])):
        print(f"{query[:62]:62} {found[query]:7d} {statistics.median(per_query[query]):7.2f} "
              f"{max(per_query[query]):7.2f}")
    print(f"Store.search p50 {p50:.2f} ms, p99 {pct(every, 99):.2f} ms, max {max(every):.2f} "
          f"ms; goal p50 under {STORE_P50_GOAL_MS:g} ms: "
          f"{'met' if p50 < STORE_P50_GOAL_MS else 'NOT met'} (p99 {p99:.0f} ms)")


def real_records(keeps: list[Path], tmp: Path, records: int, rounds: int,
                 questions: int) -> None:
    """(c): `records` records of the snapshots under `keeps` (in path order, each under its
    own folder), asked `questions` of their questions at random, each once, then `rounds`
    more times."""
    start = time.perf_counter()
    store = Store(connect(tmp / "real.db"), "bench")
    roots: dict[str, Path] = {}
    store.conn.execute("BEGIN")
    snapshots = sorted(p for keep in keeps for p in keep.iterdir()
                       if (p / ".code-query" / "code_data.db").is_file())
    added = 0
    for root in snapshots:
        roots[root.name] = root
        source = Workspace(root).store
        for record in documented(source)[:records - added]:
            store.put({**record, "path": f"{root.name}/{record['path']}"}, f"real-{added}")
            added += 1
        source.conn.close()
        if added >= records:
            break
    store.conn.execute("COMMIT")
    total = store.count()
    if total < records:
        raise SystemExit(f"(c) only {total} records in {len(snapshots)} snapshots under "
                         f"{', '.join(map(str, keeps))}, not {records}")
    own: set[str] = set()
    other: set[str] = set()
    for f in sorted(Path(__file__).parent.glob("*/*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        (own if data["repo"].replace("/", "+") in roots else other).update(
            q["question"] for q in data["questions"])
    # their own questions; too few (a repository with none in the bench), then others':
    # an agent's wording, about code that may not be there
    pick = random.Random(50)
    asked = pick.sample(sorted(own), min(questions, len(own)))
    theirs = len(asked)
    others = sorted(other - own)
    asked += pick.sample(others, min(questions - len(asked), len(others)))
    from codequery import file_text, proximity

    def read(path: str) -> str | None:
        name, inside = path.split("/", 1)
        return file_text.text_of(roots[name], inside, proximity.MAX_CHARS)

    print(f"\n(c) Store.search in process, limit {LIMIT}, over {total} real records of "
          f"{len(roots)} repositories (put in {time.perf_counter() - start:.0f} s); "
          f"{len(asked)} questions ({theirs} of theirs, {len(asked) - theirs} written for "
          f"other repositories), each asked once, then {rounds} rounds more, in ms")
    # the first asking: each question new to the process (the files and the index are
    # read from the page cache, as the put just wrote them); then the same again, as a
    # long-lived server answers what it was asked before
    first: list[float] = []
    again: list[float] = []
    for round_ in range(1 + rounds):
        for question in asked:
            began = time.perf_counter()
            store.search(question, LIMIT, read=read)
            (again if round_ else first).append((time.perf_counter() - began) * 1000)
    for label, times in (("asked first", first), ("asked again", again)):
        p50 = statistics.median(times)
        print(f"Store.search, {label}: p50 {p50:.2f} ms, p90 {pct(times, 90):.2f} ms, p99 "
              f"{pct(times, 99):.2f} ms, max {max(times):.2f} ms; goal p50 under "
              f"{STORE_P50_GOAL_MS:g} ms: {'met' if p50 < STORE_P50_GOAL_MS else 'NOT met'}")


def load() -> str:
    """Timings on a busy machine are not comparable: say how busy it was."""
    return (f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
            "(over 1 minute; above the CPU count, timings are inflated)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="files in the repository")
    parser.add_argument("--records", type=int, default=50_000,
                        help="records for the in-process search")
    parser.add_argument("--runs", type=int, default=21, help="whole-process runs of each")
    parser.add_argument("--rounds", type=int, default=5,
                        help="in-process rounds over the queries")
    parser.add_argument("--rev", help="measure codequery as committed at this git revision "
                        "(e.g. HEAD) instead of the work tree")
    parser.add_argument("--real", type=Path, action="append", default=[], metavar="DIR",
                        help="also time --records real records: the snapshots that "
                        "`bench/search_quality.py --keep DIR` kept (may be repeated)")
    parser.add_argument("--questions", type=int, default=150,
                        help="questions asked of the real records")
    args = parser.parse_args()
    began = time.perf_counter()
    print(f"{CODEQUERY}; {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-search-") as name:
        tmp = Path(name)
        isolate(tmp / "home")
        root = tmp / "repo"
        start = time.perf_counter()
        make_repo(root, args.files)
        made = time.perf_counter() - start
        start = time.perf_counter()
        run([codequery_command(), "init", "--documenter", "builtin", "--no-hooks"], root)
        ws = Workspace(root)
        print(f"repository: {args.files} files (Python, Go, TypeScript) made in {made:.1f} s, "
              f"`codequery init` documented {ws.store.count()} in "
              f"{time.perf_counter() - start:.1f} s")
        whole_process(root, args.runs)
        in_process(ws, tmp, args.records, args.rounds)
        if args.real:
            real_records(args.real, tmp, args.records, max(2, args.rounds // 2),
                         args.questions)
        else:
            print("\n(c) real records: not timed (--real DIR, the snapshots of "
                  "`bench/search_quality.py --keep DIR`)")
    print(f"\nbench run time: {time.perf_counter() - began:.0f} s; {load()}")


if __name__ == "__main__":
    main()
