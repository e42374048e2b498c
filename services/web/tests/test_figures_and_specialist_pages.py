"""The team leader's figures page, the closing note's attendance chart and the specialist's home,
against stand-in services that answer as reporting, notifications and referral do: what each
page asks for, what it shows in each language, and what it leaves out."""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfReader
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forlob_shared.clock import ManualClock
from forlob_shared.texts import DEFINITIONS, every_code, raw_codes
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.web import settings_for, visible_text, web_in_process

RID = "5b0c1f43-3c0e-4b8a-9f59-0d1c2a7e6b11"
LATE = "a1b2c3d4-0000-0000-0000-000000000001"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NAME = "Karen Holm"
ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _row(median: float, rate: float, unexcused: int, *, shape: str = "timetabled") -> dict[str, Any]:
    if shape == "meetings":
        return {"provider_org": "ips-nord", "programme_code": "IPS-M", "meetings": {"planned": 6, "share_held": 0.5}}
    return {
        "provider_org": "rca-aalborg",
        "programme_code": "RCA-UDV-13",
        "referrals_received": 9,
        "waiting_days": {"count": 4, "median": median, "p90": 20.0},
        "occupancy": {"capacity": 14, "mean_seats_used": 11.25, "peak_seats_used": 13, "mean_occupancy": 0.8036},
        "attendance": {"attendance_rate": rate, "unexcused_absences": unexcused, "absences_by_reason": {"illness": 2}},
        "outcomes": {"ended": 3, "share_work_or_education": 0.6667, "by_outcome": {"ordinary_employment": 2}},
        "alerts": {"with_deadline": 10, "share_acknowledged_in_time": 0.9},
    }


def _alert(alert_id: str, due: str, **more: Any) -> dict[str, Any]:
    return {
        "id": alert_id,
        "kind": "absence",
        "state": "open",
        "referral_id": RID,
        "programme_code": "RCA-UDV-13",
        "recipient_staff_id": "kp-1",
        "escalated_to": None,
        "raised_at": "2026-12-01T07:30:00+00:00",
        "due_at": due,
        **more,
    }


def _dist(count: int, median: float | None) -> dict[str, Any]:
    return {"count": count, "median": median, "p90": median}


IPS_ROW = {
    "provider_org": "rca-aalborg",
    "programme_code": "IPS-AAL",
    "caseload": {"as_of": "2026-11-29", "per_contact_person": {"kp-1": 21, "kp-2": 12}, "max": 21,
                 "threshold_max": 20, "within_threshold": False, "contact_persons_over_threshold": 1},
    "rapid_job_search": {"courses": 8, "measured_from_start": 1, "days_to_first_employer_contact": _dist(6, 9.5),
                         "decided": 7, "share_within_threshold": 0.8571, "threshold_days": 30},
    "employer_contacts": {"total": 52, "for_participants": 40, "weeks": 12.71,
                          "per_consultant": {"kp-1": {"contacts": 30, "per_week": 2.36}}},
    "into_work_or_education": {"courses_ended": 4, "ever_employed": 3, "share": 0.75},
    "days_start_to_first_job": _dist(3, 61.0),
    "time_unlimited_support": {"as_of": "2026-11-29", "in_support": 5, "days_in_support": _dist(5, 140.0)},
    "follow_along_days": {**_dist(2, 300.0), "share_at_least_threshold": 0.5, "threshold_days": 365},
    "jobs_ended": {"count": 2, "by_reason": {"resigned": 1, "new_job": 1}, "search_resumed": 1},
}  # fmt: skip
CLARIFICATION_ROW = {
    "provider_org": "rca-aalborg",
    "programme_code": "AFK-AAL",
    "results": 6,
    "by_recommendation": {"flex_job": 2, "ordinary_work_or_education": 4},
    "meetings_held": _dist(6, 7.5),
    "with_work_trial": 4,
    "with_specialist_assessment": 1,
}
HANDOVER_ROW = {
    "provider_org": "rca-aalborg",
    "programme_code": "FYS-AAL",
    "next_provider_org": "rca-aalborg",
    "next_programme_code": "RCA-UDV-13",
    "handovers": 4,
    "overlapping": 3,
    "days_without_programme": {"median": 0.0, "mean": 1.75},
    "share_without_gap": 0.75,
    "not_started": 1,
    "next_step_not_taken": 0,
}
PROPOSAL_ROW = {
    "provider_org": "rca-aalborg",
    "programme_code": "FYS-AAL",
    "proposals": 6,
    "accepted": 2,
    "declined": 2,
    "declined_by_reason": {
        "another_step_planned": 0,
        "participant_not_ready": 2,
        "not_the_right_programme": 0,
        "no_longer_relevant": 0,
        "other": 0,
    },
    "withdrawn": 1,
    "open": 1,
    "median_days_to_decision": 3.5,
}
PROGRAMMES = [
    {"code": "IPS-AAL", "kind": "ips", "provider_org": "rca-aalborg", "shape": "meetings"},
    {"code": "RCA-UDV-13", "kind": "development_course", "provider_org": "rca-aalborg"},
    {"code": "IPS-ODE", "kind": "ips", "provider_org": "aspa-odense", "shape": "meetings"},
]


