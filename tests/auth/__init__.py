"""Tests of chalicelib/auth."""
