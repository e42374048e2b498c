"""Webhook targets at send time: a name is resolved when the call is made and refused when it
points into a private, loopback or link-local network (no connection is made); the call goes
to the checked address itself; a partner's Retry-After is honoured; and during a secret's
rotation every call carries two signatures."""

from __future__ import annotations

import typing
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpcore
import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from forlob_notifications.application.dispatch import dispatch_due
from forlob_notifications.application.subscriptions import drop_expired_secrets
from forlob_notifications.channels.targets import checked_transport
from forlob_notifications.channels.webhook import WebhookSender
from forlob_shared.events import AgreementBreached
from forlob_testkit.wait import eventually

PAYLOAD: dict[str, object] = {"type": "referral.received", "data": {"referral_id": "r-1"}}


class _Resolver:
    """Answers for the names of these tests (no DNS), and counts the questions."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers[host]


def _sender(resolver: _Resolver, *, allow_private: bool, inner: Any = None) -> WebhookSender:
    transport = checked_transport(resolver, allow_private=allow_private, inner=inner)
    return WebhookSender(httpx.AsyncClient(timeout=5, transport=transport, trust_env=False))


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
    ],
)
async def test_a_name_resolving_into_a_private_network_is_refused_at_send_time(
    webhook_receiver: Any, address: str, kind: str
) -> None:
    resolver = _Resolver({"hooks.partner.test": [address]})
    sender = _sender(resolver, allow_private=False)
    webhook_receiver.secret = secret = "whsec_" + "A" * 44
    # The port is the receiver's: were the name's address (127.0.0.1) connected to, it would answer.
    url = f"http://hooks.partner.test:{webhook_receiver.port}/hooks"
    outcome = await sender.webhook(url, [secret], str(uuid4()), PAYLOAD)
    await sender.client.aclose()
    assert not outcome.ok
    assert outcome.error_code == "target-refused"
    assert f"hooks.partner.test resolves to {address}, a {kind} address" in outcome.detail
    assert resolver.asked == ["hooks.partner.test"]
    assert webhook_receiver.requests == []  # no connection was made


async def test_a_literal_private_address_is_refused_too(webhook_receiver: Any) -> None:
    resolver = _Resolver({})
    sender = _sender(resolver, allow_private=False)
    outcome = await sender.webhook(webhook_receiver.url, ["whsec_" + "A" * 44], str(uuid4()), PAYLOAD)
    await sender.client.aclose()
    assert outcome.error_code == "target-refused"
    assert resolver.asked == []  # nothing to resolve
    assert webhook_receiver.requests == []


class _RecordingStream(httpcore.AsyncMockStream):
    def __init__(self, buffer: list[bytes], record: dict[str, Any]) -> None:
        super().__init__(buffer)
        self.record = record

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.record.setdefault("sent", b"")
        self.record["sent"] += buffer

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        self.record["sni"] = server_hostname
        return self


class _RecordingBackend(httpcore.AsyncMockBackend):
    """The network as far as the test sees it: where the connection went, what was sent, and
    a partner's 204."""

    def __init__(self) -> None:
        super().__init__([b"HTTP/1.1 204 No Content\r\n\r\n"])
        self.record: dict[str, Any] = {}

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.record["connected_to"] = (host, port)
        return _RecordingStream(list(self._buffer), self.record)


async def test_a_public_name_is_called_at_the_checked_address_with_its_own_name() -> None:
    resolver = _Resolver({"hooks.partner.example": ["93.184.216.34"]})
    network = _RecordingBackend()
    sender = _sender(resolver, allow_private=False, inner=network)
    outcome = await sender.webhook("https://hooks.partner.example/forlob", ["whsec_" + "A" * 44], "d-1", PAYLOAD)
    await sender.client.aclose()
    assert outcome.ok, outcome
    assert resolver.asked == ["hooks.partner.example"]  # one lookup: the connection uses its answer
    assert network.record["connected_to"] == ("93.184.216.34", 443)
    # TLS is with the name (SNI, and the certificate checked against it), and so is the Host header
    assert network.record["sni"] == "hooks.partner.example"
    assert b"\r\nHost: hooks.partner.example\r\n" in network.record["sent"]


