"""Microblog accounts.

Layers, lowest first (an import only ever points down this list):
- plumbing at the root: settings (with env and mail_settings), errors, aws, models, logs,
  i18n, rendering, links (every emailed link's path and absolute form);
- mail/: compose, queue and deliver emails (knows nothing of accounts);
- auth/: accounts, login, users, passwords, tokens, keys, throttles, mail caps, password reset,
  verification, preferences, notices;
- entry points on top: web/ (pages and the JSON API) and worker (the SQS handler).
"""
