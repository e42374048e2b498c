"""`make demo`: a morning at an Aalborg rehabilitation centre, played against the running services.

Expects `make up` in another terminal. It seeds, only through the services' HTTP APIs as their
users would, the provider rca-aalborg (three programmes with opening hours), its staff, the
jobcentre jobcenter-aalborg with a caseworker, and about thirty referrals in every state; then it
plays a morning in real time: some participants arrive on time, some late, some not at all, and
the alerts appear in the inbox and as e-mails in the mail sink (var/mail/new).

Time: every service under `make up` runs on var/clock-offset (forlob_testkit.serve), seconds
added to the system clock. The demo writes it to place "now" where the story needs it: weeks back
for the history (referrals, ended courses), then a Monday morning at 07:29 local time, one minute
before the agreed arrivals at 07:30. From there real time runs: the demo programme's grace is one
minute, so missed arrivals are detected from 07:31 (the attendance sweep runs every 30 s), and
its escalation after two working minutes, so unacknowledged alerts reach the team leader at
about 07:33. A morning takes about four minutes.

Running it again replays nothing twice: the seed is remembered in var/demo-state.json (and every
POST carries an Idempotency-Key), and each run plays the next working morning of the same course.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from email.parser import BytesParser
from email.policy import default as email_policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import demo_shapes  # beside this file: the IPS fortnight and the outreach week
import holidays
import httpx

from forlob_shared.http.auth import mint_token
from forlob_shared.settings import ServiceSettings
from forlob_testkit.clock import read_clock_offset, write_clock_offset
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, referral_body

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
CLOCK_FILE = VAR / "clock-offset"
STATE_FILE = VAR / "demo-state.json"
MAILDIR_NEW = VAR / "mail" / "new"
ADMIN_URL_FILE = VAR / "broker" / "guest.url"

REFERRAL = "http://127.0.0.1:8001"
ATTENDANCE = "http://127.0.0.1:8002"
NOTIFICATIONS = "http://127.0.0.1:8003"
REPORTING = "http://127.0.0.1:8004"
SERVICES = {"referral": REFERRAL, "attendance": ATTENDANCE, "notifications": NOTIFICATIONS, "reporting": REPORTING}

LOCAL = ZoneInfo("Europe/Copenhagen")
DK_HOLIDAYS = holidays.country_holidays("DK")
SETTINGS = ServiceSettings()  # the development secret, as the services under `make up` use

# The demo's own codes: the README's walkthrough defines RCA-UDV-13 with the real rules, and a
# demo run after it must not redefine that programme with the demo's one-minute grace.
DEVELOPMENT = "RCA-UDV-DEMO"
CLARIFICATION = "RCA-AFK-4"
PHYSIOTHERAPY = "RCA-FYS-8"
WEEKDAYS = range(5)
HOURS_MON_THU_FRI = [{"weekday": d, "start": "07:30", "end": "14:30" if d < 4 else "14:00"} for d in WEEKDAYS]

# The demo's development course: the real one's rules, but one minute's grace and two working
# minutes before escalation, so that a morning shows detection and escalation in minutes.
PROGRAMMES: dict[str, dict[str, Any]] = {
    DEVELOPMENT: {
        **DEVELOPMENT_COURSE,
        "name": "Individual development course (demo: one minute's grace)",
        "rules": {**DEVELOPMENT_COURSE["rules"], "absence_grace_minutes": 1, "escalation_minutes": 2},
    },
    CLARIFICATION: {
        "name": "Clarification course",
        "kind": "clarification",
        "capacity": 20,
        "intake_weekdays": list(WEEKDAYS),
        "default_weeks": 4,
        "min_weeks": 1,
        "max_weeks": 8,
        "opening_hours": HOURS_MON_THU_FRI,
        "country": "DK",
        "rules": {"absence_grace_minutes": 15, "escalation_minutes": 30},
    },
    PHYSIOTHERAPY: {
        "name": "Physiotherapy and training",
        "kind": "physiotherapy",
        "capacity": 6,
        "intake_weekdays": [0, 2],
        "default_weeks": 8,
        "min_weeks": 4,
        "max_weeks": 12,
        "opening_hours": [{"weekday": d, "start": "08:00", "end": "15:00"} for d in WEEKDAYS],
        "country": "DK",
        "rules": {"absence_grace_minutes": 15, "escalation_minutes": 30},
    },
}

PROGRAMMES.update(demo_shapes.SHAPED_PROGRAMMES)

WORKING_HOURS = [{"weekday": d, "start": "07:00", "end": "15:30"} for d in WEEKDAYS]
PROVIDER_STAFF: dict[str, dict[str, Any]] = {
    "tl-1": {"role": "team_leader", "email": "tl-1@rca.example"},
    "kp-1": {"role": "contact_person", "email": "kp-1@rca.example", "team_leader_id": "tl-1"},
    "kp-2": {"role": "contact_person", "email": "kp-2@rca.example", "team_leader_id": "tl-1"},
    "co-1": {"role": "coordinator", "email": "co-1@rca.example"},
    **demo_shapes.OUTREACH_STAFF,
}
CASEWORKER = "cw-1"

OUTCOMES = ["ordinary_employment", "education", "flex_job", "another_programme", "dropped_out", "ordinary_employment"]


def token(org: str, staff: str, *roles: str) -> str:
    return mint_token(SETTINGS, staff_id=staff, org=org, roles=list(roles))


COORDINATOR = token(PROVIDER, "co-1", "coordinator")
PROVIDER_ADMIN = token(PROVIDER, "admin-1", "admin")
WORKSHOP_LEAD = token(PROVIDER, "wl-1", "workshop_lead")
TEAM_LEADER = token(PROVIDER, "tl-1", "team_leader")
CASEWORKER_TOKEN = token(JOBCENTRE, CASEWORKER, "caseworker")
JOBCENTRE_ADMIN = token(JOBCENTRE, "admin-1", "admin")


class DemoError(RuntimeError):
    pass


# -- talking to the services ----------------------------------------------------------------------


class Api:
    def __init__(self) -> None:
        self.http = httpx.Client(timeout=30)

    def call(
        self,
        method: str,
        url: str,
        bearer: str,
        body: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        tolerate: Iterable[int] = (),
    ) -> Any:
        headers = {"Authorization": f"Bearer {bearer}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = self.http.request(method, url, json=body, headers=headers)
        for _ in range(5):
            if response.status_code != 429:
                break
            # A rate limit (docs/security.md): a demo run again at once may reach one; wait as told.
            time.sleep(float(response.headers.get("Retry-After", "1")))
            response = self.http.request(method, url, json=body, headers=headers)
        if response.status_code in set(tolerate):
            return None
        if response.status_code >= 400:
            raise DemoError(f"{method} {url} -> {response.status_code}: {response.text[:400]}")
        return response.json() if response.content else None


def services_answer(api: Api) -> list[str]:
    silent = []
    for name, base in SERVICES.items():
        try:
            if api.http.get(f"{base}/health/ready", timeout=3).status_code != 200:
                silent.append(name)
        except httpx.HTTPError:
            silent.append(name)
    return silent


# -- time -----------------------------------------------------------------------------------------


def set_local_time(moment: datetime) -> None:
    """Move every service's clock so that it is `moment` now (local time) and real time runs on."""
    write_clock_offset(str(CLOCK_FILE), moment.astimezone(UTC) - datetime.now(UTC))
    time.sleep(0.3)  # the services re-read the file every 50 ms


