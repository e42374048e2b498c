"""``forlob-web serve``: the web front end on its port (8000 by default)."""

from __future__ import annotations

import argparse
import sys

from forlob_shared.clock import Clock, SystemClock
from forlob_shared.logging import configure_logging
from forlob_shared.release import version_line
from forlob_shared.settings import load_settings
from forlob_shared.tracing import configure_tracing
from forlob_web.settings import WebSettings


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> None:
    """``clock``: what the pages take as now (the system's when None); sessions keep real time."""
    parser = argparse.ArgumentParser(prog="forlob-web", description="Forløb web: pages for the people who use it")
    parser.add_argument("--version", action="version", version=version_line("forlob-web", "web"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the pages")
    args = parser.parse_args(argv)
    settings = load_settings(WebSettings)
    configure_logging("web", settings.log_level, settings.log_json)
    configure_tracing("web")  # only by the OTEL_* variables: off when they are unset
    if args.command == "serve":
        import uvicorn

        from forlob_web.app import create_app

        # Open inbox streams never end by themselves: a stop waits this long for them, then closes them.
        uvicorn.run(
            create_app(settings, clock, real_time=SystemClock()),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=5,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    sys.exit(0)
