"""What the text-message sweep decided, for Prometheus: one counter by outcome, no organisation or
person in its labels (``/metrics`` answers without a token). The rules ForlobSmsUnconfirmed and
ForlobSmsFailing (deploy/prometheus/alerts.yml) read it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter

if TYPE_CHECKING:  # sms_sending counts its reports here
    from forlob_referral.application.sms_sending import SendReport

SMS_MESSAGES = Counter(
    "forlob_sms_messages",
    "Text messages the send sweep decided, by outcome: sent, skipped (reason in the log), deferred "
    "(quiet hours), retrying, failed (refused for good or too many attempts), unconfirmed (may have "
    "reached the gateway, never sent again: for a person to check)",
    ["outcome"],
)
OUTCOMES = ("sent", "skipped", "deferred", "retrying", "failed", "unconfirmed")
for _outcome in OUTCOMES:  # every series exists from the start, so increase() sees the first one
    SMS_MESSAGES.labels(outcome=_outcome)


def count(report: SendReport) -> None:
    for outcome in OUTCOMES:
        if n := getattr(report, outcome):
            SMS_MESSAGES.labels(outcome=outcome).inc(n)
