"""From one step to the next without a gap (issue 21, DOMAIN.md "Results and what comes next";
seed 002: a physiotherapy course may come before the development course; seed 001: "no way to
overlap into the participant's next step").

Referral, notifications and reporting run in process on one clock the test moves; the jobcentre's
system listens by webhook (the same partner events as its AMQP feed: one translation, two
channels). Two participants take a physiotherapy course at rca-aalborg
(Monday 7 September 2026, six weeks: planned last day Sunday 18 October):

- the first is handed over to the development course at the same provider with a **two-week
  overlap**: the coordinator proposes it (with the goals' attainment so far), the caseworker refers
  on, the handover meeting of both sides is planned and held, the development course starts on
  Monday 5 October and the physiotherapy course ends on Friday 16 October: 0 days without any
  programme;
- the second follows in **sequence** at another provider (aspa-odense), planned for Monday 26
  October: the physiotherapy course ends on its last day, Sunday 18 October, and the next starts on
  the 26th: 19 to 25 October, 7 days without any programme (worked out by hand); before it, the
  coordinator proposes it twice: the caseworker declines the first (coded), the coordinator
  withdraws the second.

Asserted: the figures per programme pair and per handover for the jobcentre, each provider seeing
only its own; the jobcentre's system hears the next step (programme.next_step_planned) on the course
before, the three proposals, the withdrawal and its own caseworker's decline in Forløb's web (which
proposal, when; not who, not why), and the next referral as any referral; no name, identity number,
goal text, staff id or decline reason in anything the jobcentre's system received.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from forlob_notifications.main import spec as notifications_spec
from forlob_referral.main import spec as referral_spec
from forlob_reporting.main import spec as reporting_spec
from forlob_shared.clock import ManualClock
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
ASPA = "aspa-odense"
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
ASPA_COORDINATOR = auth(ASPA, "coordinator", staff="co-9")
TEAM_LEADER = auth(PROVIDER, "team_leader", staff="tl-1")
JOBCENTRE_ADMIN = auth(JOBCENTRE, "admin", staff="admin-j")

PHYSIO = {
    **DEVELOPMENT_COURSE,
    "name": "Physiotherapy training course",
    "kind": "physiotherapy",
    "intake_weekdays": [0, 1, 2, 3, 4],
    "default_weeks": 6,
}
START = date(2026, 9, 7)  # a Monday; six weeks: the planned last day is Sunday 18 October
PHYSIO_END = date(2026, 10, 18)
OVERLAP_START = date(2026, 10, 5)  # a Monday, two weeks before the physiotherapy course ends
SEQUENCE_START = date(2026, 10, 26)  # a Monday after it
SCHEDULE = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(4)]
ATTAINMENT = [
    {
        "goal": "Stable attendance",
        "attainment": "achieved",
        "comment": "Trained three mornings a week without fail.",
        "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}],
    },
    {"goal": "Increase weekly hours", "attainment": "partly_achieved"},
]
CLOSING_NOTE = {
    "summary": "Completed the training; ready for the workshop.",
    "resources": "Strong motivation.",
    "development_possibilities": "Longer days in the workshop.",
    "goal_attainment": [{k: v for k, v in g.items() if k != "comment"} for g in ATTAINMENT],
}
FREE_TEXTS = ("Trained three mornings", "Stable attendance", "Increase weekly hours", "Work-ready routine")


def _local(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=AALBORG)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


async def _physio_course(referral: httpx.AsyncClient, rng: random.Random) -> tuple[str, dict[str, Any]]:
    body = referral_body(rng, programme_code="RCA-FYS", wished_start=START.isoformat())
    rid = _ok(await referral.post("/referrals", json=body, headers=CASEWORKER), 201)["id"]
    _ok(await referral.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
    start = {"start_date": START.isoformat(), "schedule": SCHEDULE, "contact_person_id": "kp-1", "weeks": 6}
    _ok(await referral.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR))
    return rid, body["participant"]


async def _start(referral: httpx.AsyncClient, rid: str, day: date, coordinator: dict[str, str]) -> None:
    accepted = _ok(await referral.post(f"/referrals/{rid}/accept", headers=coordinator))
    assert accepted["intake_date"] == day.isoformat()
    start = {"start_date": day.isoformat(), "schedule": SCHEDULE, "contact_person_id": "kp-2"}
    _ok(await referral.post(f"/referrals/{rid}/start", json=start, headers=coordinator))


async def _end(referral: httpx.AsyncClient, rid: str, day: date) -> None:
    end = {"end_date": day.isoformat(), "outcome": "another_programme", "closing_note": CLOSING_NOTE}
    _ok(await referral.post(f"/referrals/{rid}/end", json=end, headers=COORDINATOR))


async def test_a_physiotherapy_course_overlaps_into_the_development_course_and_another_follows_in_sequence(
    make_database: Any, run_service: Any, webhook_receiver: WebhookReceiver, smtp_sink: SmtpSink
) -> None:
    clock = ManualClock(_local(date(2026, 8, 31)))
    specs = (referral_spec, notifications_spec, reporting_spec)
    databases = [await make_database(s()) for s in specs]
    notification_settings = {
        "rules_interval": 3600.0,
        "dispatch_poll_interval": 0.1,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_sink.port,
        "webhook_allow_private_targets": True,  # the jobcentre's receiver listens on 127.0.0.1
        "public_api_url": "https://notifications.forlob.example",
    }
    async with (
        run_service(reporting_spec(), databases[2], clock=clock) as reporting_service,
        run_service(notifications_spec(), databases[1], clock=clock, **notification_settings) as notifications,
        run_service(referral_spec(), databases[0], clock=clock) as referral_service,
    ):
        referral, reporting = referral_service.client, reporting_service.client
        told = [
            "programme.next_step_proposed",
            "programme.next_step_withdrawn",
            "programme.next_step_declined",
            "programme.next_step_planned",
        ]
        hooks = {"url": webhook_receiver.url, "event_types": [*told, "referral.received"]}
        subscription = _ok(
            await notifications.client.post("/webhooks/subscriptions", json=hooks, headers=JOBCENTRE_ADMIN), 201
        )
        webhook_receiver.secret = subscription["secret"]
        _ok(await referral.put("/programmes/RCA-FYS", json=PHYSIO, headers=COORDINATOR), 201)
        _ok(await referral.put("/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=COORDINATOR), 201)
        _ok(await referral.put("/programmes/ASPA-UDV", json=DEVELOPMENT_COURSE, headers=ASPA_COORDINATOR), 201)
        rng = random.Random(2101)

        clock.set(_local(START, 7))
        first, first_person = await _physio_course(referral, rng)
        second, second_person = await _physio_course(referral, rng)

        # -- the first: the coordinator proposes an overlap, the caseworker refers on -------------
        clock.set(_local(date(2026, 9, 21), 10))
        proposal = {
            "programme_code": "RCA-UDV-13",
            "provider_org": PROVIDER,
            "relation": "overlap",
            "planned_start": OVERLAP_START.isoformat(),
            "goal_attainment": ATTAINMENT,
        }
        proposed = _ok(
            await referral.post(
                f"/referrals/{first}/handovers", json=proposal, headers={**COORDINATOR, "Idempotency-Key": "p-1"}
            ),
            201,
        )
        assert proposed["facts"]["goals"] == {"achieved": 1, "partly_achieved": 1, "not_achieved": 0}
        referred_on = {"goals": [{"text": "Work-ready routine"}], "wished_weekly_hours": 20}
        keyed = {**CASEWORKER, "Idempotency-Key": "refer-1"}
        overlap = _ok(await referral.post(f"/handovers/{proposed['id']}/refer", json=referred_on, headers=keyed), 201)
        again = _ok(await referral.post(f"/handovers/{proposed['id']}/refer", json=referred_on, headers=keyed), 201)
        assert again["next_referral_id"] == overlap["next_referral_id"]  # one referral for one key
        development = overlap["next_referral_id"]
        meeting = {
            "starts_at": _local(date(2026, 9, 28), 10).isoformat(),
            "participants": [{"org": JOBCENTRE, "staff_id": "cw-7"}, {"org": PROVIDER, "staff_id": "co-3"}],
        }
        planned = _ok(await referral.post(f"/handovers/{overlap['id']}/meeting", json=meeting, headers=COORDINATOR))
        assert planned["meeting"]["starts_at"] == "2026-09-28T10:00:00+02:00"

        # -- the second: the caseworker refers on, in sequence, to another provider ---------------
        sequence = {
            "programme_code": "ASPA-UDV",
            "provider_org": ASPA,
            "relation": "sequence",
            "planned_start": SEQUENCE_START.isoformat(),
        }
        # first the coordinator proposes it and the caseworker declines (coded), then one withdrawn
        declined = _ok(await referral.post(f"/referrals/{second}/handovers", json=sequence, headers=COORDINATOR), 201)
        decline = {"reason": "not_the_right_programme"}
        _ok(await referral.post(f"/handovers/{declined['id']}/decline", json=decline, headers=CASEWORKER))
        withdrawn = _ok(await referral.post(f"/referrals/{second}/handovers", json=sequence, headers=COORDINATOR), 201)
        _ok(await referral.post(f"/handovers/{withdrawn['id']}/withdraw", headers=COORDINATOR))
        onward = _ok(await referral.post(f"/referrals/{second}/refer-on", json=sequence, headers=CASEWORKER), 201)
        elsewhere = onward["next_referral_id"]
        seen = _ok(await referral.get(f"/handovers/{onward['id']}", headers=ASPA_COORDINATOR))
        assert seen["referral_id"] is None  # the next provider learns the facts, not the referral before
        assert seen["facts"]["planned_end_date"] == PHYSIO_END.isoformat()
        assert (await referral.get(f"/referrals/{second}", headers=ASPA_COORDINATOR)).status_code == 404

        clock.set(_local(date(2026, 9, 28), 11))
        _ok(await referral.post(f"/handovers/{overlap['id']}/meeting/held", headers=CASEWORKER))

        # -- the steps start and end ------------------------------------------------------------
        clock.set(_local(OVERLAP_START, 7))
        await _start(referral, development, OVERLAP_START, COORDINATOR)
        clock.set(_local(date(2026, 10, 16), 15))
        await _end(referral, first, date(2026, 10, 16))
        clock.set(_local(PHYSIO_END, 15))
        await _end(referral, second, PHYSIO_END)
        clock.set(_local(SEQUENCE_START, 7))
        await _start(referral, elsewhere, SEQUENCE_START, ASPA_COORDINATOR)

        # -- the figures: 0 days for the overlap, 7 for the sequence (19 to 25 October) -------------
        period = {"from": "2026-09-01", "to": "2026-12-31"}
        same = {
            "provider_org": PROVIDER,
            "programme_code": "RCA-FYS",
            "next_provider_org": PROVIDER,
            "next_programme_code": "RCA-UDV-13",
            "handovers": 1,
            "overlapping": 1,
            "days_without_programme": {"median": 0.0, "mean": 0.0},
            "share_without_gap": 1.0,
            "not_started": 0,
            "next_step_not_taken": 0,
        }
        other = {
            **same,
            "next_provider_org": ASPA,
            "next_programme_code": "ASPA-UDV",
            "overlapping": 0,
            "days_without_programme": {"median": 7.0, "mean": 7.0},
            "share_without_gap": 0.0,
        }

        async def figures(headers: dict[str, str], **query: str) -> list[dict[str, Any]]:
            answer = await reporting.get("/figures/handovers", params={**period, **query}, headers=headers)
            return list(_ok(answer)["rows"])

        async def both_counted() -> bool:
            return await figures(CASEWORKER) == [other, same]

        await eventually(both_counted, what="reporting to count both handovers")
        assert await figures(TEAM_LEADER) == [other, same]
        assert await figures(ASPA_COORDINATOR) == [other]  # only the handover into its programme
        each = {r["next_first_day"]: r["days_without_programme"] for r in await figures(CASEWORKER, per="handover")}
        assert each == {
            OVERLAP_START.isoformat(): 0,
            SEQUENCE_START.isoformat(): (SEQUENCE_START - PHYSIO_END).days - 1,
        }
        assert (SEQUENCE_START - PHYSIO_END).days - 1 == 7
        csv = await reporting.get("/figures/handovers", params={**period, "format": "csv"}, headers=CASEWORKER)
        assert "share_without_gap" in csv.text.splitlines()[0]

        # -- the jobcentre's system: the next step on the course before, the next referral as any ----
        async def heard() -> bool:
            return len(webhook_receiver.of_type("programme.next_step_planned")) == 2

        await eventually(heard, what="the jobcentre to hear both next steps")
        steps = {h["data"]["referral_id"]: h["data"] for h in webhook_receiver.of_type("programme.next_step_planned")}
        assert steps[first]["next_referral_id"] == development
        assert (steps[first]["relation"], steps[first]["planned_start"]) == ("overlap", OVERLAP_START.isoformat())
        assert (steps[second]["next_provider_org"], steps[second]["relation"]) == (ASPA, "sequence")

        # the proposals (both courses'), the one withdrawn, and the one its caseworker declined in the web
        async def proposals_heard() -> bool:
            return len(webhook_receiver.of_type("programme.next_step_proposed")) == 3

        await eventually(proposals_heard, what="the jobcentre to hear the three proposals")

        async def withdrawal_heard() -> bool:
            return len(webhook_receiver.of_type("programme.next_step_withdrawn")) == 1

        await eventually(withdrawal_heard, what="the jobcentre to hear the withdrawal")
        proposed_ids = [h["data"]["proposal_id"] for h in webhook_receiver.of_type("programme.next_step_proposed")]
        assert sorted(proposed_ids) == sorted([proposed["id"], declined["id"], withdrawn["id"]])
        [taken_back] = webhook_receiver.of_type("programme.next_step_withdrawn")
        assert (taken_back["data"]["proposal_id"], taken_back["data"]["referral_id"]) == (withdrawn["id"], second)

        async def decline_heard() -> bool:
            return len(webhook_receiver.of_type("programme.next_step_declined")) == 1

        await eventually(decline_heard, what="the jobcentre to hear its own caseworker's decline")
        [no] = webhook_receiver.of_type("programme.next_step_declined")
        assert (no["data"]["proposal_id"], no["data"]["referral_id"]) == (declined["id"], second)
        assert (no["data"]["referring_org"], no["data"]["provider_org"]) == (JOBCENTRE, PROVIDER)
        assert datetime.fromisoformat(no["data"]["declined_at"]) == _local(date(2026, 9, 21), 10)
        assert set(no["data"]) == {
            "referral_id",
            "participant_id",
            "programme_code",
            "referring_org",
            "provider_org",
            "proposal_id",
            "declined_at",
        }
        received = {h["data"]["referral_id"] for h in webhook_receiver.of_type("referral.received")}
        assert {development, elsewhere} <= received
        assert webhook_receiver.refused == 0
        bodies = " ".join(b.decode() for b in webhook_receiver.raw_bodies)
        for person in (first_person, second_person):
            assert person["name"] not in bodies
            assert person["identity_number"] not in bodies
        for text in FREE_TEXTS:
            assert text not in bodies
        for staff_or_reason in ("co-3", "cw-7", "not_the_right_programme"):
            assert staff_or_reason not in bodies
