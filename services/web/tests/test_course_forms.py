"""The course and contact pages without services: the week grid read and checked against the
opening hours, the form models (each mistake named by its field, the API's body from the form),
and the new pages drawn for every code they show, in each language, with no code left raw."""

from __future__ import annotations

import functools
import re
from datetime import date, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import httpx
import pytest

from forlob_referral.domain.records import Attainment
from forlob_shared.clock import SystemClock
from forlob_shared.events.common import AbsenceReason, Outcome
from forlob_shared.texts import code_text, every_code, raw_codes
from forlob_testkit.scenario import DEVELOPMENT_COURSE
from forlob_testkit.servers import free_port
from forlob_testkit.web import visible_text
from forlob_web.course_forms import PLACES, ClosingMeetingForm, EndCourseForm, StartCourseForm
from forlob_web.forms import AgreementForm, ContactAttemptForm, MoveForm
from forlob_web.i18n import LANGUAGES, MESSAGES
from forlob_web.routes.contact import CONTACT_OUTCOMES
from forlob_web.settings import WebSettings
from forlob_web.web import Web
from forlob_web.week_grid import Window, grid_of, opening_windows, read_grid, weekly_hours

OPENING = opening_windows(DEVELOPMENT_COURSE["opening_hours"])  # Mon-Thu 07:30-14:30, Fri 07:30-14:00
GOALS = [{"text": "Stable attendance", "sub_goals": []}, {"text": "More hours each week", "sub_goals": []}]
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _problems(problems: dict[str, object]) -> dict[str, str]:
    return {name: p.key for name, p in problems.items()}  # type: ignore[attr-defined]


# -- the week grid ----------------------------------------------------------------------------


def test_the_grid_reads_each_period_and_names_each_mistake_by_its_cell() -> None:
    values = {
        "w0_1_start": "08:00",
        "w0_1_end": "12:00",
        "w0_2_start": "12:30",
        "w0_2_end": "14:30",
        "w1_1_start": "07:00",  # before opening
        "w1_1_end": "12:00",
        "w2_1_start": "12:00",  # ends before it starts
        "w2_1_end": "08:00",
        "w3_1_start": "08:00",  # half a period
        "w4_1_start": "08:00",  # Friday closes at 14:00
        "w4_1_end": "14:30",
        "w5_1_start": "09:00",  # Saturday: closed
        "w5_1_end": "10:00",
        "w6_1_start": "nine",
        "w6_1_end": "10:00",
    }
    windows, problems = read_grid(values, OPENING)
    assert windows == [Window(0, time(8), time(12)), Window(0, time(12, 30), time(14, 30))]
    assert _problems(problems) == {
        "w1_1": "grid.outside",
        "w2_1": "grid.end_before_start",
        "w3_1": "grid.half",
        "w4_1": "grid.outside",
        "w5_1": "grid.outside",
        "w6_1": "grid.not_a_time",
    }
    assert problems["w4_1"].values == {"hours": "07:30-14:00"}
    assert problems["w5_1"].values == {"hours": "-"}
    assert weekly_hours(windows) == 6.0


def test_an_agreed_schedule_fills_the_grid_again() -> None:
    schedule = [
        {"weekday": 1, "start": "12:30:00", "end": "14:00:00"},
        {"weekday": 1, "start": "08:00:00", "end": "12:00:00"},
    ]
    assert grid_of(schedule) == {"w1_1_start": "08:00", "w1_1_end": "12:00", "w1_2_start": "12:30", "w1_2_end": "14:00"}


# -- the form models ----------------------------------------------------------------------------


