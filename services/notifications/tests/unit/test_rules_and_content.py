from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook

from forlob_notifications.channels.listener import ChangeListener
from forlob_notifications.channels.webhook import body_bytes, signed_headers
from forlob_notifications.domain import content
from forlob_notifications.domain.alerts import Alert, AlertKind
from forlob_notifications.domain.directory import StaffMember
from forlob_notifications.domain.policy import (
    DANISH_DEFAULTS,
    FALLBACK,
    SWEDISH_DEFAULTS,
    NoticeRecipient,
    NotificationPolicy,
    effective,
)
from forlob_notifications.domain.webhooks import new_secret, validate_event_types, validate_url
from forlob_notifications.settings import NotificationsSettings
from forlob_shared.errors import InvalidInput
from forlob_shared.texts import FACT_VALUE_CODES, code_text, every_code, raw_codes
from forlob_shared.working_time import Window

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_policy_falls_back_from_own_to_default_to_the_fallback() -> None:
    own = {"LAB-42": NotificationPolicy("LAB-42", 30, frozenset({NoticeRecipient.WEBHOOKS}), "x", False)}
    assert effective("LAB-42", own).notify_within_working_minutes == 30
    assert effective("LAB-32-1-2", own) is DANISH_DEFAULTS["LAB-32-1-2"]
    assert effective("UNKNOWN", own) is DANISH_DEFAULTS[FALLBACK]
    assert effective(None, own) is DANISH_DEFAULTS[FALLBACK]
    mine = {FALLBACK: NotificationPolicy(FALLBACK, 60, frozenset({NoticeRecipient.CASEWORKER}), "y", False)}
    assert effective("UNKNOWN", mine).notify_within_working_minutes == 60
    with pytest.raises(InvalidInput):
        NotificationPolicy("X", 0, frozenset({NoticeRecipient.CASEWORKER}), "x")


def test_webhook_urls_and_event_types() -> None:
    assert validate_url("http://partner.local/h", require_https=False)
    with pytest.raises(InvalidInput, match="https"):
        validate_url("http://partner.example/h", require_https=True)
    with pytest.raises(InvalidInput, match="private"):
        validate_url("https://127.0.0.1/h", require_https=True)
    assert validate_event_types(["programme.ended", "programme.ended"]) == ["programme.ended"]
    with pytest.raises(InvalidInput, match="unknown event type"):
        validate_event_types(["programme.teleported"])


@pytest.mark.parametrize(
    "url",
    [
        "https://partner.example/h\r\nX-Injected: 1",  # CRLF would split the request we send
        "https://partner.example/h\nx",
        "https://partner.example/a b",
        "https://partner.example/h\x00",
        "https://partner.example:99999/h",  # no such port
        "https://partner.example:0/h",
        "https://[::1/h",  # a malformed IPv6 literal (urlsplit raises)
        "https://[not-an-address]/h",
    ],
)
def test_hostile_webhook_urls_are_refused(url: str) -> None:
    for require_https in (True, False):
        with pytest.raises(InvalidInput) as refused:
            validate_url(url, require_https=require_https)
        assert refused.value.extra == {"field": "url"}


def test_production_requires_https_webhooks() -> None:
    production = NotificationsSettings(
        environment="production",
        jwt_secret="a-real-secret",
        public_web_url="https://forlob.example.org",
        public_api_url="https://api.forlob.example.org/notifications",
    )
    assert production.webhook_require_https is True
    assert NotificationsSettings(environment="development").webhook_require_https is False
    assert "smtp_password" not in production.public_dict()


def test_signature_verifies_with_the_standard_webhooks_package() -> None:
    secret = new_secret()
    payload = {"type": "programme.ended", "timestamp": NOW.isoformat(), "data": {"b": 1, "a": "æ"}}
    body = body_bytes(payload)
    headers = signed_headers([secret], "msg-1", body, datetime.now(UTC))
    assert Webhook(secret).verify(body, headers) == payload
    with pytest.raises(Exception, match="signature"):
        Webhook(new_secret()).verify(body, headers)


def _alert(kind: AlertKind, **facts: Any) -> Alert:
    return Alert(
        id=uuid4(),
        org="jc",
        kind=kind,
        cause_key="c",
        cause_event_id=uuid4(),
        recipient_staff_id="cw-1",
        provider_org="rca",
        referring_org="jc",
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        occurred_at=NOW,
        raised_at=NOW,
        facts=dict(facts),
    )


