"""A real SMTP server (aiosmtpd), a real HTTP receiver that verifies Standard Webhooks signatures,
the notifications service in process with a ManualClock, and a way to publish the other
services' events onto the real broker."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from forlob_notifications.application.options import Options
from forlob_notifications.main import spec as notifications_spec
from forlob_shared.clock import ManualClock
from forlob_shared.events import (
    AbsenceDetected,
    AttendanceRules,
    EventData,
    Outcome,
    PendingEvent,
    ProgrammeEnded,
    ProgrammeStarted,
    TimeWindow,
)
from forlob_shared.events.envelope import CONTENT_TYPE, encode
from forlob_shared.messaging.topology import Topology
from forlob_testkit.auth import auth as bearer
from forlob_testkit.messaging import collector
from forlob_testkit.outside import webhook_receiver
from forlob_testkit.servers import free_port
from forlob_testkit.wait import eventually

__all__ = ["collector", "webhook_receiver"]

PROVIDER = "rca-aalborg"
JOBCENTRE = "jobcenter-aalborg"
# Monday 23 November 2026, 09:00 in Copenhagen (UTC+1): a working day.
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def auth(org: str, staff: str, *roles: str) -> dict[str, str]:
    return bearer(org, *roles, staff=staff)


# -- SMTP ----------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    received_at: float  # time.time()
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return str(self.message.get_content())


def _parse(content: bytes) -> EmailMessage:
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


class _Collect:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.messages.append(
            ReceivedMail(time.time(), envelope.mail_from, list(envelope.rcpt_tos), _parse(envelope.content))
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.rcpt_tos]


@pytest.fixture
def smtp_sink() -> Any:
    sink = SmtpSink(free_port())
    sink.start()
    yield sink
    sink.stop()


# -- the service and its world -------------------------------------------------------------------


@dataclass
class World:
    """The running service, its clock, the broker and helpers to make things happen."""

    service: Any
    clock: ManualClock
    broker_url: str
    prefix: str
    smtp: SmtpSink

    provider = PROVIDER
    jobcentre = JOBCENTRE
    auth = staticmethod(auth)

    @staticmethod
    def events(found: Any, routing_key: str) -> list[dict[str, Any]]:
        """The ``data`` of every collected message with this routing key."""
        return [json.loads(m.body)["data"] for m in found.messages if m.routing_key == routing_key]

    @property
    def client(self) -> Any:
        return self.service.client

    @property
    def options(self) -> Options:
        return Options.of(self.service.settings)

    def uow(self) -> Any:
        return self.service.runtime.uow()

    async def publish(self, data: EventData, *, event_id: UUID | None = None, subject: str | None = None) -> UUID:
        event = PendingEvent(data=data, subject=subject or str(uuid4()), id=event_id or uuid4())
        body = encode(event, source="forlob/test", sequence=1, time=self.clock.now())
        topology = Topology(prefix=self.prefix)
        connection = await aio_pika.connect(self.broker_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(topology.events_exchange)
            await exchange.publish(
                aio_pika.Message(
                    body,
                    message_id=str(event.id),
                    content_type=CONTENT_TYPE,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    headers={"type": data.cloudevent_type(), "subject": event.subject},  # as the relay sends them
                ),
                routing_key=data.routing_key,
            )
        return event.id

    async def scalar(self, query: str, **params: Any) -> Any:
        async with self.service.runtime.engine.connect() as connection:
            return (await connection.execute(sa.text(query), params)).scalar()

    async def rows(self, query: str, **params: Any) -> list[Any]:
        async with self.service.runtime.engine.connect() as connection:
            return list((await connection.execute(sa.text(query), params)).mappings())

    async def put_staff(self, org: str, staff_id: str, **body: Any) -> None:
        body.setdefault("working_hours", [{"weekday": d, "start": "08:00", "end": "16:00"} for d in range(5)])
        response = await self.client.put(f"/staff/{staff_id}", json=body, headers=auth(org, "admin-1", "admin"))
        assert response.status_code == 200, response.text

    async def start_course(
        self,
        *,
        escalation_minutes: int = 30,
        legal_basis: str | None = "LAB-32-1-2",
        course: Course | None = None,
    ) -> Course:
        course = course or Course(referral_id=uuid4(), participant_id=uuid4())
        await self.publish(
            self.programme_started(course, escalation_minutes, legal_basis), subject=str(course.referral_id)
        )

        async def known() -> Any:
            return await self.scalar("SELECT count(*) FROM assignments WHERE referral_id = :r", r=course.referral_id)

        await eventually(known, what="the course to reach the directory")
        return course

    def of_course(self, course: Course) -> dict[str, Any]:
        """What every event about a course names: the course, the participant, the programme and
        both organisations."""
        return {
            "referral_id": course.referral_id,
            "participant_id": course.participant_id,
            "programme_code": "RCA-UDV-13",
            "referring_org": JOBCENTRE,
            "provider_org": PROVIDER,
        }

    def programme_started(
        self, course: Course, escalation_minutes: int = 30, legal_basis: str | None = "LAB-32-1-2"
    ) -> ProgrammeStarted:
        return ProgrammeStarted(
            **self.of_course(course),
            start_date=date(2026, 11, 23),
            planned_end_date=date(2027, 2, 22),
            schedule=[TimeWindow(weekday=d, start=clock_time(7, 30), end=clock_time(14, 30)) for d in range(4)],
            opening_hours=[TimeWindow(weekday=d, start=clock_time(7, 30), end=clock_time(14, 30)) for d in range(5)],
            timezone="Europe/Copenhagen",
            country="DK",
            contact_person_id="kp-1",
            team_leader_id="tl-1",
            caseworker_id="cw-1",
            legal_basis=legal_basis,
            rules=AttendanceRules(escalation_minutes=escalation_minutes),
            started_at=self.clock.now(),
        )

    def ended(self, course: Course, end_date: date) -> ProgrammeEnded:
        return ProgrammeEnded(
            **self.of_course(course),
            start_date=date(2026, 11, 23),
            end_date=end_date,
            outcome=Outcome.ORDINARY_EMPLOYMENT,
            ended_at=self.clock.now(),
        )

    def absence(
        self,
        course: Course,
        *,
        expected_at: datetime | None = None,
        absence_id: UUID | None = None,
        window: timedelta = timedelta(hours=4),
    ) -> AbsenceDetected:
        """A missed arrival detected now; the agreed window missed is ``window`` long."""
        expected = expected_at or self.clock.now() - timedelta(minutes=15)
        return AbsenceDetected(
            **self.of_course(course),
            absence_id=absence_id or uuid4(),
            day=expected.date(),
            expected_at=expected,
            expected_end=expected + window,
            detected_at=self.clock.now(),
        )

    async def alert_for(self, cause_key: str) -> Any:
        async def found() -> Any:
            rows = await self.rows("SELECT * FROM alerts WHERE cause_key = :k", k=cause_key)
            return rows[0] if rows else None

        return await eventually(found, what=f"an alert for {cause_key}")


@dataclass
class Course:
    referral_id: UUID
    participant_id: UUID


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_9)


@contextlib.asynccontextmanager
async def running_world(
    make_database: Any, run_service: Any, infra: Any, prefix: str, smtp: SmtpSink, clock: ManualClock, **overrides: Any
) -> AsyncIterator[World]:
    spec = notifications_spec()
    database = await make_database(spec)
    overrides.setdefault("rules_interval", 3600.0)  # tests run the sweep themselves, with a moved clock
    overrides.setdefault("webhook_allow_private_targets", True)  # the test receivers listen on 127.0.0.1
    async with run_service(
        spec,
        database,
        clock=clock,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        public_web_url="https://forlob.example",
        public_api_url="https://api.forlob.example",
        dispatch_poll_interval=0.1,
        **overrides,
    ) as service:
        world = World(service, clock, infra.broker_url, prefix, smtp)
        await world.put_staff(PROVIDER, "kp-1", role="contact_person", email="kp1@rca.example", team_leader_id="tl-1")
        await world.put_staff(PROVIDER, "tl-1", role="team_leader", email="tl1@rca.example")
        yield world


@pytest.fixture
async def world(
    make_database: Any, run_service: Any, infra: Any, prefix: str, smtp_sink: SmtpSink, clock: ManualClock
) -> AsyncIterator[World]:
    async with running_world(make_database, run_service, infra, prefix, smtp_sink, clock) as value:
        yield value


@pytest.fixture
def make_world(
    make_database: Any, run_service: Any, infra: Any, prefix: str, smtp_sink: SmtpSink, clock: ManualClock
) -> Any:
    """``async with make_world(**setting_overrides) as world`` for tests that need other settings."""

    def make(**overrides: Any) -> contextlib.AbstractAsyncContextManager[World]:
        return running_world(make_database, run_service, infra, prefix, smtp_sink, clock, **overrides)

    return make


@pytest.fixture
async def senders(smtp_sink: SmtpSink) -> AsyncIterator[Any]:
    """The real channel senders, for tests that run the dispatcher themselves."""
    import httpx

    from forlob_notifications.channels.email import SmtpSender
    from forlob_notifications.channels.senders import ChannelSenders
    from forlob_notifications.channels.targets import checked_transport
    from forlob_notifications.channels.webhook import WebhookSender
    from forlob_notifications.settings import NotificationsSettings

    settings = NotificationsSettings(smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    transport = checked_transport(allow_private=True)  # the test receivers listen on 127.0.0.1
    async with httpx.AsyncClient(timeout=5, transport=transport) as client:
        yield ChannelSenders(SmtpSender(settings), WebhookSender(client))


@dataclass
class _ServedService:
    client: Any
    runtime: Any
    settings: Any


@dataclass
class StreamWorlds:
    """Builds a World around a service served over real HTTP (for the server-sent events)."""

    infra: Any
    smtp: SmtpSink

    def attach(self, client: Any, app: Any, clock: ManualClock, prefix: str) -> World:
        runtime = app.state.runtime
        return World(_ServedService(client, runtime, runtime.settings), clock, self.infra.broker_url, prefix, self.smtp)


@pytest.fixture
def world_for_stream(infra: Any, smtp_sink: SmtpSink) -> StreamWorlds:
    return StreamWorlds(infra, smtp_sink)
