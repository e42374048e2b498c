"""The specialist's desk over HTTP against PostgreSQL: the provider's running courses, awaiting a
note first, the caller's own notes; nothing of another organisation; other roles refused."""

from __future__ import annotations

from datetime import timedelta

from forlob_testkit.auth import auth
from forlob_testkit.referral import CASEWORKER, COORDINATOR, PROVIDER_ORG, SCHEDULE, Api, closing_note

PSYCHOLOGIST = auth(PROVIDER_ORG, "specialist", staff="ps-1")
PHYSICIAN = auth(PROVIDER_ORG, "specialist", staff="md-1")
ELSEWHERE = auth("aspa-odense", "specialist", staff="ps-9")
CLOSING = {"kind": "closing_meeting", "starts_at": "2026-08-27T09:00:00+02:00", "place": "on_site"}


async def _two_courses(api: Api) -> tuple[str, str]:
    await api.programme()
    first = str((await api.refer())["id"])
    second = str((await api.refer())["id"])
    for rid in (first, second):
        await api.act(rid, "accept")
    api.clock.advance(timedelta(days=15))  # Thursday 4 June
    for rid in (first, second):
        body = {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "cp-1"}
        await api.act(rid, "start", body)
    return first, second


async def test_the_desk_shows_the_courses_awaiting_a_note_first_and_the_callers_own_notes(api: Api) -> None:
    written, awaiting = await _two_courses(api)
    note = {"specialism": "psychologist", "text": "Sleeps badly; mornings off on Fridays."}
    assert (await api.post(f"/referrals/{written}/record/specialist-notes", note, PSYCHOLOGIST)).status_code == 201
    other = {"specialism": "physician", "text": "Back pain eased."}
    assert (await api.post(f"/referrals/{written}/record/specialist-notes", other, PHYSICIAN)).status_code == 201
    assert (await api.post(f"/referrals/{awaiting}/record/meetings", CLOSING)).status_code == 201
    assert (await api.post(f"/referrals/{written}/record/meetings", CLOSING)).status_code == 201

    answer = await api.client.get("/specialist-desk", headers=PSYCHOLOGIST)
    assert answer.status_code == 200, answer.text
    desk = answer.json()
    assert [c["referral_id"] for c in desk["courses"]] == [awaiting, written]
    first, second = desk["courses"]
    assert first["awaiting_note"] is True
    assert first["notes_total"] == 0
    assert first["closing_meeting_at"] == "2026-08-27T07:00:00Z"
    assert first["participant_name"]  # the name: a specialist reads the referral already
    assert (second["awaiting_note"], second["notes_by_me"], second["notes_total"]) == (False, 1, 2)
    assert [n["text"] for n in desk["recent_notes"]] == [note["text"]]  # the physician's is not "mine"
    assert desk["recent_notes"][0]["referral_id"] == written

    physician = (await api.client.get("/specialist-desk", headers=PHYSICIAN)).json()
    assert [n["specialism"] for n in physician["recent_notes"]] == ["physician"]

    # Another provider's specialist sees none of it; other roles are refused; no token, 401.
    assert (await api.client.get("/specialist-desk", headers=ELSEWHERE)).json() == {"courses": [], "recent_notes": []}
    for headers in (COORDINATOR, CASEWORKER, auth(PROVIDER_ORG, "contact_person", staff="cp-1")):
        assert (await api.client.get("/specialist-desk", headers=headers)).status_code == 403
    assert (await api.client.get("/specialist-desk")).status_code == 401


async def test_an_ended_course_stays_on_the_desk_only_through_the_callers_notes(api: Api) -> None:
    written, untouched = await _two_courses(api)
    note = {"specialism": "physiotherapist", "text": "Can lift again."}
    assert (await api.post(f"/referrals/{written}/record/specialist-notes", note, PSYCHOLOGIST)).status_code == 201
    api.clock.advance(timedelta(days=7))
    for rid in (written, untouched):
        await api.act(rid, "end", {"end_date": "2026-06-11", "outcome": "education", "closing_note": closing_note()})
    desk = (await api.client.get("/specialist-desk", headers=PSYCHOLOGIST)).json()
    assert desk["courses"] == []  # nothing running
    assert [n["referral_id"] for n in desk["recent_notes"]] == [written]
