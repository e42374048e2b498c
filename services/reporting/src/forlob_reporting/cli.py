"""``forlob-reporting serve | migrate | relay | declare | rebuild``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from forlob_reporting.application.rebuild import RebuildResult, rebuild
from forlob_reporting.handlers.events import READ_MODEL
from forlob_reporting.history import HistoryReader
from forlob_reporting.main import spec
from forlob_reporting.settings import ReportingSettings
from forlob_shared.db import create_engine
from forlob_shared.logging import configure_logging
from forlob_shared.progress import Progress, progress, run_command
from forlob_shared.service import build_topology
from forlob_shared.service_cli import run_service_cli


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["rebuild"]:
        sys.exit(_rebuild_command(argv[1:]))
    if argv[:1] in (["-h"], ["--help"]):
        print("forlob-reporting rebuild: drop the read model and replay the event history (rebuild -h)\n")
    sys.exit(run_service_cli(spec()))


def _rebuild_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="forlob-reporting rebuild",
        description="Drop the read model and replay the event history from the stream's first offset.",
    )
    parser.add_argument("--prefetch", type=int, default=2_000, help="stream credit (messages in flight)")
    args = parser.parse_args(argv)

    def body() -> int:
        settings = ReportingSettings()
        configure_logging("reporting", settings.log_level, settings.log_json)
        # A bar on a terminal, else a log line every few seconds: a long history reads for minutes.
        with progress("rebuild: events read") as shown:
            result = asyncio.run(run_rebuild(settings, prefetch=args.prefetch, progress=shown))
        print(json.dumps({**result.__dict__, "events_per_second": round(result.events_per_second)}))
        return 0

    return run_command("forlob-reporting rebuild", body)


async def run_rebuild(
    settings: ReportingSettings, *, prefetch: int = 2_000, progress: Progress | None = None
) -> RebuildResult:
    engine = create_engine(settings, pool_size=2)
    try:
        reader = HistoryReader(settings.broker_urls, build_topology(settings), prefetch=prefetch)
        return await rebuild(engine, reader, consumer=f"reporting.{READ_MODEL}", progress=progress)
    finally:
        await engine.dispose()
