"""The attendance service's fast tier: its use cases on the in-memory unit of work."""

from __future__ import annotations

import pytest

from forlob_testkit.attendance_rules import Centre


@pytest.fixture
def centre() -> Centre:
    return Centre()