async def test_one_private_answer_among_public_ones_refuses_the_name() -> None:
    resolver = _Resolver({"hooks.partner.example": ["93.184.216.34", "10.0.0.5"]})
    network = _RecordingBackend()
    sender = _sender(resolver, allow_private=False, inner=network)
    outcome = await sender.webhook("https://hooks.partner.example/forlob", ["whsec_" + "A" * 44], "d-1", PAYLOAD)
    await sender.client.aclose()
    assert outcome.error_code == "target-refused"
    assert "connected_to" not in network.record


async def test_allowed_private_targets_still_go_to_the_resolved_address(webhook_receiver: Any) -> None:
    # Local development: a name that exists only in the resolver reaches the 127.0.0.1 receiver.
    resolver = _Resolver({"partner.invalid": ["127.0.0.1"]})
    sender = _sender(resolver, allow_private=True)
    webhook_receiver.secret = secret = "whsec_" + "A" * 44
    outcome = await sender.webhook(f"http://partner.invalid:{webhook_receiver.port}/hooks", [secret], "d-2", PAYLOAD)
    await sender.client.aclose()
    assert outcome.ok, outcome
    [request] = webhook_receiver.requests
    assert request["verified"]
    assert request["headers"]["host"] == f"partner.invalid:{webhook_receiver.port}"


# -- through the service ------------------------------------------------------------------------


async def _subscribe(world: Any, url: str, receiver: Any) -> dict[str, Any]:
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email="cw1@jobcenter.example")
    await world.put_staff(world.jobcentre, "admin-1", role="admin", email="it@jobcenter.example")
    created = await world.client.post(
        "/webhooks/subscriptions",
        json={"url": url, "event_types": ["attendance.agreement_breached"]},
        headers=world.auth(world.jobcentre, "admin-1", "admin"),
    )
    assert created.status_code == 201, created.text
    subscription: dict[str, Any] = created.json()
    receiver.secret = subscription["secret"]
    return subscription


async def _breach(world: Any) -> None:
    course = await world.start_course()
    breach = AgreementBreached(
        **world.of_course(course),
        breach_id=uuid4(),
        rule="unexcused_in_window",
        unexcused_absences=3,
        window_first_day=date(2026, 11, 10),
        window_last_day=date(2026, 11, 23),
        absence_ids=[uuid4(), uuid4(), uuid4()],
        detected_at=world.clock.now(),
    )
    await world.publish(breach)
    await world.alert_for(f"breach:{breach.breach_id}")


async def _hook(world: Any, attempts: int = 1) -> Any:
    rows = await world.rows("SELECT * FROM deliveries WHERE channel = 'webhook'")
    return rows[0] if rows and rows[0]["attempts"] >= attempts else None


async def test_the_service_refuses_a_name_that_resolves_to_loopback_and_retries_later(
    make_world: Any, webhook_receiver: Any
) -> None:
    # As in production: private targets not allowed. "localhost" is registered (no https required
    # outside production) but resolves to 127.0.0.1, where the receiver listens.
    async with make_world(webhook_allow_private_targets=False) as world:
        subscription = await _subscribe(world, f"http://localhost:{webhook_receiver.port}/hooks", webhook_receiver)
        await _breach(world)
        hook = await eventually(lambda: _hook(world), what="a first attempt")
        assert hook["state"] == "pending"  # retried like an outage (the partner may fix its DNS)
        assert hook["last_error"] == "target-refused"
        assert world.clock.now() < hook["next_attempt_at"] <= world.clock.now() + timedelta(seconds=5)
        admin = world.auth(world.jobcentre, "admin-1", "admin")
        record = (await world.client.get(f"/deliveries/{hook['id']}", headers=admin)).json()
        assert [a["error_code"] for a in record["attempts"]] == ["target-refused"]
        assert record["recipient"] == subscription["id"]
        assert webhook_receiver.requests == []