STATEMENT = {
    "referral_id": RID,
    "weeks": [
        {"week_start": "2026-11-16", "agreed_hours": 16.0, "attended_hours": 12.5, "absent_hours": 3.5},
        {"week_start": "2026-11-23", "agreed_hours": 16.0, "attended_hours": 14.0, "absent_hours": 2.0},
    ],
    "totals": {"weeks": 2, "agreed_hours": 32.0, "attended_hours": 26.5, "attendance_rate": 0.828125},
}
NOTE: dict[str, Any] = {"summary": "Steady weeks", "resources": "Punctual", "development_possibilities": "More hours"}
NOTE |= {"goal_attainment": [{"goal": "Stable attendance", "attainment": "achieved"}], "next_step": "Education"}
DESK = {
    "courses": [
        {
            "referral_id": RID,
            "participant_name": NAME,
            "programme_code": "RCA-UDV-13",
            "start_date": "2026-10-05",
            "planned_end_date": "2027-01-01",
            "closing_meeting_at": "2026-12-17T09:00:00Z",
            "notes_by_me": 0,
            "notes_total": 0,
            "last_note_at": None,
            "awaiting_note": True,
        },
        {
            "referral_id": "5b0c1f43-3c0e-4b8a-9f59-0d1c2a7e6b12",
            "participant_name": "Ole Berg",
            "programme_code": "RCA-UDV-13",
            "start_date": "2026-11-02",
            "planned_end_date": "2027-02-01",
            "closing_meeting_at": None,
            "notes_by_me": 1,
            "notes_total": 1,
            "last_note_at": "2026-11-20T10:00:00Z",
            "awaiting_note": False,
        },
    ],
    "recent_notes": [
        {
            "id": "9b0c1f43-3c0e-4b8a-9f59-0d1c2a7e6b13",
            "referral_id": "5b0c1f43-3c0e-4b8a-9f59-0d1c2a7e6b12",
            "participant_name": "Ole Berg",
            "programme_code": "RCA-UDV-13",
            "specialism": "psychologist",
            "text": "Anxiety in large groups; a smaller workshop is advised.",
            "written_at": "2026-11-20T10:00:00Z",
            "attached": False,
        }
    ],
}


