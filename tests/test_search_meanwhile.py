"""A search reads the index in several statements while the worker writes to it: what
another connection removes between them (a `git reset --hard` reconciled) is left out,
never a crash. Found by the convergence tests: an IndexError in spoken_for."""

from codequery import store
from tests.test_search_ranking import _add


class _RemovedWhileRanking(store.Store):
    """A store whose matches are removed, through another connection, just after they
    are scored: as the worker removes a path a search has begun to rank."""

    def __init__(self, conn, dataset, other, paths):
        super().__init__(conn, dataset)
        self.other, self.paths = other, paths

    def _described_and_used(self, expression, tests, want):
        scores = super()._described_and_used(expression, tests, want)
        with self.other.conn:
            self.other.delete(self.paths)
        return scores


def _stores(tmp_path, paths):
    writer = store.Store(store.connect(tmp_path / "data.db"), "demo")
    for path in ["app/later.py", "app/alpha.py", "tests/test_alpha.py"]:
        _add(writer, path, "later work alpha main")
    reader = _RemovedWhileRanking(store.connect(tmp_path / "data.db"), "demo", writer, paths)
    return writer, reader


def test_every_match_removed_meanwhile_gives_no_results(tmp_path):
    writer, reader = _stores(tmp_path, ["app/later.py", "app/alpha.py", "tests/test_alpha.py"])
    assert writer.search("later work") != []
    assert reader.search("later work", 10) == []


def test_a_match_removed_meanwhile_is_left_out(tmp_path):
    writer, reader = _stores(tmp_path, ["app/later.py"])
    found = [r["path"] for r in reader.search("later work alpha", 10)]
    assert "app/later.py" not in found and "app/alpha.py" in found
