from codequery.documenters.builtin import BuiltinDocumenter, leading_comment

DOC = BuiltinDocumenter()

PYTHON = '''"""Money helpers."""
from decimal import Decimal
import requests
from . import sibling

__all__ = ["to_cents"]


def to_cents(amount: Decimal, *, rounding: str = "half") -> int:
    """Convert an amount to cents.

    Longer text.
    """
    return int(amount * 100)


async def fetch_rate(currency):
    return requests.get(currency)


class Wallet(Base, metaclass=Meta):
    """Holds money."""

    def add(self, cents: int) -> None:
        """Add some cents."""
'''


def test_python_outline_has_signatures_docstrings_classes_imports_exports():
    doc = DOC.document("money.py", "python", PYTHON)
    assert doc.overview == "Money helpers."
    fns = {f.name: f for f in doc.functions}
    assert fns["to_cents"].signature == (
        "def to_cents(amount: Decimal, *, rounding: str='half') -> int")
    assert fns["to_cents"].summary == "Convert an amount to cents."
    assert fns["to_cents"].line == 9
    assert fns["fetch_rate"].signature.startswith("async def fetch_rate(")
    [wallet] = doc.classes
    assert wallet.bases == ["Base"]
    assert wallet.summary == "Holds money."
    assert [m.name for m in wallet.methods] == ["add"]
    assert doc.imports == ["decimal.Decimal", "requests", ".sibling"]
    assert doc.exports == ["to_cents"]
    assert doc.dependencies == ["requests"]


def test_python_without_all_exports_public_names():
    doc = DOC.document("m.py", "python", "def a(): pass\ndef _b(): pass\nX = 1\n")
    assert doc.exports == ["a", "X"]


def test_python_syntax_error_still_gives_a_record():
    doc = DOC.document("broken.py", "python", "# Broken module\ndef oops(:\n")
    assert doc.overview == "Broken module"
    assert "line 2" in doc.notes[0]


def test_markdown_headings_and_intro():
    text = "# Title\n\nFirst paragraph\ncontinues.\n\n```\n# not a heading\n```\n## Usage\n"
    doc = DOC.document("README.md", "markdown", text)
    assert doc.overview == "Title: First paragraph continues."
    assert doc.notes == ["Sections: Usage"]


def test_other_files_get_their_leading_comment():
    doc = DOC.document("x.sql", "sql", "-- Creates the users table\n-- and its index\nCREATE")
    assert doc.overview == "Creates the users table and its index"


def test_leading_comment_skips_a_shebang_and_stops_at_code():
    assert leading_comment("#!/bin/sh\n# Deploys things\necho hi\n# later") == "Deploys things"
    assert leading_comment("/* Block\n * comment */\nint x;") == "Block comment"


def test_typescript_goes_through_tree_sitter():
    doc = DOC.document("a.ts", "typescript", "export function add(a: number) { return a; }\n")
    assert [f.name for f in doc.functions] == ["add"]
