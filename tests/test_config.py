import json

import pytest

from codequery import config
from codequery.errors import CodeQueryError


def test_defaults_work_with_only_a_dataset(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo"}))
    cfg = config.load(path)
    assert cfg.documenter.name == "builtin"
    assert cfg.processing.mode == "auto"
    assert cfg.files.max_file_bytes == 512 * 1024
    assert ".env" in cfg.files.secret_patterns


def test_unknown_key_is_reported_with_its_path_and_the_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo", "processing": {"mood": "auto"}}))
    with pytest.raises(CodeQueryError) as err:
        config.load(path)
    assert "processing.mood" in str(err.value)
    assert str(path) in str(err.value)


def test_wrong_type_is_reported_with_its_path(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo", "files": {"max_file_bytes": "big"}}))
    with pytest.raises(CodeQueryError, match=r"files\.max_file_bytes"):
        config.load(path)


def test_invalid_json_says_where(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"dataset": "demo",,}')
    with pytest.raises(CodeQueryError, match="not valid JSON.*line 1"):
        config.load(path)


def test_save_round_trips(tmp_path):
    path = tmp_path / "config.json"
    cfg = config.Config(dataset="demo")
    config.save(cfg, path)
    assert config.load(path) == cfg
    assert not list(tmp_path.glob(".*.tmp"))
