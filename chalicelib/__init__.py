"""Microblog accounts.

Layers, lowest first (an import only ever points down this list):
- plumbing at the root: settings, errors, aws, models, logs, rendering;
- mail/: compose, queue and deliver emails (knows nothing of accounts);
- auth/: accounts, passwords, tokens, keys, throttles, password reset, notices;
- entry points on top: web/ (pages and the JSON API) and worker (the SQS handler).
"""