async def test_retry_after_of_the_partner_is_honoured(make_world: Any, senders: Any, webhook_receiver: Any) -> None:
    async with make_world(background_tasks=False) as world:
        await _subscribe(world, webhook_receiver.url, webhook_receiver)
        webhook_receiver.fail_next = 1
        webhook_receiver.retry_after = "120"
        await _breach(world)
        await dispatch_due(world.uow, senders, world.options, world.clock.now(), rand=lambda: 0.0)
        hook = await _hook(world)
        assert hook["last_error"] == "http-503"
        # without the header a draw of 0 would retry after 1 s; the partner asked for 120
        assert hook["next_attempt_at"] == world.clock.now() + timedelta(seconds=120)
        world.clock.advance(timedelta(seconds=119))
        assert (await dispatch_due(world.uow, senders, world.options, world.clock.now())).attempted == 0
        world.clock.advance(timedelta(seconds=1))
        assert (await dispatch_due(world.uow, senders, world.options, world.clock.now())).delivered == 1


async def test_during_a_rotation_either_secret_verifies_and_afterwards_only_the_new_one(
    make_world: Any, senders: Any, webhook_receiver: Any
) -> None:
    async with make_world(background_tasks=False) as world:
        subscription = await _subscribe(world, webhook_receiver.url, webhook_receiver)
        old = subscription["secret"]
        admin = world.auth(world.jobcentre, "admin-1", "admin")
        route = f"/webhooks/subscriptions/{subscription['id']}/rotate-secret"
        assert (
            await world.client.post(route, headers=world.auth(world.jobcentre, "cw-1", "caseworker"))
        ).status_code == 403
        rotated = await world.client.post(route, headers=admin)
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old
        assert new.startswith("whsec_")
        expires = world.clock.now() + timedelta(hours=24)
        assert rotated.json()["previous_secret_expires_at"] == expires.isoformat().replace("+00:00", "Z")
        # the secret is shown once: not when the subscription is read
        shown = (await world.client.get(f"/webhooks/subscriptions/{subscription['id']}", headers=admin)).json()
        assert "secret" not in shown

        # the partner still holds the old secret: the call verifies, and would with the new one
        await _breach(world)
        await dispatch_due(world.uow, senders, world.options, world.clock.now())
        [during] = webhook_receiver.requests
        assert during["verified"]
        assert len(during["headers"]["webhook-signature"].split(" ")) == 2
        assert _verifies(new, during)

        # after the overlap only the new secret signs
        world.clock.set(expires)
        hook = await _hook(world)
        assert (await world.client.post(f"/deliveries/{hook['id']}/resend", headers=admin)).status_code == 200
        webhook_receiver.secret = new
        await dispatch_due(world.uow, senders, world.options, world.clock.now())
        after = webhook_receiver.requests[-1]
        assert after["verified"]
        assert len(after["headers"]["webhook-signature"].split(" ")) == 1
        assert not _verifies(old, after)

        # and the old secret is forgotten
        assert await world.scalar("SELECT count(*) FROM webhook_subscriptions WHERE previous_secret IS NOT NULL") == 1
        assert await drop_expired_secrets(world.uow(), world.clock.now()) == 1
        assert await world.scalar("SELECT count(*) FROM webhook_subscriptions WHERE previous_secret IS NOT NULL") == 0
        shown = (await world.client.get(f"/webhooks/subscriptions/{subscription['id']}", headers=admin)).json()
        assert shown["previous_secret_expires_at"] is None


def _verifies(secret: str, request: dict[str, Any]) -> bool:
    try:
        Webhook(secret).verify(request["body"], request["headers"])
    except WebhookVerificationError:
        return False
    return True
