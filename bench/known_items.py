"""Does a search for a name alone find the file that defines it? (a benchmark, not a test)

An agent that has read a name (`RulesEngine`, `_url_replace`, `moduleCopyCommandArgs`)
searches for it alone, as a file finder is used. This takes names that source files of
indexed repositories define (their records' functions, classes and methods; six letters
or more, defined by at most two files), asks for each name alone, in process, and counts
where the first file that defines it comes: top-1 and top-3, overall and by language.
The repositories are work trees where `codequery init` has run, such as those
`bench/search_quality.py --keep DIR` builds; a repository's language is read from its
question file there, if any.

With --many-definers it asks instead for names that three or more source files define
(a Go type with methods in other files, a Rust type with `impl Trait for Type` blocks
elsewhere, a Ruby class reopened) and only one or two export, as written there; the
exporting files are the ones meant.

    python bench/known_items.py DIR [DIR ...] [--per-repo 10] [--seed 7] [--misses]
                                [--many-definers]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from codequery import operations, ranking  # noqa: E402
from codequery.workspace import Workspace  # noqa: E402


def languages() -> dict[str, str]:
    """A kept repository's folder name (`owner+name`) -> its language, from the bench's
    question files."""
    found = {}
    for path in sorted(HERE.glob("*/*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "repo" in data:
            found[data["repo"].replace("/", "+")] = data.get("language", "?")
    return found


def defined_names(ws: Workspace) -> dict[str, set[str]]:
    """A name (as written, without its owner) -> the source files that define it."""
    names: dict[str, set[str]] = defaultdict(set)
    for path, doc in ws.store.conn.execute(
            "SELECT path, doc FROM records WHERE dataset = ? AND kind = 'source'",
            (ws.store.dataset,)):
        for name in ranking.symbol_names(json.loads(doc)):
            bare = name.replace("::", ".").replace("#", ".").split(".")[-1]
            if len(bare) >= 6 and bare.isidentifier():
                names[bare].add(path)
    return names


def exported_names(ws: Workspace) -> dict[str, tuple[str, set[str]]]:
    """A name (in lower case) -> as an export writes it, and the source files that export
    it (exports of five letters or more that are identifiers)."""
    names: dict[str, tuple[str, set[str]]] = {}
    for path, doc in ws.store.conn.execute(
            "SELECT path, doc FROM records WHERE dataset = ? AND kind = 'source'",
            (ws.store.dataset,)):
        for name in json.loads(doc).get("exports", []):
            if isinstance(name, str) and len(name) >= 5 and name.isidentifier():
                names.setdefault(name.lower(), (name, set()))[1].add(path)
    return names


def asked_names(ws: Workspace, many_definers: bool) -> dict[str, set[str]]:
    """The names to ask (as written) -> the files that count as right."""
    names = defined_names(ws)
    if not many_definers:
        return {name: paths for name, paths in names.items() if len(paths) <= 2}
    defining: dict[str, set[str]] = defaultdict(set)
    for name, paths in names.items():
        defining[name.lower()] |= paths
    return {written: exporting & defining[lower]
            for lower, (written, exporting) in exported_names(ws).items()
            if len(defining[lower]) > 2 and 1 <= len(exporting & defining[lower]) <= 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="folders of indexed work trees")
    parser.add_argument("--per-repo", type=int, default=10, help="names asked per repository")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--misses", action="store_true", help="print each name not first")
    parser.add_argument("--many-definers", action="store_true",
                        help="names 3+ files define and 1-2 export (see above)")
    args = parser.parse_args()
    rnd, language_of = random.Random(args.seed), languages()
    ranks: dict[str, list[int | None]] = defaultdict(list)
    roots = sorted(root for folder in args.dirs for root in folder.iterdir()
                   if (root / ".code-query" / "code_data.db").is_file())
    if not roots:
        parser.error("no indexed work tree (with .code-query/code_data.db) in those folders")
    for root in roots:
        ws = Workspace(root)
        names = asked_names(ws, args.many_definers)
        asked = sorted(names)
        for name in rnd.sample(asked, min(args.per_repo, len(asked))):
            found = [r["path"] for r in operations.search(ws, name, 10)]
            rank = next((i for i, p in enumerate(found, 1) if p in names[name]), None)
            ranks[language_of.get(root.name, "?")].append(rank)
            if args.misses and rank != 1:
                print(f"{root.name}: {name} -> {rank}  (first: {found[:1]})")
        ws.store.conn.close()

    def line(label: str, rs: list[int | None]) -> str:
        top1 = sum(r == 1 for r in rs) / len(rs)
        top3 = sum(1 for r in rs if r and r <= 3) / len(rs)
        return f"{label:14} {len(rs):6} names  top-1 {top1:6.1%}  top-3 {top3:6.1%}"
    every = [r for rs in ranks.values() for r in rs]
    if not every:
        sys.exit("no names to ask")
    print(line("all", every))
    for lang in sorted(ranks):
        print(line(lang, ranks[lang]))


if __name__ == "__main__":
    main()