def local_now() -> datetime:
    return (datetime.now(UTC) + read_clock_offset(str(CLOCK_FILE))).astimezone(LOCAL)


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hh, mm, ss), LOCAL)


def working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in DK_HOLIDAYS


def next_intake_monday(after: date) -> date:
    """The first Monday after `after` that is a working day, and whose history (six weeks back:
    a Monday start and a Thursday end) is on working days too."""
    day = after + timedelta(days=7 - after.weekday())
    while not (working_day(day) and working_day(day - timedelta(weeks=6)) and working_day(day - timedelta(days=39))):
        day += timedelta(weeks=1)
    return day


def nth_working_day(first: date, n: int) -> date:
    day = first
    while n > 0 or not working_day(day):
        day += timedelta(days=1)
        if working_day(day):
            n -= 1
    return day


def say(text: str) -> None:
    print(f"[{local_now():%a %d %b %H:%M:%S}] {text}", flush=True)


def ref(uuid: str) -> str:
    """The participant's pseudonymous id, shortened for reading (never a name)."""
    return f"p-{uuid[:8]}"


# -- the seed -------------------------------------------------------------------------------------


@dataclass
class Seeded:
    monday: str
    cohort: list[dict[str, str]] = field(default_factory=list)  # referral_id, participant_id, contact
    mornings_played: int = 0
    partner_feed: bool = False


