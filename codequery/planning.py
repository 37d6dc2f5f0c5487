"""Before a large LLM run: how many calls it will make, and what they will cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

from codequery import ledger
from codequery.documenters import Documenter
from codequery.llm_caller import mean_cost_per_call
from codequery.local_run import Request
from codequery.reconcile import lang_of


@dataclass(frozen=True)
class Plan:
    files: int  # files that will cost a call
    calls: int
    mean_cost: float | None  # per call, from the call log

    @property
    def cost(self) -> float | None:
        return None if self.mean_cost is None else self.calls * self.mean_cost

    def describe(self, documenter: Documenter) -> str:
        model = f" ({documenter.model})" if documenter.model else ""
        cost = ("cost unknown (no calls made yet)" if self.cost is None
                else f"about ${self.cost:.2f} at ${self.mean_cost:.4f} per call lately")
        return (f"{self.files} files need the {documenter.name} documenter{model}: "
                f"{self.calls} calls, {cost}")


def estimate(runner, request: Request) -> Plan:  # noqa: ANN001 - a jobs.JobRunner
    """Calls and cost of exactly the work `request` holds: content that is current, or
    documented before under any path, costs nothing; nor do binary, blank or too large
    files (skipped, or outlined offline), and the same content in one language at several
    paths costs one call (each path one under --force). (Secret-looking files cost nothing
    either but are only known once read, so the estimate errs high.)"""
    documenter = runner.documenter
    costly = [(path, blob) for path, blob in request.plan.document
              if runner.costs_a_call(path)]
    waiting = [(job_id, path) for job_id, path in request.plan.waiting
               if runner.costs_a_call(path)]
    if request.operation == ledger.REDO:  # forced: each path is documented anew
        files = len(costly) + len(waiting)
    else:  # the same content key (content and language) is documented once, queued or not
        # what a queued job documents: its own content (an uncommitted edit asked for), or
        # what the path holds (a link: its target's content)
        asked = {job_id: sha for (_, sha), (job_id, _) in ledger.open_work(
            runner.store.conn, runner.store.dataset).items() if sha}
        asked_for = {job_id: asked.get(job_id) or request.plan.wanted.get(path)
                     for job_id, path in waiting}
        keys = ({runner.identity.key(blob, lang_of(path)) for path, blob in costly}
                | {runner.identity.key(asked_for[job_id], lang_of(path))
                   if asked_for[job_id] else job_id for job_id, path in waiting})
        # a job for content documented already (under another path: reconcile points the
        # path at it, and the job completes at once) costs nothing
        files = sum(1 for key in keys if not runner.store.has_document(key))
    calls = math.ceil(files / max(runner.config.documenter.batch_size, 1))
    return Plan(files, calls,
                mean_cost_per_call(runner.store, documenter.name, documenter.model))