def test_the_start_form_gathers_the_grid_and_checks_the_closing_meeting() -> None:
    posted = {"start_date": "2027-03-08", "contact_person_id": "kp-1", "workshop": "Wood", "closing_meeting": ""}
    form = StartCourseForm.model_validate({**posted, "w0_1_start": "08:00", "w0_1_end": "12:00", "other": "x"})
    assert form.grid == {"w0_1_start": "08:00", "w0_1_end": "12:00"}
    windows, problems = form.problems(OPENING, 13)
    assert _problems(problems) == {"closing_meeting": "field.required", "closing_meeting_time": "field.required"}
    early = StartCourseForm.model_validate(
        {**posted, "closing_meeting": "2027-03-01", "closing_meeting_time": "25:00", "w0_1_start": "08:00"}
    )
    assert _problems(early.problems(OPENING, 13)[1]) == {
        "w0_1": "grid.half",
        "closing_meeting": "course.meeting_before_start",
        "closing_meeting_time": "grid.not_a_time",
    }
    late = StartCourseForm.model_validate({**posted, "closing_meeting": "2027-12-01", "weeks": "4"})
    assert _problems(late.problems(OPENING, 13)[1]) == {
        "grid": "grid.empty",
        "closing_meeting": "course.meeting_after_end",
        "closing_meeting_time": "field.required",
    }
    # The course's last day (a Sunday, 13 weeks on) is still within it; the Monday after is not.
    last = {**posted, "w0_1_start": "08:00", "w0_1_end": "12:00", "closing_meeting_time": "10:00"}
    assert StartCourseForm.model_validate({**last, "closing_meeting": "2027-06-06"}).problems(OPENING, 13)[1] == {}
    after = StartCourseForm.model_validate({**last, "closing_meeting": "2027-06-07"})
    assert _problems(after.problems(OPENING, 13)[1]) == {"closing_meeting": "course.meeting_after_end"}
    good = StartCourseForm.model_validate({**posted, "closing_meeting": "2027-06-01", "closing_meeting_time": "10:30"})
    assert good.body(windows, 13, [{"text": "Stable attendance", "sub_goals": []}], COPENHAGEN) == {
        "start_date": "2027-03-08",
        "weeks": 13,
        "schedule": [{"weekday": 0, "start": "08:00", "end": "12:00"}],
        "contact_person_id": "kp-1",
        "team_leader_id": None,
        "plan": {"workshop": "Wood", "goals": [{"text": "Stable attendance", "sub_goals": []}]},
        "closing_meeting": {"starts_at": "2027-06-01T10:30:00+02:00", "place": "on_site", "caseworker_invited": True},
    }


def test_a_rebooked_closing_meeting_stays_within_the_course_and_has_a_place() -> None:
    start, end = date(2027, 3, 8), date(2027, 6, 6)
    empty = ClosingMeetingForm.model_validate({})
    assert _problems(empty.problems(start, end)) == {
        "meeting_day": "field.required",
        "meeting_time": "field.required",
        "place": "course.place_missing",
    }
    late = ClosingMeetingForm.model_validate({"meeting_day": "2027-06-07", "meeting_time": "9", "place": "pub"})
    assert _problems(late.problems(start, end)) == {
        "meeting_day": "course.meeting_after_end",
        "meeting_time": "grid.not_a_time",
        "place": "course.place_missing",
    }
    early = ClosingMeetingForm.model_validate(
        {"meeting_day": "2027-03-07", "meeting_time": "09:00", "place": "on_site"}
    )
    assert _problems(early.problems(start, end)) == {"meeting_day": "course.meeting_before_start"}
    good = ClosingMeetingForm.model_validate(
        {"meeting_day": "2027-01-04", "meeting_time": "13:15", "place": "video_call", "caseworker_invited": "yes"}
    )
    assert good.problems(None, None) == {}
    assert good.body(COPENHAGEN) == {
        "starts_at": "2027-01-04T13:15:00+01:00",
        "place": "video_call",
        "caseworker_invited": True,
    }
    assert (
        ClosingMeetingForm.model_validate({**good.model_dump(), "caseworker_invited": ""}).body(COPENHAGEN)[
            "caseworker_invited"
        ]
        is False
    )


def test_a_change_of_hours_cannot_start_before_the_course() -> None:
    form = AgreementForm.model_validate({"effective_from": "2027-03-01", "w0_1_start": "08:00", "w0_1_end": "09:00"})
    _, problems = form.problems(OPENING, date(2027, 3, 8))
    assert _problems(problems) == {"effective_from": "course.before_start", "contact_person_id": "field.required"}


def test_the_end_form_needs_an_outcome_each_goals_attainment_and_no_end_before_the_start() -> None:
    outcomes = {o.value for o in Outcome}
    form = EndCourseForm.model_validate(
        {"end_date": "2027-03-01", "goal_0": "achieved", "goal_1": "", "summary": "s", "resources": "r"}
    )
    assert _problems(form.problems(date(2027, 3, 8), GOALS, outcomes)) == {
        "end_date": "course.end_before_start",
        "outcome": "course.outcome_missing",
        "development_possibilities": "field.required",
        "goal_1": "course.attainment_missing",
    }
    good = EndCourseForm.model_validate(
        {
            "end_date": "2027-03-12",
            "outcome": "education",
            "goal_0": "achieved",
            "goal_1": "not_achieved",
            "goal_1_comment": "Later.",
            "summary": "s",
            "resources": "r",
            "development_possibilities": "d",
        }
    )
    assert good.problems(date(2027, 3, 8), GOALS, outcomes) == {}
    assert good.body(GOALS)["closing_note"]["goal_attainment"] == [
        {"goal": "Stable attendance", "attainment": "achieved", "comment": None, "sub_goals": []},
        {"goal": "More hours each week", "attainment": "not_achieved", "comment": "Later.", "sub_goals": []},
    ]
    assert good.body(GOALS)["first_job_date"] is None


