"""`.code-query/config.json`: the settings of one repository, validated by pydantic.

Every field has a default that works, so a config file only needs what differs. An
unknown key or a wrong type is reported with the key's path and the file's path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from codequery import config_problems, defaults
from codequery.errors import CodeQueryError

DocumenterName = Literal["builtin", "claude", "command"]
Mode = Literal["auto", "manual", "sync"]

# What each mode makes a commit do (the hooks: codequery.hook), for --help and the schema.
MODE_HELP = ("auto (the default) wakes a running worker, or with none documents now within "
             "sync_budget_seconds (builtin documenter only); manual only wakes a running "
             "worker: with none, nothing is queued and the index catches up when one starts "
             "or at `codequery document`; sync always documents now, worker or not.")

Transport = Literal["sqlite", "redis"]


def _redis_url(url: str) -> str:
    from codequery.redis_link import url_problem  # standard library only, redis is not

    problem = url_problem(url)
    if problem:
        raise ValueError(problem)
    return url


RedisUrl = Annotated[str, AfterValidator(_redis_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DocumenterConfig(_Section):
    name: DocumenterName = Field(
        defaults.DOCUMENTER,
        description="builtin (offline static analysis), claude (the Claude CLI) or command.",
    )
    model: str | None = Field(None, description="Model passed to an LLM documenter.")
    executable: str = Field("claude", description="The Claude CLI to run (name on PATH or path).")
    command: list[str] = Field(
        default_factory=list,
        description='argv template of the command documenter, e.g. ["llm", "-m", "{model}"].',
    )
    timeout_seconds: float = Field(
        240.0, gt=0, description="Per-call time limit of an LLM (long enough for the Claude "
        "CLI's own retries, about 170 s without a network, to end with its real error).")
    prompt_template: str | None = Field(
        None, description="A prompt template file (relative to the repository) to use instead "
        "of the built-in one; it must contain {content}.")
    requests_per_minute: float | None = Field(
        None, ge=0, description="Calls per minute shared by every worker thread and process "
        "(default: claude 50, command unlimited; 0 means unlimited).")
    batch_size: int = Field(1, ge=1, le=50, description="Small files documented per LLM call.")
    batch_max_bytes: int = Field(60_000, gt=0, description="Prompt-size budget of one batch.")
    breaker_failures: int = Field(
        5, ge=1, description="Consecutive failures (within breaker_window_seconds) that stop "
        "calls to the documenter for breaker_cooldown_seconds.")
    breaker_window_seconds: float = Field(60.0, gt=0)
    breaker_cooldown_seconds: float = Field(60.0, gt=0)
    confirm_above: int = Field(
        50, ge=0, description="Ask before a run with an LLM documenter makes more calls.")


class ProcessingConfig(_Section):
    mode: Mode = Field(
        defaults.MODE,
        description="What a commit does. " + MODE_HELP,
    )
    fallback_to_sync: bool = Field(
        defaults.FALLBACK_TO_SYNC,
        description="In auto mode with no worker, document at commit time within the budget.",
    )
    sync_budget_seconds: float = Field(defaults.SYNC_BUDGET_SECONDS, ge=0)
    max_retries: int = Field(defaults.MAX_RETRIES, ge=0)
    retry_base_seconds: float = Field(defaults.RETRY_BASE_SECONDS, ge=0)
    retry_max_seconds: float = Field(defaults.RETRY_MAX_SECONDS, ge=0)
    retention_days: int = Field(defaults.RETENTION_DAYS, ge=0)
    threads: int = Field(defaults.THREADS, ge=1, le=64)
    transport: Transport = Field(
        "sqlite", description="sqlite: one machine (the default); redis: Huey's Redis storage, "
        "so consumers on other machines (`worker start --remote URL`) share the work.")
    redis_url: RedisUrl | None = Field(
        None, description='The Redis of the "redis" transport, e.g. redis://host:6379/0.')
    remote_threads: int | None = Field(
        None, ge=0, le=64, description="On the redis transport: threads of this worker that "
        "serve the shared remote queue like any consumer (default: threads; 0 leaves the LLM "
        "calls to consumers on other machines).")

    @model_validator(mode="after")
    def _redis_needs_url(self) -> ProcessingConfig:
        if self.transport == "redis" and not self.redis_url:
            raise ValueError('transport "redis" needs processing.redis_url '
                             "(e.g. redis://localhost:6379/0)")
        return self


class FilesConfig(_Section):
    exclude: list[str] = Field(
        default_factory=list,
        description="Glob patterns, matched against repository-relative paths, never documented.",
    )
    max_file_bytes: int = Field(
        defaults.MAX_FILE_BYTES, gt=0, description="Larger files are not documented. "
        f"{' and '.join(map(str, defaults.OLD_MAX_FILE_BYTES))}, the defaults that older "
        f"versions wrote into every config, read as today's default ({defaults.MAX_FILE_BYTES}).")
    secret_patterns: list[str] = Field(
        default_factory=lambda: list(defaults.SECRET_PATTERNS),
        description="File name patterns whose content is never read or sent anywhere.",
    )

    @field_validator("max_file_bytes")
    @classmethod
    def _old_default_is_the_default(cls, value: int) -> int:
        return defaults.MAX_FILE_BYTES if value in defaults.OLD_MAX_FILE_BYTES else value


class CacheConfig(_Section):
    url: RedisUrl | None = Field(
        None, description="A Redis URL shared by a team: a record documented anywhere is "
        "taken by content key instead of calling the LLM again (secret-looking files never "
        "enter it).")
    ttl_days: int = Field(90, ge=1, description="How long a shared record is kept unused.")


class Config(_Section):
    version: Literal[1] = 1
    dataset: str = Field(..., min_length=1, description="Name of this repository's dataset.")
    documenter: DocumenterConfig = Field(default_factory=DocumenterConfig)
    processing: ProcessingConfig = Field(default_factory=ProcessingConfig)
    files: FilesConfig = Field(default_factory=FilesConfig)
    cache: CacheConfig = Field(default_factory=CacheConfig)


def _describe(error: ValidationError, source: Path) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        said = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":  # a typo: `files.exclud`
            said = f"not a setting{_meant(item['loc'])}"
        elif item["type"] == "missing":  # pydantic's "Field required"
            said = "missing"
        problems.append(f"{key}: {said}")
    return f"invalid config {source}: " + "; ".join(problems)


def _meant(loc: tuple[int | str, ...]) -> str:
    """` (did you mean 'exclude'?)` for an unknown key at `loc`, or the keys there."""
    import difflib

    model: Any = Config
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        model = field.annotation if field is not None else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return ""
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return (f" (did you mean '{close[0]}'?)" if close
            else f" (the settings here: {', '.join(known)})")


class ConfigMissing(CodeQueryError):
    """There is no config file: the repository is not set up (or the file was deleted)."""


class ConfigNotJson(CodeQueryError):
    """The config file is not JSON text at all (an edit gone wrong, a merge conflict):
    `detail` says where, `fix` how to get a good one back."""

    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(f"{detail}; {fix}")
        self.detail, self.fix = detail, fix


def restore_hint(path: Path) -> str:
    """How to get a config that is no JSON back, as git sees the file: its merge conflict
    to settle, the committed one, or the last good copy codequery keeps beside it (each a
    command that works from any folder)."""
    import shlex

    from codequery import git

    root = path.parent.parent
    inside = f"{path.parent.name}/{path.name}"
    in_git = f"git -C {shlex.quote(str(root))}"
    ways = ["correct it by hand"]
    try:
        # the index's entries of the file, by stage: 0 staged, 1-3 the sides of a conflict
        stages = {line.split()[2] for line in git.run(
            ["ls-files", "--stage", "--", inside], root, check=False).decode().splitlines()}
        if stages - {"0"}:
            ways.append(f"take one side of the merge (`{in_git} checkout --theirs -- "
                        f"{inside}`, or --ours)")
        # a broken config committed (`git commit -a`) or staged is no way back (`git show`
        # of a path not there prints nothing)
        elif _usable(git.run(["show", f"HEAD:{inside}"], root, check=False)):
            ways.append(f"restore the committed one (`{in_git} checkout HEAD -- {inside}`)")
        elif stages and _usable(git.run(["show", f":{inside}"], root, check=False)):
            ways.append(f"restore the one staged (`{in_git} checkout -- {inside}`)")
    except CodeQueryError:
        pass  # no git: the copy, if any, is the way back
    copy = path.with_name(defaults.LAST_CONFIG_FILE)
    if copy.exists():
        ways.append(f"copy the last good one (`cp {shlex.quote(str(copy))} "
                    f"{shlex.quote(str(path))}`)")
    return ", or ".join(ways)


def _usable(raw: bytes) -> bool:
    """Whether `raw` is a config codequery can use (what git keeps of it may not be)."""
    try:
        Config.model_validate(json.loads(raw.decode("utf-8-sig")))
    except ValueError:  # JSON's, pydantic's and UnicodeDecodeError are ValueErrors
        return False
    return True


def load(path: Path) -> Config:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigMissing(
            f"no codequery config at {path}; run `codequery init` in this repository"
        ) from None
    except OSError as exc:
        raise CodeQueryError(config_problems.unreadable(path, exc)) from None
    except UnicodeDecodeError:
        raise ConfigNotJson(config_problems.not_utf8(path), restore_hint(path)) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigNotJson(config_problems.not_json(path, exc), restore_hint(path)) from None
    if not isinstance(data, dict):  # `[]`, `"hi"`: pydantic's words would name its class
        raise CodeQueryError(f"invalid config {path}: it must hold a JSON object of settings, "
                             f"not {_json_kind(data)}; {restore_hint(path)}")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise CodeQueryError(f"{_describe(exc, path)}; {restore_hint(path)}") from None
    _keep_copy(path, raw)
    return config


def _json_kind(data: object) -> str:
    """What JSON value `data` is, in JSON's words ("an array", "a string")."""
    kinds = ((bool, "true or false"), (list, "an array"), (str, "a string"),
             (int, "a number"), (float, "a number"))
    return next((said for kind, said in kinds if isinstance(data, kind)), "null")


def _keep_copy(path: Path, raw: str) -> None:
    """Keep the last good config.json beside it, for checkouts that lack the file."""
    if path.name != defaults.CONFIG_FILE:
        return
    if not path.with_name(defaults.DATA_DB).exists():
        # a folder whose index is gone (`git stash --all` took it): writing here would
        # stop `git stash pop` from putting it back ("already exists")
        return
    copy = path.with_name(defaults.LAST_CONFIG_FILE)
    try:
        if copy.exists() and copy.read_text(encoding="utf-8-sig") == raw:
            return
        tmp = copy.with_name(f".{copy.name}.{os.getpid()}.tmp")
        tmp.write_text(raw, encoding="utf-8")
        os.replace(tmp, copy)
    except OSError:
        pass  # a read-only or full disk: the copy is a convenience


def save(config: Config, path: Path) -> None:
    """Write atomically, so a reader (the git hook) never sees half a file."""
    text = json.dumps(config.model_dump(mode="json"), indent=2) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    _keep_copy(path, text)
