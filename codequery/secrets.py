"""Files whose content must never be read into a record or sent to an LLM."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

_CREDENTIAL = re.compile(
    rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    rb"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    rb"|\bgh[pousr]_[A-Za-z0-9]{36,}\b"
    rb"|\bxox[abpr]-[A-Za-z0-9-]{10,}"
    rb"|\bsk-(?:ant-)?[A-Za-z0-9_-]{32,}"
)


def is_secret_name(path: str, patterns: list[str] | tuple[str, ...]) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatchcase(name, p) or fnmatchcase(path, p) for p in patterns)


def holds_credential(data: bytes) -> bool:
    return _CREDENTIAL.search(data) is not None
