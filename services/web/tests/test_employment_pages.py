"""The pages of work and the way into it, against a stand-in for the services
(forlob_testkit.employment_services): the IPS consultant's caseload (phase, latest employer contact,
job, a link to record either), the employer register (a number the referral service refuses shown on
its field; a new employer chosen on the form it was registered from), one employer with its contacts,
an employer contact, a job started and ended, a clarification course's result, and the caseworker's
view of the result and the work on the referral page (employers by id only). Another organisation
sees nothing; no code is left raw; each refusal is said in words.

The clock is the pages' own: Wednesday 5 May 2027, 09:30 in Aalborg."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest

from forlob_shared.clock import ManualClock
from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.employment_services import EmploymentFake, employer, spell, work
from forlob_testkit.shape_services import REFERRAL, programme, referral, serving
from forlob_testkit.web import Person, visible_text, web_in_process

NOW = datetime(2027, 5, 5, 7, 30, tzinfo=UTC)
ORG = "rca-aalborg"
JOBCENTRE = "aalborg-kommune"
EMPLOYED = "7b0c6d1e-0000-4000-8000-000000000011"
OTHERS = "7b0c6d1e-0000-4000-8000-000000000012"  # kp-2's participant
ENDED = "7b0c6d1e-0000-4000-8000-000000000013"
CLARIFYING = "7b0c6d1e-0000-4000-8000-000000000014"
BAKERY = "e0e0e0e0-0000-4000-8000-000000000001"
HARBOUR = "e0e0e0e0-0000-4000-8000-000000000002"
FOREIGN = "e0e0e0e0-0000-4000-8000-000000000009"  # another provider's employer
JOB = "5e11e11e-0000-4000-8000-000000000001"


def _errors(html: str) -> dict[str, str]:
    found = re.findall(r'class="field-error" id="([\w-]+)-error">([^<]+)<', html)
    return {k: " ".join(unescape(v).split()) for k, v in found}


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash (\w+)"[^>]*>([^<]*)</p>', html)
    return f"{found.group(1)}: {found.group(2)}" if found else ""


def _no_raw_codes(html: str) -> None:
    also = every_code() - {"home", "phone", "video", "other", "street", "planned", "weekly", "written", "oral", "no"}
    assert raw_codes(visible_text(html), also=also) == [], visible_text(html)


def _course(rid: str, code: str, name: str, contact: str, end: str | None = None) -> dict[str, Any]:
    found = referral(rid, code, name)
    found["state"] = "ended" if end else "started"
    found["referring_org"] = JOBCENTRE
    found["course"] = {"start_date": "2027-04-01", "contact_person_id": contact, "cadence": None, "end_date": end}
    return found


@pytest.fixture
def fake() -> EmploymentFake:
    found = EmploymentFake()
    clarification = programme("AFK-AAL", "meetings", "Afklaring Aalborg") | {"kind": "clarification"}
    found.programmes = {
        "IPS-AAL": programme("IPS-AAL", "meetings", "IPS Aalborg"),
        "AFK-AAL": clarification,
        "DEV-AAL": programme("DEV-AAL", "timetabled", "Development"),
    }
    found.referrals = {
        REFERRAL: _course(REFERRAL, "IPS-AAL", "Mette Nielsen", "kp-1"),
        EMPLOYED: _course(EMPLOYED, "IPS-AAL", "Jens Holm", "kp-1"),
        OTHERS: _course(OTHERS, "IPS-AAL", "Sara Lund", "kp-2"),
        ENDED: _course(ENDED, "IPS-AAL", "Ole Berg", "kp-1", end="2027-04-30"),
        CLARIFYING: _course(CLARIFYING, "AFK-AAL", "Anna Friis", "kp-1"),
    }
    found.employers = {
        BAKERY: employer(BAKERY, "Bageriet Ved Åen ApS", "10000009", contact_name="Lis Bager"),
        HARBOUR: employer(HARBOUR, "Havnens Lager A/S", "10000017", sector="public"),
        FOREIGN: employer(FOREIGN, "Fremmed Firma ApS", "10000025", org="other-provider"),
    }
    found.contacts = [
        {"id": "c1", "org": ORG, "employer_id": HARBOUR, "staff_id": "kp-1", "day": "2027-04-20",
         "kind": "first_contact", "referral_id": REFERRAL, "recorded_at": "2027-04-20T10:00:00+02:00"},
        {"id": "c2", "org": ORG, "employer_id": BAKERY, "staff_id": "kp-1", "day": "2027-04-28",
         "kind": "interview", "referral_id": REFERRAL, "recorded_at": "2027-04-28T10:00:00+02:00"},
        {"id": "c3", "org": ORG, "employer_id": BAKERY, "staff_id": "kp-1", "day": "2027-04-29",
         "kind": "first_contact", "referral_id": None, "recorded_at": "2027-04-29T10:00:00+02:00"},
    ]  # fmt: skip
    found.work = {
        REFERRAL: work(REFERRAL, "search"),
        EMPLOYED: work(
            EMPLOYED,
            "employed_with_support",
            phase_since="2027-04-26",
            spells=[spell(JOB, BAKERY, "2027-04-26", weekly_hours=12.5)],
        ),
        CLARIFYING: work(CLARIFYING, None),
    }
    return found


@pytest.fixture
async def people(fake: EmploymentFake) -> AsyncIterator[Any]:
    async with serving(fake) as settings, web_in_process(settings, ManualClock(NOW)) as people:
        yield people


async def _person(people: Any, staff: str, *roles: str, org: str = ORG, lang: str = "da") -> Person:
    person: Person = await people()
    person.http.cookies.set("lang", lang)
    await person.sign_in(org, staff, *roles)
    return person


# -- the caseload -----------------------------------------------------------------------------------


async def test_the_caseload_shows_each_participant_with_phase_latest_contact_and_job(
    people: Any, fake: EmploymentFake
) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    page = await consultant.get("/caseload")
    assert page.status_code == 200
    assert [(m, p) for m, p, _ in fake.calls if p == "/caseload"] == [("GET", "/caseload")]
    text = visible_text(page.text)
    for name in ("Mette Nielsen", "Jens Holm", "Anna Friis"):
        assert name in text
    assert "Sara Lund" not in text  # another consultant's
    assert "Ole Berg" not in text  # an ended course
    mette = page.text[page.text.index(f'id="participant-{REFERRAL}"') :]
    mette = visible_text(mette[: mette.index("</li>")])
    assert "Jobsøgning siden 03.05.2027" in mette
    assert "28.04.2027 · Jobsamtale · Bageriet Ved Åen ApS" in mette  # the latest, not the first
    assert "Intet" in mette
    jens = page.text[page.text.index(f'id="participant-{EMPLOYED}"') :]
    jens = visible_text(jens[: jens.index("</li>")])
    assert "I job eller uddannelse med støtte" in jens
    assert "Ordinært job · Bageriet Ved Åen ApS · 26.04.2027 - i gang · 12,5 timer/uge" in jens
    assert f'href="/referrals/{REFERRAL}/employment#contact"' in page.text
    assert f'href="/referrals/{EMPLOYED}/employment#job"' in page.text
    assert '<a href="/caseload" aria-current="page">Jobstøtte</a>' in page.text
    _no_raw_codes(page.text)

    leader = await _person(people, "tl-1", "team_leader")
    everyone = visible_text((await leader.get("/caseload")).text)
    assert "Sara Lund" in everyone
    assert "kp-2" in everyone  # the consultant named
    swedish = await _person(people, "kp-1", "contact_person", lang="sv")
    _no_raw_codes((await swedish.get("/caseload")).text)


async def test_the_caseload_says_a_silent_service_in_words_and_is_not_the_caseworkers(
    people: Any, fake: EmploymentFake
) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    fake.fail("GET", "/employers", 503, "Unavailable")
    page = await consultant.get("/caseload")
    assert page.status_code == 200
    jens = page.text[page.text.index(f'id="participant-{EMPLOYED}"') :]
    assert f"Arbejdsgiver #{BAKERY[:8]}" in visible_text(jens[: jens.index("</li>")])  # by id, not its name
    fake.failing.clear()
    fake.fail("GET", "/caseload", 503, "Unavailable")
    down = await consultant.get("/caseload")
    assert down.status_code == 200
    assert "Henvisningstjenesten svarer ikke lige nu." in visible_text(down.text)

    caseworker = await _person(people, "cw-1", "caseworker", org=JOBCENTRE)
    assert (await caseworker.get("/caseload")).status_code == 403
    assert (await caseworker.get("/employers")).status_code == 403
    assert (await caseworker.get(f"/employers/{BAKERY}")).status_code == 403
    assert (await caseworker.get(f"/referrals/{REFERRAL}/employment")).status_code == 403


async def _calls_of_a_caseload_of(people: Any, fake: EmploymentFake, size: int) -> list[tuple[str, str]]:
    """The calls the caseload page makes for a team leader reading ``size`` IPS participants."""
    fake.referrals = {
        rid: _course(rid, "IPS-AAL", f"Deltager {n:02}", f"kp-{n % 3}")
        for n, rid in enumerate(f"7b0c6d1e-0000-4000-8000-{n:012}" for n in range(100, 100 + size))
    }
    fake.contacts = [{**c, "referral_id": next(iter(fake.referrals))} for c in fake.contacts]
    leader = await _person(people, "tl-1", "team_leader")
    fake.calls.clear()
    page = await leader.get("/caseload")
    assert page.status_code == 200
    assert visible_text(page.text).count("Deltager ") == size
    return [(method, path) for method, path, _ in fake.calls]


async def test_the_caseload_makes_as_many_calls_for_twenty_participants_as_for_one(
    people: Any, fake: EmploymentFake
) -> None:
    one = await _calls_of_a_caseload_of(people, fake, 1)
    twenty = await _calls_of_a_caseload_of(people, fake, 20)
    assert sorted(one) == sorted(twenty)
    assert len(twenty) <= 3, twenty


async def test_another_organisation_sees_nothing(people: Any, fake: EmploymentFake) -> None:
    stranger = await _person(people, "kp-9", "contact_person", "coordinator", org="other-provider")
    caseload = visible_text((await stranger.get("/caseload")).text)
    assert "Mette Nielsen" not in caseload
    assert "Ingen deltagere i mødeforløb." in caseload
    register = visible_text((await stranger.get("/employers")).text)
    assert "Fremmed Firma ApS" in register
    assert "Bageriet" not in register
    assert (await stranger.get(f"/employers/{BAKERY}")).status_code == 404
    assert (await stranger.get(f"/referrals/{REFERRAL}/employment")).status_code == 404
    mine = await _person(people, "kp-1", "contact_person")
    assert (await mine.get(f"/employers/{FOREIGN}")).status_code == 404
    assert "Fremmed Firma" not in (await mine.get(f"/referrals/{REFERRAL}/employment")).text


# -- the employer register --------------------------------------------------------------------------


async def test_the_register_lists_registers_and_shows_one_employer_with_its_contacts(
    people: Any, fake: EmploymentFake
) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    register = await consultant.get("/employers")
    assert register.status_code == 200
    text = visible_text(register.text)
    assert text.index("Bageriet Ved Åen ApS") < text.index("Havnens Lager A/S")
    assert "Offentlig arbejdsplads" in text
    _no_raw_codes(register.text)

    empty = await consultant.post("/employers", {"country": "DK", "number": "", "name": "", "sector": ""})
    assert empty.status_code == 422
    assert _errors(empty.text) == {
        "e-number": "Angiv et CVR-nummer (8 cifre) eller et organisationsnummer (10 cifre), "
        "eller registrér uden nummer.",
        "e-name": "Skal udfyldes.",
        "e-sector": "Skal udfyldes.",
    }
    assert fake.posted("/employers") == []

    fake.numbers_refused["12345678"] = "'12345678' is not a valid CVR number: The number's checksum is wrong."
    typed = {"country": "DK", "number": "12345678", "name": "Cykelsmeden", "sector": "private"}
    refused = await consultant.post("/employers", typed)
    assert refused.status_code == 422
    assert _errors(refused.text) == {"e-number": fake.numbers_refused["12345678"]}
    assert 'aria-invalid="true" aria-describedby="e-number-error"' in refused.text
    assert 'value="Cykelsmeden"' in refused.text  # what was typed is kept

    fake.fail("POST", "/employers", 409, "Conflict", "the employer 29403473 is registered already")
    twice = await consultant.post("/employers", {**typed, "number": "29403473"})
    assert twice.status_code == 409
    assert "Henvisningstjenesten svarede: the employer 29403473 is registered already" in visible_text(twice.text)
    fake.failing.clear()

    # A Swedish sole trader's number is its owner's personnummer: refused in words, never echoed
    # back in the page's message, then registered without a number.
    sole_trader = {"country": "SE", "number": "880320-0016", "name": "Frisör Anna", "sector": "private"}
    personal = await consultant.post("/employers", sole_trader)
    assert personal.status_code == 422
    assert _errors(personal.text) == {
        "e-number": "Nummeret er et personnummer: en enskild firmas nummer er ejerens eget. "
        "Registrér firmaet uden nummer."
    }
    without = await consultant.post("/employers", {**sole_trader, "number": "", "without_number": "yes"})
    assert without.status_code == 303, without.text
    assert fake.posted("/employers")[-1]["number"] is None
    listed = visible_text((await consultant.get("/employers")).text)
    assert "Frisör Anna" in listed
    assert "uden nummer" in listed

    made = await consultant.post("/employers", {**typed, "number": "29403473", "contact_name": "Bo Smed"})
    assert made.status_code == 303
    new_id = made.headers["location"].removeprefix("/employers/")
    assert fake.posted("/employers")[-1] == {
        "country": "DK",
        "number": "29403473",
        "name": "Cykelsmeden",
        "sector": "private",
        "industry_code": None,
        "contact": {"name": "Bo Smed", "email": None, "phone": None},
    }
    one = await consultant.get(made.headers["location"])
    assert "Arbejdsgiveren er registreret." in _flash(one.text)
    assert "Cykelsmeden" in visible_text(one.text)
    assert new_id in fake.employers

    bakery = visible_text((await consultant.get(f"/employers/{BAKERY}")).text)
    assert "Lis Bager" in bakery
    assert bakery.index("29.04.2027 · Første kontakt · kp-1 · Generel jobudvikling") < bakery.index(
        "28.04.2027 · Jobsamtale · kp-1 · For en deltager"
    )


async def test_an_employer_registered_from_a_participants_page_is_chosen_there(
    people: Any, fake: EmploymentFake
) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    page = await consultant.get(f"/referrals/{REFERRAL}/employment")
    back = f"/referrals/{REFERRAL}/employment"
    assert f'href="/employers?back=/referrals/{REFERRAL}/employment#register"' in page.text
    form = await consultant.get(f"/employers?back={back}")
    assert f'name="back" value="{back}"' in form.text
    made = await consultant.post(
        "/employers", {"country": "SE", "number": "5560360793", "name": "Hamnen AB", "sector": "private", "back": back}
    )
    assert made.status_code == 303
    new_id = next(e["id"] for e in fake.employers.values() if e["name"] == "Hamnen AB")
    assert made.headers["location"] == f"{back}?employer={new_id}"
    chosen = await consultant.get(made.headers["location"])
    assert f'<option value="{new_id}" selected>Hamnen AB (5560360793)</option>' in chosen.text
    outside = await consultant.post(
        "/employers", {"country": "DK", "number": "10150817", "name": "X", "sector": "public", "back": "//evil.test"}
    )
    assert outside.headers["location"].startswith("/employers/")


# -- one participant's work -------------------------------------------------------------------------


async def test_an_employer_contact_is_recorded_with_mistakes_and_refusals_on_the_page(
    people: Any, fake: EmploymentFake
) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    page = await consultant.get(f"/referrals/{REFERRAL}/employment")
    assert page.status_code == 200
    assert 'id="contact-day" name="day" type="date" value="2027-05-05"' in page.text
    assert '<label for="contact-employer_id">Arbejdsgiver</label>' in page.text
    assert "Fremmed Firma" not in page.text
    _no_raw_codes(page.text)
    assert 'id="result"' not in page.text  # an IPS course gives no clarification result

    wrong = await consultant.post(f"/referrals/{REFERRAL}/employer-contacts", {"employer_id": "", "day": "05.05"})
    assert wrong.status_code == 422
    assert _errors(wrong.text) == {
        "contact-employer_id": "Skal udfyldes.",
        "contact-day": "Skal være en dato (ÅÅÅÅ-MM-DD).",
        "contact-kind": "Skal udfyldes.",
    }
    assert fake.posted("/employer-contacts") == []

    contact = {"employer_id": BAKERY, "day": "2027-05-05", "kind": "follow_up"}
    fake.fail("POST", "/employer-contacts", 409, "Conflict", "the course has ended")
    refused = await consultant.post(f"/referrals/{REFERRAL}/employer-contacts", contact)
    assert refused.status_code == 409
    section = refused.text[refused.text.index('id="contact"') :]
    assert "Henvisningstjenesten svarede: the course has ended" in visible_text(section[: section.index("</section>")])
    assert f'<option value="{BAKERY}" selected>' in refused.text
    fake.failing.clear()

    saved = await consultant.post(f"/referrals/{REFERRAL}/employer-contacts", contact)
    assert (saved.status_code, saved.headers["location"]) == (303, f"/referrals/{REFERRAL}/employment")
    assert fake.posted("/employer-contacts") == [{**contact, "referral_id": REFERRAL}]
    after = await consultant.get(saved.headers["location"])
    assert _flash(after.text) == "ok: Arbejdsgiverkontakten er registreret."
    assert "05.05.2027 · Opfølgning · Bageriet Ved Åen ApS · kp-1" in visible_text(after.text)
    # With the employer the participant works for, the consultant ticks the participant's consent.
    assert '<label for="contact-participant_consented">Deltageren har sagt ja til kontakten' in after.text
    agreed = await consultant.post(
        f"/referrals/{REFERRAL}/employer-contacts", {**contact, "participant_consented": "yes"}
    )
    assert agreed.status_code == 303
    assert fake.posted("/employer-contacts")[-1] == {**contact, "referral_id": REFERRAL, "participant_consented": True}


async def test_a_job_starts_and_ends_and_the_phase_follows(people: Any, fake: EmploymentFake) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    path = f"/referrals/{REFERRAL}/spells"
    wrong = await consultant.post(path, {"kind": "ordinary", "start_date": "2027-05-10", "weekly_hours": "80"})
    assert wrong.status_code == 422
    assert _errors(wrong.text) == {
        "job-employer_id": "Vælg arbejdsgiveren (kun en uddannelse kan være uden).",
        "job-weekly_hours": "Skal være et antal timer over 0 og højst 60.",
        "job-disclosure": "Skal udfyldes.",
    }
    assert fake.posted(path) == []

    fake.fail("POST", path, 422, "Invalid input", "the job cannot start before the course")
    refused = await consultant.post(
        path,
        {"kind": "flex_job", "employer_id": BAKERY, "start_date": "2027-01-01", "weekly_hours": "1"}
        | {"disclosure": "no"},
    )
    assert refused.status_code == 422
    assert "the job cannot start before the course" in visible_text(refused.text)
    assert 'id="job-disclosure-no" name="disclosure" value="no" checked' in refused.text
    fake.failing.clear()

    job = {"kind": "ordinary", "employer_id": BAKERY, "start_date": "2027-05-10", "weekly_hours": "15,5"}
    started = await consultant.post(path, {**job, "disclosure": "partly"})
    assert started.status_code == 303
    assert fake.posted(path) == [{**job, "weekly_hours": 15.5, "disclosure": "partly"}]
    page = await consultant.get(f"/referrals/{REFERRAL}/employment")
    text = visible_text(page.text)
    assert _flash(page.text) == "ok: Jobbet er registreret."
    assert "I job eller uddannelse med støtte siden 10.05.2027" in text
    assert "Ordinært job · Bageriet Ved Åen ApS · 10.05.2027 - i gang · 15,5 timer/uge · Har fortalt en del" in text

    education = await consultant.post(
        path, {"kind": "education", "start_date": "2027-08-15", "weekly_hours": "20", "disclosure": "no"}
    )
    assert education.status_code == 303
    assert fake.posted(path)[-1]["employer_id"] is None

    spell_id = fake.work[REFERRAL]["spells"][0]["id"]
    end = f"/referrals/{REFERRAL}/spells/{spell_id}/end"
    reasonless = await consultant.post(end, {"end_date": "2027-06-30"})
    assert reasonless.status_code == 422
    assert _errors(reasonless.text) == {f"end-{spell_id[:8]}-reason": "Skal udfyldes."}
    assert '<details class="tap" open><summary class="button secondary">Afslut</summary>' in reasonless.text
    fake.fail("POST", end, 422, "Invalid input", "a spell cannot end before it starts")
    early = await consultant.post(end, {"end_date": "2027-05-01", "reason": "dismissed"})
    assert early.status_code == 422
    spell_part = early.text[early.text.index(f'id="spell-{spell_id}"') :]
    assert "a spell cannot end before it starts" in visible_text(spell_part[: spell_part.index("</li>")])
    fake.failing.clear()
    ended = await consultant.post(end, {"end_date": "2027-06-30", "reason": "fixed_term_ended"})
    assert ended.status_code == 303
    assert fake.posted(end) == [{"end_date": "2027-06-30", "reason": "fixed_term_ended"}]
    after = visible_text((await consultant.get(f"/referrals/{REFERRAL}/employment")).text)
    assert "10.05.2027 - 30.06.2027 (Tidsbegrænset ansættelse udløb)" in after


async def test_a_clarification_result_is_given_and_the_caseworker_reads_it(people: Any, fake: EmploymentFake) -> None:
    consultant = await _person(people, "kp-1", "contact_person")
    page = await consultant.get(f"/referrals/{CLARIFYING}/employment")
    assert 'id="result"' in page.text
    assert 'id="result-resources-social_skills" name="resources" value="social_skills"' in page.text
    assert "En anbefaling til jobcentret, som træffer afgørelsen." in visible_text(page.text)
    _no_raw_codes(page.text)
    path = f"/referrals/{CLARIFYING}/clarification-result"
    wrong = await consultant.post(path, {"meetings_held": "-2", "day": ""})
    assert wrong.status_code == 422
    assert _errors(wrong.text) == {
        "result-recommendation": "Skal udfyldes.",
        "result-meetings_held": "Skal være et helt tal fra 0.",
        "result-day": "Skal udfyldes.",
    }
    given = await consultant.post(
        path,
        {
            "recommendation": "flex_job",
            "resources": ["social_skills", "work_experience"],  # type: ignore[dict-item]
            "challenges": ["health"],
            "meetings_held": "9",
            "work_trials": "2",
            "specialist_assessments": "1",
            "day": "2027-05-05",
        },
    )
    assert given.status_code == 303
    assert fake.posted(path) == [
        {
            "recommendation": "flex_job",
            "resources": ["social_skills", "work_experience"],
            "challenges": ["health"],
            "meetings_held": 9,
            "work_trials": 2,
            "specialist_assessments": 1,
            "day": "2027-05-05",
        }
    ]
    fake.work[CLARIFYING]["spells"] = [spell(JOB, BAKERY, "2027-04-26", kind="subsidised")]

    caseworker = await _person(people, "cw-1", "caseworker", org=JOBCENTRE)
    referral_page = await caseworker.get(f"/referrals/{CLARIFYING}")
    assert referral_page.status_code == 200
    text = visible_text(referral_page.text)
    assert "Anbefaling Fleksjob" in text
    assert "Ressourcer Sociale kompetencer, Arbejdsmarkedserfaring" in text
    assert "Udfordringer Helbred" in text
    assert "Afholdte møder 9" in text
    assert "Arbejdsprøvninger 2" in text
    assert "Job med løntilskud · Arbejdsgiver #e0e0e0e0 · 26.04.2027 - i gang" in text
    assert "Bageriet" not in text  # the register is the provider's
    assert f'href="/referrals/{CLARIFYING}/employment"' not in referral_page.text  # the provider's page
    _no_raw_codes(referral_page.text)
    assert (await caseworker.post(path, {"recommendation": "flex_job"})).status_code == 403

    again = await consultant.get(f"/referrals/{CLARIFYING}/employment")
    assert 'action="/referrals/' + CLARIFYING + '/clarification-result"' not in again.text
    assert "Anbefaling Fleksjob" in visible_text(again.text)
    leader = await _person(people, "tl-1", "team_leader")
    fake.work[CLARIFYING]["clarification_result"] = None
    assert "Intet resultat endnu." in visible_text((await leader.get(f"/referrals/{CLARIFYING}/employment")).text)
