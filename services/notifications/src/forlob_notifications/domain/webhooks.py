"""Webhook subscriptions of an organisation, per the Standard Webhooks spec."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.partner import partner_event_types

# What a partner can subscribe to (the ``type`` of the webhook payload): the partner contract's
# types, and an organisation's own alerts.
EVENT_TYPES: dict[str, str] = {
    "alert.raised": "an alert for your organisation's staff was raised",
    **{cls.partner_type(): cls.description for cls in partner_event_types().values()},
}


def validate_url(url: str, *, require_https: bool) -> str:
    # A control character or space (CR LF would split the request line we send) is no part of a
    # URL; urlsplit would keep it in the path or host.
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise InvalidInput("the webhook URL may not contain spaces or control characters", field="url")
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port  # port: ValueError when not 0-65535
    except ValueError:  # a malformed IPv6 literal ("https://[::1"), a port out of range
        raise InvalidInput("the webhook URL is not a valid URL", field="url") from None
    if parts.scheme not in ("https", "http") or not hostname:
        raise InvalidInput("the webhook URL must be an absolute http(s) URL", field="url")
    if port == 0:
        raise InvalidInput("the webhook URL's port must be 1-65535", field="url")
    if require_https and parts.scheme != "https":
        raise InvalidInput("webhook URLs must use https", field="url")
    if parts.username or parts.password:
        raise InvalidInput("put no credentials in the webhook URL; the signature authenticates us", field="url")
    if len(url) > 2000:
        raise InvalidInput("the webhook URL is too long", field="url")
    if require_https:
        try:
            address = ipaddress.ip_address(hostname)
        except ValueError:
            address = None
        if address is not None and (address.is_private or address.is_loopback or address.is_link_local):
            raise InvalidInput("webhook URLs must not point into private networks", field="url")
    return url


def validate_event_types(event_types: list[str]) -> list[str]:
    if not event_types:
        raise InvalidInput("subscribe to at least one event type", field="event_types", known=sorted(EVENT_TYPES))
    unknown = sorted(set(event_types) - EVENT_TYPES.keys())
    if unknown:
        raise InvalidInput(
            f"unknown event type(s): {', '.join(unknown)}", field="event_types", known=sorted(EVENT_TYPES)
        )
    return sorted(set(event_types))


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass
class Subscription:
    id: UUID
    org: str
    url: str
    event_types: list[str]
    secret: str
    owner_staff_id: str
    created_at: datetime
    description: str = ""
    enabled: bool = True
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    # The secret before the last rotation, still signed with until it expires, so a partner can
    # switch to the new one without missing a call (see rotate_secret).
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None

    def rotate_secret(self, now: datetime, overlap: timedelta) -> str:
        """A new secret; the current one keeps signing alongside it for ``overlap``. A second
        rotation within the overlap drops the oldest at once: two secrets at most."""
        if overlap > timedelta(0):
            self.previous_secret = self.secret
            self.previous_secret_expires_at = now + overlap
        else:
            self.previous_secret = None
            self.previous_secret_expires_at = None
        self.secret = new_secret()
        return self.secret

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a call made ``now`` is signed with: the current one, and the previous
        one while its overlap lasts."""
        if self.previous_secret and self.previous_secret_expires_at and now < self.previous_secret_expires_at:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def drop_expired_secret(self, now: datetime) -> None:
        if self.previous_secret_expires_at is not None and now >= self.previous_secret_expires_at:
            self.previous_secret = None
            self.previous_secret_expires_at = None

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.event_types

    def disable(self, reason: str, now: datetime) -> bool:
        """Disable; False if it already was."""
        if not self.enabled:
            return False
        self.enabled = False
        self.disabled_at = now
        self.disabled_reason = reason
        return True

    def enable(self) -> None:
        self.enabled = True
        self.disabled_at = None
        self.disabled_reason = None

    def require_enabled(self) -> None:
        if not self.enabled:
            raise Conflict("the subscription is disabled; enable it first")