@contextlib.asynccontextmanager
async def _services(asked: list[tuple[str, dict[str, str]]]) -> AsyncIterator[str]:
    """One stand-in for the four services (their paths do not collide), noting what was asked."""

    def noted(request: Request) -> None:
        asked.append((request.url.path, dict(request.query_params)))

    async def figures(request: Request) -> JSONResponse:
        noted(request)
        if request.query_params["from"] > request.query_params["to"]:
            problem = {"title": "Unprocessable", "status": 422, "detail": "to is before from"}
            return JSONResponse(problem, status_code=422, media_type="application/problem+json")
        current = request.query_params["from"] == "2026-09-01"
        before = _row(10.0, 0.9, 4)
        before["occupancy"]["mean_occupancy"] = None  # e.g. no capacity defined back then
        rows = [_row(12.5, 0.87, 4), _row(0, 0, 0, shape="meetings")] if current else [before]
        return JSONResponse({"org": "rca-aalborg", "rows": rows})

    def table(rows: list[dict[str, Any]]) -> Any:
        async def answer(request: Request) -> JSONResponse:
            noted(request)
            return JSONResponse({"org": "rca-aalborg", "from": "", "to": "", "rows": rows})

        return answer

    async def svg(request: Request) -> Response:
        noted(request)
        return Response(f"<svg><text>{request.query_params.get('lang')}</text></svg>", media_type="image/svg+xml")

    async def png(request: Request) -> Response:
        noted(request)
        return Response(base64.b64decode(ONE_PIXEL_PNG), media_type="image/png")

    async def inbox(request: Request) -> JSONResponse:
        noted(request)
        late = _alert(LATE, "2026-12-01T08:00:00+00:00", escalated_to="tl-1")
        return JSONResponse([_alert("a1b2c3d4-0000-0000-0000-000000000002", "2026-12-01T10:00:00+00:00"), late])

    async def referral(request: Request) -> JSONResponse:
        noted(request)
        course = {"start_date": "2026-10-05", "end_date": "2026-11-27", "outcome": "education"}
        body: dict[str, Any] = {"id": RID, "programme_code": "RCA-UDV-13", "provider_org": "rca-aalborg"}
        body["state"] = "ended"
        body |= {"received_at": "2026-09-20T09:00:00+00:00", "has_closing_note": True, "course": course}
        return JSONResponse({**body, "participant": {"name": NAME}})

    async def json(request: Request, body: Any) -> JSONResponse:
        noted(request)
        return JSONResponse(body)

    app = Starlette(
        routes=[
            Route("/figures", figures),
            Route("/figures/ips-fidelity", table([IPS_ROW])),
            Route("/figures/clarification-results", table([CLARIFICATION_ROW])),
            Route("/figures/handovers", table([HANDOVER_ROW])),
            Route("/figures/next-step-proposals", table([PROPOSAL_ROW])),
            Route("/programmes", functools.partial(json, body=PROGRAMMES)),
            Route("/charts/{name}.svg", svg),
            Route("/inbox", inbox),
            Route("/referrals/{rid}", referral),
            Route("/referrals/{rid}/closing-note", functools.partial(json, body=NOTE)),
            Route("/statements/{rid}", functools.partial(json, body=STATEMENT)),
            Route("/statements/{rid}/chart.svg", svg),
            Route("/statements/{rid}/chart.png", png),
            Route("/specialist-desk", functools.partial(json, body=DESK)),
        ]
    )
    async with serving_app(app) as url:
        yield url


def _key_figure(html: str, name: str) -> str:
    """The visible text of one key figure's box, found by its name."""
    boxes = re.findall(r'<div class="key-figure [a-z]+">(.*?)</div>', html, re.S)
    found = [visible_text(b) for b in boxes if name in visible_text(b)]
    assert found, (name, visible_text(html))
    return found[0]


