"""Wait until the four services answer ready, then say where to look (the last line of `make up`)."""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request

SERVICES = {"referral": 8001, "attendance": 8002, "notifications": 8003, "reporting": 8004}
WEB = 8000
TIMEOUT = float(os.environ.get("FORLOB_UP_TIMEOUT", "120"))


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def announcement() -> list[str]:
    """What `make up` prints once everything answers (README.md shows it as it is)."""
    lines = [
        "Forløb is up:",
        f"  web            http://127.0.0.1:{WEB}/   (the pages; sign in as a demo person, e.g. kp-1 or co-1)",
    ]
    for name, port in SERVICES.items():
        lines.append(f"  {name:<14} http://127.0.0.1:{port}/docs   (ready: /health/ready, metrics: /metrics)")
    lines += [
        "  mail sink      smtp://127.0.0.1:1025 -> var/mail/ (a Maildir)",
        "  webhook sink   http://127.0.0.1:8099/hooks -> var/webhooks/ (signed calls, once per webhook-id)",
        "  sms gateway    http://127.0.0.1:8098 (fake GatewayAPI) -> var/sms/; reply: uv run forlob-sms reply 1",
        "  broker         vhost 'forlob', one user per service; their URLs in var/broker/",
        "  a token        uv run forlob token --org jobcenter-aalborg --staff cw-1 --roles caseworker",
        "Stop with Ctrl-C.",
    ]
    return lines


def main() -> int:
    deadline = time.monotonic() + TIMEOUT
    waiting = {**SERVICES, "web": WEB}
    while waiting and time.monotonic() < deadline:
        waiting = {name: port for name, port in waiting.items() if not ready(port)}
        if waiting:
            time.sleep(0.5)
    if waiting:
        print(f"not ready after {TIMEOUT:.0f} s: {', '.join(waiting)} — see their log lines above", flush=True)
        return 1
    lines = ["", *announcement(), ""]
    print("\n".join(lines), flush=True)
    # Stay alive: honcho stops everything when one process exits.
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
