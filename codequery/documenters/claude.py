"""The `claude` documenter: the Claude Code CLI in non-interactive (print) mode.

`claude -p --output-format json` reads the prompt on stdin (a file can exceed the 128 KiB
a single argument may hold) and prints one JSON envelope: the model's answer in `result`
plus the call's accounting (time, cost, tokens). It runs as an argument list, never
through a shell, in its own process group (`process.run_process`).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codequery.blocking import JOBS_WAIT
from codequery.documenters import prompt_version
from codequery.documenters.builtin import BuiltinDocumenter, with_reading_notes
from codequery.documenters.errors import DocumenterBlocked, DocumenterBusy, DocumenterError
from codequery.documenters.llm_output import json_objects, parse_record, refuse_if_huge
from codequery.documenters.process import exit_error, run_process
from codequery.documenters.prompting import build_batch_prompt, load_template, render_prompt
from codequery.documenters.reset_time import reset_epoch
from codequery.documenters.usage import CallUsage
from codequery.errors import CodeQueryError
from codequery.records import FileDoc

# The documenter only needs the model to read the prompt and answer in text; Claude Code
# is an agent that would otherwise read, edit and run things in the repository. Flags the
# CLI reference documents for print mode:
#   --tools ""           no built-in tool at all (Bash, Read, Edit, WebFetch, Task...).
#   --strict-mcp-config  with no --mcp-config: no MCP server is loaded, whose tools
#                        --tools does not cover (a user's or the project's .mcp.json).
#   --max-turns 1        one model response and no tool round trip. Should a CLI version
#                        ignore --tools "" (anthropics/claude-code#31182), a tool call ends
#                        the run as error_max_turns (a DocumenterError) after one turn.
# Not used, because older CLIs reject them and the call would always fail:
# --permission-mode dontAsk (a recent mode) and --disallowedTools "*" (a recent wildcard).
# --tools takes a variable number of values, so a flag must follow it, never a value.
# No tools, no MCP servers, one turn; no transcript of the file under ~/.claude, and none
# of the user's or the project's CLI settings (hooks there would run on every call).
NO_TOOL_FLAGS: tuple[str, ...] = ("--tools", "", "--strict-mcp-config",
                                  "--no-session-persistence", "--setting-sources", "",
                                  "--disable-slash-commands")

# The record's shape, for `--json-schema` (the CLI then answers in `structured_output`).
RECORD_SCHEMA = json.dumps(FileDoc.model_json_schema(), separators=(",", ":"))
_INSTALL_HINT = "install it or set documenter.executable in .code-query/config.json"
_VERSION_TIMEOUT = 10.0
_RECORD_KEYS = frozenset(FileDoc.model_fields)
# What a failing envelope's subtype means, where its own message says nothing useful.
_SUBTYPES = {
    "error_max_turns": "the model tried to use a tool instead of answering",
    "error_max_structured_output_retries": "the model's answer never fit the record's schema",
    "error_max_budget_usd": "the call's budget was spent",
    "error_during_execution": "the CLI failed while running",
}


class ClaudeCallError(DocumenterError):
    """A call the CLI answered with a failure or an unusable result; it may be billed."""

    def __init__(self, message: str, usage: CallUsage) -> None:
        super().__init__(message)
        self.usage = usage


@functools.cache
def _neutral_directory() -> Path:
    """An empty working directory for the CLI: started in the repository, Claude Code would
    load that repository's CLAUDE.md and .claude/settings.json (hooks included), which an
    untrusted repository could use to run commands. The prompt holds all it needs. The
    user's shared folder (see _shared_folder), else a private one for this process,
    removed when it exits."""
    shared = _shared_folder()
    if shared is not None:
        return shared
    import atexit
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="codequery-claude-"))
    atexit.register(lambda: shutil.rmtree(path, ignore_errors=True))
    return path


def _shared_folder() -> Path | None:
    """`codequery-claude-<uid>` in the temp folder, reused by every process (a worker
    killed with SIGKILL leaves nothing new behind), while it is an empty, real folder this
    user owns that no one else may write to; None otherwise, or without user ids."""
    import stat
    import tempfile

    if not hasattr(os, "getuid"):
        return None
    uid = os.getuid()
    path = Path(tempfile.gettempdir()) / f"codequery-claude-{uid}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(path)
        empty = stat.S_ISDIR(info.st_mode) and not any(os.scandir(path))
    except OSError:
        return None
    private = info.st_uid == uid and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return path if empty and private else None


def missing_executable_message(executable: str) -> str | None:
    """Why `executable` cannot be run, or None when it is found."""
    if shutil.which(executable):
        return None
    if os.sep in executable or (os.altsep is not None and os.altsep in executable):
        return (f"the Claude CLI `{executable}` was not found or is not executable; "
                f"{_INSTALL_HINT}")
    return f"the Claude CLI `{executable}` was not found on PATH; {_INSTALL_HINT}"


def version_check(executable: str, timeout: float = _VERSION_TIMEOUT) -> str:
    """The first line `executable --version` prints, e.g. "2.0.0 (Claude Code)"."""
    try:
        stdout, _, _ = run_process(
            [executable, "--version"], b"", timeout, role="the Claude CLI",
            hint=_INSTALL_HINT, timeout_setting="version check",
        )
    except DocumenterError as exc:
        raise type(exc)(f"cannot run `{executable} --version`: {exc}") from None
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        raise DocumenterError(
            f"`{executable} --version` printed nothing; is {executable!r} the Claude CLI?"
        )
    return lines[0].strip()


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    if not flat:
        return "(nothing on stdout)"
    return repr(flat if len(flat) <= limit else flat[: limit - 3] + "...")


def _envelope(stdout: str) -> dict[str, Any] | None:
    """The CLI's result object in its output, or None if there is none."""
    text = stdout.strip()
    try:
        value: Any = json.loads(text)
    except ValueError:
        # A warning printed before the envelope: the envelope is still one line, the last.
        lines = text.splitlines()
        try:
            value = json.loads(lines[-1]) if lines else None
        except ValueError:
            return None
    if isinstance(value, list):
        # With `verbose` set in the user's settings, json output is the whole transcript
        # as a list whose last "result" message is the envelope.
        value = next((item for item in reversed(value)
                      if isinstance(item, dict) and item.get("type") == "result"), None)
    return value if isinstance(value, dict) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage(envelope: dict[str, Any]) -> CallUsage:
    tokens = envelope.get("usage")
    tokens = tokens if isinstance(tokens, dict) else {}
    session = envelope.get("session_id")
    return CallUsage(
        duration_ms=_number(envelope.get("duration_ms")),
        cost_usd=_number(envelope.get("total_cost_usd")),
        input_tokens=_count(tokens.get("input_tokens")),
        output_tokens=_count(tokens.get("output_tokens")),
        session_id=session if isinstance(session, str) else None,
        cache_read_tokens=_count(tokens.get("cache_read_input_tokens")),
        cache_creation_tokens=_count(tokens.get("cache_creation_input_tokens")),
    )


