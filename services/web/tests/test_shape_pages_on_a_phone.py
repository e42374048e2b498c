"""The pages for meetings, outreach and visits on a phone-sized screen (390 by 844, Debian's
Chromium driven by Playwright) against the stand-in for the services (forlob_testkit.shape_services):
no page is wider than the screen, and a meeting is recorded as held in three taps. Every page is
saved as a screenshot in artifacts/screenshots/ and checked by axe (forlob_testkit.axe)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from forlob_shared.clock import ManualClock
from forlob_testkit.axe import assert_accessible
from forlob_testkit.shape_services import CASE, MEETING, REFERRAL, Fake, case, meeting, programme, referral, serving
from forlob_testkit.web import web_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
NOW = datetime(2027, 5, 5, 7, 30, tzinfo=UTC)


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


def _fake() -> Fake:
    fake = Fake()
    fake.programmes = {"IPS-AAL": programme("IPS-AAL", "meetings", "IPS Aalborg")}
    fake.referrals = {REFERRAL: referral(REFERRAL, "IPS-AAL", "Mette Nielsen")}
    fake.meetings = [meeting(MEETING, "2027-05-05T09:00:00+02:00", "2027-05-05T10:00:00+02:00")]
    fake.cases = {CASE: case(CASE, "The man at the station kiosk", next_attempt_by="2027-05-01", overdue=True)}
    return fake


async def _wider_than_the_screen(page: Any) -> int:
    width: int = await page.evaluate("document.documentElement.scrollWidth")
    return width - PHONE["width"]


async def test_the_pages_fit_a_phone_and_a_meeting_is_held_in_three_taps(browser: Any) -> None:
    fake = _fake()
    async with serving(fake) as settings, web_server(settings, clock=ManualClock(NOW)) as base:
        context = await browser.new_context(base_url=base, locale="da-DK", viewport=PHONE, is_mobile=True)
        page = await context.new_page()
        await page.goto("/sign-in")
        await page.get_by_text("… eller angiv selv").click()
        await page.fill("#org", "rca-aalborg")
        await page.fill("#staff", "kp-1")
        await page.fill("#roles", "contact_person,team_leader")
        await page.get_by_role("button", name="Log ind").click()
        await page.wait_for_url(lambda url: "/sign-in" not in url)

        for path, name in (
            ("/meetings?week=2027-05-03", "phone-meetings"),
            (f"/referrals/{REFERRAL}/meetings", "phone-meetings-of-one"),
            ("/outreach", "phone-outreach"),
            (f"/outreach/{CASE}", "phone-outreach-case"),
            ("/visits", "phone-visits"),
        ):
            answer = await page.goto(path)
            assert answer is not None
            assert answer.status == 200, path
            await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            assert await _wider_than_the_screen(page) <= 0, path
            await assert_accessible(page, name)

        await page.goto("/meetings?week=2027-05-03")
        card = page.locator(f"#meeting-{MEETING}")
        await card.get_by_text("Holdt", exact=True).first.click()  # 1: open the form
        await card.get_by_label("Jobsøgning").check()  # 2: a topic
        assert await _wider_than_the_screen(page) <= 0
        await page.screenshot(path=str(SCREENSHOTS / "phone-meeting-held-form.png"), full_page=True)
        await assert_accessible(page, "the meeting's form open")
        await card.get_by_role("button", name="Gem: mødet er holdt").click()  # 3: save
        await page.wait_for_url("**/meetings?week=2027-05-03")
        assert await page.locator(".flash").inner_text() == "Mødet er registreret som holdt."
        assert fake.posted(f"/meetings/{MEETING}/held") == [
            {"duration_minutes": 60, "topics": ["job_search"], "held_at": "2027-05-05T09:00:00+02:00"}
        ]

        await page.goto("/visits")
        start = page.get_by_role("button", name="Start besøget")
        box = await start.bounding_box()
        assert box is not None
        assert box["height"] >= 44  # a target a thumb hits
        await context.close()


async def test_the_work_pages_fit_a_phone_and_an_employer_contact_takes_four_taps(browser: Any) -> None:
    from forlob_testkit.employment_services import EmploymentFake, employer, spell, work

    fake = EmploymentFake()
    fake.programmes = {"IPS-AAL": programme("IPS-AAL", "meetings", "IPS Aalborg")}
    fake.referrals = {REFERRAL: referral(REFERRAL, "IPS-AAL", "Mette Nielsen")}
    fake.referrals[REFERRAL]["course"] = {"start_date": "2027-04-01", "contact_person_id": "kp-1", "end_date": None}
    bakery = "e0e0e0e0-0000-4000-8000-000000000001"
    fake.employers = {bakery: employer(bakery, "Bageriet Ved Åen ApS", "10000009")}
    fake.work = {REFERRAL: work(REFERRAL, "employed_with_support", spells=[spell("s1", bakery, "2027-04-26")])}
    async with serving(fake) as settings, web_server(settings, clock=ManualClock(NOW)) as base:
        context = await browser.new_context(base_url=base, locale="da-DK", viewport=PHONE, is_mobile=True)
        page = await context.new_page()
        await page.goto("/sign-in")
        await page.get_by_text("… eller angiv selv").click()
        await page.fill("#org", "rca-aalborg")
        await page.fill("#staff", "kp-1")
        await page.fill("#roles", "contact_person")
        await page.get_by_role("button", name="Log ind").click()
        await page.wait_for_url(lambda url: "/sign-in" not in url)

        for path, name in (
            ("/caseload", "phone-caseload"),
            ("/employers", "phone-employers"),
            (f"/employers/{bakery}", "phone-employer"),
            (f"/referrals/{REFERRAL}/employment", "phone-employment"),
        ):
            answer = await page.goto(path)
            assert answer is not None
            assert answer.status == 200, path
            await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            assert await _wider_than_the_screen(page) <= 0, path

        await page.goto("/caseload")
        await page.get_by_role("link", name="Registrér arbejdsgiverkontakt").click()  # 1: to the form
        form = page.locator("#contact")
        await form.get_by_label("Arbejdsgiver").select_option(bakery)  # 2: the employer
        await form.get_by_label("Slags").select_option("first_contact")  # 3: the kind (the day is today's)
        await form.get_by_role("button", name="Registrér arbejdsgiverkontakt").click()  # 4: save
        await page.wait_for_url(f"**/referrals/{REFERRAL}/employment")
        assert await page.locator(".flash").inner_text() == "Arbejdsgiverkontakten er registreret."
        assert fake.posted("/employer-contacts") == [
            {"employer_id": bakery, "day": "2027-05-05", "kind": "first_contact", "referral_id": REFERRAL}
        ]
        await context.close()
