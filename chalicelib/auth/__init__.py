"""Accounts and their secrets: passwords, tokens, keys, throttles, reset and notices.

Domain code: plain Python, no Chalice import. It raises the errors of chalicelib.errors;
the web layer and the worker map each to their own answer.
"""
