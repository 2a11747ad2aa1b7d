"""Fuzzing intake's HTTP API from its own OpenAPI document (schemathesis): no 5xx, answers as documented,
and a refused submission writes nothing.

A private intake process with its own broker and database runs for this module, so the generated
documents neither reach the rest of the pipeline nor meet other tests' documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pymongo import MongoClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from govpub.stack import Stack, StackConfig

pytestmark = pytest.mark.stack

# Per operation and mode: six operations, schema-conforming and schema-violating, at most 240 requests.
EXAMPLES = 20
STORED = ("documents", "versions", "outbox")


class FuzzedIntake:
    def __init__(self, stack: Stack, database: str) -> None:
        self.stack = stack
        self.url = stack.config.url("intake")
        self.client: MongoClient[dict[str, Any]] = MongoClient(stack.config.mongo, directConnection=True)
        self.db = self.client[database]

    def stored(self) -> dict[str, int]:
        return {name: self.db[name].count_documents({}) for name in STORED}


@pytest.fixture(scope="module")
def fuzzed_intake(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedIntake]:
    config = StackConfig.ephemeral(Path(tmp_path_factory.mktemp("fuzz")))
    config.mongo_url = stack.config.mongo  # the session's database server, a database of its own
    database = f"govpub_intake_fuzz_{uuid.uuid4().hex[:8]}"
    config.extra_env = {"GOVPUB_INTAKE_DATABASE": database}
    private = Stack(config)
    try:
        private.start_broker()
        private.provision()
        private.start_services(["intake"])
        intake = FuzzedIntake(private, database)
        yield intake
        intake.client.drop_database(database)
        intake.client.close()
    finally:
        private.down()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json").include(path_regex="^/v1/")
    return [result.ok() for result in schema.get_all_operations()]


# schemathesis's own pytest loader does not run under pytest 9 yet, so each operation gets a plain
# Hypothesis test over schemathesis's strategies: schema-conforming and schema-violating requests.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_intake_api_answers_every_request_as_documented_without_server_errors(
    fuzzed_intake: FuzzedIntake, mode: GenerationMode
) -> None:
    found = operations(fuzzed_intake.url)
    assert {f"{op.method.upper()} {op.path}" for op in found} >= {
        "POST /v1/documents", "GET /v1/documents/{document_id}", "DELETE /v1/documents/{document_id}",
        "GET /v1/quality", "GET /v1/submissions/{source_system}/{source_id}",
    }
    exercised: set[str] = set()
    for operation in found:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def exercise(case: Any) -> None:
            submitting = case.method == "POST" and case.path == "/v1/documents"
            before = fuzzed_intake.stored() if submitting else None
            response = case.call(timeout=30)
            exercised.add(f"{case.method} {case.path}")
            case.validate_response(response, checks=CHECKS)
            if submitting and response.status_code >= 400:
                assert fuzzed_intake.stored() == before, f"a refused submission ({response.status_code}) wrote"

        try:
            exercise()
        except Unsatisfiable:
            # An operation without parameters or body (GET /v1/stuck) has no schema-violating request.
            assert mode is GenerationMode.NEGATIVE and not operation.body and not operation.query
    assert {"POST /v1/documents", "GET /v1/quality"} <= exercised
