"""The team cache against a real redis-server, and two clones with the fake Claude CLI."""

import json
import logging
from pathlib import Path

import pytest

from codequery import content_key, redis_keys, redis_link
from codequery.config import CacheConfig
from codequery.records import FileRecord
from codequery.team_cache import TeamCache
from tests.helpers import cli_json, cli_run, configure, git, logged_calls, make_repo

SHA = "a" * 40
KEY = content_key.make(SHA, "claude", "m", "p1", "python")


def _record(path: str = "src/a.py") -> dict:
    return FileRecord(path=path, language="python", size=3, line_count=1, content_sha=SHA,
                      documenter="claude", model="m", documented_at="2026-01-01T00:00:00+00:00",
                      overview="Shared.").model_dump(mode="json")


def test_a_shared_record_is_taken_under_its_key_for_another_path(redis_server):
    cache = TeamCache(CacheConfig(url=redis_server.url))
    assert cache.take(KEY, "lib/b.py") is None
    assert cache.share(KEY, _record())
    taken = cache.take(KEY, "lib/b.py")
    assert taken.path == "lib/b.py" and taken.overview == "Shared."
    ttl = redis_link.client(redis_server.url).ttl(redis_keys.cached_record(KEY))
    assert 0 < ttl <= 90 * 86400


def test_secret_keys_never_enter_the_cache(redis_server):
    cache = TeamCache(CacheConfig(url=redis_server.url))
    for by_name in (True, False):
        key = content_key.secret(SHA, "text", by_name=by_name)
        assert not cache.share(key, _record(".env"))
    assert redis_link.client(redis_server.url).keys("*") == []


def test_a_malformed_or_mismatched_entry_is_ignored(redis_server):
    cache = TeamCache(CacheConfig(url=redis_server.url))
    client = redis_link.client(redis_server.url)
    client.set(redis_keys.cached_record(KEY), b"{not json")
    assert cache.take(KEY, "a.py") is None
    other = content_key.make("b" * 40, "claude", "m", "p1", "python")
    cache.share(other, _record())  # a record whose content is not what its key says
    assert cache.take(other, "a.py") is None


def test_a_record_whose_labels_contradict_its_key_is_refused_and_logged_once(
        redis_server, caplog):
    cache = TeamCache(CacheConfig(url=redis_server.url))
    client = redis_link.client(redis_server.url)
    forged = {**_record(), "documenter": "builtin", "model": "gpt-other", "language": "rust"}
    client.set(redis_keys.cached_record(KEY), json.dumps(forged))
    with caplog.at_level(logging.WARNING, logger="codequery.team_cache"):
        assert cache.take(KEY, "a.py") is None
        assert cache.take(KEY, "a.py") is None
    assert cache.refused == 2
    refusals = [r.getMessage() for r in caplog.records if "refusing" in r.getMessage()]
    assert len(refusals) == 1 and "'gpt-other'" in refusals[0], refusals


def test_a_record_shared_under_another_prompt_version_is_refused(redis_server):
    cache = TeamCache(CacheConfig(url=redis_server.url))
    old = content_key.make(SHA, "claude", "m", "p0", "python")
    assert cache.share(old, _record())
    client = redis_link.client(redis_server.url)
    client.set(redis_keys.cached_record(KEY), client.get(redis_keys.cached_record(old)))
    assert cache.take(old, "a.py") is not None
    assert cache.take(KEY, "a.py") is None


def test_an_unreachable_cache_is_skipped(redis_server):
    cache = TeamCache(CacheConfig(url=redis_server.url))
    redis_server.stop()
    assert cache.take(KEY, "a.py") is None
    assert not cache.share(KEY, _record())


def _clone_with_cache(source: Path, target: Path, url: str) -> Path:
    git(source.parent, "clone", "-q", str(source), str(target))
    assert cli_run(target, "init", "--documenter", "claude", "--no-document").exit_code == 0
    configure(target, cache={"url": url})
    return target


@pytest.mark.slow
def test_a_second_clone_takes_what_the_first_documented_with_no_llm_call(
        tmp_path, redis_server, fake_claude):
    origin = make_repo(tmp_path / "origin", {
        "src/tax.py": "def compute_vat(amount):\n    return amount * 0.2\n",
        "src/shop.py": "class Basket:\n    pass\n",
        "config/.env": "API_TOKEN=do-not-share\n",
    })
    first = _clone_with_cache(origin, tmp_path / "first", redis_server.url)
    assert cli_run(first, "document", "--all").exit_code == 0
    assert len(logged_calls(fake_claude)) == 2  # the two source files; .env is never sent
    second = _clone_with_cache(origin, tmp_path / "second", redis_server.url)
    result = cli_run(second, "document", "--all")
    assert result.exit_code == 0, result.output
    assert len(logged_calls(fake_claude)) == 2  # no call from the second clone
    shown = cli_json(second, "show", "src/tax.py")
    assert shown["overview"] == "Fake documentation of src/tax.py."
    assert shown["documenter"] == "claude"
    # The secret-looking file was documented (metadata only) but never shared.
    assert cli_json(second, "show", "config/.env")["overview"] == ""
    env_sha = git(origin, "rev-parse", "HEAD:config/.env").strip()
    keys = [key.decode() for key in redis_link.client(redis_server.url).keys("*")]
    assert len(keys) == 2 and not any(env_sha in key for key in keys), keys


@pytest.mark.slow
def test_a_clone_documents_itself_what_a_forged_shared_record_claims(
        tmp_path, redis_server, fake_claude):
    origin = make_repo(tmp_path / "origin", {"src/tax.py": "def vat(x):\n    return x\n"})
    first = _clone_with_cache(origin, tmp_path / "first", redis_server.url)
    assert cli_run(first, "document", "--all").exit_code == 0
    client = redis_link.client(redis_server.url)
    [name] = client.keys("*")
    forged = {**json.loads(client.get(name)), "documenter": "builtin", "model": "gpt-other",
              "language": "rust", "overview": "Forged."}
    client.set(name, json.dumps(forged))
    second = _clone_with_cache(origin, tmp_path / "second", redis_server.url)
    result = cli_run(second, "document", "--all")
    assert result.exit_code == 0, result.output
    assert len(logged_calls(fake_claude)) == 2  # documented again, not taken
    shown = cli_json(second, "show", "src/tax.py")
    assert (shown["documenter"], shown["language"]) == ("claude", "python")
    assert shown["overview"] == "Fake documentation of src/tax.py."


def test_a_key_reads_back_into_the_parts_it_was_made_of():
    key = content_key.make("ab12", "command", "ollama:llama3:8b", "p3", "python")
    assert content_key.parse(key) == ("ab12", "command", "ollama:llama3:8b", "p3", "python")
    assert content_key.parse(content_key.make("ab12", "builtin", None, "b27", "go")).model == ""
