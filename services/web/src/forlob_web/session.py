"""Who is signed in: the server-side session (forlob_web.session_store; the cookie holds only its
id), CSRF tokens for every form, and the people the local sign-in offers."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from forlob_web.session_store import RENEW

# The demo people of `make demo` (deploy/local/demo.py): the provider's staff and the jobcentre's.
DEMO_PEOPLE: list[dict[str, Any]] = [
    {"org": "rca-aalborg", "staff": "kp-1", "roles": ["contact_person", "workshop_lead"]},
    {"org": "rca-aalborg", "staff": "kp-2", "roles": ["contact_person"]},
    {"org": "rca-aalborg", "staff": "wl-1", "roles": ["workshop_lead"]},
    {"org": "rca-aalborg", "staff": "co-1", "roles": ["coordinator"]},
    {"org": "rca-aalborg", "staff": "tl-1", "roles": ["team_leader"]},
    {"org": "jobcenter-aalborg", "staff": "cw-1", "roles": ["caseworker"]},
    {"org": "jobcenter-aalborg", "staff": "admin-j", "roles": ["admin"]},
    {"org": "jobcenter-odense", "staff": "cw-1", "roles": ["caseworker"]},
]


@dataclass(frozen=True)
class User:
    staff: str
    org: str
    roles: frozenset[str]
    token: str

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class SignInRequired(Exception):
    """No session, or a service refused the token: off to the sign-in page."""


class CsrfFailed(Exception):
    pass


def current_user(request: Request) -> User | None:
    data = request.session.get("user")
    if not isinstance(data, dict) or not data.get("token"):
        return None
    return User(str(data["staff"]), str(data["org"]), frozenset(data.get("roles", [])), str(data["token"]))


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise SignInRequired()
    return user


def sign_in(request: Request, *, staff: str, org: str, roles: list[str], token: str) -> None:
    # A new session on every sign-in: nothing from before (a planted CSRF token) carries over.
    lang = request.session.get("lang")
    request.session.clear()
    request.scope[RENEW] = True  # a new session id: none chosen before sign-in survives it
    request.session["user"] = {"staff": staff, "org": org, "roles": sorted(roles), "token": token}
    request.session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        request.session["lang"] = lang


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, if it carries this session's CSRF token (else :class:`CsrfFailed`)."""
    form = await request.form()
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()
    return form


def flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session["flash"] = {"text": text, "kind": kind}


def take_flash(request: Request) -> dict[str, str] | None:
    value = request.session.pop("flash", None)
    return value if isinstance(value, dict) else None
