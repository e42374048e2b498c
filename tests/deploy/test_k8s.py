"""deploy/k8s: the kustomize tree, checked offline.

- every YAML document parses, and every kustomization's resources exist (and every manifest is
  some kustomization's resource);
- the core kinds validate against the Kubernetes OpenAPI schemas with ``kubernetes-validate``
  (bundled schemas, no cluster), strictly (an unknown field fails), for the oldest Kubernetes the
  manifests need and the newest the package knows; skipped where the package is missing;
- where ``kubectl`` (or ``kustomize``) is installed, every kustomization builds, and the build
  output validates too;
- the custom resources (RabbitmqCluster, CloudNativePG Cluster and Database), which no bundled
  schema covers, are checked field by field;
- the operational properties: probes on the right paths and ports, non-root and read-only,
  resources, the migrate init container, rolling updates that never drop below the wanted count,
  a PodDisruptionBudget and an autoscaler per service, and no secret value anywhere.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
RABBITMQ_CONF = ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf"
NAMESPACE = "forlob"
SERVICES = {"referral": 8001, "attendance": 8002, "notifications": 8003, "reporting": 8004}
CORE_KINDS = {
    "Deployment",
    "Service",
    "ConfigMap",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Namespace",
    "Ingress",
    "NetworkPolicy",
}
# The oldest Kubernetes the manifests need (lifecycle.preStop.sleep is on by default from 1.30).
OLDEST_KUBERNETES = "1.30.0"
FASTSTREAM_GRACEFUL_TIMEOUT = 15  # seconds FastStream waits for handlers in flight at shutdown
SECRET_WORDS = re.compile(r"DATABASE_URL|BROKER_URL|SECRET|PASSWORD|TOKEN|JWKS", re.IGNORECASE)
CREDENTIALS_IN_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


@dataclass(frozen=True)
class Doc:
    path: Path
    index: int
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body.get("kind"))

    @property
    def name(self) -> str:
        return str((self.body.get("metadata") or {}).get("name"))

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}#{self.index} ({self.kind} {self.name})"


def _yaml_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def _load_all() -> list[Doc]:
    docs = []
    for path in _yaml_files():
        for index, body in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
            if body is None:
                continue
            assert isinstance(body, dict), f"{path}#{index} is not a mapping"
            docs.append(Doc(path, index, body))
    return docs


DOCS = _load_all()
KUSTOMIZATIONS = [d for d in DOCS if d.path.name in {"kustomization.yaml", "kustomization.yml"}]
OBJECTS = [d for d in DOCS if d not in KUSTOMIZATIONS]


def _objects(kind: str) -> list[Doc]:
    return [d for d in OBJECTS if d.kind == kind]


def _one(kind: str, name: str) -> dict[str, Any]:
    found = [d.body for d in OBJECTS if d.kind == kind and d.name == name]
    assert len(found) == 1, f"expected one {kind} {name!r}, found {len(found)}"
    return found[0]


def _service_file(service: str, kind: str) -> dict[str, Any]:
    found = [d.body for d in OBJECTS if d.kind == kind and d.path.parent == K8S / "base" / service]
    assert len(found) == 1, f"base/{service} needs one {kind}, has {len(found)}"
    return found[0]


def _walk(value: Any) -> Any:
    """Every scalar in a document, depth first."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    else:
        yield value


_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?")
_FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
_FACTORS["Ti"] = 2**40


def _quantity(value: Any) -> float:
    match = _QUANTITY.fullmatch(str(value))
    assert match, f"not a quantity: {value!r}"
    return float(match.group(1)) * _FACTORS[match.group(2)]


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------


def test_every_document_is_a_named_object_or_a_kustomization() -> None:
    assert DOCS, "no YAML under deploy/k8s"
    seen: dict[tuple[str, str], Doc] = {}
    for doc in OBJECTS:
        assert doc.body.get("apiVersion"), f"{doc}: no apiVersion"
        assert doc.body.get("kind"), f"{doc}: no kind"
        assert _DNS_LABEL.fullmatch(doc.name), f"{doc}: name is not a DNS label"
        assert (doc.kind, doc.name) not in seen, f"{doc} repeats {seen[(doc.kind, doc.name)]}"
        seen[(doc.kind, doc.name)] = doc
    versions = {"Kustomization": "kustomize.config.k8s.io/v1beta1", "Component": "kustomize.config.k8s.io/v1alpha1"}
    for doc in KUSTOMIZATIONS:
        assert doc.body.get("kind") in versions, f"{doc}"
        assert doc.body.get("apiVersion") == versions[doc.kind], f"{doc}"


