"""The pages against the four services running as real processes (real broker and databases):
each page read and each action taken through the web app, and its effect checked in the service
that owns it. One system for the whole course, like tests/e2e: the clock moves forward only."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.scenario import JOBCENTRE, OTHER_JOBCENTRE, PROVIDER, participant
from forlob_testkit.servers import free_port
from forlob_testkit.wait import eventually
from forlob_testkit.web import (
    CASEWORKER,
    CONTACT_PERSON,
    COORDINATOR,
    ok,
    put_programme,
    put_staff,
    set_clock,
    start_course,
    visible_text,
    web_in_process,
    web_settings,
)


def _form(person: dict[str, str], **fields: str) -> dict[str, str]:
    return {
        "provider_org": PROVIDER,
        "programme_code": "RCA-UDV-13",
        "participant.name": person["name"],
        "participant.identity_number": person["identity_number"],
        "participant.identity_scheme": "dk_cpr",
        "goals": "Stable attendance\n- Arrive by 08:00 four days a week\nIncrease weekly hours",
        "wished_start": "2026-11-30",
        "wished_weekly_hours": "16",
        "legal_basis": "LAB-32-1-2",
        "legal_context": "",
        **fields,
    }


def _problem_text(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="(?:problem|field-error)"[^>]*>([^<]+)<', html)]


def _intake_table(html: str, code: str) -> list[tuple[str, int]]:
    """The intake board's next intake dates of one programme, with the free seats it shows."""
    table = re.search(rf'<table class="intakes" id="intakes-{code}">(.*?)</table>', html, re.S)
    assert table, html
    rows = re.findall(r'<time datetime="([0-9-]+)">[^<]+</time></th><td class="free-seats">(\d+)</td>', table[1])
    return [(day, int(free)) for day, free in rows]


