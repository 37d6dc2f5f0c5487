"""install-service / uninstall-service: the unit files, their names, and what gets run."""

from __future__ import annotations

import configparser
import contextlib
import os
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codequery import service, worker_control
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from tests.helpers import cli_run, make_repo, run_installed

REAL_MANAGER_ANSWERS = service.manager_answers
WORKER = [sys.executable, "-I", "-m", "codequery.worker"]


@pytest.fixture(autouse=True)
def no_service_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the real user's systemd or launchd (a developer's laptop has one)."""
    monkeypatch.setattr(service, "manager_answers", lambda platform: False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)


@pytest.fixture
def initialized(repo: Path) -> Path:
    assert cli_run(repo, "init", "--no-document", "--no-hooks").exit_code == 0
    return repo


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if not p.is_dir()] if folder.exists() else []


def _unit_settings(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


def _systemd_verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    argv = ["systemd-analyze", "--user", "verify", str(unit)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0 and "Failed to initialize manager" in done.stderr:
        # Some builds cannot set up a user-mode manager here; system mode checks the file
        # by the same rules.
        done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                              text=True, timeout=60)
    return done


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (Debian package: systemd)")
@pytest.mark.parametrize("folder", ["repo", 'odd name 100%h $HOME "q"'])
def test_generated_unit_passes_systemd_analyze_verify(tmp_path, folder):
    repo = make_repo(tmp_path / folder)
    assert cli_run(repo, "init", "--no-document", "--no-hooks").exit_code == 0
    assert cli_run(repo, "install-service", "--platform", "systemd").exit_code == 0
    unit = service.installed_unit(repo, "systemd")
    assert unit is not None
    done = _systemd_verify(unit, tmp_path)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_systemd_unit_runs_this_repositorys_worker_and_restarts_it(initialized):
    unit = service.render(initialized, "systemd")
    settings = _unit_settings(unit.content)["Service"]
    root = os.path.realpath(initialized)
    assert settings["ExecStart"] == " ".join(f'"{arg}"' for arg in WORKER)
    assert settings["WorkingDirectory"] == root
    assert f'"CODEQUERY_ROOT={root}"' in settings["Environment"]
    assert f'"XDG_STATE_HOME={os.environ["XDG_STATE_HOME"]}"' in settings["Environment"]
    assert settings["Restart"] == "on-failure"
    assert settings["RestartPreventExitStatus"] == settings["SuccessExitStatus"] == "75"
    assert settings["KillSignal"] == "SIGINT"
    log = f"append:{root}/.code-query/logs/worker.out"
    assert settings["StandardOutput"] == settings["StandardError"] == log


def test_launchd_plist_round_trips_with_the_expected_keys(initialized):
    result = cli_run(initialized, "install-service", "--platform", "launchd")
    assert result.exit_code == 0, result.output
    path = service.installed_unit(initialized, "launchd")
    assert path is not None and path.parent.name == "LaunchAgents"
    agent = plistlib.loads(path.read_bytes())
    root = os.path.realpath(initialized)
    assert agent["Label"] == path.stem == service.unit_name(initialized, "launchd")
    assert agent["Label"].startswith("dev.codequery.worker.repo-")
    assert agent["ProgramArguments"] == WORKER
    assert agent["WorkingDirectory"] == root
    assert agent["EnvironmentVariables"]["CODEQUERY_ROOT"] == root
    # the user-level folders of the installing shell (the tests set each): where the CLI
    # looks for a stopped worker's note
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        assert agent["EnvironmentVariables"][name] == os.environ[name], name
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert isinstance(agent["ThrottleInterval"], int)
    log = f"{root}/.code-query/logs/worker.out"
    assert agent["StandardOutPath"] == agent["StandardErrorPath"] == log
    assert plistlib.loads(plistlib.dumps(agent)) == agent


def test_each_repository_gets_its_own_stable_unit_name(tmp_path):
    first = make_repo(tmp_path / "a" / "repo")
    second = make_repo(tmp_path / "b" / "repo")
    (tmp_path / "link").symlink_to(first)
    for platform in service.PLATFORMS:
        name = service.unit_name(first, platform)
        assert name != service.unit_name(second, platform)
        assert name == service.unit_name(first, platform)
        assert name == service.unit_name(tmp_path / "link", platform)
    assert service.unit_name(first, "systemd").startswith("codequery-worker-repo-")


def test_dry_run_prints_the_unit_and_commands_and_writes_nothing(initialized, isolated_home):
    result = cli_run(initialized, "install-service", "--platform", "systemd", "--dry-run")
    assert result.exit_code == 0, result.output
    path = service.unit_path(initialized, "systemd")
    assert _unit_settings(result.stdout)["Service"]["KillSignal"] == "SIGINT"
    assert f"would write {path}" in result.stderr
    assert "would run systemctl --user daemon-reload" in result.stderr
    assert f"would run systemctl --user enable --now {path.stem}" in result.stderr
    assert not path.exists() and not (isolated_home / ".config" / "systemd").exists()


def test_the_services_worker_takes_threads_and_a_metrics_port(initialized, isolated_home):
    result = cli_run(initialized, "install-service", "--platform", "systemd", "--dry-run",
                     "--threads", "4", "--metrics-port", "9464")
    assert result.exit_code == 0, result.output
    start = _unit_settings(result.stdout)["Service"]["ExecStart"]
    assert start.endswith('"codequery.worker" "--threads" "4" "--metrics-port" "9464"')
    plain = cli_run(initialized, "install-service", "--platform", "systemd", "--dry-run")
    assert _unit_settings(plain.stdout)["Service"]["ExecStart"].endswith('"codequery.worker"')


def test_install_twice_then_uninstall_leaves_nothing_behind(initialized, isolated_home):
    name = service.unit_name(initialized, "systemd")
    first = cli_run(initialized, "install-service", "--platform", "systemd")
    assert first.exit_code == 0, first.output
    assert "codequery: wrote " in first.stderr
    assert "no systemd user manager answers here" in first.stderr
    assert f"\n  systemctl --user enable --now {name}\n" in first.stderr
    assert service.is_installed(initialized, "systemd")
    again = cli_run(initialized, "install-service", "--platform", "systemd")
    assert "codequery: replaced " in again.stderr
    assert f"\n  systemctl --user restart {name}\n" in again.stderr
    assert len(_files_under(isolated_home / ".config" / "systemd")) == 1
    gone = cli_run(initialized, "uninstall-service", "--platform", "systemd")
    assert gone.exit_code == 0 and "codequery: removed " in gone.stderr
    assert _files_under(isolated_home / ".config" / "systemd") == []
    assert not service.is_installed(initialized, "systemd")


def test_launchd_install_twice_then_uninstall_leaves_nothing_behind(initialized, isolated_home):
    for _ in range(2):
        assert cli_run(initialized, "install-service", "--platform", "launchd").exit_code == 0
    assert len(_files_under(isolated_home / "Library")) == 1
    assert cli_run(initialized, "uninstall-service", "--platform", "launchd").exit_code == 0
    assert _files_under(isolated_home / "Library") == []


def test_uninstall_without_a_manager_also_removes_the_enable_links(initialized):
    cli_run(initialized, "install-service", "--platform", "systemd")
    unit = service.installed_unit(initialized, "systemd")
    assert unit is not None
    wants = unit.parent / "default.target.wants"
    wants.mkdir()
    (wants / unit.name).symlink_to(unit)  # what `systemctl --user enable` leaves
    result = cli_run(initialized, "uninstall-service", "--platform", "systemd")
    assert f"removed {wants / unit.name}" in result.stderr
    assert _files_under(unit.parent) == []


def test_uninstall_with_nothing_installed_says_so(initialized):
    for platform in service.PLATFORMS:
        result = cli_run(initialized, "uninstall-service", "--platform", platform)
        assert result.exit_code == 0
        assert f"no {service.KIND[platform]} is installed" in result.stderr


def test_install_requires_an_initialized_repository(repo):
    result = cli_run(repo, "install-service", "--platform", "systemd")
    assert result.exit_code == 1 and "codequery init" in result.stderr
    assert not service.is_installed(repo, "systemd")


def test_the_manager_probe_answers_no_quickly_without_a_session_bus():
    started = time.monotonic()
    assert REAL_MANAGER_ANSWERS("systemd") is False
    assert time.monotonic() - started < service.PROBE_TIMEOUT + 1
    if sys.platform != "darwin":
        assert REAL_MANAGER_ANSWERS("launchd") is False


def test_an_os_without_a_known_manager_asks_for_platform(initialized, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(CodeQueryError, match="--platform"):
        service.choose_platform()
    assert service.installed_unit(initialized) is None
    assert service.choose_platform("launchd") == "launchd"


def test_an_interpreter_path_systemd_refuses_is_reported_before_writing(initialized):
    with pytest.raises(CodeQueryError, match="quote, a backslash"):
        service.render(initialized, "systemd", command=["/opt/o'brien/bin/python", "-I"])


def test_xdg_config_home_decides_where_the_unit_goes(initialized, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert service.unit_path(initialized, "systemd").parent == (
        tmp_path / "elsewhere" / "systemd" / "user")
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    assert service.unit_path(initialized, "systemd").parent == (
        Path.home() / ".config" / "systemd" / "user")


def test_worker_start_mentions_an_installed_service(initialized):
    try:
        assert run_installed(initialized, "worker", "start").returncode == 0
        cli_run(initialized, "install-service")
        unit = service.installed_unit(initialized)
        assert unit is not None
        again = run_installed(initialized, "worker", "start")
        assert "already running" in again.stdout and str(unit) in again.stdout
    finally:
        with contextlib.suppress(CodeQueryError):
            worker_control.stop(RepoPaths(initialized), timeout=5)


def test_the_manager_waits_for_the_stop_less_than_we_wait_for_the_manager(initialized):
    unit = service.render(initialized, "systemd")
    settings = _unit_settings(unit.content)["Service"]
    assert settings["TimeoutStopSec"] == str(service.UNIT_STOP_SECONDS)
    assert "documenter's default timeout" not in unit.content  # it never waits for one
    agent = plistlib.loads(service.render(initialized, "launchd").content.encode())
    assert agent["ExitTimeOut"] == service.UNIT_STOP_SECONDS


@pytest.mark.slow
def test_sigint_alone_stops_a_worker_with_hung_llm_calls_well_within_the_unit_timeout(
        tmp_path, fake_claude, monkeypatch):
    """What systemd does (KillSignal=SIGINT, KillMode=mixed: the main process only)."""
    import signal

    from tests.helpers import gone, logged_calls, wait_for

    repo = make_repo(tmp_path / "r", {f"m{i}.py": f"def f{i}():\n    return {i}\n"
                                      for i in range(2)})
    assert cli_run(repo, "init", "--documenter", "claude", "--model", "claude-test",
                   "--no-document", "--no-hooks").exit_code == 0
    monkeypatch.setenv("FAKE_CLAUDE_HANG", "1")
    try:
        assert run_installed(repo, "document", "--queue").returncode == 0
        assert run_installed(repo, "worker", "start", "--threads", "2").returncode == 0
        wait_for(lambda: len(logged_calls(fake_claude)) == 2, timeout=30)
        pid = worker_control.info(RepoPaths(repo)).pid
        started = time.monotonic()
        os.kill(pid, signal.SIGINT)
        assert gone(pid, wait=service.UNIT_STOP_SECONDS)
        assert time.monotonic() - started < service.UNIT_STOP_SECONDS / 2
        for call in logged_calls(fake_claude):
            assert gone(call["pid"], wait=5) and gone(call["child"], wait=5)
    finally:
        with contextlib.suppress(CodeQueryError):
            worker_control.stop(RepoPaths(repo), timeout=5)
