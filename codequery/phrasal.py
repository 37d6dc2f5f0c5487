"""What a question writes as two words and code as one: a verb and its particle ("shut
down" is `shutdown`, "logs in" `login`, "falls back" `fallback`, "read-only" `readonly`)
and a noun made of two ("file name" is `filename`, "sub-command" `subcommand`). The index
splits `shutDown` and `file_name` into words, but `shutdown` and `filename` are tokens of
their own that "shut" and "file" do not match. Standard library only (a search imports
it).
"""

from __future__ import annotations

import functools

from codequery.lazy_re import lazy

# compound, particle, then the verb's forms a question may use. Over the 8,434 kept
# questions: 4 up (BenchmarkDotNet's "warm-up" 8 -> 3, mosquitto's "shuts down" 4 -> 1,
# oban's "shutting down" 6 -> 2, luarocks' "rolled back" 4 -> 1), 1 down (Rocket's "fall
# back" 3 -> 4). Left out: lookup ("looked up": 2 up, 4 down), builtin (1 down) and
# writeback (gorm's ids "written back" 3 -> 4). From signout on, with dryrun to livereload
# of the nouns: hummingbird's "catch-all" 4 -> 3, bullseye's "dry run" 3 -> 2.
_VERBS = """
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
signout out sign signs signed signing
optin in opt opts opted opting
optout out opt opts opted opting
fallthrough through fall falls fell fallen falling
"""
# compound, then the two words of the noun a question writes apart (the second in the
# singular; its plural is taken too). Over the 8,434 kept questions: top-3 5 up (NLog's
# config "file names" None -> 1, monolog's "log file name" 9 -> 1, libevent's "host name"
# 8 -> 2), 0 down; at any rank 20 up, 11 down. Not typename: C++'s keyword (cereal's
# "type names" 2 -> 5). A second batch (from timezone on): top-3 1 up, 1 down, at any
# rank 9 up (waitress's "temporary file" 2 -> 1, commons-validator's "e-mail" 2 -> 1),
# 3 down.
_NOUNS = """
filename file name
hostname host name
username user name
pathname path name
basename base name
dirname dir name
whitespace white space
timestamp time stamp
newline new line
metadata meta data
subprocess sub process
subcommand sub command
endpoint end point
placeholder place holder
keyword key word
namespace name space
lifecycle life cycle
workflow work flow
checksum check sum
codepoint code point
bytecode byte code
lineno line number
localhost local host
passphrase pass phrase
wildcard wild card
keystore key store
datatype data type
stacktrace stack trace
hashmap hash map
classname class name
filepath file path
handshake hand shake
breakpoint break point
heartbeat heart beat
workspace work space
checkbox check box
shortcut short cut
webhook web hook
filesystem file system
callstack call stack
useragent user agent
coroutine co routine
multipart multi part
timezone time zone
tempfile,tmpfile temp file
tempfile,tmpfile temporary file
tempdir,tmpdir temporary directory
tempdir,tmpdir temporary folder
dataset data set
dataframe data frame
substring sub string
subdirectory,subdir sub directory
subdirectory,subdir sub folder
subclass sub class
superclass super class
subtree sub tree
submodule sub module
subquery sub query
subtype sub type
deadlock dead lock
lifetime life time
runtime run time
standalone stand alone
offline off line
hotkey hot key
logfile log file
keypair key pair
codebase code base
email e mail
frontend front end
backend back end
changelog change log
stylesheet style sheet
screenshot screen shot
database data base
mailbox mail box
textarea text area
viewport view port
framebuffer frame buffer
pipeline pipe line
upstream up stream
downstream down stream
dryrun dry run
roundtrip round trip
catchall catch all
prettyprint,pprint pretty print
livereload live reload
"""

# Two words in a row, apart by spaces or hyphens (`sub-command`): at each word's start.
_PAIR = lazy(r"(?=\b([a-z]+)[\s-]+([a-z]+)\b)")


# A prefix hyphenated onto a word, which code writes joined ("non-blocking" nonblocking,
# "auto-detected" autodetected, "for-each" foreach, "re-sent" resent). Over the 8,449
# kept questions: 4 up (luarocks' "auto-detected" None -> 1, lwt's "non-blocking" 5 -> 1,
# workflow-core's "for-each" 6 -> 2, StackExchange.Redis' "re-sent" None -> 2), 1 down
# (truth's "sub-messages" 2 -> 4); any hyphenated pair: 13 up, 7 down, MRR lower.
_HYPHENATED = lazy(r"\b(non|multi|sub|pre|post|re|un|de|co|auto|for|meta|super|inter|semi|bi)"
                   r"-([a-z]{2,})\b")


@functools.cache
def _table() -> dict[tuple[str, str], tuple[str, ...]]:
    """(a word, the next) -> the compounds (`tempfile,tmpfile`: either)."""
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for line in _VERBS.strip().splitlines():
        compound, particle, *forms = line.split()
        for form in forms:
            table[(form, particle)] = (compound,)
    for line in _NOUNS.strip().splitlines():
        compound, first, second = line.split()
        for form in (second, second + ("es" if second.endswith(("s", "sh", "ch", "x")) else "s")):
            table[(first, form)] = tuple(compound.split(","))
    return table


def compounds(text: str) -> list[str]:
    """The one-word compounds of the verbs and particles, and the nouns, that `text`
    writes apart, in its order, each once: "how does the worker shut down, and what falls
    back to the file name" -> shutdown, fallback, filename."""
    table = _table()
    lower = text.lower()
    found = [name for pair in _PAIR.findall(lower) for name in table.get(pair, ())]
    found += [a + b for a, b in _HYPHENATED.findall(lower) if (a, b) not in table]
    return list(dict.fromkeys(found))
