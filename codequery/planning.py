"""Before a large LLM run: how many calls it will make, and what they will cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

from codequery import git
from codequery.documenters import Documenter
from codequery.documenting import is_current
from codequery.eligibility import Content, examine
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


def plan(ws: Workspace, documenter: Documenter, only: list[str] | None, force: bool,
         batch_size: int = 1) -> Plan:
    """Counts after the content-hash skip: unchanged files, secrets and content already
    documented under another path cost nothing."""
    store = ws.store
    needed = 0
    for entry in git.tracked_files(ws.root, only):
        verdict = examine(ws.root, entry, ws.config.files)
        if not isinstance(verdict, Content) or verdict.secret:
            continue
        if not force and (is_current(store, verdict, documenter) or store.find_by_content(
                verdict.sha, documenter.name, documenter.model)):
            continue
        needed += 1
    calls = math.ceil(needed / max(batch_size, 1))
    return Plan(needed, calls, mean_cost_per_call(store, documenter.name, documenter.model))
