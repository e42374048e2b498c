"""The forms that begin and close a timetabled course: the start (with its closing meeting), the
re-booking of the closing meeting, and the end with the attainment of each goal and sub-goal.

Read leniently like every form (forlob_web.forms); the referral service checks again and has the
last word (the closing meeting within the course, every goal and sub-goal attained once).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from pydantic import Field, model_validator

from forlob_web.forms import GridForm, KeyedForm, Text, day_of
from forlob_web.shape_forms import whole
from forlob_web.week_grid import Problem, Window

ATTAINMENTS = ("achieved", "partly_achieved", "not_achieved")
PLACES = ("on_site", "at_jobcentre", "video_call", "phone_call")


def time_of(text: str) -> time | None:
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        return None


def course_end(start: date, weeks: int) -> date:
    """The course's last day (inclusive), as the referral service counts it."""
    return start + timedelta(weeks=weeks) - timedelta(days=1)


def _meeting_problems(
    day_text: str, time_text: str, start: date | None, end: date | None, *, day_field: str, time_field: str
) -> dict[str, Problem]:
    """A closing meeting's day and time: both given, the day from the start to the planned end."""
    problems: dict[str, Problem] = {}
    day, at = day_of(day_text), time_of(time_text)
    if day is None:
        problems[day_field] = Problem("field.not_a_date" if day_text else "field.required", {})
    elif start is not None and day < start:
        problems[day_field] = Problem("course.meeting_before_start", {})
    elif end is not None and day > end:
        problems[day_field] = Problem("course.meeting_after_end", {})
    if at is None:
        problems[time_field] = Problem("grid.not_a_time" if time_text else "field.required", {})
    return problems


def _instant(day_text: str, time_text: str, zone: tzinfo) -> str:
    """The provider's wall time on that day, with its offset, as the referral service takes it."""
    return datetime.combine(date.fromisoformat(day_text), time.fromisoformat(time_text), zone).isoformat()


class StartCourseForm(GridForm):
    """Start a course: the agreed week, the contact person, the workshop, the closing meeting."""

    start_date: Text = ""
    weeks: Text = ""
    contact_person_id: Text = ""
    team_leader_id: Text = ""
    workshop: Text = ""
    closing_meeting: Text = ""
    closing_meeting_time: Text = ""

    def problems(self, opening: list[Window], default_weeks: int) -> tuple[list[Window], dict[str, Problem]]:
        windows, problems = self.schedule(opening)
        start, weeks = day_of(self.start_date), self.course_weeks(default_weeks)
        if not self.contact_person_id:
            problems["contact_person_id"] = Problem("field.required", {})
        if start is None:
            problems["start_date"] = Problem("field.not_a_date" if self.start_date else "field.required", {})
        if weeks is None:
            problems["weeks"] = Problem("field.not_a_number", {})
        end = course_end(start, weeks) if start is not None and weeks is not None else None
        problems |= _meeting_problems(
            self.closing_meeting,
            self.closing_meeting_time,
            start,
            end,
            day_field="closing_meeting",
            time_field="closing_meeting_time",
        )
        return windows, problems

    def course_weeks(self, default_weeks: int) -> int | None:
        return whole(self.weeks) if self.weeks else default_weeks

    def body(self, windows: list[Window], weeks: int, goals: list[dict[str, Any]], zone: tzinfo) -> dict[str, Any]:
        """What the referral service's POST /referrals/{id}/start takes: the referral's goals become
        the plan's; the closing meeting, agreed at the start, is booked with the caseworker invited."""
        return {
            "start_date": self.start_date,
            "weeks": weeks,
            "schedule": [w.body() for w in windows],
            "contact_person_id": self.contact_person_id,
            "team_leader_id": self.team_leader_id or None,
            "plan": {"workshop": self.workshop or None, "goals": goals},
            "closing_meeting": {
                "starts_at": _instant(self.closing_meeting, self.closing_meeting_time, zone),
                "place": "on_site",
                "caseworker_invited": True,
            },
        }


class ClosingMeetingForm(KeyedForm):
    """Re-book the closing meeting: another day and time within the course, its place, the invitation."""

    meeting_day: Text = ""
    meeting_time: Text = ""
    place: Text = ""
    caseworker_invited: Text = ""

    def problems(self, start: date | None, end: date | None) -> dict[str, Problem]:
        problems = _meeting_problems(
            self.meeting_day, self.meeting_time, start, end, day_field="meeting_day", time_field="meeting_time"
        )
        if self.place not in PLACES:
            problems["place"] = Problem("course.place_missing", {})
        return problems

    def body(self, zone: tzinfo) -> dict[str, Any]:
        return {
            "starts_at": _instant(self.meeting_day, self.meeting_time, zone),
            "place": self.place,
            "caseworker_invited": self.caseworker_invited == "yes",
        }


class EndCourseForm(KeyedForm):
    """End the course: the outcome, the closing note, each goal's attainment (``goal_{i}``,
    ``goal_{i}_comment``) and each of its sub-goals' (``goal_{i}_sub_{j}``), in the referral's order."""

    end_date: Text = ""
    outcome: Text = ""
    first_job_date: Text = ""
    summary: Text = ""
    resources: Text = ""
    development_possibilities: Text = ""
    next_step: Text = ""
    attainment: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = {k: str(v).strip() for k, v in data.items() if k.startswith("goal_") and isinstance(v, str)}
            return {**data, "attainment": found}
        return data

    def values(self) -> dict[str, str]:
        return {**self.model_dump(exclude={"attainment", "key"}), **self.attainment}

    def problems(self, start: date | None, goals: list[dict[str, Any]], outcomes: set[str]) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        end = day_of(self.end_date)
        if end is None:
            problems["end_date"] = Problem("field.not_a_date" if self.end_date else "field.required", {})
        elif start is not None and end < start:
            problems["end_date"] = Problem("course.end_before_start", {})
        if self.outcome not in outcomes:
            problems["outcome"] = Problem("course.outcome_missing", {})
        if self.first_job_date and day_of(self.first_job_date) is None:
            problems["first_job_date"] = Problem("field.not_a_date", {})
        for name in ("summary", "resources", "development_possibilities"):
            if not getattr(self, name):
                problems[name] = Problem("field.required", {})
        for i, goal in enumerate(goals):
            if self.attainment.get(f"goal_{i}") not in ATTAINMENTS:
                problems[f"goal_{i}"] = Problem("course.attainment_missing", {})
            for j, _ in enumerate(goal.get("sub_goals") or []):
                if self.attainment.get(f"goal_{i}_sub_{j}") not in ATTAINMENTS:
                    problems[f"goal_{i}_sub_{j}"] = Problem("course.attainment_missing", {})
        return problems

    def body(self, goals: list[dict[str, Any]]) -> dict[str, Any]:
        attained = [
            {
                "goal": goal["text"],
                "attainment": self.attainment[f"goal_{i}"],
                "comment": self.attainment.get(f"goal_{i}_comment") or None,
                "sub_goals": [
                    {"sub_goal": sub_goal, "attainment": self.attainment[f"goal_{i}_sub_{j}"]}
                    for j, sub_goal in enumerate(goal.get("sub_goals") or [])
                ],
            }
            for i, goal in enumerate(goals)
        ]
        return {
            "end_date": self.end_date,
            "outcome": self.outcome,
            "first_job_date": self.first_job_date or None,
            "closing_note": {
                "summary": self.summary,
                "resources": self.resources,
                "development_possibilities": self.development_possibilities,
                "goal_attainment": attained,
                "next_step": self.next_step or None,
            },
        }
