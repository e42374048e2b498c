"""Builders for the referral service's outreach tests: an outreach team in its own organisation,
its programme and cases, over the in-memory unit of work or as HTTP bodies."""

from __future__ import annotations

from datetime import time
from typing import Any
from uuid import UUID

from forlob_referral.application.catalogue import define_programme
from forlob_referral.application.outreach import CaseView, OpenCase, open_case
from forlob_referral.domain.outreach import OutreachCase
from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_shared.events.common import ProgrammeShape, TimeWindow
from forlob_shared.http.auth import Principal
from forlob_testkit.auth import auth
from forlob_testkit.referral import NOW
from forlob_testkit.referral_rules import HORIZON, Desk, define_command, programme

OUTREACH_ORG = "ops-aalborg"
OUTREACH_CODE = "OPS-AAL"
OUTREACH_HOURS = tuple(TimeWindow(weekday=d, start=time(9), end=time(21)) for d in range(7))

OUTREACH_WORKER = Principal(staff_id="op-1", org=OUTREACH_ORG, roles=frozenset({"contact_person"}))
OUTREACH_COORDINATOR = Principal(staff_id="op-co", org=OUTREACH_ORG, roles=frozenset({"coordinator"}))
OTHER_TEAM = Principal(staff_id="op-9", org="ops-odense", roles=frozenset({"contact_person"}))

# HTTP headers of the same people.
WORKER_HEADERS = auth(OUTREACH_ORG, "contact_person", staff="op-1")
OUTREACH_COORDINATOR_HEADERS = auth(OUTREACH_ORG, "coordinator", staff="op-co")
OTHER_TEAM_HEADERS = auth("ops-odense", "contact_person", staff="op-9")

OUTREACH_PROGRAMME_BODY: dict[str, Any] = {
    "name": "Outreach team Aalborg",
    "kind": "outreach",
    "shape": "outreach",
    "capacity": 40,
    "intake_weekdays": [0, 1, 2, 3, 4],
    "default_weeks": 26,
    "min_weeks": 1,
    "max_weeks": 104,
    "opening_hours": [{"weekday": d, "start": "09:00", "end": "21:00"} for d in range(7)],
    "country": "DK",
}


def outreach_programme(**fields: Any) -> Programme:
    values: dict[str, Any] = {
        "provider_org": OUTREACH_ORG,
        "kind": ProgrammeKind.OUTREACH,
        "shape": ProgrammeShape.OUTREACH,
        "opening_hours": OUTREACH_HOURS,
        "intake_weekdays": (0, 1, 2, 3, 4),
    }
    values.update(fields)
    return programme(OUTREACH_CODE, **values)


def case_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_code": OUTREACH_CODE,
        "working_name": "The man at the station kiosk",
        "description": "Sleeps in the stairwell at Jernbanegade; drinks; friendly to the kiosk owner.",
        "next_within_days": 3,
    }
    body.update(fields)
    return body


async def define_outreach_programme(desk: Desk) -> Programme:
    command = define_command(
        OUTREACH_CODE,
        name="Outreach team Aalborg",
        kind=ProgrammeKind.OUTREACH,
        shape=ProgrammeShape.OUTREACH,
        opening_hours=OUTREACH_HOURS,
        intake_weekdays=(0, 1, 2, 3, 4),
    )
    made, _ = await define_programme(desk.uow(), OUTREACH_COORDINATOR, command, HORIZON)
    return made


async def open_a_case(desk: Desk, staff: Principal = OUTREACH_WORKER, **fields: Any) -> CaseView:
    values: dict[str, Any] = {
        "programme_code": OUTREACH_CODE,
        "working_name": "The man at the station kiosk",
        "description": "Sleeps in the stairwell at Jernbanegade.",
        "next_within_days": 3,
    }
    values.update(fields)
    return await open_case(desk.uow(), staff, OpenCase(**values))


def stored_case(desk: Desk, case_id: UUID) -> OutreachCase:
    found: OutreachCase = desk.store.table("outreach_cases")[case_id]
    return found


__all__ = ["NOW"]
