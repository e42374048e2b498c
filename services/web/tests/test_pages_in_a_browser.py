"""The pages in a real browser (Debian's Chromium, headless, driven by Playwright) against the web
app served by uvicorn and the four services as real processes: a contact person who is also the
workshop lead sees a missed arrival arrive in the inbox without reloading, acknowledges it with
the keyboard only and checks the participant in; a coordinator accepts the referral; a caseworker
reads the referral; a person of another organisation sees none of it. Every page is saved as a
screenshot in artifacts/screenshots/ (CI keeps them) and checked by axe (forlob_testkit.axe)."""

from __future__ import annotations

import os
import random
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.axe import assert_accessible
from forlob_testkit.outside import SmtpSink
from forlob_testkit.scenario import JOBCENTRE, OTHER_JOBCENTRE, auth, referral_body
from forlob_testkit.wait import eventually
from forlob_testkit.web import (
    CONTACT_PERSON,
    COORDINATOR,
    PROVIDER_ADMIN,
    ok,
    put_programme,
    put_staff,
    set_clock,
    start_course,
    web_server,
    web_settings,
)

CHROMIUM = Path("/usr/bin/chromium")
DEMO_CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-1")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


def _browser_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("FORLOB_REQUIRE_BROWSER"):
        pytest.fail(f"FORLOB_REQUIRE_BROWSER is set but {CHROMIUM} is missing: run `make browser`")
    pytest.skip(f"{CHROMIUM} is missing (Debian's chromium; `make browser` installs it)")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    _browser_or_skip()
    from playwright.async_api import async_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def _signed_in(browser: Any, base: str, person: str) -> Any:
    """A new browser context signed in through the local sign-in page as the demo person ``person``."""
    context = await browser.new_context(base_url=base, locale="da-DK", viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.get_by_label(person).check()
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)
    return page


