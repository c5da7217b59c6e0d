"""ops/deploy/artifacts.py: requirements.txt is a complete lock, so the layer can skip botocore."""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ops.deploy.artifacts import RUNTIME_PROVIDED, describe_sizes, drop_stale_layers
from ops.stages import PROJECT_DIR


def locked() -> dict[str, Requirement]:
    lines = (PROJECT_DIR / "requirements.txt").read_text().splitlines()
    requirements = [
        Requirement(line) for line in lines if line.strip() and not line.startswith("#")
    ]
    return {canonicalize_name(r.name): r for r in requirements}


def test_every_dependency_is_locked_or_comes_with_the_lambda_runtime() -> None:
    """The layer is built with --no-deps: a dependency missing here would be missing on Lambda."""
    lock = locked()
    runtime = {canonicalize_name(name) for name in RUNTIME_PROVIDED}
    missing = {}
    for name in lock:
        for raw in importlib.metadata.requires(name) or []:
            dependency = Requirement(raw)
            if dependency.marker and not dependency.marker.evaluate({"extra": ""}):
                continue
            dependency_name = canonicalize_name(dependency.name)
            if dependency_name not in lock and dependency_name not in runtime:
                missing[dependency_name] = name
    assert missing == {}
    pynamodb_needs = {Requirement(r).name for r in importlib.metadata.requires("pynamodb") or []}
    assert "botocore" in pynamodb_needs  # what the runtime provides for it


def test_the_lock_pins_exactly_what_the_tests_run() -> None:
    for name, requirement in locked().items():
        (specifier,) = requirement.specifier
        assert specifier.operator == "=="
        assert importlib.metadata.version(name) == specifier.version


def _layer(path: Path, names: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as layer:
        for name in names:
            layer.writestr(f"python/lib/python3.11/site-packages/{name}", "x")


def test_a_cached_layer_that_bundles_botocore_is_dropped(tmp_path: Path) -> None:
    cache = tmp_path / ".chalice" / "deployments"
    stale, lean = (
        cache / "managed-layer-aaa-python3.11.zip",
        cache / "managed-layer-bbb-python3.11.zip",
    )
    _layer(stale, ["botocore/__init__.py", "pynamodb/__init__.py"])
    _layer(lean, ["pynamodb/__init__.py"])
    assert drop_stale_layers(tmp_path) == [stale]
    assert not stale.exists()
    assert lean.exists()


def test_sizes_are_described(tmp_path: Path) -> None:
    path = tmp_path / "layer.zip"
    _layer(path, ["pynamodb/__init__.py"])
    (line,) = describe_sizes({"layer": path})
    assert line.startswith("layer: 0.00 MB zipped, 0.00 MB unzipped")
