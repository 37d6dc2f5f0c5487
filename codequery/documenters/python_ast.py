"""Python files through the standard library's `ast`: exact, offline, fast."""

from __future__ import annotations

import ast
import threading

from codequery.documenters import comments
from codequery.records import ClassInfo, FileDoc, Function

# A module docstring is the overview, its lines kept, up to this many characters.
PYTHON_OVERVIEW_MAX = 1000


def _first_line(node: ast.AST) -> str:
    """The docstring's first sentence, which may wrap over lines."""
    doc = ast.get_docstring(node, clean=True) if isinstance(
        node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else None
    return comments.docstring_summary(doc) if doc else ""


def _signature(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    prefix = "async def" if isinstance(fn, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(fn.returns)}" if fn.returns else ""
    return f"{prefix} {fn.name}({ast.unparse(fn.args)}){returns}"


def _function(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Function:
    return Function(name=fn.name, signature=_signature(fn), summary=_first_line(fn),
                    line=fn.lineno)


def _imports(tree: ast.Module) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found += [f"{base}.{a.name}" if node.module else f"{base}{a.name}"
                      for a in node.names]
    return list(dict.fromkeys(found))


def _all_names(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = node.value
            if isinstance(value, (ast.List, ast.Tuple)):
                return [e.value for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return None


def _public_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in dict.fromkeys(names) if not n.startswith("_")]


def dependencies(imports: list[str]) -> list[str]:
    import sys

    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    tops = [name.split(".")[0] for name in imports if not name.startswith(".")]
    return [t for t in dict.fromkeys(tops) if t and t not in stdlib and t != "__future__"]


# CPython 3.11's AST constructor keeps its recursion depth in state that threads share: a
# garbage collection in one thread during another's parse can raise "SystemError: AST
# constructor recursion depth mismatch" (gh-106905). Parses take turns.
_PARSING = threading.Lock()


def parse(text: str) -> ast.Module:
    """ast.parse, one thread at a time (see _PARSING)."""
    with _PARSING:
        return ast.parse(text)


def outline(text: str) -> FileDoc:
    """Raises SyntaxError (or ValueError for NUL bytes) when the file is not valid Python."""
    tree = parse(text)
    functions = [_function(n) for n in tree.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    classes = [
        ClassInfo(
            name=n.name,
            bases=[ast.unparse(b) for b in n.bases],
            summary=_first_line(n),
            methods=[_function(m) for m in n.body
                     if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))],
            line=n.lineno,
        )
        for n in tree.body if isinstance(n, ast.ClassDef)
    ]
    imports = _imports(tree)
    exports = _all_names(tree)
    return FileDoc(
        overview=comments.clip_at_a_word(ast.get_docstring(tree, clean=True) or "",
                                         PYTHON_OVERVIEW_MAX),
        functions=functions,
        classes=classes,
        imports=imports,
        exports=exports if exports is not None else _public_names(tree),
        dependencies=dependencies(imports),
    )
