"""Kafka TLS and SASL come from settings alone, for the services' broker and for topic provisioning."""

from __future__ import annotations

import pytest

from shared.messaging import client_security, make_broker
from shared.settings import CommonSettings


def settings(**values: object) -> CommonSettings:
    return CommonSettings(**values)  # type: ignore[arg-type]


def test_plaintext_needs_no_security() -> None:
    assert client_security(settings()) == {}


def test_tls_alone_is_supported_without_sasl() -> None:
    kwargs = client_security(settings(kafka_security_protocol="SSL"))
    assert kwargs["security_protocol"] == "SSL" and kwargs["ssl_context"] is not None
    make_broker(settings(kafka_security_protocol="SSL"), client_id="t")  # builds without connecting


@pytest.mark.parametrize(("protocol", "mechanism", "tls"), [
    ("SASL_SSL", "SCRAM-SHA-512", True), ("SASL_SSL", "PLAIN", True), ("SASL_PLAINTEXT", "SCRAM-SHA-256", False),
])
def test_sasl_with_and_without_tls(protocol: str, mechanism: str, tls: bool) -> None:
    kwargs = client_security(settings(
        kafka_security_protocol=protocol, kafka_sasl_mechanism=mechanism.lower(),
        kafka_sasl_username="govpub", kafka_sasl_password="s3cret",
    ))
    assert kwargs["security_protocol"] == protocol and kwargs["sasl_mechanism"] == mechanism
    assert kwargs["sasl_plain_username"] == "govpub" and kwargs["sasl_plain_password"] == "s3cret"
    assert (kwargs["ssl_context"] is not None) is tls


@pytest.mark.parametrize(("values", "names"), [
    ({"kafka_security_protocol": "SASL_SSL"}, "GOVPUB_KAFKA_SASL_MECHANISM"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "GSSAPI"}, "GOVPUB_KAFKA_SASL_MECHANISM"),
    ({"kafka_security_protocol": "TLS"}, "GOVPUB_KAFKA_SECURITY_PROTOCOL"),
])
def test_incomplete_settings_name_the_setting_to_fix(values: dict[str, str], names: str) -> None:
    with pytest.raises(ValueError, match=names):
        client_security(settings(**values))