async def test_the_figures_page_reads_at_a_glance_in_each_language() -> None:
    asked: list[tuple[str, dict[str, str]]] = []
    async with _services(asked) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        leader = await people()
        await leader.sign_in("rca-aalborg", "tl-1", "team_leader")
        asked.clear()  # the inbox the team leader lands on
        page = await leader.get("/figures?start=2026-09-01&end=2026-11-29")
        assert page.status_code == 200, page.text
        # The period and the one of the same length before it, both asked for.
        periods = [(q["from"], q["to"]) for path, q in asked if path == "/figures"]
        assert periods == [("2026-09-01", "2026-11-29"), ("2026-06-03", "2026-08-31")]
        inbox = [q for path, q in asked if path == "/inbox"]
        assert inbox == [{"state": "open", "everyone": "true", "limit": "500"}]
        read = visible_text(page.text)
        assert "01.09.2026 til 29.11.2026, sammenlignet med 03.06.2026 til 31.08.2026" in read
        waiting = _key_figure(page.text, "Ventetid til start: median")
        assert "12,5 dage" in waiting  # Babel: a Danish decimal comma
        assert "Forrige periode: 10 dage" in waiting
        assert "op 2,5 dage (dårligere)" in waiting  # a longer wait is worse
        assert DEFINITIONS["waiting_days.median"].da in waiting
        attendance = _key_figure(page.text, "Fremmøde")
        assert "87 %" in attendance
        assert "ned 3 procentpoint (dårligere)" in attendance
        assert "uændret" in _key_figure(page.text, "Uforklarede fravær")
        occupancy = _key_figure(page.text, "Belægning (gennemsnit)")
        assert "80,4 %" in occupancy
        assert "Pladser: 14 pladser" in occupancy
        assert "Intet tal for forrige periode" in occupancy  # the previous period had no occupancy
        held = _key_figure(page.text, "Andel møder holdt")  # a meetings-shaped programme's own key figure
        assert "50 %" in held
        assert "Intet tal for forrige periode" in held
        assert "Fremmøde" not in held
        # Every figure one click away, the charts and CSV beside them in the same period.
        assert "<details>" in page.text
        assert "Afsluttet med: Ordinær beskæftigelse" in read
        for chart in ("waiting-list", "occupancy", "attendance", "outcomes"):
            assert f'src="/figures/chart/{chart}.svg?start=2026-09-01&amp;end=2026-11-29"' in page.text
            assert f'href="/figures/chart/{chart}.png?start=2026-09-01&amp;end=2026-11-29"' in page.text
        assert 'href="/figures.csv?start=2026-09-01&amp;end=2026-11-29"' in page.text
        # The overdue alert (not the one still within its deadline), with whose course it is.
        table = visible_text(page.text.split('id="overdue-h"', 1)[1])
        assert NAME in table
        assert "Udeblivelse" in table
        assert "eskaleret til tl-1" in table
        assert page.text.count(f'href="/alerts/{LATE}"') == 1
        assert "a1b2c3d4-0000-0000-0000-000000000002" not in page.text
        assert raw_codes(read, also=every_code()) == [], read

        words_of = {"sv": ("12,5 dagar", "upp 2,5 dagar (sämre)"), "en": ("12.5 days", "up 2.5 days (worse)")}
        for lang, words in words_of.items():
            other = await leader.get("/figures?start=2026-09-01&end=2026-11-29", headers={"Accept-Language": lang})
            shown = _key_figure(other.text, {"sv": "Väntetid till start: median", "en": "Waiting time"}[lang])
            assert all(w in shown for w in words), shown
            assert DEFINITIONS["waiting_days.median"].in_language(lang) in shown
            also = every_code() if lang != "en" else set()  # single-word codes are English words
            assert raw_codes(visible_text(other.text), also=also) == [], visible_text(other.text)

        chart = await leader.get("/figures/chart/occupancy.svg?start=2026-09-01&end=2026-11-29")
        assert chart.headers["content-type"].startswith("image/svg+xml")
        assert ("/charts/occupancy.svg", {"from": "2026-09-01", "to": "2026-11-29", "lang": "da"}) in asked

        # Without dates: the 90 days up to the web's today, against the 90 before.
        asked.clear()
        await leader.get("/figures")
        assert [(q["from"], q["to"]) for p, q in asked if p == "/figures"] == [
            ("2026-09-03", "2026-12-01"),
            ("2026-06-05", "2026-09-02"),
        ]

        # A period that ends before it starts: reporting's refusal, nothing to compare with.
        asked.clear()
        backwards = await leader.get("/figures?start=2026-11-29&end=2026-09-01")
        assert backwards.status_code == 200
        assert "to is before from" in visible_text(backwards.text)
        assert [p for p, _ in asked if p == "/figures"] == ["/figures"]
        assert "sammenlignet med" not in visible_text(backwards.text)

        # A caseworker sees the figures but not the organisation's alerts (notifications' rule).
        asked.clear()
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        theirs = await caseworker.get("/figures?start=2026-09-01&end=2026-11-29")
        assert theirs.status_code == 200
        assert 'id="overdue-h"' not in theirs.text
        assert [p for p, _ in asked if p == "/inbox"] == []
        contact = await people()
        await contact.sign_in("rca-aalborg", "kp-1", "contact_person")
        assert (await contact.get("/figures")).status_code == 403


