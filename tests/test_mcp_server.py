"""The MCP server (`codequery serve`, stdio and streamable HTTP), /metrics, the worker's
--metrics-port and `codequery mcp-config`, driven by the MCP SDK's own clients against the
installed console script."""

from __future__ import annotations

import json
import os
import shlex
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from prometheus_client.parser import text_string_to_metric_families

from codequery import operations
from codequery.server import metrics
from codequery.workspace import Workspace
from tests.helpers import (
    CODEQUERY_BIN,
    cli_run,
    commit_all,
    free_port,
    http_server,
    request,
    run_installed,
    wait_for,
    write,
)

pytestmark = pytest.mark.slow

TOOLS = {"search", "show", "list_files", "status", "document", "job"}
REQUIRED = {"search": ["query"], "show": ["path"], "list_files": [], "status": [],
            "document": ["paths"], "job": ["job_id"]}
DEADLINE = 90  # seconds for one whole conversation with a server
NEW_FUNCTION = (
    "\n\ndef reconcile_ledger_totals(ledger: dict) -> float:\n"
    '    """Add up the ledger and compare it with the invoices."""\n'
    "    return 0.0\n"
)
INITIALIZE = json.dumps({
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {},
               "clientInfo": {"name": "raw-test", "version": "0"}},
})
MCP_HEADERS = {"Content-Type": "application/json",
               "Accept": "application/json, text/event-stream"}


# --- helpers ----------------------------------------------------------------------------

def run_async(conversation) -> Any:
    """Run one async conversation; a server that hangs fails the test instead."""
    async def bounded():
        with anyio.fail_after(DEADLINE):
            return await conversation()
    return anyio.run(bounded)


@asynccontextmanager
async def stdio_session(repo: Path, errlog: Path, command: str | None = None,
                        args: list[str] | None = None) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=command or str(CODEQUERY_BIN),
                                   args=args if args is not None else ["-C", str(repo), "serve"])
    with errlog.open("a", encoding="utf-8") as log:
        async with stdio_client(params, errlog=log) as (read, write), \
                ClientSession(read, write, read_timeout_seconds=60) as session:
            await session.initialize()
            yield session


@asynccontextmanager
async def http_session(url: str, headers: dict[str, str] | None = None
                       ) -> AsyncIterator[ClientSession]:
    timeout = httpx2.Timeout(30, read=120)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as client, \
            streamable_http_client(url, http_client=client) as (read, write), \
            ClientSession(read, write, read_timeout_seconds=60) as session:
        await session.initialize()
        yield session


def ok(result) -> Any:
    """A successful tool result's structured value (a list comes wrapped in "result")."""
    assert not result.is_error, result.content
    value = result.structured_content
    assert value is not None, result.content
    return value["result"] if set(value) == {"result"} else value


def error_text(result) -> str:
    assert result.is_error, result
    return "\n".join(block.text for block in result.content)


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(family, **labels: str) -> float:
    names = {family.name, f"{family.name}_total"}  # a counter's sample ends in _total
    [sample] = [s for s in family.samples if s.name in names
                and all(s.labels.get(k) == v for k, v in labels.items())]
    return sample.value


# --- stdio ------------------------------------------------------------------------------

