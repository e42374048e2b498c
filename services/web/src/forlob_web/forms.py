"""Every form the pages post, as a pydantic model: what each field is, read leniently (a missing
field is empty, text is trimmed) so that a person's mistake gets words next to the field or a
message on the page, and input no form could have sent gets the 422 page (forlob_web.deps.posted).

The CSRF token is checked before a form is parsed and is not part of the models.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from forlob_web.week_grid import Problem, Window, grid_fields, read_grid


def _text(value: Any) -> str:
    # A field left out of the post reads as empty, as the form's own empty field would.
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("text expected")
    return value.strip()


Text = Annotated[str, BeforeValidator(_text)]


class Form(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class SignOutForm(Form):
    """Nothing but the CSRF token: sign-out is a POST so that no link can sign anyone out."""


class AcknowledgeForm(Form):
    note: Text = ""

    def body(self) -> dict[str, str] | None:
        return {"note": self.note} if self.note else None


class KeyedForm(Form):
    """An action with the idempotency key drawn with the page, so a double click is one action."""

    key: Text = ""

    def idempotency_key(self) -> str:
        return self.key or str(uuid.uuid4())


class DayForm(KeyedForm):
    """A check-in or check-out, from the list of one day."""

    day: Text = ""

    def back(self) -> str:
        """The day's list again; today's if the day is not one."""
        try:
            return f"/attendance?day={date.fromisoformat(self.day).isoformat()}"
        except ValueError:
            return "/attendance"


class AbsenceForm(DayForm):
    reason: Text = ""

    def body(self) -> dict[str, str]:
        # The attendance service judges the reason and the day; its answer is shown on the page.
        return {"reason": self.reason, "first_day": self.day, "last_day": self.day}


class DecisionForm(KeyedForm):
    """Accept or reject: a double click is one decision."""


class WithdrawForm(KeyedForm):
    reason_code: Text = ""


class DeclineForm(KeyedForm):
    """The caseworker declines the provider's proposed next step, with a coded reason."""

    reason: Text = ""


class NextStepForm(KeyedForm):
    """The next step: the coordinator's proposal or the caseworker's referral on."""

    programme_code: Text = ""
    provider_org: Text = ""
    relation: Text = ""
    planned_start: Text = ""

    def body(self) -> dict[str, str] | None:
        """The body the referral service takes; None when the form is not filled in right."""
        try:
            day = date.fromisoformat(self.planned_start)
        except ValueError:
            return None
        if not self.programme_code or not self.provider_org or self.relation not in ("overlap", "sequence"):
            return None
        return {
            "programme_code": self.programme_code,
            "provider_org": self.provider_org,
            "relation": self.relation,
            "planned_start": day.isoformat(),
        }


# The channels staff record a consent through; a STOP reply is the participant's own (referral).
SMS_CHANNELS = ("in_person", "phone", "web")
SMS_LANGUAGES = ("da", "sv", "en", "ar", "so", "uk", "ti")


class SmsConsentForm(KeyedForm):
    """The participant's consent to text messages: their number, language and how they said yes."""

    mobile_number: Text = ""
    language: Text = ""
    channel: Text = ""

    def body(self) -> dict[str, str] | None:
        """The body the referral service takes; None when the form is not filled in right (the
        number itself is the referral service's to judge)."""
        if not self.mobile_number or self.language not in SMS_LANGUAGES or self.channel not in SMS_CHANNELS:
            return None
        return {"mobile_number": self.mobile_number, "language": self.language, "channel": self.channel}


class SmsWithdrawForm(KeyedForm):
    channel: Text = ""

    def body(self) -> dict[str, str] | None:
        return {"channel": self.channel} if self.channel in SMS_CHANNELS else None


class RejectForm(DecisionForm):
    reason_code: Text = ""


REFERRAL_FIELDS = (
    "provider_org",
    "programme_code",
    "participant.name",
    "participant.identity_number",
    "participant.identity_scheme",
    "goals",
    "wished_start",
    "wished_weekly_hours",
    "legal_basis",
    "legal_context",
)
REQUIRED = ("provider_org", "programme_code", "participant.name", "participant.identity_number")