@pytest.mark.parametrize(
    "production",
    [
        {},
        {"public_api_url": "https://api.forlob.example.org"},
        {"public_web_url": "https://forlob.example.org"},
        {"public_web_url": "https://forlob.example.org", "public_api_url": "http://localhost:8003"},
        {"public_web_url": "http://[::1]:8000", "public_api_url": "https://api.forlob.example.org"},
        {"public_web_url": "http://0.0.0.0:8000", "public_api_url": "https://api.forlob.example.org"},
        {"public_web_url": "forlob.example.org", "public_api_url": "https://api.forlob.example.org"},
    ],
)
def test_production_refuses_to_start_while_a_public_address_is_local(production: dict[str, str]) -> None:
    # An e-mail or webhook linking to this machine reaches nobody: refused at start, by name.
    with pytest.raises(ValueError, match=r"PUBLIC_(WEB|API)_URL"):
        NotificationsSettings(environment="production", jwt_secret="a-real-secret", **production)
    development = NotificationsSettings(environment="development", **production)
    assert development.public_web_url == production.get("public_web_url", "http://127.0.0.1:8000")


def test_the_public_addresses_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_NOTIFICATIONS_PUBLIC_WEB_URL", "https://forlob.example.org")
    monkeypatch.setenv("FORLOB_PUBLIC_API_URL", "https://api.forlob.example.org")  # the machine-wide prefix too
    settings = NotificationsSettings(environment="production", jwt_secret="a-real-secret")
    assert (settings.public_web_url, settings.public_api_url) == (
        "https://forlob.example.org",
        "https://api.forlob.example.org",
    )


# Not about a participant: a webhook, a staff member's visit, an outreach case without identity.
NO_PARTICIPANT = {AlertKind.WEBHOOK_DISABLED, AlertKind.VISIT_OVERDUE, AlertKind.OUTREACH_CONTACT_OVERDUE}


@pytest.mark.parametrize("kind", [k for k in AlertKind if k not in NO_PARTICIPANT])
def test_every_message_holds_a_reference_the_programme_the_time_and_a_link(kind: AlertKind) -> None:
    alert = _alert(kind, minutes_missed=40, contact_attempts=2, reason="unexplained")
    mail = content.email(alert, "https://forlob.example/", zone=COPENHAGEN)
    assert str(alert.participant_id)[:8] in mail["subject"]
    assert "RCA-UDV-13" in mail["body"]
    assert "23.11.2026 kl. 09:00" in mail["body"]
    # a person's link: the alert's page on the web; a system's: the alert in the API
    assert f"Se advarslen: https://forlob.example/alerts/{alert.id}" in mail["body"]
    payload = content.webhook_payload(alert, "alert.raised", "https://api.forlob.example/", NOW)
    assert payload["data"]["link"] == f"https://api.forlob.example/alerts/{alert.id}"
    assert set(payload["data"]) == {
        "alert_id",
        "kind",
        "provider_org",
        "referring_org",
        "referral_id",
        "participant_ref",
        "programme_code",
        "occurred_at",
        "facts",
        "link",
    }
    json.dumps(payload)


def test_staff_rules() -> None:
    member = StaffMember(org="rca", staff_id="kp-1", role="contact_person", email="a@b.dk")
    assert member.wants("email")
    assert member.hours().add_minutes(NOW, 30) == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    own = StaffMember(
        org="rca",
        staff_id="kp-2",
        role="contact_person",
        channels=["inbox"],
        working_hours=[Window(0, time(7), time(9))],
    )
    assert not own.wants("email")
    # 09:00 local: Monday's window has just closed, so all 90 minutes fall on the next Monday
    assert own.hours().add_minutes(NOW, 90) == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        StaffMember(org="rca", staff_id="x", role="contact_person", channels=["email"])


def test_the_listener_tells_only_the_addressed_person() -> None:
    listener = ChangeListener("postgresql://unused")
    mine = listener.subscribe("rca", "kp-1")
    theirs = listener.subscribe("aspa", "kp-1")
    colleague = listener.subscribe("rca", "kp-2")
    listener._on_inbox(
        None, 0, "c", json.dumps({"org": "rca", "staff_id": "kp-1", "alert_id": "a", "change": "raised"})
    )
    listener._on_inbox(None, 0, "c", "not json")
    assert mine.get_nowait()["alert_id"] == "a"
    assert theirs.empty()
    assert colleague.empty()
    listener.unsubscribe("rca", "kp-1", mine)
    listener._on_inbox(None, 0, "c", json.dumps({"org": "rca", "staff_id": "kp-1", "alert_id": "b", "change": "x"}))
    assert mine.empty()


FACTS: dict[AlertKind, dict[str, Any]] = {
    AlertKind.ABSENCE: {"absence_id": str(uuid4())},
    AlertKind.ABSENCE_NOTICE: {
        "minutes_missed": 240,
        "agreed_minutes": 240,
        "arrived_at": "2026-11-23T10:30:00+00:00",
        "reason_given_at": None,
        "contact_attempts": 1,
        "reason": "unexplained",
        "legal_basis": "LAB-32-1-2",
    },
    AlertKind.BREACH: {"rule": "unexcused_in_window", "unexcused_absences": 3, "window": "2026-11-09..2026-11-20"},
    AlertKind.CLOSING_NOTE_READY: {"outcome": "education"},
    AlertKind.WEBHOOK_DISABLED: {"subscription_id": str(uuid4()), "retry_hours": 24, "error": "http_503"},
    AlertKind.VISIT_OVERDUE: {
        "visit_id": str(uuid4()),
        "visit_staff_id": "kp-7",
        "visit_kind": "home",
        "planned_end": "2026-11-23T08:00:00+00:00",
    },
    AlertKind.MEETING_OVERDUE: {"due_by": "2026-11-20", "max_days_between": 7, "last_meeting_day": "2026-11-13"},
    AlertKind.OUTREACH_CONTACT_OVERDUE: {"case_id": str(uuid4()), "due_by": "2026-11-20", "last_attempt_at": None},
    AlertKind.CALL_PARTICIPANT: {"replied_by_text": "other_call_me", "absence_id": str(uuid4())},
}


