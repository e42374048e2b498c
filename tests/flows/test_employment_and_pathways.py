"""Into work (issue 21's "done when"), against the running services: referral, attendance,
notifications and reporting in process on one clock the test moves, talking over the broker.

- An IPS team (seed 003): participant A meets the consultant on day 3, is contacted about to
  employers from the next week, starts a job in week 7 and has six months of follow-along support;
  B's first meeting is called off and the first contact for B comes late; C belongs to a second
  consultant; the second consultant also does general job development. Every IPS fidelity item is
  checked against values worked out by hand below, in docs/reporting.md's terms, for three periods.
- A's job ends: the course goes back to search the next day, a new contact is made, and the
  figures count the job ended, the search resumed, and A as ever employed while in the programme.
- A clarification course (seed 000) ends in a flex-job recommendation: the caseworker reads it,
  the jobcentre's feed hears it, and reporting counts it for both; it has no IPS row.

The handover between programmes has its own flow (the pathways work)."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from forlob_attendance.main import spec as attendance_spec
from forlob_notifications.main import spec as notifications_spec
from forlob_referral.main import spec as referral_spec
from forlob_reporting.main import spec as reporting_spec
from forlob_shared.clock import ManualClock
from forlob_testkit.outside import SmtpSink
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
CONSULTANT = auth(PROVIDER, "contact_person", staff="ips-1")
SECOND_CONSULTANT = auth(PROVIDER, "contact_person", staff="ips-2")
CLARIFIER = auth(PROVIDER, "contact_person", staff="kp-4")
PARTNER = auth(JOBCENTRE, "partner_system", staff="jc-case-system")

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
BAKERY = {"country": "DK", "number": "13585628", "name": "Bageriet Ved Åen ApS", "sector": "private"}
CYCLES = {"country": "DK", "number": "29403473", "name": "Cykelsmeden", "sector": "private"}
CLOSING_NOTE = {
    "summary": "Worked with support; searching again at the end.",
    "resources": "Reliable.",
    "development_possibilities": "Ready for ordinary work.",
    "goal_attainment": [
        {
            "goal": "Stable attendance",
            "attainment": "achieved",
            "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "achieved"}],
        },
        {"goal": "Increase weekly hours", "attainment": "partly_achieved"},
    ],
    "next_step": "Job search with the jobcentre.",
}

START = date(2026, 11, 30)  # Monday: A, B and the clarification course D start
C_START = date(2026, 12, 7)
A_MEETING = date(2026, 12, 2)  # A's first meeting, held: A's search begins here
A_CONTACTS = [  # (day, kind): all by ips-1, with the bakery
    (date(2026, 12, 9), "first_contact"),
    (date(2026, 12, 16), "follow_up"),
    (date(2026, 12, 21), "job_opening_found"),
    (date(2027, 1, 5), "interview"),
]
GENERAL_CONTACT = date(2026, 12, 10)  # ips-2, for no course
C_CONTACT = date(2027, 1, 13)  # ips-2, for C
B_CONTACT = date(2027, 1, 20)  # ips-1, for B: B's meeting was called off, so from B's start
JOB_START = date(2027, 1, 11)
B_END = date(2027, 2, 26)
JOB_END = date(2027, 7, 30)  # fixed term; search again from 31 July
A_AGAIN = date(2027, 8, 4)
A_END = date(2027, 9, 30)

# The periods the figures are asked for, and what they must be, by hand:
FIRST = (START, date(2027, 1, 31))  # 63 days: 9 weeks
SUPPORT = (JOB_START, date(2027, 7, 11))  # six months of support
AFTER = (date(2027, 7, 1), A_END)
WHOLE = (START, A_END)

# Rapid job search in FIRST: A from its first meeting (2 Dec) to 9 Dec: 7 days; B from its start
# (30 Nov) to 20 Jan: 51; C from its start (7 Dec) to 13 Jan: 37. Sorted 7, 37, 51: median 37,
# p90 at rank 0.9 * 2 = 1.8: 37 + 0.8 * (51 - 37) = 48.2. Within 30 days: A only; B's and C's
# 30 days were over by 31 January, so all three are decided: 1/3.
RAPID_FIRST = {
    "courses": 3,
    "measured_from_start": 2,
    "days_to_first_employer_contact": {"count": 3, "median": 37.0, "p90": 48.2},
    "decided": 3,
    "share_within_threshold": 1 / 3,
    "threshold_days": 30,
}
# Employer contacts in FIRST for the programme: A's four and B's one by ips-1, C's one by ips-2;
# the general one is its own row's.
CONTACTS_FIRST = {
    "total": 6,
    "for_participants": 6,
    "weeks": 9.0,
    "per_consultant": {"ips-1": {"contacts": 5, "per_week": 5 / 9}, "ips-2": {"contacts": 1, "per_week": 1 / 9}},
}
NOTHING = {"count": 0, "median": None, "p90": None}


def one(value: float) -> dict[str, Any]:
    return {"count": 1, "median": value, "p90": value}


EXPECTED: dict[tuple[date, date], dict[str, Any]] = {
    FIRST: {
        "caseload": {
            "as_of": "2027-01-31",
            "per_contact_person": {"ips-1": 2, "ips-2": 1},
            "max": 2,
            "threshold_max": 20,
            "within_threshold": True,
            "contact_persons_over_threshold": 0,
        },
        "rapid_job_search": RAPID_FIRST,
        "employer_contacts": CONTACTS_FIRST,
        "into_work_or_education": {"courses_ended": 0, "ever_employed": 0, "share": None},
        "days_start_to_first_job": one(42.0),  # 30 Nov to 11 Jan
        "time_unlimited_support": {"as_of": "2027-01-31", "in_support": 1, "days_in_support": one(20.0)},
        "follow_along_days": {**NOTHING, "share_at_least_threshold": None, "threshold_days": 365},
        "jobs_ended": {"count": 0, "by_reason": {}, "search_resumed": 0},
    },
    SUPPORT: {
        # B ended on 26 February; A and C run.
        "caseload": {
            "as_of": "2027-07-11",
            "per_contact_person": {"ips-1": 1, "ips-2": 1},
            "max": 1,
            "threshold_max": 20,
            "within_threshold": True,
            "contact_persons_over_threshold": 0,
        },
        # No search began in the period (A's, B's and C's began before 11 January).
        "rapid_job_search": {
            "courses": 0,
            "measured_from_start": 0,
            "days_to_first_employer_contact": NOTHING,
            "decided": 0,
            "share_within_threshold": None,
            "threshold_days": 30,
        },
        # 182 days: 26 weeks; C's and B's contacts fell in it.
        "employer_contacts": {
            "total": 2,
            "for_participants": 2,
            "weeks": 26.0,
            "per_consultant": {
                "ips-1": {"contacts": 1, "per_week": 1 / 26},
                "ips-2": {"contacts": 1, "per_week": 1 / 26},
            },
        },
        "into_work_or_education": {"courses_ended": 1, "ever_employed": 0, "share": 0.0},  # B, never employed
        "days_start_to_first_job": one(42.0),
        # Six months: 11 January to 11 July is 181 days in support, and the course goes on.
        "time_unlimited_support": {"as_of": "2027-07-11", "in_support": 1, "days_in_support": one(181.0)},
        "follow_along_days": {**NOTHING, "share_at_least_threshold": None, "threshold_days": 365},
        "jobs_ended": {"count": 0, "by_reason": {}, "search_resumed": 0},
    },
    AFTER: {
        # A ended on 30 September: a course counts as running up to the day before its end.
        "caseload": {
            "as_of": "2027-09-30",
            "per_contact_person": {"ips-2": 1},
            "max": 1,
            "threshold_max": 20,
            "within_threshold": True,
            "contact_persons_over_threshold": 0,
        },
        "rapid_job_search": {
            "courses": 0,
            "measured_from_start": 0,
            "days_to_first_employer_contact": NOTHING,
            "decided": 0,
            "share_within_threshold": None,
            "threshold_days": 30,
        },
        # 92 days; the one contact after the search resumed.
        "employer_contacts": {
            "total": 1,
            "for_participants": 1,
            "weeks": 92 / 7,
            "per_consultant": {"ips-1": {"contacts": 1, "per_week": 7 / 92}},
        },
        # A was in work while in the programme, though searching again when it ended: counted.
        "into_work_or_education": {"courses_ended": 1, "ever_employed": 1, "share": 1.0},
        "days_start_to_first_job": NOTHING,
        "time_unlimited_support": {"as_of": "2027-09-30", "in_support": 0, "days_in_support": NOTHING},
        # 11 January to 30 September: 262 days, short of the 365 the scale asks.
        "follow_along_days": {**one(262.0), "share_at_least_threshold": 0.0, "threshold_days": 365},
        "jobs_ended": {"count": 1, "by_reason": {"fixed_term_ended": 1}, "search_resumed": 1},
    },
}


def _local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AALBORG)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def _period(period: tuple[date, date]) -> dict[str, str]:
    return {"from": period[0].isoformat(), "to": period[1].isoformat()}


def _close(actual: Any, expected: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 (a share or a per-week rate)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), (where, actual)
        assert actual.keys() == expected.keys(), (where, actual, expected)
        for k in expected:
            _close(actual[k], expected[k], f"{where}.{k}")
    elif isinstance(expected, float) and actual is not None:
        assert abs(float(actual) - expected) < 1e-9, (where, actual, expected)
    else:
        assert actual == expected, (where, actual, expected)


class Team:
    """The four services on one clock, driven as the consultants and the coordinator would."""

    def __init__(self, clock: ManualClock, referral: Any, attendance: Any, reporting: Any) -> None:
        self.clock = clock
        self.referral, self.attendance, self.reporting = referral.client, attendance.client, reporting.client
        self.rng = random.Random(2021)

    async def start(self, code: str, day: date, contact_person: str) -> str:
        self.clock.set(_local(day, 7))
        body = referral_body(self.rng, programme_code=code, wished_start=day.isoformat())
        rid = str(_ok(await self.referral.post("/referrals", json=body, headers=CASEWORKER), 201)["id"])
        _ok(await self.referral.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
        start = {"start_date": day.isoformat(), "cadence": {"kind": "weekly"}, "contact_person_id": contact_person}
        _ok(await self.referral.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR))

        async def known() -> bool:
            answer = await self.attendance.get(f"/referrals/{rid}/meetings", headers=COORDINATOR)
            return answer.status_code == 200

        await eventually(known, what=f"attendance to know the course {rid}")
        return rid

    async def meeting(self, rid: str, day: date, who: dict[str, str]) -> str:
        planned = {
            "starts_at": _local(day, 10).isoformat(),
            "ends_at": _local(day, 11).isoformat(),
            "place": "provider",
        }
        made = _ok(await self.attendance.post(f"/referrals/{rid}/meetings", json=planned, headers=who), 201)
        return str(made["meeting_id"])

    async def contact(self, employer: str, day: date, kind: str, who: dict[str, str], rid: str | None) -> None:
        self.clock.set(_local(day, 15))
        body = {"employer_id": employer, "day": day.isoformat(), "kind": kind, "referral_id": rid}
        _ok(await self.referral.post("/employer-contacts", json=body, headers=who), 201)

    async def employment(self, rid: str, who: dict[str, str] = CONSULTANT) -> dict[str, Any]:
        found: dict[str, Any] = _ok(await self.referral.get(f"/referrals/{rid}/employment", headers=who))
        return found

    async def end(self, rid: str, day: date, outcome: str) -> None:
        self.clock.set(_local(day, 16))
        body = {"end_date": day.isoformat(), "outcome": outcome, "closing_note": CLOSING_NOTE}
        _ok(await self.referral.post(f"/referrals/{rid}/end", json=body, headers=COORDINATOR))

    async def ips_rows(self, period: tuple[date, date], **params: str) -> list[dict[str, Any]]:
        answer = await self.reporting.get(
            "/figures/ips-fidelity", params={**_period(period), **params}, headers=COORDINATOR
        )
        rows: list[dict[str, Any]] = _ok(answer)["rows"]
        return rows


async def test_into_work_with_support_search_again_and_a_clarification_result(
    make_database: Any, run_service: Any, smtp_sink: SmtpSink
) -> None:
    clock = ManualClock(_local(date(2026, 11, 23)))
    specs = (referral_spec, attendance_spec, notifications_spec, reporting_spec)
    databases = [await make_database(s()) for s in specs]
    notifications_settings = {
        "rules_interval": 3600.0,
        "dispatch_poll_interval": 0.1,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_sink.port,
    }
    async with (
        run_service(reporting_spec(), databases[3], clock=clock) as reporting,
        run_service(notifications_spec(), databases[2], clock=clock, **notifications_settings) as notifications,
        run_service(attendance_spec(), databases[1], clock=clock, periodic_enabled=False) as attendance,
        run_service(referral_spec(), databases[0], clock=clock) as referral,
    ):
        team = Team(clock, referral, attendance, reporting)
        _ok(await team.referral.put("/programmes/IPS-AAL", json=IPS, headers=COORDINATOR), 201)
        _ok(await team.referral.put("/programmes/AFK-AAL", json=CLARIFICATION, headers=COORDINATOR), 201)

        # -- three IPS courses and a clarification course start --------------------------------------
        a = await team.start("IPS-AAL", START, "ips-1")
        b = await team.start("IPS-AAL", START, "ips-1")
        d = await team.start("AFK-AAL", START, "kp-4")
        assert (await team.employment(a))["phase"] == "search"
        assert (await team.employment(d, CLARIFIER))["phase"] is None  # support is IPS's, not a clarification's

        # A's first meeting is held on Wednesday; B's, planned for Thursday, is called off by B.
        clock.set(_local(START, 8))
        a_meeting = await team.meeting(a, A_MEETING, CONSULTANT)
        b_meeting = await team.meeting(b, A_MEETING.replace(day=3), CONSULTANT)
        cancel = {"cancelled_by": "participant", "reason": "illness"}
        _ok(await team.attendance.post(f"/meetings/{b_meeting}/cancel", json=cancel, headers=CONSULTANT))
        clock.set(_local(A_MEETING, 11, 5))
        held = {"duration_minutes": 55, "topics": ["job_search", "employer_contact"]}
        _ok(await team.attendance.post(f"/meetings/{a_meeting}/held", json=held, headers=CONSULTANT))
        c = await team.start("IPS-AAL", C_START, "ips-2")

        # -- job development --------------------------------------------------------------------------
        clock.set(_local(A_CONTACTS[0][0], 8))
        bakery = _ok(await team.referral.post("/employers", json=BAKERY, headers=CONSULTANT), 201)["id"]
        cycles = _ok(await team.referral.post("/employers", json=CYCLES, headers=SECOND_CONSULTANT), 201)["id"]
        for day, kind in A_CONTACTS[:1]:
            await team.contact(bakery, day, kind, CONSULTANT, a)
        await team.contact(cycles, GENERAL_CONTACT, "first_contact", SECOND_CONSULTANT, None)
        for day, kind in A_CONTACTS[1:]:
            await team.contact(bakery, day, kind, CONSULTANT, a)

        # -- A starts a job: into support --------------------------------------------------------------
        clock.set(_local(JOB_START, 15))
        job = {
            "employer_id": bakery,
            "kind": "ordinary",
            "start_date": JOB_START.isoformat(),
            "weekly_hours": 20,
            "disclosure": "partly",
        }
        view = _ok(await team.referral.post(f"/referrals/{a}/spells", json=job, headers=CONSULTANT), 201)
        spell = view["spells"][0]["id"]
        assert (view["phase"], view["phase_since"]) == ("employed_with_support", JOB_START.isoformat())
        await team.contact(cycles, C_CONTACT, "first_contact", SECOND_CONSULTANT, c)
        await team.contact(cycles, B_CONTACT, "first_contact", CONSULTANT, b)

        # -- the clarification course recommends a flex job, then B and D end --------------------------
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
        _ok(await team.referral.post(f"/referrals/{d}/clarification-result", json=result, headers=CLARIFIER), 201)
        await team.end(d, date(2027, 2, 26), "flex_job")
        await team.end(b, B_END, "other")

        # -- six months of support: the course goes on ---------------------------------------------------
        clock.set(_local(SUPPORT[1], 12))
        six_months = await team.employment(a)
        assert (six_months["state"], six_months["phase"], six_months["phase_since"]) == (
            "started",
            "employed_with_support",
            JOB_START.isoformat(),
        )

        # -- A's job ends: search again from the next day, and a new contact -----------------------------
        clock.set(_local(date(2027, 8, 2), 10))
        ended = {"end_date": JOB_END.isoformat(), "reason": "fixed_term_ended"}
        again = _ok(await team.referral.post(f"/referrals/{a}/spells/{spell}/end", json=ended, headers=CONSULTANT))
        assert (again["phase"], again["phase_since"]) == ("search", "2027-07-31")
        await team.contact(bakery, A_AGAIN, "follow_up", CONSULTANT, a)
        await team.end(a, A_END, "other")

        # -- the figures, worked out by hand ----------------------------------------------------------------
        async def counted() -> bool:
            rows = await team.ips_rows(AFTER, programme="IPS-AAL")
            return (
                bool(rows)
                and rows[0]["into_work_or_education"]["ever_employed"] == 1
                and (rows[0]["employer_contacts"]["total"] == 1)
            )

        await eventually(counted, what="reporting to hear the whole history")
        for period, expected in EXPECTED.items():
            [row] = await team.ips_rows(period, programme="IPS-AAL")
            assert (row["provider_org"], row["programme_code"]) == (PROVIDER, "IPS-AAL")
            _close({k: v for k, v in row.items() if k not in {"provider_org", "programme_code"}}, expected, str(period))
        # Every programme: the IPS one, and general job development in a row of its own; the
        # clarification course has none.
        rows = await team.ips_rows(FIRST)
        assert [r["programme_code"] for r in rows] == ["IPS-AAL", "general"]
        _close(
            rows[1]["employer_contacts"],
            {
                "total": 1,
                "for_participants": 0,
                "weeks": 9.0,
                "per_consultant": {"ips-2": {"contacts": 1, "per_week": 1 / 9}},
            },
        )
        # Over the whole time: A (ever employed) and B (never) ended; the share is 1/2.
        [whole] = await team.ips_rows(WHOLE, programme="IPS-AAL")
        assert whole["into_work_or_education"] == {"courses_ended": 2, "ever_employed": 1, "share": 0.5}
        assert whole["jobs_ended"] == {"count": 1, "by_reason": {"fixed_term_ended": 1}, "search_resumed": 1}

        # -- the clarification result, as the caseworker and the jobcentre's system get it ---------------
        seen = await team.employment(d, CASEWORKER)
        assert {k: seen["clarification_result"][k] for k in ("recommendation", "resources", "challenges", "day")} == {
            "recommendation": "flex_job",
            "resources": ["work_experience", "social_skills"],
            "challenges": ["health", "adaptability"],
            "day": "2027-02-19",
        }
        assert (seen["state"], seen["phase"], seen["spells"]) == ("ended", None, [])

        # The jobcentre's system reads its feed (the catch-up of what its queue and webhooks carry;
        # the broker's own feed is test_partner_results's) and the course's state.
        async def heard() -> list[dict[str, Any]]:
            answer = await notifications.client.get("/partner/events", params={"limit": 200}, headers=PARTNER)
            return [m for m in _ok(answer)["events"] if m["subject"] == d and "clarification_result" in m["type"]]

        [told] = await eventually(heard, what="the jobcentre's feed to hear the recommendation")
        assert (told["data"]["recommendation"], told["data"]["result_date"]) == ("flex_job", "2027-02-19")
        assert (told["data"]["meetings_held"], told["data"]["work_trials"]) == (11, 2)
        assert "kp-4" not in json.dumps(told)
        state = _ok(await notifications.client.get(f"/partner/referrals/{d}", headers=PARTNER))
        assert (state["status"], state["clarification_result"]["recommendation"]) == ("ended", "flex_job")

        expected_results = {
            "provider_org": PROVIDER,
            "programme_code": "AFK-AAL",
            "results": 1,
            "by_recommendation": {"flex_job": 1},
            "meetings_held": one(11.0),
            "with_work_trial": 1,
            "with_specialist_assessment": 1,
        }
        for who in (COORDINATOR, CASEWORKER):  # the provider's figure and the referring jobcentre's
            answer = await team.reporting.get("/figures/clarification-results", params=_period(WHOLE), headers=who)
            assert _ok(answer)["rows"] == [expected_results]
