"""docker-compose.yml and the Kubernetes manifests cannot be started here, so they are checked structurally."""

from __future__ import annotations

from pathlib import Path

import yaml

from services.console.settings import ConsoleSettings
from services.distribution.settings import DistributionSettings
from services.intake.settings import IntakeSettings
from services.publication.settings import PublicationSettings
from services.review.settings import ReviewSettings
from services.tagging.settings import TaggingSettings
from shared.settings import CommonSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, type[ServiceSettings]] = {
    "intake": IntakeSettings,
    "review": ReviewSettings,
    "tagging": TaggingSettings,
    "publication": PublicationSettings,
    "distribution": DistributionSettings,
    "console": ConsoleSettings,
}


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
