"""bench/fit_rescoring.py, which fits rescoring's weights: run as a user runs it, on a real
index of a real git repository."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codequery import proximity, rescoring
from tests.helpers import cli_run, make_repo

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "fit_rescoring.py"
MEETING = proximity.Meeting(0.5, (1, 3), 4, 9)


@pytest.mark.parametrize("kind", ["source", "test", "fixture", "docs", "example", "meta",
                                  "generated", "config", "declarations"])
@pytest.mark.parametrize("tests_first", [False, True])
def test_every_feature_has_a_weight(kind, tests_first):
    found = rescoring.features({"kind": kind, "line_count": 40}, MEETING, 0.5, 3, tests_first)
    assert set(found) <= set(rescoring.WEIGHTS)
    assert {"share", "used", "hits", "lines", "named", "place"} <= set(found)


@pytest.mark.slow
def test_the_fit_finds_that_where_the_words_meet_counts(tmp_path):
    files = {"src/retry.py": "def retry_failed_request(request):\n    return send(request)\n",
             "src/send.py": "def send(request):\n    '''Send a request.'''\n    retry = 0\n"
                            + "x = 1\n" * 40 + "failed = None\n"}
    files.update({f"src/view{i}.py": f"def render{i}(layout):\n    return layout\n"
                  for i in range(6)})
    keep = tmp_path / "keep"
    root = make_repo(keep / "demo+demo", files)
    assert cli_run(root, "init", "--documenter", "builtin", "--no-hooks").exit_code == 0
    data = tmp_path / "data"
    data.mkdir()
    (data / "demo.json").write_text(json.dumps({
        "repo": "demo/demo", "commit": "0" * 40, "language": "Python", "questions": [
            {"question": "where is a failed request retried", "files": ["src/retry.py"]},
            {"question": "how is a request sent", "files": ["src/send.py"]}]}))
    done = subprocess.run([sys.executable, str(SCRIPT), "--keep", str(keep), "--data",
                           str(data)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "fitted on 2 questions, the right file among the candidates read for 100.0%" \
        in done.stdout
    weights = dict(item.split() for item in done.stdout.splitlines()[1].split(", "))
    assert set(weights) == set(rescoring.WEIGHTS)
    missing = subprocess.run([sys.executable, str(SCRIPT), "--keep", str(tmp_path / "none"),
                              "--data", str(data)], capture_output=True, text=True, timeout=300)
    assert missing.returncode != 0 and "no index kept there" in missing.stderr
