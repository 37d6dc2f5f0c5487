"""A snippet's marks (codequery/snippets.py): written by search, read back by the faces."""

from __future__ import annotations

import pytest

from codequery import snippets


@pytest.mark.parametrize("line", [
    "Pass **\x02kwargs\x03 to the \x02widget\x03",
    "char ***\x02argv\x03) \x02widget\x03",
    "*\x02kwargs\x03*",
    "on C:\\\x02widgets\x03\\ and \\\\*\x02more\x03",
    "\x02a\x03\x02b\x03 ** \\* \\\\",
])
def test_reading_a_snippet_gives_back_the_text_and_its_matches(line: str):
    expected = [(piece, i % 2 == 1) for i, piece in
                enumerate(line.replace("\x03", "\x02").split("\x02")) if piece]
    assert snippets.runs(snippets.marked(line)) == expected


def test_only_a_matchs_stars_are_bare():
    assert snippets.marked("char ***\x02argv\x03 \\") == "char \\*\\*\\***argv** \\\\"
