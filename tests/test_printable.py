"""What of a file's text codequery shows (codequery/printable.py)."""

from __future__ import annotations

import pytest

from codequery.printable import printable


@pytest.mark.parametrize("text", [
    "می\u200cخواهم",  # ZWNJ (Cf) joins Persian letters
    "👩\u200d💻",  # ZWJ (Cf) makes one emoji of two
    "\ue0b0 prompt",  # a private-use glyph (Co)
    "a\tb\nc",
])
def test_text_is_kept_whole(text: str):
    assert printable(text) == text


@pytest.mark.parametrize(("text", "shown"), [
    ("10\u00a0MB", "10 MB"),
    ("one\u2028two\u2029three", "one two three"),
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
    ("\x1b]0;title\x07text", "text"),
    ("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x9b31mred", "red"),
    ("\x1b(Bplain", "plain"),
    ("\x02bell\x03\x07\x00\x7f", "bell"),
    ("crlf\r\n", "crlf\n"),
])
def test_terminal_codes_and_control_characters_never_pass(text: str, shown: str):
    assert printable(text) == shown


def test_one_line_text_has_spaces_for_tabs_and_line_breaks():
    assert printable("a\tb\nc\r\nd", one_line=True) == "a b c  d"