LOGIN_HINT = ("not logged in: run `claude` once and log in (or set ANTHROPIC_API_KEY for "
              "the worker)" + JOBS_WAIT)
_LOGIN_WORDS = ("not logged in", "please run /login", "invalid api key", "authentication")


def _message(envelope: dict[str, Any]) -> str:
    message = envelope.get("result")
    return " ".join(message.split()) if isinstance(message, str) else "(no message)"


BUSY_STATUSES = (429, 529)  # rate limited, overloaded: wait, and spend no attempt
BUSY_WAIT_SECONDS = 60.0  # when the answer gives no hint
_RETRY_AFTER = re.compile(r"retry[- ]after\D{0,3}(\d+(?:\.\d+)?)", re.IGNORECASE)


def _retry_after(envelope: dict[str, Any]) -> float:
    """The wait the answer suggests ("retry after 30 seconds"), else a minute."""
    found = _RETRY_AFTER.search(_message(envelope))
    return min(max(float(found.group(1)), 5.0), 3600.0) if found else BUSY_WAIT_SECONDS


# The account's usage limit, as CLI versions word it: "Claude AI usage limit
# reached|1795970000" (the reset's Unix time), "5-hour limit reached ∙ resets 3pm",
# "Limit reached · resets 11:30am (Asia/Calcutta) · /upgrade to Max ...", "You've hit
# your limit · resets 3pm (Europe/Paris)", "You've hit your session limit · resets 3pm"
# (as users of the real CLI have reported them, anthropics/claude-code #2490, #13632,
# #54698, #85572). Not the file's fault: wait.
_USAGE_LIMIT = re.compile(r"usage limit reached|limit reached\W+resets"
                          r"|hit your (?:session |weekly |daily |usage )?limit", re.IGNORECASE)
