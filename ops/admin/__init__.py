"""Operating a stage: `make dlq`, `suppressed`, `unsuppress`, `force-reset`, `rotate-key`.

dlq (dead letters: list, redrive), suppression (the suppression list), force_reset (the
breach response), rotate_key (the signing keyring).
"""
