"""`make dev`'s console: the banner once the stack is up, and chalice local's log relayed.

Loads no app code at import (ops.dev.dev sets the environment first); the relay imports
ops.dev.devlog, which reads the app's token routes, on first use.
"""

from __future__ import annotations

import subprocess

from ops.dev.devenv import DevPlan

# The banner's first words: whoever starts `make dev` waits for them.
BANNER = "Microblog dev stack is up"


def relay_api_log(proc: subprocess.Popen[bytes]) -> None:
    """Print `chalice local`'s log as console lines, without tokens or chatter (ops.dev.devlog)."""
    from ops.dev.devlog import console_line

    assert proc.stdout is not None
    for raw in proc.stdout:
        line = console_line(raw.decode("utf-8", "replace").rstrip("\n"))
        if line is not None:
            print(line, flush=True)


def echo(text: str) -> None:
    print(text, flush=True)


def banner(dev: DevPlan, outbox_ready: bool) -> str:
    if dev.emulator_port is not None:
        aws = f"moto server at {dev.endpoint} (log: {dev.dev_dir / 'emulator.log'})"
    else:
        aws = f"{dev.endpoint} (AWS_ENDPOINT_URL)"
    outbox = (
        f"{dev.outbox_dir} (each email is also printed here)"
        if outbox_ready
        else "unavailable (the endpoint is not a moto server)"
    )
    return "\n".join(
        [
            "",
            f"  {BANNER}",
            f"    Open    {dev.base_url}/register",
            f"    Outbox  {outbox}",
            f"    AWS     {aws}",
            "    Stop    Ctrl-C",
            "",
        ]
    )
