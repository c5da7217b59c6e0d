"""Benchmarks: `make bench` prints the figures (speed and memory goals live here, not in tests)."""
