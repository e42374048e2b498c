"""The partner contract's JSON Schemas, at the URL every partner event's ``dataschema`` names
(docs/partners.md#schemas): ``GET /partner/schemas/<name>.v<major>.json``.

Public, without a token: a schema is the published contract, not anybody's data, and a
validator that follows ``dataschema`` has no token to send. Its ``$id`` is the URL it is served
at, under this deployment's public API address, the one the events name.
"""

from __future__ import annotations

import functools
import hashlib
import json

from fastapi import APIRouter, Request, Response

from forlob_notifications.api.deps import Opts
from forlob_shared.errors import NotFound
from forlob_shared.http.auth import PUBLIC
from forlob_shared.http.openapi import PROBLEM_CONTENT
from forlob_shared.partner import partner_json_schema
from forlob_shared.partner.base import SCHEMA_PATH, partner_schema_class

SCHEMA_JSON = "application/schema+json"
# A major version's schema only ever gains optional fields (a breaking change is a new major, at
# a new URL), so a day-old copy validates as well as today's.
CACHE_CONTROL = "public, max-age=86400"

router = APIRouter(tags=["partners"], dependencies=[PUBLIC])


@functools.cache
def _served(file: str, api_url: str) -> tuple[bytes, str]:
    """The schema's bytes and ETag; the same for the process's life (a few dozen of them)."""
    body = json.dumps(partner_json_schema(partner_schema_class(file), api_url), ensure_ascii=False, indent=2).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@router.get(
    SCHEMA_PATH + "{file}",
    summary="The JSON Schema (2020-12) of one partner event type's data, as its dataschema names it",
    response_class=Response,
    responses={
        200: {"content": {SCHEMA_JSON: {"schema": {"type": "object"}}}, "description": "the schema"},
        304: {"description": "the schema is unchanged since the ETag given in If-None-Match"},
        404: {"content": PROBLEM_CONTENT, "description": "no partner event type has that name and version"},
    },
)
async def schema(file: str, request: Request, options: Opts) -> Response:
    try:
        body, etag = _served(file, options.api_url)
    except LookupError:
        raise NotFound(
            "no partner event schema of that name and version: <name>.v<major>.json, as the events' dataschema gives it"
        ) from None
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag}
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=SCHEMA_JSON, headers=headers)
