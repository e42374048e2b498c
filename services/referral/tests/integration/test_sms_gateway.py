"""Text messages against PostgreSQL, RabbitMQ and the fake GatewayAPI on a real port: a request
asked for twice is sent once; a send whose answer is lost (or whose process dies before its
commit) is never sent again; a signed reply delivered twice is one ``sms.replied``; a bad
signature changes nothing; STOP withdraws consent at once. No event or log line holds the number.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import pytest
import structlog

from forlob_referral.application.sms_sending import SendOptions, SendReport, send_due
from forlob_referral.main import spec
from forlob_referral.sms_gateway import GatewayApi, Sent
from forlob_shared.clock import ManualClock
from forlob_shared.events.envelope import PendingEvent, encode
from forlob_shared.events.sms import SmsRequested, SmsTemplate
from forlob_shared.logging import configure_logging, flush_logs
from forlob_shared.messaging.topology import Topology
from forlob_testkit.infra import TestInfra
from forlob_testkit.referral import CASEWORKER, COORDINATOR, OTHER_COORDINATOR, PROVIDER_ORG, Api
from forlob_testkit.sms_gateway import FakeGatewayApi, running_fake_gateway
from forlob_testkit.wait import eventually

pytestmark = pytest.mark.servers

TOKEN, SECRET = "test-gateway-token", "test-webhook-secret-of-32-bytes-or-more"
NUMBER, MSISDN = "+4520123456", 4520123456


@dataclass
class Sms:
    api: Api
    gateway: FakeGatewayApi
    adapter: GatewayApi
    infra: TestInfra
    prefix: str

    async def send(self, gateway: Any = None) -> SendReport:
        runtime = self.api.service.runtime
        return await send_due(runtime.uow(), gateway or self.adapter, self.api.clock.now(), SendOptions())

    async def ask(self, referral: dict[str, Any], request_id: UUID, **fields: Any) -> None:
        """As attendance asks: ``sms.requested`` over the broker."""
        now = self.api.clock.now()
        values: dict[str, Any] = {
            "referral_id": referral["id"],
            "participant_id": referral["participant_id"],
            "provider_org": PROVIDER_ORG,
            "request_id": request_id,
            "template": SmsTemplate.QUESTION_MISSED_ARRIVAL,
            "day": now.date(),
            "local_time": "08:00",
            "absence_id": uuid4(),
            "requested_at": now,
            "expires_at": now + timedelta(hours=8),
        }
        values.update(fields)
        data = SmsRequested(**values)
        pending = PendingEvent(data=data, subject=str(data.referral_id), provider_org=PROVIDER_ORG)
        body = encode(pending, source="forlob/attendance", sequence=1, time=datetime.now(UTC))
        connection = await aio_pika.connect(self.infra.broker_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(Topology(prefix=self.prefix).events_exchange)
            message = aio_pika.Message(body, message_id=str(pending.id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await exchange.publish(message, routing_key=data.routing_key)

    async def stored(self, request_id: UUID) -> str | None:
        return await self.api.scalar("SELECT state FROM sms_messages WHERE request_id = :r", r=request_id)

    async def webhook(self, path: str, payload: dict[str, Any], signature: str | None = "sign") -> Any:
        headers = {"X-Gwapi-Signature": self.gateway.sign(payload) if signature == "sign" else (signature or "")}
        if signature is None:
            headers = {}
        return await self.api.client.post(f"/sms/gatewayapi/{path}", json=payload, headers=headers)

    def reply_payload(self, text: str, mo_id: int = 777) -> dict[str, Any]:
        return {"id": mo_id, "msisdn": MSISDN, "receiver": 451204, "message": text, "senttime": 1765353600}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 20, 8, 0, tzinfo=UTC))  # 10:00 in Copenhagen


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The service's log lines from then on; afterwards logging is left as the run found it (the
    later tests, the web's among them, read their own lines from the captured output)."""
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("referral", "INFO", json=True, stream=stream)
    yield stream
    flush_logs()
    structlog.configure(**config)
    root.handlers[:], root.level = handlers, level


