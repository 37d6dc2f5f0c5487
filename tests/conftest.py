from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import make_repo


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test may read or write the real home directory or the user's git config."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    for name in list(__import__("os").environ):
        if name.startswith("GIT_") or name.startswith("CODEQUERY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return home


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {
        "README.md": "# Sample project\n\nTools for parsing invoices.\n\n## Install\n",
        "src/invoices.py": '"""Parse and total invoices."""\n\nimport json\n\n\n'
                           'def parse_invoice(text: str) -> dict:\n'
                           '    """Read one invoice from JSON text."""\n'
                           '    return json.loads(text)\n\n\n'
                           'class InvoiceTotaler:\n'
                           '    """Adds up invoice lines."""\n\n'
                           '    def total(self, invoice: dict) -> float:\n'
                           '        return sum(invoice["lines"])\n',
        "web/app.js": "// Front end of the invoice viewer\nimport React from 'react';\n"
                      "export function renderInvoice(invoice) { return invoice; }\n",
    })


@pytest.fixture
def initialized_repo(repo: Path):
    """`repo` after `codequery init`; a worker a test starts is stopped afterwards."""
    from codequery import worker_control
    from codequery.paths import RepoPaths
    from tests.helpers import cli_run

    assert cli_run(repo, "init").exit_code == 0
    yield repo
    worker_control.stop(RepoPaths(repo), timeout=5)


@pytest.fixture
def damaged_repo(repo: Path) -> Path:
    """`repo` after `codequery init`, its database then damaged past its first pages: it
    opens, and the table of reconcile runs (read by status, written by document) is
    garbage."""
    from tests.helpers import damage_table, run_installed

    # init in a process of its own: a connection left open here would keep the pages
    # readable from its cache
    assert run_installed(repo, "init").returncode == 0
    damage_table(repo / ".code-query" / "code_data.db", "reconciles")
    return repo


@pytest.fixture
def redis_server(tmp_path: Path):
    """A redis-server of this test's own, stopped afterwards."""
    from tests.redis_server import RedisServer, available

    if not available():
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server; "
                    ".ci/run installs it when run as root)")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_claude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in Claude CLI (tests/bin/claude) first on PATH; returns its call log."""
    bin_dir = Path(__file__).with_name("bin")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    log = tmp_path / "claude-calls.jsonl"
    monkeypatch.setenv("FAKE_CLAUDE_LOG", str(log))
    return log
