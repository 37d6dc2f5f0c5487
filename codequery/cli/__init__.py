"""The command line: parsing arguments and printing. The work lives in the library.

Each command's module is imported when the command runs (see `app.COMMAND_MODULES`), and
a plain search is answered before click is imported at all (see quick_search).
"""

import sys


def main() -> None:
    from codequery.cli import quick_search

    if quick_search.run(sys.argv[1:]):
        return
    from codequery.cli.app import cli

    cli(prog_name="codequery")
