"""Errors that carry their meaning across HTTP and messaging.

A :class:`DomainError` is a broken rule: HTTP answers it with a 4xx problem, a consumer sends the
message to the dead-letter queue with the error's code as the reason. Anything else is either
transient (retried) or a bug (retried a few times, then dead-lettered).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request or an event that breaks a rule. Never retried."""

    status: int = 422
    code: str = "rule-violated"
    title: str = "The request breaks a rule"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    # Unknown ids and other organisations' ids look the same, so nobody learns what exists.
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class InvalidInput(DomainError):
    status = 422
    code = "invalid-input"
    title = "Invalid input"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"
