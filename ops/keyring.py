"""The signing keyring's store: an SSM SecureString, or a Secrets Manager secret read through SSM.

`make provision` creates it (never overwriting one), `make rotate-key` rewrites it, and the
functions read it with ssm:GetParameter either way: the CloudFormation path cannot create a
SecureString, so its stack keeps the keyring in Secrets Manager and the functions read it at
`/aws/reference/secretsmanager/<name>` (ops/deploy/template.py).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from chalicelib.auth.keys import dump_keyring

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ssm import SSMClient

SECRETS_MANAGER_REFERENCE = "/aws/reference/secretsmanager/"
_ALREADY_THERE = ("ParameterAlreadyExists", "ResourceExistsException")


def new_secret() -> str:
    """A fresh 64-character key (384 random bits)."""
    return secrets.token_urlsafe(48)


class KeyStore:
    """Read and write the keyring JSON under an SSM name (or an SSM Secrets Manager reference)."""

    def __init__(self, name: str, region: str) -> None:
        self.name = name
        self.ssm: SSMClient = boto3.client("ssm", region_name=region)
        self.secrets: SecretsManagerClient = boto3.client("secretsmanager", region_name=region)

    @property
    def secret_id(self) -> str | None:
        """The Secrets Manager secret name, when the keyring lives there."""
        if self.name.startswith(SECRETS_MANAGER_REFERENCE):
            return self.name.removeprefix(SECRETS_MANAGER_REFERENCE)
        return None

    def read(self) -> str:
        return self.ssm.get_parameter(Name=self.name, WithDecryption=True)["Parameter"]["Value"]

    def create(self) -> bool:
        """Store a fresh keyring unless one exists (a conditional create, never an overwrite)."""
        value = dump_keyring(new_secret())
        try:
            if self.secret_id:
                self.secrets.create_secret(Name=self.secret_id, SecretString=value)
            else:
                self.ssm.put_parameter(
                    Name=self.name,
                    Value=value,
                    Type="SecureString",
                    Overwrite=False,
                    Description="microblog signing keyring (JSON: current, previous)",
                )
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _ALREADY_THERE:
                return False
            raise
        return True

    def write(self, value: str) -> None:
        if self.secret_id:
            self.secrets.put_secret_value(SecretId=self.secret_id, SecretString=value)
        else:
            self.ssm.put_parameter(Name=self.name, Value=value, Type="SecureString", Overwrite=True)
