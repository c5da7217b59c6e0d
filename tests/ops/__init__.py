"""Tests of ops/: make dev, provisioning, deploy, package, key rotation, dead letters."""
