"""The command line: parsing arguments and printing. The work lives in the library."""

from codequery.cli import (  # noqa: F401 - importing registers the commands
    doctor_commands,
    documents,
    hook_commands,
    queue_commands,
    serve_commands,
    service_commands,
    setup_command,
    status,
    worker_commands,
)
from codequery.cli.app import cli


def main() -> None:
    cli(prog_name="codequery")