def closing_note(outcome: str) -> dict[str, Any]:
    achieved = outcome in {"ordinary_employment", "education", "flex_job"}
    return {
        "summary": "Came regularly; clarified work ability and next step.",
        "resources": "Punctual, good with tools.",
        "development_possibilities": "Ready for the next step with support.",
        "goal_attainment": [
            {
                "goal": "Stable attendance",
                "attainment": "achieved" if achieved else "partly_achieved",
                "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}],
            },
            {"goal": "Increase weekly hours", "attainment": "partly_achieved"},
        ],
        "next_step": "Follow-up with the jobcentre.",
    }


def seed_catalogue_and_staff(api: Api) -> None:
    for code, definition in PROGRAMMES.items():
        api.call("PUT", f"{REFERRAL}/programmes/{code}", COORDINATOR, definition)
    say(f"provider {PROVIDER}: programmes {', '.join(PROGRAMMES)} (Mon-Thu 07:30-14:30, Fri 07:30-14:00)")
    for staff_id, entry in PROVIDER_STAFF.items():
        body = {**entry, "working_hours": WORKING_HOURS, "channels": ["inbox", "email"], "country": "DK"}
        api.call("PUT", f"{NOTIFICATIONS}/staff/{staff_id}", PROVIDER_ADMIN, body)
    listed = ", ".join(f"{staff_id} ({entry['role']}, {entry['email']})" for staff_id, entry in PROVIDER_STAFF.items())
    say(f"staff of {PROVIDER}: {listed}")
    api.call(
        "PUT",
        f"{NOTIFICATIONS}/staff/{CASEWORKER}",
        JOBCENTRE_ADMIN,
        {
            "role": "caseworker",
            "email": f"{CASEWORKER}@jobcenter-aalborg.example",
            "working_hours": WORKING_HOURS,
            "channels": ["inbox", "email"],
            "country": "DK",
        },
    )
    say(f"partner {JOBCENTRE}: caseworker {CASEWORKER} ({CASEWORKER}@jobcenter-aalborg.example)")


WEBHOOK_SINK = "http://127.0.0.1:8099/hooks"  # deploy/local/webhook_sink.py, started by `make up`
WEBHOOKS = VAR / "webhooks"
WEBHOOK_EVENTS = [
    "referral.accepted",
    "referral.waitlisted",
    "referral.seat_offered",
    "programme.started",
    "attendance.agreement_breached",
    "programme.ended",
]


def subscribe_webhook_sink(api: Api) -> None:
    """The jobcentre subscribes the local sink; the sink verifies signatures with the secret,
    which a subscription shows once (http and loopback are allowed outside production)."""
    created = api.call(
        "POST",
        f"{NOTIFICATIONS}/webhooks/subscriptions",
        JOBCENTRE_ADMIN,
        {"url": WEBHOOK_SINK, "event_types": WEBHOOK_EVENTS, "description": "make up's local webhook sink"},
    )
    WEBHOOKS.mkdir(parents=True, exist_ok=True)
    (WEBHOOKS / "secret").write_text(created["secret"])
    say(f"partner {JOBCENTRE}: signed webhooks ({', '.join(WEBHOOK_EVENTS)}) -> {WEBHOOK_SINK}")