def test_stdio_lists_the_six_tools_and_each_one_answers(initialized_repo: Path, tmp_path: Path):
    repo = initialized_repo
    write(repo, {"web/app.js": "// Front end\nexport function drawLedgerChart() {}\n"})
    queued = cli_run(repo, "document", "--queue", "web/app.js")  # a job for the job tool
    assert queued.exit_code == 0, queued.output
    job_id = queued.stdout.split("\t")[0].strip()
    write(repo, {"README.md": "# Sample project\n\n## Invoice ledger reconciliation\n"})

    async def conversation():
        async with stdio_session(repo, tmp_path / "serve.log") as session:
            listed = (await session.list_tools()).tools
            calls = {
                "search": await session.call_tool("search", {"query": "parse_invoice"}),
                "show": await session.call_tool("show", {"path": "src/invoices.py"}),
                "list_files": await session.call_tool("list_files", {"glob": "src/*"}),
                "stale": await session.call_tool("list_files", {"stale_only": True}),
                "status": await session.call_tool("status", {}),
                "nothing": await session.call_tool("search", {"query": "zqxjv"}),
                "common": await session.call_tool("search", {"query": "where is the"}),
                "document": await session.call_tool("document", {"paths": ["README.md"]}),
                "after": await session.call_tool("search", {"query": "reconciliation"}),
                "no_files": await session.call_tool("list_files", {"glob": "nothing/*"}),
                "one_file": await session.call_tool("list_files", {"limit": 1}),
            }
            # no worker: the job is not waited for, and the answer says why
            started = time.monotonic()
            calls["job"] = await session.call_tool("job", {"job_id": job_id,
                                                           "wait_seconds": 60})
            calls["job_waited"] = time.monotonic() - started
            settings = repo / ".code-query" / "config.json"
            kept = settings.read_text()
            settings.write_text("{half edited")  # an agent that only searches is told
            calls["half_edited"] = await session.call_tool("search", {"query": "parse_invoice"})
            settings.write_text(kept)
            return session.instructions, listed, calls

    instructions, listed, calls = run_async(conversation)
    assert instructions and "search" in instructions
    assert {tool.name for tool in listed} == TOOLS and len(listed) == len(TOOLS)
    for tool in listed:
        assert tool.description and len(tool.description) > 40, tool.name
        # a new user's trial: the source's indentation came along ("\n        (")
        assert "  " not in tool.description and "\n" not in tool.description, tool.name
        schema = tool.input_schema
        assert schema["type"] == "object", tool.name
        assert sorted(schema.get("required", [])) == sorted(REQUIRED[tool.name]), tool.name
        assert set(REQUIRED[tool.name]) <= set(schema.get("properties", {})), tool.name
    schemas = {tool.name: tool.input_schema["properties"] for tool in listed}
    assert set(schemas["search"]) == {"query", "limit", "tests"}
    assert set(schemas["list_files"]) == {"glob", "stale_only", "limit"}
    assert set(schemas["document"]) == {"paths", "priority", "wait_seconds"}
    assert set(schemas["job"]) == {"job_id", "wait_seconds"}
    # the bounds and choices an agent had learnt only from errors (a new user's trial)
    assert (schemas["search"]["limit"]["minimum"], schemas["search"]["limit"]["maximum"]) == (
        1, 200)
    assert schemas["search"]["limit"]["type"] == "integer"
    assert schemas["list_files"]["limit"]["maximum"] == 10_000
    assert schemas["document"]["priority"]["enum"] == ["high", "normal", "low"]
    for tool in ("document", "job"):
        assert (schemas[tool]["wait_seconds"]["minimum"],
                schemas[tool]["wait_seconds"]["maximum"]) == (0, 300)

    [hit] = [r for r in ok(calls["search"]) if r["path"] == "src/invoices.py"]
    assert {"name": "parse_invoice", "kind": "function", "line": 6,
            "summary": "Read one invoice from JSON text."} in hit["symbols"]
    assert hit["stale"] is False

    record = ok(calls["show"])
    assert record["path"] == "src/invoices.py"
    assert [f["name"] for f in record["functions"]] == ["parse_invoice"]
    assert record["classes"][0]["name"] == "InvoiceTotaler"

    assert ok(calls["list_files"]) == [{"path": "src/invoices.py", "language": "python",
                                        "stale": False}]
    assert [f["path"] for f in ok(calls["stale"])] == ["README.md", "web/app.js"]

    status = ok(calls["status"])
    assert status["index"]["documented"] == 3 and status["worker"]["running"] is False
    assert status["queue"]["pending"] == 1

    # no match: an empty result, and a text that says so instead of no content at all
    assert ok(calls["nothing"]) == []
    assert [block.text for block in calls["nothing"].content] == [
        "no results for 'zqxjv' among 3 documented files, 1 more waiting to be documented:"
        " try other words, or names from the code; edited since documented, their new "
        "words not indexed yet: README.md, web/app.js (`codequery document` indexes them)"]

    # a query of common words alone is searched for all the same, and says so
    assert calls["common"].content[-1].text.startswith(
        "note: every word of the query is a common word (where, is, the)")
    assert ok(calls["nothing"]) == [] and "note" not in calls["nothing"].content[-1].text

    job = ok(calls["job"])
    assert job["id"] == job_id and job["path"] == "web/app.js" and job["status"] == "pending"
    assert job["waiting_for"] == "worker" and calls["job_waited"] < 30
    assert job["events"]

    documented = ok(calls["document"])  # no worker: the builtin documenter, at once
    assert documented["done"] is True
    assert [r["path"] for r in documented["records"]] == ["README.md"]
    assert documented["records"][0]["stale"] is False
    assert [r["path"] for r in ok(calls["after"])] == ["README.md"]

    # list_files says when nothing matches, and how many more a limit left out
    assert ok(calls["no_files"]) == []
    assert calls["no_files"].content[-1].text == \
        "no documented file matches 'nothing/*' (3 documented)"
    assert len(ok(calls["one_file"])) == 1
    assert calls["one_file"].content[-1].text.startswith("2 more files match: narrow the glob")
    # a half-edited config: the results, and a warning an agent reads
    assert ok(calls["half_edited"])[0]["path"] == "src/invoices.py"
    assert calls["half_edited"].content[-1].text.startswith(
        "warning: ") and "is not valid JSON" in calls["half_edited"].content[-1].text


