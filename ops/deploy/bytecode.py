"""The function package with its modules' bytecode, so a cold start compiles nothing of ours.

Chalice zips app.py, chalicelib/ and its own router (chalice/app.py, chalice/__init__.py) as
source only. Lambda's /var/task is read-only, so at every cold start Python compiles each of
them again and cannot keep the result. This step has Chalice build its function package into
its own cache (.chalice/deployments/appcode-<hash>-<runtime>.zip, the file `chalice deploy`
and `chalice package` both reuse when it exists), then writes into it, beside every .py, the
__pycache__/<name>.<tag>.pyc this interpreter compiles. Chalice targets the runtime of the
local major.minor, so this interpreter is the runtime's Python. The .pyc are unchecked-hash
(PEP 552): Python loads them without comparing the source's mtime, which a zip does not keep.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from chalice.config import Config
from chalice.deploy.packager import AppOnlyDeploymentPackager, DependencyBuilder
from chalice.utils import UI, OSUtils

log = logging.getLogger("bytecode")

PYCACHE = "__pycache__"
# A .pyc starts with the interpreter's magic number, then PEP 552's flags: 0b01 = hash-based,
# source not checked.
UNCHECKED_HASH_HEADER = importlib.util.MAGIC_NUMBER + (0b01).to_bytes(4, "little")


def runtime() -> str:
    """The Lambda runtime Chalice deploys to from this interpreter (python3.11 for 3.11)."""
    return Config().lambda_python_version


def runtime_cache_tag(target: str) -> str | None:
    """This interpreter's bytecode tag when it is the `target` runtime's Python, else None."""
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return sys.implementation.cache_tag if target == here else None


def bytecode_name(source: str) -> str:
    """Where Python looks for a module's bytecode in the package (no -O on Lambda)."""
    path = PurePosixPath(source)
    cached = PurePosixPath(importlib.util.cache_from_source(path.name, optimization=""))
    return str(path.parent / PYCACHE / cached.name)


def missing_bytecode(package: Path) -> list[str]:
    """The package's modules without unchecked-hash bytecode for this interpreter beside them."""
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        return sorted(
            name
            for name in names
            if name.endswith(".py")
            and (
                bytecode_name(name) not in names
                or archive.read(bytecode_name(name))[:8] != UNCHECKED_HASH_HEADER
            )
        )


def _compile(source: bytes, name: str, workdir: Path) -> bytes:
    """Unchecked-hash bytecode of one module; tracebacks name it by its path in the package."""
    source_path, bytecode_path = workdir / "module.py", workdir / "module.pyc"
    source_path.write_bytes(source)
    py_compile.compile(
        str(source_path),
        cfile=str(bytecode_path),
        dfile=name,
        doraise=True,
        optimize=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return bytecode_path.read_bytes()


def add_bytecode(package: Path) -> int:
    """Rewrite `package` with every module's bytecode beside it; returns how many it holds.

    Bytecode already in the zip (a developer's __pycache__ that Chalice walked into it,
    timestamp-checked or for another Python) is replaced.
    """
    rewritten = package.with_name(package.name + ".tmp")
    count = 0
    with (
        zipfile.ZipFile(package) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
        tempfile.TemporaryDirectory() as workdir,
    ):
        for info in source.infolist():
            if PYCACHE in PurePosixPath(info.filename).parts:
                continue
            data = source.read(info)
            target.writestr(info, data)
            if info.filename.endswith(".py"):
                compiled = zipfile.ZipInfo(bytecode_name(info.filename), info.date_time)
                compiled.external_attr = info.external_attr
                compiled.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(compiled, _compile(data, info.filename, Path(workdir)))
                count += 1
    rewritten.replace(package)
    return count


def function_package(project_dir: Path) -> Path | None:
    """Chalice's function package for the project, with bytecode; None if this Python cannot.

    Safe to repeat: a cached package that already holds its bytecode is left as it is.
    """
    target = runtime()
    if runtime_cache_tag(target) is None:
        log.warning(
            "Chalice deploys to %s, which is not this Python (%d.%d): the function package "
            "ships source only, compiled at each cold start",
            target,
            *sys.version_info[:2],
        )
        return None
    osutils = OSUtils()
    quiet = UI(out=io.StringIO())  # Chalice says the same again when it reuses the package
    packager = AppOnlyDeploymentPackager(osutils, DependencyBuilder(osutils), quiet)
    package = Path(packager.create_deployment_package(str(project_dir), target))
    if missing_bytecode(package):
        log.info("%s: bytecode for %d modules", package.name, add_bytecode(package))
    return package
