"""Work and the way into it, as the provider records it. Pure rules, no I/O.

- **Employers** are organisations in the provider's own register, by CVR (DK) or organisation
  number (SE). Their name and contact are organisation data the provider's staff see; events carry
  the employer's id only.
- **Employer contacts** are the consultant's job development, for a participant's course or in
  general (IPS: "personal contact with employers" from the first month).
- **Spells** of work or education: several per course, each ended with a reason. On an IPS
  course (kind ``ips``, meetings-shaped) the first open spell moves the course into follow-along
  support and the end of the last one moves it back to search; the course goes on until ended.
- **Clarification results** (:mod:`forlob_referral.domain.clarification`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from stdnum.dk import cvr
from stdnum.exceptions import ValidationError
from stdnum.se import orgnr

from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_referral.domain.referral import Referral, State
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContacted,
    EmployerContactKind,
    EmployerRegistered,
    EmployerSector,
    JobEnded,
    JobStarted,
    PhaseChanged,
    SpellEndReason,
    SpellKind,
    SupportPhase,
)

# DB07 (DK, six digits) and SNI 2007 (SE, five digits) both extend NACE's two-digit divisions.
_INDUSTRY_CODE = re.compile(r"^[0-9]{2}(\.?[0-9]{1,4})?$")
_VALIDATORS = {"DK": (cvr, "CVR number"), "SE": (orgnr, "organisation number")}


@dataclass(frozen=True)
class EmployerContactPerson:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Employer:
    id: UUID
    provider_org: str
    country: str
    number: str | None  # compact: 8 digits (CVR) or 10 (organisation number); None: registered without
    name: str
    sector: EmployerSector
    industry_code: str | None
    contact: EmployerContactPerson
    registered_by: str
    registered_at: datetime


def employer_number(country: str, number: str | None) -> str | None:
    """The compact, validated CVR or organisation number (python-stdnum), None when the employer
    goes without one, or 422 on ``number``.

    A Swedish sole trader's (*enskild firma*) organisation number is the owner's personnummer:
    personal data about a person who is not our participant, which the register would show to
    every colleague and keep as an organisation's id. It is refused (``personal-identity-number``)
    and the firm is registered without a number. Legal entities' numbers have a third digit of 2
    or more ("month" 20-99), so no personnummer is one. The refusal never repeats the number.
    """
    if country not in _VALIDATORS:
        raise InvalidInput(f"country must be one of {sorted(_VALIDATORS)}", field="country")
    if number is None or not number.strip():
        return None
    module, what = _VALIDATORS[country]
    try:
        compact = str(module.validate(number))
    except ValidationError:
        raise InvalidInput(f"the number is not a valid {what} (check its digits)", field="number") from None
    if country == "SE" and compact[2] in "01":
        raise InvalidInput(
            "this organisation number is a personnummer: a sole trader's (enskild firma) number is the "
            "owner's identity number, which the register does not keep. Register the firm without a number.",
            field="number",
            reason="personal-identity-number",
        )
    return compact


def register_employer(
    *,
    provider_org: str,
    country: str,
    number: str | None,
    name: str,
    sector: EmployerSector,
    industry_code: str | None,
    contact: EmployerContactPerson,
    staff_id: str,
    now: datetime,
) -> tuple[Employer, PendingEvent]:
    compact = employer_number(country, number)
    if not name.strip():
        raise InvalidInput("name the employer", field="name")
    if industry_code is not None and not _INDUSTRY_CODE.match(industry_code):
        raise InvalidInput("an industry code is a DB07 / SNI 2007 code, e.g. 47.11 or 471100", field="industry_code")
    employer = Employer(
        id=uuid4(),
        provider_org=provider_org,
        country=country,
        number=compact,
        name=name.strip(),
        sector=sector,
        industry_code=industry_code,
        contact=contact,
        registered_by=staff_id,
        registered_at=now,
    )
    event = EmployerRegistered(
        employer_id=employer.id,
        provider_org=provider_org,
        country=country,
        sector=sector,
        industry_code=industry_code,
        registered_at=now,
    )
    return employer, PendingEvent(data=event, subject=str(employer.id), provider_org=provider_org)


@dataclass(frozen=True)
class EmployerContact:
    id: UUID
    provider_org: str
    employer_id: UUID
    staff_id: str
    day: date
    kind: EmployerContactKind
    referral_id: UUID | None
    participant_id: UUID | None
    recorded_by: str
    recorded_at: datetime
    # True: a contact about the participant with the employer they work for, which the participant
    # agreed to; None: a contact where that question does not arise (job development).
    with_consent: bool | None = None


def contact_employer(
    *,
    employer: Employer,
    referral: Referral | None,
    staff_id: str,
    day: date,
    kind: EmployerContactKind,
    recorded_by: str,
    today: date,
    now: datetime,
    spells: Sequence[Spell] = (),
    participant_consented: bool | None = None,
) -> tuple[EmployerContact, PendingEvent]:
    """Record a consultant's contact with an employer. With the employer the participant works for
    (an open spell of the course there: follow-along support), only with the participant's consent:
    what the employer is told about them is theirs to decide (seed 003), whatever they disclosed."""
    if day > today:
        raise InvalidInput("a contact is recorded once it was made", field="day")
    with_consent = None
    if referral is not None:
        _check_running(referral, "record an employer contact for")
        if referral.start_date is not None and day < referral.start_date:
            raise InvalidInput("the contact lies before the course started", field="day")
        if any(s.is_open and s.employer_id == employer.id for s in spells):
            if participant_consented is not True:
                raise InvalidInput(
                    "the participant works for this employer: a contact about them needs their consent"
                    " (participant_consented: true)",
                    field="participant_consented",
                )
            with_consent = True
    contact = EmployerContact(
        id=uuid4(),
        provider_org=employer.provider_org,
        employer_id=employer.id,
        staff_id=staff_id,
        day=day,
        kind=kind,
        referral_id=referral.id if referral else None,
        participant_id=referral.participant_id if referral else None,
        recorded_by=recorded_by,
        recorded_at=now,
        with_consent=with_consent,
    )
    event = EmployerContacted(
        employer_id=employer.id,
        provider_org=employer.provider_org,
        contact_id=contact.id,
        staff_id=staff_id,
        day=day,
        kind=kind,
        referral_id=contact.referral_id,
        participant_id=contact.participant_id,
        programme_code=referral.programme_code if referral else None,
        referring_org=referral.referring_org if referral else None,
        recorded_at=now,
    )
    return contact, PendingEvent(
        data=event,
        subject=str(employer.id),
        referring_org=referral.referring_org if referral else None,
        provider_org=employer.provider_org,
    )


@dataclass(frozen=True)
class Spell:
    """A spell of work or education during a course. ``disclosure`` is None once erased."""

    id: UUID
    referral_id: UUID
    participant_id: UUID
    provider_org: str
    employer_id: UUID | None
    kind: SpellKind
    start_date: date
    weekly_hours: float
    disclosure: Disclosure | None
    recorded_by: str
    recorded_at: datetime
    end_date: date | None = None
    end_reason: SpellEndReason | None = None
    ended_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.end_date is None


def as_the_referrer_sees(spell: Spell) -> Spell:
    """A spell as the referring jobcentre may see it, as the partner contract tells it: the kind,
    dates and hours; not the employer (the provider's register), not the participant's choice
    about disclosure, not why it ended."""
    return replace(spell, employer_id=None, disclosure=None, end_reason=None)


def phase_of(referral: Referral, programme: Programme) -> SupportPhase | None:
    """The support phase of a started IPS course (kind ``ips``, meetings-shaped); None for any
    other course. Follow-along support after a job starts is IPS's: a clarification or conversation
    course that records a job (a work trial that became one) goes on as it was, with no phase."""
    if programme.kind is not ProgrammeKind.IPS or programme.shape is not ProgrammeShape.MEETINGS:
        return None
    if referral.state not in (State.STARTED, State.ENDED):
        return None
    return referral.support_phase or SupportPhase.SEARCH


def start_spell(
    *,
    referral: Referral,
    programme: Programme,
    employer: Employer | None,
    kind: SpellKind,
    start_date: date,
    weekly_hours: float,
    disclosure: Disclosure,
    staff_id: str,
    today: date,
    now: datetime,
) -> tuple[Spell, list[PendingEvent]]:
    _check_running(referral, "record a job start on")
    if employer is None and kind is not SpellKind.EDUCATION:
        raise InvalidInput("name the employer of a job (only education may go without one)", field="employer_id")
    if referral.start_date is not None and start_date < referral.start_date:
        raise InvalidInput("the job starts before the course started", field="start_date")
    if start_date > today:
        raise InvalidInput("a job is recorded once it started", field="start_date")
    if not 0 < weekly_hours <= 60:
        raise InvalidInput("weekly hours lie above 0 and at most 60", field="weekly_hours")
    spell = Spell(
        id=uuid4(),
        referral_id=referral.id,
        participant_id=referral.participant_id,
        provider_org=referral.provider_org,
        employer_id=employer.id if employer else None,
        kind=kind,
        start_date=start_date,
        weekly_hours=weekly_hours,
        disclosure=disclosure,
        recorded_by=staff_id,
        recorded_at=now,
    )
    started = JobStarted(
        **referral._ids(),
        spell_id=spell.id,
        employer_id=spell.employer_id,
        kind=kind,
        start_date=start_date,
        weekly_hours=weekly_hours,
        disclosure=disclosure,
        recorded_at=now,
    )
    events = [referral._event(started)]
    if phase_of(referral, programme) is SupportPhase.SEARCH:
        events.append(_move(referral, SupportPhase.EMPLOYED_WITH_SUPPORT, start_date, spell.id, now))
    return spell, events


def end_spell(
    *,
    referral: Referral,
    programme: Programme,
    spell: Spell,
    others_open: bool,
    end_date: date,
    reason: SpellEndReason,
    today: date,
    now: datetime,
) -> tuple[Spell, list[PendingEvent]]:
    """End a spell on its last day. When no other spell is open on a running meetings course,
    the course goes back to search from the next day."""
    if not spell.is_open:
        raise Conflict(f"the spell ended on {spell.end_date}", reason="spell-ended")
    if end_date < spell.start_date:
        raise InvalidInput(f"the spell cannot end before it started ({spell.start_date})", field="end_date")
    if end_date > today:
        raise InvalidInput("a spell is ended once it ended", field="end_date")
    ended = replace(spell, end_date=end_date, end_reason=reason, ended_at=now)
    event = JobEnded(
        **referral._ids(),
        spell_id=spell.id,
        employer_id=spell.employer_id,
        kind=spell.kind,
        start_date=spell.start_date,
        end_date=end_date,
        reason=reason,
        recorded_at=now,
    )
    events = [referral._event(event)]
    in_support = phase_of(referral, programme) is SupportPhase.EMPLOYED_WITH_SUPPORT
    if in_support and referral.state is State.STARTED and not others_open:
        events.append(_move(referral, SupportPhase.SEARCH, end_date + timedelta(days=1), spell.id, now))
    return ended, events


def _move(referral: Referral, phase: SupportPhase, since: date, spell_id: UUID, now: datetime) -> PendingEvent:
    previous = referral.support_phase or SupportPhase.SEARCH
    referral.support_phase, referral.support_phase_since = phase, since
    return referral._event(
        PhaseChanged(
            **referral._ids(), phase=phase, previous_phase=previous, since=since, spell_id=spell_id, changed_at=now
        )
    )


def _check_running(referral: Referral, doing: str) -> None:
    if referral.state is not State.STARTED:
        raise Conflict(
            f"cannot {doing} a course that is {referral.state.value}",
            current_state=referral.state.value,
            allowed_from=[State.STARTED.value],
        )
