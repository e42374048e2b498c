"""The coordinator's and the contact person's journeys in the pages, against the four services as
real processes: a course started on the week grid (times outside the opening hours refused next
to their field), extended, its hours changed, ended with outcome, goal attainment and closing
note (a missing outcome and an end before the start refused); the waiting list reordered with a
reason; a contact attempt recorded from the alert's page; the day list per workshop and per
contact person; the week of the participants one follows. Another organisation gets not found.

Runs after the other page tests of a run (their clock ends in January 2027), or first."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

import httpx

from forlob_shared.texts import raw_codes
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually
from forlob_testkit.web import (
    COORDINATOR,
    ok,
    put_programme,
    put_staff,
    set_clock,
    visible_text,
    web_in_process,
    web_settings,
)

CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")


def _errors(html: str) -> dict[str, str]:
    """Each field's error as the page shows it, by the field's id."""
    return {k: " ".join(v.split()) for k, v in re.findall(r'class="field-error" id="([\w-]+)-error">([^<]+)<', html)}


def _grid(**cells: tuple[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, (start, end) in cells.items():
        out[f"{name}_start"], out[f"{name}_end"] = start, end
    return out


async def test_the_coordinators_and_contact_persons_journeys(web_system: Any) -> None:
    rng = random.Random(19)
    system = web_system
    referral_api = system.url("referral")
    async with httpx.AsyncClient(timeout=10) as http, web_in_process(web_settings(system), system.clock()) as people:
        await set_clock(system, datetime(2027, 3, 1, 9, 0), first=True)
        await put_staff(http, system)
        await put_programme(http, system)
        body = referral_body(rng, wished_start="2027-03-08")
        name = body["participant"]["name"]
        rid = ok(await http.post(f"{referral_api}/referrals", json=body, headers=CASEWORKER), 201)["id"]
        ok(await http.post(f"{referral_api}/referrals/{rid}/accept", headers=COORDINATOR))

        coordinator = await people()
        await coordinator.sign_in(PROVIDER, "co-3", "coordinator")
        listed = await coordinator.get("/courses")
        assert f'href="/courses/{rid}/start"' in listed.text

        # -- the week grid refuses what the programme cannot take -------------------------------
        form = await coordinator.get(f"/courses/{rid}/start", headers={"Accept-Language": "en"})
        assert form.status_code == 200
        assert 'id="w0_1_start"' in form.text
        assert "07:30-14:30" in form.text
        start = {
            "start_date": "2027-03-08",
            "weeks": "13",
            "contact_person_id": "kp-1",
            "team_leader_id": "tl-1",
            "workshop": "Wood workshop",
            "closing_meeting": "2027-06-01",
            "closing_meeting_time": "10:00",
        }
        outside = await coordinator.post(
            f"/courses/{rid}/start", {**start, **_grid(w0_1=("07:00", "12:00"), w4_1=("08:00", "14:30"))}
        )
        assert outside.status_code == 422
        errors = _errors(outside.text)
        assert errors["w0_1"] == "Uden for åbningstiden (07:30-14:30)."
        assert errors["w4_1"] == "Uden for åbningstiden (07:30-14:00)."
        assert 'id="w0_1_start" name="w0_1_start" value="07:00"' in outside.text  # typed values kept
        backwards = await coordinator.post(
            f"/courses/{rid}/start",
            {**start, "closing_meeting": "2027-03-01", "closing_meeting_time": "", **_grid(w0_1=("12:00", "08:00"))},
        )
        assert backwards.status_code == 422
        assert _errors(backwards.text) == {
            "w0_1": "Sluttiden skal ligge efter starttiden.",
            "f-closing_meeting": "Afslutningsmødet kan ikke ligge før start.",
            "f-closing_meeting_time": "Skal udfyldes.",
        }
        beyond = await coordinator.post(
            f"/courses/{rid}/start", {**start, "closing_meeting": "2027-06-07", **_grid(w0_1=("08:00", "12:00"))}
        )
        assert _errors(beyond.text) == {"f-closing_meeting": "Afslutningsmødet skal ligge inden forløbets slut."}
        empty = await coordinator.post(f"/courses/{rid}/start", start)
        assert _errors(empty.text) == {"grid": "Angiv mindst ét tidsrum i ugen."}
        assert ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["state"] == "accepted"

        # -- another organisation's referral: not found ---------------------------------------
        stranger = await people()
        await stranger.sign_in("rca-odense", "co-9", "coordinator")
        elsewhere = await stranger.get(f"/courses/{rid}/start")
        assert elsewhere.status_code == 404
        assert name not in elsewhere.text
        assert (await stranger.get(f"/courses/{rid}")).status_code == 404

        # -- the course starts: Monday to Thursday 08:00-12:00, Friday 08:00-11:00 --------------
        week = {f"w{d}_1": ("08:00", "12:00") for d in range(4)} | {"w4_1": ("08:00", "11:00")}
        started = await coordinator.post(f"/courses/{rid}/start", {**start, **_grid(**week)})
        assert (started.status_code, started.headers["location"]) == (303, f"/courses/{rid}")
        page = await coordinator.get(started.headers["location"])
        assert "Forløbet starter 08.03.2027 med 19 timer om ugen. Afslutningsmøde aftalt 01.06.2027 10:00." in page.text
        assert re.search(r'class="closing-meeting">01\.06\. 10:00 · Hos tilbudsstedet<', page.text), page.text
        referral = ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))
        assert referral["state"] == "started"
        course = referral["course"]
        assert (course["contact_person_id"], course["plan"]["workshop"]) == ("kp-1", "Wood workshop")
        assert [g["text"] for g in course["plan"]["goals"]] == ["Stable attendance", "Increase weekly hours"]
        assert {(w["weekday"], w["start"][:5], w["end"][:5]) for w in course["schedule"]} == {
            (0, "08:00", "12:00"),
            (1, "08:00", "12:00"),
            (2, "08:00", "12:00"),
            (3, "08:00", "12:00"),
            (4, "08:00", "11:00"),
        }
        assert 'id="w4_1_end" name="w4_1_end" value="11:00"' in page.text  # the agreed week, to change
        assert raw_codes(visible_text(page.text)) == []
        booked = course["closing_meeting"]
        assert (booked["kind"], booked["place"], booked["caseworker_invited"]) == ("closing_meeting", "on_site", True)
        assert datetime.fromisoformat(booked["starts_at"]) == datetime.fromisoformat("2027-06-01T08:00:00+00:00")
        record = ok(await http.get(f"{referral_api}/referrals/{rid}/record", headers=CASEWORKER))
        assert [m["id"] for m in record["meetings"]] == [booked["id"]]  # one meeting, in the course record
        assert 'id="f-meeting_day" name="meeting_day" type="date" value="2027-06-01"' in page.text
        assert 'id="f-meeting_time" name="meeting_time" type="time" value="10:00"' in page.text

        # -- the closing meeting re-booked, within the course only --------------------------
        rebook = {"meeting_day": "2027-06-03", "meeting_time": "14:00", "place": "video_call"}
        outside_course = await coordinator.post(
            f"/courses/{rid}/closing-meeting", {**rebook, "meeting_day": "2027-06-07"}
        )
        assert outside_course.status_code == 422
        assert _errors(outside_course.text) == {"f-meeting_day": "Afslutningsmødet skal ligge inden forløbets slut."}
        no_place = await coordinator.post(f"/courses/{rid}/closing-meeting", {**rebook, "place": "pub"})
        assert _errors(no_place.text) == {"f-place": "Vælg et sted."}
        rebooked = await coordinator.post(f"/courses/{rid}/closing-meeting", rebook)
        assert rebooked.status_code == 303, _errors(rebooked.text)
        assert "Afslutningsmødet er booket." in (await coordinator.get(f"/courses/{rid}")).text
        moved_meeting = ok(await http.get(f"{referral_api}/referrals/{rid}", headers=CASEWORKER))["course"]
        moved_meeting = moved_meeting["closing_meeting"]
        assert (moved_meeting["id"], moved_meeting["place"], moved_meeting["caseworker_invited"]) == (
            booked["id"],
            "video_call",
            False,  # the box was left unticked
        )
        assert datetime.fromisoformat(moved_meeting["starts_at"]) == datetime.fromisoformat("2027-06-03T12:00:00+00:00")
        caseworker = await people()
        await caseworker.sign_in(JOBCENTRE, "cw-7", "caseworker")
        seen = await caseworker.get(f"/referrals/{rid}")
        assert re.search(r'class="closing-meeting">03\.06\. 14:00 · Videomøde<', seen.text), seen.text
        rebook["caseworker_invited"] = "yes"
        assert (await coordinator.post(f"/courses/{rid}/closing-meeting", rebook)).status_code == 303

        # -- extend, change the hours --------------------------------------------------------
        longer = await coordinator.post(f"/courses/{rid}/reschedule", {"weeks": "15"})
        assert longer.status_code == 303
        assert "Forløbets længde er ændret." in (await coordinator.get(f"/courses/{rid}")).text
        changed = ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["course"]
        assert changed["planned_end_date"] > course["planned_end_date"]
        too_long = await coordinator.post(f"/courses/{rid}/reschedule", {"weeks": "99"})
        assert too_long.status_code == 422
        assert "Henvisningstjenesten svarede" in too_long.text  # the service's refusal, in words
        hours = {"effective_from": "2027-03-15", "contact_person_id": "kp-1"}
        late = await coordinator.post(f"/courses/{rid}/agreement", {**hours, **_grid(w2_1=("13:00", "15:00"))})
        assert late.status_code == 422
        assert _errors(late.text)["w2_1"] == "Uden for åbningstiden (07:30-14:30)."
        agreed = await coordinator.post(
            f"/courses/{rid}/agreement", {**hours, **_grid(w0_1=("08:00", "12:00"), w2_1=("09:00", "13:00"))}
        )
        assert agreed.status_code == 303, _errors(agreed.text)

        # -- the contact person: from the alert to a recorded contact attempt ------------------
        await set_clock(system, datetime(2027, 3, 8, 8, 16))
        contact = await people()
        await contact.sign_in(PROVIDER, "kp-1", "contact_person", "workshop_lead")

        async def alert_for_the_participant() -> str | None:
            inbox = await contact.get("/inbox")
            for alert_id in re.findall(r'id="alert-([0-9a-f-]{36})"', inbox.text):
                if name in (await contact.get(f"/alerts/{alert_id}")).text:
                    return str(alert_id)
            return None

        alert_id = await eventually(alert_for_the_participant, timeout=20, what="the missed arrival's alert")
        alert_page = await contact.get(f"/alerts/{alert_id}")
        assert f'action="/alerts/{alert_id}/contact"' in alert_page.text
        assert "Talt med deltageren" in alert_page.text  # the outcomes in words
        no_outcome = await contact.post(f"/alerts/{alert_id}/contact", {"reason": "illness"})
        assert no_outcome.status_code == 422
        assert _errors(no_outcome.text) == {"contact-outcome": "Vælg hvordan det gik."}
        no_reason = await contact.post(f"/alerts/{alert_id}/contact", {"outcome": "reason_given"})
        assert _errors(no_reason.text) == {"contact-reason": "Angiv årsagen, der blev oplyst."}
        recorded = await contact.post(f"/alerts/{alert_id}/contact", {"outcome": "reason_given", "reason": "illness"})
        assert (recorded.status_code, recorded.headers["location"]) == (303, f"/alerts/{alert_id}")
        assert "Kontaktforsøget er registreret: Årsag oplyst." in (await contact.get(f"/alerts/{alert_id}")).text
        foreign = await stranger.post(f"/alerts/{alert_id}/contact", {"outcome": "reached"})
        assert foreign.status_code in {403, 404}

        # -- the day list per workshop and per contact person; the week of those one follows ----
        by_workshop = await contact.get("/day-list?day=2027-03-08&by=workshop")
        assert re.search(r'<h2 id="group-\d+">Wood workshop</h2>', by_workshop.text)
        assert name in by_workshop.text
        by_contact = await contact.get("/day-list?day=2027-03-08&by=contact_person")
        assert re.search(r'<h2 id="group-\d+">kp-1 \(dig\)</h2>', by_contact.text)
        assert raw_codes(visible_text(by_contact.text)) == []
        mine = await contact.get("/following?week=2027-03-10")
        assert f'id="following-{rid}"' in mine.text
        assert name in mine.text
        assert "Mandag 08.03.2027" in mine.text
        other_contact = await people()
        await other_contact.sign_in(PROVIDER, "kp-2", "contact_person")
        assert f'id="following-{rid}"' not in (await other_contact.get("/following?week=2027-03-08")).text

        # -- the course ends: outcome, each goal's attainment, the closing note ----------------
        await set_clock(system, datetime(2027, 3, 12, 13, 0))
        note = {
            "end_date": "2027-03-12",
            "summary": "Came most mornings.",
            "resources": "Punctual.",
            "development_possibilities": "Ready for education.",
            "goal_0": "achieved",
            "goal_1": "partly_achieved",
            "goal_1_comment": "Up to 19 hours.",
            "goal_0_sub_0": "not_achieved",
        }
        missing = await coordinator.post(f"/courses/{rid}/end", note)
        assert missing.status_code == 422
        assert _errors(missing.text) == {"f-outcome": "Vælg forløbets udfald."}
        assert ">Came most mornings.</textarea>" in missing.text  # what was typed is kept
        before = await coordinator.post(
            f"/courses/{rid}/end", {**note, "outcome": "education", "end_date": "2027-03-01"}
        )
        assert _errors(before.text) == {"f-end_date": "Slutdatoen kan ikke ligge før forløbets start."}
        no_goal = await coordinator.post(f"/courses/{rid}/end", {**note, "outcome": "education", "goal_0": ""})
        assert _errors(no_goal.text) == {"f-goal_0": "Vælg hvor langt målet er nået."}
        assert "Delmål: Arrive by 08:00 four days a week" in no_goal.text
        no_sub_goal = await coordinator.post(
            f"/courses/{rid}/end", {**note, "outcome": "education", "goal_0_sub_0": ""}
        )
        assert _errors(no_sub_goal.text) == {"f-goal_0_sub_0": "Vælg hvor langt målet er nået."}
        assert ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["state"] == "started"
        ended = await coordinator.post(f"/courses/{rid}/end", {**note, "outcome": "education"})
        assert ended.status_code == 303, _errors(ended.text)
        assert "Forløbet er afsluttet med afslutningsnotat." in (await coordinator.get(f"/courses/{rid}")).text
        closing = ok(await http.get(f"{referral_api}/referrals/{rid}/closing-note", headers=COORDINATOR))
        arrive = {"sub_goal": "Arrive by 08:00 four days a week", "attainment": "not_achieved", "comment": None}
        assert closing["goal_attainment"] == [
            {"goal": "Stable attendance", "attainment": "achieved", "comment": None, "sub_goals": [arrive]},
            {
                "goal": "Increase weekly hours",
                "attainment": "partly_achieved",
                "comment": "Up to 19 hours.",
                "sub_goals": [],
            },
        ]
        with_note = await caseworker.get(f"/referrals/{rid}")
        assert re.search(r'class="sub-goals"><li>Arrive by 08:00 four days a week: Ikke opfyldt</li>', with_note.text)
        assert ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["course"]["outcome"] == (
            "education"
        )

        # -- the waiting list, reordered with a reason ----------------------------------------
        small = {**DEVELOPMENT_COURSE, "name": "Small course", "capacity": 1}
        ok(await http.put(f"{referral_api}/programmes/RCA-SMALL", json=small, headers=COORDINATOR), 201)
        ids = []
        for _ in range(3):
            made = await http.post(
                f"{referral_api}/referrals", json=referral_body(rng, programme_code="RCA-SMALL"), headers=CASEWORKER
            )
            ids.append(ok(made, 201)["id"])
            ok(await http.post(f"{referral_api}/referrals/{ids[-1]}/accept", headers=COORDINATOR))
        board = await coordinator.get("/intake")
        assert f'action="/intake/RCA-SMALL/waiting-list/{ids[2]}/move"' in board.text
        no_why = await coordinator.post(f"/intake/RCA-SMALL/waiting-list/{ids[2]}/move", {"position": "1"})
        assert (
            "En flytning på ventelisten kræver en begrundelse."
            in (await coordinator.get(no_why.headers["location"])).text
        )
        moved = await coordinator.post(
            f"/intake/RCA-SMALL/waiting-list/{ids[2]}/move", {"position": "1", "reason": "risk of losing housing"}
        )
        assert "Flyttet til plads 1 på ventelisten." in (await coordinator.get(moved.headers["location"])).text
        line = ok(await http.get(f"{referral_api}/programmes/RCA-SMALL/waiting-list", headers=COORDINATOR))
        assert [e["referral_id"] for e in line["entries"]] == [ids[2], ids[1]]
