"""The referral's course as one timeline for its caseworker: what the jobcentre was told (the
partner contract's events: intake, start, changes, notices, the end, results), the messages
between provider and caseworker, and the weeks with absence summarised from the attendance
statement; oldest first. The web keeps none of it: each part comes from the service that owns it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

PARTNER_PREFIX = "dk.forlob.partner."
# The next-step events that carry the step's facts, and those that only name a proposal by its id.
NEXT_STEP_FACTS = ("programme.next_step_proposed", "programme.next_step_planned")
NEXT_STEP_NAMING = ("programme.next_step_withdrawn", "programme.next_step_declined")


@dataclass(frozen=True)
class Known:
    """What the timeline knows beyond one event: programme names from the referral service's
    catalogue, by (provider, code), and each proposal as told, by its id, so that a withdrawal or a
    decline (which carry only the id) can say which proposal it closed."""

    programmes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    proposals: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def next_step_programmes(told: Sequence[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """The (provider, programme code) pairs the next-step events name: what to look up by name."""
    found = set()
    for e in told:
        data = e.get("data") or {}
        if _name(e["type"]) in NEXT_STEP_FACTS and data.get("next_provider_org") and data.get("next_programme_code"):
            found.add((str(data["next_provider_org"]), str(data["next_programme_code"])))
    return found


def proposals(told: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {
        str(data["proposal_id"]): data
        for e in told
        if _name(e["type"]) == "programme.next_step_proposed" and (data := e.get("data") or {}).get("proposal_id")
    }


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # told | message | absence_week: the timeline's own classes, for the page's marks
    title: str
    detail: str = ""


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _name(cloudevent_type: str) -> str:
    """``dk.forlob.partner.programme.started.v1`` → ``programme.started``."""
    return cloudevent_type.removeprefix(PARTNER_PREFIX).rsplit(".v", 1)[0]


def next_step_detail(data: Mapping[str, Any], words: Mapping[str, Any], known: Known) -> str:
    """Which next step: the programme (its name where the catalogue gave it, and its code), the
    provider, how it lies against this course and its planned first day. Never who proposed,
    declined or referred, nor why: the partner events carry none of it."""
    code, provider = data.get("next_programme_code"), data.get("next_provider_org")
    name = known.programmes.get((str(provider), str(code))) if code and provider else None
    planned = words["day_text"](data.get("planned_start")) if data.get("planned_start") else ""
    facts = [
        f"{name} ({code})" if name else str(code or ""),
        str(provider or ""),
        words["code"]("handover_relation", data.get("relation")),
        f"{words['t']('next_step.planned_start')} {planned}" if planned else "",
    ]
    return " · ".join(f for f in facts if f)


def told_detail(name: str, data: Mapping[str, Any], words: Mapping[str, Any], known: Known | None = None) -> str:
    """The one or two facts a caseworker reads beside each kind of event, in words."""
    known = known or Known()
    day: Callable[[Any], str] = words["day_text"]
    code: Callable[[str, str], str] = words["code"]
    decimal: Callable[..., str] = words["decimal"]
    fact: Callable[[str, Any], str] = words["fact_text"]
    if name == "programme.started":
        return f"{day(data.get('start_date'))} - {day(data.get('planned_end_date'))}"
    if name == "programme.rescheduled":
        return f"{day(data.get('previous_end_date'))} → {day(data.get('planned_end_date'))}"
    if name == "programme.agreed_hours_changed":
        before, after = data.get("previous_weekly_minutes") or 0, data.get("agreed_weekly_minutes") or 0
        hours = f"{decimal(before / 60, 1)} → {decimal(after / 60, 1)} h"
        # From when: a change told today may apply from a later week.
        since = day(data.get("effective_from"))
        return f"{hours} · {words['t']('timeline.from')} {since}" if since else hours
    if name == "programme.ended" and data.get("outcome"):
        return code("outcome", data["outcome"])
    if name == "referral.waitlisted":
        return day(data.get("estimated_start"))
    if name in ("referral.accepted", "referral.seat_offered"):
        return day(data.get("intake_date"))
    if name == "referral.rejected" and data.get("reason_code"):
        return code("reject_reason", data["reason_code"])
    if name == "referral.withdrawn" and data.get("reason_code"):
        return code("withdraw_reason", data["reason_code"])
    if name == "absence.unexplained":
        missed = f"{words['code']('fact', 'minutes_missed')}: {data.get('minutes_missed')}"
        return f"{fact('expected_at', data.get('expected_at'))} · {missed}"
    if name == "attendance.agreement_breached" and data.get("rule"):
        return code("breach_rule", data["rule"])
    if name == "employment.job_started" and data.get("kind"):
        return f"{code('spell_kind', data['kind'])} · {day(data.get('start_date'))}"
    if name == "employment.job_ended" and data.get("kind"):
        # Its last day is the news; the first day says which spell it was.
        return f"{code('spell_kind', data['kind'])} · {day(data.get('start_date'))} - {day(data.get('end_date'))}"
    if name == "absence.contact_reestablished" and data.get("how"):
        reason = code("absence_reason", data["reason"]) if data.get("reason") else ""
        return " · ".join(f for f in (code("contact_how", data["how"]), reason) if f)
    if name == "programme.phase_changed" and data.get("phase"):
        return code("support_phase", data["phase"])
    if name == "programme.clarification_result" and data.get("recommendation"):
        return code("recommendation", data["recommendation"])
    if name in NEXT_STEP_FACTS:
        return next_step_detail(data, words, known)
    if name in NEXT_STEP_NAMING:
        # The proposal it closed, as told; one not on this timeline leaves nothing to say.
        proposal = known.proposals.get(str(data.get("proposal_id")))
        return next_step_detail(proposal, words, known) if proposal else ""
    return ""


def entries(
    told: Sequence[Mapping[str, Any]],
    messages: Sequence[Mapping[str, Any]],
    statement: Mapping[str, Any] | None,
    words: Mapping[str, Any],
    zone: ZoneInfo,
    programme_names: Mapping[tuple[str, str], str] | None = None,
) -> list[Entry]:
    code: Callable[[str, str], str] = words["code"]
    decimal: Callable[..., str] = words["decimal"]
    known = Known(programme_names or {}, proposals(told))
    found = [
        Entry(
            _instant(e["time"]),
            "told",
            code("partner_event", name),
            told_detail(name, e.get("data") or {}, words, known),
        )
        for e in told
        if (name := _name(e["type"]))
    ]
    found += [
        Entry(_instant(m["posted_at"]), "message", code("message_side", m["side"]), m.get("text", "")) for m in messages
    ]
    for week in (statement or {}).get("weeks") or []:
        if (week.get("absent_hours") or 0) > 0:
            monday = date.fromisoformat(str(week["week_start"]))
            detail = f"{decimal(week['absent_hours'], 1)} / {decimal(week['agreed_hours'], 1)} h"
            found.append(
                Entry(
                    datetime.combine(monday, time(), zone),
                    "absence_week",
                    code("timeline_kind", "absence_week"),
                    detail,
                )
            )
    return sorted(found, key=lambda e: e.at)
