import threading
import time

import pytest

from codequery import store
from codequery.breaker import CircuitBreaker


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "code_data.db"
    store.connect(path).close()
    return path


def _breaker(db, **kw) -> CircuitBreaker:
    settings = {"failures": 3, "window": 0.5, "cooldown": 0.3} | kw
    return CircuitBreaker(db, "documenter:claude", **settings)


def _fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.record_failure()


def test_a_new_breaker_is_closed(db):
    breaker = _breaker(db)
    assert breaker.allow()
    assert breaker.state() == {"state": "closed", "failures": 0, "opened_until": None,
                               "retry_in_s": None, "probing": False}


def test_opens_after_n_consecutive_failures(db):
    breaker = _breaker(db)
    _fail(breaker, 2)
    assert breaker.allow()
    assert breaker.state()["failures"] == 2
    breaker.record_failure()
    assert not breaker.allow()
    state = breaker.state()
    assert state["state"] == "open" and state["failures"] == 3
    assert 0.2 < state["retry_in_s"] <= 0.3
    assert state["opened_until"] == pytest.approx(time.time() + state["retry_in_s"], abs=0.05)


def test_a_success_in_between_resets_the_count(db):
    breaker = _breaker(db)
    _fail(breaker, 2)
    breaker.record_success()
    _fail(breaker, 2)
    assert breaker.allow()
    assert breaker.state()["state"] == "closed"


def test_failures_spread_beyond_the_window_do_not_open_it(db):
    breaker = _breaker(db, window=0.2)
    for _ in range(4):
        breaker.record_failure()
        time.sleep(0.25)
    assert breaker.allow()
    assert breaker.state()["failures"] == 1  # each one started a new count


def test_state_is_shared_between_breaker_objects(db):
    _fail(_breaker(db), 3)
    other = _breaker(db)
    assert not other.allow()
    assert other.state()["state"] == "open"
    assert not CircuitBreaker(db, "documenter:command").state()["failures"]  # per name


def test_after_cooldown_exactly_one_of_many_threads_probes(db):
    _fail(_breaker(db), 3)
    time.sleep(0.35)
    assert _breaker(db).state() == {"state": "half-open", "failures": 3, "opened_until": None,
                                    "retry_in_s": 0.0, "probing": False}
    # A breaker object per thread, so that each has its own database connection.
    breakers = [_breaker(db) for _ in range(8)]
    barrier = threading.Barrier(len(breakers))
    answers: list[bool] = []

    def ask(breaker: CircuitBreaker) -> None:
        barrier.wait()
        answers.append(breaker.allow())

    threads = [threading.Thread(target=ask, args=(b,)) for b in breakers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [False] * 7 + [True]
    assert not _breaker(db).allow()  # still refused while the probe is out
    state = _breaker(db).state()
    assert state["state"] == "half-open" and state["probing"] and state["retry_in_s"] is None


def test_probe_success_closes(db):
    breaker = _breaker(db)
    _fail(breaker, 3)
    time.sleep(0.35)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state() == {"state": "closed", "failures": 0, "opened_until": None,
                               "retry_in_s": None, "probing": False}
    assert breaker.allow() and breaker.allow()


def test_probe_failure_reopens_for_another_cooldown(db):
    breaker = _breaker(db)
    _fail(breaker, 3)
    time.sleep(0.35)
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow()
    state = breaker.state()
    assert state["state"] == "open" and state["failures"] == 4
    assert 0.2 < state["retry_in_s"] <= 0.3
    time.sleep(0.35)
    assert breaker.allow()  # the next probe
    assert not breaker.allow()


def test_late_failures_while_open_do_not_extend_the_cooldown(db):
    breaker = _breaker(db)
    _fail(breaker, 3)
    until = breaker.state()["opened_until"]
    _fail(breaker, 2)  # calls that started before it opened
    assert breaker.state()["opened_until"] == until
    assert breaker.state()["failures"] == 5


def test_a_vanished_probe_is_replaced_after_its_lease(db):
    breaker = _breaker(db, probe_lease=0.2)
    _fail(breaker, 3)
    time.sleep(0.35)
    assert breaker.allow()  # this prober never reports (its process was killed)
    assert not breaker.allow()
    time.sleep(0.25)
    assert breaker.allow()
    assert not breaker.allow()


def test_failures_must_be_positive(db):
    with pytest.raises(ValueError):
        CircuitBreaker(db, "x", failures=0)


def test_other_documenter_settings_start_with_a_breaker_of_their_own(db):
    # a crashing command opened the breaker; the command put in its place was never tried
    # until the old one's cooldown was over
    from codequery.config import Config
    from codequery.llm_caller import breaker_for

    def settings(**documenter):
        return Config.model_validate({"dataset": "r",
                                      "documenter": {"name": "command", "breaker_failures": 2,
                                                     "breaker_cooldown_seconds": 60,
                                                     **documenter}})

    crashing = settings(command=["python3", "crash.py"])
    _fail(breaker_for(db, crashing), 2)
    assert breaker_for(db, crashing).state()["state"] == "open"
    for other in (settings(command=["python3", "good.py"]),
                  settings(command=["python3", "crash.py"], model="other")):
        assert breaker_for(db, other).state()["state"] == "closed"
        assert breaker_for(db, other).allow()
    # the same settings again (switched back): still open, its cooldown still runs
    assert breaker_for(db, settings(command=["python3", "crash.py"])).state()["state"] == "open"


def test_only_the_caller_handed_the_probe_is_told_it_is_the_probe(db):
    # a call from before the breaker opened may fail while the probe is out: the probe's
    # job must not be the one that pays for it (see jobs.JobRunner._failed)
    from codequery.breaker import CALL, PROBE

    breaker = _breaker(db, failures=1, cooldown=0.2)
    assert breaker.admit() == CALL
    breaker.record_failure()
    assert breaker.admit() is None
    time.sleep(0.25)
    assert breaker.admit() == PROBE
    assert breaker.admit() is None  # the probe is out
