"""One canonical form of an address: IDNA 2008 (UTS 46, non-transitional), lowercased."""

from __future__ import annotations

import pytest

from chalicelib import addresses
from chalicelib.auth import users
from chalicelib.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Susan@Example.COM", "susan@example.com"),
        ("x@Bücher.example", "x@xn--bcher-kva.example"),
        ("X@XN--BCHER-KVA.example", "x@xn--bcher-kva.example"),
        ("x@glaß.de", "x@xn--gla-7ka.de"),
        ("x@glass.de", "x@glass.de"),
        ("x@\uff25\uff38AMPLE.com", "x@example.com"),  # fullwidth letters
    ],
)
def test_a_typed_address_has_one_canonical_form(typed: str, canonical: str) -> None:
    assert users.canonical_address(typed) == canonical


def test_spellings_of_one_domain_meet_and_different_domains_do_not() -> None:
    assert users.canonical_address("a@Bücher.example") == users.canonical_address(
        "A@xn--bcher-kva.example"
    )
    assert users.canonical_address("x@glaß.de") != users.canonical_address("x@glass.de")


def test_a_malformed_address_has_no_canonical_form() -> None:
    with pytest.raises(ValidationError):
        users.canonical_address("not an address")


def test_anything_shaped_like_an_address_gets_a_key() -> None:
    """Providers and operators may hand over domains IDNA refuses: lowercased, never an error."""
    assert addresses.canonical(" Bounce@Under_Score.Example ") == "bounce@under_score.example"
    assert addresses.canonical("x@xn--gla-7ka.DE") == "x@xn--gla-7ka.de"
