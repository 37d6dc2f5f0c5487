"""Before a large LLM run: how many calls it will make, and what they will cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

from codequery import reconcile
from codequery.documenters import Documenter
from codequery.llm_caller import mean_cost_per_call
from codequery.workspace import Workspace


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


def plan(ws: Workspace, runner, only: list[str] | None, force: bool) -> Plan:  # noqa: ANN001
    """From the reconciler's plan: content that is current, or documented before under
    any path, costs nothing. (Secret-looking files, which cost nothing either, are only
    known once read, so the estimate errs high.)"""
    store = runner.store
    found = reconcile.plan(store, ws.root, runner.config, runner.identity, only)
    needed = found.tracked if force else len(found.document)
    calls = math.ceil(needed / max(runner.config.documenter.batch_size, 1))
    documenter = runner.documenter
    return Plan(needed, calls, mean_cost_per_call(store, documenter.name, documenter.model))
