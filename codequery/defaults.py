"""Default settings, as plain values.

The pydantic config model and the git hook's standard-library config reader both take
their defaults from here, so the two can never disagree.
"""

STATE_DIR = ".code-query"
CONFIG_FILE = "config.json"
LAST_CONFIG_FILE = "config.last.json"
DATA_DB = "code_data.db"
HUEY_DB = "huey_jobs.db"
PID_FILE = "worker.pid"
LOCK_FILE = "worker.lock"
LOG_DIR = "logs"

SEARCH_LIMIT = 10  # the results a search gives unless asked for another number
MAX_LIMIT = 200  # the most a search (or a listing of jobs or events) gives at once

DOCUMENTER = "builtin"
MODE = "auto"
FALLBACK_TO_SYNC = True
SYNC_BUDGET_SECONDS = 5.0
MAX_RETRIES = 3
RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0
RETENTION_DAYS = 7
THREADS = 2
# The largest file documented at all. A central source file may be large (Dear ImGui's
# imgui.cpp: 982 KB; picocli's CommandLine.java, 1.2 MB, answers most questions about
# picocli; TypeScript's checker.ts: 3 MB); an amalgamation or a bundle is as large, but
# is documented as generated (search_text.kind_of); a data dump larger is left out.
MAX_FILE_BYTES = 4 * 1024 * 1024
# The defaults before (512 KiB until 2026-11, 1 MiB until 2026-11-30): a config that
# `init` wrote with one of them means the default.
OLD_MAX_FILE_BYTES = (512 * 1024, 1024 * 1024)
# The largest file sent to an LLM documenter (some 130,000 tokens, most of a model's
# context): a larger one is outlined offline by the builtin documenter instead.
LLM_MAX_FILE_BYTES = 512 * 1024

SECRET_PATTERNS = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".htpasswd",
    "credentials",
    "credentials.json",
    "*.secret",
    "secrets.*",
)
