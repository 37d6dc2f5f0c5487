"""The shared phrasing helpers (codequery.wording)."""

import pytest

from codequery.wording import plural, some_of


@pytest.mark.parametrize(("items", "most", "said"), [
    ([], 3, ""), (["a"], 3, "a"), (["a", "b", "c"], 3, "a, b, c"),
    (["a", "b", "c", "d", "e"], 3, "a, b, c and 2 more"), (["a", "b"], 1, "a and 1 more")])
def test_some_of_names_the_first_and_counts_the_rest(items, most, said):
    assert some_of(items, most) == said


def test_plural():
    assert (plural(1, "file"), plural(0, "file"), plural(2, "file")) == (
        "1 file", "0 files", "2 files")
