"""The in-app stream: an open page (a real HTTP connection to the served app) sees a new alert
the moment it is raised, and its acknowledgement; nobody else's."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from forlob_notifications.channels.listener import ChangeListener
from forlob_notifications.main import spec as notifications_spec
from forlob_notifications.settings import NotificationsSettings
from forlob_shared.clock import ManualClock
from forlob_shared.service import create_app
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.fixtures import register_queue
from forlob_testkit.wait import eventually


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    event: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if not line:
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            event[name] = value.strip()


async def test_an_open_inbox_page_sees_a_new_alert_at_once(
    make_database: Any, infra: Any, prefix: str, smtp_sink: Any, clock: ManualClock, world_for_stream: Any
) -> None:
    spec = notifications_spec()
    settings = NotificationsSettings(
        database_url=await make_database(spec),
        broker_url=infra.broker_url,
        name_prefix=prefix,
        environment="test",
        smtp_port=smtp_sink.port,
        relay_poll_interval=0.2,
    )
    register_queue(prefix, f"{prefix}notifications.alerts")
    register_queue(prefix, f"{prefix}notifications.alerts.dlq")
    app = create_app(spec, settings, clock)
    async with serving_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        world = world_for_stream.attach(client, app, clock, prefix)
        await world.put_staff(world.provider, "kp-1", role="contact_person", channels=["inbox"])
        contact = world.auth(world.provider, "kp-1", "contact_person")
        other = world.auth("aspa-odense", "kp-1", "contact_person")
        async with (
            client.stream("GET", "/inbox/stream", headers=contact) as mine,
            client.stream("GET", "/inbox/stream", headers=other) as theirs,
        ):
            assert mine.status_code == 200
            assert mine.headers["content-type"].startswith("text/event-stream")
            events = _events(mine)
            assert (await anext(events))["event"] == "ready"
            assert (await anext(_events(theirs)))["event"] == "ready"  # and hears nothing (unit-tested)

            course = await world.start_course()
            absence = world.absence(course)
            await world.publish(absence)
            raised = await asyncio.wait_for(anext(events), timeout=10)
            assert raised["event"] == "alert.raised"
            alert = json.loads(raised["data"])
            assert alert["kind"] == "absence"
            assert alert["participant_ref"] == str(course.participant_id)

            acknowledged = await client.post(f"/alerts/{alert['id']}/acknowledge", headers=contact)
            assert acknowledged.status_code == 200
            change = await asyncio.wait_for(anext(events), timeout=10)
            assert change["event"] == "alert.acknowledged"
            assert json.loads(change["data"])["state"] == "acknowledged"


async def _serving(make_database: Any, infra: Any, prefix: str, smtp_sink: Any, clock: ManualClock) -> Any:
    spec = notifications_spec()
    settings = NotificationsSettings(
        database_url=await make_database(spec),
        broker_url=infra.broker_url,
        name_prefix=prefix,
        environment="test",
        smtp_port=smtp_sink.port,
        relay_poll_interval=0.2,
    )
    register_queue(prefix, f"{prefix}notifications.alerts")
    register_queue(prefix, f"{prefix}notifications.alerts.dlq")
    return create_app(spec, settings, clock)


async def test_a_stream_ends_when_its_client_goes_away(
    make_database: Any, infra: Any, prefix: str, smtp_sink: Any, clock: ManualClock, world_for_stream: Any
) -> None:
    app = await _serving(make_database, infra, prefix, smtp_sink, clock)
    async with serving_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        world = world_for_stream.attach(client, app, clock, prefix)
        await world.put_staff(world.provider, "kp-1", role="contact_person", channels=["inbox"])
        listener: ChangeListener = app.state.runtime.parts.listener
        async with client.stream(
            "GET", "/inbox/stream", headers=world.auth(world.provider, "kp-1", "contact_person")
        ) as page:
            assert (await anext(_events(page)))["event"] == "ready"
            assert listener.open_streams() == 1
        # The page closed its connection: the server notices without polling and lets the stream go.

        async def let_go() -> bool:
            return listener.open_streams() == 0

        await eventually(let_go, what="the closed stream unsubscribed")


async def test_open_streams_end_when_the_service_stops(
    make_database: Any, infra: Any, prefix: str, smtp_sink: Any, clock: ManualClock, world_for_stream: Any
) -> None:
    app = await _serving(make_database, infra, prefix, smtp_sink, clock)
    async with serving_app(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        world = world_for_stream.attach(client, app, clock, prefix)
        await world.put_staff(world.provider, "kp-1", role="contact_person", channels=["inbox"])
        runtime = app.state.runtime
        async with client.stream(
            "GET", "/inbox/stream", headers=world.auth(world.provider, "kp-1", "contact_person")
        ) as page:
            events = _events(page)
            assert (await anext(events))["event"] == "ready"
            runtime.stopping.set()  # what stopping the service does first (stop_runtime)
            remaining = [event async for event in events]  # the response ends: no more events
            assert remaining == []
        assert runtime.parts.listener.open_streams() == 0
