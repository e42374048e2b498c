"""Which next step the caseworker's timeline is about: a proposal, its withdrawal or decline, and the
referral on say the programme (by the catalogue's name where the referral service gives it, else its
code), the provider, how it lies against this course and its planned first day, in the reader's
language; a code the catalogues do not know falls back to itself; a decline says nothing of who or
why (the partner event carries neither, and the page adds none)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_shared.clock import ManualClock
from forlob_shared.partner import partner_event_types
from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.web import settings_for, visible_text, web_in_process
from forlob_web import timeline
from forlob_web.timeline import Known, told_detail
from forlob_web.web import Web

RID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e70"
NEXT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e71"
PROPOSAL = "0a0b0c0d-0000-4000-8000-0000000000a1"
OTHER_PROPOSAL = "0a0b0c0d-0000-4000-8000-0000000000a2"
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
P = "dk.forlob.partner."
PROPOSED = {
    "proposal_id": PROPOSAL,
    "next_programme_code": "RCA-FYS",
    "next_provider_org": "rca-aalborg",
    "relation": "overlap",
    "planned_start": "2026-12-07",
    "previous_planned_end": "2027-02-05",
    "proposed_at": "2026-11-20T09:00:00Z",
}
SECOND = PROPOSED | {
    "proposal_id": OTHER_PROPOSAL,
    "next_programme_code": "HJ-JOB",
    "next_provider_org": "hjerting-job",
    "relation": "sequence",
    "planned_start": "2027-02-08",
}
PLANNED = {
    "next_referral_id": NEXT,
    "next_programme_code": "HJ-JOB",
    "next_provider_org": "hjerting-job",
    "relation": "sequence",
    "planned_start": "2027-02-08",
    "previous_planned_end": "2027-02-05",
    "referred_at": "2026-11-26T10:00:00Z",
}
TOLD = [
    {"type": P + "programme.next_step_proposed.v1", "time": "2026-11-20T09:00:00Z", "data": PROPOSED},
    {
        "type": P + "programme.next_step_declined.v1",
        "time": "2026-11-23T09:00:00Z",
        "data": {"proposal_id": PROPOSAL, "declined_at": "2026-11-23T09:00:00Z"},
    },
    {"type": P + "programme.next_step_proposed.v1", "time": "2026-11-24T09:00:00Z", "data": SECOND},
    {
        "type": P + "programme.next_step_withdrawn.v1",
        "time": "2026-11-25T09:00:00Z",
        "data": {"proposal_id": OTHER_PROPOSAL, "withdrawn_at": "2026-11-25T09:00:00Z"},
    },
    {"type": P + "programme.next_step_planned.v1", "time": "2026-11-26T10:00:00Z", "data": PLANNED},
]
# The catalogue knows the first provider's programme; the second's is not (yet) defined there.
NAMES = {("rca-aalborg", "RCA-FYS"): "Fysisk træning"}
# What a decline must never show, though a caseworker chose them in Forløb: the reason and the staff.
NEVER = ("participant_not_ready", "cw-7", "kp-1", "Borgeren er ikke klar", "The participant is not ready")


def _known() -> Known:
    return Known(NAMES, timeline.proposals(TOLD))


@pytest.mark.parametrize(
    ("lang", "proposed", "planned"),
    [
        (
            "da",
            "Fysisk træning (RCA-FYS) · rca-aalborg · Overlapper dette forløb · Planlagt start 07.12.2026",
            "HJ-JOB · hjerting-job · Efter dette forløb · Planlagt start 08.02.2027",
        ),
        (
            "en",
            "Fysisk træning (RCA-FYS) · rca-aalborg · Overlaps this course · Planned start 07.12.2026",
            "HJ-JOB · hjerting-job · After this course · Planned start 08.02.2027",
        ),
    ],
)
def test_each_next_step_event_says_which_step_in_the_readers_language(lang: str, proposed: str, planned: str) -> None:
    words, known = Web.words(lang), _known()
    assert told_detail("programme.next_step_proposed", PROPOSED, words, known).startswith(proposed)
    # The decline and the withdrawal carry only the proposal's id: the proposal as told says which.
    declined = told_detail("programme.next_step_declined", TOLD[1]["data"], words, known)
    assert declined == told_detail("programme.next_step_proposed", PROPOSED, words, known)
    withdrawn = told_detail(
        "programme.next_step_withdrawn", {"proposal_id": OTHER_PROPOSAL, "withdrawn_at": "x"}, words, known
    )
    assert withdrawn.startswith(planned), withdrawn  # the second proposal: its programme's code, no name
    assert told_detail("programme.next_step_planned", PLANNED, words, known).startswith(planned)
    for text in (declined, withdrawn):
        assert raw_codes(text, also=every_code() if lang != "en" else set()) == [], text


@pytest.mark.parametrize(("lang", "day"), [("da", "Planlagt start 08.02.2027"), ("sv", "Planerad start 2027-02-08")])
def test_the_planned_start_is_a_day_in_each_languages_way(lang: str, day: str) -> None:
    assert told_detail("programme.next_step_planned", PLANNED, Web.words(lang), _known()).endswith(day)


def test_unknown_codes_and_missing_facts_fall_back_readably() -> None:
    words = Web.words("en")
    odd = PROPOSED | {"next_programme_code": "NEW-PROG", "relation": "alongside"}
    # Neither the catalogue nor the relation's words know them: the codes as they were told.
    assert told_detail("programme.next_step_proposed", odd, words, _known()) == (
        "NEW-PROG · rca-aalborg · alongside · Planned start " + words["day_text"]("2026-12-07")
    )
    # No catalogue at all (the referral service down): the code, never an empty detail.
    assert told_detail("programme.next_step_proposed", PROPOSED, words).startswith("RCA-FYS · rca-aalborg")
    # A fact missing leaves no dangling separator or label.
    bare = {"next_programme_code": "RCA-FYS", "relation": "sequence"}
    assert told_detail("programme.next_step_planned", bare, words) == "RCA-FYS · After this course"
    # A decline of a proposal this timeline does not hold (told before the history kept): nothing.
    assert told_detail("programme.next_step_declined", {"proposal_id": "gone"}, words, _known()) == ""
    assert told_detail("programme.next_step_withdrawn", {}, words, _known()) == ""


def test_a_decline_shows_no_reason_or_staff_even_if_an_event_carried_them() -> None:
    # The contract carries neither; were a future producer to add them, the page still shows the step only.
    extra = {"proposal_id": PROPOSAL, "declined_at": "x", "reason": "participant_not_ready", "staff_id": "cw-7"}
    for lang in ("da", "sv", "en"):
        said = told_detail("programme.next_step_declined", extra, Web.words(lang), _known())
        assert "RCA-FYS" in said
        assert not any(word in said for word in NEVER), said


def test_the_timeline_looks_up_only_the_programmes_next_steps_name() -> None:
    assert timeline.next_step_programmes(TOLD) == {("rca-aalborg", "RCA-FYS"), ("hjerting-job", "HJ-JOB")}
    # Events that name no programme ask the catalogue for nothing.
    assert timeline.next_step_programmes([{"type": P + "programme.started.v1", "data": {}}]) == set()


def test_every_partner_event_of_the_next_step_has_its_facts_on_the_timeline() -> None:
    words, known = Web.words("en"), _known()
    samples = {
        "programme.next_step_proposed": PROPOSED,
        "programme.next_step_planned": PLANNED,
        "programme.next_step_withdrawn": {"proposal_id": PROPOSAL},
        "programme.next_step_declined": {"proposal_id": PROPOSAL},
    }
    next_steps = {cls.name for cls in partner_event_types().values() if cls.name.startswith("programme.next_step")}
    assert next_steps == set(samples)  # a new next-step type must be given its facts here
    for name, data in samples.items():
        assert "Planned start" in told_detail(name, data, words, known), name


def test_entries_name_the_programmes_and_keep_order() -> None:
    found = timeline.entries(TOLD, [], None, Web.words("da"), ZoneInfo("Europe/Copenhagen"), NAMES)
    assert [e.detail.split(" · ")[0] for e in found] == [
        "Fysisk træning (RCA-FYS)",
        "Fysisk træning (RCA-FYS)",
        "HJ-JOB",
        "HJ-JOB",
        "HJ-JOB",
    ]


@contextlib.asynccontextmanager
async def _services(asked: list[tuple[str, str | None]]) -> AsyncIterator[str]:
    async def referral(request: Request) -> JSONResponse:
        body = {"id": RID, "programme_code": "RCA-UDV-13", "provider_org": "rca-aalborg", "state": "started"}
        return JSONResponse(body | {"received_at": "2026-11-02T09:00:00+00:00", "participant": {"name": "Ida Lund"}})

    async def programme(request: Request) -> JSONResponse:
        code, provider = request.path_params["code"], request.query_params.get("provider_org")
        asked.append((code, provider))
        name = NAMES.get((str(provider), code))
        if name is None:
            problem = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no such programme"}
            return JSONResponse(problem, status_code=404, media_type="application/problem+json")
        return JSONResponse({"provider_org": provider, "code": code, "name": name})

    async def told(request: Request) -> JSONResponse:
        return JSONResponse(TOLD)

    async def messages(request: Request) -> JSONResponse:
        return JSONResponse({"referral_id": RID, "your_side": "referrer", "messages": []})

    async def statement(request: Request) -> JSONResponse:
        return JSONResponse({"referral_id": RID, "weeks": [], "totals": {}})

    app = Starlette(
        routes=[
            Route("/referrals/{rid}", referral),
            Route("/programmes/{code}", programme),
            Route("/referrals/{rid}/told", told),
            Route("/referrals/{rid}/messages", messages),
            Route("/statements/{rid}", statement),
        ]
    )
    async with serving_app(app) as url:
        yield url


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "da",
            [
                "Udbyderen foreslår et næste skridt · Fysisk træning (RCA-FYS) · rca-aalborg · Overlapper dette "
                "forløb · Planlagt start 07.12.2026",
                "Forslaget afvist af sagsbehandleren · Fysisk træning (RCA-FYS)",
                "Udbyderen foreslår et næste skridt · HJ-JOB · hjerting-job · Efter dette forløb",
                "Forslaget trukket tilbage af udbyderen · HJ-JOB · hjerting-job",
                "Henvist videre til næste skridt · HJ-JOB · hjerting-job · Efter dette forløb · Planlagt start "
                "08.02.2027",
            ],
        ),
        (
            "en",
            [
                "The provider proposes a next step · Fysisk træning (RCA-FYS) · rca-aalborg · Overlaps this course",
                "The proposal declined by the caseworker · Fysisk træning (RCA-FYS)",
                "The provider proposes a next step · HJ-JOB · hjerting-job · After this course",
                "The proposal withdrawn by the provider · HJ-JOB · hjerting-job",
                "Referred on to the next step · HJ-JOB · hjerting-job · After this course · Planned start 08.02.2027",
            ],
        ),
    ],
)
async def test_the_timeline_page_says_which_next_step(lang: str, lines: list[str]) -> None:
    asked: list[tuple[str, str | None]] = []
    async with _services(asked) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        page = await caseworker.get(f"/referrals/{RID}/timeline", headers={"Accept-Language": lang})
        assert page.status_code == 200, page.text
        read = visible_text(page.text)
        places = [read.find(line) for line in lines]
        assert -1 not in places, (lines, read)
        assert places == sorted(places), read  # oldest first
        # The signed-in caseworker's own id is in the page's header; the timeline itself names no one.
        listed = visible_text(page.text[page.text.index('<ol class="timeline">') :])
        assert not any(word in listed for word in NEVER), listed
        assert raw_codes(read, also=every_code() if lang != "en" else set()) == [], read
        # Each programme looked up once, at its own provider; the unknown one shows its code, no error.
        assert sorted(asked) == [("HJ-JOB", "hjerting-job"), ("RCA-FYS", "rca-aalborg")]
        assert 'role="alert"' not in page.text