def test_kustomization_resources_exist_and_every_manifest_is_used() -> None:
    claimed: set[Path] = set()
    for doc in KUSTOMIZATIONS:
        here = doc.path.parent
        for entry in [*doc.body.get("resources", []), *doc.body.get("components", [])]:
            target = (here / entry).resolve()
            assert target.exists(), f"{doc.path.relative_to(ROOT)}: {entry} does not exist"
            if target.is_dir():
                assert (target / "kustomization.yaml").is_file(), f"{entry}: a directory without kustomization.yaml"
            else:
                claimed.add(target)
        for patch in doc.body.get("patches", []):
            if "path" in patch:
                assert (here / patch["path"]).is_file(), f"{doc.path.relative_to(ROOT)}: patch {patch['path']} missing"
                claimed.add((here / patch["path"]).resolve())
    manifests = {d.path.resolve() for d in OBJECTS}
    assert manifests - claimed == set(), "manifests no kustomization uses"


def test_the_layout_has_base_infra_and_production() -> None:
    for path in (
        "base/kustomization.yaml",
        "base/namespace.yaml",
        "infra/kustomization.yaml",
        "infra/rabbitmqcluster.yaml",
        "infra/postgres-cluster.yaml",
        "overlays/production/kustomization.yaml",
    ):
        assert (K8S / path).is_file(), path
    for service in SERVICES:
        for name in ("kustomization", "deployment", "service", "configmap", "hpa", "pdb"):
            assert (K8S / "base" / service / f"{name}.yaml").is_file(), f"base/{service}/{name}.yaml"


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


def _kubernetes_versions() -> list[str]:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    return sorted({OLDEST_KUBERNETES, kubernetes_validate.latest_version()})


