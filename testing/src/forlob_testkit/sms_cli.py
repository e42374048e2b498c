"""``forlob-sms``: the local fake SMS gateway under ``make up``, and a person's reply from the terminal.

uv run forlob-sms serve                 # what deploy/local/Procfile runs (port 8098, var/sms/)
uv run forlob-sms list                  # the messages sent so far (number, text, userref)
uv run forlob-sms reply --to last 1     # the last message's participant answers "1"
uv run forlob-sms reply --to +4512345678 stop
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import httpx

from forlob_testkit.sms_gateway import FakeGatewayApi, running_fake_gateway

LOCAL_PORT = 8098
LOCAL_TOKEN = "local-sms-token"
LOCAL_WEBHOOK_SECRET = "local-sms-webhook-secret-for-make-up-only"
REFERRAL = "http://127.0.0.1:8001"


async def _serve(args: argparse.Namespace) -> None:
    gateway = FakeGatewayApi(
        token=args.token,
        webhook_secret=args.secret,
        inbound_url=f"{args.referral}/sms/gatewayapi/inbound",
        status_url=f"{args.referral}/sms/gatewayapi/status",
        record_dir=Path(args.record),
    )
    async with running_fake_gateway(gateway, port=args.port) as url:
        print(f"fake GatewayAPI on {url}; messages in {args.record}/messages.jsonl", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forlob-sms", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--gateway", default=f"http://127.0.0.1:{LOCAL_PORT}", help="the fake gateway's address")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the fake gateway")
    serve.add_argument("--port", type=int, default=LOCAL_PORT)
    serve.add_argument("--record", default="var/sms")
    serve.add_argument("--referral", default=REFERRAL, help="the referral service, whose webhooks it calls")
    serve.add_argument("--token", default=LOCAL_TOKEN)
    serve.add_argument("--secret", default=LOCAL_WEBHOOK_SECRET)
    commands.add_parser("list", help="the messages the fake gateway took")
    reply = commands.add_parser("reply", help="answer a message as its participant would")
    reply.add_argument("--to", default="last", help="last, a number (+4512345678) or a message's userref")
    reply.add_argument("text", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "serve":
        asyncio.run(_serve(args))
        return 0
    if args.command == "list":
        for message in httpx.get(f"{args.gateway}/fake/messages", timeout=10).json():
            print(json.dumps(message, ensure_ascii=False))
        return 0
    answer = httpx.post(f"{args.gateway}/fake/reply", json={"to": args.to, "text": " ".join(args.text)}, timeout=20)
    print(json.dumps(answer.json(), ensure_ascii=False))
    return 0 if answer.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
