"""Legal holds on an erasure request (GDPR Art. 17(3)(b) and (e)).

The jobcentre's decision about a person rests on the course's record: while a course is open,
and for the retention period after it closed, the referral service must keep it. An erasure
request is refused until every one of the participant's referrals is past its hold, and the
refusal says why and until when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from forlob_referral.domain.referral import CLOSED, Referral


class HoldReason(StrEnum):
    COURSE_OPEN = "course_open"
    RETENTION_PERIOD = "retention_period"


@dataclass(frozen=True)
class Hold:
    reason: HoldReason
    referral_id: str
    # The day the hold ends: the retention's end; None while the course is open (its end is unknown).
    until: date | None


def erasure_hold(referrals: Sequence[Referral], now: datetime, retention: timedelta) -> Hold | None:
    """The hold that keeps the participant's data, or None when it may be erased now. An open
    course outweighs any retention period; among retention periods the latest end is the answer,
    as the data may only go once every record it belongs to may go."""
    open_course = next((r for r in referrals if r.state not in CLOSED), None)
    if open_course is not None:
        return Hold(HoldReason.COURSE_OPEN, str(open_course.id), None)
    held = [
        (r.closed_at + retention, r) for r in referrals if r.closed_at is not None and r.closed_at + retention > now
    ]
    if not held:
        return None
    ends, referral = max(held, key=lambda pair: pair[0])
    return Hold(HoldReason.RETENTION_PERIOD, str(referral.id), ends.date())
