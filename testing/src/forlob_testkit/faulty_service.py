"""``python -m forlob_testkit.faulty_service <service> <command ...>``: a service's command line
with a consumer fault injected (the share from ``FORLOB_TESTKIT_REDELIVER_SHARE``), for the
reliability suite's processes (:mod:`forlob_testkit.processes`). The product has no switch for it.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys

from forlob_shared.service_cli import run_service_cli
from forlob_testkit.faults import REDELIVER_SHARE_ENV, LostAcknowledgements


def main(argv: list[str]) -> int:
    service, *command = argv
    spec = importlib.import_module(f"forlob_{service}.main").spec()
    share = float(os.environ.get(REDELIVER_SHARE_ENV, "0") or 0)
    if share:
        spec = dataclasses.replace(spec, redelivery=LostAcknowledgements(share))
    return run_service_cli(spec, command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
