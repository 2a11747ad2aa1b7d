"""docker-compose.yml and the Kubernetes manifests cannot be started here, so they are checked structurally."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import yaml

from shared.settings import CommonSettings
from shared.topics import BY_NAME
from tests.security.routes import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def known_env_names(service: str) -> set[str]:
    cls = SETTINGS[service]
    prefix = str(cls.model_config.get("env_prefix", ""))
    names = {f"{prefix}{f}".upper() for f in cls.model_fields if f != "common"}
    names |= {f"GOVPUB_{f}".upper() for f in CommonSettings.model_fields}
    return names


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_compose_runs_every_service_with_a_healthcheck_after_the_topics_exist() -> None:
    services = compose()["services"]
    for name in SETTINGS:
        service = services[name]
        assert service["command"] == ["python", "-m", f"services.{name}"]
        assert "/ready" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["provision-topics"]["condition"] == "service_completed_successfully"
    assert services["provision-topics"]["command"] == ["govpub", "topics", "--provision"]
    assert "--replSet" in services["mongo1"]["command"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_compose_environment_names_are_settings_the_services_read() -> None:
    services = compose()["services"]
    for name in SETTINGS:
        unknown = {k for k in services[name]["environment"] if k.startswith("GOVPUB_")} - known_env_names(name)
        unknown -= {f"GOVPUB_{s.upper()}_URL" for s in SETTINGS}
        assert unknown == set(), f"{name}: {unknown} are read by nothing"


def test_kubernetes_manifests_probe_every_service_on_its_port() -> None:
    for name, cls in SETTINGS.items():
        docs = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / f"{name}.yaml").read_text(encoding="utf-8")))
        deployment = next(d for d in docs if d["kind"] == "Deployment")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        port = cls.model_fields["port"].default
        assert container["ports"][0]["containerPort"] == port
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env[f"GOVPUB_{name.upper()}_PORT"] == str(port)


# ---- scaling, probes and resources in Kubernetes

def k8s_documents() -> list[dict]:  # type: ignore[type-arg]
    return [
        doc
        for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


def subscriptions_of(service: str) -> set[tuple[str, str]]:
    """The (consumer group, topic) pairs the service's app really subscribes, with its default settings."""
    module = importlib.import_module(f"services.{service}.main")
    runtime = module.create_app().state.runtime
    return {(s.group_id, topic) for s in runtime.broker.subscribers for topic in s.topic_names}


