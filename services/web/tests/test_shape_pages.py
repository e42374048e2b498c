"""The pages for programmes without a timetable, against a stand-in for the services
(forlob_testkit.shape_services): a meetings course started with its cadence (no week grid) and an outreach
programme with no start at all; the contact person's week of meetings (held with topics,
cancelled with a reason, the next one planned); the outreach caseload, overdue first, and a case
from the first attempt through consent and identity to the handover; visits started and ended, and
the team leader's open visits. Each page: a person's mistake named next to its field, a service's
refusal or silence said in words (never a 500), no code left raw, the roles that may use it.

The clock is the pages' own (the stand-in has none): Wednesday 5 May 2027, 09:30 in Aalborg."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from forlob_shared.clock import ManualClock
from forlob_shared.texts import CODES, every_code, raw_codes
from forlob_testkit.shape_services import (
    CASE,
    HELD,
    MEETING,
    OTHERS_VISIT,
    OUTREACH_REFERRAL,
    QUIET_CASE,
    REFERRAL,
    VISIT,
    Fake,
    case,
    meeting,
    programme,
    referral,
    serving,
    visit,
)
from forlob_testkit.web import Person, visible_text, web_in_process

NOW = datetime(2027, 5, 5, 7, 30, tzinfo=UTC)
MISSED = "3e3e3e3e-0000-4000-8000-000000000003"  # 09:30 in Aalborg (summer time)
ORG = "rca-aalborg"


def _errors(html: str) -> dict[str, str]:
    return {k: " ".join(v.split()) for k, v in re.findall(r'class="field-error" id="([\w-]+)-error">([^<]+)<', html)}


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash (\w+)"[^>]*>([^<]*)</p>', html)
    return f"{found.group(1)}: {found.group(2)}" if found else ""


def _no_raw_codes(html: str) -> None:
    also = every_code() - {"home", "phone", "video", "other", "street", "planned", "weekly", "written", "oral"}
    assert raw_codes(visible_text(html), also=also) == [], visible_text(html)


@pytest.fixture
def fake() -> Fake:
    found = Fake()
    found.programmes = {
        "IPS-AAL": programme("IPS-AAL", "meetings", "IPS Aalborg"),
        "OPS-AAL": programme("OPS-AAL", "outreach", "Outreach Aalborg"),
    }
    found.referrals = {
        REFERRAL: referral(REFERRAL, "IPS-AAL", "Mette Nielsen"),
        OUTREACH_REFERRAL: referral(OUTREACH_REFERRAL, "OPS-AAL", "Ole Berg"),
    }
    found.meetings = [
        meeting(MEETING, "2027-05-05T09:00:00+02:00", "2027-05-05T10:00:00+02:00"),
        meeting(HELD, "2027-05-03T13:00:00+02:00", "2027-05-03T13:45:00+02:00", "held", ["job_search"]),
        meeting(MISSED, "2027-05-04T08:00:00+02:00", "2027-05-04T09:00:00+02:00", "missed"),
    ]
    found.cases = {
        QUIET_CASE: case(QUIET_CASE, "The woman with the red bike", next_attempt_by="2027-05-20", attempts=1),
        CASE: case(
            CASE,
            "The man at the station kiosk",
            next_attempt_by="2027-05-01",
            overdue=True,
            attempts=2,
            last_attempt_at="2027-04-24T08:00:00+02:00",
        ),
    }
    return found


@pytest.fixture
async def people(fake: Fake) -> AsyncIterator[Any]:
    async with serving(fake) as settings, web_in_process(settings, ManualClock(NOW)) as people:
        yield people


async def _person(people: Any, staff: str, *roles: str, lang: str = "da") -> Person:
    person: Person = await people()
    person.http.cookies.set("lang", lang)
    await person.sign_in(ORG, staff, *roles)
    return person


# -- the start of a course: a cadence for a meetings programme, none for outreach ------------------


async def test_a_meetings_course_starts_with_its_cadence_and_an_outreach_programme_has_no_start(
    people: Any, fake: Fake
) -> None:
    coordinator = await _person(people, "co-3", "coordinator")
    form = await coordinator.get(f"/courses/{REFERRAL}/start")
    assert form.status_code == 200
    assert 'name="cadence" value="fortnightly"' in form.text
    assert 'id="w0_1_start"' not in form.text  # no week grid
    _no_raw_codes(form.text)

    nothing = await coordinator.post(
        f"/courses/{REFERRAL}/start", {"start_date": "2027-05-10", "contact_person_id": ""}
    )
    assert nothing.status_code == 422
    assert _errors(nothing.text) == {"f-contact_person_id": "Skal udfyldes.", "f-cadence": "Vælg hvor ofte I mødes."}
    planned = {"start_date": "2027-05-10", "contact_person_id": "kp-1", "cadence": "planned"}
    gapless = await coordinator.post(f"/courses/{REFERRAL}/start", planned)
    assert _errors(gapless.text)["f-max_days_between"].startswith("Angiv hvor mange dage")
    assert fake.posted(f"/referrals/{REFERRAL}/start") == []

    fake.fail("POST", f"/referrals/{REFERRAL}/start", 409, "Wrong shape", "this programme is timetabled")
    refused = await coordinator.post(f"/courses/{REFERRAL}/start", {**planned, "max_days_between": "10"})
    assert refused.status_code == 409
    assert "Henvisningstjenesten svarede: this programme is timetabled" in visible_text(refused.text)
    assert 'value="10"' in refused.text  # what was typed is kept
    fake.failing.clear()

    started = await coordinator.post(
        f"/courses/{REFERRAL}/start", {**planned, "cadence": "fortnightly", "team_leader_id": "tl-1"}
    )
    assert (started.status_code, started.headers["location"]) == (303, f"/courses/{REFERRAL}")
    body = fake.posted(f"/referrals/{REFERRAL}/start")[-1]
    assert body["cadence"] == {"kind": "fortnightly", "max_days_between": 14}
    assert "schedule" not in body
    assert body["weeks"] == 26
    course = await coordinator.get(started.headers["location"])
    assert "Forløbet starter 10.05.2027: Hver anden uge, højst 14 dage mellem møderne." in course.text
    assert "course.agreed_week" not in course.text
    assert "Hver anden uge" in visible_text(course.text)
    assert f'href="/referrals/{REFERRAL}/meetings"' in course.text
    assert 'name="cadence" value="fortnightly" checked' in course.text  # to change from
    assert 'id="w0_1_start"' not in course.text
    _no_raw_codes(course.text)
    change = {"effective_from": "2027-05-03", "contact_person_id": "kp-1", "cadence": "planned"}
    early = await coordinator.post(f"/courses/{REFERRAL}/agreement", change)
    assert early.status_code == 422
    assert _errors(early.text) == {
        "f-effective_from": "Kan ikke ligge før forløbets start.",
        "f-max_days_between": "Angiv hvor mange dage der højst må gå mellem to møder.",
    }
    changed = await coordinator.post(
        f"/courses/{REFERRAL}/agreement", {**change, "effective_from": "2027-06-01", "max_days_between": "21"}
    )
    assert changed.status_code == 303
    assert fake.posted(f"/referrals/{REFERRAL}/agreement") == [
        {
            "effective_from": "2027-06-01",
            "cadence": {"kind": "planned", "max_days_between": 21},
            "contact_person_id": "kp-1",
            "team_leader_id": None,
        }
    ]
    assert "Hvor ofte I mødes er ændret." in (await coordinator.get(f"/courses/{REFERRAL}")).text

    outreach = await coordinator.get(f"/courses/{OUTREACH_REFERRAL}/start")
    assert 'id="no-start"' in outreach.text
    assert 'action="/courses/' not in outreach.text
    refused_start = await coordinator.post(f"/courses/{OUTREACH_REFERRAL}/start", planned)
    assert refused_start.status_code == 409
    assert fake.posted(f"/referrals/{OUTREACH_REFERRAL}/start") == []


# -- the contact person's week of meetings ----------------------------------------------------------


async def test_the_week_of_meetings_records_held_cancelled_and_the_next_one(people: Any, fake: Fake) -> None:
    contact = await _person(people, "kp-1", "contact_person")
    week = await contact.get("/meetings")
    assert week.status_code == 200
    text = visible_text(week.text)
    assert "Mandag 03.05.2027" in text
    assert "Søndag 09.05.2027" in text
    assert text.index("Mandag 03.05.2027") < text.index("Jobsøgning") < text.index("Onsdag 05.05.2027")
    assert "Mette Nielsen" in text
    assert "På arbejdspladsen" in text
    assert f'action="/meetings/{MEETING}/held"' in week.text
    assert f'action="/meetings/{HELD}/held"' not in week.text  # a held meeting has no taps
    assert f'action="/meetings/{MISSED}/held"' in week.text  # came late after all
    assert f'action="/meetings/{MISSED}/cancel"' not in week.text
    assert 'name="topics" value="employer_contact"' in week.text
    assert 'id="minutes-' + MEETING + '" name="duration_minutes" type="number"' in week.text
    assert 'value="60"' in week.text  # its planned length, to change
    assert f'id="began-{MEETING}" name="began" type="time" value="09:00"' in week.text  # its planned start
    _no_raw_codes(week.text)
    assert ("GET", "/meetings", None) in fake.calls

    back = "/meetings?week=2027-05-03"
    held = await contact.http.post(
        f"/meetings/{MEETING}/held",
        data={
            "csrf": contact.csrf,
            "duration_minutes": "50",
            "topics": ["job_search", "employer_contact"],
            "back": back,
        },
    )
    assert (held.status_code, held.headers["location"]) == (303, back)
    assert fake.posted(f"/meetings/{MEETING}/held") == [
        {"duration_minutes": 50, "topics": ["job_search", "employer_contact"]}
    ]
    assert _flash((await contact.get(back)).text) == "ok: Mødet er registreret som holdt."

    fake.meetings[0]["state"] = "planned"
    wrong = await contact.post(f"/meetings/{MEETING}/held", {"duration_minutes": "0", "back": back})
    assert wrong.status_code == 303
    assert _flash((await contact.get(back)).text) == "error: Varigheden skal være 1 til 480 minutter."
    elsewhere = await contact.post(
        f"/meetings/{MEETING}/held", {"duration_minutes": "30", "back": "https://evil.example/"}
    )
    assert elsewhere.headers["location"] == "/meetings"  # only the pages' own paths

    no_reason = await contact.post(f"/meetings/{MEETING}/cancel", {"back": back})
    assert no_reason.status_code == 303
    assert _flash((await contact.get(back)).text) == "error: Vælg en årsag til aflysningen."
    fake.fail("POST", f"/meetings/{MEETING}/cancel", 409, "Conflict", "the meeting has begun")
    late = await contact.post(f"/meetings/{MEETING}/cancel", {"reason": "illness", "back": back})
    assert late.status_code == 303
    assert _flash((await contact.get(back)).text) == "error: Fremmødetjenesten svarede: the meeting has begun"
    fake.failing.clear()
    await contact.post(f"/meetings/{MEETING}/cancel", {"reason": "illness", "back": back})
    assert fake.posted(f"/meetings/{MEETING}/cancel")[-1] == {"cancelled_by": "participant", "reason": "illness"}

    # -- planning the next meeting: summer time is +02:00 on the wall --------------------------
    plan = {"day": "2027-05-12", "start": "09:00", "end": "08:00", "place": "", "back": back}
    mistaken = await contact.post(f"/referrals/{REFERRAL}/meetings", plan)
    assert mistaken.status_code == 422
    assert _errors(mistaken.text) == {
        "plan-end": "Sluttiden skal ligge efter starttiden.",
        "plan-place": "Vælg hvor I mødes.",
    }
    assert 'value="2027-05-12"' in mistaken.text
    past = await contact.post(f"/referrals/{REFERRAL}/meetings", {**plan, "day": "2027-05-04"})
    assert _errors(past.text)["plan-day"] == "Dagen er gået."
    fake.fail("POST", f"/referrals/{REFERRAL}/meetings", 409, "Wrong shape", "not a meetings course")
    refused = await contact.post(f"/referrals/{REFERRAL}/meetings", {**plan, "end": "10:00", "place": "phone"})
    assert refused.status_code == 409
    assert "Fremmødetjenesten svarede: not a meetings course" in visible_text(refused.text)
    fake.failing.clear()
    planned = await contact.post(f"/referrals/{REFERRAL}/meetings", {**plan, "end": "10:00", "place": "phone"})
    assert (planned.status_code, planned.headers["location"]) == (303, back)
    assert fake.posted(f"/referrals/{REFERRAL}/meetings")[-1] == {
        "starts_at": "2027-05-12T09:00:00+02:00",
        "ends_at": "2027-05-12T10:00:00+02:00",
        "place": "phone",
        "staff_id": "kp-1",
    }
    assert _flash((await contact.get(back)).text) == "ok: Mødet er planlagt 12.05.2027 kl. 09:00."

    one = await contact.get(f"/referrals/{REFERRAL}/meetings")
    assert one.status_code == 200
    assert f'action="/meetings/{MEETING}/move"' not in one.text  # cancelled above: not moved
    new = fake.meetings[-1]["meeting_id"]
    assert f'id="move-{new}-start" name="start" type="time" value="09:00"' in one.text
    back_one = f"/referrals/{REFERRAL}/meetings"
    gone = await contact.post(
        f"/meetings/{new}/move",
        {"day": "2027-05-01", "start": "09:00", "end": "10:00", "place": "phone", "back": back_one},
    )
    assert gone.headers["location"] == back_one
    assert _flash((await contact.get(back_one)).text) == "error: Dagen er gået."
    moved = await contact.post(
        f"/meetings/{new}/move",
        {"day": "2027-05-13", "start": "13:00", "end": "14:00", "place": "home", "back": back_one},
    )
    assert moved.status_code == 303
    assert (
        "PUT",
        f"/meetings/{new}",
        {
            "starts_at": "2027-05-13T13:00:00+02:00",
            "ends_at": "2027-05-13T14:00:00+02:00",
            "place": "home",
            "staff_id": "kp-1",
        },
    ) in fake.calls
    assert _flash((await contact.get(back_one)).text) == "ok: Mødet er flyttet."
    assert "Mette Nielsen" in one.text
    assert "Telefon" in visible_text(one.text)
    _no_raw_codes(one.text)


async def test_the_week_of_meetings_says_when_attendance_does_not_answer(people: Any, fake: Fake) -> None:
    contact = await _person(people, "kp-1", "contact_person", lang="sv")
    fake.fail("GET", "/meetings", 503, "Unavailable")
    down = await contact.get("/meetings?week=2027-05-10")
    assert down.status_code == 200
    assert "Närvarotjänsten" in visible_text(down.text)
    assert "Måndag 2027-05-10" in visible_text(down.text)
    fake.fail("POST", f"/meetings/{MEETING}/held", 500, "Internal Server Error")
    broken = await contact.post(f"/meetings/{MEETING}/held", {"duration_minutes": "30"})
    assert broken.status_code == 303
    assert _flash((await contact.get("/meetings")).text).startswith("error: Närvarotjänsten svarade")


# -- the outreach caseload and one case -------------------------------------------------------------


async def test_the_caseload_shows_overdue_contacts_first(people: Any, fake: Fake) -> None:
    contact = await _person(people, "kp-1", "contact_person", lang="sv")
    page = await contact.get("/outreach")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert text.index("The man at the station kiosk") < text.index("The woman with the red bike")
    assert "Kontakt försenad" in text
    assert "Kontaktskapande" in text
    assert "2027-05-20" in text
    _no_raw_codes(page.text)
    closed = await contact.get("/outreach?closed=1")
    assert ("GET", "/outreach/cases", None) in fake.calls
    assert closed.status_code == 200
    fake.fail("GET", "/outreach/cases", 503, "Unavailable")
    down = await contact.get("/outreach")
    assert down.status_code == 200
    assert "Remisstjänsten" in visible_text(down.text) or "svarar inte" in visible_text(down.text)


async def test_an_outreach_case_from_first_attempt_to_handover(people: Any, fake: Fake) -> None:
    contact = await _person(people, "kp-1", "contact_person")
    blank = await contact.get("/outreach/new")
    assert '<option value="OPS-AAL">Outreach Aalborg</option>' in blank.text
    assert "IPS-AAL" not in blank.text  # only outreach programmes take cases
    nameless = await contact.post("/outreach/new", {"programme_code": "OPS-AAL", "description": "By the kiosk"})
    assert nameless.status_code == 422
    assert _errors(nameless.text) == {"f-working_name": "Skal udfyldes."}
    assert "By the kiosk" in nameless.text
    fake.fail("POST", "/outreach/cases", 422, "Invalid input", "programme_code: not an outreach programme")
    refused = await contact.post("/outreach/new", {"programme_code": "OPS-AAL", "working_name": "The new one"})
    assert refused.status_code == 422
    assert "Henvisningstjenesten svarede: programme_code: not an outreach programme" in visible_text(refused.text)
    fake.failing.clear()
    opened = await contact.post(
        "/outreach/new", {"programme_code": "OPS-AAL", "working_name": "The new one", "description": "Bench, park"}
    )
    assert opened.status_code == 303
    assert fake.posted("/outreach/cases") == [
        {"programme_code": "OPS-AAL", "working_name": "The new one", "description": "Bench, park"}
    ]

    page = await contact.get(f"/outreach/{CASE}")
    assert page.status_code == 200
    assert 'action="/outreach/' + CASE + '/attempts"' in page.text
    assert f'action="/outreach/{CASE}/identify"' not in page.text  # not before consent
    assert f'action="/outreach/{CASE}/consent"' in page.text
    _no_raw_codes(page.text)

    half = await contact.post(f"/outreach/{CASE}/attempts", {"place": "street", "next_in_days": "200"})
    assert half.status_code == 422
    assert _errors(half.text) == {
        "f-channel": "Vælg en.",
        "f-outcome": "Vælg en.",
        "f-next_in_days": "Skal være 1 til 92 dage.",
    }
    attempt = {"place": "street", "channel": "in_person", "outcome": "brief_contact", "next_in_days": "3"}
    done = await contact.post(f"/outreach/{CASE}/attempts", attempt)
    assert done.status_code == 303
    assert fake.posted(f"/outreach/cases/{CASE}/attempts") == [
        {"place": "street", "channel": "in_person", "outcome": "brief_contact", "next_within_days": 3}
    ]
    after = await contact.get(f"/outreach/{CASE}")
    assert "Kort kontakt" in visible_text(after.text)
    assert "Kontaktforsøget er gemt." in after.text

    reasonless = await contact.post(f"/outreach/{CASE}/phase", {"phase": "closed"})
    assert _errors(reasonless.text) == {"f-close_reason": "Angiv hvorfor sagen afsluttes."}
    helped = await contact.post(f"/outreach/{CASE}/phase", {"phase": "closed", "close_reason": "not_in_target_group"})
    assert _errors(helped.text) == {"f-helped_on_to": "Angiv hvem personen blev hjulpet videre til."}
    await contact.post(f"/outreach/{CASE}/phase", {"phase": "relationship"})
    assert fake.posted(f"/outreach/cases/{CASE}/phase") == [
        {"phase": "relationship", "close_reason": None, "helped_on_to": None}
    ]

    future = await contact.post(f"/outreach/{CASE}/consent", {"method": "oral", "given_on": "2027-05-06"})
    assert _errors(future.text) == {"f-given_on": "Dagen er ikke kommet endnu."}
    await contact.post(f"/outreach/{CASE}/consent", {"method": "oral", "given_on": "2027-05-05"})
    assert fake.posted(f"/outreach/cases/{CASE}/consent") == [
        {"method": "oral", "given_at": "2027-05-05T09:30:00+02:00"}
    ]
    consented = await contact.get(f"/outreach/{CASE}")
    assert f'action="/outreach/{CASE}/identify"' in consented.text
    fake.fail("POST", f"/outreach/cases/{CASE}/identify", 422, "Invalid input", "not a valid CPR number")
    bad_number = await contact.post(f"/outreach/{CASE}/identify", {"name": "Jens Hansen", "identity_number": "123"})
    assert bad_number.status_code == 422
    assert "not a valid CPR number" in bad_number.text
    assert 'value="123"' not in bad_number.text  # an identity number is never drawn back
    fake.failing.clear()
    await contact.post(f"/outreach/{CASE}/identify", {"name": "Jens Hansen", "identity_number": "211062-5629"})
    assert fake.posted(f"/outreach/cases/{CASE}/identify")[-1] == {
        "name": "Jens Hansen",
        "identity_number": "2110625629",
        "identity_scheme": "dk_cpr",
    }
    identified = await contact.get(f"/outreach/{CASE}")
    _no_raw_codes(identified.text)
    _no_raw_codes(consented.text)
    assert f'action="/outreach/{CASE}/handover"' in identified.text
    assert "Jens Hansen" in identified.text
    providerless = await contact.post(f"/outreach/{CASE}/handover", {"programme_code": "IPS-AAL"})
    assert _errors(providerless.text) == {"f-provider_org": "Skal udfyldes."}
    await contact.post(f"/outreach/{CASE}/handover", {"programme_code": "IPS-AAL", "provider_org": "ips-aalborg"})
    assert fake.posted(f"/outreach/cases/{CASE}/handover") == [
        {"programme_code": "IPS-AAL", "provider_org": "ips-aalborg"}
    ]
    handed = await contact.get(f"/outreach/{CASE}")
    assert f'href="/referrals/{OUTREACH_REFERRAL}"' in handed.text
    _no_raw_codes(handed.text)


# -- visits ------------------------------------------------------------------------------------------


async def test_a_visit_is_started_and_ended_and_the_team_leader_sees_the_open_ones(people: Any, fake: Fake) -> None:
    contact = await _person(people, "kp-1", "contact_person")
    page = await contact.get("/visits")
    assert 'action="/visits"' in page.text
    assert 'value="10:30"' in page.text
    _no_raw_codes(page.text)
    past = await contact.post("/visits", {"kind": "home", "planned_end": "09:00"})
    assert past.status_code == 422
    assert _errors(past.text) == {"f-planned_end": "Sluttiden skal ligge senere end nu."}
    kindless = await contact.post("/visits", {"planned_end": "11:00"})
    assert _errors(kindless.text) == {"f-kind": "Vælg slags besøg."}
    fake.fail("POST", "/visits", 503, "Unavailable")
    down = await contact.post("/visits", {"kind": "home", "planned_end": "11:00"})
    assert down.status_code == 503
    assert "svarer ikke" in visible_text(down.text) or "Besked-tjenesten" in visible_text(down.text)
    fake.failing.clear()
    started = await contact.post("/visits", {"kind": "street", "planned_end": "11:00", "colleague_id": "kp-2"})
    assert started.status_code == 303
    assert fake.posted("/visits") == [
        {"kind": "street", "planned_end": "2027-05-05T11:00:00+02:00", "colleague_id": "kp-2"}
    ]
    on = await contact.get("/visits")
    assert "Besøget er startet; afslut det senest kl. 11:00." in on.text
    assert "Du er på besøg" in on.text
    assert "Gadebesøg" in visible_text(on.text)
    own = fake.visits[-1]["id"]
    assert f'action="/visits/{own}/end"' in on.text
    ended = await contact.post(f"/visits/{own}/end")
    assert ended.status_code == 303
    assert fake.posted(f"/visits/{own}/end") == [{}]
    assert "Besøget er afsluttet." in (await contact.get("/visits")).text

    fake.visits += [
        visit(VISIT, "kp-4", "2027-05-05T09:00:00+02:00", overdue=True, colleague_id="kp-5"),
        visit(OTHERS_VISIT, "kp-6", "2027-05-05T12:00:00+02:00"),
    ]
    leader = await _person(people, "tl-1", "team_leader")
    team = await leader.get("/visits")
    text = visible_text(team.text)
    assert text.index("kp-4") < text.index("kp-6")
    assert "Over tiden" in text
    assert "med kp-5" in text
    _no_raw_codes(team.text)


# -- roles, navigation and the new alerts' words -----------------------------------------------------


async def test_each_page_is_for_its_roles_and_the_menu_shows_only_those(people: Any) -> None:
    lead = await _person(people, "wl-1", "workshop_lead")
    for path in ("/meetings", "/outreach", f"/outreach/{CASE}", f"/referrals/{REFERRAL}/meetings"):
        assert (await lead.get(path)).status_code == 403, path
    visits = await lead.get("/visits")
    assert visits.status_code == 200
    assert 'href="/visits"' in visits.text
    assert 'href="/meetings"' not in visits.text
    assert 'href="/outreach"' not in visits.text
    caseworker = await _person(people, "cw-1", "caseworker")
    assert (await caseworker.get("/visits")).status_code == 403
    assert (await caseworker.post(f"/meetings/{MEETING}/held", {"duration_minutes": "30"})).status_code == 403
    contact = await _person(people, "kp-1", "contact_person")
    menu = (await contact.get("/meetings")).text
    assert all(f'href="{p}"' in menu for p in ("/meetings", "/outreach", "/visits"))
    signed_out: Person = await people()
    assert (await signed_out.http.get("/outreach")).headers["location"] == "/sign-in?next=/outreach"


@pytest.mark.parametrize("kind", ["visit_overdue", "meeting_overdue", "outreach_contact_overdue"])
async def test_the_new_alerts_say_what_happened_in_words(people: Any, fake: Fake, kind: str) -> None:
    facts: dict[str, Any] = {
        "visit_overdue": {
            "visit_id": VISIT,
            "visit_staff_id": "kp-4",
            "visit_kind": "home",
            "planned_end": "2027-05-05T09:00:00+02:00",
        },
        "meeting_overdue": {"due_by": "2027-05-04", "max_days_between": 14, "last_meeting_day": "2027-04-20"},
        "outreach_contact_overdue": {"case_id": CASE, "due_by": "2027-05-01", "last_attempt_at": None},
    }[kind]
    fake.alert = {
        "id": "a1b2c3d4-0000-4000-8000-000000000000",
        "kind": kind,
        "state": "open",
        "referral_id": REFERRAL if kind == "meeting_overdue" else None,
        "participant_ref": None,
        "programme_code": "IPS-AAL",
        "occurred_at": "2027-05-05T07:15:00+00:00",
        "raised_at": "2027-05-05T07:16:00+00:00",
        "due_at": "2027-05-05T07:46:00+00:00",
        "escalated_to": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "acknowledgement_note": None,
        "close_reason": None,
        "timezone": "Europe/Copenhagen",
        "facts": facts,
    }
    leader = await _person(people, "tl-1", "team_leader")
    page = await leader.get(f"/alerts/{fake.alert['id']}")
    assert page.status_code == 200
    text = visible_text(page.text)
    if kind == "visit_overdue":
        assert "Medarbejder kp-4" in text
        assert "Hjemmebesøg" in text
        assert "05.05. 09:00" in text
    elif kind == "meeting_overdue":
        assert "04.05.2027" in text
        assert "højst 14 dage mellem møderne" in text
        assert f'href="/referrals/{REFERRAL}/meetings"' in page.text
    else:
        assert f'href="/outreach/{CASE}"' in page.text
    if kind in CODES["alert_kind"]:  # the words come with the notifications branch (shared texts)
        _no_raw_codes(page.text)