def add_partner_feed(broker_url: str) -> None:
    """The jobcentre's AMQP feed, set up as an operator does (`forlob partners add`, which is
    idempotent: a second run keeps the partner's password). A failure stops the demo with the
    tool's own line: a demo that quietly lacks the feed it announces would mislead."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "forlob_shared.cli", "partners", "add", JOBCENTRE],
            cwd=ROOT,
            env={**os.environ, **_management_env(), "FORLOB_BROKER_URL": broker_url, "FORLOB_NAME_PREFIX": ""},
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DemoError(f"the partner AMQP feed could not be set up: {error}") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise DemoError(f"the partner AMQP feed could not be set up (exit {done.returncode}): {reason[:300]}")
    for line in done.stdout.strip().splitlines():
        say(f"partner AMQP feed: {line}")


def _management_env() -> dict[str, str]:
    """Without rabbitmqctl here (a broker started in Docker), `forlob partners add` administers the
    broker through the management API that deploy/local/compose.servers.yml publishes."""
    if os.environ.get("FORLOB_RABBITMQ_MANAGEMENT_URL") or shutil.which("rabbitmqctl"):
        return {}
    return {"FORLOB_RABBITMQ_MANAGEMENT_URL": "http://guest:guest@127.0.0.1:15672"}


def admin_broker_url() -> str:
    """The local administrator's URL, written by `make up` (deploy/local/broker.py)."""
    try:
        return ADMIN_URL_FILE.read_text().strip()
    except OSError:
        raise DemoError(f"{ADMIN_URL_FILE.relative_to(ROOT)} is missing: start `make up` again") from None


def refer(api: Api, rng: random.Random, programme: str, key: str) -> dict[str, Any]:
    body = referral_body(rng, programme, legal_context="active_offer")
    created: dict[str, Any] = api.call("POST", f"{REFERRAL}/referrals", CASEWORKER_TOKEN, body, key=key)
    return created


def seed_history(api: Api, monday: date, rng: random.Random) -> None:
    """Six weeks back: clarification courses that started and ended with outcomes.

    Their agreed day is Friday and they end on the Thursday, so no arrival of theirs falls due
    while the demo moves time forward: the history adds figures, not a flood of old alerts."""
    start = monday - timedelta(weeks=6)
    set_local_time(at(start - timedelta(days=10), 10, 0))
    history = [refer(api, rng, CLARIFICATION, f"demo-{monday}-history-{i}") for i in range(7)]
    api.call(
        "POST",
        f"{REFERRAL}/referrals/{history[6]['id']}/withdraw",
        CASEWORKER_TOKEN,
        {"reason_code": "other_offer"},
        key=f"demo-{monday}-history-withdraw",
        tolerate=(409,),
    )
    say(f"history: {len(history)} referred to {CLARIFICATION}, 1 withdrawn")
    set_local_time(at(start, 7, 0))
    for i, referral in enumerate(history[:6]):
        rid = referral["id"]
        api.call("POST", f"{REFERRAL}/referrals/{rid}/accept", COORDINATOR, key=f"demo-{monday}-h-accept-{i}")
        api.call(
            "POST",
            f"{REFERRAL}/referrals/{rid}/start",
            COORDINATOR,
            {
                "start_date": start.isoformat(),
                "weeks": 4,
                "schedule": [{"weekday": 4, "start": "09:00", "end": "12:00"}],
                "contact_person_id": "kp-1",
                "team_leader_id": "tl-1",
            },
            key=f"demo-{monday}-h-start-{i}",
        )
    say(f"history: 6 clarification courses started {start}")
    end = start + timedelta(days=3)
    set_local_time(at(end, 14, 0))
    for i, (referral, outcome) in enumerate(zip(history[:6], OUTCOMES, strict=True)):
        body: dict[str, Any] = {"end_date": end.isoformat(), "outcome": outcome, "closing_note": closing_note(outcome)}
        if outcome == "ordinary_employment":
            body["first_job_date"] = end.isoformat()
        api.call(
            "POST", f"{REFERRAL}/referrals/{referral['id']}/end", COORDINATOR, body, key=f"demo-{monday}-h-end-{i}"
        )
    say(f"history: 6 courses ended {end} with outcomes {', '.join(OUTCOMES)}")


