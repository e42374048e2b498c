"""The jobcentre hears what it is entitled to, and no more (issue 18's first "done when").

The jobcentre subscribes on both channels, its AMQP feed (a real partner user on the broker) and a
webhook to every partner type, and a whole course runs: referral, intake, start, a change of
agreement that is none of its business and one that is, an absence explained in time, one left
unexplained past the policy's deadline (then contact re-established), a breach of the agreement,
a second unexplained absence, an extension and the end. Referral, attendance and notifications
run in process on one clock the test moves; the rules that run on time (attendance's sweep and
breach check, notifications' escalations and notices) are run by the test at chosen moments.

Asserted: the exact list of partner event types, in order, on the feed, and the same events by
webhook; the notice of an unexplained absence only at the policy's deadline (nothing a minute
before); `sequence` a string counting one series per referral without a gap; each message as its
schema and the partner AsyncAPI document say; no provider staff id, name, identity number or free text anywhere."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from forlob_attendance.main import spec as attendance_spec
from forlob_notifications.application.alerts import run_due_rules
from forlob_notifications.application.options import Options
from forlob_notifications.main import spec as notifications_spec
from forlob_referral.main import spec as referral_spec
from forlob_shared.clock import ManualClock
from forlob_shared.partner import partner_event_class, partner_event_types, partner_json_schema
from forlob_testkit.attendance import Attendance
from forlob_testkit.outside import PartnerInbox, SmtpSink, WebhookReceiver
from forlob_testkit.partner_contract import check_against_asyncapi
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
ASYNCAPI = json.loads((Path(__file__).resolve().parents[2] / "docs" / "asyncapi" / "partners.json").read_text())
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
JOBCENTRE_ADMIN = auth(JOBCENTRE, "admin", staff="admin-j")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
WORKSHOP_LEAD = auth(PROVIDER, "workshop_lead", staff="wl-1")
CONTACT_PERSON = auth(PROVIDER, "contact_person", staff="kp-1")
STAFF_IDS = ("kp-1", "tl-1", "tl-2", "cw-7", "co-3", "wl-1", "admin-j", "admin-p")

START = date(2026, 11, 30)  # a Monday: the intake day after the referral
MORNINGS = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)]
AFTERNOONS_TOO = [{"weekday": d, "start": "08:00", "end": "14:00"} for d in range(4)]
# Two unexcused days in a row are a breach of this programme's agreement.
PROGRAMME = {**DEVELOPMENT_COURSE, "rules": {**DEVELOPMENT_COURSE["rules"], "breach_consecutive_days": 2}}
CLOSING_NOTE = {
    "summary": "Came most mornings from the second week.",
    "resources": "Punctual when he comes, good with tools.",
    "development_possibilities": "Ready for an internship in a workshop.",
    "goal_attainment": [
        {
            "goal": "Stable attendance",
            "attainment": "partly_achieved",
            "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}],
        },
        {"goal": "Increase weekly hours", "attainment": "not_achieved"},
    ],
    "next_step": "Job search with the jobcentre.",
}
FREE_TEXTS = (
    "Stable attendance",
    "Increase weekly hours",
    "Arrive by 08:00",
    "Wood workshop",
    *(v for v in CLOSING_NOTE.values() if isinstance(v, str)),
)

EXPECTED = [
    "referral.received",
    "referral.accepted",
    "programme.started",
    "programme.agreed_hours_changed",  # the hours; the team leader's change before it is not news
    "absence.unexplained",  # Tuesday, at the policy's deadline
    "absence.contact_reestablished",  # Tuesday, reached by phone after the notice
    "attendance.agreement_breached",  # Tuesday and Wednesday unexcused
    "absence.unexplained",  # Wednesday, at its deadline
    "programme.rescheduled",
    "programme.ended",
    "closing_note.available",
]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AALBORG)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


class Course:
    """The three services on one clock, driven as the people and the periodic jobs would."""

    def __init__(self, clock: ManualClock, referral: Any, attendance: Any, notifications: Any) -> None:
        self.clock = clock
        self.referral, self.notifications = referral.client, notifications.client
        self.attendance_client = attendance.client
        self.attendance = Attendance(attendance, clock)
        self.notifications_runtime = notifications.runtime
        self.options = Options.of(notifications.settings)

    def at(self, instant: datetime) -> None:
        self.clock.set(instant)

    async def run_notification_rules(self) -> int:
        """One sweep of notifications' rules on time (escalations and notices), now."""
        result = await run_due_rules(self.notifications_runtime.uow, self.options, self.clock.now())
        return result.notices

    async def partner_rows(self, routing_key: str) -> int:
        """Partner events of this type in notifications' outbox: written, whether published yet or not."""
        async with self.notifications_runtime.engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM outbox WHERE routing_key = :k")
            return int((await connection.execute(query, {"k": routing_key})).scalar_one())

    async def notice_due_at(self, alert_id: str) -> datetime:
        """When the notification policy says the referring side must hear of the absence."""
        async with self.notifications_runtime.engine.connect() as connection:
            query = sa.text("SELECT notice_due_at FROM alerts WHERE id = :i")
            due: datetime = (await connection.execute(query, {"i": alert_id})).scalar_one()
            return due

    async def absence_alert(self, day: date) -> dict[str, Any] | None:
        inbox = _ok(await self.notifications.get("/inbox", params={"kind": "absence"}, headers=CONTACT_PERSON))
        for alert in inbox:
            if datetime.fromisoformat(alert["occurred_at"]).astimezone(AALBORG).date() == day:
                return dict(alert)
        return None

    async def missed(self, day: date) -> dict[str, Any]:
        """The participant does not come at 08:00: attendance's sweep at 08:16 (15 minutes' grace)
        detects it, and the contact person has the alert."""
        self.at(_local(day, 8, 16))
        assert await self.attendance.sweep() == 1
        alert: dict[str, Any] = await eventually(lambda: self.absence_alert(day), what=f"the absence alert of {day}")
        return alert


