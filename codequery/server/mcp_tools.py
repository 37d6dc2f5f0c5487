"""The MCP server: tools for coding agents over the operations layer.

Tool names and arguments are a contract (scripts and agents rely on them). A bad request
(a path outside the repository, an unknown path or job, an empty query) is a tool error
with the message the operation raised; anything unexpected is a tool error that names
nothing of the repository, and the details go to the server's log.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import inspect
import reprlib
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any, TypeVar

import anyio
import pydantic_core
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BeforeValidator, Strict, TypeAdapter, ValidationError, WithJsonSchema

from codequery import __version__, ledger, operations
from codequery.errors import CodeQueryError
from codequery.server.search_meter import SearchMeter, measured
from codequery.server.threads import in_thread
from codequery.workspace import Workspace

T = TypeVar("T")
WAIT_POLL_SECONDS = 0.1

INSTRUCTIONS = (
    "codequery keeps a documentation index of this git repository: per file an overview, "
    "its functions and classes with one-line summaries and line numbers, imports and "
    "exports. Use `search` to find where something is implemented before reading files, "
    "`show` for one file's outline, `list_files` to browse, `document` after you change "
    "files so the index catches up, and `status` to see how current the index is. "
    "Results marked stale describe a file that changed since it was documented."
)


def _tool_errors(ws: Workspace) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with _as_tool_error(ws):
                return fn(*args, **kwargs)
        return wrapper
    return decorate


@contextlib.contextmanager
def _as_tool_error(ws: Workspace) -> Iterator[None]:
    try:
        with ws.reporting_damage():
            yield
    except CodeQueryError as exc:
        raise ToolError(str(exc)) from None



# What a client got wrong about an argument, in words (pydantic's error types).
_ARGUMENT_PROBLEMS = {
    "missing": "is required", "int_parsing": "must be a whole number",
    "int_type": "must be a whole number", "int_from_float": "must be a whole number",
    "float_parsing": "must be a number", "float_type": "must be a number",
    "string_type": "must be a string", "bool_parsing": "must be true or false",
    "bool_type": "must be true or false", "list_type": "must be a list",
}
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 40


def argument_problems(exc: ValidationError) -> str:
    """One line that names each argument a client got wrong and how: `limit must be a
    whole number (got 'abc'); query is required`, not pydantic's report."""
    said = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "the arguments"
        problem = _ARGUMENT_PROBLEMS.get(err["type"], err["msg"].lower())
        given = "" if err["type"] == "missing" else f" (got {_SHOWN.repr(err['input'])})"
        said.append(f"{where} {problem}{given}")
    return "; ".join(said)


def unknown_arguments(name: str, arguments: dict[str, Any], schema: dict[str, Any] | None
                      ) -> str | None:
    """What a client gave that `name` does not take (the SDK drops it unsaid: `limt`
    for `limit` searched with the default limit), with the name it may have meant;
    None if every argument is known."""
    known = list((schema or {}).get("properties") or {})
    unknown = [key for key in arguments if key not in known]
    if schema is None or not unknown:
        return None
    said = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=1)
        said.append(f"{_SHOWN.repr(key)}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return (f"unknown argument{'s' if len(unknown) > 1 else ''} {', '.join(said)}: {name} "
            f"takes {', '.join(known) or 'no arguments'}")


class _Server(MCPServer):
    """The SDK's server, with a client's argument mistakes said in one line, and each
    tool described by its docstring without the source's indentation and line breaks
    (which an agent reads, and pays for, with every tool list)."""

    def tool(self, name: str | None = None, **options: Any
             ) -> Callable[[Callable[..., T]], Callable[..., T]]:
        register = super().tool

        def decorator(fn: Callable[..., T]) -> Callable[..., T]:
            return register(name=name, **{"description": described_by(fn.__doc__),
                                          **options})(fn)
        return decorator

    async def run_stdio_async(self) -> None:
        """As the SDK's, answering every request read before stdin ended (see
        stdio_drain)."""
        from codequery.server import stdio_drain

        lowlevel = self._lowlevel_server
        await stdio_drain.serve(lambda read, write: lowlevel.run(
            read, write, lowlevel.create_initialization_options()))

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Any = None) -> Any:
        schema = next((tool.input_schema for tool in await self.list_tools()
                       if tool.name == name), None)
        if problem := unknown_arguments(name, arguments or {}, schema):
            raise ToolError(f"Error executing tool {name}: {problem}")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc, UnexpectedToolError) or not isinstance(exc.__cause__,
                                                                       ValidationError):
                raise
            raise ToolError(f"Error executing tool {name}: "
                            f"{argument_problems(exc.__cause__)}") from exc.__cause__


