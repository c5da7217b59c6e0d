"""Tests of ops/admin: dead letters, the suppression list, the breach response, key rotation."""
