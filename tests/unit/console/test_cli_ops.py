"""`govpub lag|dlq|trace|stuck` when something is wrong: one red line, exit code 2."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from govpub import cli_ops


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_console_is_one_line_naming_the_setting() -> None:
    result = CliRunner().invoke(cli_ops.app, ["lag"], env={"GOVPUB_CONSOLE_URL": f"http://127.0.0.1:{unused_port()}"})
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: the console is not reachable")
    assert "GOVPUB_CONSOLE_URL" in result.output and result.output.strip().count("\n") == 0


def test_replay_without_a_key_says_which_variable_to_set() -> None:
    result = CliRunner().invoke(cli_ops.app, ["dlq", "replay", "x"], env={"GOVPUB_API_KEY": ""})
    assert result.exit_code == 2 and "GOVPUB_API_KEY" in result.output and "--role operator" in result.output


def test_every_command_is_there() -> None:
    result = CliRunner().invoke(cli_ops.app, ["--help"], env={"COLUMNS": "200"})
    assert all(name in result.output for name in ("lag", "dlq", "trace", "stuck"))
    result = CliRunner().invoke(cli_ops.app, ["dlq", "--help"], env={"COLUMNS": "200"})
    assert all(name in result.output for name in ("list", "show", "replay"))


def test_dlq_replay_takes_one_dead_letter_or_a_channel() -> None:
    for args in (["dlq", "replay"], ["dlq", "replay", "x", "--channel", "partner-webhook"]):
        result = CliRunner().invoke(cli_ops.app, args, env={"GOVPUB_API_KEY": "gpk_x"})
        assert result.exit_code == 2 and "--channel" in result.output, args


def test_dlq_replay_of_a_channel_requeues_its_failed_deliveries_through_distribution() -> None:
    port = unused_port()
    result = CliRunner().invoke(cli_ops.app, ["dlq", "replay", "--channel", "partner-webhook"],
                                env={"GOVPUB_API_KEY": "gpk_x", "GOVPUB_DISTRIBUTION_URL": f"http://127.0.0.1:{port}"})
    assert result.exit_code == 2 and f"127.0.0.1:{port}" in result.output  # it asked distribution, not the console
