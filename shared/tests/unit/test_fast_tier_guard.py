"""The fast tier's guard: a test there that asks for the servers fails at once and says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from forlob_testkit.fixtures import in_fast_tier, pytest_runtest_setup, refuse_servers_in_a_run_without_them


@dataclass
class _Item:
    """What the guard reads of a collected test."""

    path: Path
    fixturenames: list[str]
    markers: set[str] = field(default_factory=set)

    @property
    def nodeid(self) -> str:
        return f"{self.path}::test"

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


UNIT = Path("/repo/services/referral/tests/unit/test_participant.py")


def test_the_fast_tier_is_the_unit_and_contract_folders() -> None:
    assert in_fast_tier("/repo/shared/tests/unit/test_clock.py")
    assert in_fast_tier(UNIT.as_posix())
    assert in_fast_tier("/repo/tests/contract/test_texts.py")
    assert not in_fast_tier("/repo/services/referral/tests/integration/test_privacy.py")
    assert not in_fast_tier("/repo/tests/e2e/test_course.py")


def test_a_fast_tier_test_asking_for_the_servers_unmarked_fails_before_it_waits() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"mark it @pytest\.mark\.servers"):
        pytest_runtest_setup(_Item(UNIT, ["make_database", "infra"]))  # type: ignore[arg-type]


def test_a_marked_test_or_one_elsewhere_may_ask_for_them() -> None:
    pytest_runtest_setup(_Item(UNIT, ["infra"], {"servers"}))  # type: ignore[arg-type]
    pytest_runtest_setup(_Item(Path("/repo/tests/e2e/test_course.py"), ["infra"]))  # type: ignore[arg-type]
    pytest_runtest_setup(_Item(UNIT, ["tmp_path"]))  # type: ignore[arg-type]


def test_in_a_run_without_servers_the_server_fixture_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOB_TEST_NO_SERVERS", "1")
    with pytest.raises(pytest.fail.Exception, match="no broker or database in this run"):
        refuse_servers_in_a_run_without_them()
    monkeypatch.delenv("FORLOB_TEST_NO_SERVERS")
    refuse_servers_in_a_run_without_them()
