"""Sign-in and sign-out.

In production: OpenID Connect, the authorization-code flow with PKCE against the organisation's
identity provider (Authlib); the IdP's token is what the services get as the bearer token, and
it is verified here first with the services' own rules (JWKS, audience, issuer, ``org``,
``roles``). Locally and in tests: a page that picks a demo person and mints a token with the local
signing key, as ``forlob token`` does.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_shared.errors import DomainError
from forlob_shared.http.auth import mint_token
from forlob_shared.http.ratelimit import retry_after
from forlob_shared.logging import get_logger
from forlob_web.deps import CurrentWeb, Words, posted
from forlob_web.forms import LocalSignInForm, SignOutForm
from forlob_web.session import DEMO_PEOPLE, User, current_user, sign_in, sign_out
from forlob_web.web import Web, home_for

router = APIRouter()
log = get_logger("forlob.web.signin")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
_ROLE = re.compile(r"^[a-z_]{1,40}$")


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def _oauth(web: Web) -> Any:
    """One Authlib client per app (it caches the IdP's discovery document and keys)."""
    if web.oauth is not None:
        return web.oauth
    import authlib.deprecate  # noqa: F401  (puts its own "always" filter first when imported)

    with warnings.catch_warnings():
        # Authlib 1.9 warns on import that it would rather use httpx2; its httpx client works, and
        # the warning would only repeat on every start.
        warnings.simplefilter("ignore")
        from authlib.integrations.starlette_client import OAuth

    settings = web.settings
    oauth = OAuth()
    oauth.register(
        "idp",
        server_metadata_url=settings.oidc_discovery_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value() or None,
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    web.oauth = oauth
    return oauth


@router.get("/sign-in", include_in_schema=False)
async def sign_in_page(request: Request, web: CurrentWeb, next: str | None = None) -> Response:
    user = current_user(request)
    if user is not None:
        return RedirectResponse(_safe_next(next) if next else home_for(user), status_code=303)
    request.session["next"] = _safe_next(next)
    if web.settings.oidc_enabled and not web.settings.local_sign_in:
        redirect_uri = str(request.url_for("oidc_callback"))
        result: Response = await _oauth(web).idp.authorize_redirect(request, redirect_uri)
        return result
    return web.render(request, "sign_in.html", people=DEMO_PEOPLE, error=None, needed=next is not None)


def _too_many(request: Request, web: Web, t: Callable[..., str]) -> Response | None:
    """The 429 page if this address has signed in too often (docs/security.md, "Rate limits")."""
    wait = web.sign_in_wait(request)
    if not wait:
        return None
    seconds = retry_after(wait)
    return web.render(
        request,
        "error.html",
        429,
        headers={"Retry-After": seconds},
        title=t("sign_in"),
        message=t("sign_in.too_many", seconds=seconds),
    )


@router.get("/sign-in/callback", name="oidc_callback", include_in_schema=False)
async def oidc_callback(request: Request, web: CurrentWeb, t: Words) -> Response:
    if not web.settings.oidc_enabled:
        return web.render(request, "error.html", 404, title=t("not_found"), message=t("not_found.text"))
    if (refused := _too_many(request, web, t)) is not None:
        return refused
    from authlib.integrations.base_client.errors import OAuthError

    try:
        tokens = await _oauth(web).idp.authorize_access_token(request)
        token = str(tokens[web.settings.oidc_api_token])
        principal = await web.verifier.verify(token)
    except (OAuthError, KeyError, DomainError) as exc:
        log.warning("signin.oidc_failed", error=type(exc).__name__)
        return web.render(
            request, "error.html", 401, title=t("sign_in"), message=t("sign_in.failed", reason=str(exc)[:200])
        )
    target = _safe_next(request.session.get("next"))
    sign_in(request, staff=principal.staff_id, org=principal.org, roles=sorted(principal.roles), token=token)
    log.info("signin.oidc", org=principal.org)
    return RedirectResponse(target if target != "/" else home_for(current_user(request) or _nobody()), 303)


def _nobody() -> User:
    return User("", "", frozenset(), "")


@router.post("/sign-in/local", include_in_schema=False)
async def local_sign_in(request: Request, web: CurrentWeb, t: Words) -> Response:
    if not web.settings.local_sign_in:
        return web.render(request, "error.html", 404, title=t("not_found"), message=t("not_found.text"))
    if (refused := _too_many(request, web, t)) is not None:
        return refused
    form = await posted(request, LocalSignInForm)
    chosen, org, staff, roles = form.person, form.org, form.staff, form.role_list()
    if chosen and not (org or staff):
        index = int(chosen) if chosen.isdigit() and int(chosen) < len(DEMO_PEOPLE) else -1
        if index >= 0:
            person = DEMO_PEOPLE[index]
            org, staff, roles = person["org"], person["staff"], list(person["roles"])
    if not (_ID.match(org) and _ID.match(staff) and roles and all(_ROLE.match(r) for r in roles)):
        return web.render(
            request,
            "sign_in.html",
            422,
            people=DEMO_PEOPLE,
            error=t("sign_in.failed", reason="org, staff id and roles (a-z, _) are needed"),
            needed=False,
        )
    token = mint_token(web.settings, staff_id=staff, org=org, roles=roles)
    target = _safe_next(request.session.get("next"))
    sign_in(request, staff=staff, org=org, roles=roles, token=token)
    log.info("signin.local", org=org)
    user = current_user(request)
    return RedirectResponse(target if target != "/" or user is None else home_for(user), status_code=303)


@router.post("/sign-out", include_in_schema=False)
async def sign_out_route(request: Request) -> Response:
    await posted(request, SignOutForm)
    sign_out(request)
    return RedirectResponse("/sign-in", status_code=303)
