"""A synthetic history of referrals on from one step to the next, with the handover figures worked
out by hand (GET /figures/handovers for PERIOD).

Physiotherapy courses (rca-aalborg, RCA-FYS) handed over to a development course at the same
provider (RCA-UDV-13) or at another (aspa-odense, ASPA-UDV):

- A (planned to end Sun 12 July) → B, overlap: B starts Mon 29 June, A ends Fri 10 July: 0 days.
- C (ends Sun 12 July) → D at aspa-odense, sequence planned Mon 20 July, started Mon 27 July:
  13 to 26 July without any programme, 14 days.
- E (ends Sun 12 July) → F, sequence, F starts Mon 13 July: 0 days (the day after).
- G → H, sequence planned Mon 20 July: H was withdrawn, the next step not taken.
- I → J, sequence planned Mon 3 August: not started yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from forlob_shared.events import (
    AttendanceRules,
    ProgrammeDefined,
    ProgrammeEnded,
    ProgrammeStarted,
    ReferralReceived,
    ReferralWithdrawn,
)
from forlob_shared.events.common import Outcome, TimeWindow
from forlob_shared.events.handover import CourseReferredOn, HandoverRelation
from forlob_testkit.reporting.cohort import Published
from forlob_testkit.reporting.shapes import _History

JOBCENTRE = "jobcenter-aalborg"
RCA = "rca-aalborg"
ASPA = "aspa-odense"
PHYSIO = (RCA, "RCA-FYS")
DEVELOPMENT = (RCA, "RCA-UDV-13")
ELSEWHERE = (ASPA, "ASPA-UDV")
PERIOD = (date(2026, 6, 1), date(2026, 8, 31))
HOURS = [TimeWindow(weekday=d, start=time(8), end=time(15)) for d in range(5)]
PHYSIO_END = date(2026, 7, 12)


def _id(n: int) -> UUID:
    return UUID(int=0x9000 + n)


def referral(n: int) -> UUID:
    return UUID(int=0x7000 + n)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _define(h: _History, provider: str, code: str, kind: str) -> None:
    at = _at(date(2026, 1, 5), 8)
    data = ProgrammeDefined(
        provider_org=provider,
        programme_code=code,
        kind=kind,
        capacity=12,
        intake_weekdays=[0, 1, 2, 3, 4],
        default_weeks=6,
        min_weeks=4,
        max_weeks=26,
        opening_hours=HOURS,
        timezone="Europe/Copenhagen",
        country="DK",
        rules=AttendanceRules(),
        defined_at=at,
    )
    h.emit(at, data, f"{provider}/{code}", provider)


def _ids(programme: tuple[str, str], n: int) -> dict[str, Any]:
    return {
        "referral_id": referral(n),
        "participant_id": UUID(int=0x8000 + n),
        "programme_code": programme[1],
        "referring_org": JOBCENTRE,
        "provider_org": programme[0],
    }


def _emit(h: _History, ids: dict[str, Any], at: datetime, data: Any) -> None:
    h.emit(at, data, str(ids["referral_id"]), ids["provider_org"], JOBCENTRE)


def _received(h: _History, programme: tuple[str, str], n: int, day: date) -> dict[str, Any]:
    ids = _ids(programme, n)
    _emit(h, ids, _at(day, 8), ReferralReceived(**ids, received_at=_at(day, 8)))
    return ids


def _started(h: _History, ids: dict[str, Any], start: date, planned_end: date) -> None:
    data = ProgrammeStarted(
        **ids,
        start_date=start,
        planned_end_date=planned_end,
        schedule=HOURS[:4],
        opening_hours=HOURS,
        timezone="Europe/Copenhagen",
        country="DK",
        contact_person_id="kp-1",
        caseworker_id="cw-7",
        rules=AttendanceRules(),
        started_at=_at(start, 7),
    )
    _emit(h, ids, _at(start, 7), data)


def _ended(h: _History, ids: dict[str, Any], start: date, end: date) -> None:
    data = ProgrammeEnded(
        **ids,
        start_date=start,
        end_date=end,
        outcome=Outcome.ANOTHER_PROGRAMME,
        first_job_date=None,
        ended_at=_at(end, 14),
    )
    _emit(h, ids, _at(end, 14), data)


def _course(h: _History, n: int) -> dict[str, Any]:
    """A physiotherapy course from Monday 1 June to Sunday 12 July."""
    ids = _received(h, PHYSIO, n, date(2026, 5, 20))
    _started(h, ids, date(2026, 6, 1), PHYSIO_END)
    return ids


def _on(
    h: _History,
    before: dict[str, Any],
    n: int,
    to: tuple[str, str],
    relation: HandoverRelation,
    start: date,
    proposed: bool = True,
) -> dict[str, Any]:
    at = _at(date(2026, 6, 15), 10)
    nxt = _received(h, to, n, date(2026, 6, 15))
    data = CourseReferredOn(
        **before,
        handover_id=_id(n),
        next_referral_id=nxt["referral_id"],
        next_programme_code=to[1],
        next_provider_org=to[0],
        relation=relation,
        planned_start=start,
        previous_start_date=date(2026, 6, 1),
        previous_planned_end=PHYSIO_END,
        proposed_by_provider=proposed,
        referred_at=at,
    )
    _emit(h, before, at, data)
    return nxt


def build_pathways() -> list[Published]:
    h = _History()
    pathways_into(h)
    return h.published()


def pathways_into(h: _History) -> None:
    """The history above, into ``h`` (forlob_testkit.reporting.proposals adds the proposals to it).
    A → B, C → D and E → F were proposed by the provider first; G → H and I → J were not."""
    _define(h, *PHYSIO, "physiotherapy")
    _define(h, *DEVELOPMENT, "development_course")
    _define(h, *ELSEWHERE, "development_course")

    a = _course(h, 1)
    b = _on(h, a, 2, DEVELOPMENT, HandoverRelation.OVERLAP, date(2026, 6, 29))
    _started(h, b, date(2026, 6, 29), date(2026, 9, 27))
    _ended(h, a, date(2026, 6, 1), date(2026, 7, 10))

    c = _course(h, 3)
    d = _on(h, c, 4, ELSEWHERE, HandoverRelation.SEQUENCE, date(2026, 7, 20))
    _ended(h, c, date(2026, 6, 1), PHYSIO_END)
    _started(h, d, date(2026, 7, 27), date(2026, 10, 25))

    e = _course(h, 5)
    f = _on(h, e, 6, DEVELOPMENT, HandoverRelation.SEQUENCE, date(2026, 7, 13))
    _ended(h, e, date(2026, 6, 1), PHYSIO_END)
    _started(h, f, date(2026, 7, 13), date(2026, 10, 11))

    g = _course(h, 7)
    hh = _on(h, g, 8, DEVELOPMENT, HandoverRelation.SEQUENCE, date(2026, 7, 20), proposed=False)
    withdrawn = ReferralWithdrawn(
        **hh, previous_state="received", reason_code="other_offer", withdrawn_at=_at(date(2026, 7, 1))
    )
    _emit(h, hh, _at(date(2026, 7, 1)), withdrawn)

    i = _course(h, 9)
    _on(h, i, 10, DEVELOPMENT, HandoverRelation.SEQUENCE, date(2026, 8, 3), proposed=False)


# GET /figures/handovers for PERIOD, per programme pair.
EXPECTED_SAME_PROVIDER: dict[str, Any] = {
    "provider_org": RCA,
    "programme_code": "RCA-FYS",
    "next_provider_org": RCA,
    "next_programme_code": "RCA-UDV-13",
    "handovers": 2,  # A → B and E → F started
    "overlapping": 1,
    "days_without_programme": {"median": 0.0, "mean": 0.0},
    "share_without_gap": 1.0,
    "not_started": 1,  # I → J
    "next_step_not_taken": 1,  # G → H, withdrawn
}
EXPECTED_OTHER_PROVIDER: dict[str, Any] = {
    "provider_org": RCA,
    "programme_code": "RCA-FYS",
    "next_provider_org": ASPA,
    "next_programme_code": "ASPA-UDV",
    "handovers": 1,
    "overlapping": 0,
    "days_without_programme": {"median": 14.0, "mean": 14.0},  # 13 to 26 July
    "share_without_gap": 0.0,
    "not_started": 0,
    "next_step_not_taken": 0,
}
EXPECTED_GAPS = {_id(2): 0, _id(4): 14, _id(6): 0}  # per handover
