"""Work and the way into it (docs/referral.md#work-and-the-way-into-it): the provider's employer
register, employer contacts (job development), a course's spells of work or education with its
support phase, and a clarification course's result.

The register and the contacts are the provider's: another organisation's employer is 404. A
course's spells, phase and result are read by both organisations. Every POST takes an
``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from forlob_referral.api.deps import UoW
from forlob_referral.api.employment_schemas import (
    CaseloadRowOut,
    ClarificationIn,
    ClarificationOut,
    EmployerContactIn,
    EmployerContactOut,
    EmployerIn,
    EmployerOut,
    EmployerWithContactsOut,
    EmploymentOut,
    SpellEndIn,
    SpellIn,
    StaffId,
)
from forlob_referral.api.keyed import keyed_runner
from forlob_referral.application.caseload import MAX_CASELOAD, read_caseload
from forlob_referral.application.employment import (
    EmploymentView,
    GiveResult,
    RecordContact,
    RegisterEmployer,
    StartSpell,
    end_spell,
    get_employer,
    give_result,
    list_contacts,
    list_employers,
    read_employment,
    record_contact,
    register_employer,
    start_spell,
)
from forlob_referral.domain.employment import EmployerContactPerson
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey

router = APIRouter(tags=["work and the way into it"])

# The provider's people on the course: an IPS consultant is the course's contact person.
ProviderStaff = Annotated[Principal, requires("contact_person", "coordinator", "team_leader")]
# Who gives a clarification course's result: the coordinator or the contact person who held it.
ResultGiver = Annotated[Principal, requires("coordinator", "contact_person")]
Reader = Annotated[Principal, requires("caseworker", "coordinator", "contact_person", "team_leader")]


_run = keyed_runner(status.HTTP_201_CREATED)


def _render_view(view: EmploymentView) -> Any:
    return EmploymentOut.of(view).model_dump(mode="json")


@router.post(
    "/employers",
    status_code=status.HTTP_201_CREATED,
    response_model=EmployerOut,
    summary="Register an employer by its CVR or organisation number (validated)",
)
async def post_employer(
    body: EmployerIn, principal: ProviderStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = RegisterEmployer(
        country=body.country,
        number=body.number,
        name=body.name,
        sector=body.sector,
        industry_code=body.industry_code,
        contact=EmployerContactPerson(body.contact.name, body.contact.email, body.contact.phone),
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: register_employer(u, principal, command),
        lambda e: EmployerOut.of(e).model_dump(mode="json"),
    )


@router.get("/employers", summary="The provider's employer register, by name")
async def get_employers(principal: ProviderStaff, uow: UoW) -> list[EmployerOut]:
    return [EmployerOut.of(e) for e in await list_employers(uow, principal)]


@router.get("/employers/{employer_id}", summary="One employer with the contacts made with it")
async def get_one_employer(employer_id: UUID, principal: ProviderStaff, uow: UoW) -> EmployerWithContactsOut:
    employer, contacts = await get_employer(uow, principal, employer_id)
    return EmployerWithContactsOut(
        **EmployerOut.of(employer).model_dump(), contacts=[EmployerContactOut.of(c) for c in contacts]
    )


@router.post(
    "/employer-contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=EmployerContactOut,
    summary="Record a contact with an employer, for a participant's course or as general job development",
)
async def post_contact(
    body: EmployerContactIn, principal: ProviderStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = RecordContact(
        employer_id=body.employer_id,
        day=body.day,
        kind=body.kind,
        referral_id=body.referral_id,
        staff_id=body.staff_id,
        participant_consented=body.participant_consented,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: record_contact(u, principal, command),
        lambda c: EmployerContactOut.of(c).model_dump(mode="json"),
    )


@router.get("/employer-contacts", summary="The provider's employer contacts by day, for one course or employer")
async def get_contacts(
    principal: ProviderStaff,
    uow: UoW,
    referral_id: Annotated[UUID | None, Query()] = None,
    employer_id: Annotated[UUID | None, Query()] = None,
) -> list[EmployerContactOut]:
    return [EmployerContactOut.of(c) for c in await list_contacts(uow, principal, referral_id, employer_id)]


@router.get(
    "/caseload",
    summary="The running courses of meetings programmes with name, work and latest employer contact, in one read",
)
async def get_caseload(
    principal: ProviderStaff,
    uow: UoW,
    consultant: Annotated[StaffId | None, Query(description="one consultant's; by default the caller's own")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CASELOAD)] = MAX_CASELOAD,
) -> list[CaseloadRowOut]:
    return [CaseloadRowOut.of(row) for row in await read_caseload(uow, principal, consultant, limit)]


@router.get("/referrals/{referral_id}/employment", summary="The course's phase, spells of work and result")
async def get_employment(referral_id: UUID, principal: Reader, uow: UoW) -> EmploymentOut:
    return EmploymentOut.of(await read_employment(uow, principal, referral_id))


@router.post(
    "/referrals/{referral_id}/spells",
    status_code=status.HTTP_201_CREATED,
    response_model=EmploymentOut,
    summary="The participant started work or education; a meetings course moves into support",
)
async def post_spell(
    referral_id: UUID, body: SpellIn, principal: ProviderStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = StartSpell(
        employer_id=body.employer_id,
        kind=body.kind,
        start_date=body.start_date,
        weekly_hours=body.weekly_hours,
        disclosure=body.disclosure,
    )
    return await _run(
        request, uow, principal, key, body, lambda u: start_spell(u, principal, referral_id, command), _render_view
    )


@router.post(
    "/referrals/{referral_id}/spells/{spell_id}/end",
    response_model=EmploymentOut,
    summary="A spell ended, with its reason; the last one ending moves a meetings course back to search",
)
async def post_spell_end(
    referral_id: UUID,
    spell_id: UUID,
    body: SpellEndIn,
    principal: ProviderStaff,
    uow: UoW,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: end_spell(u, principal, referral_id, spell_id, body.end_date, body.reason),
        _render_view,
        status.HTTP_200_OK,
    )


@router.post(
    "/referrals/{referral_id}/clarification-result",
    status_code=status.HTTP_201_CREATED,
    response_model=ClarificationOut,
    summary="A clarification course's recommendation to the jobcentre, which keeps the decision",
)
async def post_result(
    referral_id: UUID, body: ClarificationIn, principal: ResultGiver, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = GiveResult(
        recommendation=body.recommendation,
        resources=tuple(body.resources),
        challenges=tuple(body.challenges),
        meetings_held=body.meetings_held,
        work_trials=body.work_trials,
        specialist_assessments=body.specialist_assessments,
        day=body.day,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: give_result(u, principal, referral_id, command),
        lambda r: ClarificationOut.of(r).model_dump(mode="json"),
    )
