"""The release this code is: pyproject.toml's version, kept here because the function package
ships chalicelib/ and not pyproject.toml (tests/test_version.py keeps the two equal)."""

from __future__ import annotations

VERSION = "0.6.0"
