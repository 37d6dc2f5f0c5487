"""Files whose content must never be read into a record or sent to an LLM."""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from pathlib import PurePosixPath

_CREDENTIAL = re.compile(
    # A private key block with a body: an empty BEGIN/END pair in a TLS library's tests is
    # no credential, and marking it one would hide the whole file from search.
    rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|[\s\\\"'+,])*"
    rb"(?:[A-Za-z0-9+/]{16}|Proc-Type:)"
    rb"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    rb"|\bgh[pousr]_[A-Za-z0-9]{36,}\b"
    rb"|\bxox[abpr]-[A-Za-z0-9-]{10,}"
    rb"|\bsk-(?:ant-)?[A-Za-z0-9_-]{32,}"
    rb"|\b[sr]k_live_[A-Za-z0-9]{16,}"
    rb"|\bgithub_pat_[A-Za-z0-9_]{40,}"
    rb"|\bglpat-[A-Za-z0-9_-]{20,}"
    rb"|\bAIza[0-9A-Za-z_-]{35}"
    rb"|\bnpm_[A-Za-z0-9]{36}\b"
)


@lru_cache(maxsize=8)
def _name_matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns) or "(?!)")


def is_secret_name(path: str, patterns: list[str] | tuple[str, ...]) -> bool:
    """Matched against the file's name and against its whole repository path."""
    matcher = _name_matcher(tuple(patterns))
    return bool(matcher.match(PurePosixPath(path).name) or matcher.match(path))


def holds_credential(data: bytes) -> bool:
    return _CREDENTIAL.search(data) is not None
