"""The course record: what the provider's staff document between the plan and the closing note.

Weekly follow-up talks, meetings (the closing meeting among them) and specialist notes are free
text about a person, like the closing note: they live only in this service, never in an event or
a log line, and are erased with the rest of the personal data when the retention period runs out.

Who may read a specialist note (a physician's, psychologist's or physiotherapist's) is decided
here, in :func:`may_read_specialist_note`, so the API, the pages and the tests share one rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum
from uuid import UUID

from forlob_referral.domain.referral import Referral, State
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.http.auth import Principal

# A course is documented while it runs, and until the closing meeting after its end.
DOCUMENTED = frozenset({State.STARTED, State.ENDED})


class TalkTopic(StrEnum):
    """The coded topics of a follow-up talk (their words in every language: forlob_shared.texts)."""

    ATTENDANCE = "attendance_hours"
    WORK_TASKS = "work_tasks"
    HEALTH = "health_situation"
    WELLBEING = "wellbeing_social"
    GOALS = "goals_progress"
    INTERNSHIP = "work_placement"
    PRACTICAL = "practical_matters"
    NEXT_STEP = "next_step"


class MeetingKind(StrEnum):
    START = "start_meeting"
    FOLLOW_UP = "follow_up"
    STATUS = "status_meeting"
    CLOSING = "closing_meeting"


class PlaceKind(StrEnum):
    ON_SITE = "on_site"
    JOBCENTRE = "at_jobcentre"
    VIDEO = "video_call"
    PHONE = "phone_call"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Specialism(StrEnum):
    PHYSICIAN = "physician"
    PSYCHOLOGIST = "psychologist"
    PHYSIOTHERAPIST = "physiotherapist"


@dataclass(frozen=True)
class FollowUpTalk:
    id: UUID
    referral_id: UUID
    held_on: date
    staff_ids: tuple[str, ...]
    topics: tuple[TalkTopic, ...]
    next_steps: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Meeting:
    id: UUID
    referral_id: UUID
    kind: MeetingKind
    starts_at: datetime
    place: PlaceKind
    caseworker_invited: bool
    status: MeetingStatus
    booked_by: str
    booked_at: datetime

    def settle(self, status: MeetingStatus) -> Meeting:
        """A planned meeting is held or cancelled, once."""
        if status is MeetingStatus.PLANNED:
            raise InvalidInput("a meeting is settled as held or cancelled", field="status")
        if self.status is not MeetingStatus.PLANNED:
            raise Conflict(f"the meeting is already {self.status.value}", current_state=self.status.value)
        return replace(self, status=status)

    def rebook(self, starts_at: datetime, place: PlaceKind, caseworker_invited: bool) -> Meeting:
        """Another time (and place) for a meeting still to come; a held one stays as it was."""
        if self.status is not MeetingStatus.PLANNED:
            raise Conflict(f"the meeting is already {self.status.value}", current_state=self.status.value)
        return replace(self, starts_at=starts_at, place=place, caseworker_invited=caseworker_invited)


@dataclass(frozen=True)
class SpecialistNote:
    id: UUID
    referral_id: UUID
    specialism: Specialism
    author_id: str
    text: str
    written_at: datetime
    attached_by: str | None = None
    attached_at: datetime | None = None

    @property
    def attached(self) -> bool:
        return self.attached_at is not None

    def attach(self, coordinator_id: str, at: datetime) -> SpecialistNote:
        if self.attached:
            raise Conflict("the note is already attached to the closing note", current_state="attached")
        return replace(self, attached_by=coordinator_id, attached_at=at)


def check_documented(referral: Referral) -> None:
    if referral.state not in DOCUMENTED:
        raise Conflict("a course is documented once it has started", current_state=referral.state.value)


def check_closing_meeting(kind: MeetingKind, meetings: list[Meeting]) -> None:
    """One closing meeting per course (a cancelled one may be booked again)."""
    if kind is MeetingKind.CLOSING and any(
        m.kind is MeetingKind.CLOSING and m.status is not MeetingStatus.CANCELLED for m in meetings
    ):
        raise Conflict("the closing meeting is already booked", current_state="closing_meeting_booked")


def current_closing_meeting(meetings: Sequence[Meeting]) -> Meeting | None:
    """The course's closing meeting: the one booked and not cancelled (there is at most one)."""
    booked = [m for m in meetings if m.kind is MeetingKind.CLOSING and m.status is not MeetingStatus.CANCELLED]
    return booked[-1] if booked else None


def check_within_course(referral: Referral, starts_at: datetime, zone: tzinfo, *, field: str) -> None:
    """The closing meeting is agreed at the start for a day of the course, its planned end at the
    latest (seed 002); the day is the provider's, in the programme's zone."""
    start, end = referral.start_date, referral.planned_end_date
    assert start is not None  # a documented course has started
    assert end is not None
    day = starts_at.astimezone(zone).date()
    if not start <= day <= end:
        raise InvalidInput(
            f"the closing meeting ({day}) must lie within the course ({start} to {end})",
            field=field,
            start_date=start.isoformat(),
            planned_end_date=end.isoformat(),
        )


def is_provider_staff(viewer: Principal, referral: Referral) -> bool:
    return viewer.org == referral.provider_org


def may_read_specialist_note(viewer: Principal, referral: Referral, note: SpecialistNote) -> bool:
    """Specialists and the coordinator of the provider read every note (the coordinator chooses
    what to attach); the referring caseworker reads a note once it is attached to the closing
    note; the contact person, workshop lead and team leader never do."""
    if viewer.org == referral.provider_org:
        return bool(viewer.roles & {"specialist", "coordinator"})
    if viewer.org == referral.referring_org:
        return "caseworker" in viewer.roles and note.attached
    return False
