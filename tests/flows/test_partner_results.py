"""The jobcentre hears its courses' results, and no more (issue 21: "the jobcentre's feed receives
the results it is entitled to").

Referral and notifications run in process on one clock the test moves; the jobcentre listens on
both channels, its AMQP feed (a real partner user on the broker) and a webhook to every partner
type. Two courses run:

- an IPS course (meetings, seed 003): the consultant registers an employer and contacts it for the
  participant (job development: the provider's own work, never the jobcentre's news); the
  participant starts a job, the course moves into support, the job ends, the course is back in
  search, the participant starts an education, and the course ends;
- a clarification course (seed 000): the provider gives its recommendation (flex job) with the
  participant's resources and challenges by area and the evidence behind it, and the course ends.

Asserted: the exact list of partner types per referral, in order, with ``sequence`` counting one
series per referral; each message as its schema and docs/asyncapi/partners.json say; the same
events by webhook; no employer (name, number, register id), no disclosure choice, no reason a job
ended, no staff id, name, identity number or free text anywhere; the referral state a partner reads
over HTTP shows the phase, the spells and the result; a catch-up replay gives the same events."""

from __future__ import annotations

import importlib.util
import json
import random
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from forlob_notifications.main import spec as notifications_spec
from forlob_referral.main import spec as referral_spec
from forlob_shared.clock import ManualClock
from forlob_shared.partner import partner_event_types
from forlob_testkit.outside import PartnerInbox, SmtpSink, WebhookReceiver
from forlob_testkit.partner_contract import check_against_asyncapi
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually


def _the_contract_flow() -> ModuleType:
    """The whole-course test, for its checks of one message (test modules are not a package)."""
    path = Path(__file__).with_name("test_partner_contract.py")
    loaded = importlib.util.spec_from_file_location("forlob_flows_partner_contract_for_results", path)
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


CONTRACT = _the_contract_flow()
AALBORG = ZoneInfo("Europe/Copenhagen")
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
JOBCENTRE_ADMIN = auth(JOBCENTRE, "admin", staff="admin-j")
PARTNER = auth(JOBCENTRE, "partner_system", staff="jc-case-system")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
CONSULTANT = auth(PROVIDER, "contact_person", staff="ips-1")
STAFF_IDS = ("ips-1", "kp-4", "tl-1", "cw-7", "co-3", "admin-j", "admin-p")

MEETINGS = {
    **DEVELOPMENT_COURSE,
    "shape": "meetings",
    "intake_weekdays": [0, 1, 2, 3, 4],
    "default_weeks": 52,
    "min_weeks": 4,
    "max_weeks": 104,
    "opening_hours": [{"weekday": d, "start": "08:00", "end": "16:00"} for d in range(5)],
}
IPS = {**MEETINGS, "name": "IPS supported employment", "kind": "ips"}
CLARIFICATION = {**MEETINGS, "name": "Clarification course", "kind": "clarification", "default_weeks": 13}
EMPLOYER = {
    "country": "DK",
    "number": "13 58 56 28",
    "name": "Bageriet Ved Åen ApS",
    "sector": "private",
    "industry_code": "10.71",
    "contact": {"name": "Per Bagersen", "email": "per@bageriet.dk", "phone": "+45 12 34 56 78"},
}
EMPLOYER_DATA = ("Bageriet", "Bagersen", "per@bageriet.dk", "12 34 56 78", "13585628", "13 58 56 28")

START = date(2026, 11, 30)  # a Monday
JOB_START, JOB_END = date(2027, 1, 11), date(2027, 3, 31)
EDUCATION_START = date(2027, 8, 16)
CLOSING_NOTE = {
    "summary": "Found work at a bakery, then started an education.",
    "resources": "Reliable once settled.",
    "development_possibilities": "Can complete the education with support.",
    "goal_attainment": [
        {
            "goal": "Stable attendance",
            "attainment": "achieved",
            "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "achieved"}],
        },
        {"goal": "Increase weekly hours", "attainment": "partly_achieved"},
    ],
    "next_step": "Education with the school's own support.",
}
FREE_TEXTS = (
    *(v for v in CLOSING_NOTE.values() if isinstance(v, str)),
    "Stable attendance",
    "Increase weekly hours",
    "Arrive by 08:00",
)

