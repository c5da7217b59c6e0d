"""The one form of an email address that everything compares, counts, looks up and mails.

Two spellings are one address exactly when their canonical forms are equal: the local part
lowercased, `@`, the domain's IDNA 2008 ASCII form (UTS 46, non-transitional) lowercased. So
`Bücher.example` and `xn--bcher-kva.example` are one domain, while `glaß.de` (xn--gla-7ka.de)
and `glass.de` stay two, as they are in DNS: `str.casefold()` would fold ß to ss and let one
spelling squat the other's guard. It is also the spelling SES reports in bounces and
complaints, so a suppression entry meets the address it stops.

What an owner typed is kept for display (auth.users: UserRecord.email); this is the key.
"""

from __future__ import annotations

import idna


def ascii_domain(domain: str) -> str:
    """The domain's IDNA 2008 ASCII form, lowercased (raises idna.IDNAError when it has none)."""
    if domain.isascii():
        return domain.lower()
    return idna.encode(domain, uts46=True, transitional=False).decode().lower()


def canonical(address: str) -> str:
    """The canonical form of an addr-spec (no display name).

    Total, for keys of anything that looks like an address (an operator's input, a provider's
    report): a domain without an IDNA form is only lowercased. Validation is the callers':
    auth.users.canonical_address for what people type, mail.composing.ascii_address before
    anything is sent.
    """
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip().lower()
    try:
        domain = ascii_domain(domain)
    except idna.IDNAError:
        domain = domain.lower()
    return f"{local.lower()}@{domain}"
