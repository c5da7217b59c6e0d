"""Tests of chalicelib/web: pages, the JSON API, request logs."""