IPS_EXPECTED = [
    "referral.received",
    "referral.accepted",
    "programme.started",
    # the employer's registration and the contact made with it are the provider's job development
    "employment.job_started",
    "programme.phase_changed",  # into support
    "employment.job_ended",
    "programme.phase_changed",  # back to search the next day
    "employment.job_started",  # an education
    "programme.phase_changed",  # into support again
    "programme.ended",
    "closing_note.available",
]
CLARIFICATION_EXPECTED = [
    "referral.received",
    "referral.accepted",
    "programme.started",
    "programme.clarification_result",
    "programme.ended",
    "closing_note.available",
]


def _local(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=AALBORG)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def _short(cloudevent: dict[str, Any]) -> str:
    return str(cloudevent["type"]).removeprefix("dk.forlob.partner.").rsplit(".v", 1)[0]


async def _heard(feed: PartnerInbox, rid: str) -> list[str]:
    await feed.drain()
    return [_short(d) for d in (json.loads(m.body) for m in feed.messages) if d["subject"] == rid]


async def _start(referral: httpx.AsyncClient, code: str, rng: random.Random) -> tuple[str, dict[str, Any]]:
    body = referral_body(rng, programme_code=code, wished_start=START.isoformat())
    created = _ok(await referral.post("/referrals", json=body, headers=CASEWORKER), 201)
    rid = created["id"]
    _ok(await referral.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
    start = {
        "start_date": START.isoformat(),
        "cadence": {"kind": "weekly"},
        "contact_person_id": "ips-1" if code == "IPS-AAL" else "kp-4",
        "team_leader_id": "tl-1",
    }
    _ok(await referral.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR))
    return rid, body["participant"]


