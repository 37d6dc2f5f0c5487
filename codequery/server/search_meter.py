"""What the searches this server answered cost: how many, by face (the MCP tool, the
dashboard), how many found nothing, and how long they took, for /metrics.

Kept in memory, unlike the other metrics, which are read from the database at each
scrape: a search writes nothing, and `codequery search` runs as a process of its own
that counts nowhere. A server that starts again counts from zero, as Prometheus
counters may.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# From the fast (a name asked alone, a small index) to what a whole-process search is
# allowed (bench/bench_search.py's goal is 150 ms).
BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class SearchMeter:
    def __init__(self, registry: CollectorRegistry) -> None:
        from prometheus_client import Counter, Histogram  # not for stdio, which has no /metrics

        labels = ["dataset", "face"]
        self.searches = Counter("codequery_searches", "Searches this server answered",
                                labels, registry=registry)
        self.empty = Counter("codequery_searches_empty",
                             "Searches this server answered with no result", labels,
                             registry=registry)
        self.seconds = Histogram("codequery_search_seconds",
                                 "How long the searches this server answered took", labels,
                                 buckets=BUCKETS, registry=registry)

    def measured(self, dataset: str, face: str, search: Callable[[], list[Any]]
                 ) -> list[Any]:
        """`search()`'s results, counted; a search that fails (a bad query) is not."""
        started = time.perf_counter()
        results = search()
        self.seconds.labels(dataset, face).observe(time.perf_counter() - started)
        self.searches.labels(dataset, face).inc()
        if not results:
            self.empty.labels(dataset, face).inc()
        return results


def measured(meter: SearchMeter | None, dataset: Callable[[], str], face: str,
             search: Callable[[], list[Any]]) -> list[Any]:
    """`search()`'s results, counted by `meter` when there is one (stdio has no
    /metrics)."""
    return search() if meter is None else meter.measured(dataset(), face, search)
