"""The forms of the pages for programmes without a timetable: a meetings course's cadence, a
meeting held, cancelled or planned, an outreach case and its contact attempts, phases, consent,
identification and handover, and a visit started. Each names a person's mistakes by field (a
message key of forlob_web.i18n) and turns into the body the service's API takes.

Moments typed on a page are the wall clock of the pages' zone; the services get them with their
offset, so that a meeting at 09:00 is 09:00 on the wall in summer and in winter."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from forlob_shared.events.common import AbsenceReason, CadenceKind, MeetingPlace, MeetingTopic
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
    OutreachPhase,
)
from forlob_shared.events.visits import VisitKind
from forlob_web.forms import KeyedForm, Text, day_of
from forlob_web.week_grid import Problem

CADENCES = [c.value for c in CadenceKind]
PLACES = [p.value for p in MeetingPlace]
TOPICS = [t.value for t in MeetingTopic]
CANCEL_REASONS = [r.value for r in AbsenceReason]
CONTACT_PLACES = [p.value for p in ContactPlace]
CHANNELS = [c.value for c in ContactChannel]
ATTEMPT_OUTCOMES = [o.value for o in ContactOutcome]
PHASES = [p.value for p in OutreachPhase]
CLOSE_REASONS = [r.value for r in OutreachCloseReason]
CONSENT_METHODS = [m.value for m in ConsentMethod]
VISIT_KINDS = [k.value for k in VisitKind]
# The gap the cadence allows by default; one planned meeting by meeting has no default.
DEFAULT_GAP = {"weekly": 7, "fortnightly": 14}


def whole(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def clock_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text[:5]) if text else None
    except ValueError:
        return None


def moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


class CadenceStartForm(KeyedForm):
    """Start a meetings course: how often they meet instead of a weekly timetable."""

    start_date: Text = ""
    weeks: Text = ""
    contact_person_id: Text = ""
    team_leader_id: Text = ""
    cadence: Text = ""
    max_days_between: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if day_of(self.start_date) is None:
            problems["start_date"] = Problem("field.not_a_date" if self.start_date else "field.required", {})
        if self.weeks and whole(self.weeks) is None:
            problems["weeks"] = Problem("field.not_a_number", {})
        if not self.contact_person_id:
            problems["contact_person_id"] = Problem("field.required", {})
        if self.cadence not in CADENCES:
            problems["cadence"] = Problem("cadence.missing", {})
        gap = whole(self.max_days_between) if self.max_days_between else None
        if self.max_days_between and (gap is None or not 1 <= gap <= 92):
            problems["max_days_between"] = Problem("cadence.gap_range", {})
        elif self.cadence == "planned" and gap is None:
            problems["max_days_between"] = Problem("cadence.gap_needed", {})
        return problems

    def gap(self) -> int:
        return whole(self.max_days_between) or DEFAULT_GAP.get(self.cadence, 14)

    def body(self, weeks: int, goals: list[dict[str, Any]]) -> dict[str, Any]:
        """The referral service's POST /referrals/{id}/start for a meetings programme: a cadence, no schedule."""
        return {
            "start_date": self.start_date,
            "weeks": weeks,
            "cadence": {"kind": self.cadence, "max_days_between": self.gap()},
            "contact_person_id": self.contact_person_id,
            "team_leader_id": self.team_leader_id or None,
            "plan": {"workshop": None, "goals": goals},
        }


class CadenceAgreementForm(KeyedForm):
    """Change how often a meetings course meets (and the contact person) from a day on."""

    effective_from: Text = ""
    contact_person_id: Text = ""
    team_leader_id: Text = ""
    cadence: Text = ""
    max_days_between: Text = ""

    def problems(self, start: date | None) -> dict[str, Problem]:
        rhythm = CadenceStartForm.model_validate(
            {"start_date": self.effective_from, "contact_person_id": self.contact_person_id}
            | {"cadence": self.cadence, "max_days_between": self.max_days_between}
        )
        problems = {("effective_from" if k == "start_date" else k): p for k, p in rhythm.problems().items()}
        effective = day_of(self.effective_from)
        if effective is not None and start is not None and effective < start:
            problems["effective_from"] = Problem("course.before_start", {})
        return problems

    def body(self) -> dict[str, Any]:
        gap = whole(self.max_days_between) or DEFAULT_GAP.get(self.cadence, 14)
        return {
            "effective_from": self.effective_from,
            "cadence": {"kind": self.cadence, "max_days_between": gap},
            "contact_person_id": self.contact_person_id,
            "team_leader_id": self.team_leader_id or None,
        }


