"""The journeys walked in Debian's Chromium against the four services as real processes, every
step through the pages (the services' APIs only set up the staff and the programme, and are read
to wait for what happens behind the pages):

- a caseworker refers a participant; the coordinator accepts them on the intake board, starts the
  course on the week grid and, at its end, writes the closing note with each goal's attainment;
- the contact person follows the link in the missed arrival's e-mail, signs in and records the
  contact attempt on the alert's page, and records the week's talk in the course record;
- a psychologist writes a note the contact person cannot read; the caseworker reads it once the
  coordinator attaches it to the closing note;
- the caseworker follows the e-mail that a message waits, reads the course record (talks, notes)
  and replies; the contact person sees the reply and the read receipt;
- another organisation's people get "not found" for every page of it;
- and no e-mail or log line of the walk holds the participant's name, identity number or any of
  the notes typed.

axe checks each page as the walk leaves it (forlob_testkit.axe). `make screenshots` saves one
picture per journey in docs/screenshots/ (the README's "The journeys").

Runs after the other page tests of a run (their clock ends in June 2027), or first."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from forlob_testkit.auth import auth
from forlob_testkit.axe import assert_accessible
from forlob_testkit.browser import DESKTOP, chromium, doc_shot, shot, signed_in_as
from forlob_testkit.outside import SmtpSink
from forlob_testkit.scenario import JOBCENTRE, OTHER_JOBCENTRE, PROVIDER, cpr_number
from forlob_testkit.wait import eventually
from forlob_testkit.web import (
    COORDINATOR,
    PROVIDER_ADMIN,
    ok,
    put_programme,
    put_staff,
    set_clock,
    web_server,
    web_settings,
)

NAME = "Birthe Kjærsgaard-Winther"  # no other test's participant: a hit in a log is this walk's
NOTE = "Panic on crowded buses; a walking route to the workshop is advised."
QUESTION = "Birthe's bus pass runs out on Friday: can the jobcentre renew it?"
ANSWER = "Renewed today, valid until the end of the course."
NEXT_STEPS = "Walk the route together on Wednesday morning."
SUMMARY = "Came every morning once the walking route was settled."
RESOURCES = "Patient and precise with the lathe."
WRITTEN = (NOTE, QUESTION, ANSWER, NEXT_STEPS, SUMMARY, RESOURCES)


async def _step(page: Any, name: str) -> None:
    """What every step leaves: a screenshot in artifacts/screenshots/, and axe's verdict."""
    await shot(page, f"walk-{name}")
    await assert_accessible(page, f"{name}: {page.url}")


async def _the_staff(http: httpx.AsyncClient, system: Any) -> None:
    await put_staff(http, system)
    await put_programme(http, system)
    notifications = f"{system.url('notifications')}/staff"
    kp = {"role": "contact_person", "team_leader_id": "tl-1", "country": "DK", "email": "kp-1@rca.example"}
    ok(await http.put(f"{notifications}/kp-1", json={**kp, "channels": ["inbox", "email"]}, headers=PROVIDER_ADMIN))
    cw = {"role": "caseworker", "country": "DK", "email": "cw-7@jobcenter.example", "channels": ["email"]}
    ok(await http.put(f"{notifications}/cw-7", json=cw, headers=auth(JOBCENTRE, "admin", staff="admin-j")))