def test_every_deployment_has_probes_and_resource_requests() -> None:
    deployments = [d for d in k8s_documents() if d["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == set(SETTINGS)
    for deployment in deployments:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            where = f"{deployment['metadata']['name']}/{container['name']}"
            assert container["readinessProbe"]["httpGet"]["path"] == "/ready", where
            assert container["livenessProbe"]["httpGet"]["path"] == "/health", where
            requests = container["resources"]["requests"]
            assert requests.get("cpu") and requests.get("memory"), f"{where} needs cpu and memory requests"
            assert container["resources"].get("limits", {}).get("memory"), f"{where} needs a memory limit"


def test_every_consuming_service_scales_on_the_lag_of_exactly_its_own_groups_and_topics() -> None:
    scaled = {d["metadata"]["name"]: d for d in k8s_documents() if d["kind"] == "ScaledObject"}
    deployments = {d["metadata"]["name"] for d in k8s_documents() if d["kind"] == "Deployment"}
    for service in SETTINGS:
        wanted = subscriptions_of(service)
        assert wanted, f"{service} consumes nothing?"
        obj = scaled[service]
        assert obj["apiVersion"] == "keda.sh/v1alpha1"
        assert obj["spec"]["scaleTargetRef"]["name"] in deployments
        triggers = obj["spec"]["triggers"]
        assert all(t["type"] == "kafka" for t in triggers)
        got = {(t["metadata"]["consumerGroup"], t["metadata"]["topic"]) for t in triggers}
        assert got == wanted, f"{service}: missing {wanted - got}, unknown {got - wanted}"
        for trigger in triggers:
            meta = trigger["metadata"]
            assert meta["bootstrapServersFromEnv"] == "GOVPUB_KAFKA_BOOTSTRAP"
            # The consumers start at the earliest offset (DESIGN.md, quirk 2); KEDA must count lag the same way.
            assert meta["offsetResetPolicy"] == "earliest"
            assert int(meta["lagThreshold"]) > 0
        # Lag is per partition: replicas beyond the partition count of the busiest topic would sit idle.
        partitions = max(BY_NAME[topic].partitions for _, topic in wanted)
        assert 1 <= obj["spec"]["minReplicaCount"] <= obj["spec"]["maxReplicaCount"] <= partitions


# ---- compose profiles: observability and Kafka UI

def exported_metric_names() -> set[str]:
    """Every series name the services export: the shared Metrics plus distribution's delivery outcomes."""
    from services.distribution.main import create_app

    registry = create_app().state.runtime.metrics.registry
    names: set[str] = set()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    for family in registry.collect():
        names |= {family.name + suffix for suffix in suffixes[family.type]}
    return names


def test_profiles_keep_observability_and_kafka_ui_out_of_the_default_stack() -> None:
    services = compose()["services"]
    assert services["prometheus"]["profiles"] == ["observability"]
    assert services["grafana"]["profiles"] == ["observability"]
    assert services["kafka-ui"]["profiles"] == ["kafka-ui"]
    for name in (*SETTINGS, "kafka", "mongo1", "provision-topics"):
        assert "profiles" not in services[name], f"{name} must start without a profile"
    ui = services["kafka-ui"]["environment"]
    assert ui["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == services["intake"]["environment"]["GOVPUB_KAFKA_BOOTSTRAP"]
    for service in ("prometheus", "grafana"):
        for volume in services[service]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{service} mounts {source}, which does not exist"


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = config["scrape_configs"]
    targets = {t for job in jobs for group in job["static_configs"] for t in group["targets"]}
    assert all(job.get("metrics_path", "/metrics") == "/metrics" for job in jobs)
    services = compose()["services"]
    for name, cls in SETTINGS.items():
        port = cls.model_fields["port"].default
        assert f"{name}:{port}" in targets
        assert f"{port}:{port}" in services[name]["ports"]


def test_grafana_dashboard_uses_only_exported_metrics_and_shows_every_one() -> None:
    provisioning = ROOT / "deploy" / "grafana" / "provisioning"
    datasource = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text(encoding="utf-8"))
    uid = datasource["datasources"][0]["uid"]
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "dashboards" / "govpub.json").read_text(encoding="utf-8"))
    expressions = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert all(p["datasource"]["uid"] == uid for p in dashboard["panels"])
    used = {m for e in expressions for m in re.findall(r"\bgovpub_[a-z_]+", e)}
    exported = exported_metric_names()
    assert used <= exported, f"the dashboard queries metrics nobody exports: {used - exported}"
    shown = {m.removesuffix("_bucket") for m in used}
    for family in {"govpub_events_consumed_total", "govpub_events_produced_total", "govpub_events_failed_total",
                   "govpub_handler_seconds", "govpub_consumer_lag", "govpub_outbox_backlog",
                   "govpub_dead_letters_total", "govpub_deliveries_total"}:
        assert family in shown, f"the dashboard does not show {family}"


def test_every_deployment_reads_the_keys_file_and_connection_secrets_from_secrets() -> None:
    docs = k8s_documents()
    config = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "govpub-config")
    keys_file = Path(config["data"]["GOVPUB_API_KEYS_FILE"])
    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    assert "keys.yaml" in secrets["govpub-api-keys"]["stringData"]
    # Credentials live in a Secret, never in the ConfigMap.
    assert not {"GOVPUB_KAFKA_SASL_PASSWORD"} & set(config["data"])
    assert "@" not in config["data"]["GOVPUB_MONGO_URL"]
    assert set(secrets["govpub-connections"]["stringData"]) <= {f"GOVPUB_{f}".upper() for f in CommonSettings.model_fields}
    for deployment in (d for d in docs if d["kind"] == "Deployment"):
        spec = deployment["spec"]["template"]["spec"]
        container = spec["containers"][0]
        volumes = {v["name"]: v for v in spec["volumes"]}
        mount = next(m for m in container["volumeMounts"] if Path(m["mountPath"]) == keys_file.parent)
        assert volumes[mount["name"]]["secret"]["secretName"] == "govpub-api-keys"
        sources = container["envFrom"]
        assert sources[0] == {"configMapRef": {"name": "govpub-config"}}
        assert {"secretRef": {"name": "govpub-connections", "optional": True}} in sources[1:]
    # With auth required the console needs an operator key for intake's stuck list and the deliveries.
    console = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "console")
    secret = next(s["secretRef"]["name"] for s in console["spec"]["template"]["spec"]["containers"][0]["envFrom"]
                  if s.get("secretRef", {}).get("name") == "console-api-key")
    assert "GOVPUB_CONSOLE_API_KEY" in secrets[secret]["stringData"]
    assert "GOVPUB_CONSOLE_API_KEY" in compose()["services"]["console"]["environment"]


def test_compose_mounts_the_keys_secret_where_the_services_look_for_it() -> None:
    services = compose()["services"]
    for name in SETTINGS:
        path = Path(services[name]["environment"]["GOVPUB_API_KEYS_FILE"])
        targets = [Path("/run/secrets") / s["target"] for s in services[name]["secrets"] if isinstance(s, dict)]
        assert path in targets, f"{name} reads {path} but the secret is mounted at {targets}"
