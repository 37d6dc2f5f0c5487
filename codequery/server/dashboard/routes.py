"""The dashboard's routes on the HTTP server: the page, its JSON, its actions, its stream.

Retry and cancel change the queue, so besides the server's Host/Origin guard they want
the page's own anti-forgery token in a request header: a value made fresh for each
server process and embedded only in the page, which no other site can read (the guard
and the browser's same-origin rule keep it in), and a header no plain cross-site form
can set. A POST without it gets 403.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from codequery import operations
from codequery.errors import CodeQueryError, NotFound
from codequery.server.dashboard import live, pages
from codequery.server.search_meter import SearchMeter, measured
from codequery.server.threads import in_thread
from codequery.workspace import Workspace

log = logging.getLogger(__name__)
CSRF_HEADER = "x-codequery-csrf"
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
ACTIONS: dict[str, Callable[..., list[str]]] = {"retry": operations.retry,
                                                "cancel": operations.cancel}
REFUSED = {"retry": "only a dead or cancelled job can be retried (and not while a newer job "
                    "for its file is pending)",
           "cancel": "only a pending job can be cancelled"}



async def _json(ws: Workspace, fn: Callable[..., Any], *args: Any, **kwargs: Any
                ) -> Response:
    """An operation's answer as JSON; its CodeQueryError as a 400 with the message (a 404
    for a job id that names no job); a damaged database as a 500 that says what to do;
    anything else as a 500 that names nothing of the repository (the details go to the
    log)."""
    try:
        return JSONResponse(await in_thread(fn, *args, **kwargs), headers=NO_STORE)
    except CodeQueryError as exc:
        return JSONResponse({"error": str(exc)}, status_code=404 if isinstance(exc, NotFound)
                            else 400, headers=NO_STORE)
    except Exception as exc:
        damage = ws.damage_error(exc)
        if damage is not None:
            return JSONResponse({"error": str(damage)}, status_code=500, headers=NO_STORE)
        log.exception("dashboard request failed")
        return JSONResponse({"error": "internal error; see the server's log"}, status_code=500,
                            headers=NO_STORE)


def _limit(request: Request, default: int, most: int) -> int:
    """The `limit` query parameter (absent: `default`); anything but a whole number from
    1 to `most` is a CodeQueryError, so the client hears of its mistake (a 400)."""
    given = request.query_params.get("limit")
    if given is None or given == "":
        return default
    number = live.event_id(given)
    if number is None or not 1 <= number <= most:
        raise CodeQueryError(f"limit must be a whole number from 1 to {most}, not {given!r}")
    return number


def _job_id(request: Request) -> str:
    """The job id in the path; one not even shaped like an id is a CodeQueryError (400),
    while a well-formed one that names no job is answered 404 by `_json`."""
    return operations.check_job_id(request.path_params["job_id"])


def add_routes(server: MCPServer, ws: Workspace, stopping: Callable[[], bool],
               meter: SearchMeter | None = None) -> None:
    """Mount the dashboard on the MCP server's HTTP app; `meter` counts its searches."""
    csrf = secrets.token_urlsafe(32)

    def summary() -> dict[str, Any]:
        # one read of the database for the three, so that their numbers agree (the queue's
        # counts, its table by priority, the hour's chart) while the worker writes
        conn = ws.store.conn
        conn.execute("BEGIN")
        try:
            try:
                status: dict[str, Any] = operations.status(ws)
            except CodeQueryError as exc:  # settings half edited: the queue still shows
                status = {"error": str(exc)}
            return {"status": status, "queue": operations.queue_by_priority(ws),
                    "throughput": operations.throughput(ws)}
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # it read only

    def page() -> str:
        try:
            documenter = ws.config.documenter.name
        except CodeQueryError:  # half edited: the page still shows the index and the queue
            documenter = "unknown (config.json is unreadable: codequery doctor)"
        return pages.index(dataset=ws.dataset, root=str(ws.root), documenter=documenter,
                           csrf=csrf, last_event_id=operations.last_event_id(ws))

    async def html_page(render: Callable[[], str], missing: str | None = None) -> Response:
        """The page `render` makes, or a problem page: a CodeQueryError titled `missing`
        (a 404, when given), a damaged database (a 500)."""
        try:
            html, status = await in_thread(render), 200
        except CodeQueryError as exc:
            if missing is None:
                raise
            html, status = pages.problem(missing, str(exc)), 404
        except Exception as exc:
            damage = ws.damage_error(exc)
            if damage is None:
                raise
            html, status = pages.problem("Cannot read the index", str(damage)), 500
        return HTMLResponse(html, status_code=status, headers=pages.SECURITY_HEADERS)

    @server.custom_route("/", methods=["GET"], include_in_schema=False)
    async def index(request: Request) -> Response:
        return await html_page(page)

    @server.custom_route("/static/{name}", methods=["GET"], include_in_schema=False)
    async def static(request: Request) -> Response:
        found = pages.static_file(request.path_params["name"])
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        body, media_type = found
        return Response(body, media_type=media_type, headers={"Cache-Control": "no-cache"})

    @server.custom_route("/file", methods=["GET"], include_in_schema=False)
    async def record(request: Request) -> Response:
        path = request.query_params.get("path", "").strip()
        if not path:  # a request with no file named is a bad one, not a missing record
            return HTMLResponse(pages.problem("No file named", "/file needs ?path=PATH, a "
                                              "file's path from the repository's root"),
                                status_code=400, headers=pages.SECURITY_HEADERS)
        return await html_page(lambda: pages.record(operations.show(ws, path)), "No record")

    @server.custom_route("/api/summary", methods=["GET"], include_in_schema=False)
    async def api_summary(request: Request) -> Response:
        return await _json(ws, summary)

    @server.custom_route("/api/jobs", methods=["GET"], include_in_schema=False)
    async def api_jobs(request: Request) -> Response:
        return await _json(ws, lambda: operations.jobs(
            ws, request.query_params.get("status") or None,
            _limit(request, operations.MAX_LIMIT, operations.MAX_LIMIT)))

    @server.custom_route("/api/jobs/{job_id}", methods=["GET"], include_in_schema=False)
    async def api_job(request: Request) -> Response:
        return await _json(ws, lambda: operations.job(ws, _job_id(request)))

    @server.custom_route("/api/jobs/{job_id}/{action}", methods=["POST"],
                         include_in_schema=False)
    async def api_action(request: Request) -> Response:
        given = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given.encode(), csrf.encode()):
            return JSONResponse({"error": "this action needs the token of the page this "
                                          "server made (reload the page if the server "
                                          f"restarted; {CSRF_HEADER} header)"},
                                status_code=403, headers=NO_STORE)
        action = request.path_params["action"]
        if action not in ACTIONS:
            return JSONResponse({"error": f"no action {action!r}"}, status_code=404)

        def act() -> dict[str, Any]:
            found = operations.find_job(ws, _job_id(request))
            done = ACTIONS[action](ws, [found.id], by="dashboard")
            if not done:
                raise CodeQueryError(f"{found.id} is {found.status}: {REFUSED[action]}")
            return operations.job(ws, found.id)

        return await _json(ws, act)

    @server.custom_route("/api/events", methods=["GET"], include_in_schema=False)
    async def api_events(request: Request) -> Response:
        return await _json(ws, lambda: operations.events(ws, None, _limit(request, 50, 500)))

    @server.custom_route("/api/events/stream", methods=["GET"], include_in_schema=False)
    async def api_stream(request: Request) -> Response:
        after = live.start_after(request.query_params.get("after"),
                                 request.headers.get("last-event-id"))
        return StreamingResponse(live.events(ws, after, stopping),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @server.custom_route("/api/search", methods=["GET"], include_in_schema=False)
    async def api_search(request: Request) -> Response:
        return await _json(ws, lambda: measured(
            meter, lambda: ws.dataset, "dashboard",
            lambda: operations.search(ws, request.query_params.get("q", ""),
                                      _limit(request, 20, operations.MAX_LIMIT))))
