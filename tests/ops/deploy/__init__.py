"""Tests of ops/deploy: provisioning, deploy, package, policies, teardown."""
