"""Generates contracts/ from the code: topic catalogue, JSON Schemas of every payload, AsyncAPI document.

``released/`` holds frozen copies of the schemas as first published; ``breaking_changes`` compares
a new schema with them, so a change that would break a consumer fails CI instead of production.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from services.intake.consumers import UpstreamWithdrawal
from services.intake.domain import UpstreamDocument
from shared import events
from shared.topics import CATALOGUE


class DeadLetter(BaseModel):
    """A dead letter keeps the original value bytes; what went wrong is in its headers."""

    model_config = ConfigDict(title="DeadLetter")
    original_value: str = Field(description="The original message value, unchanged (any bytes)")
    dlq_source_topic: str = Field(description="header: topic the message was read from")
    dlq_source_partition: str = Field(description="header")
    dlq_source_offset: str = Field(description="header")
    dlq_group: str = Field(description="header: consumer group that could not read it")
    dlq_error: str = Field(description="header: why (JSON list of {field, problem} for schema errors)")
    dlq_time: str = Field(description="header: ISO 8601 time it was dead-lettered")


def payload_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {e.__name__: e for e in events.ALL_EVENTS}
    models["UpstreamDocument"] = UpstreamDocument
    models["UpstreamWithdrawal"] = UpstreamWithdrawal
    models["DeadLetter"] = DeadLetter
    return models


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization" if model is not UpstreamDocument else "validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://govpub.example/contracts/schemas/{model.__name__}.json"
    return schema


def _dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def render() -> dict[str, str]:
    """Every generated file, path relative to contracts/ → text."""
    files: dict[str, str] = {}
    schemas = {name: schema_of(model) for name, model in payload_models().items()}
    for name, schema in schemas.items():
        files[f"schemas/{name}.json"] = _dump_json(schema)
    files["topics.yaml"] = _dump_yaml(
        {
            "topics": [
                {
                    "name": t.name,
                    "partitions": t.partitions,
                    "retention_ms": t.retention_ms,
                    "key": t.key,
                    "payload": f"schemas/{t.payload}.json",
                    "producer": t.producer,
                    "description": t.description,
                }
                for t in CATALOGUE
            ]
        }
    )
    files["asyncapi.yaml"] = _dump_yaml(_asyncapi())
    for name, example in examples().items():
        files[f"examples/events/{name}.json"] = _dump_json(example)
    return files


def examples() -> dict[str, dict[str, Any]]:
    """One valid payload per public event, built through the models so they cannot drift."""
    at = datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
    doc_id = "c11d6d32-b5fb-598e-9102-ab1c799d11a8"
    content = events.DocumentContent(
        doc_number="沪知局〔2024〕7号",
        title="上海市知识产权局关于开展2024年园区中小企业专利质押融资入园惠企活动的通知",
        issuing_organ="上海市知识产权局",
        doc_type="通知",
        written_date="2024-03-15",
        disclosure="主动公开",
        body="各区知识产权局，各有关园区：……咨询电话：12345。",
        note="（此件主动公开）",
        addressees=["各区知识产权局", "各有关园区"],
    )
    digest = "sha256:" + "0" * 64
    tag = events.TagRef(
        code="topic.patent.pledge", dimension="topic", name_zh="专利质押融资", name_en="Patent pledge financing",
        confidence=0.92, evidence=[events.TagEvidence(term="质押融资", field="title", start=27, end=31)],
    )
    built: list[events.EventPayload] = [
        events.DocumentReceived(
            document_id=doc_id, version=1, content_hash=digest, source_system="oa-shzscq", source_id="2024-0117",
            received_at=at, document=content,
        ),
        events.DecisionMade(
            document_id=doc_id, version=1, content_hash=digest, decision="approved", rules_version="1",
            document=content, decided_by="auto", decided_at=at,
        ),
        events.DocumentTagged(
            document_id=doc_id, version=1, content_hash=digest, catalogue_version=1, tags=[tag], tagged_at=at,
        ),
        events.DocumentReleased(
            document_id=doc_id, release_id=f"{doc_id}:v1", version=1, url=f"https://portal.example/documents/{doc_id}",
            doc_number=content.doc_number, title=content.title, issuing_organ=content.issuing_organ,
            doc_type=content.doc_type, written_date=content.written_date, released_at=at,
            summary="各区知识产权局，各有关园区：……", body=content.body,
            tags=[events.PublicTag(code=tag.code, dimension=tag.dimension, name_zh=tag.name_zh)],
        ),
        events.DocumentWithdrawn(
            document_id=doc_id, release_id=f"{doc_id}:v1", version=1, reason="政策调整", withdrawn_at=at,
            url=f"https://portal.example/documents/{doc_id}",
        ),
    ]
    return {type(e).__name__: e.model_dump(mode="json") for e in built}


def _asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for t in CATALOGUE:
        key = t.name.replace(".", "_").replace("-", "_")
        messages[t.payload] = {
            "name": t.payload,
            "contentType": "application/json",
            "payload": {"$ref": f"./schemas/{t.payload}.json"},
            "bindings": {"kafka": {"key": {"type": "string", "description": t.key}}},
            "headers": {
                "type": "object",
                "description": "CloudEvents 1.0 binary mode: ce_id, ce_type, ce_source, ce_specversion, ce_time, "
                "ce_subject (document id), ce_correlationid, ce_causationid",
            },
        }
        channels[key] = {
            "address": t.name,
            "description": t.description,
            "messages": {t.payload: {"$ref": f"#/components/messages/{t.payload}"}},
            "bindings": {"kafka": {"partitions": t.partitions, "topicConfiguration": {"retention.ms": t.retention_ms}}},
        }
        operations[f"{t.producer.split()[0]}_sends_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "govpub events",
            "version": "1.0.0",
            "description": "Every topic govpub reads and writes. Generated by `make contracts`; do not edit.",
        },
        "defaultContentType": "application/json",
        "servers": {"embedded": {"host": "127.0.0.1:9092", "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def write_contracts(root: Path, *, check: bool = False) -> list[str]:
    """Write changed files (or, with check, only list them); returns the changed paths."""
    changed = []
    for relative, text in render().items():
        path = root / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            changed.append(relative)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return changed


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """What in ``new`` would break a consumer written against ``old``: removed or retyped fields,
    newly required fields in producer payloads, narrowed enums."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{where}{name}: removed")
            continue
        new_prop = new_props[name]
        if "type" in old_prop and "type" in new_prop and old_prop["type"] != new_prop["type"]:
            problems.append(f"{where}{name}: type {old_prop['type']} -> {new_prop['type']}")
        if "enum" in old_prop and "enum" in new_prop and not set(old_prop["enum"]) <= set(new_prop["enum"]):
            problems.append(f"{where}{name}: enum values removed")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        if name not in old_props:
            problems.append(f"{where}{name}: new required field")
    for def_name, old_def in old.get("$defs", {}).items():
        new_def = new.get("$defs", {}).get(def_name)
        if new_def is None:
            problems.append(f"$defs.{def_name}: removed")
        else:
            problems.extend(breaking_changes(old_def, new_def, f"{def_name}."))
    return problems
