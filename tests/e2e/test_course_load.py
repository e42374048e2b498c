"""The shared course-load driver (forlob_testkit.courses) against the four services as
processes: two working days of courses, and the services hold exactly what the driver expects.
The reliability suite and the pipeline benchmark stand on this driver, so it is tested itself."""

from __future__ import annotations

from typing import Any

import httpx

from forlob_testkit.courses import HEADERS, LOAD_PROGRAMME, CourseLoad
from forlob_testkit.outside import SmtpSink
from forlob_testkit.wait import eventually

FAST_TICKS = {
    "FORLOB_NOTIFICATIONS_RULES_INTERVAL": "0.3",
    "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
    "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
}


async def test_two_days_of_courses_leave_what_the_driver_expects(start_system: Any, smtp_sink: SmtpSink) -> None:
    env = {**FAST_TICKS, "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp_sink.port)}
    async with start_system(env=env) as system, httpx.AsyncClient(timeout=10) as http:
        load = CourseLoad(http, system, seed=3, days_per_course=3, breach_share=0.2, late_share=0.3, absent_share=0.3)
        await load.prepare()
        first = await load.day(12)
        second = await load.day(4)
        third = await load.day(0)
        expected = load.expected

        assert (first.started, second.started, third.started) == (12, 4, 0)
        assert (first.ended, third.ended) == (0, 12)  # the first day's courses ran three days
        assert all((expected.late, expected.absent, expected.breached))  # the seed draws every kind
        assert (len(expected.courses), len(expected.ended)) == (16, 12)

        referrals = (
            await http.get(
                f"{system.url('referral')}/referrals",
                params={"programme_code": LOAD_PROGRAMME, "limit": 500},
                headers=HEADERS["coordinator"],
            )
        ).json()
        states = {r["id"]: r["state"] for r in referrals}
        assert {rid for rid, state in states.items() if state == "ended"} == expected.ended
        assert {rid for rid, state in states.items() if state == "started"} == set(expected.courses) - expected.ended

        # One absence alert per detected absence, to the contact person; the unexplained ones
        # escalated; one e-mail each to the contact person.
        inbox = (
            await http.get(
                f"{system.url('notifications')}/inbox",
                params={"kind": "absence", "limit": 500},
                headers=HEADERS["contact_person"],
            )
        ).json()
        by_day = sorted((a["participant_ref"], a["occurred_at"][:10]) for a in inbox)
        assert len(by_day) == len(set(by_day)) == len(expected.detected)

        # The last day's open alerts escalate at the rules' next tick after the clock passed their
        # due time (the driver does not wait for it): waited for, not assumed.
        async def escalated() -> bool:
            answer = await http.get(
                f"{system.url('notifications')}/inbox",
                params={"kind": "absence", "limit": 500},
                headers=HEADERS["contact_person"],
            )
            return {a["participant_ref"] for a in answer.json() if a["escalated_to"]} == {
                p for p, _ in expected.escalated
            }

        await eventually(escalated, what="every unexplained absence escalated to the team leader")

        async def mailed() -> bool:
            return len(smtp_sink.to("kp1@rca.example")) >= len(expected.detected)

        await eventually(mailed, what="an e-mail to the contact person for each absence")
        message_ids = [str(m.message["Message-ID"]) for m in smtp_sink.to("kp1@rca.example")]
        assert len(message_ids) == len(set(message_ids)) == len(expected.detected), sorted(message_ids)

        async def breaches_told() -> bool:
            answer = await http.get(
                f"{system.url('notifications')}/inbox", params={"kind": "breach"}, headers=HEADERS["caseworker"]
            )
            return {a["participant_ref"] for a in answer.json()} == expected.breached

        await eventually(breaches_told, what="a breach to the caseworker for each participant who never came")
