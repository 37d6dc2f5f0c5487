"""Run a repository's worker as a per-user service: a systemd --user unit or a launchd agent.

One unit per repository, named from a hash of its real path, so several repositories each
get their own. Nothing here needs root: units live under the user's home and the service
managers are asked through `systemctl --user` and `launchctl`, always with a timeout. When
no manager answers (a container, an ssh session without a user manager, launchd off macOS)
the unit is still written and the commands to start it are printed instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import plistlib
import re
import shlex
import shutil
import string
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codequery import worker_control
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from codequery.registry import xdg_base

SYSTEMD = "systemd"
LAUNCHD = "launchd"
PLATFORMS = (SYSTEMD, LAUNCHD)
KIND = {SYSTEMD: "systemd user service", LAUNCHD: "launchd agent"}
LOG_NAME = "worker.out"  # where a worker started by `codequery worker start` writes, too
PROBE_TIMEOUT = 5.0
QUICK_TIMEOUT = 30.0
# How long the service manager waits for the worker to exit once told to stop (systemd's
# TimeoutStopSec, launchd's ExitTimeOut) before it kills what is left. The worker does not
# wait for LLM calls: it kills its documenter commands at once and gives other running jobs
# worker.SHUTDOWN_SECONDS, so it exits within some 20 s at worst (threads and Redis joined).
UNIT_STOP_SECONDS = 60
# Our own wait for `systemctl`/`launchctl` to stop a unit: longer than theirs.
STOP_TIMEOUT = UNIT_STOP_SECONDS + 30.0


@dataclass(frozen=True)
class ServiceUnit:
    platform: str
    name: str  # systemd unit name without ".service", or launchd label
    path: Path
    content: str
    root: Path

    @property
    def kind(self) -> str:
        return KIND[self.platform]

    @property
    def log_file(self) -> Path:
        return RepoPaths(self.root).log_dir / LOG_NAME


def choose_platform(requested: str | None = None) -> str:
    if requested is not None:
        if requested not in PLATFORMS:
            raise CodeQueryError(f"unknown service platform {requested!r}; "
                                 f"choose one of {', '.join(PLATFORMS)}")
        return requested
    if sys.platform.startswith("linux"):
        return SYSTEMD
    if sys.platform == "darwin":
        return LAUNCHD
    raise CodeQueryError(f"codequery knows no service manager for {sys.platform}; "
                         "pass --platform systemd or --platform launchd")


def _real(root: Path) -> Path:
    return Path(os.path.realpath(root))


def unit_name(root: Path, platform: str) -> str:
    real = _real(root)
    # The hash tells apart repositories with the same folder name; the slug is for humans.
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", real.name.lower())[:32].strip("-") or "repo"
    ident = f"{slug}-{digest}"
    return f"codequery-worker-{ident}" if platform == SYSTEMD else f"dev.codequery.worker.{ident}"


def unit_path(root: Path, platform: str) -> Path:
    name = unit_name(root, platform)
    if platform == SYSTEMD:
        return systemd_user_dir() / f"{name}.service"
    return Path.home() / "Library" / "LaunchAgents" / f"{name}.plist"


def systemd_user_dir() -> Path:
    return xdg_base("XDG_CONFIG_HOME", ".config") / "systemd" / "user"


def installed_unit(root: Path, platform: str | None = None) -> Path | None:
    """The unit (or plist) file installed for this repository, if any. Never raises."""
    try:
        path = unit_path(root, choose_platform(platform))
    except CodeQueryError:
        return None
    return path if path.is_file() else None


def is_installed(root: Path, platform: str | None = None) -> bool:
    return installed_unit(root, platform) is not None


def render(root: Path, platform: str | None = None, command: list[str] | None = None
           ) -> ServiceUnit:
    """The unit running this repository's worker with the interpreter codequery runs on."""
    platform = choose_platform(platform)
    real = _real(root)
    argv = command or worker_control.worker_command()
    log_file = RepoPaths(real).log_dir / LOG_NAME
    # PATH as in the installing shell: the worker runs git and documenter CLIs (claude, ...)
    # that the service manager's minimal PATH would not find.
    env = {"CODEQUERY_ROOT": str(real), "PATH": os.environ.get("PATH") or os.defpath}
    # The user-level folders as this shell has them: the worker's notes of why it stopped
    # (stop_notes), the registry and caches are then where the CLI looks.
    for base in _XDG_BASES:
        if os.path.isabs(os.environ.get(base, "")):  # the spec ignores a relative one
            env[base] = os.environ[base]
    name = unit_name(real, platform)
    if platform == SYSTEMD:
        content = _render_systemd(real, argv, env, log_file)
    else:
        content = _render_launchd(name, real, argv, env, log_file)
    return ServiceUnit(platform, name, unit_path(real, platform), content, real)


