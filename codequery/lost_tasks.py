"""Remote tasks that a consumer took off the queue and never started.

A consumer pops a task, then marks it started and beats for it (see remote_consumer). One
killed between the two leaves the task in neither place: not queued, not started, no
heartbeat; its lease would wait out the queue's patience (30 minutes). The home worker
looks, now and then, for the tokens still waiting (in the queue, or answered in its
results list): a quiet task that is in neither at two looks, LOST_CHECK_SECONDS apart, is
lost, and goes back to pending. (A consumer alive marks its task started within
milliseconds of taking it; an answer is taken within a second of arriving.)
"""

from __future__ import annotations

import time
from typing import Any

from codequery import holders

LOST_CHECK_SECONDS = 30.0
# The lease tokens of the tasks and answers under KEYS (a sorted set: the queue; a list:
# the results), read in Redis: a task's content never travels to be searched.
_TOKENS = """
local found = {}
for _, key in ipairs(KEYS) do
  local kind = redis.call('TYPE', key)['ok']
  local size, step = 0, 500
  if kind == 'zset' then size = redis.call('ZCARD', key)
  elseif kind == 'list' then size = redis.call('LLEN', key) end
  for first = 0, size - 1, step do
    local items
    if kind == 'zset' then items = redis.call('ZRANGE', key, first, first + step - 1)
    else items = redis.call('LRANGE', key, first, first + step - 1) end
    for _, item in ipairs(items) do
      local token = string.match(item, '"token"%s*:%s*"(%x+)"')
      if token then found[#found + 1] = token end
    end
  end
end
return found
"""


class LostTasks:
    def __init__(self, client: Any, keys: list[str]) -> None:
        self._tokens = client.register_script(_TOKENS)
        self.keys = keys
        self.checked = float("-inf")  # when it last looked
        self._suspects: set[tuple[str, str]] = set()

    def lost(self, quiet: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Of `quiet` ((job id, owner) held by a remote token whose task is neither started
        nor beating), those neither queued nor answered at this look and the last one; at
        most one look every LOST_CHECK_SECONDS (none: nothing)."""
        now = time.monotonic()
        if now - self.checked < LOST_CHECK_SECONDS:
            return []
        self.checked = now
        if not quiet:
            self._suspects = set()
            return []
        waiting = {token.decode() if isinstance(token, bytes) else token
                   for token in self._tokens(keys=self.keys)}
        missing = {(job_id, owner) for job_id, owner in quiet
                   if owner[len(holders.REMOTE_PREFIX):] not in waiting}
        lost = missing & self._suspects
        self._suspects = missing - lost
        return sorted(lost)
