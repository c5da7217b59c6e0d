"""bytecode.py: the function package ships every module's bytecode for the runtime's Python,
and Python imports the package's modules from it without compiling a line."""

from __future__ import annotations

import importlib.util
import json
import os
import py_compile
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ops.deploy.bytecode import (
    UNCHECKED_HASH_HEADER,
    add_bytecode,
    function_package,
    missing_bytecode,
    runtime,
    runtime_cache_tag,
)
from tests.helpers.project import copy_project, packaging

# Run in the unpacked package: import every module it holds, say where each came from.
IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import app, chalice, chalice.app, chalicelib
names = ["app", "chalice", "chalice.app", "chalicelib"]
names += [m.name for m in pkgutil.walk_packages(chalicelib.__path__, "chalicelib.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({name: sys.modules[name].__cached__ for name in names}))
"""
POISON = b'raise RuntimeError("compiled from source")\n'


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("bytecode") / "project")
    with packaging():
        built = function_package(project)
    assert built is not None
    return built


def test_chalice_targets_this_interpreters_python() -> None:
    assert runtime() == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert runtime_cache_tag(runtime()) == sys.implementation.cache_tag
    assert runtime_cache_tag("python2.7") is None


def test_every_module_in_the_package_has_unchecked_bytecode_for_the_runtime(
    package: Path,
) -> None:
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        sources = sorted(n for n in names if n.endswith(".py"))
        assert {"app.py", "chalicelib/worker.py", "chalice/app.py"} <= set(sources)
        for source in sources:
            folder, _, module = source.rpartition("/")
            compiled = "/".join(filter(None, [folder, "__pycache__", f"{module[:-3]}.{tag}.pyc"]))
            assert compiled in names, source
            header = archive.read(compiled)[:8]
            assert header[:4] == importlib.util.MAGIC_NUMBER
            assert header[4:8] == (0b01).to_bytes(4, "little")  # hash-based, never checked
    assert missing_bytecode(package) == []


def test_python_imports_every_module_from_the_package_without_compiling(
    package: Path, tmp_path: Path
) -> None:
    """Every source in the unpacked package is replaced by a line that raises: an import that
    compiled a module would fail, and the read-only Lambda could not have kept the result."""
    root = tmp_path / "task"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root)
    sources = list(root.rglob("*.py"))
    for source in sources:
        source.write_bytes(POISON)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    cached = json.loads(done.stdout)
    assert len(cached) == len(sources)  # every module of the package, no other
    assert all(Path(path).is_relative_to(root) for path in cached.values()), cached


def test_bytecode_a_developers_tree_left_in_the_package_is_replaced(tmp_path: Path) -> None:
    """Chalice zips whatever chalicelib/ holds, __pycache__ included: timestamp-checked
    bytecode would be recompiled on Lambda (a zip keeps no faithful mtime), so it goes."""
    source = tmp_path / "module.py"
    source.write_text("ANSWER = 42\n")
    stale = tmp_path / "stale.pyc"
    py_compile.compile(str(source), cfile=str(stale), doraise=True)  # timestamp-checked
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.write(source, "chalicelib/module.py")
        archive.write(stale, f"chalicelib/__pycache__/module.{sys.implementation.cache_tag}.pyc")
        archive.write(stale, "chalicelib/__pycache__/module.cpython-39.pyc")
    assert missing_bytecode(package) == ["chalicelib/module.py"]

    assert add_bytecode(package) == 1

    assert missing_bytecode(package) == []
    compiled = f"chalicelib/__pycache__/module.{sys.implementation.cache_tag}.pyc"
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == [compiled, "chalicelib/module.py"]
        assert archive.read(compiled)[:8] == UNCHECKED_HASH_HEADER


def test_a_package_with_its_bytecode_is_left_as_it_is(package: Path, tmp_path: Path) -> None:
    with packaging():
        before = package.stat().st_mtime_ns, package.read_bytes()
        again = function_package(copy_project(tmp_path / "again"))
        assert again is not None
        assert again.resolve() == package.resolve()  # Chalice's cache, shared by the copies
        assert (package.stat().st_mtime_ns, package.read_bytes()) == before
