"""lazy_re: patterns compiled on first use, then as fast as compiled ones."""

import re

from codequery.lazy_re import lazy


def test_a_lazy_pattern_compiles_once_on_first_use():
    pattern = lazy(r"(?P<word>[a-z]+)(\d)")
    assert pattern.pattern == r"(?P<word>[a-z]+)(\d)" and "search" not in vars(pattern)
    assert pattern.search("x ab1")["word"] == "ab"
    search = vars(pattern)["search"]
    assert pattern.findall("a1 b2") == [("a", "1"), ("b", "2")]
    assert pattern.search is search and pattern.groupindex == {"word": 1}


def test_flags_are_kept():
    assert lazy("a", re.IGNORECASE).sub("b", "AaA") == "bbb"
    assert lazy("a").sub("b", "AaA") == "AbA"
