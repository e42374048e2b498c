"""The participant's identity, held only in this service and never in an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum.dk import cpr
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.se import personnummer

from forlob_shared.errors import InvalidInput


class IdentityScheme(StrEnum):
    DK_CPR = "dk_cpr"
    SE_PERSONNUMMER = "se_personnummer"


@dataclass(frozen=True)
class Participant:
    name: str
    identity_number: str  # compact form: 10 digits (CPR) or 10/12 digits (personnummer)
    scheme: IdentityScheme


_REASONS: list[tuple[type[ValidationError], str]] = [
    (InvalidLength, "has the wrong length"),
    (InvalidFormat, "is not in a valid format"),
    (InvalidComponent, "holds an impossible birth date"),
    (InvalidChecksum, "has a wrong check digit"),
]


def identify(name: str, identity_number: str, scheme: IdentityScheme) -> Participant:
    """Validate the identity number (python-stdnum) and return it in its compact form.

    ``stdnum.dk.cpr`` checks a CPR's length, format and birth date; the modulus-11 check is
    ours, because it still holds for everyone except those born on the dates where the CPR
    office ran out of such numbers (see :func:`_cpr_checksum_applies`). A Swedish personnummer
    gets its date and Luhn check digit checked by ``stdnum.se.personnummer``.
    """
    clean_name = " ".join(name.split())
    if not clean_name:
        raise InvalidInput("the participant's name is empty", field="participant.name")
    module = cpr if scheme is IdentityScheme.DK_CPR else personnummer
    try:
        compact = module.validate(identity_number)
    except ValidationError as exc:
        reason = next((text for kind, text in _REASONS if isinstance(exc, kind)), "is not valid")
        label = "CPR number" if scheme is IdentityScheme.DK_CPR else "personnummer"
        # The number itself is never echoed: problem bodies end up in logs.
        raise InvalidInput(f"the {label} {reason}", field="participant.identity_number") from None
    if scheme is IdentityScheme.DK_CPR and _cpr_checksum_applies(cpr.get_birth_date(compact)) and cpr.checksum(compact):
        raise InvalidInput("the CPR number has a wrong check digit", field="participant.identity_number")
    return Participant(name=clean_name, identity_number=str(compact), scheme=scheme)


# Since 1 October 2007 the CPR office issues numbers without the modulus-11 property for birth
# dates whose numbers ran out: everyone born from then on, and these earlier birthdays.
_CPR_NO_MODULUS_11_FROM = date(2007, 10, 1)
_CPR_NO_MODULUS_11_DAYS = frozenset(
    date(year, 1, 1)
    for year in (1960, 1964, 1965, 1966, 1969, 1970, 1974, 1980, 1982, 1984, 1985, 1986, 1987, 1988, 1989, 1990, 1992)
)


def _cpr_checksum_applies(birth_date: date) -> bool:
    return birth_date < _CPR_NO_MODULUS_11_FROM and birth_date not in _CPR_NO_MODULUS_11_DAYS
