"""The form models and the order in which a route checks what it was sent (no services needed):
a malformed id is a 422 page before anything else, then the sign-in, the roles, the CSRF token,
then the form's own fields; a person's mistakes are shown next to their fields."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from forlob_testkit.servers import free_port
from forlob_testkit.web import Person, web_in_process
from forlob_web.forms import AbsenceForm, DayForm, ReferralForm, goals
from forlob_web.settings import WebSettings


def test_a_referral_form_names_each_mistake_by_its_field() -> None:
    form = ReferralForm.model_validate(
        {"provider_org": " rca ", "wished_weekly_hours": "many", "wished_start": "31-12-2026", "goals": ""}
    )
    assert form.provider_org == "rca"
    assert form.problems() == {
        "programme_code": "field.required",
        "participant.name": "field.required",
        "participant.identity_number": "field.required",
        "wished_weekly_hours": "field.not_a_number",
        "wished_start": "field.not_a_date",
    }


def test_a_referral_form_becomes_the_apis_body() -> None:
    form = ReferralForm.model_validate(
        {
            "provider_org": "rca-aalborg",
            "programme_code": "RCA-UDV-13",
            "participant.name": "Jens Hansen",
            "participant.identity_number": "211062-5629",
            "wished_weekly_hours": "7,5",
            "goals": "Stable attendance\n- three days a week\n\nA job",
        }
    )
    assert form.problems() == {}
    body = form.body()
    assert body["participant"] == {"name": "Jens Hansen", "identity_number": "2110625629", "identity_scheme": "dk_cpr"}
    assert body["wished_weekly_hours"] == 7.5
    assert body["wished_start"] is None
    assert body["goals"] == goals("Stable attendance\n- three days a week\n\nA job")
    assert body["goals"] == [
        {"text": "Stable attendance", "sub_goals": ["three days a week"]},
        {"text": "A job", "sub_goals": []},
    ]
    assert form.values()["participant.identity_number"] == "211062-5629"  # drawn again as typed


def test_a_day_form_leads_back_to_its_day_or_to_today() -> None:
    assert DayForm.model_validate({"day": "2026-12-02"}).back() == "/attendance?day=2026-12-02"
    assert DayForm.model_validate({"day": "yesterday"}).back() == "/attendance"
    absence = AbsenceForm.model_validate({"day": "2026-12-02", "reason": "illness"})
    assert absence.body() == {"reason": "illness", "first_day": "2026-12-02", "last_day": "2026-12-02"}


@contextlib.asynccontextmanager
async def _people() -> AsyncIterator[Any]:
    nowhere = f"http://127.0.0.1:{free_port()}"
    urls = {f"{s}_url": nowhere for s in ("referral", "attendance", "notifications", "reporting")}
    async with web_in_process(WebSettings(environment="test", **urls)) as people:
        yield people


async def _caseworker(people: Any) -> Person:
    person: Person = await people()
    await person.sign_in("jobcenter-aalborg", "cw-1", "caseworker")
    await person.get("/referrals/new")
    return person


async def test_a_referral_with_missing_fields_is_shown_again_with_the_mistakes() -> None:
    async with _people() as people:
        person = await _caseworker(people)
        answer = await person.post("/referrals/new", {"provider_org": "rca-aalborg", "participant.name": "Jens"})
        assert answer.status_code == 422
        assert 'aria-invalid="true"' in answer.text
        assert 'value="Jens"' in answer.text  # what was typed is kept


async def test_what_no_form_could_send_is_a_422_page() -> None:
    async with _people() as people:
        person = await _caseworker(people)
        files = {"note": ("note.txt", b"called", "text/plain")}
        answer = await person.http.post(
            "/inbox/00000000-0000-4000-8000-000000000001/acknowledge", data={"csrf": person.csrf}, files=files
        )
        assert answer.status_code == 422
        assert "note" in answer.text


@pytest.mark.parametrize("signed_in", [False, True])
async def test_a_malformed_id_is_a_422_page_before_the_sign_in_and_the_csrf_check(signed_in: bool) -> None:
    async with _people() as people:
        person = await (_caseworker(people) if signed_in else people())
        answer = await person.http.post("/alerts/not-an-id/acknowledge", data={"note": "x"})
        assert answer.status_code == 422


async def test_a_form_without_its_csrf_token_is_refused_and_a_page_for_other_roles_is_not_allowed() -> None:
    async with _people() as people:
        person = await _caseworker(people)
        forged = await person.http.post("/referrals/new", data={"csrf": "forged", "provider_org": "rca-aalborg"})
        assert forged.status_code == 403
        assert (await person.get("/intake")).status_code == 403
        signed_out: Person = await people()
        answer = await signed_out.http.get("/intake")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sign-in?next=/intake"
