"""A partner's webhook endpoint for `make up`: verifies each Standard Webhooks signature and keeps
every verified call once, by its `webhook-id`, as var/webhooks/<webhook-id>.json.

The signing secret is shown only when a subscription is made; `make demo` writes it to
var/webhooks/secret. Until it exists, or when a signature does not verify, the call is refused
with 401, as a partner would (the notifications service retries, so nothing is lost).

Each file keeps the call as it came, so it can be verified again later: the three signature
headers, the body exactly as signed (text), and the payload parsed for reading:

    {"headers": {"webhook-id": ..., "webhook-timestamp": ..., "webhook-signature": ...},
     "body": "<the signed bytes>", "payload": {...}}

`python deploy/local/webhook_sink.py verify var/webhooks/<id>.json` checks one again with the
secret in var/webhooks/secret (the signature only: the five-minute freshness window applies to a
call as it arrives, not to one kept).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "var" / "webhooks"
PORT = int(os.environ.get("FORLOB_WEBHOOK_SINK_PORT", "8099"))
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def verify_stored(record: dict[str, Any], secret: str) -> Any:
    """The payload of a kept call if its signature is the secret's; else WebhookVerificationError."""
    headers = record["headers"]
    signed_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], signed_at, record["body"])
    if expected not in headers["webhook-signature"].split(" "):
        raise WebhookVerificationError("No matching signature found")
    return json.loads(record["body"])


def make_app(store: Path) -> Starlette:
    async def receive(request: Request) -> Response:
        body = await request.body()
        secret_file = store / "secret"
        if not secret_file.exists():
            print("webhook refused: no var/webhooks/secret yet (run `make demo`)", flush=True)
            return Response(status_code=401)
        try:
            payload = Webhook(secret_file.read_text().strip()).verify(body, dict(request.headers))
        except WebhookVerificationError as error:
            print(f"webhook refused: {error}", flush=True)
            return Response(status_code=401)
        webhook_id = request.headers["webhook-id"]
        target = store / f"{webhook_id}.json"
        if target.exists():  # a retry or a re-send of a call we already have: the id is the key
            return Response(status_code=204)
        record = {
            "headers": {name: request.headers[name] for name in SIGNATURE_HEADERS},
            "body": body.decode(),
            "payload": payload,
        }
        target.write_text(json.dumps(record, indent=2, ensure_ascii=False))
        print(f"webhook {payload.get('type')} {webhook_id} -> {target.name}", flush=True)
        return Response(status_code=204)

    return Starlette(routes=[Route("/hooks", receive, methods=["POST"])])


def verify_file(path: Path) -> int:
    try:
        payload = verify_stored(json.loads(path.read_text()), (path.parent / "secret").read_text().strip())
    except (OSError, KeyError, ValueError, WebhookVerificationError) as error:
        print(f"{path.name}: does not verify ({type(error).__name__}: {error})", file=sys.stderr)
        return 1
    print(f"{path.name}: signature verifies ({payload.get('type')})")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["verify"] and len(argv) == 2:
        return verify_file(Path(argv[1]))
    STORE.mkdir(parents=True, exist_ok=True)
    uvicorn.run(make_app(STORE), host="127.0.0.1", port=PORT, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
