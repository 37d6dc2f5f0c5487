"""The command line: parsing arguments and printing. The work lives in the library."""

from codequery.cli import documents  # noqa: F401 - registers the commands
from codequery.cli.app import cli


def main() -> None:
    cli(prog_name="codequery")
