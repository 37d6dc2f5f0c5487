"""Settings a worker reads once, when it starts: a change to them waits for a restart.

The transport (SQLite or Redis, and which Redis) is built when the consumer starts, and
so are its threads and those serving the remote queue; the documenter settings, by
contrast, are followed while it runs. The worker writes fingerprints of these settings into its pid
file, so that a command reading the config can tell that the running worker uses other
values, and say to restart it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from codequery import pidfile
from codequery.paths import RepoPaths

TRANSPORT = "processing.transport"
REDIS_ONLY = ("processing.redis_url", "processing.remote_threads")  # unused on SQLite
FIXED_AT_START = (TRANSPORT, "processing.threads", *REDIS_ONLY)
PID_FILE_KEY = "start_settings"


def fingerprints(config: Any) -> dict[str, str]:  # noqa: ANN401 - a config.Config
    """Hashed: a Redis URL may hold a password, and the pid file is for anyone to read."""
    found = {}
    for key in FIXED_AT_START:
        if key in REDIS_ONLY and config.processing.transport != "redis":
            continue
        value = config
        for part in key.split("."):
            value = getattr(value, part)
        found[key] = hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]
    return found


def changed(paths: RepoPaths, config: Any) -> list[str]:  # noqa: ANN401 - a config.Config
    """Those settings whose value the worker of this pid file started with differs from
    `config`'s: none when its pid file does not say (no worker, or an older one)."""
    started = (pidfile.read(paths.pid_file) or {}).get(PID_FILE_KEY)
    if not isinstance(started, dict):
        return []
    now = fingerprints(config)
    if started.get(TRANSPORT) != now[TRANSPORT]:
        return [TRANSPORT]  # the rest follows from it
    return [key for key in FIXED_AT_START if started.get(key) != now.get(key)]


def advice(paths: RepoPaths, keys: list[str]) -> str:
    """What to tell the user about `keys` (from `changed`)."""
    return (f"the running worker was started with other settings ({', '.join(keys)}) than "
            f"the config holds now, and reads them only when it starts: restart it "
            f"({restart_command(paths)})")


def restart_command(paths: RepoPaths) -> str:
    """How to restart the running worker: as one of all repositories, as a service, or
    as itself."""
    from codequery import service

    cmdline = (pidfile.read(paths.pid_file) or {}).get("cmdline") or []
    if "codequery.all_worker" in cmdline:
        return "codequery worker stop --all && codequery worker start --all"
    if service.is_installed(paths.root):  # `worker restart` would leave the service stopped
        return "codequery install-service restarts the service"
    return "codequery worker restart"
