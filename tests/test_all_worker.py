"""One worker process for every repository registered with `init`: a real detached process."""

import json
import os
import subprocess

import pytest

from codequery import liveness, registry
from codequery.paths import RepoPaths
from tests.helpers import cli_json, cli_run, make_repo, run_installed, wait_for, write

pytestmark = pytest.mark.slow


@pytest.fixture
def repos(tmp_path):
    made = []
    for name in ("alpha", "beta"):
        repo = make_repo(tmp_path / name, {"README.md": f"# {name}\n"})
        assert cli_run(repo, "init").exit_code == 0
        made.append(repo)
    yield made
    run_installed(made[0], "worker", "stop", "--all")


def _commit(repo, files):
    write(repo, files)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "change"], cwd=repo, check=True,
                   capture_output=True)


def test_init_registers_the_repository(repos):
    assert registry.registered() == [repo.resolve() for repo in repos]


def test_one_worker_serves_every_registered_repository(repos, tmp_path):
    alpha, beta = repos
    done = run_installed(alpha, "worker", "start", "--all")
    assert done.returncode == 0 and "started" in done.stdout, done.stdout + done.stderr
    assert all(liveness.worker_alive(RepoPaths(repo)) for repo in repos)
    _commit(alpha, {"src/a.py": "def alpha_only():\n    return 1\n"})
    _commit(beta, {"src/b.py": "def beta_only():\n    return 2\n"})
    wait_for(lambda: cli_json(alpha, "search", "alpha_only"), timeout=20)
    wait_for(lambda: cli_json(beta, "search", "beta_only"), timeout=20)
    assert cli_json(alpha, "search", "beta_only") == []  # each keeps its own index
    report = run_installed(alpha, "worker", "status", "--all", "--json")
    assert report.returncode == 0, report.stdout + report.stderr
    rows = json.loads(report.stdout)
    assert [row["root"] for row in rows] == [str(repo.resolve()) for repo in repos]
    assert len({row["worker"]["pid"] for row in rows}) == 1  # one process for both
    # A repository set up later is picked up without a restart.
    gamma = make_repo(tmp_path / "gamma", {"README.md": "# gamma\n"})
    assert cli_run(gamma, "init", "--no-document").exit_code == 0
    wait_for(lambda: liveness.worker_alive(RepoPaths(gamma)), timeout=20)
    done = run_installed(alpha, "worker", "stop", "--all")
    assert done.returncode == 0 and "stopped" in done.stdout
    assert not any(liveness.worker_alive(RepoPaths(r)) for r in (alpha, beta, gamma))
    assert run_installed(alpha, "worker", "status", "--all").returncode == 3


def test_install_service_all_runs_the_worker_of_every_repository(repos):
    done = run_installed(repos[0], "install-service", "--all", "--dry-run", "--platform",
                         "systemd")
    assert done.returncode == 0, done.stderr
    assert '"-m" "codequery.all_worker"' in done.stdout
    assert str(registry.all_worker_paths().root) in done.stdout



def test_all_is_refused_with_remote_or_metrics_port(tmp_path):
    for extra in (["--remote", "redis://127.0.0.1:1/0"], ["--metrics-port", "9100"]):
        result = cli_run(tmp_path, "worker", "start", "--all", *extra)
        assert result.exit_code == 2 and "--all cannot be combined" in result.output


def test_status_all_lists_a_repository_with_a_broken_config_with_a_warning(repos):
    alpha, beta = repos
    settings = RepoPaths(beta).settings
    settings.write_text("{bad", encoding="utf-8")
    result = cli_run(alpha, "worker", "status", "--all", "--json")
    assert result.exit_code == 3
    rows = {row["root"]: row for row in json.loads(result.stdout)}
    broken = rows[str(beta.resolve())]
    assert broken["queue"] is None and broken["dataset"] is None
    assert broken["warning"].startswith(f"invalid config {settings}")
    assert rows[str(alpha.resolve())]["queue"]["pending"] == 0
    assert f"warning: invalid config {settings}" in result.stderr


def test_status_all_shows_each_repositorys_full_path_on_a_line_of_its_own(repos, tmp_path):
    deep = make_repo(tmp_path / ("a_rather_long_folder_name_" * 4) / "gamma")
    assert cli_run(deep, "init", "--no-hooks").exit_code == 0
    result = cli_run(deep, "worker", "status", "--all")  # 80 columns, as when piped
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    for repo in (*repos, deep):
        assert str(repo.resolve()) in lines
    assert len(str(deep.resolve())) > 80
    at = lines.index(str(deep.resolve()))
    assert lines[at + 1] == ("  worker not running, transport sqlite; queue: 0 pending, "
                             "0 processing, 1 completed, 0 dead")


def test_a_repository_whose_index_is_stashed_away_is_dropped_and_served_again_once_back(
        repos):
    # the worker of all repositories serves the others on; it makes nothing in the
    # stashed index's place (a queue or a lock there had made `git stash pop` refuse)
    alpha, beta = repos
    assert run_installed(alpha, "worker", "start", "--all").returncode == 0
    assert all(liveness.worker_alive(RepoPaths(repo)) for repo in repos)
    subprocess.run(["git", "stash", "-q", "--all"], cwd=alpha, check=True,
                   env={**os.environ, "CODEQUERY_SKIP": "1"})
    wait_for(lambda: not liveness.worker_alive(RepoPaths(alpha)), timeout=30)
    assert liveness.worker_alive(RepoPaths(beta))
    subprocess.run(["sleep", "6"], check=True)  # a scan or more meanwhile
    popped = subprocess.run(["git", "stash", "pop", "-q"], cwd=alpha, capture_output=True,
                            text=True)
    assert popped.returncode == 0, popped.stderr
    wait_for(lambda: liveness.worker_alive(RepoPaths(alpha)), timeout=30)
    _commit(alpha, {"src/a.py": "def back_again():\n    return 1\n"})
    wait_for(lambda: cli_json(alpha, "search", "back_again"), timeout=30)
