"""axe-core on every page of the web, in Danish and in English, in Debian's Chromium against the
four services as real processes: each role's person opens each page of their menu and the pages
behind them (a course, its record and messages, an alert, an outreach case, a participant's
meetings, the DPO's view of a participant, the error page). A serious or critical violation fails,
printed rule by rule. A page the web serves that no one here opens fails too: add it to EXTRA.

axe runs with the pages' Content-Security-Policy in force (forlob_testkit.axe). Runs after the
other page tests of a run (their clock ends in June 2027), or first."""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from forlob_shared.http.auth import STAFF_ROLES
from forlob_testkit.auth import auth
from forlob_testkit.axe import assert_accessible
from forlob_testkit.browser import chromium, signed_in_as
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, OTHER_JOBCENTRE, PROVIDER, referral_body
from forlob_testkit.wait import eventually
from forlob_testkit.web import (
    CONTACT_PERSON,
    COORDINATOR,
    ok,
    put_programme,
    put_staff,
    set_clock,
    start_course,
    web_in_process,
    web_server,
    web_settings,
)
from forlob_web.app import create_app
from forlob_web.web import NAV

CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
IPS = {**DEVELOPMENT_COURSE, "name": "IPS Aalborg", "kind": "ips", "shape": "meetings", "default_weeks": 26}
OUTREACH = {**DEVELOPMENT_COURSE, "name": "Outreach Aalborg", "kind": "outreach", "shape": "outreach"}
LANGUAGES = ("da", "en")
# GET routes that answer with something other than a page a person reads.
NOT_PAGES = {
    "/": "a redirect to the person's home",
    "/language/{lang}": "a redirect back, with the language's cookie",
    "/sign-in/callback": "the identity provider's redirect back",
    "/inbox/stream": "the inbox's event stream",
    "/figures/chart/{name}.{fmt}": "a chart image (its alt text is checked on /figures)",
    "/figures.csv": "a CSV download",
    "/referrals/{referral_id}/closing-note.pdf": "a PDF download (its words are checked on their own)",
    "/referrals/{referral_id}/statement/chart.svg": "a chart image (checked on the pages that show it)",
    "/dpo/participants/{participant_id}/export.json": "a JSON download",
    "/health/live": "for the platform",
    "/health/ready": "for the platform",
    "/metrics": "for the platform",
}
# Who signs in as each role.
PEOPLE = {
    "coordinator": (PROVIDER, "co-3"),
    "contact_person": (PROVIDER, "kp-1"),
    "workshop_lead": (PROVIDER, "wl-1"),
    "team_leader": (PROVIDER, "tl-1"),
    "specialist": (PROVIDER, "ps-1"),
    "dpo": (PROVIDER, "dpo-1"),
    "caseworker": (JOBCENTRE, "cw-7"),
    "admin": (JOBCENTRE, "admin-j"),
}
# The pages behind the menu, per role (the menu's own pages are taken from forlob_web.web.NAV).
# {A}: a started course; {B}: an accepted referral; {C}: a meetings course; {alert}, {case}, {pid};
# {employer}: one of the provider's register, with a general employer contact.
EXTRA = {
    "coordinator": ["/courses/{B}/start", "/courses/{A}", "/referrals/{A}", "/referrals/{A}/record"],
    "contact_person": [
        "/alerts/{alert}",
        "/outreach/new",
        "/outreach/{case}",
        "/referrals/{C}/meetings",
        "/referrals/{C}/employment",
        "/employers/{employer}",
        "/referrals/{A}",
        "/referrals/{A}/record",
        "/referrals/{A}/messages",
    ],
    "specialist": ["/referrals/{A}/record"],
    "caseworker": [
        "/referrals/new",
        "/referrals/{A}",
        "/referrals/{C}",
        "/referrals/{A}/record",
        "/referrals/{A}/messages",
        "/referrals/{A}/closing-note/print",
        "/referrals/{A}/timeline",
    ],
    "dpo": ["/dpo/participants/{pid}"],
}


def _routes(routes: list[Any]) -> list[APIRoute]:
    # Each area's router is included whole, without a prefix (forlob_web.app).
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _routes(route.original_router.routes)
    return found