async def _feed_types(feed: PartnerInbox) -> list[str]:
    await feed.drain()
    return [json.loads(m.body)["type"].removeprefix("dk.forlob.partner.").rsplit(".v", 1)[0] for m in feed.messages]


# Where the deployment's notifications API is, as partners reach it: the events' dataschema.
PUBLIC_API_URL = "https://notifications.forlob.example"


async def _feed_has(feed: PartnerInbox, expected: list[str]) -> bool:
    return await _feed_types(feed) == expected


async def test_the_jobcentre_hears_its_course_in_the_partner_contract_and_nothing_else(
    make_database: Any,
    run_service: Any,
    partner_feed: PartnerInbox,
    webhook_receiver: WebhookReceiver,
    smtp_sink: SmtpSink,
) -> None:
    clock = ManualClock(_local(date(2026, 11, 23), 9))
    databases = [await make_database(s()) for s in (referral_spec, attendance_spec, notifications_spec)]
    async with (
        run_service(notifications_spec(), databases[2], clock=clock, **_notifications_settings(smtp_sink)) as notif,
        run_service(attendance_spec(), databases[1], clock=clock, periodic_enabled=False) as attendance,
        run_service(referral_spec(), databases[0], clock=clock) as referral,
    ):
        course = Course(clock, referral, attendance, notif)
        await _who_is_who(course.notifications)
        every_partner_type = sorted({cls.partner_type() for cls in partner_event_types().values()})
        subscription = _ok(
            await course.notifications.post(
                "/webhooks/subscriptions",
                json={"url": webhook_receiver.url, "event_types": every_partner_type},
                headers=JOBCENTRE_ADMIN,
            ),
            201,
        )
        webhook_receiver.secret = subscription["secret"]
        heard: list[str] = []

        async def feed_heard(*types: str) -> None:
            heard.extend(types)
            await eventually(lambda: _feed_has(partner_feed, heard), what=f"the partner feed to hear {types}")

        # -- referral, intake, start -------------------------------------------------------------
        _ok(await course.referral.put("/programmes/RCA-UDV-13", json=PROGRAMME, headers=COORDINATOR), 201)
        body = referral_body(random.Random(18), wished_start=START.isoformat())
        person = body["participant"]
        created = _ok(await course.referral.post("/referrals", json=body, headers=CASEWORKER), 201)
        rid, pid = created["id"], created["participant_id"]
        await feed_heard("referral.received")
        accepted = _ok(await course.referral.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
        assert accepted["intake_date"] == START.isoformat()
        await feed_heard("referral.accepted")

        course.at(_local(START, 7))
        start = {
            "start_date": START.isoformat(),
            "weeks": 13,
            "schedule": MORNINGS,
            "contact_person_id": "kp-1",
            "team_leader_id": "tl-1",
            "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}]},
        }
        _ok(await course.referral.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR))
        await feed_heard("programme.started")

        async def planned() -> bool:
            answer = await course.attendance_client.get(
                f"/participants/{pid}/slots",
                params={"from": START.isoformat(), "to": (START + timedelta(days=4)).isoformat()},
                headers=WORKSHOP_LEAD,
            )
            return answer.status_code == 200 and len(answer.json()["slots"]) == 5

        await eventually(planned, what="attendance to plan the agreed week")

        # A new team leader is the provider's own business: nothing for the jobcentre. New hours are.
        change = {"effective_from": "2026-12-07", "schedule": MORNINGS, "contact_person_id": "kp-1"}
        _ok(
            await course.referral.post(
                f"/referrals/{rid}/agreement", json={**change, "team_leader_id": "tl-2"}, headers=COORDINATOR
            )
        )
        change = {**change, "schedule": AFTERNOONS_TOO, "team_leader_id": "tl-2"}
        _ok(await course.referral.post(f"/referrals/{rid}/agreement", json=change, headers=COORDINATOR))
        await feed_heard("programme.agreed_hours_changed")

        # -- Monday: missed, explained (illness reported) well before the deadline: not the jobcentre's
        monday = await course.missed(START)
        course.at(_local(START, 9))
        _ok(
            await course.attendance_client.post(
                f"/participants/{pid}/absences",
                json={"reason": "illness", "first_day": START.isoformat(), "last_day": START.isoformat()},
                headers=CONTACT_PERSON,
            ),
            201,
        )

        async def monday_closed() -> bool:
            alert = _ok(await course.notifications.get(f"/alerts/{monday['id']}", headers=CONTACT_PERSON))
            return bool(alert["state"] == "closed")

        await eventually(monday_closed, what="Monday's alert to close with the reason")

        # -- Tuesday: missed and unexplained; told at the policy's deadline and not a minute before
        tuesday = START + timedelta(days=1)
        absence = await course.missed(tuesday)
        deadline = await course.notice_due_at(absence["id"])
        # LAB-32-1-2: 120 working minutes of the contact person (08:00-16:00) after the detection
        assert deadline == _local(tuesday, 10, 16)
        course.at(deadline - timedelta(minutes=1))
        assert await course.run_notification_rules() == 0  # escalation only: the provider's own
        assert await course.partner_rows("partner.absence.unexplained.v1") == 0
        assert "absence.unexplained" not in await _feed_types(partner_feed)
        assert not webhook_receiver.of_type("absence.unexplained")
        course.at(deadline)
        assert await course.run_notification_rules() == 1
        await feed_heard("absence.unexplained")
        notice = json.loads(partner_feed.messages[-1].body)
        assert notice["data"]["absence_id"] == absence["facts"]["absence_id"]
        assert datetime.fromisoformat(notice["data"]["deadline_at"]) == deadline
        assert datetime.fromisoformat(notice["data"]["notified_at"]) == deadline
        assert notice["data"]["reason"] == "unexplained"
        # minutes missed inside the agreed window (08:00-12:00), as far as the notice's time: 08:00-10:16
        assert (notice["data"]["minutes_missed"], notice["data"]["agreed_minutes"]) == (136, 240)
        assert notice["data"]["legal_basis"] == "LAB-32-1-2"

        course.at(_local(tuesday, 11))
        contact = {"outcome": "reached", "at": _local(tuesday, 11).isoformat()}
        _ok(
            await course.attendance_client.post(
                f"/absences/{absence['facts']['absence_id']}/contacts", json=contact, headers=CONTACT_PERSON
            ),
            201,
        )
        await feed_heard("absence.contact_reestablished")
        # A second contact (the reason, by phone) is a fact for the provider: contact came back once.
        course.at(_local(tuesday, 11, 30))
        contact = {"outcome": "reason_given", "reason": "illness", "at": _local(tuesday, 11, 30).isoformat()}
        _ok(
            await course.attendance_client.post(
                f"/absences/{absence['facts']['absence_id']}/contacts", json=contact, headers=CONTACT_PERSON
            ),
            201,
        )

        async def second_contact_counted() -> bool:
            async with course.notifications_runtime.engine.connect() as connection:
                query = sa.text("SELECT contact_attempts FROM alerts WHERE id = :i")
                return (await connection.execute(query, {"i": absence["id"]})).scalar_one() == 2

        await eventually(second_contact_counted, what="the second contact to be counted")
        assert await course.partner_rows("partner.absence.contact_reestablished.v1") == 1

        # -- Wednesday: missed again: two unexcused days in a row break the agreement --------------
        wednesday = START + timedelta(days=2)
        await course.missed(wednesday)
        course.at(_local(wednesday, 8, 20))
        assert await course.attendance.check_breaches() == 1
        await feed_heard("attendance.agreement_breached")
        course.at(_local(wednesday, 10, 16))
        assert await course.run_notification_rules() == 1
        await feed_heard("absence.unexplained")

        # -- extended, then ended ----------------------------------------------------------------------
        _ok(await course.referral.post(f"/referrals/{rid}/reschedule", json={"weeks": 17}, headers=COORDINATOR))
        await feed_heard("programme.rescheduled")
        course.at(_local(START + timedelta(days=7), 7))
        end = {
            "end_date": (START + timedelta(days=4)).isoformat(),
            "outcome": "ordinary_employment",
            "first_job_date": (START + timedelta(days=7)).isoformat(),
            "closing_note": CLOSING_NOTE,
        }
        _ok(await course.referral.post(f"/referrals/{rid}/end", json=end, headers=COORDINATOR))
        await feed_heard("programme.ended", "closing_note.available")

        # -- what the jobcentre got, on both channels ----------------------------------------------------
        assert heard == EXPECTED
        messages = [json.loads(m.body) for m in partner_feed.messages]
        assert [m["type"] for m in messages] == [f"dk.forlob.partner.{t}.v1" for t in EXPECTED]
        assert [m["sequence"] for m in messages] == [f"{n:012d}" for n in range(1, len(EXPECTED) + 1)]
        assert {m["subject"] for m in messages} == {rid}
        assert {m["source"] for m in messages} == {"forlob/notifications"}
        for raw, message in zip(partner_feed.messages, messages, strict=True):
            headers = raw.headers or {}
            assert (headers["type"], headers["subject"], headers["referringorg"]) == (message["type"], rid, JOBCENTRE)
            await _assert_as_its_schema_says(notif.client, message)
            check_against_asyncapi(ASYNCAPI, dict(headers), message)  # docs/asyncapi/partners.json

        async def webhooks_in() -> bool:
            return len(webhook_receiver.accepted) == len(EXPECTED)

        await eventually(webhooks_in, what="every partner event by webhook")
        hooks = list(webhook_receiver.accepted.values())
        assert sorted(h["type"] for h in hooks) == sorted(EXPECTED)
        by_id = {m["id"]: m for m in messages}
        for hook in hooks:  # the same event, the same id and the same data on both channels
            assert hook["data"] == by_id[hook["id"]]["data"], hook["type"]
            assert hook["dataschema"] == by_id[hook["id"]]["dataschema"]
        assert webhook_receiver.refused == 0

        texts = [m.body.decode() + repr(m.headers) for m in partner_feed.messages]
        texts += [b.decode() for b in webhook_receiver.raw_bodies]
        forbidden = (person["name"], person["identity_number"], *STAFF_IDS, *FREE_TEXTS)
        for text in texts:
            for secret in forbidden:
                assert secret not in text, f"a partner message carries {secret!r}"