def _section(html: str, name: str) -> str:
    """The visible text of one section of the figures page (``ips``, ``clarification``, ``handovers``)."""
    start = html.index(f'aria-labelledby="{name}-h"')
    return visible_text(html[start : html.index("</section>", start)])


IPS_WORDS = {
    "da": ("IPS-troskab", "Største caseload", "21", "Deltagere pr. konsulent: kp-1: 21", "85,7 %",
           "Kontakter pr. uge: kp-1: 2,36", "61 dage"),
    "sv": ("IPS-trohet", "Största antal deltagare", "21", "Deltagare per konsulent: kp-1: 21", "85,7 %",
           "Kontakter per vecka: kp-1: 2,36", "61 dagar"),
    "en": ("IPS fidelity", "Largest caseload", "21", "Caseload: kp-1: 21", "85.7 %", "Contacts per week: kp-1: 2.36",
           "61 days"),
}  # fmt: skip


async def test_the_ips_clarification_and_handover_figures_with_their_definitions_in_each_language() -> None:
    from forlob_shared.texts.employment_figures import CLARIFICATION_DEFINITIONS, IPS_DEFINITIONS
    from forlob_shared.texts.handover_figures import HANDOVER_DEFINITIONS, PROPOSAL_DEFINITIONS, PROPOSAL_FIGURES

    asked: list[tuple[str, dict[str, str]]] = []
    async with _services(asked) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        leader = await people()
        await leader.sign_in("rca-aalborg", "tl-1", "team_leader")
        for lang, words in IPS_WORDS.items():
            asked.clear()
            page = await leader.get("/figures?start=2026-09-01&end=2026-11-29", headers={"Accept-Language": lang})
            assert page.status_code == 200, page.text
            period = {"from": "2026-09-01", "to": "2026-11-29"}
            for path in (
                "/figures/ips-fidelity",
                "/figures/clarification-results",
                "/figures/handovers",
                "/figures/next-step-proposals",
            ):
                assert (path, period) in asked, path
            ips = _section(page.text, "ips")
            assert all(w in ips for w in words), (words, ips)
            for text in IPS_DEFINITIONS.values():  # every IPS definition beside its figure
                assert text.in_language(lang) in ips, text.in_language(lang)
            clarification = _section(page.text, "clarification")
            assert {"da": "Fleksjob: 2", "sv": "Anställning med lönebidrag: 2", "en": "Flex job: 2"}[
                lang
            ] in clarification
            for text in CLARIFICATION_DEFINITIONS.values():
                assert text.in_language(lang) in clarification
            handovers = _section(page.text, "handovers")
            assert "FYS-AAL · rca-aalborg → RCA-UDV-13 · rca-aalborg" in handovers
            assert {"da": "75 %", "sv": "75 %", "en": "75 %"}[lang] in handovers
            assert {"da": "1,75 dage", "sv": "1,75 dagar", "en": "1.75 days"}[lang] in handovers
            for text in HANDOVER_DEFINITIONS.values():
                assert text.in_language(lang) in handovers
            proposals = _section(page.text, "proposals")
            assert "FYS-AAL · rca-aalborg" in proposals
            assert {
                "da": "Borgeren er ikke klar: 2",
                "sv": "Deltagaren är inte redo: 2",
                "en": "The participant is not ready: 2",
            }[lang] in proposals
            assert {"da": "3,5 dage", "sv": "3,5 dagar", "en": "3.5 days"}[lang] in proposals
            assert PROPOSAL_FIGURES["withdrawn"].name.in_language(lang) + ": 1" in proposals
            for text in PROPOSAL_DEFINITIONS.values():
                assert text.in_language(lang) in proposals
            also = every_code() if lang != "en" else set()
            assert raw_codes(visible_text(page.text), also=also) == [], visible_text(page.text)
            for name in ("ips", "clarification", "handovers", "proposals"):  # each a landmark with its heading
                assert f'<section aria-labelledby="{name}-h" class="figures-section">' in page.text
                assert f'<h2 id="{name}-h">' in page.text

        # A caseworker (no IPS programme of its own): the results and handovers, no IPS items, not asked.
        asked.clear()
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        theirs = await caseworker.get("/figures?start=2026-09-01&end=2026-11-29")
        assert 'aria-labelledby="ips-h"' not in theirs.text
        assert 'aria-labelledby="clarification-h"' in theirs.text
        assert [p for p, _ in asked if p in {"/figures/ips-fidelity", "/programmes"}] == []

        # Another provider without an IPS programme of its own (only another's in the catalogue).
        asked.clear()
        other = await people()
        await other.sign_in("fys-aarhus", "tl-9", "team_leader")
        no_ips = await other.get("/figures?start=2026-09-01&end=2026-11-29")
        assert 'aria-labelledby="ips-h"' not in no_ips.text
        assert [p for p, _ in asked if p == "/figures/ips-fidelity"] == []
        assert [p for p, _ in asked if p == "/programmes"] == ["/programmes"]