def _pages() -> list[APIRoute]:
    routes = _routes(create_app().routes)
    assert len(routes) > 40, "the web's routes were not found: has FastAPI changed how routers are included?"
    return [r for r in routes if "GET" in r.methods and r.path not in NOT_PAGES]


def _template_of(routes: list[APIRoute], path: str) -> str:
    scope = {"type": "http", "method": "GET", "path": path.split("?", 1)[0]}
    matching = [r.path for r in routes if r.matches(scope)[0] == Match.FULL]
    assert matching, f"{path} is no page of the web"
    return matching[0]


async def _the_system(http: httpx.AsyncClient, system: Any, people: Any) -> dict[str, str]:
    """Something on every page: a started course with an open alert, a talk, a specialist's note
    and a message; an accepted referral; a meetings course; an outreach case; a visit; an employer
    with a contact."""
    rng = random.Random(1919)
    referral_api = system.url("referral")
    await set_clock(system, datetime(2027, 11, 1, 9, 0), first=True)
    await put_staff(http, system)
    await put_programme(http, system)
    for code, body in (("RCA-IPS", IPS), ("RCA-OPS", OUTREACH)):
        answer = await http.put(f"{referral_api}/programmes/{code}", json=body, headers=COORDINATOR)
        assert answer.status_code in {200, 201}, answer.text
    ids: dict[str, str] = {}
    for key, code, start in (("A", "RCA-UDV-13", "2027-11-08"), ("B", "RCA-UDV-13", None), ("C", "RCA-IPS", None)):
        body = referral_body(rng, code, wished_start=start or "2027-11-15")
        ids[key] = ok(await http.post(f"{referral_api}/referrals", json=body, headers=CASEWORKER), 201)["id"]
        ok(await http.post(f"{referral_api}/referrals/{ids[key]}/accept", headers=COORDINATOR))
    # The clock has just jumped months: the services may still be busy with earlier tests' courses.
    ids["pid"] = await start_course(http, system, ids["A"], "2027-11-08", timeout=60)

    coordinator, contact = await people(), await people()
    await coordinator.sign_in(PROVIDER, "co-3", "coordinator")
    await contact.sign_in(PROVIDER, "kp-1", "contact_person")
    start = {"start_date": "2027-11-15", "contact_person_id": "kp-1", "team_leader_id": "tl-1", "cadence": "weekly"}
    assert (await coordinator.post(f"/courses/{ids['C']}/start", start)).status_code == 303
    plan = {"day": "2027-11-17", "start": "10:00", "end": "11:00", "place": "workplace"}

    async def planned() -> bool:
        return (await contact.post(f"/referrals/{ids['C']}/meetings", plan)).status_code == 303

    await eventually(planned, timeout=60, what="a meeting planned once attendance knows the meetings course")
    opened = await contact.post(
        "/outreach/new", {"programme_code": "RCA-OPS", "working_name": "The woman by the library", "description": "."}
    )
    assert opened.status_code == 303, opened.text
    ids["case"] = opened.headers["location"].rsplit("/", 1)[1]
    attempt = {"place": "street", "channel": "in_person", "outcome": "meeting_agreed", "next_in_days": "3"}
    assert (await contact.post(f"/outreach/{ids['case']}/attempts", attempt)).status_code == 303
    registered = await contact.post(
        "/employers", {"country": "DK", "number": "10000009", "name": "Bageriet Ved Åen ApS", "sector": "private"}
    )
    assert registered.status_code == 303, registered.text
    ids["employer"] = registered.headers["location"].rsplit("/", 1)[1]
    general = {"employer_id": ids["employer"], "day": "2027-11-01", "kind": "first_contact"}
    ok(await http.post(f"{referral_api}/employer-contacts", json=general, headers=CONTACT_PERSON), 201)
    visit = await contact.post("/visits", {"kind": "home", "planned_end": "15:30", "colleague_id": "kp-2"})
    assert visit.status_code == 303
    talk = {"key": "talk-ax", "held_on": "2027-11-01", "staff_ids": "kp-1", "next_steps": "Four days a week"}
    assert (await contact.post(f"/referrals/{ids['A']}/record/talks", talk)).status_code == 303
    assert (await contact.post(f"/referrals/{ids['A']}/messages", {"key": "m-ax", "text": "Hello"})).status_code == 303
    specialist = await people()
    await specialist.sign_in(PROVIDER, "ps-1", "specialist")
    note = {"key": "note-ax", "specialism": "psychologist", "text": "Prefers small groups."}
    assert (await specialist.post(f"/referrals/{ids['A']}/record/specialist-notes", note)).status_code == 303

    await set_clock(system, datetime(2027, 11, 8, 8, 16))
    notifications = system.url("notifications")

    async def the_alert() -> str | None:
        answer = await http.get(f"{notifications}/inbox", params={"state": "open"}, headers=CONTACT_PERSON)
        mine = [a["id"] for a in answer.json() if a["referral_id"] == ids["A"] and a["kind"] == "absence"]
        return str(mine[0]) if mine else None

    ids["alert"] = await eventually(the_alert, timeout=60, what="the missed arrival's alert")
    return ids


