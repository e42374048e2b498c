"""E-mail over SMTP (aiosmtplib): STARTTLS, implicit TLS and authentication as configured.

A few connections are kept open and reused, so a burst of alerts does not pay a TCP connect,
greeting, EHLO (and TLS handshake and login) per message; a connection the server has dropped
is opened again once, then the attempt counts as failed and the delivery is retried later.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from forlob_notifications.domain.deliveries import AttemptOutcome
from forlob_notifications.settings import NotificationsSettings
from forlob_shared.redaction import describe_error

POOL_SIZE = 4


class SmtpSender:
    def __init__(self, settings: NotificationsSettings, pool_size: int = POOL_SIZE) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP] | None = None
        self._pool_size = pool_size

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

    async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        # The delivery id: a resent e-mail carries the same Message-ID, so mail clients merge it.
        message["Message-ID"] = message_id
        message.set_content(body)
        started = time.perf_counter()
        pool = self._pool()
        client = await pool.get()
        try:
            for reconnected in (False, True):
                try:
                    if not client.is_connected:
                        await client.connect()
                    await client.send_message(message)
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