async def _assert_as_its_schema_says(notifications: httpx.AsyncClient, message: dict[str, Any]) -> None:
    """``data`` holds against the schema its ``dataschema`` answers with, fetched over HTTP from
    the URL as it is (the test client reaches the notifications service whatever the host)."""
    cls = partner_event_class(message["type"])
    assert message["dataschema"] == f"{PUBLIC_API_URL}/partner/schemas/{cls.name}.v{cls.version}.json"
    answer = await notifications.get(message["dataschema"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/schema+json"
    schema = answer.json()
    assert schema == partner_json_schema(cls, PUBLIC_API_URL)
    assert schema["$id"] == message["dataschema"]
    # Nothing beyond the contract's fields, each as the schema says.
    Draft202012Validator({**schema, "additionalProperties": False}).validate(message["data"])
    for name, value in message["data"].items():
        # free text has no place: every string is an id, a code, a date or time, or an organisation
        if isinstance(value, str):
            assert " " not in value, (message["type"], name, value)


def _notifications_settings(smtp: SmtpSink) -> dict[str, Any]:
    return {
        "rules_interval": 3600.0,  # the test runs the rules on time itself, at the moments it chooses
        "webhook_allow_private_targets": True,  # the jobcentre's receiver listens on 127.0.0.1
        "dispatch_poll_interval": 0.1,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "public_api_url": PUBLIC_API_URL,
    }


async def _who_is_who(notifications: httpx.AsyncClient) -> None:
    for org, headers, staff, body in (
        (
            PROVIDER,
            PROVIDER_ADMIN,
            "kp-1",
            {"role": "contact_person", "email": "kp1@rca.example", "team_leader_id": "tl-1"},
        ),
        (PROVIDER, PROVIDER_ADMIN, "tl-1", {"role": "team_leader", "email": "tl1@rca.example"}),
        (JOBCENTRE, JOBCENTRE_ADMIN, "cw-7", {"role": "caseworker", "email": "cw7@jc.example"}),
    ):
        assert org in (PROVIDER, JOBCENTRE)
        _ok(
            await notifications.put(
                f"/staff/{staff}", json={"channels": ["inbox", "email"], "country": "DK", **body}, headers=headers
            )
        )
