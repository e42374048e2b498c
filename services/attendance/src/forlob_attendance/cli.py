import sys

from forlob_attendance.main import spec
from forlob_shared.service_cli import run_service_cli


def main() -> None:
    sys.exit(run_service_cli(spec()))
