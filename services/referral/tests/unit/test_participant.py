from __future__ import annotations

import pytest

from forlob_referral.domain.participant import IdentityScheme, identify
from forlob_shared.errors import InvalidInput

CPR = IdentityScheme.DK_CPR
SE = IdentityScheme.SE_PERSONNUMMER


@pytest.mark.parametrize("number", ["2110625629", "211062-5629", "0101651234", "0110074234"])
def test_valid_cpr_numbers(number: str) -> None:
    # 0101651234 fails modulus 11 but 1 January 1965 is one of the exempt birthdays;
    # 0110074234 is born on 1 October 2007, after which modulus 11 no longer applies
    assert identify("Jens  Hansen ", number, CPR).identity_number == number.replace("-", "")
    assert identify("Jens  Hansen ", number, CPR).name == "Jens Hansen"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("2110625620", "wrong check digit"),
        ("3213625629", "impossible birth date"),
        ("3002625629", "impossible birth date"),  # 30 February
        ("211062562", "wrong length"),
        ("21106256AB", "not in a valid format"),
    ],
)
def test_invalid_cpr_numbers(number: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        identify("Jens Hansen", number, CPR)
    assert reason in caught.value.detail
    assert number not in caught.value.detail
    assert caught.value.extra["field"] == "participant.identity_number"


def test_swedish_personnummer() -> None:
    assert identify("Anna", "880320-0016", SE).identity_number == "880320-0016"
    with pytest.raises(InvalidInput, match="check digit"):
        identify("Anna", "880320-0015", SE)
    with pytest.raises(InvalidInput, match="personnummer"):
        identify("Anna", "881320-0016", SE)


def test_a_name_is_needed() -> None:
    with pytest.raises(InvalidInput, match="name"):
        identify("   ", "2110625629", CPR)
