"""The walker behind `make provision`: creates a declaration's resources in order.

Each resource type has a creator (ops/deploy/provision.py for the stage's data and mail
resources, ops/deploy/provision_watch.py for what watches it) that takes the properties with
every Ref, Fn::GetAtt and Fn::Sub resolved to what was already made, as CloudFormation would.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from chalicelib.errors import ConfigError
from chalicelib.settings import Settings
from ops.deploy.resources import Resource

_PSEUDO = re.compile(r"\$\{(AWS::[A-Za-z]+)\}")


@functools.cache
def client(service: str, region: str) -> Any:
    """One client per service and region for this process (client creation is slow)."""
    return boto3.client(service, region_name=region)  # type: ignore[call-overload]


@dataclass
class Made:
    """A provisioned resource: what Ref and Fn::GetAtt give, and a line for the report."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)
    note: str = ""


class Provisioner:
    """Walks the declaration in order, resolving Ref/Fn::GetAtt to what it already made."""

    def __init__(self, settings: Settings, resources: Mapping[str, Resource]) -> None:
        self.settings = settings
        self.resources = resources
        self.made: dict[str, Made] = {}

    def client(self, service: str) -> Any:
        return client(service, self.settings.region)

    @functools.cached_property
    def pseudo_parameters(self) -> dict[str, str]:
        """CloudFormation's pseudo parameters for this account and region (Fn::Sub)."""
        account = self.client("sts").get_caller_identity()["Account"]
        region = self.settings.region
        partition = "aws-cn" if region.startswith("cn-") else "aws"
        return {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": partition}

    def _substitute(self, template: Any) -> str:
        if not isinstance(template, str):
            raise ConfigError("provisioning substitutes only pseudo parameters in a string")
        return _PSEUDO.sub(lambda match: self.pseudo_parameters[match.group(1)], template)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.made[value["Ref"]].ref
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.made[logical_id].attributes[attribute]
        if set(value) == {"Fn::Sub"}:
            return self._substitute(value["Fn::Sub"])
        return {key: self.resolve(item) for key, item in value.items()}

    def run(self, creators: Mapping[str, Creator]) -> dict[str, str]:
        for logical_id, resource in self.resources.items():
            create = creators[resource["Type"]]
            self.made[logical_id] = create(self, self.resolve(resource["Properties"]))
        return {logical_id: made.note or made.ref for logical_id, made in self.made.items()}


Creator = Callable[[Provisioner, dict[str, Any]], Made]
