"""`govpub import DIR` against the real stack: progress, a summary of outcomes, refusals with reasons."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govpub.cli import app
from govpub.stack import Stack
from tests.conftest import Api, wait_until

pytestmark = pytest.mark.stack


def document(source_system: str, marker: str, n: int) -> dict[str, Any]:
    return {
        "source_system": source_system,
        "source_id": f"IMP-{marker}-{n}",
        "doc_number": f"沪知局[2025]{random.randint(1000, 999_999)}号",
        "title": f"关于做好第{n}批专利转化项目申报工作的通知（{marker}）",
        "issuing_organ": "上海市知识产权局",
        "written_date": "2025年4月1日",
        "body": f"各有关单位：\n现就第{n}批专利转化项目申报工作通知如下。批次{marker}-{n}。\n上海市知识产权局",
        "note": "（此件主动公开）",
    }


def write(folder: Path, name: str, content: dict[str, Any] | str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), "utf-8")


def run_import(stack: Stack, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("GOVPUB_INTAKE_URL", stack.config.url("intake"))
    return CliRunner().invoke(app, ["import", str(folder), "--workers", "4"])


def test_import_folder_reports_received_duplicates_and_refusals_with_reasons(
    stack: Stack, api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = uuid.uuid4().hex[:8]
    good = [document("oa-import", marker, n) for n in range(5)]
    for n, doc in enumerate(good):
        write(tmp_path, f"batch/{n:02}.json", doc)
    copy = {**good[0], "source_system": "portal-import", "source_id": f"PORTAL-{marker}"}
    write(tmp_path, "portal/copy.json", copy)
    missing = {k: v for k, v in document("oa-import", marker, 90).items() if k != "issuing_organ"}
    write(tmp_path, "bad/missing-organ.json", missing)
    write(tmp_path, "bad/not-json.json", "{ this is not json")
    write(tmp_path, "notes.txt", "not a document; ignored")

    result = run_import(stack, tmp_path, monkeypatch)

    assert result.exit_code == 2, result.output  # refusals make the exit code 2
    summary = result.stdout
    assert "imported 8 document(s) from 8 file(s)" in summary
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in summary.splitlines()
            if line.count("│") == 3}
    assert rows["received"] == "5" and rows["refused"] == "2"
    # Both copies of good[0] run in parallel: one is the original and the other is linked to it.
    assert rows["duplicate"] == "1"
    assert "missing-organ.json: issuing_organ: issuing_organ is missing" in result.stderr
    assert "not-json.json: cannot read JSON" in result.stderr

    received = api.client.get(f"{api.url('intake')}/v1/submissions/oa-import/{good[3]['source_id']}").json()
    assert received["status"] == "accepted" and received["version"] == 1
    wait_until(lambda: api.library_entry(received["document_id"]).status_code == 200, what="an imported document released")

    again = run_import(stack, tmp_path, monkeypatch)
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in again.stdout.splitlines()
            if line.count("│") == 3}
    assert rows["unchanged"] == "6" and rows["received"] == "0" and rows["refused"] == "2"


def test_import_a_spreadsheet_saved_as_csv_in_gb18030_names_the_rows_refused(
    stack: Stack, api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = uuid.uuid4().hex[:8]
    columns = ["source_system", "source_id", "doc_number", "title", "issuing_organ", "written_date", "body", "note",
               "audience", "requires_interpretation"]
    lines = [",".join(columns)]
    for n in range(3):
        doc = document("oa-csv", marker, n)
        cells = [doc.get(c, "") for c in columns[:-2]] + ["张江科学城、临港新片区" if n == 1 else "", ""]
        if n == 2:
            cells[columns.index("issuing_organ")] = ""
            cells[columns.index("requires_interpretation")] = "是"
        lines.append(",".join(f'"{cell}"' for cell in cells))
    (tmp_path / "archive.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))

    result = run_import(stack, tmp_path / "archive.csv", monkeypatch)

    assert result.exit_code == 2, result.output
    assert "imported 3 document(s) from 1 file(s)" in result.stdout
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in result.stdout.splitlines()
            if line.count("│") == 3}
    assert rows["received"] == "2" and rows["refused"] == "1"
    refusal = " ".join(result.stderr.split())  # the console wraps long lines
    assert "archive.csv row 4: issuing_organ: issuing_organ is missing" in refusal
    assert "requires_interpretation" in refusal
    targeted = api.client.get(f"{api.url('intake')}/v1/submissions/oa-csv/IMP-{marker}-1").json()
    assert targeted["status"] == "accepted"
    stored = api.client.get(f"{api.url('intake')}/v1/documents/{targeted['document_id']}").json()
    assert stored["current"]["audience"] == ["张江科学城", "临港新片区"]
    assert stored["current"]["body"].startswith("各有关单位：\n")
