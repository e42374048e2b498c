"""The e-mail as written for SMTP: read back by the ``email`` package it says what was given (the
sender's name encoded, not its address; the subject and body in UTF-8; the delivery's Message-ID),
and what it cannot write plainly is left to the ``email`` package."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr

import pytest

from forlob_notifications.channels.email import SmtpSender, plain_message
from forlob_notifications.settings import NotificationsSettings

FROM = "From: " + formataddr(("Forløb", "noreply@forlob.dk"), "utf-8")
SUBJECT = "Fravær: en deltager er ikke mødt op på RCA-UDV-13, og emnet er langt nok til at blive foldet"
BODY = "Hej\n\nEn deltager er ikke mødt op kl. 07:45.\n.a line that starts with a dot\nSe https://forlob.dk/a/1\n"
DATE = "Fri, 04 Dec 2026 06:45:00 -0000"


def _read(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_plain_message_reads_back_as_given() -> None:
    raw = plain_message(FROM, "kp-1@provider.dk", SUBJECT, BODY, "<d-1@forlob>", DATE)
    assert raw is not None
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    message = _read(raw)
    assert message["From"].addresses[0].addr_spec == "noreply@forlob.dk"
    assert message["From"].addresses[0].display_name == "Forløb"
    assert message["To"] == "kp-1@provider.dk"
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == "<d-1@forlob>"
    assert message["Date"] == DATE
    assert message.get_content_type() == "text/plain"
    assert message.get_content().splitlines() == BODY.splitlines()


def test_plain_ascii_is_sent_as_seven_bit() -> None:
    raw = plain_message(FROM, "kp-1@provider.dk", "Absence", "Hello\n", "<d-2@forlob>", DATE)
    assert raw is not None
    assert b"Content-Transfer-Encoding: 7bit" in raw
    assert _read(raw)["Subject"] == "Absence"


@pytest.mark.parametrize(
    ("to", "body"),
    [("kø@provider.dk", BODY), ("kp-1@provider.dk", "x" * 1200), ("kp-1@provider.dk\r\nBcc: x@y", BODY)],
)
def test_what_cannot_be_written_plainly_is_left_to_the_email_package(to: str, body: str) -> None:
    assert plain_message(FROM, to, SUBJECT, body, "<d-3@forlob>", DATE) is None


def test_a_line_break_in_the_subject_or_message_id_is_never_written_plainly() -> None:
    # A header with a line break in it would start a header of its own (injection).
    assert plain_message(FROM, "kp-1@provider.dk", "Fravær\r\nBcc: x@y", BODY, "<d-4@forlob>", DATE) is None
    assert plain_message(FROM, "kp-1@provider.dk", SUBJECT, BODY, "<d-4@forlob>\nBcc: x@y", DATE) is None


def test_the_sender_writes_the_same_message_either_way() -> None:
    sender = SmtpSender(
        NotificationsSettings(database_url="postgresql+asyncpg://x@localhost/x", mail_from="Forløb <noreply@forlob.dk>")
    )
    plain = sender._message("kp-1@provider.dk", SUBJECT, BODY, "<d-4@forlob>")
    assert isinstance(plain, bytes)
    fallback = sender._message("kp-1@provider.dk", SUBJECT, "x" * 1200, "<d-4@forlob>")
    assert isinstance(fallback, EmailMessage)
    for message in (_read(plain), fallback):
        assert message["From"].addresses[0].addr_spec == "noreply@forlob.dk"
        assert message["Subject"] == SUBJECT
        assert message["Message-ID"] == "<d-4@forlob>"
