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
    assert cfg.files.max_file_bytes == 4 * 1024 * 1024
    assert ".env" in cfg.files.secret_patterns


def test_unknown_key_is_reported_with_its_path_and_the_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo", "processing": {"mood": "auto"}}))
    with pytest.raises(CodeQueryError) as err:
        config.load(path)
    assert "processing.mood: not a setting (did you mean 'mode'?)" in str(err.value)
    assert str(path) in str(err.value)
    # a trial's `files.exclud` got pydantic's "Extra inputs are not permitted"
    path.write_text(json.dumps({"dataset": "demo", "files": {"exclud": []}, "zzz": 1}))
    with pytest.raises(CodeQueryError) as err:
        config.load(path)
    assert "files.exclud: not a setting (did you mean 'exclude'?)" in str(err.value)
    assert "zzz: not a setting (the settings here: version, dataset, " in str(err.value)


def test_wrong_type_is_reported_with_its_path(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo", "files": {"max_file_bytes": "big"}}))
    with pytest.raises(CodeQueryError, match=r"files\.max_file_bytes"):
        config.load(path)


def test_a_wrong_value_says_how_to_get_a_good_config_back(tmp_path):
    # as a config that is no JSON does: the last good copy codequery keeps beside it
    folder = tmp_path / ".code-query"
    folder.mkdir()
    path = folder / "config.json"
    path.write_text(json.dumps({"dataset": "demo"}))
    (folder / "code_data.db").touch()  # an index there: the good copy is kept
    config.load(path)
    path.write_text(json.dumps({"dataset": "demo", "processing": {"threads": "ten"}}))
    with pytest.raises(CodeQueryError, match=r"processing\.threads") as err:
        config.load(path)
    assert "config.last.json" in str(err.value) and "correct it by hand" in str(err.value)


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path):
    # as Windows editors save UTF-8; json.loads refused it ("Unexpected UTF-8 BOM")
    path = tmp_path / "config.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"dataset": "demo"}).encode())
    assert config.load(path).dataset == "demo"


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


@pytest.mark.parametrize("section, key", [("processing", "redis_url"), ("cache", "url")])
@pytest.mark.parametrize("url", ["notaurl", "localhost:6379", "http://host/0",
                                 "redis://host:port/0"])
def test_a_redis_url_that_is_no_url_is_reported_with_the_form_expected(tmp_path, section, key,
                                                                      url):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo", section: {key: url}}))
    with pytest.raises(CodeQueryError) as err:
        config.load(path)
    assert f"{section}.{key}: {url!r} is not a valid Redis URL; expected " \
           "redis://host:port/db" in str(err.value)
    assert "Value error" not in str(err.value)


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "rediss://:pw@cache.example/2",
                                 "redis://10.0.0.5", "unix:///run/redis.sock"])
def test_redis_urls_of_every_kind_redis_takes_are_accepted(tmp_path, url):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo", "processing": {"transport": "redis",
                                                                   "redis_url": url}}))
    assert config.load(path).processing.redis_url == url


def test_the_old_default_file_limits_read_as_todays_default():
    # `init` wrote the whole config, 524288 or 1048576 (the old defaults) included
    from codequery import defaults
    from codequery.config import FilesConfig
    assert defaults.MAX_FILE_BYTES == 4 * 1024 * 1024
    assert FilesConfig(max_file_bytes=512 * 1024).max_file_bytes == defaults.MAX_FILE_BYTES
    assert FilesConfig(max_file_bytes=1024 * 1024).max_file_bytes == defaults.MAX_FILE_BYTES
    assert FilesConfig(max_file_bytes=2 * 1024 * 1024).max_file_bytes == 2 * 1024 * 1024
    assert FilesConfig(max_file_bytes=100_000).max_file_bytes == 100_000


def test_the_hook_reads_a_config_with_a_byte_order_mark_too(tmp_path):
    from codequery import hook

    path = tmp_path / "config.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"dataset": "demo", "processing": {"mode": "manual"}}).encode())
    assert hook.read_settings(path)["mode"] == "manual"


@pytest.mark.parametrize("value", [True, False, "false", "yes", "off", 1, 0, 1.0, "maybe", 2])
def test_the_hook_reads_a_switch_as_the_config_does(tmp_path, value):
    # a review: the hook took "false" for true (a string that is there), where pydantic
    # reads it as false; what pydantic rejects, the hook reports
    from pydantic import ValidationError

    from codequery import hook

    path = tmp_path / "config.json"
    path.write_text(json.dumps({"dataset": "demo",
                                "processing": {"fallback_to_sync": value}}))
    try:
        expected = config.Config.model_validate(json.loads(path.read_text()))
    except ValidationError:
        with pytest.raises(hook.HookProblem, match="a setting of the wrong type"):
            hook.read_settings(path)
    else:
        assert hook.read_settings(path)["fallback_to_sync"] is \
            expected.processing.fallback_to_sync
