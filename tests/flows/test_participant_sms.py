"""A participant answers by text message, across the four services as processes and the fake
GatewayAPI on a real port (issue 23's "done when").

The coordinator opts the participant in (a mobile number, Danish) before the course starts; the
evening before the first day referral sends the reminder. Each morning the participant does not
arrive, attendance's sweep asks referral for a question, which waits for the end of the quiet
hours (08:30 here) and is sent then, not before. Monday's reply "1" becomes the reason (illness),
a contact attempt "reason given by text", and the alert closes; the same inbound webhook
delivered twice is one reply. Tuesday's "4" becomes a "call the participant" task in the contact
person's inbox. Wednesday's "\u0661" (an Arabic-Indic one) is read as "1". Thursday's "Stpo" (STOP
with a slip) withdraws consent, and Friday's missed morning sends nothing.

And every event (each service's outbox and its archive), log line, e-mail and webhook of the run
holds the number in none of its forms.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from forlob_shared.partner import partner_event_types
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.sms_gateway import RunningGateway
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
MONDAY = date(2026, 11, 30)
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
JOBCENTRE_ADMIN = auth(JOBCENTRE, "admin", staff="admin-j")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
CONTACT_PERSON = auth(PROVIDER, "contact_person", staff="kp-1")
CONTACT_EMAIL = "kp1@rca.example"
NUMBER = "+4520123456"
ARABIC_INDIC_ONE = "\u0661"
# Every form the number could take in a capture: E.164, the gateway's MSISDN, national, spaced.
NUMBER_FORMS = (NUMBER, "4520123456", "20123456", "20 12 34 56", "2012 3456", "+45 20 12 34 56", "0045 20123456")


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def _set_clock(system: Any, local: datetime) -> None:
    system.move_clock(local.replace(tzinfo=AALBORG).astimezone(UTC) - (datetime.now(UTC) + system.offset))


async def _rows(url: str, query: str, **params: Any) -> list[dict[str, Any]]:
    engine = create_async_engine("postgresql+asyncpg://" + plain_postgres_url(url).split("://", 1)[1])
    try:
        async with engine.connect() as connection:
            return [dict(r._mapping) for r in await connection.execute(sa.text(query), params)]
    finally:
        await engine.dispose()


async def test_a_participant_answers_by_text(
    start_system: Any, sms_gateway: RunningGateway, smtp_sink: SmtpSink, webhook_receiver: WebhookReceiver
) -> None:
    gateway = sms_gateway.fake
    env = {
        **sms_gateway.referral_env(),
        "FORLOB_REFERRAL_SMS_SEND_INTERVAL": "0.3",
        "FORLOB_REFERRAL_SMS_QUIET_END": "08:30",
        "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
        "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp_sink.port),
        "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
    }
    async with start_system(env=env) as system, httpx.AsyncClient(timeout=10) as http:
        referral, attendance, notifications = (system.url(n) for n in ("referral", "attendance", "notifications"))
        sms_gateway.webhooks_to(referral)
        referral_db = system.databases["referral"]

        async def sent(n: int) -> bool:
            return len(gateway.messages) >= n

        async def message_state(request_id: str) -> dict[str, Any] | None:
            rows = await _rows(referral_db, "SELECT * FROM sms_messages WHERE request_id = :r", r=request_id)
            return rows[0] if rows else None

        # -- Friday: the course is agreed, the participant opted in --------------------------------------------
        _set_clock(system, datetime(2026, 11, 27, 10, 0))
        staff = {"channels": ["inbox", "email"], "country": "DK", "role": "contact_person", "email": CONTACT_EMAIL}
        _ok(await http.put(f"{notifications}/staff/kp-1", json=staff, headers=PROVIDER_ADMIN))
        every_partner_type = sorted({cls.partner_type() for cls in partner_event_types().values()})
        subscription = _ok(
            await http.post(
                f"{notifications}/webhooks/subscriptions",
                json={"url": webhook_receiver.url, "event_types": every_partner_type},
                headers=JOBCENTRE_ADMIN,
            ),
            201,
        )
        webhook_receiver.secret = subscription["secret"]
        _ok(await http.put(f"{referral}/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=COORDINATOR), 201)
        body = referral_body(random.Random(23), wished_start=MONDAY.isoformat())
        created = _ok(await http.post(f"{referral}/referrals", json=body, headers=CASEWORKER), 201)
        rid, pid = created["id"], created["participant_id"]
        _ok(await http.post(f"{referral}/referrals/{rid}/accept", headers=COORDINATOR))
        consent = {"mobile_number": "20 12 34 56", "language": "da", "channel": "in_person"}
        opted = _ok(
            await http.post(
                f"{referral}/referrals/{rid}/sms-consent",
                json=consent,
                headers={**COORDINATOR, "Idempotency-Key": "opt-in-1"},
            )
        )
        assert opted["status"] == "opted_in"
        assert opted["mobile_number_masked"] == "+45 •• •• •• 56"
        start = {
            "start_date": MONDAY.isoformat(),
            "weeks": 13,
            "schedule": [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)],
            "contact_person_id": "kp-1",
        }
        _ok(await http.post(f"{referral}/referrals/{rid}/start", json=start, headers=COORDINATOR))

        async def slots() -> list[dict[str, Any]]:
            answer = await http.get(
                f"{attendance}/participants/{pid}/slots",
                params={"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=4)).isoformat()},
                headers=CONTACT_PERSON,
            )
            return list(answer.json()["slots"]) if answer.status_code == 200 else []

        async def planned() -> bool:
            return len(await slots()) == 5

        await eventually(planned, what="attendance to plan the first week")

        # -- Sunday evening: the reminder of the first day ------------------------------------------------------
        _set_clock(system, datetime(2026, 11, 29, 18, 5))
        await eventually(lambda: sent(1), timeout=30, what="the evening reminder of the first day")
        [reminder] = gateway.messages
        assert reminder["msisdn"] == 4520123456
        assert reminder["message"].startswith("Påmindelse: Vi venter dig i morgen, 30/11")
        assert "RCA" not in reminder["message"]
        assert "Wood" not in reminder["message"]

        async def question(day: date, n: int) -> dict[str, Any]:
            """The morning of ``day``: the missed arrival is asked about at 08:30, not before."""
            _set_clock(system, datetime(day.year, day.month, day.day, 8, 16))  # past 08:00 and the grace

            end_of_quiet = datetime(day.year, day.month, day.day, 8, 30, tzinfo=AALBORG)

            async def deferred() -> dict[str, Any] | None:
                rows = await _rows(
                    referral_db,
                    "SELECT * FROM sms_messages WHERE day = :d AND template = 'question_missed_arrival'",
                    d=day,
                )
                return rows[0] if rows and rows[0]["not_before"] == end_of_quiet else None

            waiting = await eventually(deferred, timeout=30, what=f"the question of {day} deferred to 08:30")
            assert waiting["state"] == "pending"
            assert len(gateway.messages) == n - 1  # inside the quiet hours: nothing sent
            _set_clock(system, datetime(day.year, day.month, day.day, 8, 30))
            await eventually(lambda: sent(n), timeout=30, what=f"the question of {day} at 08:30")
            asked = gateway.messages[-1]
            assert asked["userref"] == str(waiting["request_id"])
            assert asked["message"].startswith("Vi savnede dig i dag")
            return asked

        async def slot_of(day: date) -> dict[str, Any]:
            return next(s for s in await slots() if s["day"] == day.isoformat())

        async def alerts() -> list[dict[str, Any]]:
            return list(_ok(await http.get(f"{notifications}/inbox", headers=CONTACT_PERSON)))

        # -- Monday: a missed arrival, the question, the reply "1" (delivered twice) ---------------------------
        await question(MONDAY, 2)
        mo_id = 9901
        first = await gateway.reply("last", "1", mo_id=mo_id)
        again = await gateway.reply("last", "1", mo_id=mo_id)  # GatewayAPI retries the same webhook
        assert (first.status_code, again.status_code) == (200, 200), (first.text, again.text)

        async def explained() -> dict[str, Any] | None:
            slot = await slot_of(MONDAY)
            return slot if slot["resolution"] == "reported" else None

        monday = await eventually(explained, timeout=30, what="the reply to explain Monday's absence")
        assert (monday["state"], monday["reason"]) == ("excused", "illness")

        async def closed() -> dict[str, Any] | None:
            found = [a for a in await alerts() if a["kind"] == "absence" and a["occurred_at"].startswith("2026-11-30")]
            return found[0] if found and found[0]["state"] == "closed" else None

        alert = await eventually(closed, timeout=30, what="Monday's alert closed by the reply")
        assert alert["contact_attempts"] == 1
        assert alert["facts"]["replied_by_text"] == "sick"
        replies = await _rows(referral_db, "SELECT * FROM sms_replies")
        assert len(replies) == 1
        replied = await _rows(referral_db, "SELECT * FROM outbox WHERE routing_key = 'sms.replied.v1'")
        replied += await _rows(referral_db, "SELECT * FROM outbox_archive WHERE routing_key = 'sms.replied.v1'")
        assert len(replied) == 1
        contacts = await _rows(system.databases["attendance"], "SELECT * FROM contact_attempts")
        assert [(c["outcome"], c["reason"], c["recorded_by"]) for c in contacts] == [
            ("reason_given_by_text", "illness", "sms")
        ]

        # -- Tuesday: "4", call me: a task in the contact person's inbox ----------------------------------------
        tuesday = MONDAY + timedelta(days=1)
        await question(tuesday, 3)
        _ok(await gateway.reply("last", "4"))

        async def task() -> dict[str, Any] | None:
            found = [a for a in await alerts() if a["kind"] == "call_participant"]
            return found[0] if found else None

        call = await eventually(task, timeout=30, what="the call-me task in the contact person's inbox")
        assert (call["recipient_staff_id"], call["state"]) == ("kp-1", "open")
        assert (await slot_of(tuesday))["resolution"] is None  # no reason given: still to be found out

        # -- Wednesday: the Arabic-Indic digit one (U+0661) is a "1" -----------------------------------------------
        wednesday = tuesday + timedelta(days=1)
        await question(wednesday, 4)
        _ok(await gateway.reply("last", ARABIC_INDIC_ONE))

        async def wednesday_explained() -> bool:
            return bool((await slot_of(wednesday))["reason"] == "illness")

        await eventually(wednesday_explained, timeout=30, what="the Arabic-Indic one read as sick")

        # -- Thursday: "Stpo" (STOP with a slip) withdraws consent at once ---------------------------------------
        thursday = wednesday + timedelta(days=1)
        await question(thursday, 5)
        _ok(await gateway.reply("last", "Stpo"))

        async def opted_out() -> bool:
            status = _ok(await http.get(f"{referral}/referrals/{rid}/sms-consent", headers=COORDINATOR))
            return bool(status["status"] == "opted_out")

        await eventually(opted_out, timeout=30, what="STOP to withdraw consent")
        attendance_db = system.databases["attendance"]

        async def attendance_heard_it() -> bool:
            rows = await _rows(attendance_db, "SELECT status FROM sms_consents WHERE referral_id = :r", r=rid)
            return [r["status"] for r in rows] == ["opted_out"]

        await eventually(attendance_heard_it, timeout=30, what="attendance to hear of the opt-out")

        # -- Friday: missed again, and nothing is asked or sent -------------------------------------------------
        friday = thursday + timedelta(days=1)
        _set_clock(system, datetime(friday.year, friday.month, friday.day, 8, 40))

        async def friday_missed() -> bool:
            return bool((await slot_of(friday))["state"] == "absent")

        await eventually(friday_missed, timeout=30, what="Friday's absence")
        # The sweep asks in the transaction that marks the absence: had it asked, the request would be here.
        asked = await _rows(
            attendance_db,
            "SELECT body FROM outbox WHERE routing_key = 'sms.requested.v1' "
            "UNION ALL SELECT body FROM outbox_archive WHERE routing_key = 'sms.requested.v1'",
        )
        assert len(asked) == 5  # the reminder and four questions, none on Friday
        assert not await _rows(referral_db, "SELECT * FROM sms_messages WHERE day = :d", d=friday)
        assert len(gateway.messages) == 5

        async def mailed() -> bool:
            return len(smtp_sink.to(CONTACT_EMAIL)) >= 2  # absences' e-mails and the task's

        await eventually(mailed, timeout=30, what="the contact person's e-mails")

        async def heard_by_webhook() -> bool:
            heard = {h.get("type") for h in webhook_receiver.accepted.values()}
            return {"referral.received", "referral.accepted", "programme.started"} <= heard

        await eventually(heard_by_webhook, timeout=30, what="the jobcentre's webhooks of the course")

        # -- Nothing of the run holds the number ------------------------------------------------------------------
        captured: list[str] = []
        for url in system.databases.values():
            for table in ("outbox", "outbox_archive"):
                for row in await _rows(url, f"SELECT headers, body FROM {table}"):
                    captured += [json.dumps(row["headers"]), bytes(row["body"]).decode(errors="replace")]
        assert any("sms.replied" in c for c in captured)
        assert any("sms.requested" in c for c in captured)
        logs = system.logs()
        assert '"sms.deferred"' in logs["referral"]  # the sending is in the captured log lines
        captured += logs.values()
        captured += [m.message.as_string() + m.body for m in smtp_sink.messages]
        captured += [b.decode(errors="replace") for b in webhook_receiver.raw_bodies]
        captured += [json.dumps(r, default=str) for r in webhook_receiver.requests]
    text = "\n".join(captured)
    for form in NUMBER_FORMS:
        assert form not in text, form
