"""Accounts and their secrets.

accounts (register, change password or address, void a password), login (the one password
check, rehash), users (the User others see, lookups, security stamps, the token check),
passwords (argon2id, policy), tokens and keys (signed JWTs, the keyring), throttle and
mail_caps (counters and caps), password_reset, verification (email ownership), preferences
(language) and notifications (security notices).

Domain code: plain Python, no Chalice import. It raises the errors of chalicelib.errors;
the web layer and the worker map each to their own answer. From mail it uses only the
public surface (chalicelib.mail and mail.composing).
"""
