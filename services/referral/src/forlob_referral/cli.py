"""``forlob-referral serve | migrate | relay | declare | asyncapi | retention``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from forlob_referral.application.retention import retention_job
from forlob_referral.main import spec
from forlob_shared.logging import configure_logging
from forlob_shared.progress import Progress, progress, run_command
from forlob_shared.runtime import build_runtime
from forlob_shared.service_cli import run_service_cli


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["sms"]:
        from forlob_referral.sms_cli import run_sms_cli

        sys.exit(run_sms_cli(argv[1:]))
    if argv[:1] == ["retention"]:
        sys.exit(_retention_command(argv[1:]))
    if argv[:1] in (["-h"], ["--help"]):
        print("forlob-referral retention: erase the personal data past its retention now (retention -h)")
        print("forlob-referral sms usage: text messages sent per provider and month (sms -h)\n")
    sys.exit(run_service_cli(spec()))


def _retention_command(argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="forlob-referral retention",
        description="Erase now, once, what the periodic retention sweep erases: the personal data of "
        "referrals and outreach cases closed longer ago than FORLOB_REFERRAL_RETENTION_DAYS, and old "
        "Idempotency-Keys. Several may run beside the services: rows being erased elsewhere are skipped.",
    ).parse_args(argv)
    service = spec()

    def body() -> int:
        settings = service.settings_cls()
        configure_logging(service.name, settings.log_level, settings.log_json)
        with progress("retention: referrals and cases erased") as shown:
            erased = asyncio.run(_retention(shown))
        print(json.dumps({"referrals_erased": erased}))
        return 0

    async def _retention(shown: Progress) -> int:
        runtime = build_runtime(service, service.settings_cls())
        try:
            return await retention_job(runtime, runtime.clock.now(), shown)
        finally:
            await runtime.engine.dispose()

    return run_command("forlob-referral retention", body)
