"""The quick path of `codequery search` (no click): it prints exactly what the click
command prints, takes only the plain forms, and hands everything else to click."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codequery import defaults
from codequery.cli import quick_search
from tests.helpers import cli_run, commit_all, damage_table, write


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
    ["search", "-n5", "x"], ["search", "x", "--limit", "0"], ["search", "x", "--limit", "201"],
    ["-C", "", "search", "x"],
])
def test_anything_but_the_plain_forms_goes_to_click(args):
    assert quick_search.parse(args) is None


def test_the_plain_forms_are_read_as_click_reads_them(tmp_path):
    assert quick_search.parse(["-C", str(tmp_path), "search", "a", "--tests", "b", "-n",
                               "7"]) == (tmp_path, "a b", 7, True, False)
    assert quick_search.parse(["search", "x", "--json", "--limit=200"])[2:] == (200, False,
                                                                                True)
    assert quick_search.parse(["search", "x"])[2] == defaults.SEARCH_LIMIT == 10


def _main(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """codequery's entry point (the quick path first) in a process of its own."""
    script = ("import sys; from codequery.cli import main; "
              f"sys.argv = {['codequery', *args]!r}; main()")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_an_error_is_told_as_the_click_command_tells_it(repo):
    quick = _main("-C", str(repo), "search", "invoices")  # codequery is not set up there
    clicked = cli_run(repo, "search", "invoices")
    assert quick.returncode == clicked.exit_code == 1
    assert quick.stderr == clicked.stderr and "codequery init" in quick.stderr
    assert quick.stdout == clicked.stdout == ""


def test_a_damaged_index_is_told_with_what_to_do_not_as_a_bug(ready):
    damage_table(ready / ".code-query" / "code_data.db", "records")
    quick = _main("-C", str(ready), "search", "invoices")
    assert quick.returncode == 1 and quick.stdout == ""
    assert quick.stderr.startswith("error: cannot use database "), quick.stderr
    assert "move it aside" in quick.stderr and "bug" not in quick.stderr


def test_a_search_from_a_folder_that_is_gone_still_runs_with_c(ready, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    script = (f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); "
              "from codequery.cli import main; "
              f"sys.argv = ['codequery', '-C', {str(ready)!r}, 'search', 'vat', 'rate']; "
              "main()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("src/billing/tax.py")


def test_a_reader_that_leaves_early_is_no_bug(ready):
    script = ("import os, sys, time; from codequery.cli import main; "
              f"sys.argv = ['codequery', '-C', {str(ready)!r}, 'search', 'invoices']; "
              "r, w = os.pipe(); os.close(r); os.dup2(w, 1); main()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "bug" not in done.stderr and "Traceback" not in done.stderr, done.stderr


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
