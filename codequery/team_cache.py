"""The team cache: records shared through a Redis under their content key.

A key names exactly what a record depends on (blob id, documenter, model, prompt version,
language by name), so a teammate's worker that meets the same content under the same
settings takes the record instead of calling the LLM. Only LLM-made records of ordinary
files go in: a secret-looking file's content is never read, and not even its metadata
record is shared. A cache that cannot be reached is skipped (documenting goes on), and
what comes out of it is validated like a model's answer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from codequery import content_key, redis_keys, redis_link
from codequery.config import CacheConfig
from codequery.records import FileRecord

log = logging.getLogger(__name__)
QUIET_SECONDS = 60.0  # an unreachable cache is logged at most this often


class TeamCache:
    def __init__(self, settings: CacheConfig) -> None:
        assert settings.url
        self.url = settings.url
        self.ttl = settings.ttl_days * 86400
        self._client = redis_link.client(settings.url)
        self._told = 0.0
        self._lock = threading.Lock()

    def take(self, key: str, path: str) -> FileRecord | None:
        """The shared record of `key`, for `path`; None if there is none (or no cache)."""
        if content_key.is_secret(key):
            return None
        name = redis_keys.cached_record(key)
        try:
            with self._client.pipeline(transaction=False) as pipe:
                raw, _ = pipe.get(name).expire(name, self.ttl).execute()  # used: kept on
        except redis_link.down_errors() as exc:
            self._unreachable(exc)
            return None
        if raw is None:
            return None
        try:
            record = FileRecord.model_validate({**json.loads(raw), "path": path})
        except ValueError:
            log.warning("ignoring a malformed shared record under %s", key)
            return None
        return record if key.startswith(record.content_sha + ":") else None

    def share(self, key: str, record: dict[str, Any]) -> bool:
        """Offer a record to the team; False if it was not (a secret, or no cache)."""
        if content_key.is_secret(key):
            return False
        body = {k: v for k, v in record.items() if k not in ("path", "stale")}
        try:
            self._client.set(redis_keys.cached_record(key), json.dumps(body), ex=self.ttl)
        except redis_link.down_errors() as exc:
            self._unreachable(exc)
            return False
        return True

    def _unreachable(self, exc: BaseException) -> None:
        with self._lock:
            if time.monotonic() - self._told < QUIET_SECONDS:
                return
            self._told = time.monotonic()
        log.warning("the team cache at %s is unreachable (%s: %s); documenting without it",
                    redis_link.redact(self.url), type(exc).__name__, exc)


def open_cache(settings: CacheConfig) -> TeamCache | None:
    return TeamCache(settings) if settings.url else None
