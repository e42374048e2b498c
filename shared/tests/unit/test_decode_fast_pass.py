"""decode's fast pass (envelope and data validated from the JSON bytes in one go) returns exactly
what decoding step by step returns, and leaves every body it cannot take as it stands to the steps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from forlob_shared.events import EventData, InvalidEnvelope, PendingEvent, ReferralReceived, decode, encode, register
from forlob_shared.events import base as events_base
from forlob_shared.events import envelope as envelope_module
from forlob_shared.events.base import event_types
from forlob_testkit.reporting.cohort import build_cohort

TIME = datetime(2026, 3, 2, 8, 15, 30, 123456, tzinfo=UTC)
STEPS = envelope_module._decode_in_steps  # the step-by-step decode, whatever a test records


def _same(body: bytes) -> None:
    fast, steps = decode(body), STEPS(body)
    assert fast == steps
    assert fast.model_dump() == steps.model_dump()
    assert type(fast) is type(steps)
    assert type(fast.data) is type(steps.data)
    assert fast.model_fields_set == steps.model_fields_set
    assert fast.data.model_fields_set == steps.data.model_fields_set


@pytest.fixture
def no_steps(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Records every body that went the step-by-step way, still decoding it."""
    stepped: list[bytes] = []

    def recorded(body: bytes) -> Any:
        stepped.append(body)
        return STEPS(body)

    monkeypatch.setattr(envelope_module, "_decode_in_steps", recorded)
    return stepped


def test_a_cohorts_events_decode_in_one_pass_to_what_the_steps_give(no_steps: list[bytes]) -> None:
    bodies = [p.body() for p in build_cohort(300, seed=7, days_share=0.3).events]
    types = {json.loads(body)["type"] for body in bodies}
    assert len(types) >= 15  # the cohort speaks most of what the read model reads
    for body in bodies:
        _same(body)
    fast = [body for body in bodies if body not in no_steps]
    assert len(fast) == len(bodies)  # none of them needed the steps


def _referral(**document_changes: Any) -> bytes:
    data = ReferralReceived.model_validate(
        {
            "referral_id": "0b3f5c7e-1a2b-4c3d-8e9f-001122334455",
            "participant_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
            "programme_code": "AFKLARINGSFORLØB-13",
            "referring_org": "jobcenter-aalborg",
            "provider_org": "provider-nord",
            "received_at": "2026-03-02T08:15:00Z",
            "wished_weekly_hours": 12.5,
        }
    )
    body = encode(PendingEvent(data=data, subject="referral/1"), source="/forlob/referral", sequence=3, time=TIME)
    document = json.loads(body)
    document.update(document_changes)
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "body",
    [
        _referral().decode().encode("utf-16"),  # json reads UTF-16 (with its BOM); the fast pass does not
        b"\xef\xbb\xbf" + _referral(),  # a UTF-8 BOM
        _referral(subject="referral/\\ud800").replace(b"\\\\ud800", b"\\ud800"),  # refused by both
    ],
    ids=["utf-16", "utf-8-bom", "lone-surrogate"],
)
def test_bodies_the_fast_pass_cannot_take_go_the_steps_way(body: bytes, no_steps: list[bytes]) -> None:
    assert _outcome(decode, body) == _outcome(STEPS, body)
    assert no_steps == [body]


def _outcome(decoder: Any, body: bytes) -> object:
    """The envelope, or the refusal's reason."""
    try:
        return decoder(body)
    except InvalidEnvelope as exc:
        return str(exc)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"specversion": "0.3"}, "unsupported specversion '0.3'"),
        ({"type": "dk.forlob.nothing.known.v1"}, "unknown event type"),
        ({"type": ""}, "not a CloudEvent: type"),
        ({"sequence": 0}, "not a CloudEvent: sequence"),
        ({"data": {"referral_id": "x"}}, "data does not match dk.forlob.referral.received.v1"),
    ],
)
def test_a_refusal_gives_the_steps_reason(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidEnvelope, match=reason):
        decode(_referral(**changes))


def test_an_envelope_refused_before_its_data_is_refused_as_the_steps_refuse_it() -> None:
    # The data's schedule compares a naive and an aware time: its own validator raises TypeError.
    # The steps never get to the data of an envelope without a subject; neither may the fast pass.
    window = {"weekday": 0, "start": "08:00:00+01:00", "end": "13:00"}
    document = json.loads(_referral())
    document.pop("subject")
    document["type"] = "dk.forlob.programme.started.v1"
    document["data"] = {"schedule": [window], "opening_hours": [window]}
    with pytest.raises(InvalidEnvelope, match="not a CloudEvent: subject"):
        decode(json.dumps(document).encode())


def test_a_type_registered_after_the_first_decode_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    event_types()
    decode(_referral())  # the fast pass is built for the registry as it is
    monkeypatch.setattr(events_base, "_REGISTRY", dict(events_base._REGISTRY))

    @register
    class Noted(EventData):
        routing_key = "testing.noted_late.v1"
        note_id: int

    body = encode(PendingEvent(data=Noted(note_id=4), subject="n/4"), source="/t", sequence=1, time=TIME)
    envelope = decode(body)
    assert envelope.data == Noted(note_id=4)
    _same(body)


def test_a_class_swapped_under_a_type_is_the_registrys_not_the_cached_one(monkeypatch: pytest.MonkeyPatch) -> None:
    decode(_referral())
    registry = dict(events_base._REGISTRY)

    class Other(ReferralReceived):
        pass

    registry[ReferralReceived.routing_key] = Other
    monkeypatch.setattr(events_base, "_REGISTRY", registry)
    assert type(decode(_referral()).data) is Other