def described_by(doc: str | None) -> str:
    """A docstring as an agent reads it: each paragraph on one line."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


async def _until_finished(first: dict[str, Any], wait_seconds: float,
                          again: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
                          ) -> dict[str, Any]:
    """Long poll without holding a thread: waiting happens on the event loop, and only
    each short look at the ledger runs in a worker thread."""
    current, deadline = first, anyio.current_time() + wait_seconds
    # a job no worker will take is not waited for: the answer says so (waiting_for)
    while (not current["finished"] and not current.get("waiting_for")
           and anyio.current_time() < deadline):
        await anyio.sleep(WAIT_POLL_SECONDS)
        current = await again(current)
    return current


async def _job_now(ws: Workspace, job_id: str, blocked_since: float | None = None
                   ) -> dict[str, Any]:
    found = await in_thread(operations.job, ws, job_id, 0.0, blocked_since)
    found["finished"] = found["status"] not in ("pending", "processing")
    return found


def _true_or_false(value: Any) -> Any:
    """The strings "true" and "false", which clients driven by a model send, as the
    booleans they spell; any other word stays a word, and is refused."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


# A tool's boolean: JSON's true or false (or those words), not "yes", 1 or "maybe".
Boolean = Annotated[bool, BeforeValidator(_true_or_false), Strict()]


def _no_boolean(value: Any) -> Any:
    """A count is no boolean: `true` had been read as 1."""
    if isinstance(value, bool):
        raise pydantic_core.PydanticCustomError("int_type", "a whole number, not a boolean")
    return value


# A tool's count: a number (or one written as a string), never true or false.
Count = Annotated[int, BeforeValidator(_no_boolean)]
# list_files's results at most, by default and at most.
LIST_LIMIT, MAX_LIST_LIMIT = 500, 10_000


def _bounded(kind: Any, **schema: Any) -> Any:
    """`kind` with `schema` (bounds, choices) said in the tool's input schema, so that an
    agent knows them before it calls; the operations check them and say what is wrong
    in their own words (pydantic's would name its types)."""
    return Annotated[kind, WithJsonSchema({**TypeAdapter(kind).json_schema(), **schema})]


SearchLimit = _bounded(Count, minimum=1, maximum=operations.MAX_LIMIT)
ListLimit = _bounded(Count, minimum=1, maximum=MAX_LIST_LIMIT)
WaitSeconds = _bounded(float, minimum=0, maximum=operations.MAX_WAIT_SECONDS)
Priority = _bounded(str, enum=list(ledger.PRIORITIES))


def _with_notes(items: list[dict[str, Any]], notes: list[str]) -> CallToolResult:
    """A tool's list as the SDK gives one (a text block of JSON per item, the list as the
    structured result), with notes for the agent after it."""
    texts = [pydantic_core.to_json(item, fallback=str, indent=2).decode() for item in items]
    return CallToolResult(content=[TextContent(type="text", text=t) for t in texts + notes],
                          structured_content={"result": items})