async def test_the_journeys_walked_in_the_browser(
    web_system: Any, web_mail: SmtpSink, web_port: int, capfd: pytest.CaptureFixture[str]
) -> None:
    system = web_system
    identity_number = cpr_number(random.Random(1919))
    mails_before = len(web_mail.messages)
    async with (
        httpx.AsyncClient(timeout=10) as http,
        chromium() as browser,
        web_server(web_settings(system), web_port, system.clock()) as base,
    ):
        await set_clock(system, datetime(2027, 9, 1, 9, 0), first=True)
        await _the_staff(http, system)

        # -- the caseworker refers ---------------------------------------------------------------
        caseworker = await signed_in_as(browser, base, JOBCENTRE, "cw-7", "caseworker")
        await caseworker.goto("/referrals/new")
        for field, value in (
            ("#provider_org", PROVIDER),
            ("#programme_code", "RCA-UDV-13"),
            ("#participant-name", NAME),
            ("#participant-identity_number", identity_number),
            ("#goals", "Stable attendance\nMore hours each week"),
            ("#wished_start", "2027-09-06"),
            ("#wished_weekly_hours", "16"),
            ("#legal_basis", "LAB-32-1-2"),
        ):
            await caseworker.fill(field, value)
        await caseworker.get_by_role("button", name="Send", exact=True).click()
        await caseworker.get_by_text("Henvisningen er sendt.").wait_for()
        rid = caseworker.url.rsplit("/", 1)[1]
        await _step(caseworker, "01-referred")

        # -- the coordinator accepts and starts the course on the week grid ----------------------
        coordinator = await signed_in_as(browser, base, PROVIDER, "co-3", "coordinator")
        await coordinator.goto("/intake")
        accept = coordinator.locator(f"#referral-{rid}").get_by_role("button", name="Optag (venteliste hvis fuldt)")
        await accept.click()
        await coordinator.get_by_text("Optaget med opstart 2027-09-06.").wait_for()
        await _step(coordinator, "02-accepted")
        await coordinator.get_by_role("link", name="Forløb", exact=True).click()
        await coordinator.locator(f'a[href="/courses/{rid}/start"]').click()
        await coordinator.get_by_label("Kontaktperson (medarbejder-id)").fill("kp-1")
        await coordinator.get_by_label("Værksted").fill("Wood workshop")
        await coordinator.get_by_label("Afslutningsmøde (dato)").fill("2027-09-10")
        await coordinator.get_by_label("Afslutningsmøde (klokkeslæt)").fill("10:00")
        for day in ("Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag"):
            await coordinator.get_by_label(f"{day}, tidsrum 1: fra").fill("08:00")
            await coordinator.get_by_label(f"{day}, tidsrum 1: til").fill("12:00")
        await coordinator.get_by_role("button", name="Start forløbet").click()
        await coordinator.get_by_text("Forløbet starter 06.09.2027 med 20 timer om ugen.", exact=False).wait_for()
        await _step(coordinator, "03-course-started")

        # the participant's pseudonym (the e-mails name it), then attendance's week for it
        answer = await http.get(f"{system.url('referral')}/referrals/{rid}", headers=COORDINATOR)
        pid = ok(answer)["participant_id"]

        async def planned() -> bool:
            slots = await http.get(
                f"{system.url('attendance')}/participants/{pid}/slots",
                params={"from": "2027-09-06", "to": "2027-09-10"},
                headers=COORDINATOR,
            )
            return slots.status_code == 200 and len(slots.json()["slots"]) == 5

        # The clock has just jumped months: the services may still be busy with earlier tests' courses.
        await eventually(planned, timeout=60, what="attendance to plan the agreed week")

        # -- the contact person: from the alert's e-mail to a recorded contact attempt ------------
        await set_clock(system, datetime(2027, 9, 6, 8, 16))

        async def the_alert_mail() -> str | None:
            # other courses still running miss their arrivals too: this one names its participant's pseudonym
            mails = [m.body for m in web_mail.messages[mails_before:] if "kp-1@rca.example" in m.rcpt_tos]
            mails = [body for body in mails if pid in body]
            links = [re.search(r"Se advarslen: (\S+)", body) for body in mails]
            return next((found.group(1) for found in links if found), None)

        link = await eventually(the_alert_mail, timeout=60, what="the missed arrival's e-mail to the contact person")
        context = await browser.new_context(base_url=base, locale="da-DK", viewport=DESKTOP)
        contact = await context.new_page()
        await contact.goto(link)
        assert "/sign-in" in contact.url
        await contact.get_by_label("kp-1 · rca-aalborg · Kontaktperson, Værkstedsleder").check()
        await contact.get_by_role("button", name="Log ind").click()
        await contact.wait_for_url(link)
        await contact.get_by_role("link", name=NAME).wait_for()  # the alert is this participant's
        await contact.locator("#contact-attempt").get_by_role("button").click()  # no outcome chosen
        await contact.locator("#contact-outcome-error").wait_for()
        await _step(contact, "04-contact-attempt-refused")
        await contact.get_by_label("Årsag oplyst").check()
        await contact.locator("#contact-reason").select_option("illness")
        await contact.locator("#contact-attempt").get_by_role("button").click()
        await contact.get_by_text("Kontaktforsøget er registreret: Årsag oplyst.").wait_for()
        await _step(contact, "05-contact-attempt-recorded")
        await doc_shot(contact, "contact-attempt-from-the-e-mail")

        # ... and the week's talk, in the course record.
        await set_clock(system, datetime(2027, 9, 7, 13, 0))
        await contact.get_by_role("link", name=NAME).click()  # the referral, then its record
        await contact.get_by_role("link", name="Forløbsjournal").click()
        await contact.fill("#talk-held_on", "2027-09-07")
        assert await contact.get_by_label(re.compile(r"^kp-1 \(dig\)")).is_checked()  # who took part: the writer
        await contact.get_by_label("Fremmøde").check()
        await contact.get_by_label("Trivsel").check()
        await contact.fill("#talk-next_steps", NEXT_STEPS)
        await contact.get_by_role("button", name="Registrér samtale").click()
        await contact.get_by_text("Samtalen er registreret.").wait_for()
        await _step(contact, "06-talk-recorded")

        # -- a psychologist's note: not for the contact person; for the caseworker once attached --
        psychologist = await signed_in_as(browser, base, PROVIDER, "ps-1", "specialist")
        await psychologist.goto(f"/referrals/{rid}/record")
        await psychologist.locator("#note-specialism").select_option("psychologist")
        await psychologist.fill("#note-text", NOTE)
        await psychologist.get_by_role("button", name="Gem notatet").click()
        await psychologist.get_by_text("Notatet er gemt.").wait_for()
        await psychologist.get_by_text(NOTE).wait_for()
        await _step(psychologist, "07-specialist-note")
        await doc_shot(psychologist, "specialist-note")
        await contact.reload()
        await contact.get_by_text(NEXT_STEPS).wait_for()
        assert NOTE not in await contact.content()
        await caseworker.goto(f"/referrals/{rid}/record")
        assert NOTE not in await caseworker.content()
        await coordinator.goto(f"/referrals/{rid}/record")
        await coordinator.get_by_role("button", name="Vedhæft afslutningsnotatet").click()
        await coordinator.get_by_text("Vedhæftet afslutningsnotatet").first.wait_for()
        await _step(coordinator, "08-note-attached")
        await contact.reload()
        assert NOTE not in await contact.content()

        # -- messages: the contact person asks; the caseworker follows the e-mail and replies ------
        await contact.goto(f"/referrals/{rid}/messages")
        await contact.fill("#message-text", QUESTION)
        await contact.get_by_role("button", name="Send beskeden").click()
        await contact.get_by_text("Beskeden er sendt.").wait_for()
        await contact.get_by_text("Ikke læst endnu").wait_for()

        async def the_message_mail() -> str | None:
            mails = [m.body for m in web_mail.messages[mails_before:] if "cw-7@jobcenter.example" in m.rcpt_tos]
            links = [re.search(r"(http\S+/referrals/" + rid + r"/messages)", body) for body in mails]
            return next((found.group(1) for found in links if found), None)

        link = await eventually(the_message_mail, timeout=60, what="the e-mail telling the caseworker a message waits")
        await caseworker.goto(link)
        await caseworker.get_by_text(QUESTION).wait_for()
        await caseworker.get_by_role("link", name="Forløbsjournal").click()  # the course so far
        await caseworker.get_by_text(NEXT_STEPS).wait_for()
        await caseworker.get_by_text(NOTE).wait_for()
        await _step(caseworker, "09-caseworker-reads-the-record")
        await caseworker.go_back()
        await caseworker.fill("#message-text", ANSWER)
        await caseworker.get_by_role("button", name="Send beskeden").click()
        await caseworker.get_by_text("Beskeden er sendt.").wait_for()
        await caseworker.get_by_text(ANSWER).wait_for()
        await _step(caseworker, "10-caseworker-replied")
        await doc_shot(caseworker, "caseworker-replies")
        await contact.reload()
        await contact.get_by_text(ANSWER).wait_for()
        await contact.get_by_text(re.compile(r"Læst .* af cw-7")).wait_for()

        # -- the coordinator ends the course with the closing note -----------------------------
        await set_clock(system, datetime(2027, 9, 10, 13, 0))
        await coordinator.goto(f"/courses/{rid}")
        await coordinator.fill("#f-end_date", "2027-09-10")
        await coordinator.fill("#f-summary", SUMMARY)
        await coordinator.get_by_role("button", name="Afslut med afslutningsnotat").click()
        await coordinator.locator("#f-outcome-error").wait_for()  # no outcome: refused next to it
        await _step(coordinator, "11-closing-note-refused")
        await coordinator.locator("#f-outcome").select_option("education")
        await coordinator.locator("#f-goal_0").select_option("achieved")
        await coordinator.locator("#f-goal_1").select_option("partly_achieved")
        await coordinator.fill("#f-resources", RESOURCES)
        await coordinator.fill("#f-development_possibilities", "Ready for a vocational course.")
        await coordinator.get_by_role("button", name="Afslut med afslutningsnotat").click()
        await coordinator.get_by_text("Forløbet er afsluttet med afslutningsnotat.").wait_for()
        await _step(coordinator, "12-course-ended")
        await caseworker.goto(f"/referrals/{rid}")
        await caseworker.get_by_text(SUMMARY).wait_for()
        await _step(caseworker, "13-caseworker-reads-the-closing-note")
        await doc_shot(caseworker, "closing-note")

        # -- another organisation sees none of it ----------------------------------------------
        alert_path = link_path(await the_alert_mail())
        for org, staff, role in ((OTHER_JOBCENTRE, "cw-9", "caseworker"), ("rca-odense", "co-9", "coordinator")):
            other = await signed_in_as(browser, base, org, staff, role)
            await other.goto(f"/referrals/{rid}")
            if role == "caseworker":
                await doc_shot(other, "another-organisation")
            for path in (
                f"/referrals/{rid}",
                f"/referrals/{rid}/record",
                f"/referrals/{rid}/messages",
                f"/courses/{rid}",
                alert_path,
            ):
                answer = await other.goto(path)
                assert answer is not None
                assert answer.status in {403, 404}, (org, path)  # 403: a page their role has not
                text = await other.content()
                assert NAME not in text
                assert not [w for w in WRITTEN if w in text], (org, path)
            for home in ("/referrals", "/inbox", "/intake", "/courses"):
                await other.goto(home)
                assert NAME not in await other.content(), (org, home)
            await _step(other, f"14-other-organisation-{role}")
            await other.context.close()
        # An inbox left open holds its event stream, and the web server's shutdown with it.
        for page in (caseworker, coordinator, contact, psychologist):
            await page.context.close()

    # -- no name, identity number or note in the e-mails and the logs of the walk --------------
    mails = [f"{m.message['Subject']}\n{m.body}" for m in web_mail.messages[mails_before:]]
    assert len(mails) >= 2  # the missed arrival's and the message's
    logs = {f"e-mail {i}": mail for i, mail in enumerate(mails)}
    logs |= {f"{name}'s log": text for name, text in system.logs().items()}
    logs |= {f"{name}'s relay log": r.log_path.read_text(errors="replace") for name, r in system.relays.items()}
    out, err = capfd.readouterr()
    logs["the web's log"] = out + err
    assert "signin.local" in logs["the web's log"]  # the web's log lines are captured here
    for where, text in logs.items():
        for secret in (NAME, "Kjærsgaard", identity_number, *WRITTEN):
            assert secret not in text, f"{secret!r} in {where}"


def link_path(link: str | None) -> str:
    assert link
    return "/" + link.split("/", 3)[3]
