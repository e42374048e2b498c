"""Lost acknowledgements are injected by the test kit, never switched on by a setting: the policy
requeues a share of deliveries at most TEST_REDELIVERIES times each, and the launcher the fault
suite's processes run under hands it to the service's consumers through its spec."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import pytest

from forlob_testkit import serve
from forlob_testkit.faults import TEST_REDELIVERIES, LostAcknowledgements


@dataclass
class _Delivery:
    headers: dict[str, Any] = field(default_factory=dict)


def test_a_message_is_requeued_at_most_twice_whatever_the_share() -> None:
    lost = LostAcknowledgements(1.0)
    assert lost.requeue(_Delivery())  # type: ignore[arg-type]  # only the headers are read
    assert lost.requeue(_Delivery({"x-delivery-count": TEST_REDELIVERIES - 1}))  # type: ignore[arg-type]
    assert not lost.requeue(_Delivery({"x-delivery-count": TEST_REDELIVERIES}))  # type: ignore[arg-type]


def test_the_share_is_what_it_says() -> None:
    lost = LostAcknowledgements(0.3, random.Random(5))
    requeued = sum(lost.requeue(_Delivery()) for _ in range(2000))  # type: ignore[arg-type]
    assert 500 < requeued < 700
    with pytest.raises(ValueError, match="between 0 and 1"):
        LostAcknowledgements(1.5)


def test_the_launcher_gives_the_service_the_fault_through_its_spec(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    ran: list[Any] = []
    monkeypatch.setattr(serve, "run_service_cli", lambda spec, argv, clock: ran.append((spec, argv)) or 0)
    offset = str(tmp_path / "offset")
    assert (
        serve.main(["--clock-offset-file", offset, "--redeliver-share", "0.5", "reporting", "serve", "--no-relay"]) == 0
    )
    [(spec, argv)] = ran
    assert (spec.name, argv) == ("reporting", ["serve", "--no-relay"])
    assert isinstance(spec.redelivery, LostAcknowledgements)
    assert spec.redelivery.share == 0.5
    serve.main(["--clock-offset-file", offset, "reporting", "serve"])
    assert ran[-1][0].redelivery is None  # no share: the service as deployed
