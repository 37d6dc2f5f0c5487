"""Approval of LLM documenter settings: what it covers is what a pull cannot change unseen."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

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