def test_stdio_a_wait_for_a_job_of_a_blocked_documenter_ends_saying_so(
        initialized_repo: Path, tmp_path: Path):
    # a new user's trial: waits of 2 to 10 s ended `pending` with waiting_for null, as
    # no check of the block (every 15 s) fell within them
    from tests.helpers import a_job_held_by_a_block

    async def conversation(job_id: str):
        async with stdio_session(initialized_repo, tmp_path / "serve.log") as session:
            began = time.monotonic()
            found = ok(await session.call_tool("job", {"job_id": job_id,
                                                       "wait_seconds": 1.5}))
            return found, time.monotonic() - began

    with a_job_held_by_a_block(initialized_repo) as job_id:
        found, took = run_async(lambda: conversation(job_id))
    assert found["status"] == "pending" and took >= 1.5
    assert found["waiting_for"] == "blocked"
    assert found["blocked"] == "not logged in: run `claude` once"


def test_stdio_bad_requests_are_tool_errors_that_say_what_is_wrong(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CODEQUERY_SKIP", "1")
    outside = tmp_path / "outside.py"
    outside.write_text("def outside():\n    pass\n", encoding="utf-8")
    (repo / "escape.py").symlink_to(outside)
    commit_all(repo, "a symlink pointing out")
    assert cli_run(repo, "init").exit_code == 0
    write(repo, {"src/scratch.py": "def scratch():\n    pass\n"})  # never added to git

    cases = [
        ("show", {"path": "../x"}, "../x is outside the repository"),
        ("show", {"path": str(outside)}, "is outside the repository"),
        ("show", {"path": "escape.py"}, "symlink pointing outside the repository"),
        ("show", {"path": "src/nope.py"}, "no record for src/nope.py"),
        ("search", {"query": ""}, "the query is empty"),
        ("search", {"query": "invoice", "limit": 10_000},
         "limit must be between 1 and 200, not 10000"),
        ("search", {"query": "invoice", "limit": 0}, "limit must be between 1 and 200, not 0"),
        # arguments of the wrong type or missing: said in words, one line
        ("search", {"query": "invoice", "limit": "ten"},
         "Error executing tool search: limit must be a whole number (got 'ten')"),
        ("search", {"limit": 3}, "Error executing tool search: query is required"),
        # a misspelt name had been dropped unsaid: the default limit, no error (a trial)
        ("search", {"query": "invoice", "limt": 1},
         "Error executing tool search: unknown argument 'limt' (did you mean 'limit'?): "
         "search takes query, limit, tests"),
        ("status", {"verbose": True}, "unknown argument 'verbose': status takes no arguments"),
        ("show", {"path": 7}, "path must be a string (got 7)"),
        ("show", {"path": ["x"] * 50},
         "path must be a string (got ['x', 'x', 'x', 'x', 'x', 'x', ...])"),
        ("document", {"paths": "README.md", "priority": "high"}, "paths must be a list"),
        ("job", {"job_id": "Q-00000000"}, "no job 'Q-00000000'"),
        ("job", {"job_id": "garbage"}, "'garbage' is not a job id (they look like Q-1A2B3C4D)"),
        ("job", {"job_id": "Q-00000000", "wait_seconds": 301}, "wait_seconds must be between"),
        ("document", {"paths": ["src/scratch.py"]}, "not tracked by git: src/scratch.py"),
        ("document", {"paths": ["../elsewhere.py"]}, "outside the repository"),
        ("document", {"paths": []}, "give one or more file paths"),
        ("document", {"paths": ["README.md"], "priority": "urgent"}, "priority must be one of"),
        # a boolean is true or false (or those words), not a word that might mean one
        ("search", {"query": "invoice", "tests": "yes"}, "tests must be true or false"),
        ("search", {"query": "invoice", "tests": 1}, "tests must be true or false"),
        ("list_files", {"stale_only": "maybe"}, "stale_only must be true or false"),
        ("list_files", {"glob": "../*"}, "glob '../*' reaches outside the repository"),
        ("list_files", {"glob": "/etc/*"}, "reaches outside the repository"),
        ("list_files", {"glob": " "}, "the glob is empty"),
        ("list_files", {"limit": 0}, "limit must be between 1 and 10,000, not 0"),
        # a count is a number, not true (which had been read as 1)
        ("search", {"query": "invoice", "limit": True},
         "Error executing tool search: limit must be a whole number (got True)"),
    ]

    async def conversation():
        async with stdio_session(repo, tmp_path / "serve.log") as session:
            results = [await session.call_tool(name, args) for name, args, _ in cases]
            still_fine = await session.call_tool("search", {"query": "parse_invoice",
                                                            "tests": "false"})
            return results, still_fine

    results, still_fine = run_async(conversation)
    for (name, args, expected), result in zip(cases, results, strict=True):
        text = error_text(result)
        assert expected in text, (name, args, text)
        assert "Traceback" not in text and "pydantic" not in text and "\n" not in text
    assert ok(still_fine)[0]["path"] == "src/invoices.py"  # errors did not hurt the server


def test_stdio_unexpected_failure_names_nothing_of_the_repository(
        initialized_repo: Path, tmp_path: Path):
    """A record broken under a running server (its stored JSON garbled) makes the
    operation fail unexpectedly: the tool error must not carry the repository's absolute
    path or the database's contents."""
    import sqlite3

    db = initialized_repo / ".code-query" / "code_data.db"

    async def conversation():
        async with stdio_session(initialized_repo, tmp_path / "serve.log") as session:
            fine = await session.call_tool("search", {"query": "invoice"})
            with sqlite3.connect(db) as other:
                other.execute("UPDATE records SET doc = '{not json at all' "
                              "WHERE path = 'src/invoices.py'")
            return fine, await session.call_tool("show", {"path": "src/invoices.py"})

    fine, broken = run_async(conversation)
    assert not fine.is_error
    text = error_text(broken)
    assert text.startswith("Error executing tool show")
    assert str(initialized_repo) not in text and "not json" not in text


def test_stdio_a_damaged_database_is_a_tool_error_that_says_what_to_do(damaged_repo: Path,
                                                                        tmp_path: Path):
    async def conversation():
        async with stdio_session(damaged_repo, tmp_path / "serve.log") as session:
            return [await session.call_tool(name, args) for name, args in (
                ("status", {}), ("document", {"paths": ["README.md"]}))]

    for result in run_async(conversation):
        text = error_text(result)
        assert "cannot use database " in text and "bug" not in text, text
        assert "move it aside and run `codequery document`" in text


def test_stdio_before_init_serves_and_each_tool_says_to_run_init(repo: Path, tmp_path: Path):
    async def conversation():
        async with stdio_session(repo, tmp_path / "serve.log") as session:
            listed = (await session.list_tools()).tools
            return listed, [await session.call_tool(name, args) for name, args in (
                ("search", {"query": "invoice"}), ("status", {}),
                ("document", {"paths": ["README.md"]}))]

    listed, results = run_async(conversation)
    assert {tool.name for tool in listed} == TOOLS
    for result in results:
        assert "codequery is not set up in" in error_text(result)
        assert "run `codequery init` there first" in error_text(result)
    assert not (repo / ".code-query").exists()


def test_stdio_starts_and_searches_while_config_json_is_no_json(initialized_repo: Path,
                                                               tmp_path: Path):
    # a user's trial: an edit half done in config.json and an agent's server starting
    # meanwhile got "Connection closed" and no tools, where a search reads on
    (initialized_repo / ".code-query" / "config.json").write_text('{"version": 1, ',
                                                                  encoding="utf-8")
    errlog = tmp_path / "serve.log"

    async def conversation():
        async with stdio_session(initialized_repo, errlog) as session:
            return await session.call_tool("search", {"query": "invoice"})

    found = ok(run_async(conversation))
    assert found and found[0]["path"] == "src/invoices.py"
    assert "not valid JSON; read the index as its last good copy" in " ".join(
        errlog.read_text().split())


def test_http_an_empty_token_variable_is_refused_not_taken_for_none(initialized_repo: Path):
    done = run_installed(initialized_repo, "serve", "--http", "--port", str(free_port()),
                         timeout=30, env={**os.environ, "CODEQUERY_TOKEN": ""})
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: CODEQUERY_TOKEN is set but empty"), done.stderr


def test_stdio_read_after_write_through_the_worker(initialized_repo: Path, tmp_path: Path):
    repo = initialized_repo
    started = run_installed(repo, "worker", "start")
    assert started.returncode == 0, started.stderr
    source = (repo / "src" / "invoices.py").read_text(encoding="utf-8")
    new_line = source.count("\n") + 3
    try:
        async def conversation():
            async with stdio_session(repo, tmp_path / "serve.log") as session:
                before = await session.call_tool("search", {"query": "reconcile_ledger_totals"})
                write(repo, {"src/invoices.py": source + NEW_FUNCTION})
                documented = await session.call_tool(
                    "document", {"paths": ["src/invoices.py"], "wait_seconds": 30})
                found = await session.call_tool("search", {"query": "reconcile_ledger_totals"})
                shown = await session.call_tool("show", {"path": "src/invoices.py"})
                job_id = ok(documented)["jobs"][0]["id"] if ok(documented)["jobs"] else "none"
                job = await session.call_tool("job", {"job_id": job_id, "wait_seconds": 5})
                return before, documented, found, shown, job

        before, documented, found, shown, job = run_async(conversation)
    finally:
        stopped = run_installed(repo, "worker", "stop")
    assert stopped.returncode == 0, stopped.stderr

    assert ok(before) == []
    result = ok(documented)
    assert result["done"] is True
    [queued] = result["jobs"]  # the worker did it: the job is in the answer
    assert queued["path"] == "src/invoices.py" and queued["status"] == "completed"
    [record] = result["records"]
    assert "reconcile_ledger_totals" in [f["name"] for f in record["functions"]]

    [hit] = ok(found)
    assert hit["path"] == "src/invoices.py" and hit["stale"] is False
    assert hit["symbols"] == [{"name": "reconcile_ledger_totals", "kind": "function",
                               "line": new_line,
                               "summary": "Add up the ledger and compare it with the invoices."}]
    record = ok(shown)
    assert record["stale"] is False
    assert {"reconcile_ledger_totals": new_line}.items() <= {
        f["name"]: f["line"] for f in record["functions"]}.items()
    assert ok(job)["status"] == "completed" and ok(job)["id"] == queued["id"]


# --- streamable HTTP --------------------------------------------------------------------

def test_http_serves_the_tools_and_metrics_and_refuses_other_hosts(
        initialized_repo: Path, tmp_path: Path):
    with http_server(initialized_repo, tmp_path / "serve.log") as port:
        url = f"http://127.0.0.1:{port}/mcp"

        async def conversation():
            async with http_session(url) as session:
                tools = (await session.list_tools()).tools
                found = await session.call_tool("search", {"query": "parse_invoice"})
                await session.call_tool("search", {"query": "zebra"})  # finds nothing
                await session.call_tool("search", {"query": ""})  # an error: not counted
                missing = await session.call_tool("show", {"path": "src/nope.py"})
                return tools, found, missing

        tools, found, missing = run_async(conversation)
        assert {tool.name for tool in tools} == TOOLS
        assert ok(found)[0]["path"] == "src/invoices.py"
        assert "no record for src/nope.py" in error_text(missing)

        # The guard: only this server's own host and origin.
        own = request(port, "POST", "/mcp", {**MCP_HEADERS, "Origin": f"http://127.0.0.1:{port}"},
                      INITIALIZE)
        assert own[0] == 200, own
        by_name = request(port, "POST", "/mcp", {**MCP_HEADERS, "Host": f"localhost:{port}"},
                          INITIALIZE)
        assert by_name[0] == 200, by_name
        evil_origin = request(port, "POST", "/mcp",
                              {**MCP_HEADERS, "Origin": "http://evil.example"}, INITIALIZE)
        assert evil_origin[0] == 403, evil_origin
        assert "evil.example" in evil_origin[2]
        evil_host = request(port, "POST", "/mcp", {**MCP_HEADERS, "Host": f"evil.example:{port}"},
                            INITIALIZE)
        assert evil_host[0] == 403, evil_host
        assert request(port, "GET", "/metrics", {"Host": f"evil.example:{port}"})[0] == 403
        # one's own host without the port is refused too, saying what would do
        portless = request(port, "GET", "/metrics", {"Host": "127.0.0.1"})
        assert portless[0] == 403 and f"127.0.0.1:{port}" in portless[2], portless
        assert "not '127.0.0.1'" in portless[2]

        assert request(port, "GET", "/api/search?q=invoice")[0] == 200  # the dashboard's
        status, headers, text = request(port, "GET", "/metrics")
    assert status == 200
    searches = {s.labels["face"]: s.value for s in families(text)["codequery_searches"].samples
                if s.name == "codequery_searches_total"}
    assert searches == {"mcp": 2.0, "dashboard": 1.0}
    empty = [s for s in families(text)["codequery_searches_empty"].samples
             if s.name.endswith("_total")]
    assert [(s.labels["face"], s.value) for s in empty] == [("mcp", 1.0)]
    [timed] = [s.value for s in families(text)["codequery_search_seconds"].samples
               if s.name.endswith("_count") and s.labels["face"] == "mcp"]
    assert timed == 2.0
    assert headers["content-type"].startswith("text/plain")
    found_families = families(text)
    assert {"codequery_jobs", "codequery_job_duration_seconds", "codequery_worker_up",
            "codequery_reconcile_runs"} <= set(found_families)
    assert value(found_families["codequery_worker_up"]) == 0.0
    assert value(found_families["codequery_reconcile_runs"]) >= 1
    completed = operations.status(Workspace(initialized_repo))["queue"]["completed"]
    assert completed > 0
    assert sum(s.value for s in found_families["codequery_jobs"].samples
               if s.labels["state"] == "completed") == completed
    histogram = found_families["codequery_job_duration_seconds"]
    [count] = [s.value for s in histogram.samples if s.name.endswith("_count")]
    assert count == completed


def test_http_with_a_token_wants_the_bearer_header(initialized_repo: Path, tmp_path: Path):
    with http_server(initialized_repo, tmp_path / "serve.log", "--token", "secret") as port:
        bare = request(port, "POST", "/mcp", MCP_HEADERS, INITIALIZE)
        assert bare[0] == 401, bare
        assert bare[1].get("www-authenticate", "").startswith("Bearer")
        wrong = request(port, "POST", "/mcp", {**MCP_HEADERS, "Authorization": "Bearer nope"},
                        INITIALIZE)
        assert wrong[0] == 401, wrong
        assert "the bearer token is wrong" in wrong[2] and "is wrong" not in bare[2]
        assert request(port, "GET", "/metrics")[0] == 401
        assert request(port, "GET", "/metrics", {"Authorization": "Bearer secret"})[0] == 200

        async def conversation():
            async with http_session(f"http://127.0.0.1:{port}/mcp",
                                    {"Authorization": "Bearer secret"}) as session:
                tools = (await session.list_tools()).tools
                return tools, await session.call_tool("search", {"query": "InvoiceTotaler"})

        tools, found = run_async(conversation)
    assert {tool.name for tool in tools} == TOOLS
    assert ok(found)[0]["path"] == "src/invoices.py"


@pytest.mark.parametrize("token", ["令牌", "tökén", "a;b c", 'say "x"', "a,b", "50%&#"])
def test_http_refuses_at_start_a_token_no_header_cookie_or_url_could_carry(
        initialized_repo: Path, token: str):
    done = run_installed(initialized_repo, "serve", "--http", "--port", str(free_port()),
                         "--token", token, timeout=30)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: the token cannot hold "), done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_http_a_base64_token_works_by_header_cookie_and_url(initialized_repo: Path,
                                                            tmp_path: Path):
    token = "Ab+c/d=="
    with http_server(initialized_repo, tmp_path / "serve.log", "--token", token) as port:
        by_header = request(port, "GET", "/metrics", {"Authorization": f"Bearer {token}"})
        typed = request(port, "GET", f"/?token={token}")  # as typed in the address bar
        encoded = request(port, "GET", "/?token=Ab%2Bc%2Fd%3D%3D")
        cookie = typed[1].get("set-cookie", "").split(";")[0]
        by_cookie = request(port, "GET", "/api/summary", {"Cookie": cookie})
    assert by_header[0] == 200
    assert typed[0] == 303 and encoded[0] == 303
    assert cookie == f"codequery_token_{port}={token}" and by_cookie[0] == 200