USAGE_LIMIT_WAIT_SECONDS = 15 * 60.0  # when the message gives no reset time
USAGE_LIMIT_MAX_WAIT_SECONDS = 3600.0  # then a call tries again (a cheap refusal)
# A network failure between the CLI and the API: transient, like an overload.
_CONNECTION = re.compile(r"API Error: (Connection error|Request timed out|fetch failed)|"
                         r"ECONNRESET|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN",
                         re.IGNORECASE)


def _usage_limit(envelope: dict[str, Any]) -> DocumenterBusy | None:
    """The usage limit's wait (until its reset, capped), or None if it is not that."""
    message = _message(envelope)
    if not _USAGE_LIMIT.search(message):
        return None
    now = time.time()
    reset = reset_epoch(message, now)
    if reset is None:
        return DocumenterBusy(f"usage limit reached: {message}", USAGE_LIMIT_WAIT_SECONDS)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(reset))
    wait = min(max(reset - now, 5.0), USAGE_LIMIT_MAX_WAIT_SECONDS)
    return DocumenterBusy(f"usage limit reached, resets at {when}", wait)


def _needs_login(envelope: dict[str, Any]) -> bool:
    """The real CLI's answer without a login (or with a bad key): exit 1, is_error true,
    subtype "success", `result` "Not logged in · Please run /login", empty stderr."""
    if envelope.get("api_error_status") in (401, 403):
        return True
    return any(word in _message(envelope).lower() for word in _LOGIN_WORDS)


def _failure(name: str, envelope: dict[str, Any]) -> str:
    subtype = envelope.get("subtype")
    message = envelope.get("result")
    if not isinstance(message, str) or not message.strip():
        errors = envelope.get("errors")
        message = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
    message = message.strip() or _SUBTYPES.get(str(subtype), "(no message)")
    # An API failure (bad key, overload) comes as is_error with subtype "success".
    kind = f" ({subtype})" if subtype and subtype != "success" else ""
    return f"{name} reported an error{kind}: {message}"


def _batch_record(value: Any) -> FileDoc | None:
    # Like parse_record: an object with none of the record's keys is not a record.
    if not isinstance(value, dict) or not _RECORD_KEYS & value.keys():
        return None
    try:
        refuse_if_huge(value)
        return FileDoc.model_validate(value)
    except (ValidationError, DocumenterError):
        return None


def parse_batch(text: str, paths: list[str]) -> dict[str, FileDoc]:
    """The valid records of `paths` in a batch answer (bare or fenced JSON object)."""
    wanted = set(paths)
    for value in json_objects(text):
        if isinstance(value, dict) and wanted & value.keys():
            found = {path: _batch_record(value.get(path)) for path in paths}
            return {path: doc for path, doc in found.items() if doc is not None}
    return {}


