"""Settings a stage must change before its mail works: the base URL and the sender.

`.chalice/config.json` ships with an API URL placeholder (`REPLACE-WITH-API-ID`) and an
example.com sender: every reset link would point at a dead host, and SES never verifies an
address nobody can read. `make package` warns while either is left; `make deploy` warns about
the sender and, on a stage's first deploy, fills in the base URL from the API it deployed
(ops/deploy/deploy.py).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chalicelib.settings import Settings
from ops.stages import Stage

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

PLACEHOLDER_MARK = "REPLACE-WITH"
# RFC 2606 / 6761: names that never reach anyone.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")


def _reserved(host: str) -> bool:
    host = host.lower().rstrip(".")
    return (
        host in RESERVED_DOMAINS
        or host.endswith(tuple("." + domain for domain in RESERVED_DOMAINS))
        or host.endswith(RESERVED_SUFFIXES)
        or host in {suffix[1:] for suffix in RESERVED_SUFFIXES}
    )


def base_url_is_placeholder(url: str) -> bool:
    """Whether PUBLIC_BASE_URL is still the shipped placeholder (or a reserved example host)."""
    return PLACEHOLDER_MARK in url.upper() or _reserved(urlsplit(url).hostname or "")


def sender_is_placeholder(address: str) -> bool:
    """Whether the sender is an address at a reserved example domain."""
    return _reserved(address.rpartition("@")[2])


def sender_warnings(stage_name: str, settings: Settings) -> list[str]:
    """A line saying what to set while the stage's sender is a placeholder."""
    if not sender_is_placeholder(settings.mail_sender):
        return []
    return [
        f"the sender of stage {stage_name} ({settings.mail_sender}, the first of ADMINS) is "
        "an example address SES cannot verify: set ADMINS in .chalice/config.json (or pass "
        "SenderAddress to the stack) to an address you can read"
    ]


def warnings(stage_name: str, settings: Settings) -> list[str]:
    """One line per placeholder left in the stage's settings, saying what to set."""
    found = sender_warnings(stage_name, settings)
    if base_url_is_placeholder(settings.public_base_url):
        found.insert(
            0,
            f"PUBLIC_BASE_URL of stage {stage_name} is a placeholder "
            f"({settings.public_base_url}): every emailed link would point there; set it in "
            ".chalice/config.json (or pass PublicBaseUrl to the stack) to the API's URL "
            "or your custom domain",
        )
    return found


def adopt_base_url(stage: Stage, url: str, functions: LambdaClient) -> None:
    """Make `url` the stage's PUBLIC_BASE_URL: in .chalice/config.json, so later deploys keep
    it, and on the functions already deployed (no second `chalice deploy` needed)."""
    path = stage.project_dir / ".chalice" / "config.json"
    config = json.loads(path.read_text())
    config["stages"][stage.name].setdefault("environment_variables", {})["PUBLIC_BASE_URL"] = url
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    for name in stage.function_names().values():
        functions.get_waiter("function_updated_v2").wait(FunctionName=name)
        current = functions.get_function_configuration(FunctionName=name)
        variables = dict(current.get("Environment", {}).get("Variables", {}))
        variables["PUBLIC_BASE_URL"] = url
        functions.update_function_configuration(
            FunctionName=name, Environment={"Variables": variables}
        )
