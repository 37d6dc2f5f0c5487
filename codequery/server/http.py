"""`codequery serve --http`: streamable-HTTP MCP, /metrics and the dashboard on 127.0.0.1.

Every request passes one guard first: the Host header must name this server exactly and
an Origin header, if sent, must be this server's own (a web page elsewhere cannot reach
it through DNS rebinding: 403), and with a token, `Authorization: Bearer <token>` is
required (401). A browser cannot send that header when it opens a page, so it may show
the token once instead: `/?token=<token>` is answered with a cookie holding it and a
redirect to `/`, which leaves the token out of the address bar and the history. The
cookie is HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends
it); a page on another port of this machine counts as the same site, and the Origin
check refuses its requests. The MCP
SDK's own DNS-rebinding check is on as well.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from codequery.wording import quoted_clip
from codequery.workspace import Workspace

TOKEN_ENV = "CODEQUERY_TOKEN"
# A token travels in an Authorization header, a cookie and a URL typed by hand: beyond
# visible ASCII, these end a cookie's value (" , ; \\) or a query's value (% & #).
TOKEN_REFUSED = '"\',;\\%&#'


def token_problem(token: str) -> str | None:
    """Why `token` cannot work as this server's token, or None if it can."""
    odd = sorted({c for c in token if not ("!" <= c <= "~") or c in TOKEN_REFUSED})
    if not odd:
        return None
    shown = ", ".join("a space" if c == " " else repr(c) for c in odd)
    return (f"the token cannot hold {shown}: it must get through an HTTP header, a cookie "
            "and a URL unchanged; use ASCII letters, digits and punctuation other than "
            f"{' '.join(TOKEN_REFUSED)} (e.g. python3 -c 'import secrets; "
            "print(secrets.token_urlsafe())')")


def allowed(port: int) -> tuple[list[str], list[str]]:
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}"]
    return hosts, [f"http://{host}" for host in hosts]


def cookie_name(port: int) -> str:
    # Cookies are kept per host, not per port: the port in the name keeps two servers on
    # this machine from overwriting each other's.
    return f"codequery_token_{port}"


class Guard:
    """ASGI middleware: Host and Origin allow-lists, then the bearer token (or, for a
    browser, the cookie that `/?token=` sets)."""

    def __init__(self, app: Any, hosts: list[str], origins: list[str], token: str | None,
                 cookie: str):
        self.app, self.hosts, self.origins, self.token = app, set(hosts), set(origins), token
        self.cookie = cookie

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "lifespan"):
            return  # no websockets or anything else: nothing here speaks them
        if scope["type"] == "http":
            headers: dict[str, str] = {}
            problem = None
            for key, value in scope.get("headers", []):
                name = key.decode("latin-1").lower()
                if name in headers and name in ("host", "origin", "authorization"):
                    problem = (400, f"more than one {name} header")
                headers[name] = value.decode("latin-1")
            problem = problem or self._refuse(headers, scope.get("method", ""))
            # Signed in already or not: the token must not stay in the address bar.
            if (problem is None or problem[0] == 401) and self._login(scope):
                await _sign_in(send, self.cookie, self.token or "")
                return
            if problem is not None:
                status, message = problem
                if status == 401 and _sign_in_token(scope) is not None:  # a wrong one
                    message = ("the token in ?token= is wrong (it must be the --token, or "
                               "CODEQUERY_TOKEN, the server was started with)")
                await _reply(send, status, message,
                             [(b"www-authenticate", b"Bearer")] if status == 401 else [])
                return
        await self.app(scope, receive, send)

    def _refuse(self, headers: dict[str, str], method: str) -> tuple[int, str] | None:
        if headers.get("host") not in self.hosts:
            host = headers.get("host")
            return 403, ("this server answers only to Host " + " or ".join(sorted(self.hosts))
                         + ("" if host is None else f", not {quoted_clip(host)}"))
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            return 403, f"requests from origin {origin} are not allowed"
        # A browser says where a request comes from even when it sends no Origin (an
        # <img> or <script> on another page, another port's page included): only this
        # server's own pages may call it; another site may at most link to it.
        navigating = method == "GET" and headers.get("sec-fetch-mode") == "navigate"
        if headers.get("sec-fetch-site") in ("cross-site", "same-site") and not navigating:
            return 403, "requests from another site are not allowed"
        if self.token:
            scheme, _, given = headers.get("authorization", "").partition(" ")
            by_header = scheme.lower() == "bearer" and self._is_token(given.strip())
            if not (by_header or self._is_token(_cookie(headers.get("cookie", ""),
                                                        self.cookie))):
                if scheme.lower() == "bearer" and given.strip():
                    return 401, ("the bearer token is wrong (it must be the --token, or "
                                 "CODEQUERY_TOKEN, the server was started with)")
                return 401, ("a bearer token is required (Authorization: Bearer <token>; "
                             "in a browser, open /?token=<token> once)")
        return None

    def _is_token(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(),
                                                         (self.token or "").encode())

    def _login(self, scope: dict) -> bool:
        """A browser opening the dashboard as /?token=<the token>."""
        given = _sign_in_token(scope) if self.token else None
        return given is not None and self._is_token(given)


def _sign_in_token(scope: dict) -> str | None:
    """The token of a sign-in, a GET of `/?token=<token>` (one token), or None."""
    if scope.get("method") != "GET" or scope.get("path") != "/":
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = (part.partition("=") for part in query.split("&"))
    # unquote, not parse_qs: a "+" typed in a base64 token stays a "+" (no token holds a
    # space)
    given = [unquote(value) for key, _, value in pairs if key == "token"]
    return given[0] if len(given) == 1 else None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _sign_in(send: Any, name: str, token: str) -> None:
    cookie = f"{name}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", b"/"), (b"set-cookie", cookie.encode("latin-1")),
                            (b"cache-control", b"no-store"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _reply(send: Any, status: int, message: str,
                 extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


def app(ws: Workspace, port: int, token: str | None, stopping: Callable[[], bool]) -> Any:
    """The ASGI application: /mcp (streamable HTTP), /metrics and the dashboard (/), behind
    the guard. `stopping()` says the server is shutting down (live streams end then)."""
    from mcp.server.transport_security import TransportSecuritySettings
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from starlette.requests import Request
    from starlette.responses import Response

    from codequery.server import dashboard
    from codequery.server.mcp_tools import build
    from codequery.server.metrics import registry_for
    from codequery.server.search_meter import SearchMeter

    registry = registry_for(ws)
    meter = SearchMeter(registry)
    server = build(ws, meter)

    @server.custom_route("/metrics", methods=["GET"])
    async def metrics(request: Request) -> Response:
        import anyio

        body = await anyio.to_thread.run_sync(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    dashboard.add_routes(server, ws, stopping, meter)
    hosts, origins = allowed(port)
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                         allowed_hosts=hosts, allowed_origins=origins)
    return Guard(server.streamable_http_app(transport_security=security, host="127.0.0.1"),
                 hosts, origins, token, cookie_name(port))


def run(ws: Workspace, port: int, token: str | None, on_ready: Any = None) -> None:
    """Bind 127.0.0.1:port first (a port in use is a CodeQueryError), then serve."""
    import uvicorn

    from codequery import ports

    sock = ports.bound(port, "--port")
    # Open event streams end as soon as a stop is asked for; the timeout bounds the wait
    # for any other long-lived response (an MCP client's stream).
    config = uvicorn.Config(app(ws, port, token, stopping=lambda: server.should_exit),
                            log_level="warning", lifespan="on", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready()
    server.run(sockets=[sock])