def test_the_end_form_needs_each_sub_goals_attainment_in_the_referrals_order() -> None:
    goals = [{"text": "Stable attendance", "sub_goals": ["By 08:00", "Four days"]}, {"text": "A job"}]
    posted = {
        "end_date": "2027-03-12",
        "outcome": "education",
        "summary": "s",
        "resources": "r",
        "development_possibilities": "d",
        "goal_0": "achieved",
        "goal_1": "partly_achieved",
    }
    outcomes = {o.value for o in Outcome}
    missing = EndCourseForm.model_validate({**posted, "goal_0_sub_1": "sometimes"})
    assert _problems(missing.problems(date(2027, 3, 8), goals, outcomes)) == {
        "goal_0_sub_0": "course.attainment_missing",
        "goal_0_sub_1": "course.attainment_missing",
    }
    good = EndCourseForm.model_validate({**posted, "goal_0_sub_0": "not_achieved", "goal_0_sub_1": "achieved"})
    assert good.problems(date(2027, 3, 8), goals, outcomes) == {}
    assert [a["sub_goals"] for a in good.body(goals)["closing_note"]["goal_attainment"]] == [
        [
            {"sub_goal": "By 08:00", "attainment": "not_achieved"},
            {"sub_goal": "Four days", "attainment": "achieved"},
        ],
        [],
    ]


def test_a_move_needs_a_place_and_a_reason_and_a_contact_attempt_its_body() -> None:
    assert _problems(MoveForm.model_validate({"position": "0", "reason": "no"}).problems()) == {
        "position": "field.not_a_number",
        "reason": "waiting.reason_needed",
    }
    assert MoveForm.model_validate({"position": "2", "reason": "urgent"}).body() == {"position": 2, "reason": "urgent"}
    attempt = ContactAttemptForm.model_validate({"outcome": "reached", "reason": ""})
    assert attempt.body() == {"outcome": "reached", "reason": None}


def test_every_new_message_speaks_each_language() -> None:
    for key in [k for k in MESSAGES if k.split(".")[0] in {"course", "courses", "grid", "contact", "day_list"}]:
        for lang in LANGUAGES:
            assert MESSAGES[key].in_language(lang).strip(), (key, lang)


# -- the pages, for every code they show ---------------------------------------------------------


@functools.cache
def _web() -> Web:
    nowhere = f"http://127.0.0.1:{free_port()}"
    urls = {f"{s}_url": nowhere for s in ("referral", "attendance", "notifications", "reporting")}
    return Web(WebSettings(environment="test", **urls), SystemClock(), httpx.AsyncClient())  # type: ignore[arg-type]


def _page(template: str, lang: str, **values: object) -> str:
    web = _web()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(web=web)))
    context = {"request": request, "user": None, "csrf": "c", "flash": None, "nav": [], "path": "/", **values}
    return web.templates.get_template(template).render(**web.words(lang), **context)


def _course(outcome: str | None, state: str) -> dict[str, object]:
    schedule = [{"weekday": d, "start": "08:00:00", "end": "12:00:00"} for d in range(5)]
    course = {"start_date": "2027-03-08", "planned_end_date": "2027-06-04", "schedule": schedule}
    return {
        "id": "r1b2c3d4",
        "state": state,
        "participant": {"name": "P"},
        "goals": GOALS,
        "course": {
            **course,
            "contact_person_id": "kp-1",
            "plan": {"workshop": "Wood"},
            "outcome": outcome,
            "closing_meeting": {"starts_at": "2027-06-01T08:00:00Z", "place": "video_call", "caseworker_invited": True},
        },
    }


