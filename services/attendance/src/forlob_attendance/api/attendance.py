"""The attendance API for provider staff: register, report, record contact, read the lists."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from forlob_attendance.api.deps import Coordinator, Staff, UoW
from forlob_attendance.api.schemas import (
    AbsenceReportIn,
    ClosureIn,
    ClosureOut,
    ClosuresOut,
    ContactIn,
    ContactOut,
    CustomaryIn,
    DayListIn,
    DayListOut,
    RegisteredOut,
    RegistrationIn,
    ReportedOut,
    SlotOut,
    SlotsOut,
)
from forlob_attendance.application import queries
from forlob_attendance.application.closures import (
    ClosureDeclaration,
    declare_closure,
    provider_closures,
    set_customary,
    withdraw_closure,
)
from forlob_attendance.application.registration import (
    AbsenceReport,
    CheckInEntry,
    ContactAttempt,
    check_in,
    check_in_list,
    check_out,
    record_contact,
    report_absence,
)
from forlob_shared.http.inputs import Day

router = APIRouter(tags=["attendance"])


@router.post("/participants/{participant_id}/check-in", summary="The participant arrived")
async def participant_check_in(
    participant_id: UUID, staff: Staff, uow: UoW, body: RegistrationIn | None = None
) -> RegisteredOut:
    at = body.at if body else None
    return RegisteredOut.of(await check_in(uow, staff, CheckInEntry(participant_id, at)))


@router.post("/participants/{participant_id}/check-out", summary="The participant left")
async def participant_check_out(
    participant_id: UUID, staff: Staff, uow: UoW, body: RegistrationIn | None = None
) -> RegisteredOut:
    at = body.at if body else None
    return RegisteredOut.of(await check_out(uow, staff, participant_id, at))


@router.post("/check-ins", summary="A whole list of arrivals at once: all or none")
async def list_check_in(body: DayListIn, staff: Staff, uow: UoW) -> DayListOut:
    entries = [CheckInEntry(e.participant_id, e.at) for e in body.entries]
    return DayListOut(registered=[RegisteredOut.of(r) for r in await check_in_list(uow, staff, entries)])


@router.post(
    "/participants/{participant_id}/absences",
    status_code=status.HTTP_201_CREATED,
    summary="Absence reported in advance (or afterwards), with a coded reason and a period",
)
async def participant_absence(participant_id: UUID, body: AbsenceReportIn, staff: Staff, uow: UoW) -> ReportedOut:
    report = AbsenceReport(participant_id, body.reason, body.first_day, body.last_day)
    return ReportedOut.of(await report_absence(uow, staff, report))


@router.post(
    "/absences/{absence_id}/contacts",
    status_code=status.HTTP_201_CREATED,
    summary="A contact attempt about a detected absence",
)
async def absence_contact(absence_id: UUID, body: ContactIn, staff: Staff, uow: UoW) -> ContactOut:
    attempt = ContactAttempt(absence_id, body.outcome, body.reason, body.at)
    return ContactOut(contact_id=await record_contact(uow, staff, attempt))


@router.get("/days/{day}", summary="The day's attendance list at your organisation")
async def attendance_day(day: Day, staff: Staff, uow: UoW) -> SlotsOut:
    return SlotsOut(slots=[SlotOut.of(view) for view in await queries.day_list(uow, staff.org, day)])


@router.get("/participants/{participant_id}/slots", summary="One participant's expected and registered attendance")
async def participant_slots(
    participant_id: UUID,
    staff: Staff,
    uow: UoW,
    first: Day = Query(alias="from"),
    last: Day = Query(alias="to"),
) -> SlotsOut:
    slots = await queries.participant_slots(uow, staff.org, participant_id, first, last)
    return SlotsOut(slots=[SlotOut.of(view) for view in slots])


@router.get("/closures", summary="Your organisation's declared closures and the customary closures it works on")
async def closures(staff: Staff, uow: UoW) -> ClosuresOut:
    found = await provider_closures(uow, staff)
    return ClosuresOut(
        closures=[
            ClosureOut(
                closure_id=closure_id,
                first_day=c.first_day,
                last_day=c.last_day,
                reason=c.reason,
                start=c.start,
                end=c.end,
            )
            for closure_id, c in found.closures
        ],
        customary_worked=found.worked_customary,
    )


@router.post(
    "/closures",
    status_code=status.HTTP_201_CREATED,
    summary="Declare a closure (coordinator): nobody is expected then, expected arrivals already planned go",
)
async def closure_declare(body: ClosureIn, staff: Coordinator, uow: UoW) -> ClosureOut:
    declaration = ClosureDeclaration(body.first_day, body.last_day, body.reason, body.start, body.end)
    closure_id = await declare_closure(uow, staff, declaration)
    return ClosureOut(closure_id=closure_id, **body.model_dump())


@router.delete(
    "/closures/{closure_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a closure (coordinator): arrivals not yet due are expected again",
)
async def closure_withdraw(closure_id: UUID, staff: Coordinator, uow: UoW) -> Response:
    await withdraw_closure(uow, staff, closure_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/customary-closures/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Keep (observed) or work on a customary closure such as christmas_eve (coordinator)",
)
async def customary_closure(code: str, body: CustomaryIn, staff: Coordinator, uow: UoW) -> Response:
    await set_customary(uow, staff, code, observed=body.observed)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
