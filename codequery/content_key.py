"""The one definition of "already documented": a record belongs to a content key.

A key is (blob id, documenter, model, prompt version). A path is current when the record
it points at has the key its content would get now; a secret-looking file's metadata
record is current for its content whatever the documenter. The reconciler, the jobs, the
CLI and the hook all decide through this module. Standard library only.
"""

from __future__ import annotations

from collections import namedtuple

SECRET = "secret"
LEGACY = "legacy"  # the version migration 5 gave records that predate keys


def make(sha: str, documenter: str, model: str | None, version: str) -> str:
    return f"{sha}:{documenter}:{model or ''}:{version}"


def secret(sha: str) -> str:
    """The key of a metadata-only record (its content never read into the index)."""
    return f"{sha}:{SECRET}"


def sha_of(key: str | None) -> str | None:
    return key.split(":", 1)[0] if key else None


def is_current(stored_key: str | None, sha: str, wanted_key: str) -> bool:
    """Whether a record under `stored_key` describes content `sha` as it would be now."""
    if stored_key is None:
        return False
    if stored_key in (wanted_key, secret(sha)):
        return True
    # Records made before content keys existed: same content, documenter and model.
    return (stored_key.endswith(":" + LEGACY)
            and stored_key.rsplit(":", 1)[0] == wanted_key.rsplit(":", 1)[0])


class Identity(namedtuple("Identity", "name model version")):
    """Who documents now: the part of a content key that is not the content."""

    __slots__ = ()

    def key(self, sha: str) -> str:
        return make(sha, self.name, self.model, self.version)
