"""What the use cases need from storage, as Protocols: the SQL repositories in ``db/`` satisfy
them, and so do the in-memory twins of the fast test tier (``forlob_testkit.in_memory.referral``).

A use case is typed against :class:`ReferralUoW`, never against the SQL unit of work, so mypy
checks that both stand in for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.course_record import FollowUpTalk, Meeting, SpecialistNote
from forlob_referral.domain.employment import Employer, EmployerContact, Spell
from forlob_referral.domain.handover import Handover
from forlob_referral.domain.messages import Message, Side
from forlob_referral.domain.outreach import ContactAttempt, OutreachCase
from forlob_referral.domain.participant import Participant
from forlob_referral.domain.personal import IdentityRead, PersonalData, WaitlistMove
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.records import ClosingNote, DevelopmentPlan, Goal
from forlob_referral.domain.referral import Referral, State, Waiter
from forlob_referral.domain.seats import HeldSeat
from forlob_referral.domain.sms import ConsentChange, SmsContact, SmsMessage
from forlob_referral.domain.sms_inbound import SmsReply, SmsUsage
from forlob_shared.clock import Clock
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.events.provider import StaffChanged


class ProgrammeStore(Protocol):
    async def get(self, provider_org: str, code: str, *, lock: bool = False) -> Programme | None: ...

    async def list(self, provider_org: str) -> list[Programme]: ...

    async def save(self, programme: Programme) -> None: ...


class ReferralStore(Protocol):
    """Referrals; a referral is written back with :meth:`save` after it was read or added here."""

    async def add(self, referral: Referral) -> None: ...

    async def save(self, *referrals: Referral) -> None: ...

    async def get_visible(self, referral_id: UUID, org: str) -> Referral | None: ...

    async def get_referred_by(self, referral_id: UUID, org: str, *, lock: bool = False) -> Referral | None: ...

    async def get_provided_by(self, referral_id: UUID, org: str, *, lock: bool = False) -> Referral | None: ...

    async def in_programme(self, provider_org: str, code: str, states: Sequence[State]) -> list[Referral]: ...

    async def seats(self, provider_org: str, code: str) -> list[HeldSeat]:
        """The seats of the programme's accepted and started referrals, in referral id order."""
        ...

    async def waiting(self, provider_org: str, code: str) -> list[Waiter]:
        """The programme's waitlisted referrals as waiters (no course, no agreement), in waiting-list
        order: rank, then the time referred, then id."""
        ...

    async def many_provided_by(self, referral_ids: Sequence[UUID], org: str) -> list[Referral]:
        """Those of the referrals that ``org`` provides, whole, in one read; to be written back with :meth:`save`."""
        ...

    async def rerank(self, ranks: Sequence[tuple[UUID, float | None]]) -> None:
        """Write these waiting-list ranks (referral id, rank), all in one statement; for waiters, not
        for referrals this unit of work holds whole (:meth:`save` writes theirs)."""
        ...

    async def visible_to(
        self, org: str, *, state: State | None, programme_code: str | None, limit: int, offset: int
    ) -> list[Referral]: ...

    async def of_programme(self, provider_org: str, code: str) -> list[Referral]: ...

    async def programmes_with_waiting_lists(self) -> list[tuple[str, str]]: ...

    async def due_for_erasure(self, closed_before: datetime, limit: int) -> list[Referral]: ...

    async def of_participant(
        self, provider_org: str, participant_id: UUID, *, lock: bool = False
    ) -> list[Referral]: ...


class PersonalDataStore(Protocol):
    async def add(self, referral_id: UUID, participant: Participant, goals: Sequence[Goal]) -> None: ...

    async def get(self, referral_id: UUID) -> PersonalData | None: ...

    async def set_plan(self, referral_id: UUID, plan: DevelopmentPlan) -> None: ...

    async def set_closing_note(self, referral_id: UUID, note: ClosingNote) -> None: ...

    async def pseudonym_at(self, provider_org: str, participant: Participant) -> UUID | None: ...

    async def erase(self, referral_ids: Sequence[UUID]) -> None: ...

    async def with_identity_number(self, provider_org: str, identity_number: str) -> list[tuple[UUID, UUID]]:
        """(referral id, participant id) of this provider's referrals whose participant has this number."""
        ...


