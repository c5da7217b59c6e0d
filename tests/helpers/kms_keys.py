"""One private key per key spec for all of moto's KMS keys in a test process, made once.

moto gives every KMS key it creates, symmetric ones included, a fresh 2048-bit RSA private
key, which only asymmetric Sign/Verify would use (nothing here does). Every test's fresh moto
account makes one such key, DynamoDB's managed key for the encrypted tables, at provisioning:
a third of each test's setup went on generating an RSA key nobody reads. Symmetric keys keep
their own random key material, so encryption and decryption are as moto does them.
"""

from __future__ import annotations

import functools

from moto.kms import models

models.generate_private_key = functools.cache(models.generate_private_key)
