"""The mail pipeline: compose and queue, then deliver once (idempotency, suppression, transports).

Knows nothing of accounts: auth/ asks it to queue rendered emails; the worker asks it to deliver.
"""
