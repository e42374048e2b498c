"""A breaking change to an event type: the new major supersedes the old with a downcast, the
outbox writes one row per emitted major from one fact, and the envelope carries the fact's id."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from forlob_shared.events import PendingEvent
from forlob_shared.events.base import EventData, json_schema, register, supersession
from forlob_shared.events.compat import breaking_changes
from forlob_shared.events.envelope import decode, encode
from forlob_shared.events.majors import emitted
from forlob_shared.messaging.subscription import both_majors
from forlob_testkit.event_majors import FAMILY, FactNotedV1, FactNotedV2, fact_noted

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_the_new_major_declares_what_it_supersedes() -> None:
    step = supersession(FactNotedV2)
    assert step is not None
    assert step.old is FactNotedV1
    assert supersession(FactNotedV1) is None


def test_only_a_later_major_of_the_same_type_can_supersede() -> None:
    class Other(EventData):
        routing_key = "testkit_other.noted.v2"

    class Earlier(EventData):
        routing_key = "testkit_fact.noted.v1"

    with pytest.raises(ValueError, match="not a later major"):
        register(supersedes=FactNotedV1, downcast=lambda d: d)(Other)
    with pytest.raises(TypeError):
        register(supersedes=FactNotedV1)(Earlier)  # type: ignore[call-overload]


def test_one_fact_is_written_as_each_major_with_one_fact_id_the_oldest_keeping_its_id() -> None:
    fact = fact_noted(45)
    v1, v2 = emitted(fact, {})
    assert (type(v1.data), type(v2.data)) == (FactNotedV1, FactNotedV2)
    assert v1.data == FactNotedV1(item_id=fact.data.item_id, minutes="45")  # type: ignore[attr-defined]
    assert v1.id == fact.id  # a v1-only consumer sees the id it always saw
    assert v2.id != fact.id
    assert v1.fact_id == v2.fact_id == fact.id
    assert v1.subject == v2.subject == fact.subject
    assert emitted(fact, {}) == [v1, v2]  # the second major's id is derived, not random


def test_the_service_setting_names_the_majors_it_emits() -> None:
    fact = fact_noted(45)
    (only,) = emitted(fact, {FAMILY: [2]})
    assert (only.data, only.id, only.fact_id) == (fact.data, fact.id, fact.id)
    (old,) = emitted(fact, {FAMILY: [1]})
    assert isinstance(old.data, FactNotedV1)
    with pytest.raises(ValueError, match="emits none"):
        emitted(fact, {FAMILY: [3]})
    plain = PendingEvent(data=FactNotedV1(item_id=uuid4(), minutes="3"), subject="x")
    assert emitted(plain, {}) == [plain]  # a type that supersedes nothing: as it was


def test_the_envelope_carries_the_fact_id_and_falls_back_to_the_event_id() -> None:
    v1, v2 = emitted(fact_noted(45), {})
    read = [decode(encode(e, source="forlob/test", sequence=7, time=NOW)) for e in (v1, v2)]
    assert [r.fact_id for r in read] == [v1.id, v1.id]
    assert [r.sequence for r in read] == [7, 7]
    assert json.loads(encode(v2, source="forlob/test", sequence=7, time=NOW))["factid"] == str(v1.id)
    alone = PendingEvent(data=FactNotedV1(item_id=uuid4(), minutes="3"), subject="x")
    body = encode(alone, source="forlob/test", sequence=1, time=NOW)
    assert "factid" not in json.loads(body)
    assert decode(body).fact_id == alone.id


async def test_a_consumer_of_both_majors_applies_the_old_one_upcast_with_its_new_handler() -> None:
    seen: list[Any] = []

    async def handle(envelope: Any, uow: object) -> None:
        seen.append((envelope.type, envelope.data))

    handlers = both_majors(FactNotedV2, handle)
    assert set(handlers) == {FactNotedV1, FactNotedV2}
    v1, v2 = emitted(fact_noted(45), {})
    for event in (v1, v2):
        envelope = decode(encode(event, source="forlob/test", sequence=1, time=NOW))
        await handlers[type(event.data)](envelope, object())
    assert seen == [(FactNotedV2.cloudevent_type(), v2.data)] * 2
    with pytest.raises(ValueError):
        both_majors(FactNotedV1, handle)


def test_the_catalogue_leaves_out_a_type_a_test_registers() -> None:
    from forlob_shared.events.base import event_types

    assert not [key for key in event_types() if key.startswith("testkit_")]


def test_the_contract_check_refuses_the_change_within_a_major_and_accepts_it_as_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forlob_shared import cli

    assert breaking_changes(json_schema(FactNotedV1), json_schema(FactNotedV2)) == [
        "minutes: type changed from string to integer"
    ]
    monkeypatch.setattr(cli, "event_types", lambda: {FactNotedV1.routing_key: FactNotedV1})
    cli.export_schemas(tmp_path)  # v1 published
    both = {FactNotedV1.routing_key: FactNotedV1, FactNotedV2.routing_key: FactNotedV2}
    monkeypatch.setattr(cli, "event_types", lambda: both)
    cli.export_schemas(tmp_path)  # the new major beside it: accepted
    assert (tmp_path / "testkit_fact.noted.v2.json").exists()
    monkeypatch.setattr(cli, "event_types", lambda: {FactNotedV1.routing_key: FactNotedV2})
    with pytest.raises(cli.BreakingChange, match="minutes: type changed"):
        cli.export_schemas(tmp_path)  # the same change within v1: refused


def test_the_writer_refuses_a_setting_naming_no_such_type_or_major() -> None:
    from forlob_shared.clock import ManualClock
    from forlob_shared.messaging.outbox import OutboxWriter

    OutboxWriter("forlob/test", ManualClock(NOW), emits={FAMILY: [1, 2]})
    with pytest.raises(ValueError, match=r"no event type testkit_fact\.noted\.v3"):
        OutboxWriter("forlob/test", ManualClock(NOW), emits={FAMILY: [3]})
    with pytest.raises(ValueError, match=r"no event type referral\.recieved\.v1"):
        OutboxWriter("forlob/test", ManualClock(NOW), emits={"referral.recieved": [1]})
    with pytest.raises(ValueError, match="emits no major"):
        OutboxWriter("forlob/test", ManualClock(NOW), emits={FAMILY: []})


def test_the_setting_is_read_as_json_by_event_type(monkeypatch: pytest.MonkeyPatch) -> None:
    from forlob_shared.settings import ServiceSettings

    assert ServiceSettings().event_majors == {}
    monkeypatch.setenv("FORLOB_EVENT_MAJORS", '{"testkit_fact.noted": [2]}')
    assert ServiceSettings().event_majors == {FAMILY: [2]}
