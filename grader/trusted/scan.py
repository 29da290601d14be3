"""The static check before grading: which banned packages a file imports, and where.

It reads the source (never runs it) and finds `import x`, `from x import y`, and
`__import__("x")` / `importlib.import_module("x")` with a literal name. Computed names
get past it; the worker's runtime blocker stops those.
"""

from __future__ import annotations

import ast

from grader.trusted.policy import BANNED_MODULES


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        function = node.func
        name = function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else ""
        if name in ("__import__", "import_module") and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def banned_imports(source: bytes) -> list[str]:
    """Descriptions like "line 3: scipy" of each banned import in the source.

    A file that does not parse has none here: importing it fails in the worker instead,
    and the tests report that error to the student.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = []
    for node in ast.walk(tree):
        for name in _imported(node):
            if name.partition(".")[0] in BANNED_MODULES:
                found.append(f"line {node.lineno}: {name}")
    return found
