"""The quick path of `codequery search` (no click): it prints exactly what the click
command prints, takes only the plain forms, and hands everything else to click."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codequery import git
from codequery.cli import quick_search
from codequery.lazy_re import lazy
from codequery.workspace import Workspace
from tests.helpers import cli_run, commit_all, write


@pytest.fixture
def ready(repo: Path) -> Path:
    write(repo, {"src/billing/tax.py": '"""Tax rates per region."""\n\n\n'
                                       'def vat_rate(region: str) -> float:\n'
                                       '    """The VAT rate of a region."""\n    return 0.2\n',
                 "tests/test_invoices.py": "def test_parse_invoice():\n    pass\n"})
    commit_all(repo, "tax and a test")
    assert cli_run(repo, "init").exit_code == 0
    return repo


def _quick(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[bool, str, str]:
    handled = quick_search.run(args)
    out = capsys.readouterr()
    return handled, out.out, out.err


@pytest.mark.parametrize("args", [
    ["search", "parse", "invoices"],
    ["search", "--json", "invoice", "totals"],
    ["search", "vat", "rate", "--limit", "1"],
    ["search", "-n", "2", "--json", "tax"],
    ["search", "--limit=3", "invoice"],
    ["search", "--tests", "parse_invoice"],
    ["search", "--json", "--tests", "parse_invoice"],
])
def test_prints_what_the_click_command_prints(ready, capsys, args):
    handled, out, err = _quick(capsys, ["-C", str(ready), *args])
    clicked = cli_run(ready, *args)
    assert handled and clicked.exit_code == 0
    assert out == clicked.stdout and out.strip()
    assert err == clicked.stderr == ""


def test_an_empty_answer_is_told_on_stderr_as_click_tells_it(ready, capsys):
    handled, out, err = _quick(capsys, ["-C", str(ready), "search", "zqxjkv"])
    clicked = cli_run(ready, "search", "zqxjkv")
    assert handled and out == "" and clicked.stdout == ""
    assert err == clicked.stderr and err.startswith("no results for 'zqxjkv'")
    handled, out, _ = _quick(capsys, ["-C", str(ready), "search", "--json", "zqxjkv"])
    assert handled and json.loads(out) == []


def test_the_directory_defaults_to_the_current_one(ready, capsys, monkeypatch):
    monkeypatch.chdir(ready / "src")
    handled, out, _ = _quick(capsys, ["search", "--json", "vat", "rate"])
    assert handled and json.loads(out)[0]["path"] == "src/billing/tax.py"


@pytest.mark.parametrize("args", [
    ["search", "--help"], ["search", "-h"], ["search"], ["search", "--json"],
    ["search", "--", "word"], ["search", "--limit", "ten", "x"], ["search", "-n"],
    ["search", "--limit", "²", "x"], ["search", "--unknown", "x"], ["search", "", "x"],
    ["status"], [], ["--version"], ["-C"], ["-C", "/nonexistent/dir", "search", "x"],
    ["search", "-n5", "x"],
])
def test_anything_but_the_plain_forms_goes_to_click(args):
    assert quick_search.parse(args) is None


def test_the_plain_forms_are_read_as_click_reads_them(tmp_path):
    assert quick_search.parse(["-C", str(tmp_path), "search", "a", "--tests", "b", "-n",
                               "7"]) == (tmp_path, "a b", 7, True, False)
    assert quick_search.parse(["search", "x", "--json", "--limit=200"])[2:] == (200, False,
                                                                                True)
    assert quick_search.parse(["search", "x"])[2] == quick_search.DEFAULT_LIMIT


@pytest.mark.parametrize("args", [["search", "x", "--limit", "0"],
                                  ["search", "x", "--limit", "201"]])
def test_a_limit_out_of_range_is_explained_by_click(ready, capsys, args):
    handled, out, err = _quick(capsys, ["-C", str(ready), *args])
    assert not handled and out == err == ""
    assert cli_run(ready, *args).exit_code == 2  # click's usage error


def test_an_error_is_left_to_click_with_nothing_printed(repo, capsys):
    handled, out, err = _quick(capsys, ["-C", str(repo), "search", "invoices"])  # no init
    assert not handled and out == err == ""
    clicked = cli_run(repo, "search", "invoices")
    assert clicked.exit_code == 1 and "codequery init" in clicked.stderr


def test_a_terminal_gets_the_table_from_click(ready, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    handled, out, _ = _quick(capsys, ["-C", str(ready), "search", "invoices"])
    assert not handled and out == ""
    handled, out, _ = _quick(capsys, ["-C", str(ready), "search", "--json", "invoices"])
    assert handled and json.loads(out)


def test_a_search_process_imports_neither_click_nor_git_nor_typing(ready):
    script = ("import sys; from codequery.cli import main; sys.argv = ['codequery', '-C', "
              f"{str(ready)!r}, 'search', 'parse', 'invoices']; main(); "
              "print(sorted(m for m in ('click', 'subprocess', 'dataclasses', 'inspect', 'typing', "
              "'pydantic', 'rich') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("src/invoices.py")
    assert done.stderr.strip() == "[]"


def test_the_work_tree_is_found_as_git_finds_it(ready, tmp_path):
    assert git.nearest_work_tree(ready / "src" / "billing") == git.toplevel(ready / "src")
    linked = tmp_path / "linked"
    subprocess.run(["git", "-C", str(ready), "worktree", "add", "-q", str(linked)],
                   check=True, capture_output=True)
    assert (linked / ".git").is_file()
    assert git.nearest_work_tree(linked / "src") == git.toplevel(linked / "src") == linked
    outside = tmp_path / "plain"
    (outside / ".git").mkdir(parents=True)  # a folder named .git, no repository in it
    assert git.nearest_work_tree(outside) != outside


def test_a_workspace_not_set_up_is_found_by_git(repo, tmp_path):
    assert Workspace.find(repo / "src").root == repo  # no .code-query: git's answer
    with pytest.raises(Exception, match="not inside a git work tree"):
        Workspace.find(tmp_path)


def test_a_lazy_pattern_compiles_once_on_first_use():
    pattern = lazy(r"(?P<word>[a-z]+)(\d)")
    assert pattern.pattern == r"(?P<word>[a-z]+)(\d)" and "search" not in vars(pattern)
    assert pattern.search("x ab1")["word"] == "ab"
    search = vars(pattern)["search"]
    assert pattern.findall("a1 b2") == [("a", "1"), ("b", "2")]
    assert pattern.search is search and pattern.groupindex == {"word": 1}
    assert lazy("a", 2).sub("b", "AaA") == "bbb"  # flags (re.IGNORECASE) kept