def play_shapes(api: Api, monday: date, rng: random.Random) -> None:
    """Between the history and the current cohort: an IPS fortnight five weeks back and an outreach
    week three weeks back (deploy/local/demo_shapes.py)."""
    tokens = {
        "coordinator": COORDINATOR,
        "tl-1": TEAM_LEADER,
        **{staff: token(PROVIDER, staff, "contact_person") for staff in ("kp-2", "op-1", "op-2")},
    }
    urls = {"referral": REFERRAL, "attendance": ATTENDANCE, "notifications": NOTIFICATIONS}
    shapes = demo_shapes.Shapes(
        api,
        urls,
        tokens,
        at,
        set_local_time,
        say,
        working_day,
        lambda programme, key: refer(api, rng, programme, key),
    )
    try:
        demo_shapes.ips_fortnight(shapes, monday - timedelta(weeks=5), str(monday))
        demo_shapes.outreach_week(shapes, monday - timedelta(weeks=3), str(monday))
    except TimeoutError as error:
        raise DemoError(str(error)) from None


def seed_current(api: Api, monday: date, rng: random.Random) -> list[dict[str, str]]:
    """Referrals ten days before the Monday; on the Monday at 07:00 the intake: 12 seats fill,
    the rest wait; the 12 start with agreed hours from 07:30."""
    set_local_time(at(monday - timedelta(days=10), 10, 0))
    development = [refer(api, rng, DEVELOPMENT, f"demo-{monday}-dev-{i}") for i in range(20)]
    physio = [refer(api, rng, PHYSIOTHERAPY, f"demo-{monday}-fys-{i}") for i in range(4)]
    for i, referral in enumerate(development[16:18]):
        api.call(
            "POST",
            f"{REFERRAL}/referrals/{referral['id']}/reject",
            COORDINATOR,
            {"reason_code": "not_target_group"},
            key=f"demo-{monday}-reject-{i}",
            tolerate=(409,),
        )
    for i, referral in enumerate(development[18:20]):
        api.call(
            "POST",
            f"{REFERRAL}/referrals/{referral['id']}/withdraw",
            CASEWORKER_TOKEN,
            {"reason_code": "participant_declined"},
            key=f"demo-{monday}-withdraw-{i}",
            tolerate=(409,),
        )
    say(f"{len(development)} referred to {DEVELOPMENT} (2 rejected, 2 withdrawn), {len(physio)} to {PHYSIOTHERAPY}")

    set_local_time(at(monday, 7, 0))
    states: dict[str, int] = {}
    accepted: list[dict[str, Any]] = []
    for i, referral in enumerate(development[:16]):
        decided = api.call(
            "POST", f"{REFERRAL}/referrals/{referral['id']}/accept", COORDINATOR, key=f"demo-{monday}-accept-{i}"
        )
        states[decided["state"]] = states.get(decided["state"], 0) + 1
        if decided["state"] == "accepted":
            accepted.append(decided)
    for i, referral in enumerate(physio[:3]):
        api.call(
            "POST", f"{REFERRAL}/referrals/{referral['id']}/accept", COORDINATOR, key=f"demo-{monday}-fys-accept-{i}"
        )
    say(f"intake {DEVELOPMENT}: {states}; {PHYSIOTHERAPY}: 3 accepted, 1 still received")

    cohort: list[dict[str, str]] = []
    ends = ["11:30", "12:00", "14:00"]
    for i, referral in enumerate(accepted):
        contact = "kp-1" if i % 2 == 0 else "kp-2"
        end = ends[i % 3]
        schedule = [
            {"weekday": d, "start": "07:30", "end": end if d < 4 or end != "14:00" else "13:30"} for d in WEEKDAYS
        ]
        api.call(
            "POST",
            f"{REFERRAL}/referrals/{referral['id']}/start",
            COORDINATOR,
            {
                "start_date": monday.isoformat(),
                "weeks": 13,
                "schedule": schedule,
                "contact_person_id": contact,
                "team_leader_id": "tl-1",
                "plan": {"workshop": rng.choice(["Wood workshop", "Metal workshop", "Kitchen", "Garden"])},
            },
            key=f"demo-{monday}-start-{i}",
        )
        cohort.append({"referral_id": referral["id"], "participant_id": referral["participant_id"], "contact": contact})
    say(f"{len(cohort)} courses started {monday} with agreed hours from 07:30 (contact persons kp-1, kp-2)")
    return cohort