@pytest.fixture
async def sms(
    make_database: Any, run_service: Any, clock: ManualClock, infra: TestInfra, prefix: str, log_lines: io.StringIO
) -> AsyncIterator[Sms]:
    fake = FakeGatewayApi(token=TOKEN, webhook_secret=SECRET, report_delivery=False)
    async with running_fake_gateway(fake) as url:
        database = await make_database(spec())
        settings = {"sms_gateway_url": url, "sms_gateway_token": TOKEN, "sms_webhook_secret": SECRET}
        async with run_service(
            spec(), database, clock=clock, with_relay=False, sms_send_interval=3600.0, **settings
        ) as service:
            yield Sms(Api(service, clock), fake, GatewayApi(url, TOKEN, "Forloeb"), infra, prefix)


async def opted_in(sms: Sms) -> dict[str, Any]:
    await sms.api.programme()
    referral = await sms.api.refer()
    body = {"mobile_number": "20 12 34 56", "language": "da", "channel": "in_person"}
    response = await sms.api.client.post(
        f"/referrals/{referral['id']}/sms-consent", json=body, headers={**COORDINATOR, "Idempotency-Key": "k-1"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["mobile_number_masked"] == "+45 •• •• •• 56"
    return referral


async def events(sms: Sms, kind: str) -> list[dict[str, Any]]:
    return [e for e in await sms.api.events() if e["type"] == f"dk.forlob.{kind}"]


def assert_no_number(sms: Sms, everything: Any, log_lines: io.StringIO) -> None:
    flush_logs()
    captured = json.dumps(everything, default=str) + log_lines.getvalue()
    for shape in (NUMBER, str(MSISDN), "20123456", "20 12 34 56"):
        assert shape not in captured, shape


async def test_a_request_asked_twice_is_sent_once(sms: Sms, log_lines: io.StringIO) -> None:
    referral = await opted_in(sms)
    [consent] = await events(sms, "sms.consent_changed.v1")
    assert consent["data"]["status"] == "opted_in"
    request_id = uuid4()
    await sms.ask(referral, request_id)
    await sms.ask(referral, request_id)  # attendance asks again (a redelivery, a restart)
    await eventually(lambda: sms.stored(request_id), what="the request stored")
    first, second = await sms.send(), await sms.send()
    assert (first.sent, second.sent) == (1, 0)
    [message] = sms.gateway.messages
    assert message["msisdn"] == MSISDN
    assert message["userref"] == str(request_id)
    assert message["label"] == PROVIDER_ORG
    assert message["message"].startswith("Vi savnede dig i dag")
    assert await sms.stored(request_id) == "sent"
    assert await sms.api.scalar("SELECT count(*) FROM sms_messages") == 1
    gateway_id = await sms.api.scalar("SELECT gateway_message_id FROM sms_messages")
    assert gateway_id == str(message["id"])
    # the delivery report is recorded on the message
    report = {
        "id": message["id"],
        "msisdn": MSISDN,
        "time": 1779264000,
        "status": "DELIVERED",
        "userref": str(request_id),
    }
    assert (await sms.webhook("status", report)).status_code == 200
    assert await sms.api.scalar("SELECT delivery_status FROM sms_messages") == "DELIVERED"
    usage = await sms.api.client.get("/sms/usage", params={"month": "2026-05"}, headers=COORDINATOR)
    assert usage.json() == [{"month": "2026-05", "provider_org": PROVIDER_ORG, "messages": 1, "parts": 1}]
    assert_no_number(sms, await sms.api.events(), log_lines)


class DiesAfterTheGatewayTookIt:
    """The process dies between the gateway's answer and the commit that records it."""

    def __init__(self, real: GatewayApi) -> None:
        self.real = real

    async def send(self, msisdn: int, text: str, *, reference: str, label: str) -> Sent:
        await self.real.send(msisdn, text, reference=reference, label=label)
        raise SystemExit("killed")


async def test_a_crash_between_the_send_and_its_commit_never_sends_twice(sms: Sms, log_lines: io.StringIO) -> None:
    referral = await opted_in(sms)
    request_id = uuid4()
    await sms.ask(referral, request_id)
    await eventually(lambda: sms.stored(request_id), what="the request stored")
    with pytest.raises(SystemExit):
        await sms.send(DiesAfterTheGatewayTookIt(sms.adapter))
    assert await sms.stored(request_id) == "sending"
    sms.api.clock.advance(timedelta(minutes=5))
    assert (await sms.send()).sent == 0  # the retry sweep leaves the claimed one alone
    sms.api.clock.advance(timedelta(minutes=15))
    assert (await sms.send()).unconfirmed == 1  # no answer, no report: a person looks; never resent
    assert await sms.stored(request_id) == "unconfirmed"
    assert len(sms.gateway.messages) == 1
    # the gateway's delivery report, carrying our reference, confirms it after all
    [taken] = sms.gateway.messages
    report = {
        "id": taken["id"],
        "msisdn": MSISDN,
        "time": 1779264000,
        "status": "DELIVERED",
        "userref": str(request_id),
    }
    assert (await sms.webhook("status", report)).status_code == 200
    assert await sms.stored(request_id) == "sent"
    assert await sms.api.scalar("SELECT gateway_message_id FROM sms_messages") == str(taken["id"])
    assert_no_number(sms, await sms.api.events(), log_lines)


async def test_an_answer_lost_is_not_resent_and_a_refusal_is_retried_with_backoff(sms: Sms) -> None:
    referral = await opted_in(sms)
    lost, refused = uuid4(), uuid4()
    await sms.ask(referral, lost)
    await eventually(lambda: sms.stored(lost), what="the request stored")
    sms.gateway.fail_next("taken_then_500")
    assert (await sms.send()).sent == 0
    assert await sms.stored(lost) == "sending"
    sms.api.clock.advance(timedelta(minutes=1))
    await sms.ask(referral, refused)
    await eventually(lambda: sms.stored(refused), what="the second request stored")
    unreachable = GatewayApi("http://127.0.0.1:9", TOKEN, "Forloeb")  # nothing listens: surely not sent
    assert (await sms.send(unreachable)).retrying == 1
    assert await sms.stored(refused) == "pending"
    assert (await sms.send()).sent == 0  # its backoff (30 s) has not passed
    sms.api.clock.advance(timedelta(seconds=31))
    assert (await sms.send()).sent == 1
    assert [m["userref"] for m in sms.gateway.messages] == [str(lost), str(refused)]


async def test_a_signed_reply_delivered_twice_is_one_fact(sms: Sms, log_lines: io.StringIO) -> None:
    referral = await opted_in(sms)
    request_id, absence_id = uuid4(), uuid4()
    await sms.ask(referral, request_id, absence_id=absence_id)
    await eventually(lambda: sms.stored(request_id), what="the request stored")
    await sms.send()
    payload = sms.reply_payload("١")  # "1" in Arabic-Indic digits
    assert (await sms.webhook("inbound", payload)).json() == {"status": "recorded"}
    assert (await sms.webhook("inbound", payload)).json() == {"status": "duplicate"}
    [replied] = await events(sms, "sms.replied.v1")
    assert replied["data"]["code"] == "sick"
    assert replied["data"]["in_reply_to"] == str(request_id)
    assert replied["data"]["absence_id"] == str(absence_id)
    assert replied["data"]["referral_id"] == referral["id"]
    assert "١" not in json.dumps(replied)  # the code only, never the text
    # the question is answered: a later reply answers nothing
    assert (await sms.webhook("inbound", sms.reply_payload("2", mo_id=778))).status_code == 200
    later = (await events(sms, "sms.replied.v1"))[-1]
    assert (later["data"]["code"], later["data"]["in_reply_to"]) == ("on_my_way", None)
    assert_no_number(sms, await sms.api.events(), log_lines)


async def test_a_bad_signature_is_refused_and_records_nothing(sms: Sms) -> None:
    await opted_in(sms)
    before = len(await sms.api.events())
    payload = sms.reply_payload("1")
    forged = FakeGatewayApi(token=TOKEN, webhook_secret="not-the-secret-but-just-as-long-as-it").sign(payload)
    for signature in (forged, None, "not-a-jwt"):
        response = await sms.webhook("inbound", payload, signature=signature)
        assert response.status_code == 401, signature
        assert response.headers["content-type"] == "application/problem+json"
        assert "20123456" not in response.text
        assert (await sms.webhook("status", {"id": 1, "status": "DELIVERED"}, signature=signature)).status_code == 401
    assert await sms.api.scalar("SELECT count(*) FROM sms_replies") == 0
    assert len(await sms.api.events()) == before


async def test_stop_withdraws_consent_at_once_and_later_requests_are_skipped(sms: Sms, log_lines: io.StringIO) -> None:
    referral = await opted_in(sms)
    assert (await sms.webhook("inbound", sms.reply_payload("Stopp"))).status_code == 200
    consent = await sms.api.client.get(f"/referrals/{referral['id']}/sms-consent", headers=COORDINATOR)
    assert (consent.json()["status"], consent.json()["channel"]) == ("opted_out", "sms_stop")
    assert [e["data"]["status"] for e in await events(sms, "sms.consent_changed.v1")] == ["opted_in", "opted_out"]
    [replied] = await events(sms, "sms.replied.v1")
    assert replied["data"]["code"] == "stop"
    request_id = uuid4()
    await sms.ask(referral, request_id, template=SmsTemplate.REMINDER_FIRST_DAY, day=date(2026, 5, 21))
    await eventually(lambda: sms.stored(request_id), what="the request stored")
    report = await sms.send()
    assert (report.sent, report.reasons) == (0, {"opted_out": 1})
    assert await sms.api.scalar("SELECT skip_reason FROM sms_messages") == "opted_out"
    assert sms.gateway.messages == []
    assert_no_number(sms, await sms.api.events(), log_lines)


async def test_quiet_hours_hold_a_message_until_morning(sms: Sms) -> None:
    referral = await opted_in(sms)
    sms.api.clock.set(datetime(2026, 5, 20, 19, 30, tzinfo=UTC))  # 21:30 in Copenhagen
    request_id = uuid4()
    await sms.ask(
        referral,
        request_id,
        template=SmsTemplate.REMINDER_MEETING,
        day=date(2026, 5, 21),
        expires_at=datetime(2026, 5, 21, 12, tzinfo=UTC),
    )
    await eventually(lambda: sms.stored(request_id), what="the request stored")
    assert (await sms.send()).deferred == 1
    sms.api.clock.set(datetime(2026, 5, 21, 5, 59, tzinfo=UTC))  # 07:59
    assert (await sms.send()).sent == 0
    sms.api.clock.set(datetime(2026, 5, 21, 6, 0, tzinfo=UTC))  # 08:00
    assert (await sms.send()).sent == 1
    assert sms.gateway.messages[0]["message"].startswith("Påmindelse: Du har en aftale med os i morgen, 21/5")


async def test_opt_in_refuses_a_bad_number_and_other_organisations(sms: Sms) -> None:
    await sms.api.programme()
    referral = await sms.api.refer()
    path = f"/referrals/{referral['id']}/sms-consent"
    bad = {"mobile_number": "+49 151 23456789", "language": "ar", "channel": "phone"}
    refused = await sms.api.client.post(path, json=bad, headers={**COORDINATOR, "Idempotency-Key": "k-bad"})
    assert refused.status_code == 422
    assert "23456789" not in refused.text
    assert await sms.api.scalar("SELECT count(*) FROM sms_contacts") == 0
    assert await sms.api.scalar("SELECT count(*) FROM sms_consent_changes") == 0
    assert (await sms.api.client.get(path, headers=OTHER_COORDINATOR)).status_code == 404
    assert (await sms.api.client.get(path, headers=CASEWORKER)).status_code == 403
    assert (await sms.api.client.get(path, headers=COORDINATOR)).json()["status"] is None
