"""What a question says as a verb and its particle, and code writes as one word: "shut
down" is `shutdown`, "logs in" is `login`, "falls back" is `fallback`, "read-only" is
`readonly`. The index splits `shutDown` and `shut_down` into words, but `shutdown` is one
token that "shut" does not match. Standard library only (a search imports it).
"""

from __future__ import annotations

import functools

from codequery.lazy_re import lazy

# compound, particle, then the verb's forms a question may use. Over the 8,434 kept
# questions: 4 up (BenchmarkDotNet's "warm-up" 8 -> 3, mosquitto's "shuts down" 4 -> 1,
# oban's "shutting down" 6 -> 2, luarocks' "rolled back" 4 -> 1), 1 down (Rocket's "fall
# back" 3 -> 4). Left out: lookup ("looked up": 2 up, 4 down) and builtin (1 down).
_COMPOUNDS = """
setup up set sets setting
cleanup up clean cleans cleaned cleaning
shutdown down shut shuts shutting
startup up start starts started starting
teardown down tear tears tore torn tearing
fallback back fall falls fell fallen falling
rollback back roll rolls rolled rolling
backup up back backs backed backing
login in log logs logged logging
logout out log logs logged logging
signin in sign signs signed signing
signup up sign signs signed signing
checkout out check checks checked checking
timeout out time times timed timing
lookahead ahead look looks looked looking
cutoff off cut cuts cutting
warmup up warm warms warmed warming
cooldown down cool cools cooled cooling
keepalive alive keep keeps kept keeping
wakeup up wake wakes woke woken waking
failover over fail fails failed failing
rollout out roll rolls rolled rolling
handoff off hand hands handed handing
backoff off back backs backed backing
fanout out fan fans fanned fanning
passthrough through pass passes passed passing
readonly only read
plugin in plug plugs plugged plugging
pickup up pick picks picked picking
popup up pop pops popped popping
lockout out lock locks locked locking
"""

_PHRASE = lazy(r"\b([a-z]+)[\s-]+(up|down|in|out|back|off|over|ahead|alive|through|only)\b")


@functools.cache
def _table() -> dict[tuple[str, str], str]:
    """(a verb's form, its particle) -> the compound."""
    table: dict[tuple[str, str], str] = {}
    for line in _COMPOUNDS.strip().splitlines():
        compound, particle, *forms = line.split()
        for form in forms:
            table[(form, particle)] = compound
    return table


def compounds(text: str) -> list[str]:
    """The one-word compounds of the verbs and particles `text` uses, in its order, each
    once: "how does the worker shut down, and what falls back" -> shutdown, fallback."""
    table = _table()
    found = (table.get((verb, particle)) for verb, particle in _PHRASE.findall(text.lower()))
    return list(dict.fromkeys(name for name in found if name))
