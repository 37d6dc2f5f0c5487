"""Turning an LLM's answer into a validated `FileDoc`.

Models are asked for bare JSON but often wrap it in a ```json fence or a sentence of
chatter; all three are accepted. Anything that is not a record is a `DocumenterError`,
never a half-filled record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from codequery.documenters.errors import DocumenterError
from codequery.records import FileDoc

# A record of one file holds far less: one larger is a model run away (a 200 MB overview
# had made every later search take a minute), refused rather than stored.
MAX_RECORD_CHARS = 1_000_000
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)
_KEYS = frozenset(FileDoc.model_fields)
_decoder = json.JSONDecoder()


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None  # not JSON; None is never a record either


def json_objects(text: str) -> Iterator[Any]:
    """JSON values found in `text`: the whole text, fenced blocks, then each {...} object."""
    yield _loads(text.strip())
    for match in _FENCE.finditer(text):
        yield _loads(match.group(1))
    # raw_decode understands strings, so a brace inside "..." does not unbalance anything.
    start = text.find("{")
    while start != -1:
        try:
            value, end = _decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
        else:
            yield value
            start = text.find("{", end)


ANSWER_KEPT = 1000  # characters of a rejected answer kept in the job's event


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _problems(error: ValidationError) -> str:
    items = error.errors()
    shown = [
        f"{'.'.join(str(part) for part in item['loc']) or '(top level)'}: {item['msg']}"
        for item in items[:3]
    ]
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    return "; ".join(shown) + more


def refuse_if_huge(value: Any) -> None:
    """A `DocumenterError` for a record over MAX_RECORD_CHARS (as JSON)."""
    size = len(json.dumps(value, ensure_ascii=False))
    if size > MAX_RECORD_CHARS:
        raise DocumenterError(f"the LLM's record is {size:,} characters, more than a record "
                              f"of one file needs ({MAX_RECORD_CHARS:,} at most); not stored")


def parse_record(text: str) -> FileDoc:
    """The record in an LLM's answer; `DocumenterError` if there is none or it is malformed."""
    if not text.strip():
        raise DocumenterError("the LLM's answer was empty")
    found_object = False
    for value in json_objects(text):
        if not isinstance(value, dict):
            continue
        found_object = True
        # An object with none of the record's keys is chatter ({"x": 1} in an example),
        # not the record; keep looking.
        if not _KEYS & value.keys():
            continue
        refuse_if_huge(value)
        try:
            return FileDoc.model_validate(value)
        except ValidationError as exc:
            # The answer goes into the job's event, for review of what the model said.
            raise DocumenterError(
                f"the LLM's record has the wrong shape: {_problems(exc)}; the answer was: "
                f"{_excerpt(text, ANSWER_KEPT)!r}"
            ) from None
    if found_object:
        raise DocumenterError(
            "the LLM's answer has no JSON object with the record's keys "
            f"({', '.join(sorted(_KEYS))}): {_excerpt(text, ANSWER_KEPT)!r}"
        )
    raise DocumenterError(f"no JSON object in the LLM's answer: {_excerpt(text, ANSWER_KEPT)!r}")
