"""keyring.py: the signing keyring is created once, and never overwritten."""

from __future__ import annotations

import boto3

from ops.keyring import KeyStore

REGION = "us-east-1"


def test_create_never_overwrites() -> None:
    store = KeyStore("/test/signing-keys", REGION)
    assert store.create() is True
    value = store.read()
    assert store.create() is False
    assert store.read() == value
    version = boto3.client("ssm").get_parameter(Name="/test/signing-keys")["Parameter"]["Version"]
    assert version == 1
