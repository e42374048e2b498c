"""Data-protection rights end to end across the four services (issue 18's fourth "done when").

A course runs (referral, intake, start, an arrival, a missed morning with an alert and a contact,
the end with a closing note) with the four services in process on one clock. The provider's data
protection officer then asks for an access export by identity number: every service's part is in
the document and the identity read is in the audit. An erasure request is refused while the
course is open and while its retention period runs (with the reason and the day the hold ends);
once the clock has passed that day it is accepted, and afterwards no service returns the
participant's personal data while the figures still add up, not even after reporting's read model
is rebuilt from the event history.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from forlob_attendance.main import spec as attendance_spec
from forlob_notifications.main import spec as notifications_spec
from forlob_referral.main import spec as referral_spec
from forlob_reporting.cli import run_rebuild
from forlob_reporting.main import spec as reporting_spec
from forlob_shared.clock import ManualClock
from forlob_shared.ops.dpo import SERVICES, access_export
from forlob_testkit.attendance import Attendance
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually

AALBORG = ZoneInfo("Europe/Copenhagen")
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
CONTACT_PERSON = auth(PROVIDER, "contact_person", staff="kp-1")
DPO = auth(PROVIDER, "dpo", staff="dpo-1")
OTHER_DPO = auth("aspa-odense", "dpo", staff="dpo-9")
START = date(2026, 11, 30)  # a Monday
MORNINGS = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)]
CLOSING_NOTE = {
    "summary": "Came most mornings.",
    "resources": "Punctual when he comes.",
    "development_possibilities": "Ready for an internship.",
    "goal_attainment": [
        {
            "goal": "Stable attendance",
            "attainment": "partly_achieved",
            "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}],
        },
        {"goal": "Increase weekly hours", "attainment": "not_achieved"},
    ],
}
PERIOD = {"from": "2026-11-01", "to": "2026-12-31"}


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AALBORG)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


def _categories(part: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {c["category"]: c["records"] for c in part["categories"]}


async def test_access_export_and_erasure_with_its_legal_hold(make_database: Any, run_service: Any) -> None:
    clock = ManualClock(_local(date(2026, 11, 23), 9))
    specs = {"referral": referral_spec, "attendance": attendance_spec}
    specs |= {"notifications": notifications_spec, "reporting": reporting_spec}
    databases = {name: await make_database(make()) for name, make in specs.items()}
    async with (
        run_service(reporting_spec(), databases["reporting"], clock=clock) as reporting,
        run_service(notifications_spec(), databases["notifications"], clock=clock, rules_interval=3600.0) as notif,
        run_service(attendance_spec(), databases["attendance"], clock=clock, periodic_enabled=False) as attendance,
        run_service(referral_spec(), databases["referral"], clock=clock, retention_sweep_interval=86_400.0) as referral,
    ):
        running = {"referral": referral, "attendance": attendance, "notifications": notif, "reporting": reporting}
        # The DPO's tool calls the four APIs by URL; here each URL reaches the service in process.
        urls = {name: f"http://{name}.test" for name in SERVICES}
        mounts = {f"http://{name}.test": svc.client._transport for name, svc in running.items()}
        dpo_token = DPO["Authorization"].removeprefix("Bearer ")

        # -- the course -------------------------------------------------------------------------------
        _ok(
            await notif.client.put(
                "/staff/kp-1",
                json={"role": "contact_person", "email": "kp1@rca.example", "channels": ["inbox"], "country": "DK"},
                headers=PROVIDER_ADMIN,
            )
        )
        _ok(await referral.client.put("/programmes/RCA-UDV-13", json=DEVELOPMENT_COURSE, headers=COORDINATOR), 201)
        body = referral_body(random.Random(17), wished_start=START.isoformat())
        person = body["participant"]
        created = _ok(await referral.client.post("/referrals", json=body, headers=CASEWORKER), 201)
        rid, pid = created["id"], created["participant_id"]
        _ok(await referral.client.post(f"/referrals/{rid}/accept", headers=COORDINATOR))
        clock.set(_local(START, 7))
        start = {"start_date": START.isoformat(), "weeks": 13, "schedule": MORNINGS, "contact_person_id": "kp-1"}
        _ok(await referral.client.post(f"/referrals/{rid}/start", json=start, headers=COORDINATOR))

        async def planned() -> bool:
            answer = await attendance.client.get(
                f"/participants/{pid}/slots",
                params={"from": START.isoformat(), "to": START.isoformat()},
                headers=CONTACT_PERSON,
            )
            return answer.status_code == 200 and len(answer.json()["slots"]) == 1

        await eventually(planned, what="attendance to plan the course")
        clock.set(_local(START, 7, 58))
        _ok(await attendance.client.post(f"/participants/{pid}/check-in", headers=CONTACT_PERSON))
        tuesday = START + timedelta(days=1)
        clock.set(_local(tuesday, 8, 16))
        assert await Attendance(attendance, clock).sweep() == 1

        async def alert() -> dict[str, Any] | None:
            inbox = _ok(await notif.client.get("/inbox", params={"kind": "absence"}, headers=CONTACT_PERSON))
            return inbox[0] if inbox else None

        absence = await eventually(alert, what="the absence alert")
        clock.set(_local(tuesday, 9))
        _ok(
            await attendance.client.post(
                f"/absences/{absence['facts']['absence_id']}/contacts",
                json={"outcome": "reached", "at": _local(tuesday, 9).isoformat()},
                headers=CONTACT_PERSON,
            ),
            201,
        )
        _ok(await referral.client.get(f"/referrals/{rid}/identity", params={"purpose": "call"}, headers=COORDINATOR))

        # -- erasure while the course is open: refused, nothing erased ----------------------------------
        refused = await referral.client.post(f"/dpo/participants/{pid}/erasure", headers=DPO)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["type"].endswith("/erasure-refused")
        assert problem["reason"] == "course_open"
        assert "hold_ends" not in problem  # an open course's end is not known yet

        clock.set(_local(START + timedelta(days=7), 7))
        end = {
            "end_date": (START + timedelta(days=4)).isoformat(),
            "outcome": "education",
            "closing_note": CLOSING_NOTE,
        }
        _ok(await referral.client.post(f"/referrals/{rid}/end", json=end, headers=COORDINATOR))
        closed_at = clock.now()

        async def counted() -> Any:
            figures = _ok(await reporting.client.get("/figures/referrals-received", params=PERIOD, headers=COORDINATOR))
            async with reporting.runtime.engine.connect() as connection:
                query = sa.text("SELECT outcome FROM referral_facts WHERE referral_id = :r")
                outcome = (await connection.execute(query, {"r": rid})).scalar()
            return figures if figures["total"] == 1 and outcome == "education" else None

        received_before = await eventually(counted, what="reporting to count the ended course")

        # -- the access export, by identity number ------------------------------------------------------
        async with httpx.AsyncClient(mounts=mounts) as client:
            document = await access_export(
                client,
                urls,
                dpo_token,
                identity_number=person["identity_number"],
                purpose="access request 9 Dec",
                now=clock.now(),
            )
        (found,) = document["participants"]
        assert found["participant_id"] == pid
        parts = found["services"]
        assert sorted(parts) == sorted(SERVICES)
        referral_part = _categories(parts["referral"])
        assert [r["identity_number"] for r in referral_part["identity"]] == [person["identity_number"]]
        assert referral_part["identity"][0]["name"] == person["name"]
        assert referral_part["closing_notes"][0]["closing_note"]["summary"] == CLOSING_NOTE["summary"]
        reads = referral_part["identity_reads"]
        assert {(r["purpose"], r["organisation"]) for r in reads} >= {
            ("call", PROVIDER),
            ("access request 9 Dec", PROVIDER),
        }
        attendance_part = _categories(parts["attendance"])
        assert [c["referral_id"] for c in attendance_part["courses"]] == [rid]
        assert {s["state"] for s in attendance_part["slots"]} >= {"present", "absent"}
        assert [c["outcome"] for c in attendance_part["contact_attempts"]] == ["reached"]
        notifications_part = _categories(parts["notifications"])
        alerts = {a["kind"]: a for a in notifications_part["alerts"]}
        assert alerts["absence"]["recipient_staff_id"] == "the provider's staff"
        # what the jobcentre's system was told, event by event: codes and dates, no name
        told = notifications_part["told_to_the_referring_organisation"]
        assert [e["type"] for e in told][:2] == [
            "dk.forlob.partner.referral.received.v1",
            "dk.forlob.partner.referral.accepted.v1",
        ]
        assert all(e["data"]["participant_id"] == pid for e in told)
        assert alerts["closing_note_ready"]["recipient_staff_id"] == "the referring organisation's staff"
        reporting_part = _categories(parts["reporting"])
        assert [f["outcome"] for f in reporting_part["referral_facts"]] == ["education"]
        for part in parts.values():
            assert all(c["retention"] and c["legal_basis"] for c in part["categories"])
        # the participant's export holds nobody of the provider's staff
        for staff in ("kp-1", "co-3", "dpo-1", "cw-7"):
            assert f'"{staff}"' not in json.dumps(document), staff

        # the lookup was an identity read, audited with its purpose, readable by the DPO only
        audit = _ok(await referral.client.get("/dpo/audit", params={"participant": pid}, headers=DPO))
        audited = {(r["staff_id"], r["purpose"]) for r in audit["identity_reads"]}
        assert {("co-3", "call"), ("dpo-1", "access request 9 Dec")} <= audited
        assert (
            await referral.client.get("/dpo/audit", params={"participant": pid}, headers=COORDINATOR)
        ).status_code == 403
        assert (
            await referral.client.get("/dpo/audit", params={"participant": pid}, headers=OTHER_DPO)
        ).status_code == 404
        for name, svc in running.items():
            theirs = await svc.client.get(f"/dpo/participants/{pid}/export", headers=OTHER_DPO)
            assert theirs.status_code == 404, name

        # -- erasure within the retention period: refused with the day the hold ends ---------------------
        held = await referral.client.post(f"/dpo/participants/{pid}/erasure", headers=DPO)
        assert held.status_code == 409, held.text
        retention = timedelta(days=referral.settings.retention_days)
        hold_ends = (closed_at + retention).date()
        assert (held.json()["reason"], held.json()["hold_ends"]) == ("retention_period", hold_ends.isoformat())

        # -- after the hold: accepted, announced, and applied everywhere ------------------------------------
        clock.set(closed_at + retention + timedelta(days=1))
        erased = _ok(await referral.client.post(f"/dpo/participants/{pid}/erasure", headers=DPO))
        assert (erased["status"], erased["referral_ids"]) == ("erased", [rid])
        again = _ok(await referral.client.post(f"/dpo/participants/{pid}/erasure", headers=DPO))
        assert again["erased_at"] == erased["erased_at"]  # idempotent

        async def nothing_left() -> bool:
            for name in ("attendance", "reporting"):
                answer = await running[name].client.get(f"/dpo/participants/{pid}/export", headers=DPO)
                if answer.status_code != 404:  # nothing held any more
                    return False
            # Notifications keeps what the jobcentre was told until the feed's retention ends.
            kept = await running["notifications"].client.get(f"/dpo/participants/{pid}/export", headers=DPO)
            return kept.status_code == 200 and {
                name for name, records in _categories(kept.json()).items() if records
            } == {"told_to_the_referring_organisation"}

        await eventually(nothing_left, what="attendance, notifications and reporting to apply the erasure")
        async with httpx.AsyncClient(mounts=mounts) as client:
            after = await access_export(client, urls, dpo_token, participant_id=UUID(pid), now=clock.now())
        assert {s: bool(p.get("nothing_held")) for s, p in after["participants"][0]["services"].items()} == {
            "referral": False,
            "attendance": True,
            "notifications": False,  # the partner feed, until its retention ends
            "reporting": True,
        }
        view = _ok(await referral.client.get(f"/referrals/{rid}", headers=COORDINATOR))
        assert view["participant"] is None
        identity = await referral.client.get(
            f"/referrals/{rid}/identity", params={"purpose": "x" * 3}, headers=CASEWORKER
        )
        assert identity.status_code == 404
        assert (await referral.client.get(f"/referrals/{rid}/closing-note", headers=CASEWORKER)).status_code == 404
        left = _categories(_ok(await referral.client.get(f"/dpo/participants/{pid}/export", headers=DPO)))
        assert left["identity"] == left["goals_and_plan"] == left["closing_notes"] == []
        assert [r["outcome"] for r in left["referrals"]] == ["education"]  # the pseudonymous facts stay
        lookup = await referral.client.post(
            "/dpo/participants/lookup",
            json={"identity_number": person["identity_number"], "purpose": "after erasure"},
            headers=DPO,
        )
        assert lookup.status_code == 404
        for name, svc in running.items():  # nothing anywhere holds the name or the identity number
            text = (await svc.client.get(f"/dpo/participants/{pid}/export", headers=DPO)).text
            assert person["name"] not in text, name
            assert person["identity_number"] not in text, name
        assert await _slots_of(attendance, pid) == 404

        # the figures still add up
        received_after = _ok(
            await reporting.client.get("/figures/referrals-received", params=PERIOD, headers=COORDINATOR)
        )
        assert received_after == received_before

        # -- a rebuild of reporting's read model from the history brings back no participant id -------
        await run_rebuild(reporting.settings)
        async with reporting.runtime.engine.connect() as connection:
            naming = sa.text(
                "SELECT (SELECT count(*) FROM referral_facts WHERE participant_id = :p)"
                " + (SELECT count(*) FROM attendance_week_facts WHERE participant_id = :p)"
            )
            assert (await connection.execute(naming, {"p": pid})).scalar() == 0
        assert (await reporting.client.get(f"/dpo/participants/{pid}/export", headers=DPO)).status_code == 404
        rebuilt = _ok(await reporting.client.get("/figures/referrals-received", params=PERIOD, headers=COORDINATOR))
        assert rebuilt == received_before


async def _slots_of(attendance: Any, pid: str) -> int:
    answer = await attendance.client.get(
        f"/participants/{pid}/slots",
        params={"from": START.isoformat(), "to": START.isoformat()},
        headers=CONTACT_PERSON,
    )
    return int(answer.status_code)
