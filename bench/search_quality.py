"""Does codequery's search answer an agent's questions better than grep? (a benchmark,
not a test)

For each repository in bench/search_quality/*.json (a public GitHub repository pinned at
one commit, and questions phrased as a coding agent asks them, each with the file(s) an
expert would open first): takes a snapshot of that commit into a fresh git repository,
builds its index with `codequery init --documenter builtin --no-hooks`, asks every
question through `operations.search` (limit 10) and through a plain grep ranker over the
same tracked files, and prints top-1, top-3 and MRR for both, side by side.

The grep ranker is the issue's "plain grep ranker": the question lowercased, split into
words of letters and digits (2 or more characters); a file scores the sum, over the
question's distinct words, of the lines that contain the word (case-insensitive, like
`grep -ci`); ties by path; files that score 0 are not ranked. `--grep-whole-words` counts
whole words only (`grep -wci`), a check that the lead does not hang on substrings;
`--grep-idf` is a stronger grep, a check that it does not hang on a weak baseline: only the
question's words of three or more letters that are not common English (codequery's stop
words), each file scored by the sum of log(1 + its lines with the word) times
log(files / (1 + files with the word)), so that rare words count and long files do not
win by length.

Only our data is in git (name, commit, questions), never the repositories' code. A
repository comes from a local mirror directory (--mirrors, or $CODEQUERY_BENCH_MIRRORS,
default /work/.mirror: `<owner>+<name>/repo`, `<owner>+<name>`, `<owner>/<name>`,
`<name>` or `<name>.git`, bare or not), else from a blob-less clone into --cache
(default ~/.cache/codequery-bench).

    python bench/search_quality.py [--repo NAME] [--verbose] [--json] [--mirrors DIR]
                                   [--rev REV]   # e.g. --rev HEAD: the committed code
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import arg_value, codequery_command, codequery_from, isolate, run  # noqa: E402

CODEQUERY = codequery_from(arg_value("--rev"))

from codequery import operations  # noqa: E402
from codequery.search_text import STOP_WORDS  # noqa: E402
from codequery.workspace import Workspace  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "search_quality"
LIMIT = 10
GOAL_TOP3 = 0.90  # codequery top-3, in every language
GOAL_LEAD = 0.10  # codequery top-3 minus grep top-3, in every language
GOAL_MRR = 0.80
MIN_QUESTIONS = 10
WORD = re.compile(r"[a-z0-9]+")


# -- the data -------------------------------------------------------------------------

@dataclass
class Question:
    text: str
    files: list[str]
    cq: list[str] = field(default_factory=list)  # codequery's top 10
    grep: list[str] = field(default_factory=list)  # grep's top 10
    cq_ms: float = 0.0
    grep_ms: float = 0.0


@dataclass
class Repo:
    name: str  # owner/name on GitHub
    commit: str
    language: str
    questions: list[Question]
    source: Path
    files: int = 0
    documented: int = 0
    index_s: float = 0.0


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    for key in ("repo", "commit", "language", "questions"):
        if key not in data:
            raise SystemExit(f"{path}: no {key!r}")
    if not re.fullmatch(r"[0-9a-f]{40}", data["commit"]):
        raise SystemExit(f"{path}: commit must be 40 hex digits")
    if len(data["questions"]) < MIN_QUESTIONS:
        raise SystemExit(f"{path}: {len(data['questions'])} questions, fewer than "
                         f"{MIN_QUESTIONS}")
    for q in data["questions"]:
        if not q.get("question") or not q.get("files"):
            raise SystemExit(f"{path}: every question needs 'question' and 'files': {q}")
    return data


# -- getting a repository -------------------------------------------------------------

def has_commit(git_dir: Path, commit: str) -> bool:
    done = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "-e",
                           f"{commit}^{{commit}}"], capture_output=True)
    return done.returncode == 0


def git_dir_of(path: Path) -> Path | None:
    if (path / ".git").exists():
        return path / ".git"
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path  # bare
    return None


def in_mirrors(mirrors: Path, name: str, commit: str) -> Path | None:
    owner, repo = name.split("/")
    for candidate in (mirrors / f"{owner}+{repo}" / "repo", mirrors / f"{owner}+{repo}",
                      mirrors / owner / repo, mirrors / repo, mirrors / f"{repo}.git"):
        git_dir = git_dir_of(candidate)
        if git_dir is not None and has_commit(git_dir, commit):
            return git_dir
    return None


def cloned(cache: Path, name: str, commit: str) -> Path | None:
    """A blob-less clone in the cache that has the commit, or None (said why)."""
    target = cache / name.replace("/", "+")
    url = f"https://github.com/{name}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        print(f"  cloning {url} into {target} ...", file=sys.stderr)
        done = subprocess.run(["git", "clone", "-q", "--bare", "--filter=blob:none", url,
                               str(target)], capture_output=True, text=True)
        if done.returncode:
            print(f"  git clone {url} failed: {done.stderr.strip()}", file=sys.stderr)
            return None
    if not has_commit(target, commit):
        subprocess.run(["git", "--git-dir", str(target), "fetch", "-q", "--filter=blob:none",
                        "origin", commit], capture_output=True)
    return target if has_commit(target, commit) else None


def find_source(name: str, commit: str, mirrors: Path, cache: Path) -> Path:
    found = in_mirrors(mirrors, name, commit) or cloned(cache, name, commit)
    if found is None:
        raise SystemExit(
            f"no copy of {name} at {commit[:12]}: neither in {mirrors} (looked for "
            f"{name.replace('/', '+')}/repo, {name.replace('/', '+')}, {name}, "
            f"{name.split('/')[1]}) nor cloned from https://github.com/{name} into {cache}.\n"
            f"Fix: git clone https://github.com/{name} {mirrors}/{name.replace('/', '+')} "
            f"(with network access), or pass --mirrors DIR where such a clone is, or "
            f"--repo to leave this repository out.")
    return found


def snapshot(git_dir: Path, commit: str, root: Path) -> list[str]:
    """The commit's tree as a fresh one-commit repository; its tracked files."""
    root.mkdir(parents=True)
    # Every file of the commit: the attributes of an empty work tree, not the tree's own
    # (guzzle's `export-ignore` would leave out its tests and docs).
    with tempfile.TemporaryDirectory() as empty:
        archive = subprocess.run(["git", "--git-dir", str(git_dir), "--work-tree", empty,
                                  "archive", "--worktree-attributes", commit],
                                 capture_output=True)
    if archive.returncode == 0:
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    else:  # a mirror without some large blobs (images, archives): the rest of the tree
        reason = archive.stderr.decode(errors="replace").strip().splitlines()[:1]
        print(f"  git archive failed ({reason[0] if reason else archive.returncode}); "
              "writing the files the mirror has", file=sys.stderr)
        write_present_files(git_dir, commit, root)
    run(["git", "init", "-q", "-b", "main"], root)
    run(["git", "add", "-A", "-f"], root)  # files the commit tracks despite .gitignore too
    run(["git", "commit", "-qm", f"snapshot of {commit}", "--no-verify"], root)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    return [p for p in listed.split("\0") if p]


