"""Approval of LLM documenter settings: what it covers is what a pull cannot change unseen."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from codequery import trust
from codequery.config import DocumenterConfig
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from tests.helpers import FAKE_LLM, cli_run, commit_all, make_repo, write

# A documenter kept in the repository: it hands the prompt to the stand-in LLM.
DOCGEN = f"import runpy\n\nrunpy.run_path({str(FAKE_LLM)!r}, run_name='__main__')\n"


def _marking(marker: Path) -> str:
    """Code a pull might bring: it leaves a mark, then fails like a broken documenter."""
    return f"open({str(marker)!r}, 'w').close()\nraise SystemExit(1)\n"


def _approved_repo(tmp_path: Path, command: list[str], files: dict[str, str]) -> Path:
    """A repository whose committed settings run `command`, approved by `codequery init`."""
    settings = {"dataset": "demo", "documenter": {"name": "command", "command": command}}
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", **files,
                                         ".code-query/config.json": json.dumps(settings)})
    result = cli_run(repo, "init", "--yes", "--no-hooks")
    assert result.exit_code == 0, result.output
    return repo


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "PWNED"


def test_a_command_started_from_a_subdirectory_runs_the_approved_script(
        tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch):
    repo = _approved_repo(tmp_path, [sys.executable, "docgen.py"], {"docgen.py": DOCGEN})
    write(repo, {"sub/docgen.py": _marking(marker)})  # same name, deeper down, as a pull
    commit_all(repo, "pull")
    monkeypatch.chdir(repo / "sub")
    result = cli_run(repo, "document", "--force")
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_a_pulled_change_to_a_module_run_with_dash_m_asks_for_approval_again(
        tmp_path: Path, marker: Path):
    repo = _approved_repo(tmp_path, [sys.executable, "-m", "docgen"], {"docgen.py": DOCGEN})
    write(repo, {"docgen.py": _marking(marker) + DOCGEN})
    commit_all(repo, "pull")
    result = cli_run(repo, "document", "--force")
    assert result.exit_code == 1
    assert "has not approved these settings" in result.stderr
    assert not marker.exists()


def _settings(repo: Path, command: list[str]) -> tuple[RepoPaths, DocumenterConfig]:
    return RepoPaths(repo), DocumenterConfig(name="command", command=command)


def _still_approved(repo: Path, command: list[str]) -> bool:
    try:
        trust.require(*_settings(repo, command))
    except CodeQueryError:
        return False
    return True


RUN_BY_CONVENTION = {
    "a dotted module's file": (["python3", "-Bm", "tools.docgen"],
                               {"tools/__init__.py": "", "tools/docgen.py": "x = 1\n"},
                               {"tools/docgen.py": "x = 2\n"}),
    "its package's __init__": (["python3", "-m", "tools.docgen"],
                               {"tools/__init__.py": "", "tools/docgen.py": "x = 1\n"},
                               {"tools/__init__.py": "x = 2\n"}),
    "a package's __main__": (["python3", "-m", "tools"],
                             {"tools/__init__.py": "", "tools/__main__.py": "x = 1\n"},
                             {"tools/__main__.py": "x = 2\n"}),
    "a package that takes a module's place": (["python3", "-m", "docgen"],
                                              {"docgen.py": "x = 1\n"},
                                              {"docgen/__init__.py": "x = 2\n"}),
    "bytecode that takes the source's place": (["python3", "-m", "docgen"],
                                               {"docgen.py": "x = 1\n"},
                                               {"__pycache__/docgen.cpython-312.pyc": "x"}),
    "a directory's __main__": (["python3", "tools"], {"tools/__main__.py": "x = 1\n"},
                               {"tools/__main__.py": "x = 2\n"}),
    "the Makefile": (["make", "-s", "doc"], {"Makefile": "doc:\n\t@true\n"},
                     {"Makefile": "doc:\n\t@false\n"}),
    "a GNUmakefile that takes its place": (["/usr/bin/make", "doc"],
                                           {"Makefile": "doc:\n\t@true\n"},
                                           {"GNUmakefile": "doc:\n\t@false\n"}),
    "make's -f file in -C's directory": (["make", "-C", "docs", "--file=rules.mk"],
                                         {"docs/rules.mk": "doc:\n"}, {"docs/rules.mk": "x:\n"}),
    "npm's package.json": (["npm", "run", "--silent", "doc"], {"package.json": "{}"},
                           {"package.json": '{"scripts": {"doc": "x"}}'}),
    "pnpm's in a directory": (["pnpm", "-C", "web", "doc"], {"web/package.json": "{}"},
                              {"web/package.json": "[]"}),
    "node's script without its extension": (["node", "docgen"], {"docgen.js": "1"},
                                            {"docgen.js": "2"}),
    "a runner behind env": (["env", "A=1", "python3", "-m", "docgen"],
                            {"docgen.py": "x = 1\n"}, {"docgen.py": "x = 2\n"}),
    "what sh -c runs": (["sh", "-c", "make"], {"Makefile": "doc:\n"}, {"Makefile": "x:\n"}),
    "what a command line runs": (["bash", "-ec", "cd tools && python3 -m docgen | cat"],
                                 {"tools/docgen.py": "x = 1\n"}, {"tools/docgen.py": "x = 2\n"}),
    "a script given as an option's value": (["runner", "--script=docgen.py"],
                                            {"docgen.py": "x = 1\n"}, {"docgen.py": "x = 2\n"}),
}


RUN_IN_TURN = {
    "a module a script imports": ([sys.executable, "docgen.py"],
                                  {"docgen.py": "import helper\n", "helper.py": "x = 1\n"},
                                  {"helper.py": "x = 2\n"}),
    "a module a module imports, relatively": (
        ["python3", "-m", "tools.docgen"],
        {"tools/__init__.py": "", "tools/docgen.py": "try:\n    from .lib import helper\n"
                                                     "except ImportError:\n    pass\n",
         "tools/lib/__init__.py": "", "tools/lib/helper.py": "x = 1\n"},
        {"tools/lib/helper.py": "x = 2\n"}),
    "a module that takes a standard one's place": (["python3", "docgen.py"],
                                                   {"docgen.py": "import json\n"},
                                                   {"json.py": "x = 2\n"}),
    "a module -c code imports": (["python3", "-c", "import docgen; docgen.main()"],
                                 {"docgen.py": "x = 1\n"}, {"docgen.py": "x = 2\n"}),
    "an import of an executable known by its #! line": (
        ["./docgen"], {"docgen": "#!/usr/bin/env python3\nimport helper\n",
                       "helper.py": "x = 1\n"}, {"helper.py": "x = 2\n"}),
    "what a shell script runs": (["bash", "gen"],
                                 {"gen": "set -e\ncd tools\npython3 -m docgen \\\n  --quiet\n",
                                  "tools/docgen.py": "x = 1\n"},
                                 {"tools/docgen.py": "x = 2\n"}),
    "what a makefile's recipe runs": (["make", "doc"],
                                      {"Makefile": "doc:\n\t@cd tools && $(MAKE) gen\n",
                                       "tools/Makefile": "gen:\n\t-python3 -m docgen\n",
                                       "tools/docgen.py": "x = 1\n"},
                                      {"tools/docgen.py": "x = 2\n"}),
    "a makefile a makefile includes": (["make"], {"Makefile": "-include rules.mk\n",
                                                  "rules.mk": "doc:\n"}, {"rules.mk": "x:\n"}),
    "what a package.json script runs": (
        ["npm", "run", "doc"], {"package.json": '{"scripts": {"doc": "node scripts/doc"}}',
                                "scripts/doc.js": "1"}, {"scripts/doc.js": "2"}),
}


@pytest.mark.parametrize(("command", "before", "pulled"),
                         [*RUN_BY_CONVENTION.values(), *RUN_IN_TURN.values()],
                         ids=[*RUN_BY_CONVENTION, *RUN_IN_TURN])
def test_a_file_a_runner_reaches_or_what_it_runs_in_turn_is_part_of_the_approval(
        tmp_path: Path, command: list[str], before: dict[str, str], pulled: dict[str, str]):
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", **before})
    trust.approve(*_settings(repo, command))
    write(repo, {"a.py": "x = 2\n"})  # code it does not run: no new question
    assert _still_approved(repo, command)
    write(repo, pulled)
    commit_all(repo, "pull")
    assert not _still_approved(repo, command)


def test_a_pulled_change_to_a_module_the_documenter_imports_asks_for_approval_again(
        tmp_path: Path, marker: Path):
    repo = _approved_repo(tmp_path, [sys.executable, "docgen.py"],
                          {"docgen.py": "import helper\n\nhelper.main()\n",
                           "helper.py": "def main():\n    import runpy\n\n"
                                        f"    runpy.run_path({str(FAKE_LLM)!r}, "
                                        "run_name='__main__')\n"})
    write(repo, {"helper.py": _marking(marker)})
    commit_all(repo, "pull")
    result = cli_run(repo, "document", "--force")
    assert result.exit_code == 1
    assert "has not approved these settings" in result.stderr
    assert not marker.exists()




def test_a_long_chain_of_imports_is_followed_to_its_end(tmp_path: Path):
    length = 1500  # deeper than Python's recursion limit
    chain = {f"m{n}.py": f"import m{n + 1}\n" for n in range(length)}
    repo = make_repo(tmp_path / "repo", {**chain, f"m{length}.py": "x = 1\n"})
    command = ["python3", "-m", "m0"]
    trust.approve(*_settings(repo, command))
    write(repo, {f"m{length}.py": "x = 2\n"})
    assert not _still_approved(repo, command)
