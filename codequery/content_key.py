"""The one definition of "already documented": a record belongs to a content key.

A key is (blob id, documenter, model, prompt version, language by the file's name): what
a record depends on. A path is current when the record it points at has a key the path
may use now. Secret-looking files get metadata-only records: by name (the key says so,
and only such a name may use it) or by content (any name may, the content is the secret).
The reconciler, the jobs, the CLI and the hook all decide through this module. Standard
library only.
"""

from __future__ import annotations

from collections import namedtuple

SECRET_BY_NAME = "secret-name"
SECRET_BY_CONTENT = "secret"
LEGACY = "legacy"  # the version migration 5 gave records that predate keys


def make(sha: str, documenter: str, model: str | None, version: str, lang: str) -> str:
    return f"{sha}:{documenter}:{model or ''}:{version}:{lang}"


Parts = namedtuple("Parts", "sha documenter model version lang")


def parse(key: str) -> Parts:
    """The parts of a key `make` wrote (a model's name may hold ':')."""
    parts = key.split(":")
    return Parts(parts[0], parts[1], ":".join(parts[2:-2]), parts[-2], parts[-1])


def secret(sha: str, lang: str, *, by_name: bool) -> str:
    """The key of a metadata-only record (its content never read into the index)."""
    return f"{sha}:{SECRET_BY_NAME if by_name else SECRET_BY_CONTENT}:{lang}"


def is_secret(key: str) -> bool:
    """A key of a metadata-only record: what such a key names never leaves the machine."""
    parts = key.split(":")
    return len(parts) > 1 and parts[1] in (SECRET_BY_NAME, SECRET_BY_CONTENT)


class Identity(namedtuple("Identity", "name model version")):
    """Who documents now: the part of a content key that is not the content."""

    __slots__ = ()

    def key(self, sha: str, lang: str) -> str:
        return make(sha, self.name, self.model, self.version, lang)

    def legacy(self, sha: str, lang: str) -> str:
        """The key migration 5 gave a record of this content by this documenter."""
        return f"{sha}:{self.name}:{self.model or ''}:{LEGACY}:{lang}"

    def choices(self, sha: str, lang: str, *, secret_name: bool) -> tuple[str, ...]:
        """The keys a path with this content, language and kind of name may point at,
        the one a new record gets first."""
        if secret_name:
            return (secret(sha, lang, by_name=True),)
        return (self.key(sha, lang), secret(sha, lang, by_name=False), self.legacy(sha, lang))