_XDG_BASES = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


def _template(name: str) -> str:
    return resources.files("codequery.service_templates").joinpath(name).read_text("utf-8")


def _systemd_plain(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise CodeQueryError(f"{value!r} holds a line break, which a systemd unit cannot carry")
    return value.replace("%", "%%")  # systemd expands %-specifiers in nearly every setting


def _systemd_quoted(value: str, *, in_exec: bool = False) -> str:
    value = _systemd_plain(value).replace("\\", "\\\\").replace('"', '\\"')
    if in_exec:  # arguments of ExecStart also expand $VARIABLES
        value = value.replace("$", "$$")
    return f'"{value}"'


def _systemd_executable(path: str) -> str:
    # systemd neither unescapes nor expands `$` in the executable, and refuses it outright
    # (a fatal unit error) if it holds a quote, a backslash or a control character.
    if any(ch in "\"'\\" or ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise CodeQueryError(f"systemd cannot run {path}: its path holds a quote, a backslash "
                             "or a control character; install codequery somewhere else")
    return f'"{_systemd_plain(path)}"'


def _render_systemd(root: Path, argv: list[str], env: dict[str, str], log_file: Path) -> str:
    return string.Template(_template("codequery-worker.service")).substitute(
        root=str(root),  # in a comment: no specifiers to escape
        description=_systemd_plain(str(root)),
        working_directory=_systemd_plain(str(root)),
        environment=" ".join(_systemd_quoted(f"{k}={v}") for k, v in env.items()),
        exec_start=" ".join([_systemd_executable(argv[0]),
                             *(_systemd_quoted(arg, in_exec=True) for arg in argv[1:])]),
        log_file=_systemd_plain(str(log_file)),
        stop_seconds=UNIT_STOP_SECONDS,
    )


def _render_launchd(label: str, root: Path, argv: list[str], env: dict[str, str],
                    log_file: Path) -> str:
    agent = plistlib.loads(_template("codequery-worker.plist").encode("utf-8"))
    values = {"Label": label, "ProgramArguments": list(argv), "WorkingDirectory": str(root),
              "EnvironmentVariables": env, "StandardOutPath": str(log_file),
              "StandardErrorPath": str(log_file), "ExitTimeOut": UNIT_STOP_SECONDS}
    missing = sorted(set(values) - set(agent))
    if missing:  # the template and this code must agree on what gets filled in
        raise RuntimeError(f"codequery-worker.plist lacks {', '.join(missing)}")
    agent.update(values)  # keeps the template's key order
    return plistlib.dumps(agent, sort_keys=False).decode("utf-8")


# --- talking to the service manager -------------------------------------------------------

def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)


def manager_answers(platform: str) -> bool:
    """Can the user's service manager be reached right now? Answers within seconds."""
    if platform == LAUNCHD:
        return sys.platform == "darwin" and shutil.which("launchctl") is not None
    try:  # unlike is-system-running, this fails only when nobody answers (not when degraded)
        return _run(_systemctl("show-environment"), PROBE_TIMEOUT).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def no_manager_reason(platform: str) -> str:
    if platform == LAUNCHD:
        return "launchctl is not available here (macOS only)"
    return "no systemd user manager answers here (`systemctl --user show-environment` failed)"


def _systemctl(*args: str) -> list[str]:
    return ["systemctl", "--user", *args]


def _gui_domain() -> str:
    return f"gui/{os.getuid()}"


def _step(argv: list[str], timeout: float = QUICK_TIMEOUT) -> str:
    command = shlex.join(argv)
    try:
        done = _run(argv, timeout)
    except subprocess.TimeoutExpired:
        raise CodeQueryError(f"`{command}` did not finish within {timeout:.0f}s") from None
    except OSError as exc:
        raise CodeQueryError(f"could not run `{command}`: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise CodeQueryError(f"`{command}` failed (exit {done.returncode})"
                             + (f": {detail[-1]}" if detail else ""))
    return f"ran {command}"


def _loaded(unit: ServiceUnit) -> bool:
    """Does the manager hold this unit now (so installing again must replace it)?"""
    if unit.platform == SYSTEMD:
        return unit.path.exists()  # `restart` starts it as well when it is not running
    try:
        return _run(["launchctl", "print", f"{_gui_domain()}/{unit.name}"],
                    QUICK_TIMEOUT).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _service_pid(unit: ServiceUnit) -> int | None:
    """The pid of the worker the manager runs for this unit, if it runs one."""
    argv = (_systemctl("show", "--property=MainPID", "--value", unit.name)
            if unit.platform == SYSTEMD else ["launchctl", "list", unit.name])
    try:
        done = _run(argv, QUICK_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    found = re.search(r"^\s*(\d+)\s*$" if unit.platform == SYSTEMD else r'"PID"\s*=\s*(\d+);',
                      done.stdout, re.MULTILINE)
    pid = int(found.group(1)) if found else 0
    return pid or None


@dataclass(frozen=True)
class ServiceState:
    """What the service manager says of a repository's installed unit."""

    unit: ServiceUnit
    answers: bool  # did a manager answer at all (else nothing will start the unit)
    enabled: str  # systemd: `is-enabled`'s word; launchd: "loaded" or "not loaded"
    active: str  # systemd: `is-active`'s word; launchd: "running" or "not running"

    @property
    def is_enabled(self) -> bool:
        """Whether the manager starts the unit (at login, after a crash)."""
        return self.answers and self.enabled in ("enabled", "enabled-runtime", "loaded")

    @property
    def is_active(self) -> bool:
        return self.is_enabled and self.active in ("active", "running")

    def fix_commands(self) -> list[list[str]]:
        """What makes the manager run the worker now."""
        unit = self.unit
        if not self.is_enabled:
            return install_commands(unit, replacing=False)
        if unit.platform == LAUNCHD:
            return [["launchctl", "kickstart", "-k", f"{_gui_domain()}/{unit.name}"]]
        # A unit that gave up after too many crashes refuses to start until reset.
        reset = [_systemctl("reset-failed", unit.name)] if self.active == "failed" else []
        return [*reset, _systemctl("restart", unit.name)]


def state(root: Path, platform: str | None = None) -> ServiceState | None:
    """What the manager says of this repository's installed unit (only looking, within
    seconds); None when no unit is installed."""
    path = installed_unit(root, platform)
    if path is None:
        return None
    platform = SYSTEMD if path.suffix == ".service" else LAUNCHD
    unit = ServiceUnit(platform, path.stem, path, "", _real(root))
    if not manager_answers(platform):
        return ServiceState(unit, False, "unknown", "unknown")
    if platform == LAUNCHD:
        try:
            done = _run(["launchctl", "print", f"{_gui_domain()}/{unit.name}"], PROBE_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            return ServiceState(unit, False, "unknown", "unknown")
        running = done.returncode == 0 and re.search(r"^\s*state = running", done.stdout, re.M)
        return ServiceState(unit, True, "loaded" if done.returncode == 0 else "not loaded",
                            "running" if running else "not running")
    return ServiceState(unit, True, _systemctl_word("is-enabled", unit.name),
                        _systemctl_word("is-active", unit.name))


def _systemctl_word(verb: str, name: str) -> str:
    """`systemctl --user is-enabled|is-active NAME`: the word it prints (its exit code
    only says whether that word is the good one)."""
    try:
        done = _run(_systemctl(verb, name), PROBE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    words = done.stdout.split()
    return words[0] if words else "unknown"


def install_commands(unit: ServiceUnit, replacing: bool) -> list[list[str]]:
    if unit.platform == SYSTEMD:
        if replacing:  # `enable --now` would leave a running worker on the old unit
            return [_systemctl("daemon-reload"), _systemctl("enable", unit.name),
                    _systemctl("restart", unit.name)]
        return [_systemctl("daemon-reload"), _systemctl("enable", "--now", unit.name)]
    bootstrap = ["launchctl", "bootstrap", _gui_domain(), str(unit.path)]
    if replacing:  # launchd refuses to bootstrap a label it already holds
        return [["launchctl", "bootout", f"{_gui_domain()}/{unit.name}"], bootstrap]
    return [bootstrap]


def plan(root: Path, platform: str | None = None, command: list[str] | None = None
         ) -> tuple[ServiceUnit, list[list[str]]]:
    """What `install` would write and run, without touching anything."""
    unit = render(root, platform, command)
    return unit, install_commands(unit, replacing=unit.path.exists())


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stop_workers(unit: ServiceUnit, stop_own: bool) -> Iterator[str]:
    """Stop, gracefully, a worker started by hand (it holds the lock the service's worker
    needs) and, when asked, the service's own one (launchd can only send SIGTERM)."""
    paths = RepoPaths(unit.root)
    running = worker_control.info(paths)
    if not running.running:
        return
    own = running.pid is not None and running.pid == _service_pid(unit)
    if own and not stop_own:
        return
    whose = "the service's worker" if own else "the worker started by hand"
    yield (f"stopping {whose} (pid {running.pid or '?'}); documenter commands still running "
           "are killed and their jobs stay queued")
    worker_control.stop(paths, timeout=UNIT_STOP_SECONDS)


def install(root: Path, platform: str | None = None, command: list[str] | None = None
            ) -> Iterator[str | list[str]]:
    """Write (or replace) the unit and start it; yields one line per step, and the commands
    for the user to run (as argument lists) when no service manager answers here.
    `command`: another worker than the repository's own (`--all`: the worker of every
    registered repository, with `root` its state directory)."""
    unit = render(root, platform, command)
    live = manager_answers(unit.platform)
    replacing = _loaded(unit) if live else unit.path.exists()
    # systemd opens append: files itself but does not create their folder.
    unit.log_file.parent.mkdir(parents=True, exist_ok=True)
    existed = unit.path.exists()
    _write_atomically(unit.path, unit.content)
    yield f"{'replaced' if existed else 'wrote'} {unit.path}"
    commands = install_commands(unit, replacing)
    if not live:
        yield f"{no_manager_reason(unit.platform)}; to start the service, run:"
        yield from commands
        return
    yield from _stop_workers(unit, stop_own=unit.platform == LAUNCHD and replacing)
    for argv in commands:
        # Stopping waits for running jobs; the rest is quick.
        yield _step(argv, STOP_TIMEOUT if {"restart", "bootout"} & set(argv) else QUICK_TIMEOUT)
    yield (f"the worker of {unit.root} runs as the {unit.kind} {unit.name}; "
           f"its output goes to {unit.log_file}")


def uninstall(root: Path, platform: str | None = None) -> Iterator[str]:
    """Stop, disable and remove this repository's unit; yields one line per step."""
    platform = choose_platform(platform)
    path = unit_path(root, platform)
    if not path.exists():
        yield f"no {KIND[platform]} is installed for {_real(root)} (nothing at {path})"
        return
    unit = ServiceUnit(platform, unit_name(root, platform), path, "", _real(root))
    live = manager_answers(platform)
    if platform == SYSTEMD and live:
        yield _step(_systemctl("disable", "--now", unit.name), STOP_TIMEOUT)
    elif platform == SYSTEMD:
        # No manager to ask: drop the links `systemctl enable` made, as `disable` would.
        for link in path.parent.glob(f"*.wants/{path.name}"):
            link.unlink()
            yield f"removed {link}"
    elif live and _loaded(unit):
        yield from _stop_workers(unit, stop_own=True)
        yield _step(["launchctl", "bootout", f"{_gui_domain()}/{unit.name}"], STOP_TIMEOUT)
    path.unlink()
    yield f"removed {path}"
    if platform == SYSTEMD and live:
        yield _step(_systemctl("daemon-reload"))
        # A unit that had failed stays listed until this. Its own failure (say, the unit is
        # unknown by now) means there is nothing left to clear.
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            _run(_systemctl("reset-failed", unit.name), QUICK_TIMEOUT)
