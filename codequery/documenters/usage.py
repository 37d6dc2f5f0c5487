"""What one LLM call cost: time, money and tokens, as the LLM's CLI reported them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallUsage:
    """The accounting of one call; a figure the CLI did not report is None.

    `input_tokens` counts only uncached input, as the Anthropic API reports it; prompt
    caching shows up in the two cache fields (read is cheap, creation costs extra).
    """

    duration_ms: float | None = None
    cost_usd: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    session_id: str | None = None
    cache_read_tokens: int | None = None
    cache_creation_tokens: int | None = None