def load_state(api: Api) -> Seeded | None:
    """The seed of an earlier run, if the services still know it (a fresh database forgets it)."""
    if not STATE_FILE.exists():
        return None
    state = Seeded(**json.loads(STATE_FILE.read_text()))
    if not state.cohort:
        return None
    probe = api.http.get(
        f"{REFERRAL}/referrals/{state.cohort[0]['referral_id']}", headers={"Authorization": f"Bearer {COORDINATOR}"}
    )
    return state if probe.status_code == 200 else None


def save_state(state: Seeded) -> None:
    STATE_FILE.write_text(json.dumps(state.__dict__, indent=2))


# -- the morning ----------------------------------------------------------------------------------


def wait_until(moment: datetime) -> None:
    while (left := (moment - local_now()).total_seconds()) > 0:
        time.sleep(min(left, 1.0))


def day_slots(api: Api, day: date) -> dict[str, dict[str, Any]]:
    listed = api.call("GET", f"{ATTENDANCE}/days/{day.isoformat()}", WORKSHOP_LEAD)
    return {slot["participant_id"]: slot for slot in listed["slots"]}


def organisation_alerts(api: Api) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = api.call("GET", f"{NOTIFICATIONS}/inbox?everyone=true&limit=500", TEAM_LEADER)
    return alerts


