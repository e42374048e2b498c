"""``Idempotency-Key`` for POST requests: partner systems retry, and a retry must not act twice.

The key is claimed inside the use case's own transaction and the response is stored there too,
so "the effect happened" and "the response is remembered" commit together or not at all:

- the first request with a key inserts a claim row, runs its effect and stores its response;
- a replay (same organisation, key and request fingerprint) gets the stored response back, with
  ``Idempotent-Replayed: true``, and nothing runs again;
- the same key with a different request is a client error (422), nothing runs;
- two requests racing with one key serialise on the claim row: the second waits for the first
  to commit and then replays it (or runs, if the first rolled back).

A request that fails with a 4xx rolls back with its claim, so it may be retried with the key.

Use it with :class:`IdempotentUnitOfWork`: give the unit of work a guard (``uow.guard = ...``),
let the application function pass its result to ``uow.commit(result)``, and answer
:class:`Replayed` with its stored response (:func:`run_idempotent` does all three).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.db import UnitOfWork
from forlob_shared.errors import InvalidInput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200

idempotency_metadata = sa.MetaData()

idempotency_keys = sa.Table(
    "idempotency_keys",
    idempotency_metadata,
    sa.Column("org", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("response", JSONB),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("idempotency_keys_created_at", "created_at"),
)


def create_idempotency_table() -> None:
    """Call from a service's Alembic migration."""
    from alembic import op

    idempotency_metadata.create_all(op.get_bind())


def drop_idempotency_table() -> None:
    from alembic import op

    idempotency_metadata.drop_all(op.get_bind())


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any

    def as_response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status_code, headers={REPLAYED_HEADER: "true"})


class Replayed(Exception):
    """Raised on entering the unit of work when the key was already used for this request."""

    def __init__(self, stored: StoredResponse) -> None:
        super().__init__("idempotent replay")
        self.stored = stored


@dataclass(frozen=True)
class IdempotencyGuard:
    """One request's key, its caller's organisation and what makes the request itself."""

    org: str
    key: str
    method: str
    path: str
    fingerprint: str
    status_code: int
    render: Callable[[Any], Any]  # the use case's result → the JSON body to remember

    async def claim(self, session: AsyncSession, now: datetime) -> StoredResponse | None:
        """Claim the key for this transaction, or return the response it already has."""
        inserted = await session.scalar(
            pg_insert(idempotency_keys)
            .values(
                org=self.org,
                key=self.key,
                fingerprint=self.fingerprint,
                method=self.method,
                path=self.path,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if inserted is not None:
            return None
        row = (
            await session.execute(
                sa.select(idempotency_keys.c.fingerprint, idempotency_keys.c.status_code, idempotency_keys.c.response)
                .where(idempotency_keys.c.org == self.org, idempotency_keys.c.key == self.key)
                .with_for_update()
            )
        ).one()
        if row.fingerprint != self.fingerprint or row.status_code is None:
            raise InvalidInput(
                f"the {HEADER} {self.key!r} was used for a different request; use a new key for a new request",
                reason="idempotency-key-reused",
            )
        return StoredResponse(row.status_code, row.response)

    async def record(self, session: AsyncSession, result: Any) -> None:
        await session.execute(
            idempotency_keys.update()
            .where(idempotency_keys.c.org == self.org, idempotency_keys.c.key == self.key)
            .values(status_code=self.status_code, response=self.render(result))
        )


class IdempotentUnitOfWork(UnitOfWork):
    """A unit of work that honours an :class:`IdempotencyGuard` when one is set."""

    guard: IdempotencyGuard | None = None

    async def _on_enter(self) -> None:
        await super()._on_enter()
        if self.guard is None:
            return
        try:
            stored = await self.guard.claim(self.session, self.clock.now())
        except BaseException:
            await self._release()
            raise
        if stored is not None:
            await self._release()
            raise Replayed(stored)

    async def _release(self) -> None:
        # Raising from __aenter__ skips __aexit__: give the connection back here.
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self, result: Any = None) -> None:
        if self.guard is not None:
            await self.guard.record(self.session, result)
            self.guard = None  # one request, one claim: later transactions of this uow are plain
        await super().commit()


async def forget_keys_before(session: AsyncSession, before: datetime) -> int:
    """Delete keys (and the responses they keep) claimed before ``before``; returns how many.

    Stored responses may hold personal data, so keys are kept only as long as retries are
    plausible, not for ever.
    """
    result = await session.execute(idempotency_keys.delete().where(idempotency_keys.c.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


async def _key_header(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="Any unique string (a UUID is best). A retry with the same key and body gets the first "
            "response back and changes nothing; the same key with another body is refused (422).",
        ),
    ] = None,
) -> str | None:
    if idempotency_key is None:
        return None
    if not idempotency_key.strip() or len(idempotency_key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters")
    return idempotency_key


IdempotencyKey = Annotated[str | None, Depends(_key_header)]
"""The request's ``Idempotency-Key`` header (optional), as a route parameter."""

R = TypeVar("R")
U = TypeVar("U", bound=IdempotentUnitOfWork)


async def run_idempotent(
    uow: U,
    *,
    request: Request,
    org: str,
    key: str | None,
    body: Any,
    status_code: int,
    render: Callable[[R], Any],
    use_case: Callable[[U], Awaitable[R]],
) -> Any:
    """Run ``use_case(uow)`` under the key; returns the rendered result or the stored response."""
    if key is not None:
        uow.guard = IdempotencyGuard(
            org=org,
            key=key,
            method=request.method,
            path=request.url.path,
            fingerprint=fingerprint(request.method, request.url.path, body),
            status_code=status_code,
            render=render,
        )
    try:
        result = await use_case(uow)
    except Replayed as replay:
        return replay.stored.as_response()
    finally:
        uow.guard = None
    return JSONResponse(render(result), status_code=status_code)


async def answer_idempotently(
    uow: U,
    *,
    request: Request,
    org: str,
    key: str | None,
    body: BaseModel | None,
    use_case: Callable[[U], Awaitable[R]],
    out: Callable[[R], BaseModel],
    status_code: int = 200,
) -> Response:
    """:func:`run_idempotent` for a route whose request and response are pydantic models: the
    fingerprint is the body as JSON (``{}`` without one), the stored response ``out(result)``."""
    response: Response = await run_idempotent(
        uow,
        request=request,
        org=org,
        key=key,
        body=body.model_dump(mode="json") if body is not None else {},
        status_code=status_code,
        render=lambda result: out(result).model_dump(mode="json"),
        use_case=use_case,
    )
    return response
