"""deploy/RUNBOOK.md names only commands, options, settings and endpoints that exist."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from govpub.cli import app
from shared.settings import CommonSettings
from tests.contract.test_deploy import SETTINGS, known_env_names

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = (ROOT / "deploy" / "RUNBOOK.md").read_text(encoding="utf-8")
COMMAND = re.compile(r"(?<!-n )govpub ((?:[a-z]+)(?: (?:list|show|replay|retry|create|export))?)((?: --?[a-z][a-z-]*(?:[ =][^ `\n]+)?)*)")


def test_every_govpub_command_and_option_in_the_runbook_exists() -> None:
    runner = CliRunner()
    found = 0
    for match in COMMAND.finditer(RUNBOOK):
        words = match.group(1).split()
        if words[0] in ("pipeline", "operations"):  # a dashboard title and the page title, not commands
            continue
        words = [w for w in words if w != "list|show|replay"]
        result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
        assert result.exit_code == 0, f"`govpub {' '.join(words)}` does not exist"
        for option in re.findall(r"--[a-z][a-z-]*", match.group(2)):
            assert option in result.output, f"`govpub {' '.join(words)}` has no {option}"
        found += 1
    assert found >= 15


def test_every_setting_in_the_runbook_is_read_by_a_service() -> None:
    known = set().union(*(known_env_names(s) for s in SETTINGS)) | {"GOVPUB_CONSOLE_URL", "GOVPUB_API_KEY"}
    named = set(re.findall(r"GOVPUB_[A-Z0-9_]*[A-Z0-9]", RUNBOOK))
    unknown = named - known - {f"GOVPUB_{s.upper()}_URL" for s in SETTINGS}
    assert unknown == set(), f"the runbook names settings nobody reads: {unknown}"
    assert {"GOVPUB_KAFKA_SECURITY_PROTOCOL", "GOVPUB_KAFKA_SASL_MECHANISM", "GOVPUB_MONGO_URL"} <= named
    assert {f"GOVPUB_{f}".upper() for f in CommonSettings.model_fields if f.startswith("kafka_")} <= named


def test_the_runbook_covers_what_the_issue_asks_for() -> None:
    for heading in ("Stuck documents", "Dead letters", "Broker loss", "Database restore", "API key rotation"):
        assert f"## {heading}" in RUNBOOK
    assert "/ops/outbox/replay" in RUNBOOK
    for service in SETTINGS:
        assert f"govpub_{service}" in RUNBOOK  # every database named for restore