class BackForm(KeyedForm):
    """An action from a list that leads back to the page it came from (only the pages' own paths)."""

    back: Text = ""

    def back_to(self, default: str) -> str:
        ok = self.back.startswith("/") and not self.back.startswith("//") and "\\" not in self.back
        return self.back if ok else default


class MeetingHeldForm(BackForm):
    """One tap: the meeting took place, when it began (its planned start filled in: recorded later
    in the day it is not late), how long, and its coded topics (no free text here)."""

    day: Text = ""
    began: Text = ""
    duration_minutes: Text = ""
    topics: list[str] = Field(default_factory=list)

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.began and (clock_time(self.began) is None or day_of(self.day) is None):
            problems["began"] = Problem("grid.not_a_time", {})
        minutes = whole(self.duration_minutes)
        if minutes is None or not 1 <= minutes <= 480:
            problems["duration_minutes"] = Problem("meeting.duration_range", {})
        if any(t not in TOPICS for t in self.topics):
            problems["topics"] = Problem("meeting.topic_unknown", {})
        return problems

    def body(self, zone: ZoneInfo) -> dict[str, Any]:
        """The attendance service's POST /meetings/{id}/held; without a start, it takes now."""
        body: dict[str, Any] = {
            "duration_minutes": int(self.duration_minutes),
            "topics": list(dict.fromkeys(self.topics)),
        }
        day, began = day_of(self.day), clock_time(self.began)
        if day is not None and began is not None:
            body["held_at"] = moment(day, began, zone).isoformat()
        return body


class MeetingCancelForm(BackForm):
    """The participant called the meeting off, with a reason: not an absence."""

    reason: Text = ""

    def problems(self) -> dict[str, Problem]:
        return {} if self.reason in CANCEL_REASONS else {"reason": Problem("meeting.reason_needed", {})}

    def body(self) -> dict[str, Any]:
        return {"cancelled_by": "participant", "reason": self.reason}


class PlanMeetingForm(BackForm):
    """The next meeting: the day, from and to, and where."""

    day: Text = ""
    start: Text = ""
    end: Text = ""
    place: Text = ""

    def problems(self, today: date) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        day = day_of(self.day)
        if day is None:
            problems["day"] = Problem("field.not_a_date" if self.day else "field.required", {})
        elif day < today:
            problems["day"] = Problem("meeting.in_the_past", {})
        start, end = clock_time(self.start), clock_time(self.end)
        if start is None:
            problems["start"] = Problem("grid.not_a_time", {})
        if end is None:
            problems["end"] = Problem("grid.not_a_time", {})
        elif start is not None and end <= start:
            problems["end"] = Problem("grid.end_before_start", {})
        if self.place not in PLACES:
            problems["place"] = Problem("meeting.place_missing", {})
        return problems

    def body(self, zone: ZoneInfo, staff_id: str) -> dict[str, Any]:
        day = date.fromisoformat(self.day)
        start, end = clock_time(self.start), clock_time(self.end)
        assert start is not None
        assert end is not None
        return {
            "starts_at": moment(day, start, zone).isoformat(),
            "ends_at": moment(day, end, zone).isoformat(),
            "place": self.place,
            "staff_id": staff_id,
        }


class OpenCaseForm(KeyedForm):
    """A new outreach case: a working name and a description, no identity."""

    programme_code: Text = ""
    working_name: Text = ""
    description: Text = ""

    def problems(self, programmes: set[str]) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.programme_code not in programmes:
            problems["programme_code"] = Problem("outreach.programme_missing", {})
        if not self.working_name:
            problems["working_name"] = Problem("field.required", {})
        return problems

    def body(self) -> dict[str, Any]:
        return {
            "programme_code": self.programme_code,
            "working_name": self.working_name,
            "description": self.description,
        }


