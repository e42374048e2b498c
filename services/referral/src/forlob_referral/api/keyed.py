"""The one way the referral API runs a write under its request's Idempotency-Key
(``forlob_shared.http.idempotency``): the body fingerprinted as JSON, the answer rendered and kept
with the key, in the use case's own transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_shared.http.auth import Principal
from forlob_shared.http.idempotency import run_idempotent

R = TypeVar("R")


class KeyedRun(Protocol):
    async def __call__(
        self,
        request: Request,
        uow: ReferralUnitOfWork,
        principal: Principal,
        key: str | None,
        body: BaseModel | dict[str, Any] | None,
        use_case: Callable[[ReferralUnitOfWork], Awaitable[R]],
        render: Callable[[R], Any],
        status_code: int = ...,
    ) -> Response: ...


def keyed_runner(default_status: int) -> KeyedRun:
    """A runner whose answer has ``default_status`` unless a route names another."""

    async def run(
        request: Request,
        uow: ReferralUnitOfWork,
        principal: Principal,
        key: str | None,
        body: BaseModel | dict[str, Any] | None,
        use_case: Callable[[ReferralUnitOfWork], Awaitable[R]],
        render: Callable[[R], Any],
        status_code: int = default_status,
    ) -> Response:
        fingerprinted = body.model_dump(mode="json") if isinstance(body, BaseModel) else (body or {})
        response: Response = await run_idempotent(
            uow,
            request=request,
            org=principal.org,
            key=key,
            body=fingerprinted,
            status_code=status_code,
            render=render,
            use_case=use_case,
        )
        return response

    return run
