"""A partner's webhook endpoint for `make up`: verifies each Standard Webhooks signature and keeps
every verified call once, by its `webhook-id`, as var/webhooks/<webhook-id>.json.

The signing secret is shown only when a subscription is made; `make demo` writes it to
var/webhooks/secret. Until it exists, or when a signature does not verify, the call is refused
with 401, as a partner would (the notifications service retries, so nothing is lost).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "var" / "webhooks"
PORT = int(os.environ.get("FORLOB_WEBHOOK_SINK_PORT", "8099"))


async def receive(request: Request) -> Response:
    body = await request.body()
    secret_file = STORE / "secret"
    if not secret_file.exists():
        print("webhook refused: no var/webhooks/secret yet (run `make demo`)", flush=True)
        return Response(status_code=401)
    try:
        payload = Webhook(secret_file.read_text().strip()).verify(body, dict(request.headers))
    except WebhookVerificationError as error:
        print(f"webhook refused: {error}", flush=True)
        return Response(status_code=401)
    webhook_id = request.headers["webhook-id"]
    target = STORE / f"{webhook_id}.json"
    if target.exists():  # a retry or a re-send of a call we already have: the id is the key
        return Response(status_code=204)
    target.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print(f"webhook {payload.get('type')} {webhook_id} -> {target.relative_to(ROOT)}", flush=True)
    return Response(status_code=204)


def main() -> int:
    STORE.mkdir(parents=True, exist_ok=True)
    app = Starlette(routes=[Route("/hooks", receive, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