class AttemptForm(KeyedForm):
    """A contact attempt: where, how, what came of it, and when to try again."""

    place: Text = ""
    channel: Text = ""
    outcome: Text = ""
    next_in_days: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.place not in CONTACT_PLACES:
            problems["place"] = Problem("outreach.choose", {})
        if self.channel not in CHANNELS:
            problems["channel"] = Problem("outreach.choose", {})
        if self.outcome not in ATTEMPT_OUTCOMES:
            problems["outcome"] = Problem("outreach.choose", {})
        days = whole(self.next_in_days) if self.next_in_days else None
        if self.next_in_days and (days is None or not 1 <= days <= 92):
            problems["next_in_days"] = Problem("outreach.days_range", {})
        return problems

    def body(self) -> dict[str, Any]:
        """The referral service's POST /outreach/cases/{id}/attempts; it dates the plan itself."""
        return {
            "place": self.place,
            "channel": self.channel,
            "outcome": self.outcome,
            "next_within_days": whole(self.next_in_days),
        }


class PhaseForm(KeyedForm):
    """Another phase; closing says why (and, not in the target group, who they were helped on to)."""

    phase: Text = ""
    close_reason: Text = ""
    helped_on_to: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.phase not in PHASES:
            problems["phase"] = Problem("outreach.choose", {})
        elif self.phase == "closed" and self.close_reason not in CLOSE_REASONS:
            problems["close_reason"] = Problem("outreach.close_reason_needed", {})
        elif self.phase == "closed" and self.close_reason == "not_in_target_group" and not self.helped_on_to:
            problems["helped_on_to"] = Problem("outreach.helped_on_needed", {})
        return problems

    def body(self) -> dict[str, Any]:
        closed = self.phase == "closed"
        return {
            "phase": self.phase,
            "close_reason": self.close_reason if closed else None,
            "helped_on_to": (self.helped_on_to or None) if closed else None,
        }


class ConsentForm(KeyedForm):
    method: Text = ""
    given_on: Text = ""

    def problems(self, today: date) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.method not in CONSENT_METHODS:
            problems["method"] = Problem("outreach.choose", {})
        given = day_of(self.given_on)
        if self.given_on and given is None:
            problems["given_on"] = Problem("field.not_a_date", {})
        elif given is not None and given > today:
            problems["given_on"] = Problem("outreach.consent_future", {})
        return problems

    def body(self, now: datetime) -> dict[str, Any]:
        given = day_of(self.given_on)
        # A consent given earlier today or before: noon of that day stands for the moment.
        at = now if given is None or given == now.date() else datetime.combine(given, time(12), tzinfo=now.tzinfo)
        return {"method": self.method, "given_at": at.isoformat()}


class IdentifyForm(KeyedForm):
    """After consent only: the name and identity number, kept by the referral service alone."""

    name: Text = ""
    identity_number: Text = ""
    identity_scheme: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if not self.name:
            problems["name"] = Problem("field.required", {})
        if not self.identity_number:
            problems["identity_number"] = Problem("field.required", {})
        return problems

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "identity_number": self.identity_number.replace("-", "").replace(" ", ""),
            "identity_scheme": self.identity_scheme or "dk_cpr",
        }


class HandoverForm(KeyedForm):
    """The handover: a referral to another provider's programme (an organisation does not refer to
    itself), carrying the outreach history's facts."""

    programme_code: Text = ""
    provider_org: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        for name in ("programme_code", "provider_org"):
            if not getattr(self, name):
                problems[name] = Problem("field.required", {})
        return problems

    def body(self) -> dict[str, Any]:
        return {"programme_code": self.programme_code, "provider_org": self.provider_org}


class StartVisitForm(KeyedForm):
    """A visit begins: its kind, when it should be over (today, on the wall clock), a colleague if any."""

    kind: Text = ""
    planned_end: Text = ""
    colleague_id: Text = ""

    def problems(self, now: datetime) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.kind not in VISIT_KINDS:
            problems["kind"] = Problem("visit.kind_missing", {})
        end = self.end(now)
        if end is None:
            problems["planned_end"] = Problem("grid.not_a_time", {})
        elif end <= now:
            problems["planned_end"] = Problem("visit.end_in_the_past", {})
        return problems

    def end(self, now: datetime) -> datetime | None:
        at = clock_time(self.planned_end)
        return datetime.combine(now.date(), at, tzinfo=now.tzinfo) if at else None

    def body(self, now: datetime) -> dict[str, Any]:
        end = self.end(now)
        assert end is not None
        return {"kind": self.kind, "planned_end": end.isoformat(), "colleague_id": self.colleague_id or None}


class EndVisitForm(KeyedForm):
    """Ending a visit: the key only (a double tap ends it once)."""
