"""deploy/k8s, the operator's part, checked offline (tests/deploy/test_k8s.py validates the core
kinds against the Kubernetes schemas and builds every kustomization): the web's manifests, the
Ingress with TLS, the NetworkPolicies (each service reaches only the database, the broker, DNS
and the identity provider; the web only the services' APIs), the ServiceMonitor and the
PrometheusRule (alerts.yml's rules, each with a runbook_url into docs/operations.md), the partner
feeds as Messaging Topology Operator resources (what `forlob partners add` makes), RabbitMQ 4.x,
and the history stream's size inside the broker's volume."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from forlob_shared.messaging.topology import Topology
from forlob_shared.ops import partners

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = {"referral": 8001, "attendance": 8002, "notifications": 8003, "reporting": 8004}
WEB_PORT = 8000
PUBLIC = "0.0.0.0/0"
PRIVATE = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"}


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _one(path: str, kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in _docs(K8S / path) if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    assert len(found) == 1, f"{path}: {kind} {name}"
    return found[0]


def _policies() -> dict[str, dict[str, Any]]:
    docs = _docs(K8S / "base" / "networkpolicies.yaml") + _docs(K8S / "infra" / "networkpolicies.yaml")
    return {d["metadata"]["name"]: d for d in docs}


def _anchors() -> set[str]:
    return {
        re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
        for line in (ROOT / "docs" / "operations.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }


# -- the web ------------------------------------------------------------------------------------


def test_the_web_is_deployed_like_a_service_without_database_or_broker() -> None:
    deployment = _one("base/web/deployment.yaml", "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert "initContainers" not in pod, "no database: nothing to migrate"
    assert [p["containerPort"] for p in container["ports"]] == [WEB_PORT]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert not {n for n in secrets if "DATABASE" in n or "BROKER" in n}
    assert secrets["FORLOB_WEB_SESSION_SECRET"] == {"name": "forlob-web", "key": "session-secret"}
    assert secrets["FORLOB_WEB_OIDC_CLIENT_SECRET"]["name"] == "forlob-web"
    config = _one("base/web/configmap.yaml", "ConfigMap")["data"]
    assert config["FORLOB_ENVIRONMENT"] == "production"
    assert config["FORLOB_WEB_PORT"] == str(WEB_PORT)
    assert config["FORLOB_WEB_OIDC_DISCOVERY_URL"].startswith("https://")
    for service, port in SERVICES.items():
        assert config[f"FORLOB_WEB_{service.upper()}_URL"] == f"http://{service}:{port}"
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    for kind, path in (("Service", "service"), ("PodDisruptionBudget", "pdb")):
        body = _one(f"base/web/{path}.yaml", kind)
        selector = body["spec"]["selector"].get("matchLabels", body["spec"]["selector"])
        assert selector.items() <= pod_labels.items(), kind
    hpa = _one("base/web/hpa.yaml", "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "web"
    assert "web" in _docs(K8S / "base" / "kustomization.yaml")[0]["resources"]


def test_the_web_settings_start_in_production() -> None:
    from forlob_web.settings import WebSettings

    config = _one("base/web/configmap.yaml", "ConfigMap")["data"]
    settings = WebSettings(
        environment=config["FORLOB_ENVIRONMENT"],
        session_secret="a-real-session-secret-from-the-secret",
        jwt_jwks_url="https://login.example.org/jwks",
        oidc_discovery_url=config["FORLOB_WEB_OIDC_DISCOVERY_URL"],
        oidc_client_id=config["FORLOB_WEB_OIDC_CLIENT_ID"],
    )
    assert settings.production
    assert settings.local_sign_in is False
    assert settings.secure_cookies is True


# -- the way in ---------------------------------------------------------------------------------


def test_the_ingress_serves_tls_only_the_pages_and_the_partner_api() -> None:
    services = {d["metadata"]["name"]: d for d in _docs(K8S / "base" / "web" / "service.yaml")}
    for service in SERVICES:
        services.update({d["metadata"]["name"]: d for d in _docs(K8S / "base" / service / "service.yaml")})
    ingresses = _docs(K8S / "base" / "ingress.yaml")
    backends = set()
    for ingress in ingresses:
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
        tls_hosts = {h for t in ingress["spec"]["tls"] for h in t["hosts"]}
        assert all(t["secretName"] for t in ingress["spec"]["tls"])
        for rule in ingress["spec"]["rules"]:
            assert rule["host"] in tls_hosts, f"{rule['host']} is served without TLS"
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                port_names = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
                assert backend["port"]["name"] in port_names
                backends.add((backend["name"], path["path"]))
    assert backends == {("web", "/"), ("notifications", "/notifications/((?:partner|alerts)/.*)")}
    # The partner API answers under notifications' public address, with the prefix taken off.
    public = _one("base/notifications/configmap.yaml", "ConfigMap")["data"]["FORLOB_NOTIFICATIONS_PUBLIC_API_URL"]
    partner = next(i for i in ingresses if i["metadata"]["name"] == "forlob-partner-api")
    assert partner["spec"]["rules"][0]["host"] == urlsplit(public).hostname
    published = re.compile(partner["spec"]["rules"][0]["http"]["paths"][0]["path"])
    rewrite = partner["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"]
    base = urlsplit(public).path
    for wanted, reaches in (("/partner/events", "/partner/events"), ("/alerts/42", "/alerts/42")):
        match = published.fullmatch(base + wanted)
        assert match, wanted
        assert rewrite.replace("$1", match.group(1)) == reaches
    for hidden in ("/staff", "/webhooks/subscriptions", "/dpo/audit", "/health/ready"):
        assert not published.fullmatch(base + hidden), hidden


# -- who may talk to whom ----------------------------------------------------------------------


def _egress_ports(policy: dict[str, Any]) -> dict[str, set[Any]]:
    """Where a policy lets its pods out: 'postgres', 'rabbitmq', 'dns', 'services', 'outside' or
    'anywhere', each with its ports."""
    found: dict[str, set[Any]] = {}
    for rule in policy["spec"].get("egress", []):
        ports = {p["port"] for p in rule.get("ports", [])}
        for peer in rule.get("to", [{}]):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            if "ipBlock" in peer:
                assert peer["ipBlock"]["cidr"] == PUBLIC
                assert set(peer["ipBlock"]["except"]) >= PRIVATE, "outside means outside the cluster"
                where = "outside"
            elif labels.get("cnpg.io/cluster") == "forlob-postgres":
                where = "postgres"
            elif labels.get("app.kubernetes.io/name") == "forlob-rabbitmq":
                where = "rabbitmq"
            elif labels.get("k8s-app") == "kube-dns":
                where = "dns"
            elif labels.get("app.kubernetes.io/component") == "service":
                where = "services"
            else:
                assert not peer, f"{policy['metadata']['name']}: an egress to {peer}"
                where = "anywhere"
            found.setdefault(where, set()).update(ports)
    return found


def test_forlobs_pods_are_denied_everything_not_allowed() -> None:
    deny = _policies()["forlob-default-deny"]["spec"]
    assert deny["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny
    assert "egress" not in deny
    (expression,) = deny["podSelector"]["matchExpressions"]
    assert (expression["key"], set(expression["values"])) == ("app.kubernetes.io/component", {"service", "web"})
    for service in [*SERVICES, "web"]:
        labels = _one(f"base/{service}/deployment.yaml", "Deployment")["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/component"] in expression["values"], service


def test_each_service_reaches_only_the_database_the_broker_dns_and_the_identity_provider() -> None:
    policies = _policies()
    services = _egress_ports(policies["forlob-services-egress"])
    assert services == {"postgres": {5432}, "rabbitmq": {5672}, "dns": {53}, "outside": {443}}
    assert policies["forlob-services-egress"]["spec"]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/component": "service",
        "app.kubernetes.io/part-of": "forlob",
    }
    # notifications alone also sends mail.
    assert _egress_ports(policies["forlob-notifications-egress"]) == {"anywhere": {25, 465, 587}}
    others = {n for n, p in policies.items() if p["spec"].get("egress")} - {
        "forlob-services-egress",
        "forlob-notifications-egress",
        "forlob-web",
    }
    assert others == set()


def test_the_web_reaches_only_the_services_apis_and_only_the_ingress_reaches_the_web() -> None:
    web = _policies()["forlob-web"]
    assert _egress_ports(web) == {"services": set(SERVICES.values()), "dns": {53}, "outside": {443}}
    sources = [peer["namespaceSelector"]["matchLabels"] for rule in web["spec"]["ingress"] for peer in rule["from"]]
    assert {s["kubernetes.io/metadata.name"] for s in sources} == {"ingress-nginx", "monitoring"}


def test_into_a_service_come_the_web_prometheus_and_for_the_partner_api_the_ingress() -> None:
    policies = _policies()
    rules = policies["forlob-services-ingress"]["spec"]["ingress"]
    peers = [peer for rule in rules for peer in rule["from"]]
    assert {"podSelector", "namespaceSelector"} == {key for peer in peers for key in peer}
    assert any(p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") == "web" for p in peers)
    partner = policies["forlob-partner-api-ingress"]["spec"]
    assert partner["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "notifications"


def test_the_broker_and_the_database_take_the_services_and_not_the_web() -> None:
    policies = _policies()
    for name, port in (("forlob-rabbitmq", 5672), ("forlob-postgres", 5432)):
        rules = policies[name]["spec"]["ingress"]
        from_services = [
            rule
            for rule in rules
            for peer in rule.get("from", [])
            if peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component") == "service"
        ]
        assert [{p["port"] for p in r["ports"]} for r in from_services] == [{port}], name
        for rule in rules:
            for peer in rule.get("from", []):
                assert peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") != "web"


# -- monitoring ---------------------------------------------------------------------------------


def test_the_service_monitor_scrapes_every_forlob_pod() -> None:
    monitor = _one("monitoring/servicemonitor.yaml", "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    (endpoint,) = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("http", "/metrics")
    expressions = {e["key"]: set(e["values"]) for e in monitor["spec"]["selector"]["matchExpressions"]}
    for service in [*SERVICES, "web"]:
        labels = _one(f"base/{service}/service.yaml", "Service")["metadata"]["labels"]
        assert all(labels.get(key) in values for key, values in expressions.items()), service
        assert "http" in {p["name"] for p in _one(f"base/{service}/service.yaml", "Service")["spec"]["ports"]}


def test_the_prometheus_rule_is_alerts_yml_with_a_runbook_url_per_alert() -> None:
    loaded = importlib.util.spec_from_file_location(
        "prometheusrule", ROOT / "deploy" / "prometheus" / "prometheusrule.py"
    )
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    rule = _one("monitoring/prometheusrule.yaml", "PrometheusRule")
    assert rule == module.prometheus_rule(), "run `make prometheus-rule`"
    anchors = _anchors()
    for group in rule["spec"]["groups"]:
        for alert in group["rules"]:
            url = alert["annotations"]["runbook_url"]
            assert url.startswith("https://"), alert["alert"]
            anchor = url.split("#", 1)[1]
            assert anchor in anchors, f"{alert['alert']}: no section #{anchor} in docs/operations.md"
            assert alert["annotations"]["runbook"] == f"docs/operations.md#{anchor}"


# -- partner feeds as Messaging Topology Operator resources ------------------------------------


def _partner_dirs() -> list[Path]:
    return sorted(p.parent for p in (K8S / "partners").glob("*/partner.yaml"))


def test_the_partner_exchange_is_the_one_forlob_partners_add_declares() -> None:
    docs = {d["kind"]: d["spec"] for d in _docs(K8S / "partners" / "exchange.yaml")}
    assert docs["Exchange"]["name"] == partners.PARTNERS_EXCHANGE
    assert docs["Exchange"]["type"] == "headers"
    assert docs["Binding"]["source"] == Topology().events_exchange
    assert docs["Binding"]["destination"] == partners.PARTNERS_EXCHANGE
    assert docs["Binding"]["routingKey"] == partners.PARTNER_BINDING_KEY


@pytest.mark.parametrize("directory", _partner_dirs(), ids=lambda p: p.name)
def test_a_partner_is_declared_as_forlob_partners_add_makes_it(directory: Path) -> None:
    org = partners.validate_org(directory.name)
    topology = Topology()
    queue, user, vhost = (
        partners.partner_queue(topology, org),
        partners.partner_user(topology, org),
        partners.partner_vhost(topology, org),
    )
    docs = _docs(directory / "partner.yaml")
    for doc in docs:
        assert doc["apiVersion"] == "rabbitmq.com/v1beta1"
        assert doc["spec"]["rabbitmqClusterReference"] == {"name": "forlob-rabbitmq"}
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "forlob"
        assert org in doc["metadata"]["name"]
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["Binding", "Permission", "Permission", "Queue", "Queue", "Shovel", "User", "Vhost"]
    queues = {d["spec"]["vhost"]: d["spec"] for d in docs if d["kind"] == "Queue"}
    assert set(queues) == {"forlob", vhost}
    for spec in queues.values():
        assert spec["name"] == queue
        assert spec["durable"] is True
        assert {"x-queue-type": spec["type"], **spec["arguments"]} == partners.QUEUE_ARGUMENTS
    (binding,) = [d["spec"] for d in docs if d["kind"] == "Binding"]
    assert (binding["source"], binding["destination"], binding["destinationType"]) == (
        partners.PARTNERS_EXCHANGE,
        queue,
        "queue",
    )
    assert binding["arguments"] == {"x-match": "all", "referringorg": org}
    (host,) = [d["spec"] for d in docs if d["kind"] == "Vhost"]
    assert host["name"] == vhost
    permissions = {d["spec"]["user"]: d["spec"] for d in docs if d["kind"] == "Permission"}
    assert permissions[user]["vhost"] == vhost
    assert permissions[user]["permissions"] == {"configure": "^$", "write": "^$", "read": f"^{re.escape(queue)}$"}
    assert permissions["admin"]["permissions"] == {"configure": ".*", "write": ".*", "read": ".*"}
    (shovel,) = [d["spec"] for d in docs if d["kind"] == "Shovel"]
    expected = partners.feed_shovel("forlob", vhost, queue)
    assert shovel["name"] == partners.partner_shovel(topology, org)
    assert shovel["vhost"] == vhost
    for ours, theirs in (
        ("srcProtocol", "src-protocol"),
        ("srcQueue", "src-queue"),
        ("srcDeleteAfter", "src-delete-after"),
        ("destProtocol", "dest-protocol"),
        ("destQueue", "dest-queue"),
        ("ackMode", "ack-mode"),
        ("addForwardHeaders", "add-forward-headers"),
        ("reconnectDelay", "reconnect-delay"),
    ):
        assert shovel[ours] == expected[theirs], ours
    assert shovel["uriSecret"]["name"] == f"forlob-partner-{org}-shovel"
    (account,) = [d["spec"] for d in docs if d["kind"] == "User"]
    assert account["importCredentialsSecret"]["name"] == f"forlob-partner-{org}-user"


def test_there_is_a_partner_example() -> None:
    assert [p.name for p in _partner_dirs()] == ["jobcenter-example"]


# -- RabbitMQ 4.x and the stream's size --------------------------------------------------------


def test_compose_and_kubernetes_run_rabbitmq_4() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"rabbitmq:4\.\d+-management", compose["services"]["rabbitmq"]["image"])
    cluster = _one("infra/rabbitmqcluster.yaml", "RabbitmqCluster")
    assert re.fullmatch(r"rabbitmq:4\.\d+-management", cluster["spec"]["image"])


def test_the_definitions_hold_nothing_rabbitmq_4_removed() -> None:
    # Classic queue mirroring (ha-* policy keys) is gone in 4.0: Forløb's queues are quorum
    # queues and a stream; a policy that still named it would fail the import at boot.
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
    for policy in definitions["policies"]:
        assert not [k for k in policy["definition"] if k.startswith("ha-")], policy["name"]
        assert "queue-master-locator" not in policy["definition"], policy["name"]
    for queue in definitions["queues"]:
        assert queue["arguments"].get("x-queue-type") in {"quorum", "stream"}, queue["name"]
    conf = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    assert not re.search(r"(?m)^\s*(mirroring_|queue_master_locator|ha_)", conf)


def _bytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Gi|Ti|GB)", quantity).groups()  # type: ignore[union-attr]
    return int(number) * {"Gi": 2**30, "Ti": 2**40, "GB": 10**9}[unit]


def test_the_history_stream_stays_well_inside_the_brokers_volume() -> None:
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
    (retention,) = [p for p in definitions["policies"] if p["name"] == "history-retention"]
    stream_max = retention["definition"]["max-length-bytes"]
    assert stream_max == Topology().history_max_bytes, "the policy and the stream's own x-max-length-bytes agree"
    conf = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    disk_free = _bytes(re.search(r"disk_free_limit\.absolute = (\S+)", conf).group(1))  # type: ignore[union-attr]
    volume = _bytes(_one("infra/rabbitmqcluster.yaml", "RabbitmqCluster")["spec"]["persistence"]["storage"])
    # The stream, the free space the broker keeps and a quarter of the volume for the quorum
    # queues, the dead letters and a stream segment past its limit (retention drops whole segments).
    assert stream_max + disk_free <= 0.75 * volume, f"the stream may grow to {stream_max} bytes on {volume}"
