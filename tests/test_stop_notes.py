"""Why a worker stopped by itself, kept outside the repository (codequery.stop_notes)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from codequery import stop_notes


def _stop(state: str, i: int) -> None:
    import os

    os.environ["XDG_STATE_HOME"] = state
    stop_notes.record(Path(f"/srv/tree{i}"), 1000 + i, f"tree {i}'s index was removed")


def test_workers_stopping_at_once_keep_every_note(tmp_path, monkeypatch):
    # each read, changed and wrote the file: of 20 stopping at once, 5 to 7 notes stayed
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    workers = [multiprocessing.get_context("fork").Process(target=_stop, args=(str(state), i))
               for i in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    for i in range(20):
        note = stop_notes.last(Path(f"/srv/tree{i}"))
        assert note is not None and note["pid"] == 1000 + i, i
    stop_notes.forget(Path("/srv/tree3"))
    assert stop_notes.last(Path("/srv/tree3")) is None
    assert stop_notes.last(Path("/srv/tree4")) is not None