class MailWatcher:
    """Prints each e-mail the sink receives: recipient and subject (which carry no names)."""

    def __init__(self) -> None:
        # The sink's Maildir needs its three folders; an older `make up` did not create them.
        for folder in ("tmp", "new", "cur"):
            (MAILDIR_NEW.parent / folder).mkdir(parents=True, exist_ok=True)
        self.seen = {path.name for path in MAILDIR_NEW.iterdir()}
        self.new = 0

    def report(self) -> None:
        for path in sorted(MAILDIR_NEW.iterdir(), key=lambda p: p.stat().st_mtime):
            if path.name in self.seen:
                continue
            self.seen.add(path.name)
            self.new += 1
            message = BytesParser(policy=email_policy).parsebytes(path.read_bytes())
            say(f"e-mail to {message['To']}: {message['Subject']}")

    def wait_for(self, count: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.new < count and time.monotonic() < deadline:
            self.report()
            time.sleep(0.5)
        self.report()


def check_in(api: Api, participant_id: str) -> dict[str, Any] | None:
    registered: dict[str, Any] | None = api.call(
        "POST", f"{ATTENDANCE}/participants/{participant_id}/check-in", WORKSHOP_LEAD, tolerate=(409,)
    )
    return registered


def play_morning(api: Api, state: Seeded) -> tuple[date, list[str]]:
    monday = date.fromisoformat(state.monday)
    day = nth_working_day(monday, state.mornings_played)
    rng = random.Random(f"{monday}-{state.mornings_played}")
    # One participant stays away every morning, so the third morning breaches the agreement
    # (three unexcused days in a row) and the caseworker hears; the others vary.
    stays_away, *others = state.cohort
    rng.shuffle(others)
    on_time, late, missing = others[:7], others[7:9], [stays_away, *others[9:]]
    print(f"\n=== The morning of {day:%A %d %B %Y} at {PROVIDER}: arrivals agreed at 07:30 ===", flush=True)
    set_local_time(at(day, 7, 29))
    mail = MailWatcher()
    known_alerts = {a["id"] for a in organisation_alerts(api)}
    say(f"{len(state.cohort)} expected at 07:30 (grace 1 minute); {len(mail.seen)} e-mails in the sink so far")

    wait_until(at(day, 7, 30, 2))
    for member in on_time:
        registered = check_in(api, member["participant_id"])
        note = "already checked in" if registered is None else f"{registered['minutes_late'] or 0} min late"
        say(f"arrived on time: {ref(member['participant_id'])} ({note})")
        time.sleep(rng.uniform(0.5, 2.0))

    say("waiting for the attendance sweep to notice who has not come (from 07:31) ...")
    absent_ids = {m["participant_id"] for m in late + missing}
    deadline = at(day, 7, 33)
    seen: set[str] = set()
    while local_now() < deadline and seen != absent_ids:
        slots = day_slots(api, day)
        for pid in sorted(absent_ids - seen):
            if slots.get(pid, {}).get("state") == "absent":
                seen.add(pid)
                say(f"absence detected: {ref(pid)} (absence {slots[pid]['absence_id'][:8]})")
        mail.report()
        time.sleep(1)

    raised = wait_for_alerts(api, mail, known_alerts, len(absent_ids), at(day, 7, 33, 30))
    if raised:
        first = next((a for a in raised if a["participant_ref"] in {m["participant_id"] for m in missing}), None)
        if first is not None:
            api.call(
                "POST",
                f"{NOTIFICATIONS}/alerts/{first['id']}/acknowledge",
                token(PROVIDER, first["recipient_staff_id"], "contact_person"),
                {"note": "called, on the way tomorrow"},
                tolerate=(409,),
            )
            say(f"{first['recipient_staff_id']} acknowledged alert {first['id'][:8]}: no escalation for it")

    wait_until(at(day, 7, 32, 20))
    for member in late:
        registered = check_in(api, member["participant_id"])
        if registered is None:
            say(f"arrived late: {ref(member['participant_id'])} (already checked in)")
            continue
        resolves = " - resolves its absence" if registered.get("absence_resolved") else ""
        say(f"arrived late: {ref(member['participant_id'])} ({registered['minutes_late']} min late){resolves}")

    say("waiting for escalation of unacknowledged alerts to the team leader (2 working minutes) ...")
    escalated: set[str] = set()
    closed: set[str] = set()
    deadline = at(day, 7, 35, 30)
    while local_now() < deadline:
        for alert in organisation_alerts(api):
            if alert["id"] in known_alerts:
                continue
            if alert["escalated_to"] and alert["id"] not in escalated:
                escalated.add(alert["id"])
                say(f"alert {alert['id'][:8]} ({ref(alert['participant_ref'])}) escalated to {alert['escalated_to']}")
            if alert["state"] == "closed" and alert["id"] not in closed:
                closed.add(alert["id"])
                say(f"alert {alert['id'][:8]} ({ref(alert['participant_ref'])}) closed: {alert['close_reason']}")
        mail.report()
        if len(escalated) >= len(missing) - 1 and len(closed) >= len(late):
            break
        time.sleep(2)
    mail.wait_for(len(absent_ids) + len(escalated), seconds=20)
    say(f"e-mails this morning: {mail.new}; in the sink: {len(mail.seen)} (var/mail/new)")
    caseworker_inbox: list[dict[str, Any]] = api.call("GET", f"{NOTIFICATIONS}/inbox?limit=500", CASEWORKER_TOKEN)
    kinds = Counter(alert["kind"] for alert in caseworker_inbox)
    say(f"inbox of caseworker {CASEWORKER} at {JOBCENTRE}: {dict(kinds) or 'empty'} (notices, breaches, closing notes)")
    return day, [m["participant_id"] for m in missing]


def wait_for_alerts(
    api: Api, mail: MailWatcher, known: set[str], expected: int, deadline: datetime
) -> list[dict[str, Any]]:
    raised: dict[str, dict[str, Any]] = {}
    while local_now() < deadline and len(raised) < expected:
        for alert in organisation_alerts(api):
            if alert["id"] not in known and alert["kind"] == "absence" and alert["id"] not in raised:
                raised[alert["id"]] = alert
                say(
                    f"alert raised {alert['id'][:8]}: absence of {ref(alert['participant_ref'])}"
                    f" -> {alert['recipient_staff_id']} (inbox + e-mail)"
                )
        mail.report()
        time.sleep(1)
    return list(raised.values())


def where_to_look(monday: date, day: date) -> None:
    period = f"from={monday - timedelta(weeks=8)}&to={day}"
    contact = token(PROVIDER, "kp-1", "contact_person")
    report = token(PROVIDER, "co-1", "coordinator")
    lines = [
        "",
        "=== Where to look ===",
        "The pages:  http://127.0.0.1:8000/  (sign in as kp-1 for the inbox and the day's attendance,"
        " co-1 for the intake board, tl-1 for the figures, cw-1 for the referrals)",
        f"E-mails (Maildir):  ls {MAILDIR_NEW.relative_to(ROOT)}/   (one file per e-mail; open any with less)",
        f"Webhooks to the jobcentre (signature verified, one file per webhook-id):  ls {WEBHOOKS.relative_to(ROOT)}/",
        "  each keeps its signature headers and body: python deploy/local/webhook_sink.py verify <file>",
        "Inbox of contact person kp-1 (live; the token is valid 8 hours):",
        f"  curl -N localhost:8003/inbox/stream -H 'Authorization: Bearer {contact}'",
        f"  curl 'localhost:8003/inbox?state=open' -H 'Authorization: Bearer {contact}'",
        f"Inbox of caseworker {CASEWORKER} at {JOBCENTRE}:",
        f"  curl localhost:8003/inbox -H 'Authorization: Bearer {CASEWORKER_TOKEN}'",
        "Reporting for rca-aalborg (coordinator token):",
        f"  TOKEN={report}",
        f"  curl -H \"Authorization: Bearer $TOKEN\" 'localhost:8004/figures?{period}&format=csv'",
        f"  curl -H \"Authorization: Bearer $TOKEN\" 'localhost:8004/charts/outcomes.svg?{period}' -o outcomes.svg",
        f"  curl -H \"Authorization: Bearer $TOKEN\" 'localhost:8004/charts/occupancy.png?{period}' -o occupancy.png",
        f"  curl -H \"Authorization: Bearer $TOKEN\" 'localhost:8004/charts/waiting-list.svg?{period}' -o waiting.svg",
        f'Attendance list of the day:  curl localhost:8002/days/{day} -H "Authorization: Bearer $TOKEN"',
        f"The services' clock stays at the demo's time (var/clock-offset: now {local_now():%a %d %b %H:%M} local).",
        "  `rm var/clock-offset` brings them back to today; `make demo` again plays the next morning.",
        "",
    ]
    print("\n".join(lines), flush=True)


def main() -> int:
    api = Api()
    silent = services_answer(api)
    if silent:
        print(
            f"The services do not answer ({', '.join(silent)} on 127.0.0.1:8001-8004).\n"
            "Start them first with `make up` in another terminal, wait for 'Forløb is up', then run `make demo`.",
            file=sys.stderr,
        )
        return 2
    VAR.mkdir(exist_ok=True)
    state = load_state(api)
    try:
        if state is None:
            monday = next_intake_monday(datetime.now(LOCAL).date())
            print(f"=== Seeding {PROVIDER} and {JOBCENTRE}: the course starts Monday {monday} ===", flush=True)
            rng = random.Random(f"forlob-demo-{monday}")
            seed_catalogue_and_staff(api)
            # Before the webhook subscription, which a rerun would make twice: a feed that cannot
            # be set up stops the demo while everything done so far is safe to repeat.
            add_partner_feed(admin_broker_url())
            subscribe_webhook_sink(api)
            seed_history(api, monday, rng)
            play_shapes(api, monday, rng)
            cohort = seed_current(api, monday, rng)
            state = Seeded(monday=monday.isoformat(), cohort=cohort, partner_feed=True)
            save_state(state)
        else:
            print(f"=== Seeded before (course started {state.monday}): playing the next morning ===", flush=True)
        day, _missing = play_morning(api, state)
        state.mornings_played += 1
        save_state(state)
    except DemoError as error:
        print(f"demo stopped: {error}", file=sys.stderr)
        return 1
    where_to_look(date.fromisoformat(state.monday), day)
    return 0


if __name__ == "__main__":
    sys.exit(main())
