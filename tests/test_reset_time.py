"""Reading when a usage limit resets from the words the Claude CLI prints."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest

from codequery.documenters.reset_time import reset_epoch

if "Europe/Paris" not in available_timezones():  # the OS's tzdata (Debian's `tzdata`)
    pytest.skip("no time zone data on this machine (install tzdata)", allow_module_level=True)

# 2026-11-29 13:10 in Paris (12:10 UTC)
NOW = datetime(2026, 11, 29, 13, 10, tzinfo=ZoneInfo("Europe/Paris")).timestamp()


def _at(text: str, zone: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp()


@pytest.mark.parametrize("said, expected", [
    ("Claude AI usage limit reached|1750708800", 1750708800.0),
    ("You've hit your limit · resets 3pm (Europe/Paris)", _at("2026-11-29 15:00", "Europe/Paris")),
    ("Limit reached · resets 11:30am (Asia/Calcutta) · /upgrade to Max",
     _at("2026-11-30 11:30", "Asia/Calcutta")),  # 11:30 there has passed today
    ("Your limit will reset at 5pm (Europe/Warsaw).", _at("2026-11-29 17:00", "Europe/Warsaw")),
    ("You've hit your limit · resets 12am (Europe/Paris)", _at("2026-11-30 00:00",
                                                              "Europe/Paris")),
    ("You've hit your limit · resets 1pm (Europe/Paris)", _at("2026-11-30 13:00",
                                                             "Europe/Paris")),
])
def test_the_reset_is_the_next_such_time_in_the_zone_named(said, expected):
    assert reset_epoch(said, NOW) == expected


@pytest.fixture
def paris_machine(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_next_day_across_a_change_to_summer_time_keeps_the_wall_clock(paris_machine):
    # 2026-03-28 16:00 in Paris; clocks go forward that night
    before = _at("2026-03-28 16:00", "Europe/Paris")
    expected = _at("2026-03-29 15:00", "Europe/Paris")
    assert reset_epoch("resets 3pm (Europe/Paris)", before) == expected
    assert reset_epoch("5-hour limit reached ∙ resets 3pm", before) == expected  # local time


def test_without_a_zone_or_with_an_unknown_one_the_time_is_this_machine_s():
    local = datetime.fromtimestamp(NOW).astimezone()
    for said in ("5-hour limit reached ∙ resets 3pm", "resets 3pm (Mars/Olympus_Mons)"):
        at = datetime.fromtimestamp(reset_epoch(said, NOW)).astimezone()
        assert (at.hour, at.minute) == (15, 0)
        assert NOW < at.timestamp() <= NOW + 24 * 3600
        assert at.tzinfo.utcoffset(at) == local.tzinfo.utcoffset(local)


@pytest.mark.parametrize("said", ["usage limit reached", "resets 13pm", "resets 3:75pm",
                                  "resets soon"])
def test_no_time_said_is_none(said):
    assert reset_epoch(said, NOW) is None