class ClaudeDocumenter:
    name = "claude"
    inline = False  # a slow, billed call: never inside a job's database transaction

    def __init__(
        self,
        executable: str,
        model: str | None,
        timeout: float,
        template: Path | None = None,
    ) -> None:
        if model is not None and model.startswith("-"):
            raise CodeQueryError(f"documenter.model {model!r} is not a model name")
        self.executable = executable
        self.model = model or None
        self.timeout = timeout
        # Loaded now so a bad template fails `codequery init`, not every file later.
        self._template = load_template(template)
        self.version = prompt_version(self._template)
        self._builtin = BuiltinDocumenter()
        self._local = threading.local()

    def blocked(self) -> str | None:
        """Why no call can work now, from `claude auth status` (no model call): None when
        logged in (or when the check itself cannot tell: a real call will)."""
        try:
            stdout, _, _ = run_process([self.executable, "auth", "status"], b"", 20.0,
                                       role="the Claude CLI", hint=_INSTALL_HINT, check=False,
                                       cwd=_neutral_directory())
        except DocumenterError:
            return None
        envelope = _envelope(stdout.decode("utf-8", "replace"))
        if envelope is not None and envelope.get("loggedIn") is False:
            return LOGIN_HINT
        return None

    @property
    def last_usage(self) -> CallUsage | None:
        """The usage of the last call made by the calling thread (each thread has its own)."""
        return getattr(self._local, "usage", None)

    def argv(self, structured: bool = False) -> list[str]:
        """The command; `structured` asks the CLI for the record in the envelope's
        `structured_output`, validated by the CLI against the record's JSON schema."""
        model = ["--model", self.model] if self.model else []
        # With a schema the CLI answers through its own structured-output step, which
        # takes a second turn (reported by users of --json-schema with --max-turns 1).
        turns = ["--max-turns", "2" if structured else "1"]
        schema = ["--json-schema", RECORD_SCHEMA] if structured else []
        return [self.executable, "-p", "--output-format", "json", *model, *NO_TOOL_FLAGS,
                *turns, *schema]

    def document(self, path: str, language: str, text: str) -> FileDoc:
        return self.document_with_usage(path, language, text)[0]

    def document_with_usage(self, path: str, language: str, text: str,
                            hint: FileDoc | None = None) -> tuple[FileDoc, CallUsage]:
        """`hint`: the builtin analysis, when it came with the task (a remote consumer)."""
        hint = hint or self._builtin.document(path, language, text)
        prompt = render_prompt(self._template, path, language, text, hint)
        result, usage = self._call(prompt, structured=True)
        try:
            if isinstance(result, dict):  # structured_output; `result` text for older CLIs
                return with_reading_notes(FileDoc.model_validate(result), hint), usage
            return with_reading_notes(parse_record(result), hint), usage
        except ValidationError as exc:
            raise ClaudeCallError(f"the structured answer has the wrong shape: {exc}",
                                  usage) from None
        except DocumenterError as exc:
            raise ClaudeCallError(str(exc), usage) from None

    def document_batch(
        self, files: list[tuple[str, str, str]]
    ) -> tuple[dict[str, FileDoc], CallUsage]:
        """Several `(path, language, text)` files in one call; records by path.

        A file the answer leaves out, or gives a malformed record, is absent from the
        result: the caller documents it alone. The packaged batch prompt is always used.
        """
        if not files:
            return {}, CallUsage()
        entries = [(path, language, text, self._builtin.document(path, language, text))
                   for path, language, text in files]
        result, usage = self._call(build_batch_prompt(entries))
        hints = {path: hint for path, _, _, hint in entries}
        return {path: with_reading_notes(doc, hints[path]) for path, doc in
                parse_batch(result, [path for path, _, _ in files]).items()}, usage

    def _call(self, prompt: str, structured: bool = False
              ) -> tuple[str | dict[str, Any], CallUsage]:
        """Run the CLI on `prompt`; the model's answer (the structured object when asked
        for and given, else the text) and the call's usage."""
        self._local.usage = None
        name = Path(self.executable).name
        stdout, stderr, code = run_process(
            self.argv(structured), prompt.encode("utf-8", "replace"), self.timeout,
            role="the Claude CLI", hint=_INSTALL_HINT, check=False, cwd=_neutral_directory(),
        )
        text = stdout.decode("utf-8", "replace")
        envelope = _envelope(text)
        if envelope is None:
            if code != 0:
                raise exit_error(self.executable, code, stderr)
            raise DocumenterError(f"{name} printed no JSON envelope: {_excerpt(text)}")
        usage = _usage(envelope)
        self._local.usage = usage
        if envelope.get("is_error") and _needs_login(envelope):
            raise DocumenterBlocked(LOGIN_HINT + f" ({name} said: {_message(envelope)})")
        if envelope.get("is_error") and envelope.get("api_error_status") in BUSY_STATUSES:
            raise DocumenterBusy(f"{name}: the API is busy ({envelope['api_error_status']}): "
                                 f"{_message(envelope)}", _retry_after(envelope))
        if envelope.get("is_error") and (limit := _usage_limit(envelope)) is not None:
            raise DocumenterBusy(f"{name}: {limit}", limit.retry_after)
        if envelope.get("is_error") and _CONNECTION.search(_message(envelope)):
            raise DocumenterBusy(f"{name}: cannot reach the API: {_message(envelope)}",
                                 BUSY_WAIT_SECONDS)
        if envelope.get("is_error") or envelope.get("subtype") != "success":
            raise ClaudeCallError(_failure(name, envelope), usage)
        if code != 0:
            raise ClaudeCallError(str(exit_error(self.executable, code, stderr)), usage)
        structured_output = envelope.get("structured_output")
        if structured and isinstance(structured_output, dict):
            return structured_output, usage
        result = envelope.get("result")
        if not isinstance(result, str):
            raise ClaudeCallError(f"{name}'s JSON envelope has no result text", usage)
        return result, usage