async def _shot(page: Any, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    await assert_accessible(page, name)


async def test_a_morning_in_the_browser(browser: Any, web_system: Any, web_port: int) -> None:
    rng = random.Random(12)
    system = web_system
    async with httpx.AsyncClient(timeout=10) as http:
        # After the other web tests' course (they leave the clock on 7 December), or first in a run.
        await set_clock(system, datetime(2026, 12, 7, 9, 0), first=True)
        await put_staff(http, system)
        await put_programme(http, system)
        body = referral_body(rng, wished_start="2026-12-14")
        name = body["participant"]["name"]
        referred = await http.post(f"{system.url('referral')}/referrals", json=body, headers=DEMO_CASEWORKER)
        rid = ok(referred, 201)["id"]

        async with web_server(web_settings(system), web_port, system.clock()) as base:
            sign_in = await (await browser.new_context(base_url=base, locale="en-GB")).new_page()
            await sign_in.goto("/sign-in")
            await _shot(sign_in, "01-sign-in")

            # The coordinator accepts the referral on the intake board.
            coordinator = await _signed_in(browser, base, "co-1 · rca-aalborg · Koordinator")
            assert coordinator.url.endswith("/intake")
            await _shot(coordinator, "02-intake-board")
            await coordinator.get_by_role("button", name="Optag (venteliste hvis fuldt)").click()
            await coordinator.get_by_text("Optaget med opstart 2026-12-14.").wait_for()
            await _shot(coordinator, "03-intake-accepted")

            await set_clock(system, datetime(2026, 12, 14, 7, 0))
            pid = await start_course(http, system, rid, "2026-12-14")

            # The contact person watches the inbox; the missed arrival arrives without a reload.
            contact = await _signed_in(browser, base, "kp-1 · rca-aalborg · Kontaktperson, Værkstedsleder")
            assert contact.url.endswith("/inbox")
            await contact.locator("#alerts[data-live=ready]").wait_for(state="attached")
            await contact.evaluate("window.sameDocument = true")
            await set_clock(system, datetime(2026, 12, 14, 8, 16))
            # Earlier courses may have left alerts open: this one is the one with the participant's name.
            alert = contact.locator("#alerts li.alert", has_text=name)
            await alert.wait_for(timeout=15_000)
            assert await contact.evaluate("window.sameDocument === true"), "the page was reloaded"
            await _shot(contact, "04-inbox-live-alert")

            # Acknowledge with the keyboard only: Tab to the note, type it, Enter.
            for _ in range(40):
                await contact.keyboard.press("Tab")
                focused = await contact.evaluate(
                    "(n) => { const e = document.activeElement; const li = e.closest('li.alert');"
                    " return e.id.startsWith('note-') && li && li.innerText.includes(n) ? e.id : ''; }",
                    name,
                )
                if focused:
                    break
            else:
                pytest.fail("the note field cannot be reached with Tab")
            alert_id = focused.removeprefix("note-")
            await contact.keyboard.type("called, ill, back tomorrow")
            await contact.keyboard.press("Enter")
            await contact.get_by_text("Advarslen er kvitteret.").wait_for()
            acknowledged = ok(
                await http.get(f"{system.url('notifications')}/alerts/{alert_id}", headers=CONTACT_PERSON)
            )
            assert acknowledged["state"] == "acknowledged"
            assert acknowledged["acknowledgement_note"] == "called, ill, back tomorrow"
            await _shot(contact, "05-inbox-acknowledged")

            # Today's attendance: the participant is missing, then checked in.
            await contact.goto("/attendance")
            await contact.get_by_role("heading", name="Mangler nu (1)").wait_for()
            await _shot(contact, "06-attendance-missing")
            await set_clock(system, datetime(2026, 12, 14, 8, 20))
            await contact.get_by_role("button", name=f"Tjek ind: {name}").click()
            await contact.get_by_text("Tjekket ind. 20 min. forsinket").wait_for()
            await contact.get_by_role("heading", name="Mangler nu (0)").wait_for()
            await _shot(contact, "07-attendance-checked-in")

            async def checked_in() -> bool:
                answer = await http.get(
                    f"{system.url('attendance')}/participants/{pid}/slots",
                    params={"from": "2026-12-14", "to": "2026-12-14"},
                    headers=CONTACT_PERSON,
                )
                return bool(answer.json()["slots"][0]["checked_in_at"])

            await eventually(checked_in, what="the check-in in the attendance service")

            # The caseworker follows the referral; the form for a new one.
            caseworker = await _signed_in(browser, base, "cw-1 · jobcenter-aalborg · Sagsbehandler")
            await caseworker.locator(f"a[href='/referrals/{rid}']").wait_for()
            await _shot(caseworker, "08-my-referrals")
            await caseworker.goto(f"/referrals/{rid}")
            await caseworker.get_by_role("heading", name=f"Henvisning #{rid[:8]}: {name}").wait_for()
            await _shot(caseworker, "09-referral")
            await caseworker.goto("/referrals/new")
            await caseworker.get_by_label("Ønskede timer pr. uge").fill("many")
            await caseworker.get_by_role("button", name="Send").click()
            await caseworker.get_by_text("Skal være et tal.").wait_for()
            assert await caseworker.get_by_text("Skal udfyldes.").count() == 4
            await _shot(caseworker, "10-referral-form-error")

            # The team leader's figures.
            team_leader = await _signed_in(browser, base, "tl-1 · rca-aalborg · Teamleder")
            await team_leader.goto("/figures?start=2026-11-01&end=2026-12-14")
            await team_leader.locator("img[alt='Belægning pr. dag']").wait_for()
            # Polled from the test (the protocol's evaluate), not with wait_for_function: that polls
            # inside the page with eval, which the pages' Content-Security-Policy refuses.
            await eventually(
                lambda: team_leader.evaluate(
                    "() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)"
                ),
                timeout=60.0,
                interval=0.2,
                what="every chart drawn",
            )
            await _shot(team_leader, "11-figures")

            # Another organisation sees none of it.
            context = await browser.new_context(base_url=base, locale="da-DK")
            other = await context.new_page()
            await other.goto("/sign-in")
            await other.get_by_text("… eller angiv selv").click()
            await other.get_by_label("Organisation").fill(OTHER_JOBCENTRE)
            await other.get_by_label("Medarbejder-id").fill("cw-9")
            await other.get_by_label("Roller (adskilt af komma)").fill("caseworker")
            await other.get_by_role("button", name="Log ind").click()
            await other.wait_for_url(lambda url: "/sign-in" not in url)
            answer = await other.goto(f"/referrals/{rid}")
            assert answer is not None
            assert answer.status == 404
            assert name not in await other.content()
            await _shot(other, "12-other-organisation-not-found")
            for page in (sign_in, coordinator, contact, caseworker, team_leader, other):
                await page.context.close()


async def test_the_link_in_an_alert_e_mail_opens_the_alert_page(
    browser: Any, web_system: Any, web_mail: SmtpSink, web_port: int
) -> None:
    """The contact person follows the link in the missed-arrival e-mail: signed out, the sign-in
    leads on to the alert's page; signed in, the link opens it at once; it is acknowledged there."""
    rng = random.Random(13)
    system = web_system
    base = f"http://127.0.0.1:{web_port}"  # the public web address the system's e-mails link to
    async with httpx.AsyncClient(timeout=10) as http:
        # After the other browser test's course (it leaves the clock on 14 December), or first.
        await set_clock(system, datetime(2027, 1, 4, 9, 0), first=True)
        await put_staff(http, system)
        await put_programme(http, system)
        # kp-1 takes e-mail now (the other tests' kp-1 reads the inbox only)
        staff = {"role": "contact_person", "team_leader_id": "tl-1", "country": "DK", "email": "kp-1@rca.example"}
        ok(
            await http.put(
                f"{system.url('notifications')}/staff/kp-1",
                json={**staff, "channels": ["inbox", "email"]},
                headers=PROVIDER_ADMIN,
            )
        )
        body = referral_body(rng, wished_start="2027-01-11")
        name = body["participant"]["name"]
        rid = ok(await http.post(f"{system.url('referral')}/referrals", json=body, headers=DEMO_CASEWORKER), 201)["id"]
        accept = f"{system.url('referral')}/referrals/{rid}/accept"
        ok(await http.post(accept, headers={**COORDINATOR, "Idempotency-Key": f"accept-{rid}"}))
        await set_clock(system, datetime(2027, 1, 11, 7, 0))
        pid = await start_course(http, system, rid, "2027-01-11")
        await set_clock(system, datetime(2027, 1, 11, 8, 16))

        async def the_mail() -> str | None:
            # other courses still running miss their arrivals too: this one names its participant's pseudonym
            mails = [m.body for m in web_mail.to("kp-1@rca.example") if pid in m.body]
            return mails[0] if mails else None

        mail = await eventually(the_mail, timeout=20, what="the missed arrival's e-mail to the contact person")
        assert name not in mail
        assert raw_codes(mail, also=every_code()) == [], mail
        found = re.search(r"Se advarslen: (\S+)", mail)
        assert found, mail
        link = found.group(1)
        assert link.startswith(f"{base}/alerts/"), link  # the web's page, not the notifications API
        alert_id = link.rsplit("/", 1)[1]

        async with web_server(web_settings(system), web_port, system.clock()):
            context = await browser.new_context(locale="da-DK", viewport={"width": 1200, "height": 800})
            page = await context.new_page()
            # Signed out: the link asks for the sign-in, then leads on to the alert.
            await page.goto(link)
            assert "/sign-in" in page.url
            await page.get_by_label("kp-1 · rca-aalborg · Kontaktperson, Værkstedsleder").check()
            await page.get_by_role("button", name="Log ind").click()
            await page.wait_for_url(link)
            await page.get_by_role("heading", name="Udeblivelse").wait_for()
            await page.get_by_role("link", name=name).wait_for()  # the participant, as the referral shows them
            await _shot(page, "13-alert-from-the-e-mail")

            # Signed in: the link opens the page at once; the alert is acknowledged on it.
            answer = await page.goto(link)
            assert answer is not None
            assert answer.status == 200
            assert page.url == link
            text = await page.inner_text("main")
            assert raw_codes(text, also=every_code()) == [], text
            assert "Åben" in text
            await page.get_by_label("Note (valgfri)").fill("called, ill, back tomorrow")
            await page.get_by_role("button", name="Kvittér").click()
            await page.get_by_text("Advarslen er kvitteret.").wait_for()
            await page.get_by_text("Kvitteret af kp-1").wait_for()
            await _shot(page, "14-alert-acknowledged")
            stored = ok(await http.get(f"{system.url('notifications')}/alerts/{alert_id}", headers=CONTACT_PERSON))
            assert (stored["state"], stored["acknowledged_by"]) == ("acknowledged", "kp-1")

            # Another organisation's person gets "not found" for the same link.
            other = await (await browser.new_context(locale="da-DK")).new_page()
            await other.goto(f"{base}/sign-in")
            await other.get_by_label("cw-1 · jobcenter-odense · Sagsbehandler").check()
            await other.get_by_role("button", name="Log ind").click()
            await other.wait_for_url(lambda url: "/sign-in" not in url)
            elsewhere = await other.goto(link)
            assert elsewhere is not None
            assert elsewhere.status == 404
            assert name not in await other.content()
            await context.close()
            await other.context.close()


async def test_a_course_started_on_the_week_grid(browser: Any, web_system: Any, web_port: int) -> None:
    """The coordinator starts an accepted referral's course on the week grid, in the browser: a
    time outside the opening hours is refused next to its field, corrected, and the course starts."""
    rng = random.Random(14)
    system = web_system
    async with httpx.AsyncClient(timeout=10) as http:
        # After the e-mail test's course (it leaves the clock on 11 January), or first.
        await set_clock(system, datetime(2027, 2, 1, 9, 0), first=True)
        await put_staff(http, system)
        await put_programme(http, system)
        # A goal is what a person typed: "weekly" in it is English, not the cadence's code left raw.
        goals = [{"text": "Stable attendance"}, {"text": "More hours each week"}]
        body = referral_body(rng, wished_start="2027-02-08", goals=goals)
        rid = ok(await http.post(f"{system.url('referral')}/referrals", json=body, headers=DEMO_CASEWORKER), 201)["id"]
        ok(await http.post(f"{system.url('referral')}/referrals/{rid}/accept", headers=COORDINATOR))

        async with web_server(web_settings(system), web_port, system.clock()) as base:
            page = await _signed_in(browser, base, "co-1 · rca-aalborg · Koordinator")
            await page.get_by_role("link", name="Forløb", exact=True).click()
            await page.locator(f'a[href="/courses/{rid}/start"]').click()
            await page.get_by_role("heading", name="Start forløbet").wait_for()
            assert await page.get_by_label("Startdato").input_value() == "2027-02-08"  # the intake date
            await page.get_by_label("Kontaktperson (medarbejder-id)").fill("kp-1")
            await page.get_by_label("Værksted").fill("Wood workshop")
            await page.get_by_label("Afslutningsmøde (dato)").fill("2027-05-03")
            await page.get_by_label("Afslutningsmøde (klokkeslæt)").fill("10:00")
            for day in ("Mandag", "Tirsdag", "Onsdag", "Torsdag"):
                await page.get_by_label(f"{day}, tidsrum 1: fra").fill("08:00")
                await page.get_by_label(f"{day}, tidsrum 1: til").fill("12:00")
            await page.get_by_label("Fredag, tidsrum 1: fra").fill("08:00")
            await page.get_by_label("Fredag, tidsrum 1: til").fill("14:30")  # Friday closes at 14:00
            await _shot(page, "15-course-week-grid")
            await page.get_by_role("button", name="Start forløbet").click()
            error = page.locator("#w4_1-error")
            await error.wait_for()
            assert await error.inner_text() == "Uden for åbningstiden (07:30-14:00)."
            friday_end = page.get_by_label("Fredag, tidsrum 1: til")
            assert await friday_end.get_attribute("aria-invalid") == "true"
            assert await friday_end.get_attribute("aria-describedby") == "w4_1-error"
            await _shot(page, "16-course-outside-opening-hours")
            await friday_end.fill("12:00")
            await page.get_by_role("button", name="Start forløbet").click()
            await page.get_by_text("Forløbet starter 08.02.2027 med 20 timer om ugen.", exact=False).wait_for()
            assert page.url.endswith(f"/courses/{rid}")
            text = await page.inner_text("main")
            assert raw_codes(text, also=every_code()) == [], text
            await _shot(page, "17-course-started")
            started = ok(await http.get(f"{system.url('referral')}/referrals/{rid}", headers=COORDINATOR))
            assert started["state"] == "started"
            assert len(started["course"]["schedule"]) == 5
            await page.context.close()
