"""The five flows of a course, end to end: the four services as real processes against the real
broker and databases, driven only through their HTTP APIs and the broker, as the caseworker, the
provider's staff and the jobcentre's partner systems would. Time moves for all services at once
(``System.move_clock``); every wait for an effect is ``eventually`` with a deadline.

A course's life (flows 1-4) runs on one system, each step building on the one before; the
waiting list (flow 5) runs on a system of its own. Along the way, every e-mail, webhook body,
broker message and log line is searched for the participants' names and identity numbers."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from forlob_testkit.messaging import Collector
from forlob_testkit.outside import PartnerInbox, SmtpSink, WebhookReceiver
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
THIS_MONDAY = datetime(2026, 11, 23, 9, 0)
NEXT_MONDAY = date(2026, 11, 30)

CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
JOBCENTRE_ADMIN = auth(JOBCENTRE, "admin", staff="admin-j")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
WORKSHOP_LEAD = auth(PROVIDER, "workshop_lead", staff="wl-1")
CONTACT_PERSON = auth(PROVIDER, "contact_person", staff="kp-1")
TEAM_LEADER = auth(PROVIDER, "team_leader", staff="tl-1")

WEEKDAYS_8_TO_12 = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)]


def _env(smtp: SmtpSink) -> dict[str, str]:
    # Short ticks so that the periodic jobs act on moved time within a fraction of a second.
    return {
        "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp.port),
        "FORLOB_NOTIFICATIONS_RULES_INTERVAL": "0.3",
        "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
        "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
        "FORLOB_REFERRAL_SEAT_OFFER_INTERVAL": "1",
    }


async def _set_clock(system: Any, local: datetime, *, first: bool = False) -> None:
    """Move every service's clock to ``local`` (Aalborg wall time). The first setting pins the
    flow to Monday 23 November 2026 whatever day the suite runs (its dates, holidays and
    expectations are fixed); after that, time only moves forward."""
    delta = local.replace(tzinfo=AALBORG).astimezone(UTC) - (datetime.now(UTC) + system.offset)
    assert first or delta > timedelta(0), f"the clock would move back to {local}"
    system.move_clock(delta)  # every service reads the new time at its next clock reading


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def _closing_note() -> dict[str, Any]:
    return {
        "summary": "Came four days a week from the third week.",
        "resources": "Punctual, good with tools.",
        "development_possibilities": "Ready for an internship in a workshop.",
        "goal_attainment": [
            {
                "goal": "Stable attendance",
                "attainment": "partly_achieved",
                "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}],
            },
            {"goal": "Increase weekly hours", "attainment": "achieved"},
        ],
        "next_step": "Job search with the jobcentre.",
    }


def _start_body(start: date, weeks: int) -> dict[str, Any]:
    return {
        "start_date": start.isoformat(),
        "weeks": weeks,
        "schedule": WEEKDAYS_8_TO_12,
        "contact_person_id": "kp-1",
        "team_leader_id": "tl-1",
        "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}]},
    }


def _assert_no_personal_data(
    people: list[dict[str, str]],
    *,
    smtp: SmtpSink,
    collector: Collector,
    partner: PartnerInbox | None = None,
    webhooks: WebhookReceiver | None = None,
    logs: dict[str, str],
) -> None:
    texts: dict[str, str] = {}
    for i, mail in enumerate(smtp.messages):
        texts[f"e-mail {i}"] = mail.raw.decode(errors="replace") + mail.body
    for i, message in enumerate(collector.messages):
        texts[f"broker message {i}"] = message.body.decode(errors="replace") + repr(message.headers)
    for i, message in enumerate(partner.messages if partner else []):
        texts[f"partner message {i}"] = message.body.decode(errors="replace")
    for i, body in enumerate(webhooks.raw_bodies if webhooks else []):
        texts[f"webhook {i}"] = body.decode(errors="replace")
    for name, log in logs.items():
        texts[f"{name} log"] = log
    assert collector.messages
    assert all(logs.values())
    for person in people:
        number = person["identity_number"]
        forbidden = {person["name"], number, f"{number[:6]}-{number[6:]}"}
        for where, text in texts.items():
            for secret in forbidden:
                assert secret not in text, f"{where} contains a participant's name or identity number"


async def _put_staff(http: httpx.AsyncClient, url: str, headers: dict[str, str], staff: str, **body: Any) -> None:
    _ok(
        await http.put(
            f"{url}/staff/{staff}", json={"channels": ["inbox", "email"], "country": "DK", **body}, headers=headers
        )
    )


async def test_a_course_from_referral_to_the_reporting_figures(
    start_system: Any,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
    partner_feed: PartnerInbox,
    collector: Collector,
) -> None:
    rng = random.Random(10)
    async with start_system(env=_env(smtp_sink)) as system, httpx.AsyncClient(timeout=10) as http:
        await _set_clock(system, THIS_MONDAY, first=True)
        referral, attendance, notifications, reporting = (
            system.url(name) for name in ("referral", "attendance", "notifications", "reporting")
        )
        # Who is who, and the jobcentre's webhook.
        await _put_staff(
            http,
            notifications,
            PROVIDER_ADMIN,
            "kp-1",
            role="contact_person",
            email="kp1@rca.example",
            team_leader_id="tl-1",
            # Part-time in the mornings: escalation deadlines count only these working minutes.
            working_hours=[{"weekday": d, "start": "08:00", "end": "08:30"} for d in range(5)],
        )
        await _put_staff(http, notifications, PROVIDER_ADMIN, "tl-1", role="team_leader", email="tl1@rca.example")
        await _put_staff(http, notifications, JOBCENTRE_ADMIN, "cw-7", role="caseworker", email="cw7@jc.example")
        subscription = _ok(
            await http.post(
                f"{notifications}/webhooks/subscriptions",
                json={
                    "url": webhook_receiver.url,
                    "event_types": ["referral.accepted", "attendance.agreement_breached", "programme.ended"],
                },
                headers=JOBCENTRE_ADMIN,
            ),
            201,
        )
        webhook_receiver.secret = subscription["secret"]

        # -- 1. the caseworker refers; the provider accepts for the next Monday ------------------
        _ok(await http.put(f"{referral}/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=COORDINATOR), 201)
        body = referral_body(rng, wished_start=NEXT_MONDAY.isoformat())
        person = body["participant"]
        created = _ok(await http.post(f"{referral}/referrals", json=body, headers=CASEWORKER), 201)
        rid, pid = created["id"], created["participant_id"]
        accepted = _ok(await http.post(f"{referral}/referrals/{rid}/accept", headers=COORDINATOR))
        assert (accepted["state"], accepted["intake_date"]) == ("accepted", NEXT_MONDAY.isoformat())

        async def partner_heard(kind: str, count: int = 1) -> bool:
            await partner_feed.drain()
            return sum(kind in t for t in partner_feed.types()) >= count

        await eventually(lambda: partner_heard("referral.accepted"), what="the partner feed to get referral.accepted")
        heard = [m for m in partner_feed.messages if "referral.accepted" in str((m.headers or {}).get("type"))]
        assert heard[0].headers["subject"] == rid
        assert all((m.headers or {}).get("referringorg") == JOBCENTRE for m in partner_feed.messages)

        async def webhook_heard() -> Any:
            return webhook_receiver.of_type("referral.accepted") or None

        [hook] = await eventually(webhook_heard, what="the jobcentre's webhook to get referral.accepted")
        assert hook["data"]["referral_id"] == rid
        assert hook["data"]["intake_date"] == NEXT_MONDAY.isoformat()

        # -- 2. the course starts; a missed arrival reaches the contact person; a late check-in closes it
        await _set_clock(system, datetime(2026, 11, 30, 7, 0))
        started = _ok(
            await http.post(f"{referral}/referrals/{rid}/start", json=_start_body(NEXT_MONDAY, 13), headers=COORDINATOR)
        )
        assert started["state"] == "started"

        async def slots_planned() -> bool:
            answer = await http.get(
                f"{attendance}/participants/{pid}/slots",
                params={"from": "2026-11-30", "to": "2026-12-04"},
                headers=WORKSHOP_LEAD,
            )
            return answer.status_code == 200 and len(answer.json()["slots"]) == 5

        await eventually(slots_planned, what="attendance to plan the agreed week")

        await _set_clock(system, datetime(2026, 11, 30, 8, 16))  # past 08:00 + 15 minutes' grace
        missed_at = asyncio.get_running_loop().time()

        async def contact_person_alerted() -> list[dict[str, Any]]:
            inbox = _ok(await http.get(f"{notifications}/inbox", params={"kind": "absence"}, headers=CONTACT_PERSON))
            return [a for a in inbox if a["referral_id"] == rid] if smtp_sink.to("kp1@rca.example") else []

        alerts = await eventually(
            contact_person_alerted, timeout=10, what="the contact person's e-mail and inbox alert"
        )
        assert asyncio.get_running_loop().time() - missed_at < 10
        assert alerts[0]["state"] == "open"
        assert alerts[0]["participant_ref"] == pid
        assert len(smtp_sink.to("kp1@rca.example")) == 1

        await _set_clock(system, datetime(2026, 11, 30, 8, 20))
        late = _ok(
            await http.post(
                f"{attendance}/participants/{pid}/check-in",
                json={"at": "2026-11-30T08:20:00+01:00"},
                headers=WORKSHOP_LEAD,
            )
        )
        assert late["minutes_late"] == 20
        assert late["absence_resolved"]

        async def alert_closed() -> bool:
            alert = _ok(await http.get(f"{notifications}/alerts/{alerts[0]['id']}", headers=CONTACT_PERSON))
            return bool(alert["state"] == "closed")

        await eventually(alert_closed, what="the late check-in to close the alert")

        # -- 3. an unacknowledged alert escalates; three missed arrivals are a breach -----------
        def absences_by_day(inbox: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return {
                datetime.fromisoformat(a["occurred_at"]).astimezone(AALBORG).date().isoformat(): a
                for a in inbox
                if a["kind"] == "absence" and a["referral_id"] == rid
            }

        async def contact_persons_absence(day: str) -> Any:
            return absences_by_day(_ok(await http.get(f"{notifications}/inbox", headers=CONTACT_PERSON))).get(day)

        await _set_clock(system, datetime(2026, 12, 1, 8, 16))  # Tuesday missed
        tuesday = await eventually(lambda: contact_persons_absence("2026-12-01"), what="Tuesday's absence alert")
        # 30 working minutes of the contact person (08:00-08:30): 14 on Tuesday, 16 on Wednesday.
        due = datetime.fromisoformat(tuesday["due_at"])
        assert abs(due - datetime(2026, 12, 2, 8, 16, tzinfo=AALBORG)) < timedelta(seconds=5), tuesday
        assert tuesday["escalated_to"] is None

        await _set_clock(system, datetime(2026, 12, 2, 8, 17))  # Wednesday missed too

        async def escalated_to_team_leader() -> Any:
            inbox = _ok(await http.get(f"{notifications}/inbox", headers=TEAM_LEADER))
            return absences_by_day(inbox).get("2026-12-01")

        escalated = await eventually(escalated_to_team_leader, what="Tuesday's unacknowledged alert to escalate")
        assert escalated["escalated_to"] == "tl-1"
        assert escalated["state"] == "open"
        await eventually(lambda: _true(bool(smtp_sink.to("tl1@rca.example"))), what="the team leader's e-mail")

        await eventually(lambda: contact_persons_absence("2026-12-02"), what="Wednesday's absence alert")
        await _set_clock(system, datetime(2026, 12, 3, 8, 16))  # Thursday missed: the third

        async def caseworker_told() -> bool:
            breaches = _ok(await http.get(f"{notifications}/inbox", params={"kind": "breach"}, headers=CASEWORKER))
            return (
                bool(breaches)
                and bool(smtp_sink.to("cw7@jc.example"))
                and bool(webhook_receiver.of_type("attendance.agreement_breached"))
            )

        await eventually(caseworker_told, what="the breach to reach the caseworker's inbox, e-mail and webhook")
        await eventually(lambda: partner_heard("attendance.agreement_breached"), what="the breach on the partner feed")
        hook = webhook_receiver.of_type("attendance.agreement_breached")[0]
        assert hook["data"]["referral_id"] == rid
        assert hook["data"]["participant_id"] == pid  # the partner contract names the pseudonymous id
        assert webhook_receiver.refused == 0

        # -- 4. extended, then ended with ordinary employment; statement and figures -------------
        extended = _ok(
            await http.post(f"{referral}/referrals/{rid}/reschedule", json={"weeks": 17}, headers=COORDINATOR)
        )
        assert extended["course"]["planned_end_date"] == (NEXT_MONDAY + timedelta(weeks=17, days=-1)).isoformat()

        await _set_clock(system, datetime(2026, 12, 7, 7, 0))  # week 48 has ended (Friday missed too)
        ended = _ok(
            await http.post(
                f"{referral}/referrals/{rid}/end",
                json={
                    "end_date": "2026-12-04",
                    "outcome": "ordinary_employment",
                    "first_job_date": "2026-12-07",
                    "closing_note": _closing_note(),
                },
                headers=COORDINATOR,
            )
        )
        assert ended["state"] == "ended"
        note = _ok(await http.get(f"{referral}/referrals/{rid}/closing-note", headers=CASEWORKER))
        assert note["summary"].startswith("Came four days")

        async def statement() -> Any:
            answer = await http.get(f"{reporting}/statements/{rid}", headers=CASEWORKER)
            return answer.json() if answer.status_code == 200 and answer.json()["weeks"] else None

        found_statement = await eventually(statement, what="the attendance statement")
        # Monday 08:20-12:00 attended of five agreed mornings of four hours.
        expected_rate = 220 / 1200
        assert abs(found_statement["totals"]["attendance_rate"] - expected_rate) < 1e-3, found_statement

        async def figures() -> Any:
            answer = await http.get(
                f"{reporting}/figures", params={"from": "2026-11-01", "to": "2026-12-07"}, headers=COORDINATOR
            )
            rows = [r for r in _ok(answer)["rows"] if r["programme_code"] == "RCA-UDV-13"]
            return (
                rows[0]
                if rows and rows[0]["outcomes"]["ended"] == 1 and rows[0]["attendance"]["attendance_rate"]
                else None
            )

        row = await eventually(figures, what="the reporting figures for the course")
        assert row["waiting_days"]["median"] == 7  # received Monday 23 November, started Monday 30th
        assert abs(row["attendance"]["attendance_rate"] - expected_rate) < 1e-3
        assert row["outcomes"]["by_outcome"]["ordinary_employment"] == 1
        assert row["outcomes"]["share_ordinary_work"] == 1

        # Each side's alert figures count the alerts notifications raised to its own staff: the
        # provider's absences, the jobcentre's notice, breach and closing note (which name the
        # provider too), never the other side's.
        period = {"from": "2026-11-01", "to": "2026-12-07"}

        async def raised_to(headers: dict[str, str]) -> int:
            alerts = _ok(await http.get(f"{notifications}/inbox", params={"everyone": "true"}, headers=headers))
            return sum(
                1
                for a in alerts
                if a["referral_id"] == rid
                and period["from"]
                <= str(datetime.fromisoformat(a["raised_at"]).astimezone(AALBORG).date())
                <= period["to"]
            )

        async def counted_for(headers: dict[str, str]) -> int | None:
            rows = _ok(await http.get(f"{reporting}/figures", params=period, headers=headers))["rows"]
            return next((r["alerts"]["raised"] for r in rows if r["programme_code"] == "RCA-UDV-13"), None)

        for side in (COORDINATOR, JOBCENTRE_ADMIN):
            own = await raised_to(side)
            assert own > 0
            await eventually(lambda side=side, own=own: _equals(counted_for(side), own), what="each side's alerts")

        await eventually(
            lambda: _true(bool(webhook_receiver.of_type("programme.ended"))), what="the programme.ended webhook"
        )
        await eventually(lambda: partner_heard("programme.ended"), what="programme.ended on the partner feed")

        _assert_no_personal_data(
            [person],
            smtp=smtp_sink,
            collector=collector,
            partner=partner_feed,
            webhooks=webhook_receiver,
            logs=system.logs(),
        )


async def _true(value: bool) -> bool:
    return value


async def _equals(found: Any, expected: Any) -> bool:
    return bool(await found == expected)


async def test_a_full_programme_waitlists_and_offers_the_freed_seat(
    start_system: Any, smtp_sink: SmtpSink, partner_feed: PartnerInbox, collector: Collector
) -> None:
    rng = random.Random(5)
    one_seat = {**DEVELOPMENT_COURSE, "capacity": 1, "default_weeks": 6}
    async with start_system(env=_env(smtp_sink)) as system, httpx.AsyncClient(timeout=10) as http:
        await _set_clock(system, THIS_MONDAY, first=True)
        referral = system.url("referral")
        await _put_staff(
            http, system.url("notifications"), JOBCENTRE_ADMIN, "cw-7", role="caseworker", email="cw7@jc.example"
        )
        _ok(await http.put(f"{referral}/programmes/RCA-UDV-1", json=one_seat, headers=COORDINATOR), 201)
        bodies = [referral_body(rng, "RCA-UDV-1", wished_start=NEXT_MONDAY.isoformat()) for _ in range(2)]
        first, second = [
            _ok(await http.post(f"{referral}/referrals", json=b, headers=CASEWORKER), 201)["id"] for b in bodies
        ]

        assert (
            _ok(await http.post(f"{referral}/referrals/{first}/accept", headers=COORDINATOR))["intake_date"]
            == "2026-11-30"
        )
        waiting = _ok(await http.post(f"{referral}/referrals/{second}/accept", headers=COORDINATOR))
        # The one seat is held until Sunday 10 January, past the four weeks' horizon: the waiting list.
        assert (waiting["state"], waiting["estimated_start"]) == ("waitlisted", "2027-01-11"), waiting
        listed = _ok(await http.get(f"{referral}/programmes/RCA-UDV-1/waiting-list", headers=COORDINATOR))
        assert [(e["referral_id"], e["position"]) for e in listed["entries"]] == [(second, 1)], listed

        await _set_clock(system, datetime(2026, 11, 30, 7, 0))
        _ok(
            await http.post(
                f"{referral}/referrals/{first}/start", json=_start_body(NEXT_MONDAY, 6), headers=COORDINATOR
            )
        )
        await _set_clock(system, datetime(2026, 12, 2, 9, 0))
        _ok(
            await http.post(
                f"{referral}/referrals/{first}/end",
                json={"end_date": "2026-12-01", "outcome": "dropped_out", "closing_note": _closing_note()},
                headers=COORDINATOR,
            )
        )
        offered = _ok(await http.get(f"{referral}/referrals/{second}", headers=CASEWORKER))
        assert (offered["state"], offered["from_waiting_list"]) == ("accepted", True), offered
        assert offered["intake_date"] == "2026-12-07"

        async def partner_heard_offer() -> bool:
            await partner_feed.drain()
            return any("referral.seat_offered" in t for t in partner_feed.types())

        await eventually(partner_heard_offer, what="the seat offer on the partner feed")
        waitlisted = [
            json.loads(m.body)
            for m in partner_feed.messages
            if "referral.waitlisted" in str((m.headers or {}).get("type"))
        ]
        assert waitlisted[0]["data"]["estimated_start"] == "2027-01-11", waitlisted
        assert waitlisted[0]["data"]["position"] == 1
        _assert_no_personal_data(
            [b["participant"] for b in bodies],
            smtp=smtp_sink,
            collector=collector,
            partner=partner_feed,
            logs=system.logs(),
        )
