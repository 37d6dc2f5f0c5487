"""The command line: parsing arguments and printing. The work lives in the library.

Each command's module is imported when the command runs (see `app.COMMAND_MODULES`).
"""

from codequery.cli.app import cli


def main() -> None:
    cli(prog_name="codequery")
