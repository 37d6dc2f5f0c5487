"""When an account's usage limit resets, read from the limit's message: a Unix time
("usage limit reached|1795970000") or a time of day ("resets 3pm", "resets 11:30am
(Asia/Calcutta)", "will reset at 5pm (Europe/Warsaw)"), the next such time in that zone
(or this machine's when none is named or it is unknown here)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EPOCH = re.compile(r"\|(\d{9,11})\b")
_CLOCK = re.compile(r"\breset(?:s| at)?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b"
                    r"(?:\s*\(([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)\))?", re.IGNORECASE)


def reset_epoch(message: str, now: float) -> float | None:
    """The Unix time the limit resets at, or None when the message does not say."""
    if found := _EPOCH.search(message):
        return float(found.group(1))
    found = _CLOCK.search(message)
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if not (1 <= hour <= 12 and minute < 60):
        return None
    hour = hour % 12 + (12 if found.group(3).lower() == "pm" else 0)
    # In a zone, or in this machine's local time (naive datetimes follow its daylight
    # saving): the wall-clock time on the day it comes next.
    current = datetime.fromtimestamp(now, _zone(found.group(4)))
    at = current.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at <= current:
        at += timedelta(days=1)  # wall-clock arithmetic: 15:00 stays 15:00 across DST
    return at.timestamp()


def _zone(name: str | None) -> ZoneInfo | None:
    """The zone named, or None (local time) when none is named or it is unknown here."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return None