async def test_the_closing_note_embeds_the_attendance_chart_with_its_numbers_in_words() -> None:
    asked: list[tuple[str, dict[str, str]]] = []
    async with _services(asked) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        for path in (f"/referrals/{RID}", f"/referrals/{RID}/closing-note/print"):
            for lang, alt in (
                ("da", "Søjlediagram over 2 uger: 32,0 aftalte timer, 26,5 fremmødte timer i alt, fremmøde 83 %."),
                ("sv", "Stapeldiagram över 2 veckor: 32,0 avtalade timmar, 26,5 närvarotimmar totalt, närvaro 83 %."),
                ("en", "Bar chart of 2 weeks: 32.0 agreed hours, 26.5 attended hours in all, attendance 83 %."),
            ):
                page = await caseworker.get(path, headers={"Accept-Language": lang})
                assert page.status_code == 200, page.text
                assert f'<img src="/referrals/{RID}/statement/chart.svg"' in page.text
                assert f'alt="{alt}"' in page.text, page.text
                also = every_code() if lang != "en" else set()
                assert raw_codes(visible_text(page.text), also=also) == [], visible_text(page.text)
        printed = await caseworker.get(f"/referrals/{RID}/closing-note/print")
        assert "Steady weeks" in printed.text
        assert NAME in printed.text
        assert f'href="/referrals/{RID}/closing-note/print"' in (await caseworker.get(f"/referrals/{RID}")).text

        chart = await caseworker.get(f"/referrals/{RID}/statement/chart.svg", headers={"Accept-Language": "sv"})
        assert chart.headers["content-type"].startswith("image/svg+xml")
        assert (f"/statements/{RID}/chart.svg", {"lang": "sv"}) in asked
        # The printable closing note is for those who read the note: not a contact person.
        contact = await people()
        await contact.sign_in("rca-aalborg", "kp-1", "contact_person")
        assert (await contact.get(f"/referrals/{RID}/closing-note/print")).status_code == 403
        assert (await contact.get("/referrals/not-an-id/statement/chart.svg")).status_code == 422