async def test_every_page_against_the_running_services(web_system: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(11)
    system = web_system
    async with httpx.AsyncClient(timeout=10) as http, web_in_process(web_settings(system), system.clock()) as people:
        await set_clock(system, datetime(2026, 11, 23, 9, 0), first=True)
        await put_staff(http, system)
        await put_programme(http, system)
        referral_api = system.url("referral")

        # -- no session: every page sends the person to sign in ---------------------------------
        stranger = await people()
        for page in ("/inbox", "/attendance", "/intake", "/referrals", "/figures"):
            answer = await stranger.http.get(page)
            assert (answer.status_code, answer.headers["location"]) == (303, f"/sign-in?next={page}"), page

        # -- the caseworker refers through the form ---------------------------------------------
        caseworker = await people()
        await caseworker.sign_in(JOBCENTRE, "cw-7", "caseworker")
        form = await caseworker.get("/referrals/new")
        assert form.status_code == 200
        assert 'for="participant-identity_number"' in form.text
        person = participant(rng)

        bad_hours = await caseworker.post("/referrals/new", _form(person, wished_weekly_hours="many"))
        assert bad_hours.status_code == 422
        assert "Skal være et tal." in _problem_text(bad_hours.text)
        assert 'id="wished_weekly_hours-error"' in bad_hours.text  # the message sits next to its field

        bad_cpr = await caseworker.post("/referrals/new", _form(person, **{"participant.identity_number": "0101"}))
        assert bad_cpr.status_code == 422, bad_cpr.text
        words = _problem_text(bad_cpr.text)
        assert any("Henvisningstjenesten svarede" in w for w in words), words
        assert person["name"] in bad_cpr.text  # what was typed is kept, to be corrected
        assert ok(await http.get(f"{referral_api}/referrals", headers=CASEWORKER)) == []  # nothing changed

        sent = await caseworker.post("/referrals/new", _form(person))
        assert sent.status_code == 303, _problem_text(sent.text)
        rid = sent.headers["location"].rsplit("/", 1)[1]
        assert person["name"] not in sent.headers["location"]
        assert person["identity_number"] not in str(sent.url)
        detail = await caseworker.get(f"/referrals/{rid}")
        assert person["name"] in detail.text
        assert "Modtaget" in detail.text
        created = ok(await http.get(f"{referral_api}/referrals/{rid}", headers=CASEWORKER))
        assert created["goals"][0] == {"text": "Stable attendance", "sub_goals": ["Arrive by 08:00 four days a week"]}
        assert created["wished_weekly_hours"] == 16
        mine = await caseworker.get("/referrals")
        assert f"/referrals/{rid}" in mine.text
        assert person["name"] not in mine.text

        # -- another organisation sees none of it ----------------------------------------------
        other = await people()
        await other.sign_in(OTHER_JOBCENTRE, "cw-9", "caseworker")
        elsewhere = await other.get(f"/referrals/{rid}")
        assert elsewhere.status_code == 404
        assert person["name"] not in elsewhere.text
        assert "findes ikke" in elsewhere.text
        assert f"/referrals/{rid}" not in (await other.get("/referrals")).text
        assert (await other.get("/referrals/not-an-id")).status_code == 422

        # -- the coordinator accepts on the intake board ---------------------------------------
        coordinator = await people()
        await coordinator.sign_in(PROVIDER, "co-3", "coordinator")
        board = await coordinator.get("/intake", headers={"Accept-Language": "en"})
        assert f'action="/intake/{rid}/accept"' in board.text
        assert re.search(r"<dt>Free now</dt><dd class=\"free\">12</dd>", board.text), board.text
        # the next eight intake Mondays from today, Monday 23 November, each with all twelve seats free
        intakes_api = f"{referral_api}/programmes/RCA-UDV-13/intakes"
        assert "Next intake dates" in board.text
        assert "Seats free for a whole course of 13 weeks from the intake date." in board.text
        mondays = ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"]
        mondays += ["2027-01-04", "2027-01-11"]
        assert _intake_table(board.text, "RCA-UDV-13") == [(day, 12) for day in mondays]
        accepted = await coordinator.post(f"/intake/{rid}/accept", {"key": "accept-1"})
        assert (accepted.status_code, accepted.headers["location"]) == (303, "/intake")
        after = await coordinator.get("/intake")
        assert "Optaget med opstart 2026-11-30." in after.text
        assert ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["state"] == "accepted"
        # its seat from 30 November to 28 February overlaps a whole course from each of those dates
        assert "Næste opstartsdatoer" in after.text
        service = ok(await http.get(intakes_api, headers=COORDINATOR))["intakes"]
        shown = _intake_table(after.text, "RCA-UDV-13")
        assert shown == [(i["intake_date"], i["free_seats"]) for i in service]
        assert shown == [(day, 11) for day in mondays]
        again = await coordinator.post(f"/intake/{rid}/accept", {"key": "accept-2"})  # a second click: refused
        assert "Henvisningstjenesten svarede" in (await coordinator.get(again.headers["location"])).text

        # -- CSRF: a form without this session's token changes nothing ---------------------------
        forged = await coordinator.http.post(f"/intake/{rid}/reject", data={"csrf": "forged", "reason_code": "other"})
        assert forged.status_code == 403
        assert ok(await http.get(f"{referral_api}/referrals/{rid}", headers=COORDINATOR))["state"] == "accepted"

        # -- the course starts; a missed arrival reaches the contact person's inbox ---------------
        await set_clock(system, datetime(2026, 11, 30, 7, 0))
        pid = await start_course(http, system, rid, "2026-11-30")
        contact = await people()
        await contact.sign_in(PROVIDER, "kp-1", "contact_person", "workshop_lead")
        assert "Ingen åbne advarsler." in (await contact.get("/inbox")).text

        await set_clock(system, datetime(2026, 11, 30, 8, 16))

        async def alert_shown() -> str | None:
            page = await contact.get("/inbox")
            found = re.search(r'id="alert-([0-9a-f-]{36})"', page.text)
            return found.group(1) if found and person["name"] in page.text else None

        alert_id = await eventually(alert_shown, what="the missed arrival in the inbox page")
        acknowledged = await contact.post(f"/inbox/{alert_id}/acknowledge", {"note": "called, ill, back tomorrow"})
        assert acknowledged.status_code == 303
        alert = ok(await http.get(f"{system.url('notifications')}/alerts/{alert_id}", headers=CONTACT_PERSON))
        assert (alert["state"], alert["acknowledged_by"]) == ("acknowledged", "kp-1")
        assert alert["acknowledgement_note"] == "called, ill, back tomorrow"
        inbox = await contact.get("/inbox")
        assert "Advarslen er kvitteret." in inbox.text
        assert f'id="alert-{alert_id}"' not in inbox.text

        # -- today's attendance: who is missing, then a check-in --------------------------------
        day = await contact.get("/attendance")
        assert re.search(r"Mangler nu \(1\)", day.text)
        assert person["name"] in day.text
        assert f'action="/attendance/{pid}/check-in"' in day.text
        await set_clock(system, datetime(2026, 11, 30, 8, 20))
        drawn = re.search(rf'action="/attendance/{pid}/check-in".*?name="key" value="([^"]+)"', day.text, re.S)
        assert drawn, "the check-in form carries the key drawn with the page"
        form = {"day": "2026-11-30", "key": drawn.group(1)}
        checked = await contact.post(f"/attendance/{pid}/check-in", form)
        assert checked.headers["location"] == "/attendance?day=2026-11-30"
        after_check_in = await contact.get(checked.headers["location"])
        assert "Tjekket ind. 20 min. forsinket" in after_check_in.text
        # a double click sends the same key: the first answer again, not "already checked in"
        again = await contact.post(f"/attendance/{pid}/check-in", form)
        assert "Tjekket ind. 20 min. forsinket" in (await contact.get(again.headers["location"])).text
        assert re.search(r"Mangler nu \(0\)", after_check_in.text)
        slots = ok(
            await http.get(
                f"{system.url('attendance')}/participants/{pid}/slots",
                params={"from": "2026-11-30", "to": "2026-11-30"},
                headers=CONTACT_PERSON,
            )
        )["slots"]
        assert slots[0]["checked_in_at"] is not None
        assert slots[0]["minutes_late"] == 20
        absence = await contact.post(f"/attendance/{pid}/absence", {"day": "2026-11-30", "reason": "no-such-reason"})
        refused = await contact.get(absence.headers["location"])
        assert "Fremmødetjenesten svarede" in refused.text  # the service's 422, in words

        # -- Tuesday's missed arrival, not acknowledged, escalates: marked in both inboxes ------------
        await set_clock(system, datetime(2026, 12, 1, 8, 16))
        tuesday = await eventually(alert_shown, what="Tuesday's missed arrival in the inbox page")
        await set_clock(system, datetime(2026, 12, 1, 9, 0))  # 30 working minutes later
        leader = await people()
        await leader.sign_in(PROVIDER, "tl-1", "team_leader")

        async def escalation_marked() -> str | None:
            page = await leader.get("/inbox")
            return page.text if f'id="alert-{tuesday}" class="alert escalated' in page.text else None

        escalated = await eventually(escalation_marked, what="the escalated alert marked in the team leader's inbox")
        assert "Eskaleret til tl-1" in escalated
        assert "Eskaleret til tl-1" in (await contact.get("/inbox")).text

        # -- the course ends; the caseworker reads the closing note and the statement ------------
        await set_clock(system, datetime(2026, 12, 7, 7, 0))  # week 48 over: its summary makes the statement
        ended = await http.post(
            f"{referral_api}/referrals/{rid}/end",
            json={
                "end_date": "2026-12-04",
                "outcome": "education",
                "closing_note": {
                    "summary": "Came every morning after the first day.",
                    "resources": "Punctual.",
                    "development_possibilities": "Ready for education.",
                    "goal_attainment": [
                        {
                            "goal": "Stable attendance",
                            "attainment": "achieved",
                            "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "achieved"}],
                        },
                        {"goal": "Increase weekly hours", "attainment": "partly_achieved"},
                    ],
                    "next_step": "Education.",
                },
            },
            headers=COORDINATOR,
        )
        ok(ended)

        async def statement_shown() -> str | None:
            page = await caseworker.get(f"/referrals/{rid}")
            return page.text if 'class="rate"' in page.text else None

        closed = await eventually(statement_shown, timeout=20, what="the attendance statement on the referral page")
        assert "Came every morning after the first day." in closed
        assert "Afsluttet" in closed
        # the outcome and each goal's attainment in words, no code left raw on the page
        read = visible_text(closed)
        assert "Udfald Uddannelse" in read
        assert "Stable attendance: Opfyldt" in read
        assert "Increase weekly hours: Delvist opfyldt" in read
        assert raw_codes(read) == [], read  # (single-word codes: the closing note is free English text)
        # The contact person follows the inbox's link to the course: the course, not the closing note.
        from_inbox = await contact.get(f"/referrals/{rid}")
        assert from_inbox.status_code == 200
        assert person["name"] in from_inbox.text
        assert "Came every morning after the first day." not in from_inbox.text
        assert "Din rolle giver ikke adgang til dette." in from_inbox.text

        # -- figures: the page, a chart and the CSV --------------------------------------------
        team_leader = await people()
        await team_leader.sign_in(PROVIDER, "tl-1", "team_leader")
        figures = await team_leader.get("/figures?start=2026-11-01&end=2026-12-02")
        assert figures.status_code == 200, _problem_text(figures.text)
        assert "RCA-UDV-13" in figures.text
        # each figure by its name, with its unit; no dotted field names
        read = visible_text(figures.text)
        assert "Belagte pladser (gennemsnit)" in read
        assert "Ventetid til start: 90 %-fraktil" in read
        assert raw_codes(read, also=every_code()) == [], read
        inbox_read = visible_text((await leader.get("/inbox")).text)
        assert raw_codes(inbox_read, also=every_code()) == [], inbox_read
        chart = await team_leader.get("/figures/chart/occupancy.svg?start=2026-11-01&end=2026-12-02")
        assert chart.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in chart.content
        assert "Belægning (belagte pladser / kapacitet)" in chart.text  # the chart in the page's language
        assert "Vary" in chart.headers
        chart_sv = await team_leader.get(
            "/figures/chart/occupancy.svg?start=2026-11-01&end=2026-12-02", headers={"Accept-Language": "sv-SE"}
        )
        assert "Beläggning (upptagna platser / kapacitet)" in chart_sv.text
        csv = await team_leader.get("/figures.csv?start=2026-11-01&end=2026-12-02")
        assert csv.headers["content-type"].startswith("text/csv")
        assert "RCA-UDV-13" in csv.text
        header = csv.text.lstrip("\ufeff").splitlines()[0]
        assert ";" in header  # a Danish reader's spreadsheet: ';' between cells, decimal commas
        assert "," not in header
        assert (await team_leader.get("/intake")).status_code == 403  # not a coordinator

        # -- a token the services refuse sends the person to sign in --------------------------
        foreign_key = "not-the-secret-the-services-know-of-at-all"
        async with web_in_process(web_settings(system, jwt_secret=foreign_key), system.clock()) as strangers:
            forger = await strangers()
            await forger.sign_in(PROVIDER, "kp-1", "contact_person")
            refused_token = await forger.http.get("/inbox")
            assert (refused_token.status_code, refused_token.headers["location"]) == (303, "/sign-in?next=/inbox")
            assert (await forger.http.get("/inbox")).headers["location"].startswith("/sign-in")  # signed out

        # -- a service that is down: a clear message on its part of the page, not a 500 -----------
        nothing_there = f"http://127.0.0.1:{free_port()}"
        async with web_in_process(web_settings(system, reporting_url=nothing_there), system.clock()) as cut_off:
            leader = await cut_off()
            await leader.sign_in(PROVIDER, "tl-1", "team_leader")
            down = await leader.get("/figures")
            assert down.status_code == 200
            assert "Rapporteringstjenesten svarer ikke lige nu." in _problem_text(down.text)[0]
            ready = await leader.http.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["reporting"].startswith("unavailable")
            reader = await cut_off()
            await reader.sign_in(JOBCENTRE, "cw-7", "caseworker")
            detail_without_reporting = await reader.get(f"/referrals/{rid}")
            assert detail_without_reporting.status_code == 200
            assert "Came every morning after the first day." in detail_without_reporting.text
            assert "Rapporteringstjenesten svarer ikke lige nu." in detail_without_reporting.text
        assert (await team_leader.http.get("/health/ready")).json()["status"] == "ready"

        # -- no name or identity number in any log line: the web's own or the services' ------------
        logs = capsys.readouterr().out + "".join(system.logs().values())
        assert "signin.local" in logs
        assert person["name"] not in logs
        assert person["identity_number"] not in logs
