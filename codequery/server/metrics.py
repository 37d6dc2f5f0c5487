"""Prometheus metrics of one repository, read from its database at each scrape.

A collector, not counters kept in memory: the numbers are the ledger's, the call log's
and the reconciler's, so the worker, `serve --http` and a restart all report the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from codequery import ledger, reconcile, worker_control
from codequery.errors import CodeQueryError
from codequery.llm_caller import FAILED_CALL
from codequery.workspace import Workspace

log = logging.getLogger(__name__)
BREAKER_STATES = ("closed", "open", "half-open")
# How long the worker's metrics server waits for a client to send its request: one that
# never finishes it is dropped then (a scrape sends all of it at once).
READ_TIMEOUT_SECONDS = 5.0


class RepositoryCollector(Collector):
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def collect(self) -> Iterator[Metric]:
        ws = self.ws
        store = ws.store
        # the dataset as the last good settings name it: a config.json left half edited
        # must not stop a scrape (codequery_config_ok says it is unreadable)
        conn, dataset = store.conn, ws.dataset
        labels = {"dataset": dataset}
        names = list(labels)

        jobs = GaugeMetricFamily("codequery_jobs", "Jobs in the ledger by state and priority",
                                 labels=[*names, "state", "priority"])
        for state, by_priority in ledger.counts_by_priority(conn, dataset).items():
            for priority, n in by_priority.items():
                jobs.add_metric([dataset, state, priority], n)
        yield jobs

        cumulative, count, total = ledger.duration_totals(conn, dataset)
        buckets = [(str(le), n) for le, n in cumulative] + [("+Inf", count)]
        histogram = HistogramMetricFamily(
            "codequery_job_duration_seconds", "How long completed jobs took", labels=names)
        histogram.add_metric([dataset], buckets, total)
        yield histogram

        stats = ledger.stats(conn, dataset)
        oldest = GaugeMetricFamily("codequery_oldest_pending_age_seconds",
                                   "Age of the oldest pending job (0 when none)", labels=names)
        oldest.add_metric([dataset], stats["oldest_pending_age_s"] or 0.0)
        yield oldest

        yield from self._calls(conn, dataset, names)
        yield from self._breaker(names, dataset)
        yield from self._reconciles(names, dataset)
        yield from self._worker(names, dataset)

    def _calls(self, conn, dataset: str, names: list[str]) -> Iterator[Metric]:  # noqa: ANN001
        label_names = [*names, "documenter"]
        calls = CounterMetricFamily("codequery_documenter_calls", "LLM documenter calls",
                                    labels=label_names)
        failures = CounterMetricFamily("codequery_documenter_failures",
                                       "LLM documenter calls that failed", labels=label_names)
        tokens = CounterMetricFamily("codequery_documenter_tokens", "Tokens of LLM calls",
                                     labels=[*label_names, "direction"])
        cost = CounterMetricFamily("codequery_documenter_cost_usd",
                                   "Cost of LLM calls in US dollars", labels=label_names)
        for documenter, n, failed, tin, tout, usd in conn.execute(
                f"SELECT documenter, count(*), coalesce(sum({FAILED_CALL}), 0), "
                "coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
                "coalesce(sum(cost_usd), 0) FROM llm_calls WHERE dataset = ? "
                "GROUP BY documenter", (dataset,)):
            calls.add_metric([dataset, documenter], n)
            failures.add_metric([dataset, documenter], failed)
            tokens.add_metric([dataset, documenter, "input"], tin)
            tokens.add_metric([dataset, documenter, "output"], tout)
            cost.add_metric([dataset, documenter], usd)
        yield from (calls, failures, tokens, cost)

    def _breaker(self, names: list[str], dataset: str) -> Iterator[Metric]:
        readable = GaugeMetricFamily("codequery_config_ok", "1 while .code-query/config.json "
                                     "reads as valid settings", labels=names)
        try:
            config = self.ws.config
        except CodeQueryError:
            readable.add_metric([dataset], 0.0)
            yield readable
            return  # which documenter, and so which breaker, the file no longer says
        readable.add_metric([dataset], 1.0)
        yield readable
        gauge = GaugeMetricFamily("codequery_breaker_state",
                                  "1 for the documenter's circuit breaker state",
                                  labels=[*names, "documenter", "state"])
        current = "closed"
        if config.documenter.name != "builtin":
            from codequery.llm_caller import breaker_for

            current = breaker_for(self.ws.paths.data_db, config).state()["state"]
        for state in BREAKER_STATES:
            gauge.add_metric([dataset, config.documenter.name, state], float(state == current))
        yield gauge

    def _reconciles(self, names: list[str], dataset: str) -> Iterator[Metric]:
        last = reconcile.last_run(self.ws.store) or {}
        runs = CounterMetricFamily("codequery_reconcile_runs", "Reconciles of the index with "
                                   "the checked-out tree", labels=names)
        runs.add_metric([dataset], last.get("runs", 0))
        seconds = CounterMetricFamily("codequery_reconcile_duration_seconds",
                                      "Time spent reconciling", labels=names)
        seconds.add_metric([dataset], (last.get("total_ms") or 0.0) / 1000)
        when = GaugeMetricFamily("codequery_reconcile_last_timestamp_seconds",
                                 "When the last reconcile ran (0: never)", labels=names)
        when.add_metric([dataset], last.get("ran_at", 0.0))
        yield from (runs, seconds, when)

    def _worker(self, names: list[str], dataset: str) -> Iterator[Metric]:
        info = worker_control.info(self.ws.paths, sample_cpu=False)
        up = GaugeMetricFamily("codequery_worker_up", "1 while the repository's worker runs",
                               labels=names)
        up.add_metric([dataset], float(info.running))
        uptime = GaugeMetricFamily("codequery_worker_uptime_seconds",
                                   "Seconds since the worker started (0 when not running)",
                                   labels=names)
        uptime.add_metric([dataset], info.uptime_s or 0.0)
        yield from (up, uptime)


def registry_for(ws: Workspace) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RepositoryCollector(ws))
    return registry


def serve(ws: Workspace, port: int) -> None:
    """/metrics on 127.0.0.1:port from a daemon thread (the worker's --metrics-port),
    behind the same Host/Origin guard as `serve --http`. The port is bound before this
    returns: a port in use is a CodeQueryError, not a worker that dies after it started.
    Each connection has a thread of its own and a read timeout, so a client that opens a
    connection and sends nothing (or half a request) holds up no scrape."""
    import socketserver
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from prometheus_client import make_wsgi_app

    from codequery.errors import CodeQueryError
    from codequery.server.http import allowed

    hosts, origins = allowed(port)
    metrics_app = make_wsgi_app(registry_for(ws))

    def guarded(environ: dict, start_response):  # noqa: ANN202 - a WSGI app
        origin = environ.get("HTTP_ORIGIN")
        if environ.get("HTTP_HOST") not in hosts or (origin is not None
                                                      and origin not in origins):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"forbidden: only this machine's own pages may read these metrics\n"]
        return metrics_app(environ, start_response)

    class Quiet(WSGIRequestHandler):
        timeout = READ_TIMEOUT_SECONDS

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class Threaded(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True  # a slow client never holds up the worker's exit

        def handle_error(self, request: object, client_address: object) -> None:
            # a client that timed out or went away: nothing for the worker's log
            log.debug("metrics request from %s failed", client_address, exc_info=True)

    try:
        server = make_server("127.0.0.1", port, guarded, Threaded, handler_class=Quiet)
    except OSError as exc:
        raise CodeQueryError(f"cannot serve metrics on 127.0.0.1:{port}: {exc.strerror}; "
                             "choose another --metrics-port") from None
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
