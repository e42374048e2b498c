"""A service's own command line, on a clock the test moves: how the test kit starts service
processes (forlob_testkit.processes) and how `make up` runs them for the demo.

    python -m forlob_testkit.serve --clock-offset-file PATH <service> <its command...>

e.g. ``... referral serve --no-relay`` or ``... web serve``. The product's entry points
(``forlob-<service>``) always run on the system clock; only this one hands a service the
:class:`~forlob_testkit.clock.OffsetFileClock`.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from forlob_shared.service_cli import run_service_cli
from forlob_testkit.clock import OffsetFileClock

SERVICES = ("referral", "attendance", "notifications", "reporting", "web")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forlob_testkit.serve", description=__doc__)
    parser.add_argument("--clock-offset-file", required=True, help="seconds to add to the clock, written by the test")
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the service's own command line")
    args = parser.parse_args(argv)
    clock = OffsetFileClock(args.clock_offset_file)
    if args.service == "web":
        from forlob_web.cli import main as web_main

        web_main(args.command, clock=clock)
        return 0
    spec = import_module(f"forlob_{args.service}.main").spec()
    return run_service_cli(spec, args.command, clock=clock)


if __name__ == "__main__":
    sys.exit(main())
