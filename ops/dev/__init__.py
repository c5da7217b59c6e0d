"""The local stack, `make dev`: moto server, chalice local, a queue poller and an outbox.

dev (the command), devenv (its environment), devconsole and devlog (what it prints),
poller (Lambda's SQS mapping played locally; the tests drive the queue with it too),
outbox (emails the emulator accepted, as .eml files), procs (child processes and ports).
"""
