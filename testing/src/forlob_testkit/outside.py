"""What the outside world brings to end-to-end flows (pytest fixtures; tests/e2e/conftest.py
uses them): an SMTP server (aiosmtpd) standing in for
the mail relay, a partner's HTTP receiver that verifies Standard Webhooks signatures, a partner's
AMQP feed (a real RabbitMQ user under the test's prefix), and every message on the events exchange."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika
import pytest
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forlob_shared.messaging.topology import Topology
from forlob_shared.ops.broker_admin import RabbitmqctlAdmin, vhost_of
from forlob_shared.ops.partners import PartnerFeed, add_partner, url_in_vhost
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.fixtures import register_partner
from forlob_testkit.infra import TestInfra
from forlob_testkit.scenario import JOBCENTRE
from forlob_testkit.servers import free_port


@dataclass
class Mail:
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def body(self) -> str:
        return str(self.message.get_content())


class _Collect:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.sink.messages.append(Mail(list(envelope.rcpt_tos), message, bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    port: int
    messages: list[Mail] = field(default_factory=list)

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.messages if address in m.rcpt_tos]


@contextlib.contextmanager
def running_smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP server on a free port collecting every message (for a fixture of any scope)."""
    sink = SmtpSink(free_port())
    controller = Controller(_Collect(sink), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with running_smtp_sink() as sink:
        yield sink


@dataclass
class WebhookReceiver:
    """A partner's endpoint: verifies each signature, drops repeats by webhook-id, and can be
    told to fail its next calls (``fail_next``) as an endpoint that is down would."""

    port: int
    secret: str = ""
    fail_next: int = 0
    retry_after: str | None = None  # sent with each failure (503), when set
    raw_bodies: list[bytes] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)  # every call, with "verified"
    refused: int = 0
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # by webhook-id: processed once

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [p for p in self.accepted.values() if p.get("type") == event_type]

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        self.raw_bodies.append(body)
        try:
            payload = Webhook(self.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            payload, verified = None, False
        self.requests.append({"headers": headers, "body": body, "verified": verified})
        if not verified:
            self.refused += 1
            return Response(status_code=401)
        if self.fail_next > 0:
            self.fail_next -= 1
            return Response(status_code=503, headers={"retry-after": self.retry_after} if self.retry_after else None)
        # What a partner does: the webhook-id is the idempotency key.
        self.accepted.setdefault(headers["webhook-id"], payload)
        return Response(status_code=204)


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver(0)

    def app(port: int) -> Starlette:
        receiver.port = port
        return Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])

    async with serving_app(app_for_port=app):
        yield receiver


@dataclass
class PartnerInbox:
    """The jobcentre's partner system reading its AMQP feed as the partner user."""

    url: str
    queue: str
    messages: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    async def drain(self) -> list[aio_pika.abc.AbstractIncomingMessage]:
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(self.queue, ensure=False)
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                self.messages.append(message)
        return self.messages

    def types(self) -> list[str]:
        return [str((m.headers or {}).get("type", "")) for m in self.messages]


def as_partner(url: str, feed: PartnerFeed) -> str:
    """The broker URL as the partner's system has it: its user and password, its own vhost."""
    assert feed.password is not None, "a partner user made by this fixture has a fresh password"
    parts = urlsplit(url_in_vhost(url, feed.vhost))
    netloc = f"{quote(feed.user, safe='')}:{quote(feed.password, safe='')}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc))


async def add_test_partner(infra: TestInfra, prefix: str, org: str) -> PartnerFeed:
    """``forlob partners add`` for a test: removed (vhost, shovel, user, queue) with the prefix."""
    if urlsplit(infra.broker_url).hostname not in {"127.0.0.1", "localhost"}:
        pytest.skip("partner users are created with rabbitmqctl on the broker host")
    register_partner(prefix, org)
    return await add_partner(
        infra.broker_url, RabbitmqctlAdmin(vhost_of(infra.broker_url)), Topology(prefix=prefix), org
    )


@pytest.fixture
async def partner_feed(infra: TestInfra, prefix: str) -> PartnerInbox:
    topology = Topology(prefix=prefix)
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        await topology.declare_core(await connection.channel())
    feed = await add_test_partner(infra, prefix, JOBCENTRE)
    return PartnerInbox(as_partner(infra.broker_url, feed), feed.queue)  # removed with the prefix
