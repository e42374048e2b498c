"""The four services run as real processes: they start, answer ready, move time together, stop
gracefully, and survive a SIGKILL of one of them."""

from __future__ import annotations

import http.server
import json
import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from forlob_testkit import processes
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.servers import free_port
from forlob_testkit.wait import eventually


async def test_the_system_runs_as_processes_and_a_killed_service_catches_up(start_system: Any) -> None:
    async with start_system(services=("referral", "reporting")) as system, httpx.AsyncClient() as http:
        for name in ("referral", "reporting"):
            response = await http.get(f"{system.url(name)}/health/ready")
            assert response.status_code == 200, (name, response.text)
        system.move_clock(timedelta(days=1))

        system["reporting"].kill()  # SIGKILL: no goodbye
        caseworker = auth(JOBCENTRE, "caseworker")
        defined = await http.put(
            f"{system.url('referral')}/programmes/RCA-UDV-13",
            json=DEVELOPMENT_COURSE,
            headers=auth(PROVIDER, "coordinator"),
        )
        assert defined.status_code == 201, defined.text
        created = await http.post(
            f"{system.url('referral')}/referrals", json=referral_body(random.Random(1)), headers=caseworker
        )
        assert created.status_code == 201, created.text
        system["reporting"].start()

        async def counted() -> bool:
            if not system["reporting"].ready():
                return False
            figures = await http.get(f"{system.url('reporting')}/figures/referrals-received", headers=caseworker)
            return figures.json()["total"] == 1

        await eventually(counted, timeout=60, what="the restarted reporting service to catch up")
        # the referral service took its time from the moved clock
        received_at = datetime.fromisoformat(created.json()["received_at"])
        assert abs(received_at - (datetime.now(UTC) + timedelta(days=1))) < timedelta(minutes=5)


class _Impostor(http.server.BaseHTTPRequestHandler):
    """Another of our services, on the port the test kit chose: it says it is ready."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "ready", "service": "attendance", "checks": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


async def test_a_service_whose_port_was_taken_starts_on_another_and_is_not_mistaken_for_the_taker(
    start_system: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel may give the port chosen for one service to another process before the service
    binds it. Once another of our services answered ready there, and the test talked to it."""
    impostor = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    taken = impostor.server_address[1]
    ports = iter([taken])
    monkeypatch.setattr(processes, "free_port", lambda: next(ports, None) or free_port())
    try:
        async with start_system(services=("referral",)) as system, httpx.AsyncClient() as http_client:
            assert system["referral"].port != taken
            assert system["referral"].port_moves == 1
            answer = await http_client.get(f"{system.url('referral')}/health/ready")
            assert answer.json()["service"] == "referral"
    finally:
        impostor.shutdown()
        impostor.server_close()
