"""codequery serve (the MCP server) and mcp-config (connecting MCP clients to it)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

import click

from codequery.cli.app import State, cli, require_with, stderr_console, warn_of_settings
from codequery.errors import CodeQueryError

CLIENTS = ("claude", "cursor", "vscode")
CONFIG_FILES = {"claude": ".mcp.json", "cursor": ".cursor/mcp.json", "vscode": ".vscode/mcp.json"}


@cli.command()
@click.option("--http", "use_http", is_flag=True,
              help="Serve streamable HTTP on 127.0.0.1 (with /metrics and the dashboard "
                   "at /) instead of stdio.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="With --http: the port on 127.0.0.1.")
@click.option("--token", envvar="CODEQUERY_TOKEN", show_envvar=True,
              help="With --http: require `Authorization: Bearer TOKEN` on every request "
                   "(ASCII, no spaces or \" ' , ; \\ % & #).")
@click.pass_obj
def serve(state: State, use_http: bool, port: int, token: str | None) -> None:
    """Serve the index to coding agents over MCP (stdio by default: what
    `claude mcp add` runs). Tools: search, show, list_files, status, document, job.

    With --http, streamable HTTP at http://127.0.0.1:PORT/mcp, Prometheus metrics at
    /metrics and the dashboard at http://127.0.0.1:PORT/ (with --token, open
    /?token=TOKEN once); only that host may call it (a request from another Origin gets
    403).
    """
    require_with("--http", use_http, "port", "token")
    if token is None and use_http and os.environ.get("CODEQUERY_TOKEN") is not None:
        # click takes an empty variable for none: that would serve with no token at all
        raise CodeQueryError("CODEQUERY_TOKEN is set but empty; give a real token, or "
                             "unset it to serve without one")
    ws = state.workspace
    if use_http or ws.paths.settings.exists():
        ws.require_initialized()
        # a config.json that is no JSON (an edit half done) reads on from its last good
        # copy, as a search does: an agent's server started meanwhile still answers
        ws.dataset  # noqa: B018 - a config with no good copy fails here, with its message
        warn_of_settings(state)
        if not ws.settings_trouble:
            ws.config  # noqa: B018 - an invalid config fails here, with its message
    # Otherwise stdio serves all the same: an MCP client shows only "connection closed"
    # for a server that exits, while each tool's error says to run `codequery init`.
    if token is not None and not token.strip():
        raise CodeQueryError("the token is empty; give a real one (or none at all)")
    if not use_http:
        import signal

        from codequery.server.mcp_tools import build

        # The SDK's stdin reader would hold a Ctrl-C back until stdin closes; every write
        # is a committed SQLite transaction, so stopping at once loses nothing.
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))
        build(ws).run("stdio")
        return
    from codequery.server import http

    problem = None if token is None else http.token_problem(token)
    if problem is not None:
        raise CodeQueryError(problem)

    def ready() -> None:
        stderr_console().print(
            f"codequery: serving MCP at http://127.0.0.1:{port}/mcp, metrics at /metrics "
            f"and the dashboard at http://127.0.0.1:{port}/"
            + (" (token required; in a browser open /?token=TOKEN once)" if token else ""))

    http.run(ws, port, token, on_ready=ready)


def executable() -> str:
    """The absolute path of the installed `codequery` command."""
    beside = Path(sys.executable).parent / "codequery"
    if beside.exists():
        return str(beside)
    found = shutil.which("codequery")
    return os.path.abspath(found) if found else os.path.abspath(sys.argv[0])


def client_config(client: str, command: str, root: Path) -> dict:
    args = ["-C", str(root), "serve"]
    if client == "vscode":
        return {"servers": {"codequery": {"type": "stdio", "command": command, "args": args}}}
    if client == "claude":  # as `claude mcp add` writes it
        return {"mcpServers": {"codequery": {"type": "stdio", "command": command,
                                             "args": args, "env": {}}}}
    return {"mcpServers": {"codequery": {"command": command, "args": args}}}


def _merge(path: Path, config: dict) -> None:
    """Add our server to an existing config file, keeping everything else in it."""
    current: dict = {}
    if path.exists():
        try:
            current = json.loads(path.read_text(encoding="utf-8") or "{}")
        except ValueError as exc:
            raise CodeQueryError(f"{path} is not valid JSON ({exc}); fix it first") from None
        if not isinstance(current, dict):
            raise CodeQueryError(f"{path} does not hold a JSON object; fix it first")
    for key, servers in config.items():
        section = current.setdefault(key, {})
        if not isinstance(section, dict):
            raise CodeQueryError(f"{path}: {key!r} is not an object; fix it first")
        section.update(servers)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@cli.command("mcp-config")
@click.option("--client", type=click.Choice(CLIENTS), default="claude", show_default=True,
              help="Which MCP client the config is for.")
@click.option("--write", is_flag=True,
              help="Write it into the client's project file (.mcp.json, .cursor/mcp.json or "
                   ".vscode/mcp.json), keeping the servers already there.")
@click.pass_obj
def mcp_config(state: State, client: str, write: bool) -> None:
    """Print (or write) the MCP config that connects a client to this repository's
    index, with the absolute path of the installed codequery, and the `claude mcp add`
    line."""
    ws = state.workspace
    ws.require_initialized()
    command = executable()
    config = client_config(client, command, ws.root)
    target = ws.root / CONFIG_FILES[client]
    console = stderr_console()
    if write:
        _merge(target, config)
        console.print(f"codequery: wrote the codequery server into {target}")
    else:
        click.echo(json.dumps(config, indent=2))
        console.print(f"codequery: this goes in {target} (or pass --write)")
    if client == "claude":
        line = shlex.join(["claude", "mcp", "add", "--scope", "project", "codequery", "--",
                           command, "-C", str(ws.root), "serve"])
        if not write:
            click.echo(f"codequery: or run: {line}", err=True)  # one line, to copy
        console.print("codequery: Claude Code asks before it starts a server from .mcp.json: "
                      "run `claude` in this repository once and approve codequery "
                      "(`claude mcp list` then says Connected)")
