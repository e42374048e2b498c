"""The forms of work and the way into it: an employer registered, an employer contact, a job or
education started and ended, and a clarification course's result. Each names a person's mistakes
by field (a message key of forlob_web.i18n) and turns into the body the referral service's API
takes (forlob_referral.api.employment_schemas); the service still judges the number, the dates and
the course, and its refusal is shown next to the field it names."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    WorkAbilityArea,
)
from forlob_web.forms import Text, day_of
from forlob_web.shape_forms import BackForm, whole
from forlob_web.week_grid import Problem

COUNTRIES = ["DK", "SE"]
SECTORS = [s.value for s in EmployerSector]
CONTACT_KINDS = [k.value for k in EmployerContactKind]
SPELL_KINDS = [k.value for k in SpellKind]
DISCLOSURES = [d.value for d in Disclosure]
END_REASONS = [r.value for r in SpellEndReason]
RECOMMENDATIONS = [r.value for r in Recommendation]
AREAS = [a.value for a in WorkAbilityArea]


def _day_problem(text: str) -> Problem | None:
    if day_of(text) is None:
        return Problem("field.not_a_date" if text else "field.required", {})
    return None


def _hours(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if 0 < value <= 60 else None


class EmployerForm(BackForm):
    """A new employer in the register, by its CVR (DK) or organisation number (SE)."""

    country: Text = "DK"
    number: Text = ""
    without_number: Text = ""  # "yes": a Swedish sole trader, whose number is the owner's personnummer
    name: Text = ""
    sector: Text = ""
    industry_code: Text = ""
    contact_name: Text = ""
    contact_email: Text = ""
    contact_phone: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.country not in COUNTRIES:
            problems["country"] = Problem("field.required", {})
        if not self.number and self.without_number != "yes":
            problems["number"] = Problem("employers.number_needed", {})
        if not self.name:
            problems["name"] = Problem("field.required", {})
        if self.sector not in SECTORS:
            problems["sector"] = Problem("field.required", {})
        return problems

    def body(self) -> dict[str, Any]:
        contact = {"name": self.contact_name, "email": self.contact_email, "phone": self.contact_phone}
        return {
            "country": self.country,
            "number": None if self.without_number == "yes" else self.number,
            "name": self.name,
            "sector": self.sector,
            "industry_code": self.industry_code or None,
            "contact": {k: v or None for k, v in contact.items()},
        }


class EmployerContactForm(BackForm):
    """A contact with an employer for one participant's course."""

    employer_id: Text = ""
    day: Text = ""
    kind: Text = ""
    participant_consented: Text = ""  # "yes": ticked

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if not self.employer_id:
            problems["employer_id"] = Problem("field.required", {})
        if (day := _day_problem(self.day)) is not None:
            problems["day"] = day
        if self.kind not in CONTACT_KINDS:
            problems["kind"] = Problem("field.required", {})
        return problems

    def body(self, referral_id: str) -> dict[str, Any]:
        body = {"employer_id": self.employer_id, "day": self.day, "kind": self.kind, "referral_id": referral_id}
        return body | ({"participant_consented": True} if self.participant_consented == "yes" else {})


class SpellForm(BackForm):
    """A job or education started: employer (education may go without), kind, first day, hours
    and the participant's choice to tell the employer."""

    employer_id: Text = ""
    kind: Text = ""
    start_date: Text = ""
    weekly_hours: Text = ""
    disclosure: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.kind not in SPELL_KINDS:
            problems["kind"] = Problem("field.required", {})
        elif not self.employer_id and self.kind != "education":
            problems["employer_id"] = Problem("employment.employer_needed", {})
        if (day := _day_problem(self.start_date)) is not None:
            problems["start_date"] = day
        if _hours(self.weekly_hours) is None:
            problems["weekly_hours"] = Problem("employment.hours_range", {})
        if self.disclosure not in DISCLOSURES:
            problems["disclosure"] = Problem("field.required", {})
        return problems

    def body(self) -> dict[str, Any]:
        return {
            "employer_id": self.employer_id or None,
            "kind": self.kind,
            "start_date": self.start_date,
            "weekly_hours": _hours(self.weekly_hours),
            "disclosure": self.disclosure,
        }


class SpellEndForm(BackForm):
    """A job or education ended: its last day and why."""

    end_date: Text = ""
    reason: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if (day := _day_problem(self.end_date)) is not None:
            problems["end_date"] = day
        if self.reason not in END_REASONS:
            problems["reason"] = Problem("field.required", {})
        return problems

    def body(self) -> dict[str, Any]:
        return {"end_date": self.end_date, "reason": self.reason}


class ClarificationForm(BackForm):
    """A clarification course's recommendation, the participant's resources and challenges as
    coded areas (ticked), and the evidence behind it as counts."""

    recommendation: Text = ""
    resources: list[str] = Field(default_factory=list)
    challenges: list[str] = Field(default_factory=list)
    meetings_held: Text = ""
    work_trials: Text = ""
    specialist_assessments: Text = ""
    day: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if self.recommendation not in RECOMMENDATIONS:
            problems["recommendation"] = Problem("field.required", {})
        for name in ("resources", "challenges"):
            if any(a not in AREAS for a in getattr(self, name)):
                problems[name] = Problem("field.required", {})
        for name in ("meetings_held", "work_trials", "specialist_assessments"):
            if whole(getattr(self, name) or "0") is None:
                problems[name] = Problem("result.count_range", {})
        if (day := _day_problem(self.day)) is not None:
            problems["day"] = day
        return problems

    def body(self) -> dict[str, Any]:
        return {
            "recommendation": self.recommendation,
            "resources": list(dict.fromkeys(self.resources)),
            "challenges": list(dict.fromkeys(self.challenges)),
            "meetings_held": whole(self.meetings_held or "0"),
            "work_trials": whole(self.work_trials or "0"),
            "specialist_assessments": whole(self.specialist_assessments or "0"),
            "day": self.day,
        }
