"""The directory's repositories' contract (staff, courses' assignments), the notification
policies and the providers' calendars: held by the SQL repositories and their twins alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from forlob_notifications.domain.directory import Assignment, StaffMember, calendar_for
from forlob_notifications.domain.policy import NoticeRecipient, NotificationPolicy
from forlob_shared.events import DeclaredClosure, ProviderCalendarChanged
from forlob_shared.working_time import Window
from forlob_testkit.in_memory.notifications_world import MONDAY_9, UowFactory

NOW = MONDAY_9


def a_member(staff_id: str, *, org: str = "rca", role: str = "contact_person", **values: Any) -> StaffMember:
    return StaffMember(org=org, staff_id=staff_id, role=role, **values)


def a_course(**values: Any) -> Assignment:
    defaults: dict[str, Any] = {
        "referral_id": uuid4(),
        "provider_org": "rca",
        "referring_org": "jc",
        "programme_code": "P",
        "participant_id": uuid4(),
    }
    defaults.update(values)
    return Assignment(**defaults)


async def test_a_staff_member_comes_back_with_hours_channels_and_zone(new_uow: UowFactory) -> None:
    member = a_member(
        "kp-1",
        email="kp1@example.org",
        team_leader_id="tl-1",
        working_hours=[Window(0, time(7, 30), time(15)), Window(1, time(9), time(12))],
        channels=["inbox", "email"],
        country="SE",
        timezone="Europe/London",
    )
    async with new_uow() as uow:
        await uow.staff.upsert(member, NOW)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.staff.get("rca", "kp-1") == member
        assert await uow.staff.get("other", "kp-1") is None


async def test_an_upsert_overwrites_the_member(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.staff.upsert(a_member("kp-1", email="old@example.org"), NOW)
        await uow.staff.upsert(a_member("kp-1", email="new@example.org", role="team_leader"), NOW)
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.staff.get("rca", "kp-1")
    assert found is not None
    assert (found.email, found.role) == ("new@example.org", "team_leader")


async def test_addresses_are_of_active_staff_with_an_address(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.staff.upsert(a_member("kp-1", email="kp1@example.org"), NOW)
        await uow.staff.upsert(a_member("kp-2", email="kp2@example.org", active=False), NOW)
        await uow.staff.upsert(a_member("kp-3", channels=["inbox"]), NOW)
        await uow.staff.upsert(a_member("kp-1", org="jc", email="jc@example.org"), NOW)
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.staff.addresses([("rca", "kp-1"), ("rca", "kp-2"), ("rca", "kp-3"), ("rca", "nobody")])
        assert found == {("rca", "kp-1"): "kp1@example.org"}
        assert await uow.staff.addresses([]) == {}


async def test_an_organisations_staff_by_id_and_role(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        for staff_id, role in (("b", "team_leader"), ("a", "contact_person"), ("c", "team_leader")):
            await uow.staff.upsert(a_member(staff_id, role=role, channels=["inbox"]), NOW)
        await uow.staff.upsert(a_member("z", org="jc", channels=["inbox"]), NOW)
        await uow.commit()
    async with new_uow() as uow:
        assert [m.staff_id for m in await uow.staff.of_org("rca")] == ["a", "b", "c"]
        assert [m.staff_id for m in await uow.staff.of_org("rca", "team_leader")] == ["b", "c"]


async def test_a_course_comes_back_as_saved(new_uow: UowFactory) -> None:
    course = a_course(
        contact_person_id="kp-1",
        team_leader_id="tl-1",
        caseworker_id="cw-1",
        legal_basis="LAB-42",
        escalation_minutes=45,
        country="SE",
        timezone="Europe/London",
        state="ended",
        end_date=date(2027, 1, 8),
    )
    async with new_uow() as uow:
        await uow.assignments.save(course)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.assignments.get(course.referral_id) == course
        await uow.assignments.lock(course.referral_id)  # holds, and changes nothing
        assert await uow.assignments.get(course.referral_id, for_update=True, fresh=True) == course
        assert await uow.assignments.get(uuid4()) is None


async def test_saving_only_some_columns_keeps_the_rest_of_an_existing_course(new_uow: UowFactory) -> None:
    course = a_course(contact_person_id="kp-1", legal_basis="LAB-42", state="started")
    async with new_uow() as uow:
        await uow.assignments.save(course)
        await uow.commit()
    referral_again = a_course(referral_id=course.referral_id, participant_id=uuid4(), legal_basis=None)
    async with new_uow() as uow:
        await uow.assignments.save_many([referral_again], only=("participant_id", "legal_basis"), keep_legal_basis=True)
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert found.participant_id == referral_again.participant_id
    assert (found.contact_person_id, found.state, found.legal_basis) == ("kp-1", "started", "LAB-42")


async def test_a_new_legal_basis_replaces_the_old_one_even_when_keeping(new_uow: UowFactory) -> None:
    course = a_course(legal_basis="LAB-42")
    async with new_uow() as uow:
        await uow.assignments.save(course)
        await uow.assignments.save(
            a_course(referral_id=course.referral_id, legal_basis="LAB-68a"), keep_legal_basis=True
        )
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert found.legal_basis == "LAB-68a"


async def test_saving_without_keeping_overwrites_the_legal_basis(new_uow: UowFactory) -> None:
    course = a_course(legal_basis="LAB-42")
    async with new_uow() as uow:
        await uow.assignments.save(course)
        await uow.assignments.save(a_course(referral_id=course.referral_id, legal_basis=None))
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert found.legal_basis is None


async def test_a_course_named_twice_in_one_batch_ends_as_saved_one_after_the_other(new_uow: UowFactory) -> None:
    new, known = a_course(state="referred"), a_course(contact_person_id="kp-1", legal_basis="LAB-42")
    async with new_uow() as uow:
        await uow.assignments.save(known)
        await uow.commit()
    new_again = a_course(referral_id=new.referral_id, participant_id=uuid4(), legal_basis="LAB-68a", state="started")
    known_first = a_course(referral_id=known.referral_id, participant_id=uuid4(), legal_basis="LAB-68a")
    known_again = a_course(referral_id=known.referral_id, participant_id=uuid4(), legal_basis=None)
    async with new_uow() as uow:
        await uow.assignments.save_many(
            [new, known_first, new_again, known_again], only=("participant_id", "legal_basis"), keep_legal_basis=True
        )
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.assignments.get(new.referral_id) == replace(
            new, participant_id=new_again.participant_id, legal_basis="LAB-68a"
        )
        assert await uow.assignments.get(known.referral_id) == replace(
            known, participant_id=known_again.participant_id, legal_basis="LAB-68a"
        )


async def test_courses_visible_to_an_organisation_and_a_person(new_uow: UowFactory) -> None:
    mine = a_course(referral_id=UUID(int=1), contact_person_id="kp-1")
    led = a_course(referral_id=UUID(int=2), team_leader_id="kp-1")
    referred = a_course(referral_id=UUID(int=3), caseworker_id="cw-1")
    elsewhere = a_course(referral_id=UUID(int=4), provider_org="x", referring_org="y", contact_person_id="kp-1")
    async with new_uow() as uow:
        await uow.assignments.save_many([referred, elsewhere, led, mine])
        await uow.assignments.save_many([])
        await uow.commit()
    async with new_uow() as uow:
        assert [a.referral_id.int for a in await uow.assignments.visible_to("rca", None, 10)] == [1, 2, 3]
        assert [a.referral_id.int for a in await uow.assignments.visible_to("rca", "kp-1", 10)] == [1, 2]
        assert [a.referral_id.int for a in await uow.assignments.visible_to("jc", "cw-1", 10)] == [3]
        assert [a.referral_id.int for a in await uow.assignments.visible_to("rca", None, 2)] == [1, 2]


async def test_an_organisations_own_policies_replace_and_reset(new_uow: UowFactory) -> None:
    policy = NotificationPolicy("LAB-42", 60, frozenset({NoticeRecipient.WEBHOOKS}), "Besked", is_default=True)
    async with new_uow() as uow:
        await uow.policies.put("rca", policy, "admin-1", NOW)
        await uow.commit()
    async with new_uow() as uow:
        own = await uow.policies.own("rca")
        assert own == {"LAB-42": NotificationPolicy("LAB-42", 60, policy.recipients, "Besked", is_default=False)}
        assert await uow.policies.own("jc") == {}
        await uow.policies.put("rca", NotificationPolicy("LAB-42", 90, policy.recipients, "Ny"), "admin-1", NOW)
        assert (await uow.policies.own("rca"))["LAB-42"].notify_within_working_minutes == 90
        assert await uow.policies.delete("rca", "LAB-42")
        assert not await uow.policies.delete("rca", "LAB-42")
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.policies.own("rca") == {}


def calendar_changed(changed_minutes: int, *closed_days: date) -> ProviderCalendarChanged:
    return ProviderCalendarChanged(
        provider_org="rca",
        closures=[
            DeclaredClosure(closure_id=f"c-{d}", first_day=d, last_day=d, reason="staff_day") for d in closed_days
        ],
        customary_worked=["constitution_day_afternoon"] if changed_minutes else [],
        changed_at=NOW + timedelta(minutes=changed_minutes),
    )


async def test_the_newest_calendar_announcement_wins(new_uow: UowFactory) -> None:
    tuesday, wednesday = date(2026, 11, 24), date(2026, 11, 25)
    async with new_uow() as uow:
        await uow.calendars.record(calendar_changed(10, tuesday))
        await uow.calendars.record(calendar_changed(5, wednesday))  # older, delivered late
        await uow.commit()
    async with new_uow() as uow:
        mine = await uow.calendars.with_closures("rca", calendar_for("DK"))
        theirs = await uow.calendars.with_closures("other", calendar_for("DK"))
    assert [c.first_day for c in mine.closures] == [tuesday]
    assert not mine.is_working_day(tuesday)
    assert mine.is_working_day(wednesday)
    assert mine.open_on == frozenset({"constitution_day_afternoon"})
    assert theirs == calendar_for("DK")
