"""The dashboard: a page at `/` of `codequery serve --http` to watch and steer the queue.

Server-rendered HTML with one plain script and one style sheet shipped in the package:
no build step and nothing fetched from elsewhere. Every number and action comes from
`codequery.operations`, as for the CLI and the MCP tools.
"""

from codequery.server.dashboard.routes import add_routes

__all__ = ["add_routes"]
