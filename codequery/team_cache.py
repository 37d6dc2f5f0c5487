"""The team cache: records shared through a Redis under their content key.

A key names exactly what a record depends on (blob id, documenter, model, prompt version,
language by name), so a teammate's worker that meets the same content under the same
settings takes the record instead of calling the LLM. Only LLM-made records of ordinary
files go in: a secret-looking file's content is never read, and not even its metadata
record is shared. A cache that cannot be reached is skipped (documenting goes on), and
what comes out of it is validated like a model's answer and must say what its key says
(content, documenter, model, prompt version, language), or it is refused.
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
        self.refused = 0  # shared records not taken: malformed, or not what their key says
        self._refused_keys: set[str] = set()

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
            body = json.loads(raw)
            record = FileRecord.model_validate({**body, "path": path})
        except (ValueError, TypeError):  # TypeError: JSON that is not an object
            self._refuse(key, "it is malformed")
            return None
        problem = _contradiction(key, record, body.get("key"))
        if problem:
            self._refuse(key, problem)
            return None
        return record

    def share(self, key: str, record: dict[str, Any]) -> bool:
        """Offer a record to the team; False if it was not (a secret, or no cache)."""
        if content_key.is_secret(key):
            return False
        body = {k: v for k, v in record.items() if k not in ("path", "stale")}
        body["key"] = key  # the record has no field for the prompt version: its key does
        try:
            self._client.set(redis_keys.cached_record(key), json.dumps(body), ex=self.ttl)
        except redis_link.down_errors() as exc:
            self._unreachable(exc)
            return False
        return True

    def _refuse(self, key: str, problem: str) -> None:
        """Count a shared record not taken; each key is logged once (it is looked up
        again until a good record replaces it: this worker's own, once documented)."""
        with self._lock:
            self.refused += 1
            if key in self._refused_keys:
                return
            self._refused_keys.add(key)
        log.warning("refusing the shared record under %s: %s; documenting it here",
                    key, problem)

    def _unreachable(self, exc: BaseException) -> None:
        with self._lock:
            if time.monotonic() - self._told < QUIET_SECONDS:
                return
            self._told = time.monotonic()
        log.warning("the team cache at %s is unreachable (%s: %s); documenting without it",
                    redis_link.redact(self.url), type(exc).__name__, exc)


def _contradiction(key: str, record: FileRecord, stored_key: object) -> str | None:
    """What in a shared record contradicts the key it was found under, if anything."""
    sha, documenter, model, _, lang = content_key.parse(key)
    if stored_key is not None and stored_key != key:
        return f"it says it was shared under {stored_key}"
    labels = {"content_sha": (record.content_sha, sha),
              "documenter": (record.documenter, documenter),
              "model": (record.model or "", model),
              "language": (record.language, lang)}
    wrong = [f"{name} {found!r} (the key says {wanted!r})"
             for name, (found, wanted) in labels.items() if found != wanted]
    return ", ".join(wrong) or None


def open_cache(settings: CacheConfig) -> TeamCache | None:
    return TeamCache(settings) if settings.url else None
