"""The course record and the messages in the pages, against the four services running as real
processes: a contact person records a talk, the coordinator books the closing meeting, a
psychologist writes a note the contact person cannot read and the caseworker reads once attached;
the caseworker and the provider write to each other, the e-mail says only that a message waits,
and the read receipt shows. Another organisation sees none of it."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

import httpx

from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.auth import auth
from forlob_testkit.outside import SmtpSink
from forlob_testkit.scenario import JOBCENTRE, OTHER_JOBCENTRE, PROVIDER, referral_body
from forlob_testkit.wait import eventually
from forlob_testkit.web import (
    COORDINATOR,
    PROVIDER_ADMIN,
    ok,
    put_programme,
    put_staff,
    set_clock,
    start_course,
    visible_text,
    web_in_process,
    web_settings,
)

NOTE = "Anxiety in large groups; a smaller workshop is advised."
QUESTION = "Could the closing meeting be on a Thursday instead?"


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash (?:ok|error)"[^>]*>([^<]+)</p>', html)
    return found[1].strip() if found else ""


async def test_the_course_record_and_messages_in_the_pages(web_system: Any, web_mail: SmtpSink) -> None:
    rng = random.Random(19)
    system = web_system
    referral_api = system.url("referral")
    async with httpx.AsyncClient(timeout=10) as http, web_in_process(web_settings(system), system.clock()) as people:
        # After the other web tests' courses (the last, the course pages, leaves the clock in March 2027), or first.
        await set_clock(system, datetime(2027, 4, 5, 7, 0), first=True)
        await put_staff(http, system)
        await put_programme(http, system)
        jobcentre_admin = auth(JOBCENTRE, "admin", staff="admin-j")
        cw = {"role": "caseworker", "country": "DK", "email": "cw-7@jobcenter.example", "channels": ["email"]}
        ok(await http.put(f"{system.url('notifications')}/staff/cw-7", json=cw, headers=jobcentre_admin))
        adviser = {"role": "coordinator", "channels": ["inbox"], "country": "DK"}
        ok(await http.put(f"{system.url('notifications')}/staff/co-3", json=adviser, headers=PROVIDER_ADMIN))
        caseworker_token = auth(JOBCENTRE, "caseworker", staff="cw-7")
        body = referral_body(rng, wished_start="2027-04-05")
        name = body["participant"]["name"]
        rid = ok(await http.post(f"{referral_api}/referrals", json=body, headers=caseworker_token), 201)["id"]
        ok(await http.post(f"{referral_api}/referrals/{rid}/accept", headers=COORDINATOR))
        await start_course(http, system, rid, "2027-04-05")
        await set_clock(system, datetime(2027, 4, 8, 13, 0))

        # -- the contact person records the week's talk ----------------------------------------
        contact = await people()
        await contact.sign_in(PROVIDER, "kp-1", "contact_person")
        page = await contact.get(f"/referrals/{rid}/record")
        assert page.status_code == 200, page.text
        assert name in page.text
        assert 'for="talk-next_steps"' in page.text
        # who took part: a labelled choice of the organisation's staff, the one writing ticked
        chooser = re.search(r'<fieldset class="staff-chooser".*?</fieldset>', page.text, re.S)
        assert chooser, page.text
        assert "<legend>Hvem deltog</legend>" in chooser[0]
        boxes = re.findall(
            r'<input type="checkbox" id="(talk-staff-\d+)" name="staff_ids" value="([\w-]+)"( checked)?>', chooser[0]
        )
        assert {value: bool(checked) for _, value, checked in boxes} == {"co-3": False, "kp-1": True, "tl-1": False}
        for box_id, value, _ in boxes:
            assert re.search(rf'<label for="{box_id}">{value}', chooser[0])
        assert "kp-1 (dig) · Kontaktperson" in visible_text(chooser[0])
        assert "cw-7" not in chooser[0]  # the jobcentre's people are not the provider's staff
        stranger_staff = await contact.post(
            f"/referrals/{rid}/record/talks",
            {
                "key": "talk-0",
                "held_on": "2027-04-08",
                "staff_ids": ["kp-1", "zz-9"],  # type: ignore[dict-item]
                "topics": ["attendance_hours"],  # type: ignore[dict-item]
                "next_steps": "x",
            },
        )
        assert stranger_staff.status_code == 303
        assert _flash((await contact.get(f"/referrals/{rid}/record")).text) == (
            "Ikke registreret som medarbejder: zz-9. Samtalen er ikke gemt."
        )
        assert ok(await http.get(f"{referral_api}/referrals/{rid}/record", headers=COORDINATOR))["talks"] == []
        assert 'action="/referrals/' + rid + '/record/meetings"' not in page.text  # booking is the coordinator's
        saved = await contact.post(
            f"/referrals/{rid}/record/talks",
            {
                "key": "talk-1",
                "held_on": "2027-04-08",
                "staff_ids": ["kp-1", "co-3"],  # type: ignore[dict-item]
                "topics": ["attendance_hours", "wellbeing_social"],  # type: ignore[dict-item]
                "next_steps": "Four days next week, Friday off",
            },
        )
        assert (saved.status_code, saved.headers["location"]) == (303, f"/referrals/{rid}/record")
        after = await contact.get(f"/referrals/{rid}/record")
        assert _flash(after.text) == "Samtalen er registreret."
        assert "Fremmøde, Trivsel" in visible_text(after.text)
        assert "Four days next week, Friday off" in after.text
        refused = await contact.post(
            f"/referrals/{rid}/record/talks", {"key": "talk-2", "held_on": "2027-04-08", "staff_ids": "kp-1"}
        )
        assert refused.status_code == 303
        assert "Henvisningstjenesten" in _flash((await contact.get(f"/referrals/{rid}/record")).text)

        # -- the coordinator books the closing meeting with the caseworker invited -------------
        coordinator = await people()
        await coordinator.sign_in(PROVIDER, "co-3", "coordinator")
        booked = await coordinator.post(
            f"/referrals/{rid}/record/meetings",
            {
                "key": "meeting-1",
                "kind": "closing_meeting",
                "starts_at": "2027-05-27T09:00",
                "place": "on_site",
                "caseworker_invited": "yes",
            },
        )
        assert booked.status_code == 303
        record = ok(await http.get(f"{referral_api}/referrals/{rid}/record", headers=COORDINATOR))
        [meeting] = record["meetings"]
        assert meeting["starts_at"] == "2027-05-27T07:00:00Z"  # 09:00 in Aalborg, summer time
        assert meeting["caseworker_invited"] is True
        english = await coordinator.get(f"/referrals/{rid}/record", headers={"Accept-Language": "en"})
        assert "Closing meeting" in visible_text(english.text)

        # -- a psychologist's note: not for the contact person; for the caseworker once attached
        psychologist = await people()
        await psychologist.sign_in(PROVIDER, "ps-1", "specialist")
        written = await psychologist.post(
            f"/referrals/{rid}/record/specialist-notes", {"key": "note-1", "specialism": "psychologist", "text": NOTE}
        )
        assert written.status_code == 303
        assert NOTE in (await psychologist.get(f"/referrals/{rid}/record")).text
        assert NOTE not in (await contact.get(f"/referrals/{rid}/record")).text
        caseworker = await people()
        await caseworker.sign_in(JOBCENTRE, "cw-7", "caseworker")
        assert NOTE not in (await caseworker.get(f"/referrals/{rid}/record")).text
        [note] = ok(await http.get(f"{referral_api}/referrals/{rid}/record", headers=COORDINATOR))["specialist_notes"]
        attach = await coordinator.post(f"/referrals/{rid}/record/specialist-notes/{note['id']}/attach", {"key": "a-1"})
        assert attach.status_code == 303
        assert NOTE in (await caseworker.get(f"/referrals/{rid}/record")).text
        assert NOTE not in (await contact.get(f"/referrals/{rid}/record")).text

        # -- messages: the caseworker asks, the contact person is told it waits and answers ----
        thread = await caseworker.get(f"/referrals/{rid}/messages")
        assert thread.status_code == 200
        assert "Ingen beskeder endnu." in thread.text
        sent = await caseworker.post(f"/referrals/{rid}/messages", {"key": "m-1", "text": QUESTION})
        assert (sent.status_code, sent.headers["location"]) == (303, f"/referrals/{rid}/messages")
        mine = await caseworker.get(f"/referrals/{rid}/messages")
        assert QUESTION in mine.text
        assert "Ikke læst endnu" in mine.text
        answer = "Yes, Thursday 27 May at 09:00"
        seen = await contact.get(f"/referrals/{rid}/messages")
        assert QUESTION in seen.text
        assert (await contact.post(f"/referrals/{rid}/messages", {"key": "m-2", "text": answer})).status_code == 303
        receipt = await caseworker.get(f"/referrals/{rid}/messages", headers={"Accept-Language": "en"})
        assert re.search(r"Read [0-9.: ]+ by kp-1", visible_text(receipt.text)), visible_text(receipt.text)
        assert answer in receipt.text

        async def the_mail() -> str | None:
            mails = [m.body for m in web_mail.to("cw-7@jobcenter.example") if rid in m.body]
            return mails[0] if mails else None

        mail = await eventually(the_mail, timeout=20, what="the e-mail telling the caseworker a message waits")
        assert f"/referrals/{rid}/messages" in mail
        assert answer not in mail
        assert name not in mail
        assert raw_codes(mail, also=every_code()) == [], mail

        # -- another organisation sees none of it ----------------------------------------------
        other = await people()
        await other.sign_in(OTHER_JOBCENTRE, "cw-9", "caseworker")
        for path in (f"/referrals/{rid}/record", f"/referrals/{rid}/messages"):
            elsewhere = await other.get(path)
            assert elsewhere.status_code == 404, path
            assert name not in elsewhere.text
            assert QUESTION not in elsewhere.text
        for page in (english, receipt):
            assert raw_codes(visible_text(page.text)) == [], visible_text(page.text)