async def test_the_jobcentre_hears_jobs_the_support_phase_and_a_clarification_result(
    make_database: Any,
    run_service: Any,
    partner_feed: PartnerInbox,
    webhook_receiver: WebhookReceiver,
    smtp_sink: SmtpSink,
) -> None:
    clock = ManualClock(_local(date(2026, 11, 23)))
    databases = [await make_database(s()) for s in (referral_spec, notifications_spec)]
    settings = CONTRACT._notifications_settings(smtp_sink)
    async with (
        run_service(notifications_spec(), databases[1], clock=clock, **settings) as notif,
        run_service(referral_spec(), databases[0], clock=clock) as referral_service,
    ):
        referral, notifications = referral_service.client, notif.client
        every_partner_type = sorted({cls.partner_type() for cls in partner_event_types().values()})
        subscription = _ok(
            await notifications.post(
                "/webhooks/subscriptions",
                json={"url": webhook_receiver.url, "event_types": every_partner_type},
                headers=JOBCENTRE_ADMIN,
            ),
            201,
        )
        webhook_receiver.secret = subscription["secret"]
        _ok(await referral.put("/programmes/IPS-AAL", json=IPS, headers=COORDINATOR), 201)
        _ok(await referral.put("/programmes/AFK-AAL", json=CLARIFICATION, headers=COORDINATOR), 201)
        rng = random.Random(21)

        async def feed_has(rid: str, expected: list[str]) -> None:
            async def arrived() -> bool:
                return await _heard(partner_feed, rid) == expected

            await eventually(arrived, what=f"the partner feed to hear {expected[-1]} of {rid}")

        # -- both courses start; the consultant develops a job with an employer --------------------
        clock.set(_local(START, 7))
        ips, ips_person = await _start(referral, "IPS-AAL", rng)
        await feed_has(ips, IPS_EXPECTED[:3])
        afk, afk_person = await _start(referral, "AFK-AAL", rng)
        await feed_has(afk, CLARIFICATION_EXPECTED[:3])
        clock.set(_local(date(2026, 12, 9)))
        employer = _ok(await referral.post("/employers", json=EMPLOYER, headers=CONSULTANT), 201)
        contact = {"employer_id": employer["id"], "day": "2026-12-09", "kind": "first_contact", "referral_id": ips}
        _ok(await referral.post("/employer-contacts", json=contact, headers=CONSULTANT), 201)

        # -- IPS: a job starts; the course moves into support -------------------------------------
        clock.set(_local(JOB_START, 15))
        job = {
            "employer_id": employer["id"],
            "kind": "ordinary",
            "start_date": JOB_START.isoformat(),
            "weekly_hours": 15,
            "disclosure": "partly",
        }
        view = _ok(await referral.post(f"/referrals/{ips}/spells", json=job, headers=CONSULTANT), 201)
        spell = view["spells"][0]["id"]
        await feed_has(ips, IPS_EXPECTED[:5])

        # -- the clarification course gives its result, then ends ---------------------------------
        clock.set(_local(date(2027, 2, 22)))
        result = {
            "recommendation": "flex_job",
            "resources": ["work_experience", "social_skills"],
            "challenges": ["health", "adaptability"],
            "meetings_held": 11,
            "work_trials": 2,
            "specialist_assessments": 1,
            "day": "2027-02-19",
        }
        _ok(await referral.post(f"/referrals/{afk}/clarification-result", json=result, headers=COORDINATOR), 201)
        await feed_has(afk, CLARIFICATION_EXPECTED[:4])
        clock.set(_local(date(2027, 3, 1)))
        end = {"end_date": "2027-02-26", "outcome": "flex_job", "closing_note": CLOSING_NOTE}
        _ok(await referral.post(f"/referrals/{afk}/end", json=end, headers=COORDINATOR))
        await feed_has(afk, CLARIFICATION_EXPECTED)

        # -- IPS: the job ends (back to search), an education starts, the course ends -----------------
        clock.set(_local(date(2027, 4, 2)))
        ended = {"end_date": JOB_END.isoformat(), "reason": "dismissed"}
        _ok(await referral.post(f"/referrals/{ips}/spells/{spell}/end", json=ended, headers=CONSULTANT))
        await feed_has(ips, IPS_EXPECTED[:7])
        clock.set(_local(EDUCATION_START, 15))
        education = {
            "kind": "education",
            "start_date": EDUCATION_START.isoformat(),
            "weekly_hours": 30,
            "disclosure": "no",
        }
        _ok(await referral.post(f"/referrals/{ips}/spells", json=education, headers=CONSULTANT), 201)
        await feed_has(ips, IPS_EXPECTED[:9])
        clock.set(_local(date(2027, 9, 1)))
        end = {
            "end_date": "2027-08-31",
            "outcome": "education",
            "first_job_date": JOB_START.isoformat(),
            "closing_note": CLOSING_NOTE,
        }
        _ok(await referral.post(f"/referrals/{ips}/end", json=end, headers=COORDINATOR))
        await feed_has(ips, IPS_EXPECTED)

        # -- what the jobcentre got --------------------------------------------------------------
        messages = [json.loads(m.body) for m in partner_feed.messages]
        for rid, expected in ((ips, IPS_EXPECTED), (afk, CLARIFICATION_EXPECTED)):
            own = [m for m in messages if m["subject"] == rid]
            assert [m["sequence"] for m in own] == [f"{n:012d}" for n in range(1, len(expected) + 1)]
        for raw, message in zip(partner_feed.messages, messages, strict=True):
            headers = dict(raw.headers or {})
            assert (headers["type"], headers["subject"], headers["referringorg"]) == (
                message["type"],
                message["subject"],
                JOBCENTRE,
            )
            await CONTRACT._assert_as_its_schema_says(notifications, message)
            check_against_asyncapi(CONTRACT.ASYNCAPI, headers, message)

        of_ips = {_short(m): m["data"] for m in messages if m["subject"] == ips}
        started = [m["data"] for m in messages if m["subject"] == ips and _short(m) == "employment.job_started"]
        assert [(s["kind"], s["start_date"], s["weekly_hours"]) for s in started] == [
            ("ordinary", JOB_START.isoformat(), 15.0),
            ("education", EDUCATION_START.isoformat(), 30.0),
        ]
        assert started[0]["spell_id"] == spell == of_ips["employment.job_ended"]["spell_id"]
        assert of_ips["employment.job_ended"]["end_date"] == JOB_END.isoformat()
        phases = [
            (m["data"]["previous_phase"], m["data"]["phase"], m["data"]["since"])
            for m in messages
            if m["subject"] == ips and _short(m) == "programme.phase_changed"
        ]
        assert phases == [
            ("search", "employed_with_support", JOB_START.isoformat()),
            ("employed_with_support", "search", "2027-04-01"),
            ("search", "employed_with_support", EDUCATION_START.isoformat()),
        ]
        told = next(m["data"] for m in messages if _short(m) == "programme.clarification_result")
        assert {k: told[k] for k in ("recommendation", "resources", "challenges", "result_date")} == {
            "recommendation": "flex_job",
            "resources": ["work_experience", "social_skills"],
            "challenges": ["health", "adaptability"],
            "result_date": "2027-02-19",
        }
        assert (told["meetings_held"], told["work_trials"], told["specialist_assessments"]) == (11, 2, 1)

        # the same events by webhook
        async def webhooks_in() -> bool:
            return len(webhook_receiver.accepted) == len(messages)

        await eventually(webhooks_in, what="every partner event by webhook")
        by_id = {m["id"]: m for m in messages}
        for hook in webhook_receiver.accepted.values():
            assert hook["data"] == by_id[hook["id"]]["data"], hook["type"]
        assert webhook_receiver.refused == 0

        # nothing of the employer, the disclosure, why the job ended, the staff or the person
        texts = [m.body.decode() + repr(m.headers) for m in partner_feed.messages]
        texts += [b.decode() for b in webhook_receiver.raw_bodies]
        forbidden = (
            *(p[k] for p in (ips_person, afk_person) for k in ("name", "identity_number")),
            *STAFF_IDS,
            *FREE_TEXTS,
            *EMPLOYER_DATA,
            employer["id"],
            '"partly"',
            '"dismissed"',
            "disclosure",
        )
        for text in texts:
            for secret in forbidden:
                assert secret not in text, f"a partner message carries {secret!r}"

        # -- the state a partner reads, and a catch-up replay ------------------------------------
        state = _ok(await notifications.get(f"/partner/referrals/{ips}", headers=PARTNER))
        assert (state["status"], state["phase"], state["phase_since"]) == (
            "ended",
            "employed_with_support",
            EDUCATION_START.isoformat(),
        )
        assert [(s["kind"], s["start_date"], s["end_date"], s["weekly_hours"]) for s in state["spells"]] == [
            ("ordinary", JOB_START.isoformat(), JOB_END.isoformat(), 15.0),
            ("education", EDUCATION_START.isoformat(), None, 30.0),
        ]
        assert state["clarification_result"] is None
        state = _ok(await notifications.get(f"/partner/referrals/{afk}", headers=PARTNER))
        assert state["clarification_result"]["recommendation"] == "flex_job"
        assert state["clarification_result"]["challenges"] == ["health", "adaptability"]
        assert (state["phase"], state["spells"]) == (None, [])  # a clarification course has no support phase
        replayed = _ok(await notifications.get("/partner/events", params={"limit": 100}, headers=PARTNER))
        assert [e["id"] for e in replayed["events"]] == [m["id"] for m in messages]
        assert replayed["events"] == messages
