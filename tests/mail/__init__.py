"""Tests of chalicelib/mail."""