def write_present_files(git_dir: Path, commit: str, root: Path) -> None:
    """The commit's files and links whose blobs the mirror has; says how many it lacks."""
    git = ["git", "--git-dir", str(git_dir)]
    listed = subprocess.run(git + ["ls-tree", "-r", "-z", commit], capture_output=True,
                            check=True).stdout.split(b"\0")
    entries = [(line.split(b"\t", 1)[0].split(), line.split(b"\t", 1)[1])
               for line in listed if line and line.split()[0] in (b"100644", b"100755", b"120000")]
    batch = subprocess.run(git + ["cat-file", "--batch"], capture_output=True, check=True,
                           input=b"".join(meta[2] + b"\n" for meta, _ in entries)).stdout
    missing, at = 0, 0
    for meta, path in entries:
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].split()
        if header[-1] == b"missing":
            missing, at = missing + 1, header_end + 1
            continue
        size = int(header[2])
        target = root / os.fsdecode(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        content = batch[header_end + 1:header_end + 1 + size]
        if meta[0] == b"120000":
            target.symlink_to(os.fsdecode(content))
        else:
            target.write_bytes(content)
            if meta[0] == b"100755":
                target.chmod(0o755)
        at = header_end + 1 + size + 1
    print(f"  {git_dir}: {missing} of {len(entries)} files at {commit[:12]} have no blob "
          "in the mirror and are left out", file=sys.stderr)


# -- the two rankers ------------------------------------------------------------------

class Grep:
    """The plain grep ranker over the tracked text files (read once, lowercased)."""

    def __init__(self, root: Path, paths: list[str], whole_words: bool = False,
                 idf: bool = False) -> None:
        self.whole_words = whole_words
        self.idf = idf
        self.lines: dict[str, list[str]] = {}
        for path in sorted(paths):
            full = root / path
            if full.is_symlink() or not full.is_file():
                continue
            data = full.read_bytes()
            if b"\0" in data[:8192]:
                continue  # binary, as grep says "Binary file matches"
            self.lines[path] = data.decode("utf-8", errors="replace").lower().splitlines()
        self._counts: dict[str, dict[str, int]] = {}

    def count(self, word: str) -> dict[str, int]:
        if word not in self._counts:
            found = {}
            whole = re.compile(rf"\b{re.escape(word)}\b") if self.whole_words else None
            for path, lines in self.lines.items():
                n = sum(1 for line in lines if word in line and (
                    whole is None or whole.search(line)))
                if n:
                    found[path] = n
            self._counts[word] = found
        return self._counts[word]

    def rank(self, question: str, limit: int = LIMIT) -> list[str]:
        words = {w for w in WORD.findall(question.lower()) if len(w) >= 2}
        if self.idf:
            words = {w for w in words if len(w) >= 3 and w not in STOP_WORDS}
        score: dict[str, float] = {}
        for word in words:
            found = self.count(word)
            rarity = math.log(len(self.lines) / (1 + len(found))) if self.idf else 1.0
            for path, n in found.items():
                score[path] = score.get(path, 0) + (
                    math.log1p(n) * rarity if self.idf else n)
        return [p for p, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


def ask(repo: Repo, root: Path, tracked: list[str], whole_words: bool, idf: bool) -> None:
    ws = Workspace(root)
    grep = Grep(root, tracked, whole_words, idf)
    for q in repo.questions:
        start = time.perf_counter()
        q.cq = [r["path"] for r in operations.search(ws, q.text, LIMIT)]
        q.cq_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        q.grep = grep.rank(q.text)
        q.grep_ms = (time.perf_counter() - start) * 1000


# -- scoring --------------------------------------------------------------------------

def rank_of(found: list[str], right: list[str]) -> int | None:
    for i, path in enumerate(found[:LIMIT], 1):
        if path in right:
            return i
    return None


def scores(questions: list[Question], which: str) -> dict[str, float]:
    ranks = [rank_of(getattr(q, which), q.files) for q in questions]
    n = len(ranks) or 1
    return {"top1": sum(1 for r in ranks if r == 1) / n,
            "top3": sum(1 for r in ranks if r is not None and r <= 3) / n,
            "mrr": sum(1 / r for r in ranks if r is not None) / n}


def summary(label: str, questions: list[Question]) -> dict[str, Any]:
    cq, grep = scores(questions, "cq"), scores(questions, "grep")
    return {"label": label, "questions": len(questions), "codequery": cq, "grep": grep,
            "goal_met": cq["top3"] >= GOAL_TOP3 and cq["top3"] - grep["top3"] >= GOAL_LEAD
            and cq["mrr"] >= GOAL_MRR}


def show_rank(r: int | None) -> str:
    return "-" if r is None else str(r)


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (f"{'repository':34} {'n':>3}  {'codequery':^20}  {'grep':^20}  "
            f"{'codequery - grep':^20}  goal")
    sub = (f"{'':34} {'':>3}  " + "  ".join([f"{'top1':>6} {'top3':>6} {'MRR':>6}"] * 3))
    print(head)
    print(sub)
    for row in rows:
        cq, grep = row["codequery"], row["grep"]
        cells = []
        for values in (cq, grep):
            cells.append(f"{values['top1']:6.0%} {values['top3']:6.0%} {values['mrr']:6.2f}")
        cells.append(f"{cq['top1'] - grep['top1']:+6.0%} {cq['top3'] - grep['top3']:+6.0%} "
                     f"{cq['mrr'] - grep['mrr']:+6.2f}")
        print(f"{row['label']:34} {row['questions']:3d}  " + "  ".join(cells)
              + f"  {'met' if row['goal_met'] else 'NOT met'}")


def print_questions(repo: Repo) -> None:
    print(f"\n{repo.name} @ {repo.commit[:12]} ({repo.language}): rank of the first right "
          "file (- = not in the top 10), codequery's top 3")
    for i, q in enumerate(repo.questions, 1):
        cq, grep = rank_of(q.cq, q.files), rank_of(q.grep, q.files)
        mark = "  " if cq is not None and cq <= 3 else "!!"
        print(f"{mark}{i:2d}. cq {show_rank(cq):>2} grep {show_rank(grep):>2}  {q.text}")
        print(f"        right: {', '.join(q.files)}")
        print(f"        codequery: {', '.join(q.cq[:3]) or '(nothing)'}")
        if cq is None or cq > 3:
            print(f"        grep:      {', '.join(q.grep[:3]) or '(nothing)'}")


# -- the run --------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", default=[],
                        help="only repositories whose name or file contains this "
                             "(may be repeated)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="a line per question: ranks of the right file, top 3")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--mirrors", type=Path,
                        default=Path(os.environ.get("CODEQUERY_BENCH_MIRRORS",
                                                    "/work/.mirror")),
                        help="directory of local git copies ($CODEQUERY_BENCH_MIRRORS)")
    parser.add_argument("--cache", type=Path,
                        default=Path.home() / ".cache" / "codequery-bench",
                        help="where to clone what the mirrors lack")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="directory of the question files")
    parser.add_argument("--grep-whole-words", action="store_true",
                        help="a variant of the grep ranker: whole words (grep -wci)")
    parser.add_argument("--grep-idf", action="store_true",
                        help="a stronger grep ranker: rare words weigh more, common English "
                             "words are left out (see above)")
    parser.add_argument("--rev", help="measure codequery as committed at this git revision "
                        "(e.g. HEAD) instead of the work tree")
    parser.add_argument("--keep", type=Path, default=None,
                        help="build the snapshots here and keep them (default: a temp dir)")
    args = parser.parse_args()
    began = time.perf_counter()
    files = sorted(args.data.glob("*.json"))
    if args.repo:
        files = [f for f in files if any(
            part.lower() in (f.stem + " " + json.loads(f.read_text())["repo"]).lower()
            for part in args.repo)]
    if not files:
        raise SystemExit(f"no question files in {args.data} match {args.repo}")
    mirrors, cache = args.mirrors.expanduser().resolve(), args.cache.expanduser().resolve()
    repos = []
    for f in files:
        data = load(f)
        source = find_source(data["repo"], data["commit"], mirrors, cache)
        repos.append(Repo(data["repo"], data["commit"], data["language"],
                          [Question(q["question"], q["files"]) for q in data["questions"]],
                          source))
    log = sys.stderr if args.json else sys.stdout
    print(CODEQUERY, file=log)
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as name:
        tmp = Path(name)
        isolate(tmp / "home")
        work = args.keep.resolve() if args.keep else tmp
        for repo in repos:
            root = work / repo.name.replace("/", "+")
            if args.keep and root.exists():
                shutil.rmtree(root)  # our own snapshot of an earlier run
            tracked = snapshot(repo.source, repo.commit, root)
            repo.files = len(tracked)
            missing = sorted({p for q in repo.questions for p in q.files} - set(tracked))
            if missing:
                raise SystemExit(f"{repo.name}: right files not in the snapshot: {missing}")
            start = time.perf_counter()
            run([codequery_command(), "init", "--documenter", "builtin", "--no-hooks"], root)
            repo.index_s = time.perf_counter() - start
            repo.documented = Workspace(root).store.count()
            ask(repo, root, tracked, args.grep_whole_words, args.grep_idf)
            cq_ms = sum(q.cq_ms for q in repo.questions)
            grep_ms = sum(q.grep_ms for q in repo.questions)
            print(f"{repo.name} @ {repo.commit[:12]} ({repo.language}): {repo.files} files, "
                  f"{repo.documented} documented; index {repo.index_s:.1f} s; "
                  f"{len(repo.questions)} questions: codequery {cq_ms:.0f} ms "
                  f"(median {statistics.median(q.cq_ms for q in repo.questions):.1f} ms), "
                  f"grep {grep_ms:.0f} ms", file=log)
    rows = [summary(f"{r.name} ({r.language})", r.questions) for r in repos]
    everything = [q for r in repos for q in r.questions]
    total = summary("all", everything)
    languages = sorted({r.language for r in repos})
    by_language = [summary(lang, [q for r in repos if r.language == lang
                                  for q in r.questions]) for lang in languages]
    if args.json:
        print(json.dumps({
            "repositories": [
                {**row, "repo": r.name, "commit": r.commit, "language": r.language,
                 "files": r.files, "documented": r.documented, "index_s": r.index_s,
                 "questions_detail": [
                     {"question": q.text, "files": q.files,
                      "codequery_rank": rank_of(q.cq, q.files),
                      "grep_rank": rank_of(q.grep, q.files),
                      "codequery_top": q.cq, "grep_top": q.grep,
                      "codequery_ms": q.cq_ms, "grep_ms": q.grep_ms}
                     for q in r.questions]}
                for r, row in zip(repos, rows, strict=True)],
            "languages": by_language, "all": total,
            "grep_ranker": ("idf" if args.grep_idf else "whole words" if args.grep_whole_words
                            else "issue"),
            "goals": {"top3": GOAL_TOP3, "lead_over_grep_top3": GOAL_LEAD, "mrr": GOAL_MRR},
        }, indent=1))
        return 0
    if args.verbose:
        for repo in repos:
            print_questions(repo)
    if args.grep_whole_words:
        print("\nthe grep ranker counts whole words only (grep -wci), not the issue's grep -ci")
    if args.grep_idf:
        print("\nthe grep ranker is the stronger one (--grep-idf), not the issue's grep -ci")
    print(f"\nsearch quality, limit {LIMIT} (MRR: 1/rank of the first right file in the top "
          f"{LIMIT}, else 0); goal per language: codequery top-3 >= {GOAL_TOP3:.0%}, "
          f">= {GOAL_LEAD * 100:.0f} points above grep, MRR >= {GOAL_MRR}")
    print_table(rows + [total])
    if len(by_language) > 1 and len(by_language) != len(rows):
        print()
        print_table(by_language)
    met = sum(1 for row in by_language if row["goal_met"])
    print(f"\ngoal met in {met} of {len(by_language)} languages; bench run time "
          f"{time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
