"""Accounts and their secrets.

accounts (register, change password, void a password, the caps on a signed-in account's
changes), login (the one password check, rehash), users (the User others see, addresses typed
and canonical, security stamps, the token check), guards (uniqueness guards, lookups by name or
address), passwords (argon2id, policy), tokens and keys (signed JWTs, the keyring), throttle
and mail_caps (counters and caps), password_reset, verification (following an address link),
email_change (the one pending change of address), address_links (the emails carrying those
links), preferences (language) and notifications (security notices).

Domain code: plain Python, no Chalice import. It raises the errors of chalicelib.errors;
the web layer and the worker map each to their own answer. From mail it uses only the
public surface (chalicelib.mail and mail.composing).
"""
