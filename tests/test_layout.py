"""The shape of the code: imports point api -> exporters -> content, never back and never in a
circle; nothing outside content/ reaches through to the store or an engine; rooms stay small;
and the few `type: ignore` left each say why."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "content", "exporters")
FORBIDDEN = {
    "content": {"api", "exporters", "litestar", "jinja2", "weasyprint"},
    "exporters": {"api", "litestar", "sqlalchemy"},
}
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_TYPE_IGNORES = 15
# Reaching through a service to the store (`documents.store.get`) or holding a database engine is
# content's business alone. Files outside content/ allowed an engine, and why:
ENGINE_ALLOWED = {
    # The webhook outbox's sender and its delivery log: its SQL moves here from content/ (issue 25),
    # beside the HTTP that delivers it.
    "api/webhooks.py",
    # The cross-replica render cache: a table of rendered files and an advisory lock per render,
    # shared by every replica; an HTTP-side cache of exporter output, not content.
    "api/render_cache.py",
}
# A migration records one schema change as it was made; it is never edited afterwards, so its
# functions are not held to the size rule.
FROZEN = "content/migrations/versions/"
_REACH_THROUGH = re.compile(
    r"\.store\.|\bengine\b|create_engine|AsyncEngine|\.engine\b|state\.services\.\w+\."
)
_TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(?P<rest>.*)$")


def application_files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _code_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines of code with comments and docstrings left out (a docstring may name `.store.`)."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    for number, line in enumerate(path.read_text().splitlines(), 1):
        code = line.split("#", 1)[0]
        if number not in docstrings and code.strip():
            yield number, code


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN[package]
            ]
    assert offenders == []


def _imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import in a module: a deferred one (inside a function, or under ``if TYPE_CHECKING:``)
    hides a circle rather than removing it, so it counts."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def import_graph() -> dict[str, set[str]]:
    """Which application module imports which (``from package import module`` names the module)."""
    files = {module_name(path): path for path in application_files()}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                # `from package import module` imports the module; `from module import name` the module.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            graph[name] |= {t for t in targets if t in files and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_circles() -> None:
    found = circles(import_graph())
    assert not found, "\n".join(" <-> ".join(group) for group in found)


def test_circles_are_found() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_reach_through_is_found() -> None:
    for code in (
        "await documents.store.get(kind, slug)",
        "request.app.state.services.documents.tokens",
        "engine = create_engine(url)",
        "chart.exports.documents.store.engine",
    ):
        assert _REACH_THROUGH.search(code), code
    assert not _REACH_THROUGH.search("await reader.version(kind, slug, number, locale)")
    assert not _REACH_THROUGH.search("request.app.state.tokens")


def test_no_reach_through() -> None:
    """Outside content/, nothing reaches `.store.` or holds an engine (but the allowed files)."""
    offenders = [
        f"{relative(path)}:{number}: {code.strip()}"
        for path in application_files()
        if not relative(path).startswith("content/") and relative(path) not in ENGINE_ALLOWED
        for number, code in _code_lines(path)
        if _REACH_THROUGH.search(code)
    ]
    assert not offenders, "\n".join(offenders)


def test_allowances_still_needed() -> None:
    """An allowance is dropped when its file no longer holds an engine."""
    unused = [
        name
        for name in sorted(ENGINE_ALLOWED)
        if not any(_REACH_THROUGH.search(code) for _, code in _code_lines(ROOT / name))
    ]
    assert unused == []


def test_files_are_small() -> None:
    big = [
        f"{relative(path)}: {count} lines"
        for path in application_files()
        if (count := len(path.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert not big, "\n".join(big)


def test_functions_are_short() -> None:
    """Counted from the ``def`` line (decorators apart) to the function's last line."""
    long = [
        f"{relative(path)}:{node.lineno} {node.name}: {length} lines"
        for path in application_files()
        if not relative(path).startswith(FROZEN)
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert not long, "\n".join(long)


def type_ignores() -> list[tuple[str, str]]:
    """(file:line, the reason given after it) of every ``type: ignore`` in the application."""
    found = []
    for path in application_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if match := _TYPE_IGNORE.search(line):
                found.append((f"{relative(path)}:{number}", match["rest"].lstrip(" #").strip()))
    return found


def test_few_type_ignores() -> None:
    ignores = type_ignores()
    assert len(ignores) <= MAX_TYPE_IGNORES, "\n".join(where for where, _ in ignores)


def test_each_type_ignore_says_why() -> None:
    """A reason follows the ignore on its line: ``# type: ignore[code]  # why``."""
    bare = [where for where, reason in type_ignores() if not reason]
    assert not bare, "\n".join(bare)