@pytest.mark.parametrize("lang", ["da", "sv", "en"])
@pytest.mark.parametrize("kind", list(AlertKind))
def test_every_e_mail_speaks_the_language_it_is_written_in_and_shows_no_code(kind: AlertKind, lang: str) -> None:
    alert = _alert(kind, **FACTS[kind])
    mail = content.email(
        alert, "https://forlob.example", lang=lang, escalated=kind is AlertKind.ABSENCE, zone=COPENHAGEN
    )
    text = mail["subject"] + "\n" + mail["body"]
    # single-word codes are English words: looked for in the other languages only
    assert raw_codes(text, also=every_code() if lang != "en" else set()) == [], text
    for name, value in FACTS[kind].items():
        if name in FACT_VALUE_CODES:
            assert code_text(FACT_VALUE_CODES[name], value, lang) in text, text
    others = {"da": "Se advarslen", "sv": "Se varningen", "en": "Open the alert"}
    assert others.pop(lang) in text
    assert not any(words in text for words in others.values()), text


def test_e_mail_words_for_the_facts() -> None:
    breach = content.email(
        _alert(AlertKind.BREACH, **FACTS[AlertKind.BREACH]), "https://forlob.example", lang="sv", zone=STOCKHOLM
    )
    assert "Regel: För många oförklarade frånvarotillfällen under perioden" in breach["body"]
    assert "Period: 2026-11-09 - 2026-11-20" in breach["body"]
    assert "2026-11-23 kl. 09:00" in breach["body"]  # Swedish dates; local time of the provider
    notice = content.email(
        _alert(AlertKind.ABSENCE_NOTICE, **FACTS[AlertKind.ABSENCE_NOTICE]),
        "https://f.example",
        lang="en",
        zone=COPENHAGEN,
    )
    assert "Arrived: 23 Nov 2026 at 11:30" in notice["body"].splitlines()
    assert "Legal basis: LAB s. 32(1)(2)" in notice["body"].splitlines()
    assert "Reason given" not in notice["body"]  # a fact not known is left out
    ended = content.email(
        _alert(AlertKind.CLOSING_NOTE_READY, outcome="education"), "https://f.example", lang="en", zone=COPENHAGEN
    )
    assert "Outcome: Education" in ended["body"]
    assert ended["subject"].startswith("The course has ended")


def test_a_swedish_provider_has_swedish_defaults() -> None:
    # The Danish schemes mean nothing in Sweden: any basis falls back, with the notice in Swedish.
    for basis in ("LAB-32-1-2", None, "UNKNOWN"):
        policy = effective(basis, {}, "SE")
        assert policy is SWEDISH_DEFAULTS[FALLBACK]
        assert policy.notice_text.startswith("Deltagaren har inte kommit")
    assert effective("LAB-32-1-2", {}, "DK") is DANISH_DEFAULTS["LAB-32-1-2"]
    mine = {FALLBACK: NotificationPolicy(FALLBACK, 60, frozenset({NoticeRecipient.CASEWORKER}), "egen text", False)}
    assert effective("LAB-42", mine, "SE").notice_text == "egen text"


def test_a_refused_production_start_names_the_setting_and_no_value_it_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The likeliest first-deploy failure (the public addresses left local): pydantic would print
    # the environment it read, the SMTP password and the JWT secret among it, into the pod's log.
    monkeypatch.setenv("FORLOB_NOTIFICATIONS_ENVIRONMENT", "production")
    monkeypatch.setenv("FORLOB_NOTIFICATIONS_JWT_SECRET", "jwt-secret-do-not-print-0123456789abcdef")
    monkeypatch.setenv("FORLOB_NOTIFICATIONS_SMTP_PASSWORD", "smtp-pass-do-not-print")
    monkeypatch.setenv("FORLOB_NOTIFICATIONS_DATABASE_URL", "postgresql://forlob:db-pass-do-not-print@db/forlob")
    with pytest.raises(ValidationError) as refused:
        NotificationsSettings()
    text = str(refused.value)
    assert "PUBLIC_WEB_URL" in text
    for secret in ("jwt-secret-do-not-print", "smtp-pass-do-not-print", "db-pass-do-not-print"):
        assert secret not in text
