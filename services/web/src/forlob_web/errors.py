"""The error pages: every refusal, failure and surprise becomes a page in the reader's words,
never a trace (a 401 from a service signs the person out and sends them to sign in)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from forlob_shared.logging import get_logger
from forlob_web.client import ApiError, ServiceDown
from forlob_web.deps import NotAllowed, web_of
from forlob_web.i18n import translator
from forlob_web.session import CsrfFailed, SignInRequired, sign_out
from forlob_web.web import language

log = get_logger("forlob.web")


def _words(request: Request, error: ApiError) -> str:
    t = translator(language(request))
    return t("error.api", service=t(f"service.{error.service}"), words=str(error))


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        t = translator(language(request))
        return web_of(request).render(request, "error.html", 403, title=t("forbidden"), message=t("csrf"))

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        t = translator(language(request))
        return web_of(request).render(request, "error.html", 403, title=t("forbidden"), message=t("forbidden.text"))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        t = translator(language(request))
        web = web_of(request)
        if exc.status == 401:
            sign_out(request)
            return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)
        if exc.status == 404:
            return web.render(request, "error.html", 404, title=t("not_found"), message=t("not_found.text"))
        if exc.status == 403:
            return web.render(request, "error.html", 403, title=t("forbidden"), message=t("forbidden.text"))
        status = exc.status if 400 <= exc.status < 500 else 502
        return web.render(request, "error.html", status, title=t("error"), message=_words(request, exc))

    @app.exception_handler(ServiceDown)
    async def service_down(request: Request, exc: ServiceDown) -> Response:
        t = translator(language(request))
        message = t("down", service=t(f"service.{exc.service}"))
        return web_of(request).render(request, "error.html", 503, title=t("error"), message=message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        t = translator(language(request))
        words = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
        return web_of(request).render(request, "error.html", 422, title=t("error"), message=words)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        t = translator(language(request))
        if exc.status_code == 404:
            return web_of(request).render(request, "error.html", 404, title=t("not_found"), message=t("not_found.text"))
        message = exc.detail if isinstance(exc.detail, str) else t("error")
        return web_of(request).render(
            request, "error.html", exc.status_code, title=t("error"), message=message, headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("web.unhandled_error", path=request.url.path)
        t = translator(language(request))
        return web_of(request).render(request, "error.html", 500, title=t("error"), message=t("error.text"))
