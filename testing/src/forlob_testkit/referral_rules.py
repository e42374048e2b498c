"""Builders for the referral service's fast tests: programmes, referrals and callers, with no server."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from forlob_referral.application.catalogue import DefineProgramme, define_programme
from forlob_referral.application.course import StartCourse, start_course
from forlob_referral.application.intake import accept_referral
from forlob_referral.application.referrals import ReceiveReferral, get_referral, receive_referral
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_referral.domain.records import Goal
from forlob_referral.domain.referral import Referral, State
from forlob_shared.events.common import AttendanceRules, TimeWindow
from forlob_shared.http.auth import Principal
from forlob_testkit.in_memory.referral import FakeReferralUnitOfWork
from forlob_testkit.referral import CPR, NOW, PROVIDER_ORG, REFERRING_ORG

HORIZON = timedelta(weeks=4)  # the service's default intake horizon
CODE = "RCA-UDV-13"
OPENING_HOURS = tuple(
    TimeWindow(weekday=d, start=time(7, 30), end=time(14, 30) if d < 4 else time(14)) for d in range(5)
)
WEEKLY = tuple(TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(4))
GOALS = (Goal(text="Stable attendance", sub_goals=["Arrive by 08:00"]), Goal(text="Increase weekly hours"))

CASEWORKER = Principal(staff_id="cw-7", org=REFERRING_ORG, roles=frozenset({"caseworker"}))
COORDINATOR = Principal(staff_id="co-3", org=PROVIDER_ORG, roles=frozenset({"coordinator"}))
OTHER_CASEWORKER = Principal(staff_id="cw-9", org="jobcenter-odense", roles=frozenset({"caseworker"}))
OTHER_COORDINATOR = Principal(staff_id="co-9", org="aspa-odense", roles=frozenset({"coordinator"}))

# NOW is Wednesday 20 May 2026; Monday 25 May is Whit Monday, so the first intake Monday is 1 June.
FIRST_INTAKE = date(2026, 6, 1)


def define_command(code: str = CODE, **fields: Any) -> DefineProgramme:
    values: dict[str, Any] = {
        "code": code,
        "name": "Individual development course",
        "kind": ProgrammeKind.DEVELOPMENT_COURSE,
        "capacity": 12,
        "intake_weekdays": (0,),
        "default_weeks": 13,
        "min_weeks": 4,
        "max_weeks": 26,
        "opening_hours": OPENING_HOURS,
        "country": "DK",
        "timezone": None,
        "rules": AttendanceRules(),
    }
    values.update(fields)
    return DefineProgramme(**values)


def receive_command(code: str = CODE, **fields: Any) -> ReceiveReferral:
    values: dict[str, Any] = {
        "programme_code": code,
        "provider_org": PROVIDER_ORG,
        "participant_name": "Jens Hansen",
        "identity_number": CPR,
        "identity_scheme": IdentityScheme.DK_CPR,
        "goals": GOALS,
        "legal_basis": "LAB-32-1-2",
        "wished_weekly_hours": 16.0,
    }
    values.update(fields)
    return ReceiveReferral(**values)


def programme(code: str = CODE, provider_org: str = PROVIDER_ORG, **fields: Any) -> Programme:
    values: dict[str, Any] = {
        "provider_org": provider_org,
        "code": code,
        "name": "Individual development course",
        "kind": ProgrammeKind.DEVELOPMENT_COURSE,
        "capacity": 12,
        "intake_weekdays": (0,),
        "default_weeks": 13,
        "min_weeks": 4,
        "max_weeks": 26,
        "opening_hours": OPENING_HOURS,
        "country": "DK",
        "timezone": "Europe/Copenhagen",
        "rules": AttendanceRules(),
        "defined_at": NOW,
    }
    values.update(fields)
    return Programme(**values)


def referral(
    code: str = CODE,
    *,
    provider_org: str = PROVIDER_ORG,
    referring_org: str = REFERRING_ORG,
    received_at: datetime = NOW,
    state: State = State.RECEIVED,
    referral_id: UUID | None = None,
    **fields: Any,
) -> Referral:
    made = Referral(
        id=referral_id or uuid4(),
        participant_id=uuid4(),
        programme_code=code,
        referring_org=referring_org,
        provider_org=provider_org,
        caseworker_id="cw-7",
        received_at=received_at,
        state=state,
    )
    return replace(made, **fields)


class Desk:
    """The referral service's use cases over the in-memory unit of work, as a test drives them."""

    def __init__(self, store: Any, clock: Any) -> None:
        self.store = store
        self.clock = clock

    def uow(self) -> FakeReferralUnitOfWork:
        return FakeReferralUnitOfWork(self.store, self.clock)

    async def programme(self, code: str = CODE, **fields: Any) -> Programme:
        made, _ = await define_programme(self.uow(), COORDINATOR, define_command(code, **fields), HORIZON)
        return made

    async def refer(self, code: str = CODE, caseworker: Principal = CASEWORKER, **fields: Any) -> UUID:
        view = await receive_referral(self.uow(), caseworker, receive_command(code, **fields))
        # Referral order is the order of referring: give each referral its own instant.
        self.clock.advance(timedelta(seconds=1))
        return view.referral.id

    async def accept(self, referral_id: UUID) -> Referral:
        return (await accept_referral(self.uow(), COORDINATOR, referral_id, HORIZON)).referral

    async def get(self, referral_id: UUID, viewer: Principal = COORDINATOR) -> Any:
        return await get_referral(self.uow(), viewer, referral_id, HORIZON)

    async def start(self, referral_id: UUID, start_date: date = FIRST_INTAKE, **fields: Any) -> Referral:
        values: dict[str, Any] = {"start_date": start_date, "schedule": WEEKLY, "contact_person_id": "cp-1"}
        values.update(fields)
        return (await start_course(self.uow(), COORDINATOR, referral_id, StartCourse(**values), HORIZON)).referral

    def event_types(self, subject: UUID | None = None) -> list[str]:
        return [e.data.routing_key for e in self.store.published if subject is None or e.subject == str(subject)]

    def events(self, routing_key: str) -> list[Any]:
        return [e.data for e in self.store.published if e.data.routing_key == routing_key]
