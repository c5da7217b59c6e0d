"""Tooling around the app, never shipped to Lambda, by audience.

dev/ is the local stack (`make dev`), deploy/ builds and deploys a stage (`make provision`,
`deploy`, `package`, `destroy`, `policies`), admin/ operates one (`make dlq`, `suppressed`,
`force-reset`, `rotate-key`). Shared: cli.py (how a command answers an operator's
mistake), stages.py (a stage of .chalice/config.json) and keyring.py (the signing keyring,
created by provisioning and rotated by an operator).
"""
