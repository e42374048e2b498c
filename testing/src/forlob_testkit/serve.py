"""A service's own command line, on a clock the test moves: how the test kit starts service
processes (forlob_testkit.processes) and how `make up` runs them for the demo.

    python -m forlob_testkit.serve --clock-offset-file PATH [--redeliver-share S] <service> <its command...>

e.g. ``... referral serve --no-relay`` or ``... web serve``. The product's entry points
(``forlob-<service>``) always run on the system clock with no fault; only this one hands a service
the :class:`~forlob_testkit.clock.OffsetFileClock` and, for the reliability suite, a consumer
fault (:class:`~forlob_testkit.faults.LostAcknowledgements`, ``--redeliver-share``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from importlib import import_module

from forlob_shared.service_cli import run_service_cli
from forlob_testkit.clock import OffsetFileClock
from forlob_testkit.faults import LostAcknowledgements
from forlob_testkit.parent import stop_with_parent

SERVICES = ("referral", "attendance", "notifications", "reporting", "web")


def main(argv: list[str] | None = None) -> int:
    stop_with_parent()
    parser = argparse.ArgumentParser(prog="python -m forlob_testkit.serve", description=__doc__)
    parser.add_argument("--clock-offset-file", required=True, help="seconds to add to the clock, written by the test")
    parser.add_argument(
        "--redeliver-share", type=float, default=0.0, help="share of committed deliveries requeued (lost acks)"
    )
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the service's own command line")
    args = parser.parse_args(argv)
    clock = OffsetFileClock(args.clock_offset_file)
    if args.service == "web":
        from forlob_web.cli import main as web_main

        web_main(args.command, clock=clock)
        return 0
    spec = import_module(f"forlob_{args.service}.main").spec()
    if args.redeliver_share:
        spec = dataclasses.replace(spec, redelivery=LostAcknowledgements(args.redeliver_share))
    return run_service_cli(spec, args.command, clock=clock)


if __name__ == "__main__":
    sys.exit(main())
