"""The pages for programmes without a timetable against the four services as real processes: an
IPS course started with a weekly cadence, its first meeting planned and recorded as held with its
topics from the contact person's week; an outreach case opened, a contact attempt, consent,
identity and the handover as a referral; a visit started and ended, seen by the team leader while
it is open. Each step is checked in the service that keeps it.

Runs after the other page tests of a run (their clock ends in April 2027), or first."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import httpx

from forlob_shared.texts import raw_codes
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, cpr_number, referral_body
from forlob_testkit.wait import eventually
from forlob_testkit.web import COORDINATOR, ok, put_staff, set_clock, visible_text, web_in_process, web_settings

CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
CONTACT = auth(PROVIDER, "contact_person", staff="kp-1")
LEADER = auth(PROVIDER, "team_leader", staff="tl-1")
IPS_COORDINATOR = auth("ips-aalborg", "coordinator", staff="co-9")  # the handover's receiving provider
IPS = {**DEVELOPMENT_COURSE, "name": "IPS Aalborg", "kind": "ips", "shape": "meetings", "default_weeks": 26}
OUTREACH = {**DEVELOPMENT_COURSE, "name": "Outreach Aalborg", "kind": "outreach", "shape": "outreach"}


async def test_meetings_outreach_and_visits_through_the_pages(web_system: Any) -> None:
    rng = random.Random(20)
    system = web_system
    referral_api, attendance_api = system.url("referral"), system.url("attendance")
    async with httpx.AsyncClient(timeout=10) as http, web_in_process(web_settings(system), system.clock()) as people:
        await set_clock(system, datetime(2027, 6, 1, 9, 0), first=True)
        await put_staff(http, system)
        for code, body, who in (
            ("RCA-IPS", IPS, COORDINATOR),
            ("RCA-OPS", OUTREACH, COORDINATOR),
            ("IPS-AAL", IPS, IPS_COORDINATOR),
        ):
            answer = await http.put(f"{referral_api}/programmes/{code}", json=body, headers=who)
            assert answer.status_code in {200, 201}, answer.text
        body = referral_body(rng, "RCA-IPS", wished_start="2027-06-07", goals=[{"text": "A job"}])
        rid = ok(await http.post(f"{referral_api}/referrals", json=body, headers=CASEWORKER), 201)["id"]
        ok(await http.post(f"{referral_api}/referrals/{rid}/accept", headers=COORDINATOR))

        # -- the coordinator starts the IPS course with a weekly cadence -----------------------
        coordinator = await people()
        await coordinator.sign_in(PROVIDER, "co-3", "coordinator")
        form = await coordinator.get(f"/courses/{rid}/start")
        assert 'name="cadence" value="weekly"' in form.text
        start = {"start_date": "2027-06-07", "contact_person_id": "kp-1", "team_leader_id": "tl-1", "cadence": "weekly"}
        started = await coordinator.post(f"/courses/{rid}/start", start)
        assert started.status_code == 303, started.text
        course = ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["course"]
        assert course["cadence"] == {"kind": "weekly", "max_days_between": 7}
        assert course["schedule"] == []
        rhythm = {"effective_from": "2027-06-21", "contact_person_id": "kp-1", "cadence": "fortnightly"}
        changed = await coordinator.post(f"/courses/{rid}/agreement", rhythm)
        assert changed.status_code == 303, visible_text(changed.text)
        page = await coordinator.get(f"/courses/{rid}")
        assert "Hvor ofte I mødes er ændret." in page.text
        assert "Hver" in visible_text(page.text)
        assert raw_codes(visible_text(page.text)) == []

        # -- the contact person plans the first meeting and records it as held -------------------
        contact = await people()
        await contact.sign_in(PROVIDER, "kp-1", "contact_person")
        referral_page = await contact.get(f"/referrals/{rid}")
        assert f'href="/referrals/{rid}/meetings"' in referral_page.text
        assert "dage mellem møderne" in visible_text(referral_page.text)  # the cadence, in words

        async def attendance_knows_the_course() -> bool:
            answer = await http.get(f"{attendance_api}/referrals/{rid}/meetings", headers=CONTACT)
            return answer.status_code == 200

        await eventually(attendance_knows_the_course, what="attendance to know the meetings course")
        plan = {"day": "2027-06-09", "start": "10:00", "end": "11:00", "place": "workplace"}
        planned = await contact.post(f"/referrals/{rid}/meetings", plan)
        assert planned.status_code == 303, planned.text
        meetings = ok(await http.get(f"{attendance_api}/referrals/{rid}/meetings", headers=CONTACT))["meetings"]
        assert [(m["starts_at"][:16], m["place"], m["state"]) for m in meetings] == [
            ("2027-06-09T08:00", "workplace", "planned")
        ]
        meeting_id = meetings[0]["meeting_id"]
        moved = await contact.post(f"/meetings/{meeting_id}/move", {**plan, "place": "video"})
        assert moved.status_code == 303
        again = ok(await http.get(f"{attendance_api}/referrals/{rid}/meetings", headers=CONTACT))["meetings"]
        assert [(m["meeting_id"], m["place"]) for m in again] == [(meeting_id, "video")]

        await set_clock(system, datetime(2027, 6, 9, 10, 50))
        week = await contact.get("/meetings?week=2027-06-07")
        assert f'action="/meetings/{meeting_id}/held"' in week.text
        assert "Video" in visible_text(week.text)
        assert raw_codes(visible_text(week.text)) == []
        held = await contact.http.post(
            f"/meetings/{meeting_id}/held",
            data={
                "csrf": contact.csrf,
                "day": "2027-06-09",
                "began": "10:00",
                "duration_minutes": "55",
                "topics": ["job_search", "employer_contact"],
            },
        )
        assert held.status_code == 303
        after = await contact.get(held.headers["location"])
        assert "Mødet er registreret som holdt." in after.text, visible_text(after.text)
        recorded = ok(await http.get(f"{attendance_api}/referrals/{rid}/meetings", headers=CONTACT))["meetings"][0]
        # recorded 50 minutes after it began: the planned start is sent, so it was not late
        assert (recorded["state"], recorded["duration_minutes"], recorded["minutes_late"]) == ("held", 55, 0)
        assert sorted(recorded["topics"]) == ["employer_contact", "job_search"]

        # -- an outreach case: opened, an attempt, consent, identity, the handover ---------------
        opened = await contact.post(
            "/outreach/new",
            {"programme_code": "RCA-OPS", "working_name": "The man at the kiosk", "description": "Mornings"},
        )
        assert opened.status_code == 303, opened.text
        case_path = opened.headers["location"]
        case_id = case_path.rsplit("/", 1)[1]
        attempt = {"place": "street", "channel": "in_person", "outcome": "meeting_agreed", "next_in_days": "3"}
        assert (await contact.post(f"{case_path}/attempts", attempt)).status_code == 303
        caseload = await contact.get("/outreach")
        assert "The man at the kiosk" in caseload.text
        assert "12.06.2027" in visible_text(caseload.text)  # three days on
        no_identity_yet = await contact.post(f"{case_path}/identify", {"name": "Jens", "identity_number": "1"})
        assert no_identity_yet.status_code in {409, 422}  # no consent yet: refused in words
        assert "Henvisningstjenesten svarede" in visible_text(no_identity_yet.text)
        assert (await contact.post(f"{case_path}/consent", {"method": "oral"})).status_code == 303
        identity = {"name": "Jens Hansen", "identity_number": cpr_number(rng)}
        identified = await contact.post(f"{case_path}/identify", identity)
        assert identified.status_code == 303, visible_text(identified.text)
        handed = await contact.post(
            f"{case_path}/handover", {"programme_code": "IPS-AAL", "provider_org": "ips-aalborg"}
        )
        assert handed.status_code == 303, visible_text(handed.text)
        case = ok(await http.get(f"{referral_api}/outreach/cases/{case_id}", headers=CONTACT))
        assert case["identified"]
        assert [a["outcome"] for a in case["attempt_log"]] == ["meeting_agreed"]
        assert len(case["handover_referral_ids"]) == 1
        shown = await contact.get(case_path)
        assert f'href="/referrals/{case["handover_referral_ids"][0]}"' in shown.text
        assert identity["identity_number"] not in shown.text
        assert raw_codes(visible_text(shown.text)) == []

        # -- a visit, seen by the team leader while it is open -----------------------------------
        visit = await contact.post("/visits", {"kind": "home", "planned_end": "12:30", "colleague_id": "kp-2"})
        assert visit.status_code == 303, visible_text(visit.text)
        leader = await people()
        await leader.sign_in(PROVIDER, "tl-1", "team_leader")
        team = await leader.get("/visits")
        assert "kp-1" in visible_text(team.text)
        assert "med kp-2" in visible_text(team.text)
        # past its planned end and the grace: the team leader's alert says so in words
        await set_clock(system, datetime(2027, 6, 9, 12, 50))
        notifications = system.url("notifications")

        async def alerted() -> dict[str, Any] | None:
            answer = await http.get(f"{notifications}/inbox", params={"state": "open"}, headers=LEADER)
            found = [a for a in answer.json() if a["kind"] == "visit_overdue"] if answer.status_code == 200 else []
            return found[0] if found else None

        alert = await eventually(alerted, what="the overdue visit's alert to the team leader")
        inbox = await leader.get("/inbox")
        assert "Besøg ikke afsluttet i tide" in visible_text(inbox.text)
        alert_page = await leader.get(f"/alerts/{alert['id']}")
        read = visible_text(alert_page.text)
        assert "Medarbejder kp-1" in read, read
        assert "Hjemmebesøg" in read
        assert "09.06. 12:30" in read
        assert raw_codes(read) == []
        assert "Over tiden" in visible_text((await leader.get("/visits")).text)
        mine = await contact.get("/visits")
        assert "Du er på besøg" in mine.text
        end_form = mine.text.split('action="/visits/', 1)[1].split('"', 1)[0]
        assert (await contact.post(f"/visits/{end_form}")).status_code == 303
        assert "Du er på besøg" not in (await contact.get("/visits")).text
        assert "kp-1" not in visible_text((await leader.get("/visits")).text).replace("Logget ind som", "")