async def test_axe_fails_a_page_with_a_serious_violation_and_names_it() -> None:
    """The check itself, on a page made to fail: an unlabelled field and an image without words
    (critical), text too pale to read (serious); a page without headings passes (moderate)."""
    async with chromium() as browser:
        page = await browser.new_page()
        await page.set_content(
            '<html lang="en"><body><main><img src="data:,"><input type="text">'
            '<p style="color:#bbb;background:#fff">pale</p></main></body></html>'
        )
        with pytest.raises(AssertionError) as failed:
            await assert_accessible(page, "the made-up page")
        report = str(failed.value)
        assert "axe on the made-up page" in report
        for rule in ("[critical] image-alt", "[critical] label", "[serious] color-contrast"):
            assert rule in report, report
        assert '<input type="text">' in report  # the element, to find it
        await page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main><p>plain</p></main></body></html>'
        )
        await assert_accessible(page)
        await page.close()


async def test_every_page_passes_axe_in_danish_and_english(web_system: Any) -> None:
    routes = _pages()
    assert set(PEOPLE) == STAFF_ROLES, "a role without a person here: add one to PEOPLE and its pages to EXTRA"
    system = web_system
    checked: dict[str, set[str]] = {}
    async with (
        httpx.AsyncClient(timeout=10) as http,
        web_in_process(web_settings(system), system.clock()) as people,
    ):
        ids = await _the_system(http, system, people)
    async with chromium() as browser, web_server(web_settings(system), clock=system.clock()) as base:
        for lang in LANGUAGES:
            context = await browser.new_context(base_url=base)
            await context.add_cookies([{"name": "lang", "value": lang, "url": base}])
            page = await context.new_page()
            await page.goto("/sign-in")
            await assert_accessible(page, f"/sign-in ({lang})")
            checked.setdefault("/sign-in", set()).add(lang)
            await context.close()
            for role, (org, staff) in PEOPLE.items():
                page = await signed_in_as(browser, base, org, staff, role, lang=lang)
                menu = [href for href, _, roles in NAV if role in roles]
                for pattern in menu + EXTRA.get(role, []):
                    path = pattern.format(**ids)
                    answer = await page.goto(path)
                    assert answer is not None
                    assert answer.status == 200, (role, path, answer.status)
                    assert await page.get_attribute("html", "lang") == lang
                    await assert_accessible(page, f"{path} as {role} ({lang})")
                    checked.setdefault(_template_of(routes, path), set()).add(lang)
                await page.context.close()
            # The error page: another organisation's person asks for the course.
            other = await signed_in_as(browser, base, OTHER_JOBCENTRE, "cw-9", "caseworker", lang=lang)
            for path in (f"/referrals/{ids['A']}", f"/referrals/{uuid.uuid4()}"):
                answer = await other.goto(path)
                assert answer is not None
                assert answer.status == 404
                await assert_accessible(other, f"the error page, {path} ({lang})")
            await other.context.close()
    missing = {r.path for r in routes} - {path for path, langs in checked.items() if set(LANGUAGES) <= langs}
    assert not missing, f"pages no one opens here (add them to EXTRA, or to NOT_PAGES if not a page): {missing}"