class AuditLog(Protocol):
    async def identity_read(self, referral_id: UUID, org: str, staff_id: str, purpose: str, at: datetime) -> None: ...

    async def identity_reads(self, org: str, referral_id: UUID | None, limit: int) -> list[IdentityRead]: ...

    async def waitlist_move(
        self, referral: Referral, staff_id: str, moved: tuple[int, int], reason: str, at: datetime
    ) -> None: ...

    async def waitlist_moves(self, provider_org: str, code: str) -> list[WaitlistMove]: ...

    async def trail(
        self, provider_org: str, referral_ids: Sequence[UUID] | None, since: datetime | None, limit: int
    ) -> tuple[list[IdentityRead], list[WaitlistMove]]:
        """Identity reads and waiting-list moves of the provider's referrals (by anyone), oldest first."""
        ...


class CourseRecordStore(Protocol):
    """Talks, meetings and specialist notes of one referral's course, oldest first."""

    async def add_talk(self, talk: FollowUpTalk) -> None: ...

    async def talks(self, referral_id: UUID) -> list[FollowUpTalk]: ...

    async def add_meeting(self, meeting: Meeting) -> None: ...

    async def save_meeting(self, meeting: Meeting) -> None: ...

    async def meetings(self, referral_id: UUID) -> list[Meeting]: ...

    async def add_note(self, note: SpecialistNote) -> None: ...

    async def save_note(self, note: SpecialistNote) -> None: ...

    async def notes(self, referral_id: UUID) -> list[SpecialistNote]: ...

    async def erase(self, referral_ids: Sequence[UUID]) -> None: ...


class StaffDirectory(Protocol):
    async def record(self, change: StaffChanged) -> None:
        """Keep the change unless a newer one of the same person is kept already."""

    async def active_of(self, org: str) -> set[str] | None:
        """The organisation's active staff ids; ``None`` when it keeps no directory at all."""


class MessageStore(Protocol):
    async def add(self, message: Message) -> None: ...

    async def thread(self, referral_id: UUID) -> list[Message]: ...

    async def mark_read(self, referral_id: UUID, sent_by: Side, reader_id: str, at: datetime) -> int:
        """Receipt for every unread message ``sent_by`` one side; returns how many."""
        ...

    async def erase(self, referral_ids: Sequence[UUID]) -> None: ...


class OutreachStore(Protocol):
    """Outreach cases (org-scoped reads) and their contact attempts, oldest first."""

    async def add(self, case: OutreachCase) -> None: ...

    async def save(self, *cases: OutreachCase) -> None: ...

    async def get(self, case_id: UUID, org: str, *, lock: bool = False) -> OutreachCase | None: ...

    async def of_org(self, org: str, *, include_closed: bool) -> list[OutreachCase]: ...

    async def add_attempt(self, attempt: ContactAttempt) -> None: ...

    async def attempts_of(self, case_id: UUID) -> list[ContactAttempt]: ...

    async def overdue_candidates(self, before: date, limit: int) -> list[OutreachCase]:
        """Open cases due before ``before`` whose reminder for that due date has not gone out."""
        ...

    async def pseudonym_at(self, provider_org: str, participant: Participant) -> UUID | None: ...

    async def of_participant(self, provider_org: str, participant_id: UUID) -> list[OutreachCase]: ...

    async def with_identity_number(self, provider_org: str, identity_number: str) -> list[tuple[UUID, UUID]]:
        """(case id, participant id) of this organisation's identified cases with this number."""
        ...

    async def due_for_erasure(self, closed_before: datetime, limit: int) -> list[OutreachCase]: ...

    async def erase_notes(self, case_ids: Sequence[UUID]) -> None: ...