def test_http_on_a_port_in_use_is_a_clear_error(initialized_repo: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_installed(initialized_repo, "serve", "--http", "--port", str(port),
                             timeout=30)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


# --- the worker's metrics ---------------------------------------------------------------

def test_worker_metrics_port(initialized_repo: Path):
    repo = initialized_repo
    port = free_port()
    started = run_installed(repo, "worker", "start", "--metrics-port", str(port))
    assert started.returncode == 0, started.stderr
    try:
        def scrape() -> str | None:
            try:
                status, _, text = request(port, "GET", "/metrics")
            except OSError:
                return None
            return text if status == 200 else None

        found = families(wait_for(scrape, timeout=30))
    finally:
        stopped = run_installed(repo, "worker", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert value(found["codequery_worker_up"]) == 1.0
    assert value(found["codequery_worker_uptime_seconds"]) > 0
    assert {"codequery_jobs", "codequery_job_duration_seconds",
            "codequery_reconcile_runs"} <= set(found)


def test_worker_metrics_port_answers_while_other_clients_send_half_a_request_or_nothing(
        initialized_repo: Path):
    repo = initialized_repo
    port = free_port()
    started = run_installed(repo, "worker", "start", "--metrics-port", str(port))
    assert started.returncode == 0, started.stderr
    try:
        wait_for(lambda: _answers(port), timeout=30)
        with socket.create_connection(("127.0.0.1", port)) as half, \
                socket.create_connection(("127.0.0.1", port)):  # sends nothing
            half.sendall(f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
            begun = time.monotonic()
            status, _, text = request(port, "GET", "/metrics")
            took = time.monotonic() - begun
            half.settimeout(metrics.READ_TIMEOUT_SECONDS + 5)
            dropped = half.recv(1024)  # the server gives up on it
    finally:
        stopped = run_installed(repo, "worker", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert status == 200 and "codequery_worker_up" in text and took < 3
    assert dropped == b""


def _answers(port: int) -> bool:
    try:
        return request(port, "GET", "/metrics")[0] == 200
    except OSError:
        return False


# --- mcp-config -------------------------------------------------------------------------

def test_mcp_config_for_claude(initialized_repo: Path, tmp_path: Path):
    repo = initialized_repo
    done = run_installed(repo, "mcp-config", "--client", "claude")
    assert done.returncode == 0, done.stderr
    server = json.loads(done.stdout)["mcpServers"]["codequery"]
    command = Path(server["command"])
    assert command.is_absolute() and command.is_file()
    assert server["args"] == ["-C", str(repo.resolve()), "serve"]
    assert not (repo / ".mcp.json").exists()  # printed, not written

    [line] = [line for line in done.stderr.splitlines() if "claude mcp add" in line]
    argv = shlex.split(line[line.index("claude mcp add"):])
    assert argv[:3] == ["claude", "mcp", "add"]
    assert argv[-4:] == [str(command), "-C", str(repo.resolve()), "serve"]

    async def conversation():  # the printed command really is this repository's server
        async with stdio_session(repo, tmp_path / "serve.log", server["command"],
                                 server["args"]) as session:
            return await session.list_tools()

    assert {tool.name for tool in run_async(conversation).tools} == TOOLS


def test_mcp_config_for_vscode_writes_and_keeps_other_servers(initialized_repo: Path):
    repo = initialized_repo
    target = repo / ".vscode" / "mcp.json"
    other = {"type": "stdio", "command": "/usr/bin/other-server", "args": ["--flag"]}
    write(repo, {".vscode/mcp.json": json.dumps({"servers": {"other": other},
                                                 "inputs": [{"id": "key"}]})})
    for _ in range(2):  # a second run changes nothing
        done = run_installed(repo, "mcp-config", "--client", "vscode", "--write")
        assert done.returncode == 0, done.stderr
        written = json.loads(target.read_text(encoding="utf-8"))
        assert written["servers"]["other"] == other
        assert written["inputs"] == [{"id": "key"}]
        ours = written["servers"]["codequery"]
        assert ours["type"] == "stdio"
        assert Path(ours["command"]).is_absolute() and Path(ours["command"]).is_file()
        assert ours["args"] == ["-C", str(repo.resolve()), "serve"]
        assert set(written["servers"]) == {"other", "codequery"}


def test_stdio_answers_every_request_written_before_stdin_closed(initialized_repo):
    # a new user's trial: requests piped into `codequery serve` with stdin then closed got
    # answers to initialize and tools/list only; the tool calls at work were dropped
    import subprocess

    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "script", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "search", "arguments": {"query": "invoice"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
         "params": {"name": "status", "arguments": {}}},
    ]
    done = subprocess.run([str(CODEQUERY_BIN), "-C", str(initialized_repo), "serve"],
                          input="".join(json.dumps(r) + "\n" for r in requests),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answers = {a["id"]: a for a in map(json.loads, done.stdout.splitlines())}
    assert sorted(answers) == [1, 2, 3, 4]
    found = json.loads(answers[3]["result"]["content"][0]["text"])
    assert found["path"] == "src/invoices.py"
    assert "dataset" in answers[4]["result"]["structuredContent"]