def _validate(body: dict[str, Any], what: str) -> None:
    import kubernetes_validate

    for version in _kubernetes_versions():
        try:
            kubernetes_validate.validate(body, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{what} is not a valid {body.get('kind')} for Kubernetes {version}: {exc.message}")


def test_core_kinds_validate_against_the_kubernetes_schemas() -> None:
    _kubernetes_versions()
    kinds = set()
    for doc in OBJECTS:
        if doc.kind in CORE_KINDS:
            _validate(doc.body, str(doc))
            kinds.add(doc.kind)
    assert kinds == CORE_KINDS, f"missing kinds: {CORE_KINDS - kinds}"


def test_the_validation_is_strict_enough_to_catch_a_typo() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    broken = copy.deepcopy(_service_file("referral", "Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/health/ready"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


def _kustomize_command() -> list[str] | None:
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    return None


def _build(directory: Path) -> list[dict[str, Any]]:
    command = _kustomize_command()
    if command is None:
        pytest.skip("neither kustomize nor kubectl is installed: the build is left to a machine that has one")
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )
    assert result.returncode == 0, f"building {directory.relative_to(ROOT)} failed:\n{result.stderr}"
    return [body for body in yaml.safe_load_all(result.stdout) if body]


# A Component is built only inside a kustomization that names it (overlays/production-traced).
BUILDABLE = sorted({d.path.parent.relative_to(K8S).as_posix() for d in KUSTOMIZATIONS if d.kind != "Component"})


@pytest.mark.parametrize("directory", BUILDABLE, ids=str)
def test_every_kustomization_builds(directory: str) -> None:
    built = _build(K8S / directory)
    assert built
    try:
        import kubernetes_validate  # noqa: F401
    except ImportError:
        validate = False
    else:
        validate = True
    for body in built:
        what = f"{directory}: {body['kind']} {body['metadata']['name']}"
        if body["kind"] != "Namespace":
            assert body["metadata"].get("namespace") == NAMESPACE, f"{what} is not in {NAMESPACE}"
        assert body["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "forlob", what
        assert body["metadata"]["labels"].get("app.kubernetes.io/managed-by") == "kustomize", what
        if validate and body["kind"] in CORE_KINDS:
            _validate(body, what)


def test_production_pins_every_image_and_runs_three_of_each() -> None:
    built = _build(K8S / "overlays" / "production")
    kinds = {body["kind"] for body in built}
    assert {"RabbitmqCluster", "Cluster", "ServiceMonitor", "PrometheusRule", *CORE_KINDS} <= kinds
    for body in built:
        if body["kind"] == "Deployment":
            spec = body["spec"]["template"]["spec"]
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                image = container["image"]
                assert not image.startswith("forlob/"), f"{image}: the overlay names the registry"
                assert re.fullmatch(r"\d+\.\d+\.\d+", image.rpartition(":")[2]), f"{image}: pin a released version"
        if body["kind"] == "HorizontalPodAutoscaler":
            assert body["spec"]["minReplicas"] >= 3
        if body["kind"] == "ConfigMap":
            assert body["data"]["FORLOB_JWT_ISSUER"].startswith("https://")


def test_traces_are_off_in_production_and_on_with_the_tracing_component() -> None:
    def configmaps(built: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
        return {b["metadata"]["name"]: b["data"] for b in built if b["kind"] == "ConfigMap"}

    plain, traced = _build(K8S / "overlays" / "production"), _build(K8S / "overlays" / "production-traced")
    for name, data in configmaps(plain).items():
        assert not any(key.startswith("OTEL_") for key in data), f"{name}: tracing is opt-in"
    settings = configmaps(traced)
    assert set(settings) >= {*SERVICES, "web"}
    for name in (*SERVICES, "web"):
        assert settings[name]["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":4318"), f"{name}: OTLP/HTTP to the collector"
        assert settings[name]["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio"
        assert 0 < float(settings[name]["OTEL_TRACES_SAMPLER_ARG"]) <= 1
    # The default deny stays; one policy adds the way out to the collector, and only that.
    (policy,) = [b for b in traced if b["kind"] == "NetworkPolicy" and b["metadata"]["name"] == "forlob-traces-egress"]
    assert policy["metadata"]["namespace"] == NAMESPACE
    assert policy["spec"]["policyTypes"] == ["Egress"]
    assert [port for rule in policy["spec"]["egress"] for port in rule["ports"]] == [{"protocol": "TCP", "port": 4318}]
    assert {b["metadata"]["name"] for b in traced if b["kind"] == "NetworkPolicy"} >= {"forlob-default-deny"}


# --------------------------------------------------------------------------------------------
# Custom resources
# --------------------------------------------------------------------------------------------


def _conf_settings(text: str) -> dict[str, str]:
    settings = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            key, _, value = stripped.partition("=")
            settings[key.strip()] = value.strip()
    return settings


def test_rabbitmq_cluster() -> None:
    (doc,) = _objects("RabbitmqCluster")
    body = doc.body
    assert body["apiVersion"] == "rabbitmq.com/v1beta1"
    spec = body["spec"]
    assert spec["replicas"] == 3, "three nodes: quorum queues and streams survive one"
    assert "rabbitmq_stream" in spec["rabbitmq"]["additionalPlugins"]
    assert "rabbitmq_shovel" in spec["rabbitmq"]["additionalPlugins"]  # partner feeds
    for plugin in spec["rabbitmq"]["additionalPlugins"]:
        assert re.fullmatch(r"\w+", plugin), f"the CRD takes plugin names only: {plugin!r}"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    series = re.match(r"rabbitmq:(\d+\.\d+)", compose["services"]["rabbitmq"]["image"])
    assert series, "docker-compose.yml names no rabbitmq:<major>.<minor> image"
    assert spec["image"].startswith(f"rabbitmq:{series.group(1)}"), "run the series docker-compose.yml runs"
    for part in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(spec["resources"][part])
    assert _quantity(spec["persistence"]["storage"]) >= 10 * 2**30

    # The definitions: rabbitmq.conf's settings (the operator owns logging), and the file they
    # name mounted from a Secret.
    config = spec["rabbitmq"]["additionalConfig"]
    assert len(config) <= 2000, "the CRD limits additionalConfig to 2000 characters"
    ours = {
        k: v for k, v in _conf_settings(RABBITMQ_CONF.read_text(encoding="utf-8")).items() if not k.startswith("log.")
    }
    assert _conf_settings(config) == ours, "additionalConfig and deploy/rabbitmq/rabbitmq.conf disagree"
    pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "rabbitmq"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    mount = mounts[ours["load_definitions"]]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mount["name"]]["secret"]["secretName"] == "forlob-rabbitmq-definitions"
    assert mount.get("readOnly") is True
    # Loading definitions at boot skips the default user: the admin credentials are ours.
    assert spec["secretBackend"]["externalSecret"]["name"]

    pdb = _one("PodDisruptionBudget", "forlob-rabbitmq")
    assert pdb["spec"]["maxUnavailable"] == 1
    anti = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert anti["labelSelector"]["matchLabels"] == pdb["spec"]["selector"]["matchLabels"]
    if _has_validator():
        _validate(pdb, "the RabbitMQ PodDisruptionBudget")


def test_postgres_replication_is_synchronous_so_a_failover_loses_no_commit() -> None:
    # A promoted asynchronous replica may lack the last acknowledged commits (outbox and inbox
    # rows): the database failover test's "lost 0" holds only with a synchronous standby.
    (doc,) = _objects("Cluster")
    synchronous = doc.body["spec"]["postgresql"]["synchronous"]
    assert synchronous["method"] in {"any", "first"}
    assert 1 <= synchronous["number"] < doc.body["spec"]["instances"], "a replica may be down without stopping writes"
    assert synchronous.get("dataDurability", "required") == "required"


def _has_validator() -> bool:
    try:
        import kubernetes_validate  # noqa: F401
    except ImportError:
        return False
    return True


def test_postgres_cluster_gives_each_service_its_database_and_role() -> None:
    (doc,) = _objects("Cluster")
    cluster = doc.body
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    spec = cluster["spec"]
    assert spec["instances"] == 3
    assert _quantity(spec["storage"]["size"]) >= 10 * 2**30
    initdb = spec["bootstrap"]["initdb"]
    assert {"database", "owner", "secret"} <= set(initdb)

    databases = {initdb["database"]: initdb["owner"]}
    roles = {initdb["owner"]: initdb["secret"]["name"]}
    for role in spec.get("managed", {}).get("roles", []):
        assert role.get("login") is True, role["name"]
        assert role.get("ensure", "present") == "present"
        assert not role.get("superuser"), f"{role['name']} must not be a superuser"
        roles[role["name"]] = role["passwordSecret"]["name"]
    for database in _objects("Database"):
        assert database.body["apiVersion"] == "postgresql.cnpg.io/v1"
        assert database.body["spec"]["cluster"]["name"] == doc.name
        databases[database.body["spec"]["name"]] = database.body["spec"]["owner"]

    for service in SERVICES:
        assert databases.get(f"forlob_{service}") == service, f"forlob_{service} owned by {service}"
        assert roles.get(service) == f"forlob-postgres-{service}", f"role {service} and its password Secret"

    # Each role reaches its own database and nothing else; the reject comes after the allows.
    hba = [" ".join(line.split()) for line in spec["postgresql"]["pg_hba"]]
    allows = [f"host forlob_{s} {s} all scram-sha-256" for s in SERVICES]
    for allow in allows:
        assert allow in hba
    rejects = [line for line in hba if line.endswith(" reject")]
    assert len(rejects) == 1
    _, database, users, _, _ = rejects[0].split()
    assert database == "all"
    assert set(users.split(",")) == set(SERVICES)
    assert hba.index(rejects[0]) > max(hba.index(a) for a in allows)


# --------------------------------------------------------------------------------------------
# The services
# --------------------------------------------------------------------------------------------


def _pod(service: str) -> dict[str, Any]:
    return _service_file(service, "Deployment")["spec"]["template"]["spec"]


def _main(service: str) -> dict[str, Any]:
    containers = _pod(service)["containers"]
    assert len(containers) == 1, "one container per pod: the service"
    assert containers[0]["name"] == service
    return containers[0]


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def _named_port(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    (found,) = [p["containerPort"] for p in container["ports"] if p["name"] == port]
    return int(found)


def _dockerfile_user(service: str) -> int:
    dockerfile = (ROOT / "services" / service / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"(?m)^USER\s+(\d+)", dockerfile)
    assert users, f"services/{service}/Dockerfile has no numeric USER"
    return int(users[-1])


@pytest.mark.parametrize("service", SERVICES)
def test_probes_ask_the_right_paths_on_the_service_port(service: str) -> None:
    container = _main(service)
    port = SERVICES[service]
    assert [p["containerPort"] for p in container["ports"]] == [port]
    expected = {"livenessProbe": "/health/live", "readinessProbe": "/health/ready", "startupProbe": "/health/live"}
    for probe, path in expected.items():
        get = container[probe]["httpGet"]
        assert get["path"] == path, f"{service} {probe}"
        assert _named_port(container, get["port"]) == port, f"{service} {probe} port"
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30, "give a slow start half a minute at least"
    config = _service_file(service, "ConfigMap")["data"]
    assert config[f"FORLOB_{service.upper()}_PORT"] == str(port)
    assert config[f"FORLOB_{service.upper()}_HOST"] == "0.0.0.0"
    assert config["FORLOB_ENVIRONMENT"] == "production"
    annotations = _service_file(service, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == str(port)


@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_as_non_root_with_a_read_only_root_and_no_capabilities(service: str) -> None:
    pod = _pod(service)
    context = pod["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == _dockerfile_user(service) != 0
    assert context["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    for container in [*pod["initContainers"], *pod["containers"]]:
        own = container["securityContext"]
        assert own["allowPrivilegeEscalation"] is False, container["name"]
        assert own["readOnlyRootFilesystem"] is True, container["name"]
        assert own["capabilities"]["drop"] == ["ALL"], container["name"]
        assert not own.get("capabilities", {}).get("add"), container["name"]
        assert not own.get("privileged"), container["name"]
        # Python and libraries write temporary files: /tmp is an emptyDir.
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}
    assert all("emptyDir" in v for v in pod["volumes"]), "no hostPath or other volumes"


@pytest.mark.parametrize("service", SERVICES)
def test_every_container_has_requests_and_limits(service: str) -> None:
    pod = _pod(service)
    for container in [*pod["initContainers"], *pod["containers"]]:
        resources = container["resources"]
        for resource in ("cpu", "memory"):
            request = _quantity(resources["requests"][resource])
            limit = _quantity(resources["limits"][resource])
            assert 0 < request <= limit, f"{service}/{container['name']}: {resource} {request} > {limit}"
        assert _quantity(resources["requests"]["memory"]) >= 128 * 2**20, "the service needs ~140 MiB resident"


@pytest.mark.parametrize("service", SERVICES)
def test_migrate_runs_first_in_the_same_image(service: str) -> None:
    pod = _pod(service)
    main = _main(service)
    (migrate,) = pod["initContainers"]
    assert migrate["args"] == ["migrate"]
    assert main["args"] == ["serve"]
    assert migrate["image"] == main["image"]
    assert re.fullmatch(rf"forlob/{service}:\d+\.\d+\.\d+", main["image"]), "the base names a version, never latest"
    database_url = f"FORLOB_{service.upper()}_DATABASE_URL"
    assert _env(migrate)[database_url] == _env(main)[database_url]
    assert migrate["envFrom"] == main["envFrom"]


@pytest.mark.parametrize("service", SERVICES)
def test_settings_come_from_the_configmap_and_secrets_by_reference(service: str) -> None:
    main = _main(service)
    assert main["envFrom"] == [{"configMapRef": {"name": service}}]
    assert _service_file(service, "ConfigMap")["metadata"]["name"] == service
    env = _env(main)
    up = service.upper()
    required = {
        f"FORLOB_{up}_DATABASE_URL": (f"forlob-{service}", "database-url"),
        f"FORLOB_{up}_BROKER_URL": (f"forlob-{service}", "broker-url"),
    }
    optional = {"FORLOB_JWT_JWKS_URL": ("forlob-jwt", "jwks-url"), "FORLOB_JWT_SECRET": ("forlob-jwt", "secret")}
    for name, (secret, key) in {**required, **optional}.items():
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert (ref["name"], ref["key"]) == (secret, key), name
        assert ref.get("optional", False) == (name in optional), name
        assert "value" not in env[name]
    # Nothing of another service's.
    for entry in main["env"]:
        secret_name = entry.get("valueFrom", {}).get("secretKeyRef", {}).get("name")
        assert secret_name in {f"forlob-{service}", "forlob-jwt"}, f"{service} reads {secret_name}"


def test_no_secret_values_in_git() -> None:
    assert not _objects("Secret"), "Secrets are made outside git (see deploy/k8s/README.md)"
    for doc in OBJECTS:
        for value in _walk(doc.body):
            if isinstance(value, str):
                assert not CREDENTIALS_IN_URL.search(value), f"{doc}: credentials in a URL"
                assert "PRIVATE KEY" not in value, f"{doc}: a private key"
    for doc in _objects("ConfigMap"):
        for key in doc.body.get("data", {}):
            assert not SECRET_WORDS.search(key), f"{doc}: {key} belongs in a Secret"
    for doc in _objects("Deployment"):
        pod = doc.body["spec"]["template"]["spec"]
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            for entry in container.get("env", []):
                if SECRET_WORDS.search(entry["name"]):
                    assert "secretKeyRef" in entry.get("valueFrom", {}), f"{doc}: {entry['name']} is not a reference"


@pytest.mark.parametrize("service", SERVICES)
def test_rolling_updates_and_shutdown_lose_nothing(service: str) -> None:
    deployment = _service_file(service, "Deployment")
    strategy = deployment["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    assert "replicas" not in deployment["spec"], "the HorizontalPodAutoscaler owns the replica count"
    pod = deployment["spec"]["template"]["spec"]
    pre_stop = _main(service)["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] > pre_stop + FASTSTREAM_GRACEFUL_TIMEOUT


@pytest.mark.parametrize("service", SERVICES)
def test_service_pdb_and_autoscaler_select_the_pods(service: str) -> None:
    deployment = _service_file(service, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod_labels.items()
    for label in ("name", "instance", "component", "part-of"):
        key = f"app.kubernetes.io/{label}"
        assert key in pod_labels, f"{service} pods lack {key}"
        for kind in ("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
            assert key in _service_file(service, kind)["metadata"]["labels"], f"{service} {kind} lacks {key}"
    assert pod_labels["app.kubernetes.io/name"] == service

    service_object = _service_file(service, "Service")
    assert service_object["spec"]["type"] == "ClusterIP"
    assert service_object["spec"]["selector"].items() <= pod_labels.items()
    (port,) = service_object["spec"]["ports"]
    assert port["port"] == SERVICES[service]
    assert _named_port(_main(service), port["targetPort"]) == SERVICES[service]

    pdb = _service_file(service, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    hpa = _service_file(service, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    # The budget must leave a drain something to evict, at the autoscaler's minimum.
    assert hpa["spec"]["minReplicas"] > pdb["spec"]["minAvailable"]


def _normalised(service: str, kind: str) -> str:
    text = json.dumps(_service_file(service, kind), sort_keys=True)
    text = text.replace(service.upper(), "SERVICE").replace(service, "service")
    return text.replace(str(SERVICES[service]), "PORT")


@pytest.mark.parametrize("kind", ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"])
def test_the_four_services_are_deployed_alike(kind: str) -> None:
    reference = _normalised("referral", kind)
    for service in SERVICES:
        assert _normalised(service, kind) == reference, f"{service}'s {kind} differs from referral's"
    configs = [_service_file(s, "ConfigMap")["data"] for s in SERVICES]
    common = {k.replace("REFERRAL", "SERVICE") for k in configs[0]}
    for service, data in zip(SERVICES, configs, strict=True):
        keys = {k.replace(service.upper(), "SERVICE") for k in data}
        assert common <= keys, f"{service}'s ConfigMap lacks {common - keys}"


def test_the_notifications_configmap_gives_production_the_public_addresses_it_links_to() -> None:
    from forlob_notifications.settings import NotificationsSettings, is_public_address

    data = _service_file("notifications", "ConfigMap")["data"]
    assert data["FORLOB_ENVIRONMENT"] == "production"
    for name in ("FORLOB_NOTIFICATIONS_PUBLIC_WEB_URL", "FORLOB_NOTIFICATIONS_PUBLIC_API_URL"):
        assert is_public_address(data[name]), name
    # the settings a pod would read start (the JWT settings come from a Secret)
    settings = NotificationsSettings(
        environment="production",
        jwt_jwks_url="https://login.example.org/jwks",
        public_web_url=data["FORLOB_NOTIFICATIONS_PUBLIC_WEB_URL"],
        public_api_url=data["FORLOB_NOTIFICATIONS_PUBLIC_API_URL"],
    )
    assert settings.public_web_url.startswith("https://")
