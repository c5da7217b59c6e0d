"""`make suppressed` lists the suppression list (masked); `make unsuppress EMAIL=` removes one."""

from __future__ import annotations

import pytest

from chalicelib.mail import suppression
from ops import suppression as cli


def test_lists_entries_masked_with_reason_and_lapse(caplog: pytest.LogCaptureFixture) -> None:
    suppression.suppress("bounced@example.com", suppression.BOUNCE, "Permanent/General")
    suppression.suppress("complained@example.com", suppression.COMPLAINT, "abuse")
    caplog.set_level("INFO", logger="suppression")
    assert cli.main([]) == 0
    text = caplog.text
    assert "2 suppressed address(es)" in text
    assert "b***@example.com  Bounce (Permanent/General)" in text
    assert "c***@example.com  Complaint (abuse)" in text
    assert "until removed" in text
    assert "bounced@example.com" not in text


def test_removes_one_address_and_says_when_it_was_not_listed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    suppression.suppress("complained@example.com", suppression.COMPLAINT, "abuse")
    caplog.set_level("INFO", logger="suppression")
    assert cli.main(["--remove", "complained@example.com"]) == 0
    assert not suppression.is_suppressed("complained@example.com")
    assert cli.main(["--remove", "complained@example.com"]) == 1
    assert "was not on the suppression list" in caplog.text
    assert cli.main([]) == 0
    assert "The suppression list is empty." in caplog.text
