"""Write deploy/k8s/monitoring/prometheusrule.yaml from deploy/prometheus/alerts.yml: the same
rules as a Prometheus Operator PrometheusRule (`make prometheus-rule`; tests/deploy/test_k8s.py
keeps the two equal)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE = ROOT / "deploy" / "k8s" / "monitoring" / "prometheusrule.yaml"
HEADER = """\
# Forløb's alerting rules for the Prometheus Operator: written from deploy/prometheus/alerts.yml
# by `make prometheus-rule`; change that file, not this one. Each alert's runbook_url leads to
# its section of docs/operations.md.
"""


def prometheus_rule() -> dict[str, object]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "forlob",
            "labels": {
                "app.kubernetes.io/name": "forlob",
                "app.kubernetes.io/component": "monitoring",
                "app.kubernetes.io/part-of": "forlob",
            },
        },
        "spec": {"groups": groups},
    }


def main() -> None:
    text = yaml.safe_dump(prometheus_rule(), sort_keys=False, allow_unicode=True, width=120)
    RULE.write_text(HEADER + text, encoding="utf-8")


if __name__ == "__main__":
    main()
