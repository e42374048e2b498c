"""The next steps the provider proposed, added to the referrals on of
:mod:`forlob_testkit.reporting.pathways`, with the proposal figures worked out by hand
(GET /figures/next-step-proposals for PERIOD, 1 June to 31 August 2026, Europe/Copenhagen).

Physiotherapy courses at rca-aalborg (RCA-FYS), referred by jobcenter-aalborg unless said:

- A → B proposed Wed 10 June, referred on as proposed Mon 15 June: accepted, 5 days.
- C → D (at aspa-odense) proposed Fri 12 June, referred on 15 June: accepted, 3 days.
- E → F proposed Mon 15 June at 08:00, referred on the same day at 10:00: accepted, 0 days.
- K: proposed Wed 1 July, declined Wed 8 July (participant not ready): 7 days; proposed again
  Mon 20 July, withdrawn Wed 22 July: 2 days.
- L: proposed Mon 3 August, declined Tue 4 August (not the right programme): 1 day.
- M: proposed Mon 10 August, still open.
- N: proposed Wed 20 May (before the period), declined Tue 2 June: not counted in the period.
- O, referred by jobcenter-odense: proposed Wed 5 August, still open. Only rca-aalborg and
  jobcenter-odense see it.

G → H and I → J were referred on without a proposal: no proposal counts them. aspa-odense, the
next provider of C → D, sees no proposals: they are the proposing provider's and the jobcentre's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from forlob_shared.events.handover import (
    DeclineReason,
    HandoverRelation,
    NextStepDeclined,
    NextStepProposed,
    NextStepWithdrawn,
)
from forlob_testkit.reporting.cohort import Published
from forlob_testkit.reporting.pathways import (
    DEVELOPMENT,
    ELSEWHERE,
    JOBCENTRE,
    PHYSIO,
    PHYSIO_END,
    _at,
    _course,
    _id,
    _ids,
    pathways_into,
)
from forlob_testkit.reporting.shapes import _History

OTHER_JOBCENTRE = "jobcenter-odense"


def _emit(h: _History, ids: dict[str, Any], at: datetime, data: Any) -> None:
    h.emit(at, data, str(ids["referral_id"]), ids["provider_org"], ids["referring_org"])


def _proposed(h: _History, course: dict[str, Any], handover: int, to: tuple[str, str], at: datetime) -> None:
    data = NextStepProposed(
        **course,
        handover_id=_id(handover),
        next_programme_code=to[1],
        next_provider_org=to[0],
        relation=HandoverRelation.SEQUENCE,
        planned_start=date(2026, 8, 17),
        previous_planned_end=PHYSIO_END,
        proposed_at=at,
    )
    _emit(h, course, at, data)


def _declined(
    h: _History, course: dict[str, Any], handover: int, to: tuple[str, str], reason: DeclineReason, at: datetime
) -> None:
    data = NextStepDeclined(
        **course,
        handover_id=_id(handover),
        next_programme_code=to[1],
        next_provider_org=to[0],
        reason=reason,
        declined_at=at,
    )
    _emit(h, course, at, data)


def _withdrawn(h: _History, course: dict[str, Any], handover: int, to: tuple[str, str], at: datetime) -> None:
    data = NextStepWithdrawn(
        **course, handover_id=_id(handover), next_programme_code=to[1], next_provider_org=to[0], withdrawn_at=at
    )
    _emit(h, course, at, data)


def _other_course(n: int) -> dict[str, Any]:
    """A physiotherapy course that jobcenter-odense referred (its own events are not needed here)."""
    return {**_ids(PHYSIO, n), "referring_org": OTHER_JOBCENTRE}


def build_proposals() -> list[Published]:
    h = _History()
    pathways_into(h)
    a, c, e = (_ids(PHYSIO, n) for n in (1, 3, 5))
    _proposed(h, a, 2, DEVELOPMENT, _at(date(2026, 6, 10), 10))
    _proposed(h, c, 4, ELSEWHERE, _at(date(2026, 6, 12), 10))
    _proposed(h, e, 6, DEVELOPMENT, _at(date(2026, 6, 15), 8))

    k = _course(h, 11)
    _proposed(h, k, 12, DEVELOPMENT, _at(date(2026, 7, 1)))
    _declined(h, k, 12, DEVELOPMENT, DeclineReason.PARTICIPANT_NOT_READY, _at(date(2026, 7, 8)))
    _proposed(h, k, 13, ELSEWHERE, _at(date(2026, 7, 20)))
    _withdrawn(h, k, 13, ELSEWHERE, _at(date(2026, 7, 22)))

    el = _course(h, 14)
    _proposed(h, el, 15, ELSEWHERE, _at(date(2026, 8, 3)))
    _declined(h, el, 15, ELSEWHERE, DeclineReason.NOT_THE_RIGHT_PROGRAMME, _at(date(2026, 8, 4)))

    m = _course(h, 16)
    _proposed(h, m, 17, DEVELOPMENT, _at(date(2026, 8, 10)))

    n = _course(h, 18)
    _proposed(h, n, 19, DEVELOPMENT, _at(date(2026, 5, 20)))
    _declined(h, n, 19, DEVELOPMENT, DeclineReason.NO_LONGER_RELEVANT, _at(date(2026, 6, 2)))

    o = _other_course(20)
    _proposed(h, o, 21, DEVELOPMENT, _at(date(2026, 8, 5)))
    return h.published()


def _expected(proposals: int, open_: int) -> dict[str, Any]:
    return {
        "provider_org": PHYSIO[0],
        "programme_code": PHYSIO[1],
        "proposals": proposals,
        "accepted": 3,  # A → B, C → D, E → F
        "declined": 2,  # K's first, L
        "declined_by_reason": {
            "another_step_planned": 0,
            "participant_not_ready": 1,
            "not_the_right_programme": 1,
            "no_longer_relevant": 0,  # N's proposal was made before the period
            "other": 0,
        },
        "withdrawn": 1,  # K's second
        "open": open_,
        "median_days_to_decision": 2.5,  # 0, 1, 2, 3, 5, 7
    }


# GET /figures/next-step-proposals for PERIOD.
EXPECTED_PROVIDER = _expected(8, 2)  # rca-aalborg: every course of its own, O too
EXPECTED_JOBCENTRE = _expected(7, 1)  # jobcenter-aalborg: not O, which another jobcentre referred
EXPECTED_OTHER_JOBCENTRE: dict[str, Any] = {
    **_expected(1, 1),
    "accepted": 0,
    "declined": 0,
    "declined_by_reason": dict.fromkeys(_expected(0, 0)["declined_by_reason"], 0),
    "withdrawn": 0,
    "median_days_to_decision": None,
}
__all__ = ["JOBCENTRE", "OTHER_JOBCENTRE", "build_proposals"]
