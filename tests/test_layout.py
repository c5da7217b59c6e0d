"""The layout holds: layers import only downwards, no import circles, nothing read at import,
and each rule that could be written twice has one home."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lowest first: a module may import its own layer and the ones before it, never a later one.
LAYERS = [
    {
        "settings",
        "brand",
        "origins",
        "version",
        "env",
        "mail_settings",
        "owner_settings",
        "activity_models",
        "errors",
        "aws",
        "models",
        "logs",
        "rendering",
        "i18n",
        "links",
        "ops_settings",
        "metrics",
        "addresses",
    },
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


def _sources(*folders: str) -> list[Path]:
    """Our Python modules under `folders` (and app.py)."""
    return [ROOT / "app.py", *(p for f in folders for p in sorted((ROOT / f).rglob("*.py")))]


def _code_strings(path: Path) -> list[str]:
    """Every string a module's code writes (f-string parts too), docstrings left out."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def emailed_link_paths_outside_their_homes() -> list[tuple[str, str]]:
    """(module, string) for each string outside web/ and links.py naming an emailed link's path."""
    from chalicelib import links

    paths = (links.RESET_PASSWORD, links.VERIFY_EMAIL, links.RESET_REQUEST)
    homes = (ROOT / "chalicelib" / "web", ROOT / "chalicelib" / "links.py")
    return [
        (str(path.relative_to(ROOT)), text)
        for path in _sources("chalicelib", "ops")
        if not any(path == home or home in path.parents for home in homes)
        for text in _code_strings(path)
        if any(route in text for route in paths)
    ]


def test_emailed_link_paths_are_written_only_in_links_and_web() -> None:
    assert emailed_link_paths_outside_their_homes() == []


def modules_spelling_condition_failures() -> list[str]:
    """Modules other than models.py that spell DynamoDB's refused-condition code."""
    models = ROOT / "chalicelib" / "models.py"
    return [
        str(path.relative_to(ROOT))
        for path in _sources("chalicelib", "ops")
        if path != models and "ConditionalCheckFailed" in path.read_text()
    ]


def test_only_models_reads_dynamodbs_refused_conditions() -> None:
    assert modules_spelling_condition_failures() == []


MAIL_SURFACE = {"chalicelib.mail", "chalicelib.mail.composing"}


def auth_imports_of_mail_internals() -> list[tuple[str, str]]:
    """(auth module, mail module) for each import of mail beyond its public surface."""
    return [
        (module, target)
        for module in _modules()
        if module.startswith("chalicelib.auth")
        for target in sorted(_imports(module))
        if target.startswith("chalicelib.mail") and target not in MAIL_SURFACE
    ]


def test_auth_imports_only_mails_public_surface() -> None:
    """Account flows say what to compose; delivering (claims, suppression, transports) is mail's."""
    assert auth_imports_of_mail_internals() == []
