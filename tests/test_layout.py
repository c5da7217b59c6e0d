"""The layout holds: layers import only downwards, no import circles, nothing read at import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lowest first: a module may import its own layer and the ones before it, never a later one.
LAYERS = [
    {"settings", "env", "mail_settings", "errors", "aws", "models", "logs", "rendering", "i18n"}
    | {"ops_settings", "metrics"},
    {"mail"},
    {"auth"},
    {"web", "worker"},
]


def _modules() -> list[str]:
    paths = sorted((ROOT / "chalicelib").rglob("*.py"))
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in paths]
    return [n.removesuffix(".__init__") for n in names] + ["app"]


def _layer(module: str) -> int:
    part = module.split(".")[1] if module.startswith("chalicelib.") else module
    for index, layer in enumerate(LAYERS):
        if part in layer:
            return index
    return len(LAYERS)  # app.py, and the chalicelib package itself: on top


def _imports(module: str) -> set[str]:
    """Every chalicelib module `module` imports, at any depth of its code (TYPE_CHECKING too)."""
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("chalicelib")
        ):
            known = set(_modules())
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("chalicelib"))
    return found - {module}


def test_every_import_points_down_the_layers() -> None:
    upward = [
        (module, target)
        for module in _modules()
        for target in _imports(module)
        if target != "chalicelib" and _layer(target) > _layer(module)
    ]
    assert upward == []


def test_there_is_no_import_circle() -> None:
    graph = {module: _imports(module) for module in _modules()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        assert module not in visiting, " -> ".join([*visiting, module])
        if module in done:
            return
        visiting.append(module)
        for target in graph.get(module, ()):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)


@pytest.mark.parametrize("module", _modules())
def test_each_module_imports_alone_without_reading_its_settings(module: str) -> None:
    """No setting is read at import: a bare environment imports every module, and
    get_settings() has not run afterwards (app.py reads only its event source names)."""
    script = (
        f"import importlib; importlib.import_module({module!r}); "
        "from chalicelib.settings import get_settings; "
        "assert get_settings.cache_info().misses == 0, 'settings read at import'"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