class EmploymentStore(Protocol):
    """The provider's employer register (org-scoped reads), employer contacts, spells of work or
    education and clarification results; lists oldest first."""

    async def add_employer(self, employer: Employer) -> bool:
        """Add it; False when the organisation has this employer number already (even one
        registered by a concurrent request that committed first)."""

    async def employer(self, employer_id: UUID, org: str) -> Employer | None: ...

    async def employer_by_number(self, org: str, country: str, number: str) -> Employer | None: ...

    async def employers(self, org: str) -> list[Employer]:
        """The organisation's employers by name."""
        ...

    async def add_contact(self, contact: EmployerContact) -> None: ...

    async def contacts(
        self, org: str, *, referral_id: UUID | None = None, employer_id: UUID | None = None
    ) -> list[EmployerContact]:
        """The organisation's employer contacts by day, for one course or one employer if named."""
        ...

    async def add_spell(self, spell: Spell) -> None: ...

    async def save_spell(self, spell: Spell) -> None: ...

    async def spells(self, referral_id: UUID) -> list[Spell]:
        """The course's spells by start date."""
        ...

    async def add_clarification(self, result: Clarification) -> None: ...

    async def clarification(self, referral_id: UUID) -> Clarification | None: ...

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        """Empty what is personal beyond the coded facts: disclosure, resources and challenges."""
        ...


class SmsStore(Protocol):
    """Consent and number (personal), the messages asked for, the replies' codes."""

    async def contact(self, referral_id: UUID, *, lock: bool = False) -> SmsContact | None: ...

    async def save_contact(self, contact: SmsContact) -> None: ...

    async def add_consent_change(self, change: ConsentChange) -> None: ...

    async def consent_history(self, referral_id: UUID) -> list[ConsentChange]: ...

    async def contacts_with_number(self, mobile_number: str, *, lock: bool = False) -> list[SmsContact]: ...

    async def add_message(self, message: SmsMessage) -> bool: ...

    async def message(self, request_id: UUID, *, lock: bool = False) -> SmsMessage | None: ...

    async def message_by_gateway_id(self, gateway_message_id: str, *, lock: bool = False) -> SmsMessage | None: ...

    async def save_messages(self, *messages: SmsMessage) -> None: ...

    async def due(self, now: datetime, limit: int) -> list[SmsMessage]: ...

    async def stale_sending(self, claimed_before: datetime, limit: int) -> list[SmsMessage]: ...

    async def latest_open_question(self, referral_ids: Sequence[UUID], now: datetime) -> SmsMessage | None: ...

    async def messages_of(self, referral_id: UUID) -> list[SmsMessage]: ...

    async def add_reply(self, reply: SmsReply) -> bool: ...

    async def replies_of(self, referral_id: UUID) -> list[SmsReply]: ...

    async def usage(self, start: datetime, end: datetime, provider_org: str | None) -> list[SmsUsage]: ...

    async def erase(self, referral_ids: Sequence[UUID]) -> None: ...


class HandoverStore(Protocol):
    """Referrals on from running courses. ``get`` answers the handover's parties only: the
    jobcentre, the course's provider, and the next provider once the next referral exists."""

    async def add(self, handover: Handover) -> None: ...

    async def save(self, handover: Handover) -> None: ...

    async def get(self, handover_id: UUID, org: str, *, lock: bool = False) -> Handover | None: ...

    async def of_course(self, referral_id: UUID, *, lock: bool = False) -> list[Handover]:
        """The handovers from one course, oldest first."""
        ...

    async def into(self, next_referral_id: UUID) -> Handover | None:
        """The handover that made this referral, if one did."""
        ...

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        """Empty the resource-profile areas of the handovers from or into these referrals."""
        ...


class IdempotencyKeys(Protocol):
    async def forget_before(self, before: datetime) -> int: ...


class ReferralUoW(Protocol):
    """One use case's transaction: ``async with uow: ...; await uow.commit(result)``.

    ``commit`` takes the use case's result because an HTTP request's Idempotency-Key stores the
    response with the effect, in the same transaction.
    """

    @property
    def programmes(self) -> ProgrammeStore: ...

    @property
    def referrals(self) -> ReferralStore: ...

    @property
    def personal(self) -> PersonalDataStore: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def idempotency(self) -> IdempotencyKeys: ...

    @property
    def record(self) -> CourseRecordStore: ...

    @property
    def messages(self) -> MessageStore: ...

    @property
    def outreach(self) -> OutreachStore: ...

    @property
    def staff(self) -> StaffDirectory: ...

    @property
    def employment(self) -> EmploymentStore: ...

    @property
    def sms(self) -> SmsStore: ...

    @property
    def handovers(self) -> HandoverStore: ...

    @property
    def clock(self) -> Clock: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def emit(self, *events: PendingEvent) -> None: ...

    async def commit(self, result: Any = None) -> None: ...
