"""When and how the referring organisation must hear of an absence that is still unexplained.

A provider must tell the municipality when a participant does not attend; the deadline is set
per scheme (legal basis). The provider reports facts only (minutes missed, coded reason, contact
attempts), never a sanction: deciding consequences is the municipality's authority. Each
provider keeps its own table through the API; these defaults apply where it has said nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from forlob_shared.errors import InvalidInput

FALLBACK = "*"  # the policy for a legal basis nobody configured


class NoticeRecipient(StrEnum):
    CASEWORKER = "caseworker"  # e-mail and inbox of the referring caseworker
    WEBHOOKS = "webhooks"  # the referring organisation's webhook subscriptions


@dataclass(frozen=True)
class NotificationPolicy:
    legal_basis: str
    notify_within_working_minutes: int
    recipients: frozenset[NoticeRecipient]
    notice_text: str
    is_default: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.notify_within_working_minutes <= 5 * 8 * 60:
            raise InvalidInput("notify_within_working_minutes must be between 1 and 2400 (five working days)")
        if not self.recipients:
            raise InvalidInput("a policy needs at least one recipient")
        if not self.notice_text.strip() or len(self.notice_text) > 4000:
            raise InvalidInput("notice_text must hold 1 to 4000 characters")


_NOTICE = (
    "Deltageren er ikke mødt op til det aftalte tilbud, og fraværet er endnu ikke forklaret. "
    "Tilbudsstedet oplyser alene fakta: tidspunkt, antal minutters fravær og kontaktforsøg. "
    "Det er jobcentrets afgørelse, om fraværet får konsekvenser for ydelsen, og borgeren skal "
    "partshøres, før der træffes afgørelse."
)

_BOTH = frozenset({NoticeRecipient.CASEWORKER, NoticeRecipient.WEBHOOKS})

# Danish defaults: benefit-related schemes are told the same working day, health-related courses
# (where illness is common and reported late) by the next. Providers adjust them per agreement.
DANISH_DEFAULTS: dict[str, NotificationPolicy] = {
    policy.legal_basis: policy
    for policy in (
        NotificationPolicy(FALLBACK, 240, _BOTH, _NOTICE),
        NotificationPolicy("LAB-32-1-1", 120, _BOTH, _NOTICE),
        NotificationPolicy("LAB-32-1-2", 120, _BOTH, _NOTICE),
        NotificationPolicy("LAB-42", 120, _BOTH, _NOTICE),  # virksomhedspraktik
        NotificationPolicy("LAB-68a", 480, _BOTH, _NOTICE),  # ressourceforløb
        NotificationPolicy("LAB-68b", 480, _BOTH, _NOTICE),  # jobafklaringsforløb
        NotificationPolicy("AKTL-68a", 480, _BOTH, _NOTICE),  # revalidering, forrevalidering
    )
}


_NOTICE_SV = (
    "Deltagaren har inte kommit till den överenskomna insatsen och frånvaron är ännu inte förklarad. "
    "Anordnaren lämnar endast fakta: tidpunkt, antal minuters frånvaro och kontaktförsök. "
    "Det är handläggarens beslut om frånvaron får följder för ersättningen, och deltagaren ska "
    "få yttra sig innan beslut fattas."
)

# Swedish defaults: the Danish schemes (LAB, AKTL) do not apply in Sweden, so a Swedish provider
# has the fallback, in Swedish, until it sets its own per legal basis.
SWEDISH_DEFAULTS: dict[str, NotificationPolicy] = {FALLBACK: NotificationPolicy(FALLBACK, 240, _BOTH, _NOTICE_SV)}
DEFAULTS_BY_COUNTRY = {"DK": DANISH_DEFAULTS, "SE": SWEDISH_DEFAULTS}


def defaults_for(country: str | None) -> dict[str, NotificationPolicy]:
    return DEFAULTS_BY_COUNTRY.get((country or "DK").upper(), DANISH_DEFAULTS)


def effective(legal_basis: str | None, own: dict[str, NotificationPolicy], country: str = "DK") -> NotificationPolicy:
    """The provider's own policy for the basis, else the country's default for it, else the fallback."""
    key = legal_basis or FALLBACK
    defaults = defaults_for(country)
    return own.get(key) or defaults.get(key) or own.get(FALLBACK) or defaults[FALLBACK]
