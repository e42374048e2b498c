"""The alert rules only use metrics the services export, and each links a runbook section."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

from forlob_notifications.application import gauges  # noqa: F401  (registers its metrics)
from forlob_referral.application import sms_metrics  # noqa: F401  (registers its metrics)
from forlob_shared import metrics  # noqa: F401  (registers the metrics)

ROOT = Path(__file__).resolve().parents[2]


def test_alert_rules_use_exported_metrics_and_link_existing_runbook_sections() -> None:
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())["groups"][0]["rules"]
    families = list(REGISTRY.collect())
    # A labelled counter with no children yet has no samples; its series are <name>_total.
    exported = {f.name for f in families} | {f"{f.name}_total" for f in families if f.type == "counter"}
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
        for line in (ROOT / "docs/operations.md").read_text().splitlines()
        if line.startswith("## ")
    }
    assert rules
    for rule in rules:
        for name in re.findall(r"\bforlob_[a-z_]+\b", rule["expr"]):
            assert name in exported, f"{rule['alert']} uses {name}, which no service exports"
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor in anchors, f"{rule['alert']}: no section #{anchor} in docs/operations.md"
