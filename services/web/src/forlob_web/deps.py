"""What a route takes from the request: the running :class:`~forlob_web.web.Web`, the reader's
language and words, the signed-in person (with the roles a page needs), and a posted form,
CSRF-checked and parsed into its pydantic model (forlob_web.forms).

``signed_in`` and ``posted`` are called at the top of a route's body rather than declared as
``Depends``: FastAPI runs dependencies before it validates the path and query, and a malformed
id must keep getting its 422 page before anyone is sent to sign in or refused, as it always has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from forlob_web.i18n import translator
from forlob_web.session import User, checked_form, require_user
from forlob_web.web import Web, language

F = TypeVar("F", bound=BaseModel)


class NotAllowed(Exception):
    """The signed-in person lacks every role a page is for: the *not allowed* page (403)."""


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def words_of(request: Request) -> Callable[..., str]:
    return translator(language(request))


CurrentWeb = Annotated[Web, Depends(web_of)]
Lang = Annotated[str, Depends(language)]
Words = Annotated[Callable[..., str], Depends(words_of)]


def signed_in(request: Request, *roles: str) -> User:
    """The signed-in person (else off to sign in); with ``roles``, one of them (else 403)."""
    user = require_user(request)
    if roles and not user.has(*roles):
        raise NotAllowed()
    return user


async def posted(request: Request, form: type[F], lists: tuple[str, ...] = ()) -> F:
    """The posted form as ``form``, if it carries this session's CSRF token (else 403); input the
    model cannot take is a 422 page naming the field, as for a malformed query. ``lists``: fields
    sent many times (ticked checkboxes), taken as a list."""
    data = await checked_form(request)
    values: dict[str, Any] = {name: data.get(name) for name in data}
    values |= {name: data.getlist(name) for name in lists}
    try:
        return form.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
