"""`make demo`'s two programmes without a timetable, played before the course morning.

An IPS fortnight (seed 003): two participants meet their employment consultant kp-2 weekly, at
the workplace or by phone. Meetings are held with coded topics, one is called off by the
participant the day before (not an absence), one is missed: detected by the same sweep as a
missed arrival, an alert to kp-2, who reaches the participant. Nothing is expected between
meetings.

An outreach week (seed 004): the outreach team (op-1, op-2) opens cases about people who did not
ask, with a working name and no identity; contact attempts on the street and at the shelter with
a contact plan; one case reaches a relationship and, with consent, an identity; another is not
in the target group and is helped on. A home visit in pairs ends in time; another runs past its
planned end, and the team leader and the colleague are alerted until it is ended.

It uses only the services' HTTP APIs and the demo's clock (var/clock-offset), like the rest of
the demo; time only moves forward.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from forlob_testkit.scenario import DEVELOPMENT_COURSE, cpr_number

IPS = "RCA-IPS"
OUTREACH = "RCA-OPS"
OFFICE_HOURS = [{"weekday": d, "start": "08:00", "end": "16:00"} for d in range(5)]
# One minute's grace like the demo's development course, so a missed meeting shows in a minute.
SHAPED_PROGRAMMES: dict[str, dict[str, Any]] = {
    IPS: {
        **DEVELOPMENT_COURSE,
        "name": "IPS supported employment (weekly meetings)",
        "kind": "ips",
        "shape": "meetings",
        "capacity": 25,
        "intake_weekdays": [0, 1, 2, 3, 4],
        "default_weeks": 52,
        "min_weeks": 4,
        "max_weeks": 104,
        "opening_hours": OFFICE_HOURS,
        "rules": {**DEVELOPMENT_COURSE["rules"], "absence_grace_minutes": 1, "escalation_minutes": 30},
    },
    OUTREACH: {
        **DEVELOPMENT_COURSE,
        "name": "Outreach team",
        "kind": "outreach",
        "shape": "outreach",
        "capacity": 40,
        "intake_weekdays": [0, 1, 2, 3, 4],
        "default_weeks": 26,
        "min_weeks": 1,
        "max_weeks": 104,
        "opening_hours": OFFICE_HOURS,
    },
}
OUTREACH_STAFF: dict[str, dict[str, Any]] = {
    "op-1": {"role": "contact_person", "email": "op-1@rca.example", "team_leader_id": "tl-1"},
    "op-2": {"role": "contact_person", "email": "op-2@rca.example", "team_leader_id": "tl-1"},
}


class Shapes:
    """What demo.py gives this module: its API client, tokens, clock and printing."""

    def __init__(
        self,
        api: Any,
        urls: dict[str, str],
        tokens: dict[str, str],
        at: Callable[[date, int, int], datetime],
        set_local_time: Callable[[datetime], None],
        say: Callable[[str], None],
        working_day: Callable[[date], bool],
        refer: Callable[[str, str], dict[str, Any]],
    ) -> None:
        self.api, self.urls, self.tokens = api, urls, tokens
        self.at, self.set_local_time, self.say, self.working_day, self.refer = (
            at,
            set_local_time,
            say,
            working_day,
            refer,
        )

    def call(self, method: str, service: str, path: str, who: str, body: Any = None, **kw: Any) -> Any:
        return self.api.call(method, f"{self.urls[service]}{path}", self.tokens[who], body, **kw)

    def working_days(self, first: date, count: int) -> list[date]:
        days, day = [], first
        while len(days) < count:
            if self.working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def wait_for(self, what: str, probe: Callable[[], Any], seconds: float = 120.0) -> Any:
        """Real time runs while the services' periodic sweeps find what the story needs."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(1.0)
        raise TimeoutError(f"waited {seconds:.0f} s for {what}")

    def alerts(self, who: str, kind: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.call("GET", "notifications", f"/inbox?kind={kind}", who)
        return found


def ips_fortnight(shapes: Shapes, first_monday: date, tag: str) -> None:
    """Two weeks of weekly meetings for two IPS participants from ``first_monday``."""
    days = shapes.working_days(first_monday, 10)
    shapes.set_local_time(shapes.at(first_monday - timedelta(days=3), 10, 0))
    referred = [shapes.refer(IPS, f"demo-{tag}-ips-{i}") for i in range(2)]
    shapes.set_local_time(shapes.at(days[0], 8, 0))
    courses = []
    for i, referral in enumerate(referred):
        rid = referral["id"]
        shapes.call("POST", "referral", f"/referrals/{rid}/accept", "coordinator", key=f"demo-{tag}-ips-accept-{i}")
        start = {
            "start_date": days[0].isoformat(),
            "cadence": {"kind": "weekly"},
            "contact_person_id": "kp-2",
            "team_leader_id": "tl-1",
        }
        shapes.call(
            "POST", "referral", f"/referrals/{rid}/start", "coordinator", start, key=f"demo-{tag}-ips-start-{i}"
        )
        courses.append(rid)
    shapes.say(f"IPS: {len(courses)} courses started {days[0]} with weekly meetings (employment consultant kp-2)")
    for rid in courses:
        shapes.wait_for(
            "attendance to know the IPS course",
            lambda rid=rid: (
                shapes.api.http.get(
                    f"{shapes.urls['attendance']}/referrals/{rid}/meetings",
                    headers={"Authorization": f"Bearer {shapes.tokens['kp-2']}"},
                ).status_code
                == 200
            ),
            seconds=30,
        )

    def plan(rid: str, day: date, hour: int, place: str) -> dict[str, Any]:
        body = {
            "starts_at": shapes.at(day, hour, 0).isoformat(),
            "ends_at": shapes.at(day, hour + 1, 0).isoformat(),
            "place": place,
        }
        meeting: dict[str, Any] = shapes.call("POST", "attendance", f"/referrals/{rid}/meetings", "kp-2", body)
        return meeting

    # Week 1: both meet, one at the workplace, one by phone; the next week's meetings are planned.
    first, second = courses
    week1 = [plan(first, days[1], 10, "workplace"), plan(second, days[2], 13, "phone")]
    for meeting, topics in zip(week1, (["job_search", "employer_contact"], ["goals", "work_ability"]), strict=True):
        start = datetime.fromisoformat(meeting["starts_at"])
        shapes.set_local_time(start + timedelta(minutes=55))
        held = {"held_at": start.isoformat(), "duration_minutes": 50, "topics": topics}
        shapes.call("POST", "attendance", f"/meetings/{meeting['meeting_id']}/held", "kp-2", held)
    shapes.say("IPS week 1: two meetings held (topics: job search, employer contact; goals, work ability)")
    missed = plan(first, days[6], 10, "provider")
    called_off = plan(second, days[7], 13, "video")
    # The first participant does not come to Tuesday's meeting: the same sweep as a missed arrival.
    start = datetime.fromisoformat(missed["starts_at"])
    shapes.set_local_time(start + timedelta(minutes=2))
    alert = shapes.wait_for(
        "the missed meeting's alert to kp-2",
        lambda: [a for a in shapes.alerts("kp-2", "absence") if a["facts"].get("meeting_id") == missed["meeting_id"]],
    )[0]
    shapes.say(f"IPS week 2: a meeting missed at {start:%H:%M} -> alert {alert['id'][:8]} to kp-2 within a minute")
    shapes.set_local_time(start + timedelta(minutes=20))
    contact = {"outcome": "reason_given", "reason": "illness", "at": (start + timedelta(minutes=18)).isoformat()}
    shapes.call("POST", "attendance", f"/absences/{alert['facts']['absence_id']}/contacts", "kp-2", contact)
    shapes.say("IPS week 2: kp-2 reached the participant by phone (ill): the alert closes")
    # That afternoon, the day before, the second participant calls off: a doctor's appointment.
    shapes.set_local_time(shapes.at(days[6], 15, 0))
    shapes.call(
        "POST",
        "attendance",
        f"/meetings/{called_off['meeting_id']}/cancel",
        "kp-2",
        {"cancelled_by": "participant", "reason": "specialist_appointment"},
    )
    shapes.set_local_time(datetime.fromisoformat(called_off["starts_at"]) + timedelta(hours=2))
    shapes.say("IPS week 2: a meeting called off the day before (doctor): no absence, no alert")


def home_visit_in_pairs(shapes: Shapes, day: date) -> None:
    """Wednesday afternoon: a home visit in pairs, ended in time."""
    shapes.set_local_time(shapes.at(day, 13, 0))
    visit = shapes.call(
        "POST",
        "notifications",
        "/visits",
        "op-1",
        {"kind": "home", "planned_end": shapes.at(day, 14, 0).isoformat(), "colleague_id": "op-2"},
    )
    shapes.set_local_time(shapes.at(day, 13, 50))
    shapes.call("POST", "notifications", f"/visits/{visit['id']}/end", "op-1")
    shapes.say("visit: op-1 and op-2 on a home visit 13:00-14:00, ended 13:50")


def outreach_week(shapes: Shapes, monday: date, tag: str) -> None:
    """A week of outreach work from ``monday``: cases, attempts, consent, and two visits."""
    days = shapes.working_days(monday, 5)
    shapes.set_local_time(shapes.at(days[0], 9, 0))
    people = [
        ("The man by the station kiosk", "Sleeps in the stairwells around the station; has a dog."),
        ("The woman at the library", "Sits in the reading room every morning; avoids staff."),
        ("The young man at the skate park", "Seen most evenings; said he lost his flat."),
    ]
    cases = []
    for i, (working_name, description) in enumerate(people):
        body = {
            "programme_code": OUTREACH,
            "working_name": working_name,
            "description": description,
            "next_within_days": 2,
        }
        cases.append(shapes.call("POST", "referral", "/outreach/cases", "op-1", body, key=f"demo-{tag}-case-{i}"))
    shapes.say(f"outreach: {len(cases)} cases opened by op-1, no names, no identity numbers")
    kiosk, library, skate = (c["id"] for c in cases)
    attempts = [
        (0, 10, kiosk, ("street", "in_person", "not_found")),
        (0, 19, skate, ("street", "in_person", "brief_contact")),
        (1, 9, library, ("partner_site", "in_person", "refused")),
        (1, 16, kiosk, ("shelter", "in_person", "no_answer")),
        (2, 8, kiosk, ("street", "in_person", "brief_contact")),
        (3, 8, kiosk, ("street", "in_person", "meeting_agreed")),
        (3, 19, skate, ("street", "in_person", "brief_contact")),
    ]
    for n, (d, hour, case_id, (place, channel, outcome)) in enumerate(attempts):
        if d == 3 and attempts[n - 1][0] == 2:
            home_visit_in_pairs(shapes, days[2])  # time only moves forward: between the attempts
        shapes.set_local_time(shapes.at(days[d], hour, 0))
        body = {"place": place, "channel": channel, "outcome": outcome, "next_within_days": 3}
        shapes.call("POST", "referral", f"/outreach/cases/{case_id}/attempts", "op-1", body, key=f"demo-{tag}-try-{n}")
    shapes.say(f"outreach: {len(attempts)} contact attempts (street, shelter, library), each with a contact plan")
    shapes.call("POST", "referral", f"/outreach/cases/{kiosk}/phase", "op-1", {"phase": "relationship"})
    close = {
        "phase": "closed",
        "close_reason": "not_in_target_group",
        "helped_on_to": "the library's social worker",
    }
    shapes.call("POST", "referral", f"/outreach/cases/{library}/phase", "op-1", close)
    shapes.say("outreach: the kiosk case moves to relationship work; the library case is helped on and closed")

    # Friday: consent at the agreed meeting, then the identity number, and a street visit that
    # runs late: the team leader and the colleague are alerted until it is ended.
    shapes.set_local_time(shapes.at(days[4], 10, 30))
    consent = {"method": "oral", "given_at": shapes.at(days[4], 10, 15).isoformat()}
    shapes.call("POST", "referral", f"/outreach/cases/{kiosk}/consent", "op-1", consent)
    person = {"name": "Bent Kiosk", "identity_number": cpr_number(random.Random(tag)), "identity_scheme": "dk_cpr"}
    shapes.call("POST", "referral", f"/outreach/cases/{kiosk}/identify", "op-1", person)
    shapes.call("POST", "referral", f"/outreach/cases/{kiosk}/phase", "op-1", {"phase": "bridging"})
    shapes.say("outreach: consent given orally, then identified (the identity number stays in referral)")
    shapes.set_local_time(shapes.at(days[4], 14, 0))
    late = shapes.call(
        "POST",
        "notifications",
        "/visits",
        "op-2",
        {"kind": "street", "planned_end": shapes.at(days[4], 15, 0).isoformat()},
    )
    # Past the planned end and the grace: the notifications sweep (every 15 s) raises the alerts.
    overdue_at = datetime.fromisoformat(late["overdue_from"])
    shapes.set_local_time(overdue_at + timedelta(seconds=30))
    shapes.wait_for(
        "the overdue visit's alert to the team leader",
        lambda: [a for a in shapes.alerts("tl-1", "visit_overdue") if a["facts"].get("visit_id") == late["id"]],
        seconds=90,
    )
    shapes.say(f"visit: op-2's street visit not ended by {overdue_at:%H:%M} -> alert to team leader tl-1")
    shapes.set_local_time(overdue_at + timedelta(minutes=4))
    shapes.call("POST", "notifications", f"/visits/{late['id']}/end", "op-2")
    shapes.say("visit: op-2 ends the visit safely: the alert closes")
