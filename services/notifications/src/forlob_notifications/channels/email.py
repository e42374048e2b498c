"""E-mail over SMTP (aiosmtplib): STARTTLS, implicit TLS and authentication as configured.

A few connections are kept open and reused, so a burst of alerts does not pay a TCP connect,
greeting, EHLO (and TLS handshake and login) per message; a connection the server has dropped
is opened again once, then the attempt counts as failed and the delivery is retried later.

The message is written as bytes from parts made once (the sender's header and address): the
``email`` package's header registry parsed and refolded every header of every message, a third of
the CPU an alert's e-mail cost. A message it cannot write plainly (a recipient address or a line
beyond SMTP's) goes through the ``email`` package as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from forlob_notifications.domain.deliveries import AttemptOutcome
from forlob_notifications.settings import NotificationsSettings
from forlob_shared.redaction import describe_error

POOL_SIZE = 4
MAX_LINE = 998  # octets in a line of a message, without its CRLF (RFC 5321)


def _header(name: str, value: str) -> str:
    """One header, folded, encoded (RFC 2047) only when it is not plain ASCII."""
    return f"{name}: " + Header(value, "us-ascii" if value.isascii() else "utf-8", header_name=name).encode()


def plain_message(from_header: str, to: str, subject: str, body: str, message_id: str, date: str) -> bytes | None:
    """The message as bytes (a UTF-8 text part, 8bit when it is not ASCII), or None when it
    cannot be written plainly: a recipient address that is not ASCII, a line too long, or a line
    break where a header must have none (the email package refuses that, as it should)."""
    if not (to.isascii() and message_id.isascii()) or any(c in to + subject + message_id for c in "\r\n"):
        return None
    lines = body.splitlines()
    text = "\r\n".join(lines).encode() + b"\r\n"
    if any(len(line.encode()) > MAX_LINE for line in lines):
        return None
    head = "\r\n".join(
        (
            from_header,
            f"To: {to}",
            _header("Subject", subject),
            f"Date: {date}",
            f"Message-ID: {message_id}",
            'Content-Type: text/plain; charset="utf-8"',
            f"Content-Transfer-Encoding: {'7bit' if body.isascii() else '8bit'}",
            "MIME-Version: 1.0",
        )
    )
    return head.encode("ascii") + b"\r\n\r\n" + text


class SmtpSender:
    def __init__(self, settings: NotificationsSettings, pool_size: int = POOL_SIZE) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP] | None = None
        self._pool_size = pool_size
        # The same for every message: parsed and encoded once.
        name, self._sender = parseaddr(settings.mail_from)
        self._from_header = "From: " + formataddr((name, self._sender), "utf-8")  # only the name encoded

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password.get_secret_value() or None,
            start_tls=s.smtp_starttls,
            use_tls=s.smtp_tls,
            timeout=s.smtp_timeout,
        )

    def _pool(self) -> asyncio.Queue[aiosmtplib.SMTP]:
        if self._idle is None:  # made in the running loop, on first use
            self._idle = asyncio.Queue()
            for _ in range(self._pool_size):
                self._idle.put_nowait(self._client())
        return self._idle

    def _message(self, to: str, subject: str, body: str, message_id: str) -> bytes | EmailMessage:
        date = formatdate(localtime=False)
        # The delivery id: a resent e-mail carries the same Message-ID, so mail clients merge it.
        plain = plain_message(self._from_header, to, subject, body, message_id, date)
        if plain is not None:
            return plain
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = date
        message["Message-ID"] = message_id
        message.set_content(body)
        return message

    async def _send(self, client: aiosmtplib.SMTP, to: str, message: bytes | EmailMessage) -> None:
        if isinstance(message, bytes):
            await client.sendmail(self._sender, [to], message)
        else:
            await client.send_message(message)

    async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
        message = self._message(to, subject, body, message_id)
        started = time.perf_counter()
        pool = self._pool()
        client = await pool.get()
        try:
            for reconnected in (False, True):
                try:
                    if not client.is_connected:
                        await client.connect()
                    await self._send(client, to, message)
                    return AttemptOutcome(True, duration_ms=_ms(started))
                except aiosmtplib.SMTPServerDisconnected:
                    await _close(client)
                    if reconnected:
                        raise
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client)
            return AttemptOutcome(False, f"smtp-{exc.code}", str(exc.message)[:300], duration_ms=_ms(started))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await _close(client)
            return AttemptOutcome(False, "smtp-unavailable", describe_error(exc), duration_ms=_ms(started))
        finally:
            pool.put_nowait(client)
        return AttemptOutcome(False, "smtp-unavailable", duration_ms=_ms(started))  # pragma: no cover

    async def close(self) -> None:
        if self._idle is not None:
            while not self._idle.empty():
                client = self._idle.get_nowait()
                with contextlib.suppress(Exception):
                    if client.is_connected:
                        await client.quit()


async def _reset(client: aiosmtplib.SMTP) -> None:
    """After a refused message the transaction must be reset before the next one."""
    try:
        if client.is_connected:
            await client.rset()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        await _close(client)


async def _close(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        client.close()


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
