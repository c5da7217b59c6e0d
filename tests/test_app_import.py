"""A cold start loads only what every invocation needs; the rest waits for its first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each is loaded where it is first used: templates when something renders, the batch
# machinery and the mail delivery side by the SQS handler, the address validator and argon2
# by the code that needs them.
DEFERRED = (
    "jinja2",
    "aws_lambda_powertools.utilities.batch",
    "chalicelib.worker",
    "chalicelib.mail.delivery",
    "chalicelib.mail.transports",
    "email_validator",
    "argon2",
)


def _loaded_after(statement: str) -> set[str]:
    script = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(result.stdout.split())


def test_importing_app_loads_no_templates_batch_machinery_validator_or_hasher() -> None:
    loaded = _loaded_after("import app")
    assert "chalicelib.web.api" in loaded
    assert sorted(name for name in DEFERRED if name in loaded) == []
