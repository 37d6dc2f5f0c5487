"""The faces codequery serves to other programs: the MCP server (stdio or streamable
HTTP), Prometheus metrics, and later the dashboard. All of them call `operations`."""