class ReferralForm(Form):
    """The referral form: every field the referral service's API takes, as typed."""

    provider_org: Text = ""
    programme_code: Text = ""
    name: Text = Field("", alias="participant.name")
    identity_number: Text = Field("", alias="participant.identity_number")
    identity_scheme: Text = Field("", alias="participant.identity_scheme")
    goals: Text = ""
    wished_start: Text = ""
    wished_weekly_hours: Text = ""
    legal_basis: Text = ""
    legal_context: Text = ""
    key: Text = ""

    def values(self) -> dict[str, str]:
        """The fields by their names in the form, to draw it again as typed."""
        dumped = self.model_dump(by_alias=True)
        return {name: dumped[name] for name in REFERRAL_FIELDS}

    def idempotency_key(self) -> str:
        return self.key or str(uuid.uuid4())

    def problems(self) -> dict[str, str]:
        """Field → message key, for what the service need not be asked about."""
        values = self.values()
        problems = {name: "field.required" for name in REQUIRED if not values[name]}
        if self.wished_weekly_hours and self.hours() is None:
            problems["wished_weekly_hours"] = "field.not_a_number"
        if self.wished_start:
            try:
                date.fromisoformat(self.wished_start)
            except ValueError:
                problems["wished_start"] = "field.not_a_date"
        return problems

    def hours(self) -> float | None:
        try:
            return float(self.wished_weekly_hours.replace(",", ".")) if self.wished_weekly_hours else None
        except ValueError:
            return None

    def body(self) -> dict[str, Any]:
        """What the referral service's POST /referrals takes."""
        return {
            "programme_code": self.programme_code,
            "provider_org": self.provider_org,
            "participant": {
                "name": self.name,
                "identity_number": self.identity_number.replace("-", "").replace(" ", ""),
                "identity_scheme": self.identity_scheme or "dk_cpr",
            },
            "goals": goals(self.goals),
            "wished_start": self.wished_start or None,
            "wished_weekly_hours": self.hours(),
            "legal_basis": self.legal_basis or None,
            "legal_context": self.legal_context or None,
        }


def goals(text: str) -> list[dict[str, Any]]:
    """One goal a line; a line starting with '-' is a sub-goal of the goal above it."""
    found: list[dict[str, Any]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("-") and found:
            found[-1]["sub_goals"].append(line.lstrip("- ").strip())
        else:
            found.append({"text": line, "sub_goals": []})
    return found


def day_of(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() else None


class GridForm(KeyedForm):
    """A form with the week grid (forlob_web.week_grid): its cells are gathered into ``grid``."""

    grid: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {**data, "grid": grid_fields(data)}
        return data

    def schedule(self, opening: list[Window]) -> tuple[list[Window], dict[str, Problem]]:
        windows, problems = read_grid(self.grid, opening)
        if not windows and not problems:
            problems["grid"] = Problem("grid.empty", {})
        return windows, problems


class AgreementForm(GridForm):
    """Change the agreed weekly hours (and the contact person) from a day on."""

    effective_from: Text = ""
    contact_person_id: Text = ""
    team_leader_id: Text = ""

    def problems(self, opening: list[Window], start: date | None) -> tuple[list[Window], dict[str, Problem]]:
        windows, problems = self.schedule(opening)
        effective = day_of(self.effective_from)
        if effective is None:
            problems["effective_from"] = Problem("field.not_a_date" if self.effective_from else "field.required", {})
        elif start is not None and effective < start:
            problems["effective_from"] = Problem("course.before_start", {})
        if not self.contact_person_id:
            problems["contact_person_id"] = Problem("field.required", {})
        return windows, problems

    def body(self, windows: list[Window]) -> dict[str, Any]:
        return {
            "effective_from": self.effective_from,
            "schedule": [w.body() for w in windows],
            "contact_person_id": self.contact_person_id,
            "team_leader_id": self.team_leader_id or None,
        }


class RescheduleForm(KeyedForm):
    """Extend or shorten: the course's new length in weeks from its start."""

    weeks: Text = ""

    def problems(self) -> dict[str, Problem]:
        return {} if (_whole(self.weeks) or 0) >= 1 else {"weeks": Problem("field.not_a_number", {})}

    def body(self) -> dict[str, int]:
        return {"weeks": int(self.weeks)}


class MoveForm(KeyedForm):
    """Move a referral on the waiting list: the new place and why (the referral service audits it)."""

    position: Text = ""
    reason: Text = ""

    def problems(self) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if (_whole(self.position) or 0) < 1:
            problems["position"] = Problem("field.not_a_number", {})
        if len(self.reason) < 3:
            problems["reason"] = Problem("waiting.reason_needed", {})
        return problems

    def body(self) -> dict[str, Any]:
        return {"position": int(self.position), "reason": self.reason}


class ContactAttemptForm(KeyedForm):
    """A contact attempt about a missed arrival and its outcome, from the alert's page."""

    outcome: Text = ""
    reason: Text = ""

    def body(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "reason": self.reason or None}


class LocalSignInForm(Form):
    """The local sign-in: a demo person by number, or an organisation, staff id and roles."""

    person: Text = ""
    org: Text = ""
    staff: Text = ""
    roles: Text = ""

    def role_list(self) -> list[str]:
        return [r.strip() for r in self.roles.split(",") if r.strip()]


class DpoLookupForm(Form):
    """The DPO finds a participant: by identity number (an audited read) or by participant id."""

    identity_number: Text = ""
    purpose: Text = ""
    participant: Text = ""