def build(ws: Workspace, meter: SearchMeter | None = None) -> MCPServer:
    """The MCP server of one repository (set up or not: until `codequery init` runs
    there, each tool answers with the error that says so); `meter` counts its searches
    for /metrics."""
    server = _Server(name="codequery", version=__version__, instructions=INSTRUCTIONS,
                     log_level="WARNING")

    @server.tool(name="search")
    @_tool_errors(ws)
    def search(query: str, limit: SearchLimit = 10, tests: Boolean = False) -> list[dict[str, Any]]:
        """Find the files that answer a question about this repository. Ask in words
        ("where is the client IP worked out behind a proxy") or give names (sendFile,
        parse_invoice): word forms match, identifiers match in parts, common words are
        ignored, and files with more of the words rank first. Searches file paths, symbol
        names, overviews, docstrings and the words each file uses. End a word with * for
        a prefix. Returns ranked files with score, kind (source, test, fixture, example),
        overview, a snippet (matches in **; every * and \\ of the text itself reads
        \\* and \\\\, so each bare ** marks a match) and snippet_line, the line of
        the definition it shows (null for a sentence of the overview), whether the
        record is stale,
        the matching symbols with their line numbers, and lines: the first and last line
        where most of the question's words meet (null when fewer than two do, for a
        file ranked too low to be read again, or one that cannot be read, and when they
        meet only in the file's imports while a matching symbol names them: go to that
        symbol's line), and copies: the
        paths of byte-for-byte copies of the file, shown once. Tests follow
        the source they exercise; tests=true searches only tests, fixtures and examples.
        limit: 1 to 200 results (default 10). No match is no error: the text then says
        how much the index holds, and how much is still waiting to be documented."""
        results = measured(meter, lambda: ws.dataset, "mcp",
                           lambda: operations.search(ws, query, limit, tests=tests))
        # a half-edited config.json: the index is read as its last good copy says, and an
        # agent that only searches is told so (the CLI says it on stderr)
        warning = [f"warning: {ws.settings_trouble}"] if ws.settings_trouble else []
        # a query of common words alone ("where the"), searched for all the same, or a
        # path with no record: said, as the CLI says it on stderr
        warning += operations.search_notes(ws, query)
        if results and not warning:
            return results
        # An empty list would reach the agent as no content at all: say why instead.
        return _with_notes(results, ([] if results else [operations.no_results(ws, query)])
                           + warning)

    @server.tool(name="show")
    @_tool_errors(ws)
    def show(path: str) -> dict[str, Any]:
        """One file's record: language, overview, functions and classes (signatures, one-line
        summaries, line numbers), imports, exports, dependencies, notes, who documented it
        and whether it is stale. path: relative to the repository root."""
        return operations.show(ws, path)

    @server.tool(name="list_files")
    @_tool_errors(ws)
    def list_files(glob: str | None = None, stale_only: Boolean = False,
                   limit: ListLimit = LIST_LIMIT) -> list[dict[str, Any]]:
        """The documented files with their language and stale mark. glob: e.g. "src/**.py"
        or "*.md", matched against the repository-relative path, where * crosses folders
        as in git pathspecs ("*.md" is every Markdown file) and **/ may stand for no folder
        ("**/*.md" takes README.md too); stale_only: only files whose record no longer
        matches the file on disk; limit: at most this many (default 500, up to 10,000;
        the text then says how many more there are: narrow the glob)."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise CodeQueryError(f"limit must be between 1 and {MAX_LIST_LIMIT:,}, not {limit}")
        files = operations.list_files(ws, glob, stale_only)
        if files and len(files) <= limit:
            return files
        more = len(files) - limit
        note = (f"{more:,} more {'file matches' if more == 1 else 'files match'}: narrow the "
                "glob, or raise limit" if files else
                f"no {'stale ' if stale_only else ''}documented file matches"
                + (f" {glob!r}" if glob else "") + f" ({ws.store.count():,} documented)")
        return _with_notes(files[:limit], [note])

    @server.tool(name="status")
    @_tool_errors(ws)
    def status() -> dict[str, Any]:
        """How current the index is: the worker (running, pid, uptime), the queue (counts,
        oldest pending job, backlog ETA), the index (documented, stale, missing, outdated,
        last reconcile) and the LLM documenter's calls, cost and circuit breaker."""
        return operations.status(ws)

    @server.tool(name="document")
    async def document(paths: list[str], priority: Priority = "high",
                       wait_seconds: WaitSeconds = 0.0) -> dict[str, Any]:
        """Document files as they are on disk now, ahead of the commit backlog (use it after
        you edit files). paths: repository-relative files or directories. priority: high,
        normal or low. wait_seconds: up to 300; wait for the jobs and return the fresh
        records (search and show see them once this returns). Without a running worker
        the builtin documenter documents them at once; an LLM documenter needs the worker.
        Returns the jobs (id, path, status), whether all are done, and the records."""
        with _as_tool_error(ws):
            operations.check_wait(wait_seconds)
            progress = await in_thread(operations.document, ws, paths, priority=priority)
            began = time.time()  # a block a check confirms from now on ends the wait
            return await _until_finished(progress, wait_seconds, lambda p: in_thread(
                operations.document_progress, ws, p["job_ids"], p["files"], began))

    @server.tool(name="job")
    async def job(job_id: str, wait_seconds: WaitSeconds = 0.0) -> dict[str, Any]:
        """A documentation job's state (pending, processing, completed, dead, cancelled),
        attempts, error and its history of state changes. wait_seconds: up to 300; wait
        until it is no longer pending or processing."""
        with _as_tool_error(ws):
            operations.check_wait(wait_seconds)
            began = time.time() if wait_seconds else None  # see operations.job
            found = await _job_now(ws, job_id, began)
            found = await _until_finished(found, wait_seconds,
                                          lambda _: _job_now(ws, job_id, began))
            if began is not None and not found["finished"] and not found["waiting_for"]:
                # the wait is over: a block that no check since its start confirmed still
                # stands, and is what the job waits for (it ends no wait, see operations.job)
                found = await _job_now(ws, job_id)
            return found

    return server
