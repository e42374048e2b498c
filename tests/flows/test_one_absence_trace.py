"""One trace for one absence, across the four services as processes, received over OTLP.

The coordinator starts the course (a POST to referral); attendance plans it and, when the
participant does not arrive, its sweep announces the absence under the course's trace context;
notifications raises the alert and e-mails the contact person; reporting counts it. Every one of
those spans shares the trace id of the POST's server span, with parents that say why: each
consumer's process span is a child of the context its event was written in (the POST's for the
course and its absence), the e-mail's span a child of the notifications span that queued it.
And no span names the participant or the contact person's address.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from forlob_testkit.outside import SmtpSink
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.traces import OtlpReceiver, ReceivedSpan, as_json, running_otlp_receiver
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
MONDAY = date(2026, 11, 30)
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
WORKSHOP_LEAD = auth(PROVIDER, "workshop_lead", staff="wl-1")
CONTACT_EMAIL = "kp1@rca.example"
START_ROUTE = "/referrals/{referral_id}/start"


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    with running_otlp_receiver() as receiver:
        yield receiver


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


async def _set_clock(system: Any, local: datetime) -> None:
    system.move_clock(local.replace(tzinfo=AALBORG).astimezone(UTC) - (datetime.now(UTC) + system.offset))


def _one(spans: list[ReceivedSpan], service: str, name: str) -> ReceivedSpan:
    found = [s for s in spans if s.service == f"forlob-{service}" and s.name == name]
    assert len(found) == 1, f"{service} {name!r}: {len(found)} in\n{as_json(spans)}"
    return found[0]


async def test_one_trace_spans_the_four_services_for_one_absence(
    start_system: Any, smtp_sink: SmtpSink, otlp_receiver: OtlpReceiver
) -> None:
    env = {
        "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp_sink.port),
        "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
        "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
        **otlp_receiver.env(),
    }
    async with start_system(env=env) as system, httpx.AsyncClient(timeout=10) as http:
        await _set_clock(system, datetime(2026, 11, 23, 9, 0))
        referral, attendance, notifications = (system.url(n) for n in ("referral", "attendance", "notifications"))
        _ok(
            await http.put(
                f"{notifications}/staff/kp-1",
                json={"channels": ["inbox", "email"], "country": "DK", "role": "contact_person"}
                | {"email": CONTACT_EMAIL},
                headers=PROVIDER_ADMIN,
            )
        )
        _ok(await http.put(f"{referral}/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=COORDINATOR), 201)
        body = referral_body(random.Random(22), wished_start=MONDAY.isoformat())
        person = body["participant"]
        created = _ok(await http.post(f"{referral}/referrals", json=body, headers=CASEWORKER), 201)
        rid, pid = created["id"], created["participant_id"]
        _ok(await http.post(f"{referral}/referrals/{rid}/accept", headers=COORDINATOR))

        await _set_clock(system, datetime(2026, 11, 30, 7, 0))
        start = {
            "start_date": MONDAY.isoformat(),
            "weeks": 13,
            "schedule": [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)],
            "contact_person_id": "kp-1",
            "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}]},
        }
        _ok(await http.post(f"{referral}/referrals/{rid}/start", json=start, headers=COORDINATOR))

        async def planned() -> bool:
            answer = await http.get(
                f"{attendance}/participants/{pid}/slots",
                params={"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=4)).isoformat()},
                headers=WORKSHOP_LEAD,
            )
            return answer.status_code == 200 and len(answer.json()["slots"]) == 5

        await eventually(planned, what="attendance to plan the agreed week")
        await _set_clock(system, datetime(2026, 11, 30, 8, 16))  # past 08:00 and the grace

        async def mailed() -> bool:
            return bool(smtp_sink.to(CONTACT_EMAIL))

        await eventually(mailed, timeout=20, what="the contact person's e-mail about the absence")

        async def traced() -> list[ReceivedSpan] | None:
            spans = otlp_receiver.received()
            starts = [s for s in spans if s.kind == "SERVER" and s.attributes.get("http.route") == START_ROUTE]
            if not starts:
                return None
            trace = [s for s in spans if s.trace_id == starts[0].trace_id]
            wanted = {
                ("notifications", "smtp send"),
                ("reporting", "process absence.detected.v1"),
                ("notifications", "process absence.detected.v1"),
            }
            have = {(s.service.removeprefix("forlob-"), s.name) for s in trace}
            return trace if wanted <= have else None

        trace = await eventually(traced, timeout=30, what="the absence's spans at the OTLP receiver")

    services = {s.service for s in trace}
    assert {"forlob-referral", "forlob-attendance", "forlob-notifications", "forlob-reporting"} <= services
    start_span = _one(trace, "referral", f"POST {START_ROUTE}")
    # The course is started and its absence announced under the start's context.
    course = _one(trace, "attendance", "process programme.started.v1")
    assert course.parent_span_id == start_span.span_id
    absence_publish = [
        s for s in trace if s.service == "forlob-attendance" and s.kind == "PRODUCER" and "absence.detected" in s.name
    ]
    assert [s.parent_span_id for s in absence_publish] == [start_span.span_id], as_json(trace)
    alerted = _one(trace, "notifications", "process absence.detected.v1")
    counted = _one(trace, "reporting", "process absence.detected.v1")
    assert alerted.parent_span_id == start_span.span_id
    assert counted.parent_span_id == start_span.span_id
    # The e-mail is sent in the trace of the notifications span that queued it.
    email = _one(trace, "notifications", "smtp send")
    assert email.parent_span_id == alerted.span_id
    assert email.attributes["forlob.delivery.outcome"] == "delivered"
    # The relay's publishes are children of the context their rows were written in.
    started_publish = [
        s for s in trace if s.service == "forlob-referral" and s.kind == "PRODUCER" and "programme.started" in s.name
    ]
    assert [s.parent_span_id for s in started_publish] == [start_span.span_id], as_json(trace)

    everything = repr([(s.name, s.attributes) for s in otlp_receiver.received()])
    number = person["identity_number"]
    for secret in (person["name"], number, f"{number[:6]}-{number[6:]}", CONTACT_EMAIL):
        assert secret not in everything
