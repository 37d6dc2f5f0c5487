"""The MCP server: tools for coding agents over the operations layer.

Tool names and arguments are a contract (scripts and agents rely on them). A bad request
(a path outside the repository, an unknown path or job, an empty query) is a tool error
with the message the operation raised; anything unexpected is a tool error that names
nothing of the repository, and the details go to the server's log.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from codequery import __version__, operations
from codequery.errors import CodeQueryError
from codequery.workspace import Workspace

T = TypeVar("T")

INSTRUCTIONS = (
    "codequery keeps a documentation index of this git repository: per file an overview, "
    "its functions and classes with one-line summaries and line numbers, imports and "
    "exports. Use `search` to find where something is implemented before reading files, "
    "`show` for one file's outline, `list_files` to browse, `document` after you change "
    "files so the index catches up, and `status` to see how current the index is. "
    "Results marked stale describe a file that changed since it was documented."
)


def _tool_errors(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except CodeQueryError as exc:
            raise ToolError(str(exc)) from None
    return wrapper


def build(ws: Workspace) -> MCPServer:
    """The MCP server of one repository."""
    ws.require_initialized()
    server = MCPServer(name="codequery", version=__version__, instructions=INSTRUCTIONS,
                       log_level="WARNING")

    @server.tool(name="search")
    @_tool_errors
    def search(query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Search the repository's documentation: file paths, symbol names, overviews and
        docstrings. Words are matched whole (all of them, else any); end a word with * for
        a prefix. Returns ranked files with score, overview, a snippet (matches in **),
        whether the record is stale, and the matching symbols with their line numbers.
        limit: 1 to 200 results (default 10)."""
        return operations.search(ws, query, limit)

    @server.tool(name="show")
    @_tool_errors
    def show(path: str) -> dict[str, Any]:
        """One file's record: language, overview, functions and classes (signatures, one-line
        summaries, line numbers), imports, exports, dependencies, notes, who documented it
        and whether it is stale. path: relative to the repository root."""
        return operations.show(ws, path)

    @server.tool(name="list_files")
    @_tool_errors
    def list_files(glob: str | None = None, stale_only: bool = False) -> list[dict[str, Any]]:
        """The documented files with their language and stale mark. glob: e.g. "src/**.py"
        or "*.md" (matched against the repository-relative path); stale_only: only files
        whose record no longer matches the file on disk."""
        return operations.list_files(ws, glob, stale_only)

    @server.tool(name="status")
    @_tool_errors
    def status() -> dict[str, Any]:
        """How current the index is: the worker (running, pid, uptime), the queue (counts,
        oldest pending job, backlog ETA), the index (documented, stale, missing, outdated,
        last reconcile) and the LLM documenter's calls, cost and circuit breaker."""
        return operations.status(ws)

    @server.tool(name="document")
    @_tool_errors
    def document(paths: list[str], priority: str = "high",
                 wait_seconds: float = 0.0) -> dict[str, Any]:
        """Document files as they are on disk now, ahead of the commit backlog (use it after
        you edit files). paths: repository-relative files or directories. priority: high,
        normal or low. wait_seconds: up to 300; wait for the jobs and return the fresh
        records (search and show see them once this returns). Without a running worker
        the builtin documenter documents them at once; an LLM documenter needs the worker.
        Returns the jobs (id, path, status), whether all are done, and the records."""
        return operations.document(ws, paths, priority=priority, wait_seconds=wait_seconds)

    @server.tool(name="job")
    @_tool_errors
    def job(job_id: str, wait_seconds: float = 0.0) -> dict[str, Any]:
        """A documentation job's state (pending, processing, completed, dead, cancelled),
        attempts, error and its history of state changes. wait_seconds: up to 300; wait
        until it is no longer pending or processing."""
        return operations.job(ws, job_id, wait_seconds)

    return server