async def test_a_specialist_lands_on_the_courses_awaiting_a_note_and_their_own_notes() -> None:
    asked: list[tuple[str, dict[str, str]]] = []
    async with _services(asked) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        psychologist = await people()
        signed = await psychologist.sign_in("rca-aalborg", "ps-1", "specialist")
        home = await psychologist.http.get(signed.headers["location"], follow_redirects=True)
        assert str(home.url).endswith("/specialist"), home.url
        assert ("/specialist-desk", {}) in asked
        assert 'href="/specialist" aria-current="page"' in home.text  # in the menu
        awaiting = visible_text(home.text.split('id="awaiting-h"', 1)[1].split("</section>", 1)[0])
        assert NAME in awaiting
        assert "afslutningsmøde 17.12. 10:00" in awaiting
        assert f'href="/referrals/{RID}/record#note-text"' in home.text
        mine = visible_text(home.text.split('id="mine-h"', 1)[1].split("</section>", 1)[0])
        assert "Ole Berg" in mine
        assert NAME not in mine
        notes = visible_text(home.text.split('id="notes-h"', 1)[1].split("</section>", 1)[0])
        assert "Psykolog" in notes
        assert "Anxiety in large groups" in notes
        for lang in ("da", "sv", "en"):
            page = await psychologist.get("/specialist", headers={"Accept-Language": lang})
            also = every_code() if lang != "en" else set()
            assert raw_codes(visible_text(page.text), also=also) == [], visible_text(page.text)

        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        assert (await coordinator.get("/specialist")).status_code == 403
        assert 'href="/specialist"' not in (await coordinator.get("/intake")).text


async def test_the_closing_note_as_a_pdf_for_the_case_file() -> None:
    asked: list[tuple[str, dict[str, str]]] = []
    async with _services(asked) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        assert f'href="/referrals/{RID}/closing-note.pdf"' in (await caseworker.get(f"/referrals/{RID}")).text
        pdf = await caseworker.get(f"/referrals/{RID}/closing-note.pdf", headers={"Accept-Language": "da"})
        assert pdf.status_code == 200, pdf.text
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == f'attachment; filename="closing-note-{RID[:8]}.pdf"'
        assert pdf.headers["cache-control"] == "no-store"
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        for expected in (f"Afslutningsnotat #{RID[:8]}: {NAME}", "Steady weeks", "Stable attendance:", "32,0", "83 %"):
            assert expected in text, (expected, text)
        assert raw_codes(text, also=every_code()) == [], text  # outcome and attainment in words
        assert (f"/statements/{RID}/chart.png", {"lang": "da"}) in asked  # the chart, in the reader's language

        contact = await people()
        await contact.sign_in("rca-aalborg", "kp-1", "contact_person")
        assert (await contact.get(f"/referrals/{RID}/closing-note.pdf")).status_code == 403


async def test_the_figures_page_with_its_ips_clarification_and_handover_figures_passes_axe() -> None:
    """axe (forlob_testkit.axe) on the team leader's figures page with every section, in three languages."""
    from forlob_testkit.axe import assert_accessible
    from forlob_testkit.browser import chromium, signed_in_as
    from forlob_testkit.web import web_server

    asked: list[tuple[str, dict[str, str]]] = []
    async with (
        _services(asked) as url,
        web_server(settings_for(url), clock=ManualClock(NOW)) as base,
        chromium() as browser,
    ):
        for lang in ("da", "sv", "en"):
            page = await signed_in_as(browser, base, "rca-aalborg", "tl-1", "team_leader", lang=lang)
            await page.goto("/figures?start=2026-09-01&end=2026-11-29")
            for name in ("ips", "clarification", "handovers"):
                assert await page.locator(f"section[aria-labelledby='{name}-h'] h2").count() == 1
            await assert_accessible(page, f"/figures ({lang})")
            await page.context.close()
