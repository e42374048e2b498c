"""Server-side sessions: the browser holds only an opaque random id; who is signed in, their bearer
token and the CSRF token stay in this process (docs/web.md, "Sign-in and session").

Starlette's ``SessionMiddleware`` kept the whole session, token included, in a signed (not
encrypted) cookie: anyone who saw the cookie read the token, and a cookie copied before sign-out
still worked afterwards, because nothing on the server remembered the sign-out. Here sign-out
deletes the session, so the old id is worth nothing.

The store is in memory, so sessions are per replica: more than one replica needs sticky sessions
at the load balancer or a shared store (the :class:`SessionStore` methods are what one must offer).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forlob_shared.clock import Clock

# Set by sign-in (forlob_web.session.sign_in): the session gets a new id, so an id planted in a
# browser before sign-in (session fixation) never becomes a signed-in session.
RENEW = "forlob.session.renew"


@dataclass
class _Entry:
    data: dict[str, Any]
    expires: float


class SessionStore:
    """Sessions by id, each living ``max_age`` seconds from its creation, at most ``capacity``.

    Entries are kept under an HMAC of the id with the session secret, so what the store holds (a
    memory dump here, or a shared store later) gives nobody a cookie that works.
    """

    def __init__(self, clock: Clock, max_age: float, secret: bytes, capacity: int = 50_000) -> None:
        self._clock = clock
        self.max_age = max_age
        self.capacity = capacity
        self._secret = secret
        self._entries: dict[str, _Entry] = {}

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _key(self, sid: str) -> str:
        return hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()

    def load(self, sid: str) -> dict[str, Any] | None:
        key = self._key(sid)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._now():
            del self._entries[key]
            return None
        return dict(entry.data)

    def create(self, data: dict[str, Any]) -> str:
        if len(self._entries) >= self.capacity:
            self._make_room()
        sid = secrets.token_urlsafe(32)  # 256 random bits: neither guessable nor derived from anything
        self._entries[self._key(sid)] = _Entry(dict(data), self._now() + self.max_age)
        return sid

    def update(self, sid: str, data: dict[str, Any]) -> bool:
        """Replace a live session's data; False (and nothing stored) if it has ended meanwhile, so a
        request that began before sign-out cannot bring the session back."""
        entry = self._entries.get(self._key(sid))
        if entry is None or entry.expires <= self._now():
            return False
        entry.data = dict(data)
        return True

    def delete(self, sid: str) -> None:
        self._entries.pop(self._key(sid), None)

    def __len__(self) -> int:
        return len(self._entries)

    def _make_room(self) -> None:
        now = self._now()
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
        # Still full: drop the oldest sessions nobody signed in to (a sign-in page's CSRF token)
        # before any signed-in one, so opening the sign-in page in bulk signs no one out.
        target = int(self.capacity * 0.9)
        for anonymous in (True, False):
            if len(self._entries) < target:
                return
            for key in [k for k, e in self._entries.items() if ("user" not in e.data) == anonymous]:
                del self._entries[key]
                if len(self._entries) < target:
                    return


class ServerSessions:
    """Pure ASGI middleware in place of Starlette's SessionMiddleware: ``request.session`` is the
    server-side session; the cookie carries its id only (HttpOnly, SameSite=Lax, Secure in
    production)."""

    def __init__(
        self, app: ASGIApp, store: SessionStore, cookie: str = "forlob_session", https_only: bool = False
    ) -> None:
        self.app = app
        self.store = store
        self.cookie = cookie
        self.flags = "; path=/; httponly; samesite=lax" + ("; secure" if https_only else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sid = HTTPConnection(scope).cookies.get(self.cookie) or None
        loaded = self.store.load(sid) if sid else None
        scope["session"] = loaded or {}

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._settle(scope, sid, loaded is not None, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _settle(self, scope: Scope, sid: str | None, was_live: bool, headers: MutableHeaders) -> None:
        session: dict[str, Any] = scope["session"]
        if was_live and sid and (not session or scope.get(RENEW)):
            self.store.delete(sid)  # signed out (or signed in anew): the old id ends here
            was_live = False
        if session:
            if was_live and sid:
                self.store.update(sid, session)
                return
            new = self.store.create(session)
            headers.append("Set-Cookie", f"{self.cookie}={new}; Max-Age={int(self.store.max_age)}{self.flags}")
        elif sid:
            headers.append("Set-Cookie", f"{self.cookie}=null; Max-Age=0{self.flags}")
