"""Tests of ops/dev: the local stack (`make dev`) and its parts."""
