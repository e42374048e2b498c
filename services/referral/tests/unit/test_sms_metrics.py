"""The send sweep's decisions reach Prometheus by outcome, each series present from the start."""

from __future__ import annotations

from prometheus_client import REGISTRY

from forlob_referral.application.sms_metrics import OUTCOMES, count
from forlob_referral.application.sms_sending import SendReport


def _value(outcome: str) -> float:
    value = REGISTRY.get_sample_value("forlob_sms_messages_total", {"outcome": outcome})
    assert value is not None, f"no series for {outcome}"  # present before anything was counted
    return value


def test_each_outcome_of_a_sweep_is_counted_by_its_own_label() -> None:
    before = {outcome: _value(outcome) for outcome in OUTCOMES}
    count(SendReport(sent=3, skipped=2, deferred=1, retrying=0, failed=1, unconfirmed=4, reasons={"expired": 2}))
    after = {outcome: _value(outcome) - before[outcome] for outcome in OUTCOMES}
    assert after == {"sent": 3, "skipped": 2, "deferred": 1, "retrying": 0, "failed": 1, "unconfirmed": 4}


def test_outcomes_are_every_count_a_report_keeps() -> None:
    counted = {name for name, value in vars(SendReport()).items() if isinstance(value, int)}
    assert set(OUTCOMES) == counted
