"""The attendance API for provider staff: register, report, record contact, read the lists."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

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
from forlob_shared.http.idempotency import IdempotencyKey, answer_idempotently
from forlob_shared.http.inputs import Day

router = APIRouter(tags=["attendance"])


@router.post("/participants/{participant_id}/check-in", response_model=RegisteredOut, summary="The participant arrived")
async def participant_check_in(
    participant_id: UUID,
    staff: Staff,
    uow: UoW,
    request: Request,
    key: IdempotencyKey,
    body: RegistrationIn | None = None,
) -> Response:
    entry = CheckInEntry(participant_id, body.at if body else None)
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: check_in(u, staff, entry),
        out=RegisteredOut.of,
    )


@router.post("/participants/{participant_id}/check-out", response_model=RegisteredOut, summary="The participant left")
async def participant_check_out(
    participant_id: UUID,
    staff: Staff,
    uow: UoW,
    request: Request,
    key: IdempotencyKey,
    body: RegistrationIn | None = None,
) -> Response:
    at = body.at if body else None
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: check_out(u, staff, participant_id, at),
        out=RegisteredOut.of,
    )


@router.post("/check-ins", response_model=DayListOut, summary="A whole list of arrivals at once: all or none")
async def list_check_in(body: DayListIn, staff: Staff, uow: UoW, request: Request, key: IdempotencyKey) -> Response:
    entries = [CheckInEntry(e.participant_id, e.at) for e in body.entries]
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: check_in_list(u, staff, entries),
        out=lambda registered: DayListOut(registered=[RegisteredOut.of(r) for r in registered]),
    )


@router.post(
    "/participants/{participant_id}/absences",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportedOut,
    summary="Absence reported in advance (or afterwards), with a coded reason and a period",
)
async def participant_absence(
    participant_id: UUID, body: AbsenceReportIn, staff: Staff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    report = AbsenceReport(participant_id, body.reason, body.first_day, body.last_day)
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: report_absence(u, staff, report),
        out=ReportedOut.of,
        status_code=status.HTTP_201_CREATED,
    )


@router.post(
    "/absences/{absence_id}/contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactOut,
    summary="A contact attempt about a detected absence",
)
async def absence_contact(
    absence_id: UUID, body: ContactIn, staff: Staff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    attempt = ContactAttempt(absence_id, body.outcome, body.reason, body.at)
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: record_contact(u, staff, attempt),
        out=lambda contact_id: ContactOut(contact_id=contact_id),
        status_code=status.HTTP_201_CREATED,
    )


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
    response_model=ClosureOut,
    summary="Declare a closure (coordinator): nobody is expected then, expected arrivals already planned go",
)
async def closure_declare(
    body: ClosureIn, staff: Coordinator, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    declaration = ClosureDeclaration(body.first_day, body.last_day, body.reason, body.start, body.end)
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: declare_closure(u, staff, declaration),
        out=lambda closure_id: ClosureOut(closure_id=closure_id, **body.model_dump()),
        status_code=status.HTTP_201_CREATED,
    )


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
