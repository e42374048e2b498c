"""Releases: every command line answers ``--version`` with its package's version (from git, at
install), and every event carries the publishing release as ``sourceversion``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from uuid import uuid4

import pytest

from forlob_attendance.cli import main as attendance_main
from forlob_notifications.cli import main as notifications_main
from forlob_referral.cli import main as referral_main
from forlob_reporting.cli import main as reporting_main
from forlob_shared.cli import main as forlob_main
from forlob_shared.events import PendingEvent, ReferralReceived, decode, encode
from forlob_shared.release import UNKNOWN, release_version
from forlob_web.cli import main as web_main


def _as_argv(main: Callable[[], None]) -> Callable[[list[str]], object]:
    def call(argv: list[str]) -> object:
        import sys

        saved, sys.argv = sys.argv, ["prog", *argv]
        try:
            return main()
        finally:
            sys.argv = saved

    return call


@pytest.mark.parametrize(
    ("program", "package", "main"),
    [
        ("forlob", "forlob-shared", forlob_main),
        ("forlob-referral", "forlob-referral", _as_argv(referral_main)),
        ("forlob-attendance", "forlob-attendance", _as_argv(attendance_main)),
        ("forlob-notifications", "forlob-notifications", _as_argv(notifications_main)),
        ("forlob-reporting", "forlob-reporting", _as_argv(reporting_main)),
        ("forlob-web", "forlob-web", web_main),
    ],
)
def test_every_command_line_tells_its_version(
    program: str, package: str, main: Callable[[list[str]], object], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"{program} {version(package)}\n"
    assert version(package) != UNKNOWN


def test_the_version_comes_from_the_installed_package() -> None:
    assert release_version("notifications") == version("forlob-notifications")
    assert release_version("no-such-service") == UNKNOWN  # no metadata: said so, not a crash


def _received() -> PendingEvent:
    data = ReferralReceived(
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        legal_basis="LAB-32-1-2",
        received_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    return PendingEvent(data=data, subject=str(data.referral_id))


def test_an_event_names_the_release_that_published_it() -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    stamped = encode(_received(), source="forlob/referral", sequence=1, time=now, source_version="0.3.1")
    assert json.loads(stamped)["sourceversion"] == "0.3.1"
    assert decode(stamped).sourceversion == "0.3.1"
    # An event of a release before the stamp (or a test writer without one) still reads.
    plain = encode(_received(), source="forlob/referral", sequence=1, time=now)
    assert "sourceversion" not in json.loads(plain)
    assert decode(plain).sourceversion is None
