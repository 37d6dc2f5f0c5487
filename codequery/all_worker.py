"""One worker process for every repository registered with `codequery init`
(`codequery worker start --all`, or `python -m codequery.all_worker`).

Each repository keeps what it has with a worker of its own: its transport, index, ledger,
rate limit and breaker (all in its own `.code-query/`), its lock (held by this process, so
the hooks and `worker status` there see a live worker) and its pid file. A repository
whose own worker already runs is left to it, and taken over once that one stops; one
registered later is picked up within RESCAN_SECONDS.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from codequery import liveness, pidfile, registry
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from codequery.worker import EXIT_ALREADY_RUNNING, log_to_file, make_consumer
from codequery.workspace import Workspace

log = logging.getLogger(__name__)
RESCAN_SECONDS = 5.0
HEALTH_SECONDS = 10.0


class AllWorker:
    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self.served: dict[Path, tuple[Any, Any]] = {}  # root -> (transport.App, consumer)
        self._told: set[str] = set()

    def scan(self) -> None:
        """Serve every registered repository not served yet (and not by its own worker)."""
        for root in registry.registered():
            if root in self.served:
                continue
            try:
                self._serve(root)
            except CodeQueryError as exc:
                self._once(f"{root}: {exc}")
            except Exception:  # one broken repository must not stop the others
                log.exception("cannot serve %s; trying again later", root)

    def _serve(self, root: Path) -> None:
        from codequery import transport

        # Checked first: building reads the settings and opens the databases, which a
        # repository served by a worker of its own should not cost every RESCAN_SECONDS.
        if liveness.worker_alive(RepoPaths(root)):
            self._once(f"{root} has a worker of its own; leaving it to that one")
            return
        workspace = Workspace(root)
        workspace.check_not_stashed()  # before the queue and the lock are made in its place
        app = transport.build(workspace)
        app.runtime.on_lost = lambda: None  # dropped at the next health check instead
        if not app.runtime.start(own_log=False):  # its own worker started meanwhile
            self._once(f"{root} has a worker of its own; leaving it to that one")
            return
        threads = self.threads or app.runtime.runner.config.processing.threads
        consumer = make_consumer(app.huey, app.runtime, threads)
        consumer.start()
        self.served[root] = (app, consumer)
        log.info("serving %s (%d threads)", root, threads)

    def check_health(self) -> None:
        for root, (app, consumer) in list(self.served.items()):
            if app.runtime.lost.is_set():  # its index was removed: served again if back
                consumer.stop(graceful=True)
                app.runtime.shutdown(whole_process=False)  # the others are served on
                del self.served[root]
                continue
            consumer.check_worker_health()

    def stop(self) -> None:
        """As a repository's own worker stops: documenter commands still running are
        killed (their jobs stay queued), other running jobs get SHUTDOWN_SECONDS to finish;
        pending jobs stay queued."""
        for app, _ in self.served.values():
            app.runtime.begin_stop()
        for app, consumer in self.served.values():
            consumer.stop(graceful=True)
            app.runtime.shutdown()

    def _once(self, message: str) -> None:
        if message not in self._told:
            self._told.add(message)
            log.info(message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codequery.all_worker",
                                     description="Serve every registered repository.")
    parser.add_argument("--threads", type=int, default=None,
                        help="worker threads per repository (default: each one's setting)")
    args = parser.parse_args(argv)
    paths = registry.all_worker_paths()
    lock = liveness.acquire(paths)
    if lock is None:
        holder = pidfile.read(paths.pid_file) or {}
        print(f"codequery: a worker for all repositories already runs "
              f"(pid {holder.get('pid', '?')})", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    log_to_file(paths)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    worker = AllWorker(args.threads)
    try:
        log.info("worker %s for all registered repositories starting", os.getpid())
        last_health, ready = time.monotonic(), False
        while not stopping.is_set():
            worker.scan()
            if not ready:  # what was registered is served: `worker start --all` returns
                pidfile.write(paths.pid_file)
                ready = True
            # Each Huey consumer installs its own handlers when it starts: ours go last.
            signal.signal(signal.SIGINT, on_signal)
            signal.signal(signal.SIGTERM, on_signal)
            if time.monotonic() - last_health > HEALTH_SECONDS:
                last_health = time.monotonic()
                worker.check_health()
            stopping.wait(RESCAN_SECONDS)
        log.info("stopping %d repositories' workers", len(worker.served))
    finally:
        worker.stop()
        pidfile.remove_if_mine(paths.pid_file)
        os.close(lock)
        log.info("worker %s stopped", os.getpid())
    return 0


if __name__ == "__main__":
    sys.exit(main())
