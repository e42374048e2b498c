"""Programmes without a timetable (issue 20's "done when"), against the running services.

Referral, attendance and notifications run in process on one clock the test moves; the rules that
run on time (attendance's absence sweep, notifications' overdue visits and escalations) are run by
the test at chosen moments, as their periodic tasks would.

- An IPS participant meets weekly: nothing is expected on days without a meeting, a missed
  meeting alerts the contact person as a missed arrival would, a meeting called off in advance
  does not.
- An outreach case from the first attempt, with no identity, to consent, identification and a
  handover to the IPS programme, with nothing personal in any event any service published.
- A home visit not ended in time alerts the team leader and the colleague, escalates when nobody
  acknowledges, and ending it closes the alerts.
- A command of the wrong shape is refused, and nothing changes.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from forlob_attendance.main import spec as attendance_spec
from forlob_notifications.application.options import Options
from forlob_notifications.application.sweep import run_due_rules
from forlob_notifications.main import spec as notifications_spec
from forlob_referral.main import spec as referral_spec
from forlob_shared.clock import ManualClock
from forlob_testkit.attendance import Attendance
from forlob_testkit.outside import SmtpSink
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
JOBCENTRE_ADMIN = auth(JOBCENTRE, "admin", staff="admin-j")
CONTACT_PERSON = auth(PROVIDER, "contact_person", staff="kp-1")
OUTREACH_WORKER = auth(PROVIDER, "contact_person", staff="op-1")
COLLEAGUE = auth(PROVIDER, "contact_person", staff="op-2")
TEAM_LEADER = auth(PROVIDER, "team_leader", staff="tl-1")
SECOND_LEADER = auth(PROVIDER, "team_leader", staff="tl-9")
# The outreach team hands over to another provider's IPS team: a referral like any other.
IPS_PROVIDER = "ips-nord"
IPS_COORDINATOR = auth(IPS_PROVIDER, "coordinator", staff="co-8")

# IPS (seed 003): individual meetings at an agreed cadence; any working day may start a course.
IPS = {
    **DEVELOPMENT_COURSE,
    "name": "IPS supported employment",
    "kind": "ips",
    "shape": "meetings",
    "intake_weekdays": [0, 1, 2, 3, 4],
    "default_weeks": 52,
    "min_weeks": 4,
    "max_weeks": 104,
    "opening_hours": [{"weekday": d, "start": "08:00", "end": "16:00"} for d in range(5)],
}
# Outreach (seed 004): the team approaches people who did not ask; cases, not courses.
OUTREACH = {**IPS, "name": "Outreach team", "kind": "outreach", "shape": "outreach"}

MONDAY = date(2026, 11, 30)
WORKING_NAME = "The man by the station kiosk"
DESCRIPTION = "Sleeps in the stairwell at Vesterbro 12; dog called Bamse."
ATTEMPT_NOTE = "Talked about his sister in Randers."


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AALBORG)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def _refused(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.request.method, str(response.request.url), response.text)
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem: dict[str, Any] = response.json()
    return problem


class Shapes:
    """The three services on one clock, driven as the people and the periodic jobs would."""

    def __init__(self, clock: ManualClock, referral: Any, attendance: Any, notifications: Any) -> None:
        self.clock = clock
        self.referral, self.notifications = referral.client, notifications.client
        self.attendance_client = attendance.client
        self.attendance = Attendance(attendance, clock)
        self.runtimes = {"referral": referral.runtime, "attendance": attendance.runtime}
        self.notifications_runtime = notifications.runtime
        self.runtimes["notifications"] = notifications.runtime
        self.options = Options.of(notifications.settings)

    def at(self, instant: datetime) -> None:
        self.clock.set(instant)

    async def run_notification_rules(self) -> Any:
        return await run_due_rules(self.notifications_runtime.uow, self.options, self.clock.now())

    async def inbox(self, who: dict[str, str], kind: str, **params: Any) -> list[dict[str, Any]]:
        answer = await self.notifications.get("/inbox", params={"kind": kind, **params}, headers=who)
        alerts: list[dict[str, Any]] = _ok(answer)
        return alerts

    async def published(self) -> list[dict[str, Any]]:
        """Every event each service wrote to its outbox, sent or not yet, as CloudEvents."""
        events = []
        for runtime in self.runtimes.values():
            async with runtime.engine.connect() as connection:
                query = sa.text(
                    "SELECT body FROM outbox UNION ALL SELECT body FROM outbox_archive"
                    if await _has_archive(connection)
                    else "SELECT body FROM outbox"
                )
                events += [json.loads(bytes(b)) for b in (await connection.execute(query)).scalars()]
        return events

    async def types_published(self) -> list[str]:
        return [e["type"].removeprefix("dk.forlob.") for e in await self.published()]


async def _has_archive(connection: Any) -> bool:
    found = await connection.execute(sa.text("SELECT to_regclass('outbox_archive') IS NOT NULL"))
    return bool(found.scalar_one())


async def _who_is_who(notifications: httpx.AsyncClient) -> None:
    staff = (
        ("kp-1", {"role": "contact_person", "email": "kp1@rca.example", "team_leader_id": "tl-1"}),
        ("op-1", {"role": "contact_person", "email": "op1@rca.example", "team_leader_id": "tl-1"}),
        ("op-2", {"role": "contact_person", "email": "op2@rca.example", "team_leader_id": "tl-1"}),
        ("tl-1", {"role": "team_leader", "email": "tl1@rca.example", "team_leader_id": "tl-9"}),
        ("tl-9", {"role": "team_leader", "email": "tl9@rca.example"}),
    )
    for staff_id, body in staff:
        _ok(
            await notifications.put(
                f"/staff/{staff_id}",
                json={"channels": ["inbox", "email"], "country": "DK", **body},
                headers=PROVIDER_ADMIN,
            )
        )
    _ok(
        await notifications.put(
            "/staff/cw-7",
            json={"channels": ["inbox"], "country": "DK", "role": "caseworker", "email": "cw7@jc.example"},
            headers=JOBCENTRE_ADMIN,
        )
    )


def _notifications_settings(smtp: SmtpSink) -> dict[str, Any]:
    return {
        "rules_interval": 3600.0,  # the test runs the rules on time itself, at the moments it chooses
        "dispatch_poll_interval": 0.1,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "visit_grace_minutes": 15,
        "visit_escalation_minutes": 15,
    }


async def _start_ips_course(shapes: Shapes, rng: random.Random) -> tuple[str, str]:
    """Refer, accept and start an IPS course with weekly meetings: returns referral and participant ids."""
    body = referral_body(rng, programme_code="IPS-AAL", wished_start=MONDAY.isoformat())
    created = _ok(await shapes.referral.post("/referrals", json=body, headers=CASEWORKER), 201)
    rid, pid = created["id"], created["participant_id"]
    _ok(await shapes.referral.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
    shapes.at(_local(MONDAY, 7))
    start = {
        "start_date": MONDAY.isoformat(),
        "cadence": {"kind": "weekly"},
        "contact_person_id": "kp-1",
        "team_leader_id": "tl-1",
    }
    started = _ok(await shapes.referral.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR))
    assert started["state"] == "started"
    return rid, pid


async def _wrong_shapes_are_refused(shapes: Shapes, rng: random.Random) -> None:
    """Each command of the wrong shape is refused with a problem, and the referral is as it was."""
    body = referral_body(rng, programme_code="IPS-AAL", wished_start=MONDAY.isoformat())
    created = _ok(await shapes.referral.post("/referrals", json=body, headers=CASEWORKER), 201)
    rid = created["id"]
    _ok(await shapes.referral.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
    before = _ok(await shapes.referral.get(f"/referrals/{rid}", headers=COORDINATOR))
    events_before = len(await shapes.published())
    timetable = [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)]
    wrong = (
        # a weekly timetable for a meetings programme
        {"start_date": MONDAY.isoformat(), "schedule": timetable, "contact_person_id": "kp-1"},
        # a timetable and a cadence at once
        {
            "start_date": MONDAY.isoformat(),
            "schedule": timetable,
            "cadence": {"kind": "weekly"},
            "contact_person_id": "kp-1",
        },
        # neither
        {"start_date": MONDAY.isoformat(), "contact_person_id": "kp-1"},
    )
    for start in wrong:
        _refused(await shapes.referral.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR), 409, 422)
    assert _ok(await shapes.referral.get(f"/referrals/{rid}", headers=COORDINATOR)) == before

    # An outreach programme opens cases, not courses: nobody can be referred to one to start.
    outreach_referral = referral_body(rng, programme_code="OPS-AAL")
    answer = await shapes.referral.post("/referrals", json=outreach_referral, headers=CASEWORKER)
    if answer.status_code == 201:
        orid = answer.json()["id"]
        accepted = await shapes.referral.post(f"/referrals/{orid}/accept", headers=COORDINATOR)
        start = {"start_date": MONDAY.isoformat(), "cadence": {"kind": "weekly"}, "contact_person_id": "kp-1"}
        if accepted.status_code == 200:
            _refused(await shapes.referral.post(f"/referrals/{orid}/start", json=start, headers=COORDINATOR), 409)
        else:
            _refused(accepted, 409, 422)
    else:
        _refused(answer, 409, 422)
    # and an outreach case needs an outreach programme
    case = {"programme_code": "IPS-AAL", "working_name": "Someone", "description": ""}
    _refused(await shapes.referral.post("/outreach/cases", json=case, headers=OUTREACH_WORKER), 409, 422)
    # Nothing the refused commands touched was published (the outreach referral, if it was taken).
    new = [e["type"] for e in (await shapes.published())[events_before:]]
    assert not [t for t in new if "programme.started" in t or "outreach.case_opened" in t], new


async def test_programme_shapes(make_database: Any, run_service: Any, smtp_sink: SmtpSink) -> None:
    clock = ManualClock(_local(date(2026, 11, 23), 9))
    databases = [await make_database(s()) for s in (referral_spec, attendance_spec, notifications_spec)]
    async with (
        run_service(notifications_spec(), databases[2], clock=clock, **_notifications_settings(smtp_sink)) as notif,
        run_service(attendance_spec(), databases[1], clock=clock, periodic_enabled=False) as attendance,
        run_service(referral_spec(), databases[0], clock=clock) as referral,
    ):
        shapes = Shapes(clock, referral, attendance, notif)
        rng = random.Random(20)
        await _who_is_who(shapes.notifications)
        _ok(await shapes.referral.put("/programmes/IPS-AAL", json=IPS, headers=COORDINATOR), 201)
        _ok(await shapes.referral.put("/programmes/OPS-AAL", json=OUTREACH, headers=COORDINATOR), 201)
        _ok(await shapes.referral.put("/programmes/IPS-NORD", json=IPS, headers=IPS_COORDINATOR), 201)
        catalogue = _ok(await shapes.referral.get("/programmes/IPS-AAL", headers=COORDINATOR))
        assert catalogue["shape"] == "meetings"

        # -- a command of the wrong shape changes nothing --------------------------------------------
        await _wrong_shapes_are_refused(shapes, rng)

        # -- IPS: weekly meetings, nothing expected between them -----------------------------------------
        rid, pid = await _start_ips_course(shapes, rng)

        async def course_known() -> bool:
            answer = await shapes.attendance_client.get(f"/referrals/{rid}/meetings", headers=CONTACT_PERSON)
            return answer.status_code == 200

        await eventually(course_known, what="attendance to know the IPS course")
        # A meetings course has no timetable: a check-in is refused, and nothing is planned from one.
        _refused(await shapes.attendance_client.post(f"/participants/{pid}/check-in", headers=CONTACT_PERSON), 409)
        await shapes.attendance.materialise()
        assert await shapes.attendance.scalar("SELECT count(*) FROM slots WHERE referral_id = :r", r=rid) == 0

        tuesday, thursday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)
        meeting = _ok(
            await shapes.attendance_client.post(
                f"/referrals/{rid}/meetings",
                json={
                    "starts_at": _local(tuesday, 10).isoformat(),
                    "ends_at": _local(tuesday, 11).isoformat(),
                    "place": "workplace",
                },
                headers=CONTACT_PERSON,
            ),
            201,
        )
        assert (meeting["state"], meeting["staff_id"]) == ("planned", "kp-1")
        second = _ok(
            await shapes.attendance_client.post(
                f"/referrals/{rid}/meetings",
                json={
                    "starts_at": _local(thursday, 13).isoformat(),
                    "ends_at": _local(thursday, 14).isoformat(),
                    "place": "provider",
                },
                headers=CONTACT_PERSON,
            ),
            201,
        )
        # Monday 10:00 and all of Monday: no meeting, so no absence, however late it gets.
        shapes.at(_local(MONDAY, 23))
        assert await shapes.attendance.sweep() == 0
        # Tuesday 10:16, the meeting's start plus the programme's 15 minutes' grace: missed.
        shapes.at(_local(tuesday, 10, 14))
        assert await shapes.attendance.sweep() == 0
        shapes.at(_local(tuesday, 10, 16))
        assert await shapes.attendance.sweep() == 1

        async def missed_meeting_alert() -> dict[str, Any] | None:
            alerts = await shapes.inbox(CONTACT_PERSON, "absence")
            return alerts[0] if alerts else None

        alert = await eventually(missed_meeting_alert, what="the contact person's alert of the missed meeting")
        assert alert["referral_id"] == rid
        assert alert["facts"]["meeting_id"] == meeting["meeting_id"]
        # Thursday's meeting is called off by the participant on Wednesday: it is not an absence.
        shapes.at(_local(thursday - timedelta(days=1), 15))
        cancelled = _ok(
            await shapes.attendance_client.post(
                f"/meetings/{second['meeting_id']}/cancel",
                json={"cancelled_by": "participant", "reason": "specialist_appointment"},
                headers=CONTACT_PERSON,
            )
        )
        assert cancelled["state"] == "cancelled"
        shapes.at(_local(thursday, 18))
        assert await shapes.attendance.sweep() == 0
        assert len(await shapes.inbox(CONTACT_PERSON, "absence")) == 1
        week = _ok(
            await shapes.attendance_client.get(
                "/meetings",
                params={"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=6)).isoformat(), "staff_id": "kp-1"},
                headers=CONTACT_PERSON,
            )
        )
        assert [m["state"] for m in week["meetings"]] == ["missed", "cancelled"]

        # -- outreach: from the first attempt, without identity, to consent and a handover --------------
        friday = MONDAY + timedelta(days=4)
        shapes.at(_local(friday, 9))
        case = _ok(
            await shapes.referral.post(
                "/outreach/cases",
                json={
                    "programme_code": "OPS-AAL",
                    "working_name": WORKING_NAME,
                    "description": DESCRIPTION,
                    "next_within_days": 3,
                },
                headers=OUTREACH_WORKER,
            ),
            201,
        )
        case_id = case["id"]
        assert case["phase"] == "contact_creation"
        attempts = (
            ("street", "in_person", "not_found"),
            ("shelter", "in_person", "refused"),
            ("street", "in_person", "brief_contact"),
            ("street", "in_person", "meeting_agreed"),
        )
        for n, (place, channel, outcome) in enumerate(attempts):
            shapes.at(_local(friday + timedelta(days=2 * n), 20))
            attempt = {"place": place, "channel": channel, "outcome": outcome, "next_within_days": 7}
            if n == 2:
                attempt["note"] = ATTEMPT_NOTE
            _ok(
                await shapes.referral.post(
                    f"/outreach/cases/{case_id}/attempts", json=attempt, headers=OUTREACH_WORKER
                ),
                201,
            )
        phase = {"phase": "relationship"}
        _ok(await shapes.referral.post(f"/outreach/cases/{case_id}/phase", json=phase, headers=OUTREACH_WORKER))
        # No identity before consent: refused, nothing stored.
        person = referral_body(rng)["participant"]
        _refused(
            await shapes.referral.post(f"/outreach/cases/{case_id}/identify", json=person, headers=OUTREACH_WORKER),
            409,
        )
        consent_day = friday + timedelta(days=10)
        shapes.at(_local(consent_day, 11))
        consent = {"method": "oral", "given_at": _local(consent_day, 10, 45).isoformat()}
        _ok(await shapes.referral.post(f"/outreach/cases/{case_id}/consent", json=consent, headers=OUTREACH_WORKER))
        identified = _ok(
            await shapes.referral.post(f"/outreach/cases/{case_id}/identify", json=person, headers=OUTREACH_WORKER)
        )
        assert identified["participant_id"]
        goals = [{"text": "A job with animals"}]
        handover = {"programme_code": "IPS-NORD", "provider_org": IPS_PROVIDER, "goals": goals}
        handed = _ok(
            await shapes.referral.post(f"/outreach/cases/{case_id}/handover", json=handover, headers=OUTREACH_WORKER),
            201,
        )
        received = await eventually(
            lambda: _event_of(shapes, "referral.received.v1", "referral_id", handed["id"]),
            what="the handover's referral.received",
        )
        assert received["data"]["outreach_case_id"] == case_id
        # a participant's pseudonym is per provider: the IPS team's is not the outreach team's
        assert received["data"]["participant_id"] != identified["participant_id"]
        kinds = await shapes.types_published()
        for routing_key in (
            "outreach.case_opened.v1",
            "outreach.contact_attempted.v1",
            "outreach.phase_changed.v1",
            "outreach.consent_recorded.v1",
            "outreach.case_identified.v1",
        ):
            assert routing_key in kinds, (routing_key, kinds)
        assert kinds.count("outreach.contact_attempted.v1") == 4

        # -- a home visit nobody ends --------------------------------------------------------------------
        visit_day = consent_day + timedelta(days=3)
        shapes.at(_local(visit_day, 13))
        visit = _ok(
            await shapes.notifications.post(
                "/visits",
                json={"kind": "home", "planned_end": _local(visit_day, 14).isoformat(), "colleague_id": "op-2"},
                headers=OUTREACH_WORKER,
            ),
            201,
        )
        shapes.at(_local(visit_day, 14, 14))
        assert (await shapes.run_notification_rules()).visits_overdue == 0
        shapes.at(_local(visit_day, 14, 15))
        assert (await shapes.run_notification_rules()).visits_overdue == 1
        assert (await shapes.run_notification_rules()).visits_overdue == 0  # once
        [to_leader] = await shapes.inbox(TEAM_LEADER, "visit_overdue")
        [to_colleague] = await shapes.inbox(COLLEAGUE, "visit_overdue")
        assert to_leader["state"] == to_colleague["state"] == "open"
        # nobody acknowledges: it escalates past the team leader to theirs
        shapes.at(_local(visit_day, 14, 31))
        assert (await shapes.run_notification_rules()).escalated >= 1
        escalated = _ok(await shapes.notifications.get(f"/alerts/{to_leader['id']}", headers=TEAM_LEADER))
        assert (escalated["level"], escalated["escalated_to"]) == (1, "tl-9")
        assert [a["id"] for a in await shapes.inbox(SECOND_LEADER, "visit_overdue")] == [to_leader["id"]]
        # the visitor comes back and ends it: its alerts close
        ended = _ok(await shapes.notifications.post(f"/visits/{visit['id']}/end", headers=OUTREACH_WORKER))
        assert ended["ended_at"]
        for alert_id in (to_leader["id"], to_colleague["id"]):
            closed = _ok(await shapes.notifications.get(f"/alerts/{alert_id}", headers=TEAM_LEADER))
            assert closed["state"] == "closed", closed

        # -- nothing personal in any event any service published ------------------------------------------
        texts = (WORKING_NAME, DESCRIPTION, ATTEMPT_NOTE, person["name"], person["identity_number"])
        published = await shapes.published()
        for event in published:
            raw = json.dumps(event, ensure_ascii=False)
            for text in texts:
                assert text not in raw, (event["type"], text)
        assert "visit.overdue.v1" in [e["type"].removeprefix("dk.forlob.") for e in published]

        # the e-mails about the visit went out, and no e-mail names the place or the citizen
        async def colleague_mailed() -> bool:
            return bool(smtp_sink.to("op2@rca.example"))

        await eventually(colleague_mailed, what="the colleague's e-mail about the visit")
        for mail in smtp_sink.messages:
            for text in texts:
                assert text not in mail.raw.decode("utf-8", "replace"), text


async def _event_of(shapes: Shapes, routing_key: str, field: str, value: str) -> dict[str, Any] | None:
    for event in await shapes.published():
        if event["type"] == f"dk.forlob.{routing_key}" and event["data"].get(field) == value:
            return event
    return None
