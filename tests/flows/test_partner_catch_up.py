"""A partner that subscribes after the course ended replays it completely from the start (issue
18's second "done when").

The whole course of tests/flows/test_partner_contract.py runs first, exactly as there, with the
jobcentre's live AMQP feed listening. Then the course is over and notifications restarts on the
same database; a partner system of the jobcentre that was never subscribed asks for its
organisation's events over HTTP: from the beginning (cursor 0, paging by ``next``) and from a
point in time. It gets exactly the CloudEvents the live subscriber received, in the same order;
another jobcentre gets nothing of them, and cannot read the referral's state."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from forlob_notifications.main import spec as notifications_spec
from forlob_shared.clock import ManualClock
from forlob_testkit.outside import PartnerInbox, SmtpSink, WebhookReceiver
from forlob_testkit.scenario import JOBCENTRE, OTHER_JOBCENTRE, auth


def _the_contract_flow() -> ModuleType:
    """The whole-course test, loaded as a module of its own (test modules are not a package)."""
    path = Path(__file__).with_name("test_partner_contract.py")
    loaded = importlib.util.spec_from_file_location("forlob_flows_partner_contract", path)
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


CONTRACT = _the_contract_flow()
PARTNER = auth(JOBCENTRE, "partner_system", staff="jc-case-system")
OTHER_PARTNER = auth(OTHER_JOBCENTRE, "partner_system", staff="odense-case-system")


async def _replay(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every event from where ``params`` start, page by page (4 at a time) through ``next``."""
    events: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 4, **params}
    while True:
        answer = await client.get("/partner/events", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        events += page["events"]
        if not page["has_more"]:
            return events
        query = {"limit": 4, "after": page["next"]}


async def test_a_partner_that_subscribes_after_the_course_replays_it_completely(
    make_database: Any,
    run_service: Any,
    partner_feed: PartnerInbox,
    webhook_receiver: WebhookReceiver,
    smtp_sink: SmtpSink,
) -> None:
    databases: dict[str, str] = {}

    async def remembering(spec: Any) -> str:
        databases[spec.name] = url = await make_database(spec)
        return url

    await CONTRACT.test_the_jobcentre_hears_its_course_in_the_partner_contract_and_nothing_else(
        remembering, run_service, partner_feed, webhook_receiver, smtp_sink
    )
    live = [json.loads(message.body) for message in partner_feed.messages]
    assert [m["type"].removeprefix("dk.forlob.partner.").rsplit(".v", 1)[0] for m in live] == CONTRACT.EXPECTED

    clock = ManualClock(datetime.fromisoformat(live[-1]["time"].replace("Z", "+00:00")))
    async with run_service(
        notifications_spec(), databases["notifications"], clock=clock, public_api_url=CONTRACT.PUBLIC_API_URL
    ) as notifications:
        client = notifications.client
        from_the_start = await _replay(client, PARTNER, after="0")
        assert from_the_start == live  # the very CloudEvents, attribute for attribute, in order
        for event in from_the_start:  # each names the schema it holds against, where it is served
            schema = await client.get(event["dataschema"])
            assert schema.status_code == 200, schema.text
            assert schema.json()["$id"] == event["dataschema"]
            Draft202012Validator(schema.json()).validate(event["data"])
        assert await _replay(client, PARTNER) == live

        # From a time: from the first event written at or after it.
        times = [datetime.fromisoformat(m["time"].replace("Z", "+00:00")) for m in live]
        since = times[4]
        first = times.index(since)
        assert await _replay(client, PARTNER, since=since.isoformat()) == live[first:]

        # Caught up: nothing more, and ``next`` stays where it was.
        end = await client.get("/partner/events", params={"after": str(len(live))}, headers=PARTNER)
        assert end.json() == {
            "events": [],
            "next": str(len(live)),
            "has_more": False,
            "complete": True,  # nothing was forgotten: the course is days old
            "pruned_through": None,
            "pruned_until": None,
            "retention_days": 400,
        }

        rid = live[0]["subject"]
        state = (await client.get(f"/partner/referrals/{rid}", headers=PARTNER)).json()
        assert (state["status"], state["outcome"], state["sequence"]) == (
            "ended",
            "ordinary_employment",
            live[-1]["sequence"],
        )
        assert [n["absence_id"] for n in state["open_notices"]] == [live[7]["data"]["absence_id"]]
        assert len(state["breaches"]) == 1
        assert state["agreed_weekly_minutes"] == live[3]["data"]["agreed_weekly_minutes"]
        assert state["planned_end_date"] == live[8]["data"]["planned_end_date"]

        # Another organisation: none of it.
        assert await _replay(client, OTHER_PARTNER, after="0") == []
        assert (await client.get(f"/partner/referrals/{rid}", headers=OTHER_PARTNER)).status_code == 404
        # A person of the jobcentre is no partner system.
        caseworker = auth(JOBCENTRE, "caseworker", staff="cw-7")
        assert (await client.get("/partner/events", headers=caseworker)).status_code == 403