@pytest.mark.parametrize("lang", ["da", "sv", "en"])
def test_the_course_and_contact_pages_show_words_for_every_code(lang: str) -> None:
    also = every_code() if lang != "en" else set()  # single-word codes are English words
    programme = {**DEVELOPMENT_COURSE, "code": "RCA-UDV-13"}
    common = {"programme": programme, "days": range(5), "windows": range(1, 3), "errors": {}, "values": {}}
    shown = [
        _page(
            "course.html",
            lang,
            referral=_course(None, "started"),
            course=_course(None, "started")["course"],
            grid={},
            outcomes=[o.value for o in Outcome],
            attainments=[a.value for a in Attainment],
            goals=[{"text": "Stable attendance", "sub_goals": ["Arrive by 08:00"]}],
            places=list(PLACES),
            key=lambda: "k",
            today="2027-03-10",
            message=None,
            **common,
        )
    ]
    for outcome in Outcome:
        referral = _course(outcome.value, "ended")
        page = _page("course.html", lang, referral=referral, course=referral["course"], grid={}, message=None, **common)
        assert code_text("outcome", outcome.value, lang) in visible_text(page)
        shown.append(page)
    assert code_text("attainment", "partly_achieved", lang) in visible_text(shown[0])
    # the closing meeting, its re-booking with every place, and each sub-goal's attainment
    assert re.search(
        r'class="closing-meeting">(01\.06\.|2027-06-01) 10:00 · ' + code_text("place_kind", "video_call", lang),
        shown[0],
    )
    assert 'name="meeting_day" type="date" value="2027-06-01"' in shown[0]
    assert 'name="meeting_time" type="time" value="10:00"' in shown[0]
    for place in PLACES:
        assert code_text("place_kind", place, lang) in visible_text(shown[0])
    assert 'id="f-goal_0_sub_0" name="goal_0_sub_0"' in shown[0]
    assert 'for="f-goal_0_sub_0"' in shown[0]
    alert = {
        "id": "a1",
        "kind": "absence",
        "state": "open",
        "referral_id": None,
        "raised_at": "2027-03-08T07:16:00+00:00",
        "facts": {"absence_id": "x"},
    }
    contact = _page(
        "alert.html",
        lang,
        alert=alert,
        names={},
        contact_outcomes=CONTACT_OUTCOMES,
        absence_reasons=[r.value for r in AbsenceReason],
    )
    for o in CONTACT_OUTCOMES:
        assert code_text("contact_outcome", o, lang) in visible_text(contact)
    shown.append(contact)
    slots = [
        {"referral_id": f"r{i}", "state": s, "window_start": "08:00:00", "window_end": "12:00:00", "day": "2027-03-08"}
        for i, s in enumerate(("expected", "present", "absent", "excused", "internship"))
    ]
    shown.append(
        _page(
            "day_list.html",
            lang,
            day="2027-03-08",
            by="contact_person",
            groupings=("workshop", "contact_person"),
            found=SimpleNamespace(error=None),
            groups=[("kp-1", slots), ("", slots)],
            names={},
            mine="kp-1",
        )
    )
    days = [f"2027-03-{d:02d}" for d in range(8, 15)]
    shown.append(
        _page(
            "following.html",
            lang,
            days=days,
            rows=[("r0", {"2027-03-08": slots})],
            names={"r0": "P"},
            problem=None,
            previous="2027-03-01",
            next="2027-03-15",
        )
    )
    for page in shown:
        assert raw_codes(visible_text(page), also=also) == [], visible_text(page)


@pytest.mark.parametrize("lang", ["da", "sv", "en"])
def test_the_talk_form_offers_the_staff_to_choose_or_a_typed_field_without_a_directory(lang: str) -> None:
    user = SimpleNamespace(staff="kp-1", has=lambda *roles: True)
    common = {
        "referral": {"id": "r1b2c3d4", "participant": None},
        "record": {"talks": [], "meetings": [], "specialist_notes": []},
        "topics": [],
        "meeting_kinds": [],
        "places": [],
        "specialisms": [],
        "today": "2027-03-10",
        "key": lambda: "k",
        "may_talk": True,
        "may_book": False,
        "may_note": False,
        "may_message": False,
        "user": user,
    }
    staff = [{"staff_id": "co-3", "role": "coordinator"}, {"staff_id": "kp-1", "role": "contact_person"}]
    chooser = _page("record.html", lang, colleagues=SimpleNamespace(data=staff, error=None), **common)
    assert 'name="staff_ids" value="kp-1" checked>' in chooser
    assert 'name="staff_ids" value="co-3">' in chooser
    assert code_text("role", "coordinator", lang) in visible_text(chooser)
    assert 'id="talk-staff_ids"' not in chooser
    down = _page("record.html", lang, colleagues=SimpleNamespace(data=None, error="down"), **common)
    assert 'id="talk-staff_ids" name="staff_ids" value="kp-1"' in down
    assert '<p class="problem">down</p>' in down
