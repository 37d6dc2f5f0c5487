"""Which consumers of the shared remote queue run and can take tasks: each says so under a
key of its own with a short TTL, against a real redis-server, in this process."""

import time

import pytest

from codequery import consumer_presence, redis_keys, redis_link
from codequery.remote_consumer import RemoteConsumer
from tests.helpers import wait_for


@pytest.fixture
def client(redis_server):
    return redis_link.client(redis_server.url)


def _announce(client, consumer_id: str, threads: int, cannot: str | None) -> None:
    with client.pipeline(transaction=False) as pipe:
        consumer_presence.announce(pipe, consumer_id, threads, cannot)
        pipe.execute()


def test_consumers_that_said_so_are_present_with_why_the_others_cannot_work(client):
    _announce(client, "box-a:11@1", 4, None)
    _announce(client, "box-b:12@1", 2, "Claude CLI is not logged in")
    _announce(client, "box-c:13@1", 3, "Claude CLI is not logged in")
    found = consumer_presence.present(client)
    assert [c["id"] for c in found] == ["box-a:11@1", "box-b:12@1", "box-c:13@1"]
    assert consumer_presence.summary(found) == {
        "running": 3, "ready": 1, "ready_threads": 4,
        "cannot": ["Claude CLI is not logged in"]}
    consumer_presence.withdraw(client, "box-a:11@1")
    assert consumer_presence.summary(consumer_presence.present(client))["ready"] == 0


def test_a_consumer_that_stops_saying_so_drops_out_and_is_forgotten(client, monkeypatch):
    monkeypatch.setattr(consumer_presence, "PRESENCE_TTL", 1)
    _announce(client, "killed:14@1", 2, None)  # then kill -9: no withdrawal
    assert len(consumer_presence.present(client)) == 1
    time.sleep(1.5)
    assert consumer_presence.present(client) == []
    assert client.smembers(redis_keys.consumers()) == set()  # not read again and again


def test_something_else_under_the_names_is_passed_over(client):
    client.sadd(redis_keys.consumers(), "odd")
    client.set(redis_keys.consumer("odd"), "not json")
    _announce(client, "box-a:11@1", 1, None)
    assert [c["id"] for c in consumer_presence.present(client)] == ["box-a:11@1"]


def test_a_running_consumer_says_whether_it_can_document_and_withdraws_when_it_stops(
        redis_server, client, fake_claude, tmp_path, monkeypatch):
    logged_out = tmp_path / "logged-out"
    logged_out.touch()
    monkeypatch.setenv("FAKE_CLAUDE_LOGGED_OUT", str(logged_out))
    consumer = RemoteConsumer(redis_server.url, threads=3)
    consumer.start()
    try:
        said = wait_for(lambda: [c for c in consumer_presence.present(client)
                                 if c["cannot"] and "log" in c["cannot"]], timeout=10)
        assert said[0]["id"] == consumer.id and said[0]["threads"] == 3
    finally:
        consumer.stop()
    assert consumer_presence.present(client) == []
