import sys

from forlob_referral.main import spec
from forlob_shared.service_cli import run_service_cli


def main() -> None:
    if sys.argv[1:2] == ["sms"]:
        from forlob_referral.sms_cli import run_sms_cli

        sys.exit(run_sms_cli(sys.argv[2:]))
    sys.exit(run_service_cli(spec()))
