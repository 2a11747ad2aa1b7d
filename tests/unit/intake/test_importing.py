"""What `govpub import` reads from JSON, JSON Lines and CSV files, and how it names what it cannot."""

from __future__ import annotations

import json
from pathlib import Path

from govpub.importing import files_in, read_items

HEADER = "source_system,source_id,doc_number,title,issuing_organ,written_date,audience,requires_interpretation,body"
ROW = (
    'oa,A-1,沪知局〔2025〕3号,关于开展专利转化项目申报的通知,上海市知识产权局,2025年4月1日,张江科学城、专利代理机构,是,'
    '"各有关单位：\n现就申报工作通知如下，请按时申报。"'
)


def items_of(path: Path) -> list[tuple[str, dict | None, str | None]]:
    return [(i.where, i.document, i.error) for f in files_in(path) for i in read_items(f, path)]


def test_a_gb18030_csv_table_becomes_one_document_per_row(tmp_path: Path) -> None:
    table = tmp_path / "notices.csv"
    table.write_bytes(f"{HEADER}\n{ROW}\n,,,,,,,,\n{ROW.replace('A-1', 'A-2').replace(',是,', ',,')}\n".encode("gb18030"))
    [(where1, first, error1), (where2, second, error2)] = items_of(table)
    assert (where1, error1, where2, error2) == ("notices.csv row 2", None, "notices.csv row 4", None)
    assert first is not None and second is not None
    assert first["title"] == "关于开展专利转化项目申报的通知"
    assert first["body"] == "各有关单位：\n现就申报工作通知如下，请按时申报。"  # a quoted cell keeps its line breaks
    assert first["audience"] == ["张江科学城", "专利代理机构"]
    assert first["requires_interpretation"] == "是"  # intake refuses it by name: it takes true or false
    assert "requires_interpretation" not in second  # empty cells are left out
    assert second["source_id"] == "A-2"


def test_a_utf8_table_with_a_bom_and_a_json_array_cell(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    row = ROW.replace("张江科学城、专利代理机构", '"[""园区"", ""企业""]"').replace(",是,", ",true,")
    table.write_bytes(f"\ufeff{HEADER}\n{row}\n".encode())
    [(_, document, error)] = items_of(table)
    assert error is None and document is not None
    assert document["audience"] == ["园区", "企业"] and document["requires_interpretation"] is True


def test_a_table_whose_header_is_wrong_sends_nothing_and_says_what_to_fix(tmp_path: Path) -> None:
    cases = {
        "typo.csv": (HEADER.replace("issuing_organ", "issuing_organs"), "unknown column 'issuing_organs'; did you mean 'issuing_organ'?"),
        "missing.csv": (HEADER.replace(",body", ""), "no column for body, which every document needs; add it"),
        "twice.csv": (HEADER + ",title", "column 'title' appears 2 times; keep one"),
    }
    for name, (header, _) in cases.items():
        (tmp_path / name).write_text(f"{header}\n{ROW}\n", encoding="utf-8")
    found = {where: (document, error) for where, document, error in items_of(tmp_path)}
    assert found == {name: (None, message) for name, (_, message) in cases.items()}


def test_a_row_with_more_cells_than_columns_is_refused_by_row(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(f"{HEADER}\n{ROW},多余\n{ROW}\n", encoding="utf-8")
    [(where, _, error), (_, document, ok)] = items_of(tmp_path / "t.csv")
    assert where == "t.csv row 2" and error == "10 cells under 9 columns; quote cells that hold a comma"
    assert ok is None and document is not None


def test_json_lines_name_the_line_of_a_bad_one(tmp_path: Path) -> None:
    good = {"source_system": "oa", "source_id": "L-1", "title": "通知"}
    (tmp_path / "export.jsonl").write_text(f"{json.dumps(good, ensure_ascii=False)}\n\n{{not json\n", encoding="utf-8")
    [(where1, document, _), (where2, _, error)] = items_of(tmp_path)
    assert (where1, document) == ("export.jsonl line 1", good)
    assert where2 == "export.jsonl line 3" and error is not None and error.startswith("cannot read JSON")


def test_a_folder_is_read_in_order_and_other_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.json").write_text('{"source_id": "2"}', encoding="utf-8")
    (tmp_path / "a.JSON").write_text('{"source_id": "1"}', encoding="utf-8")
    (tmp_path / "readme.txt").write_text("not a document", encoding="utf-8")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{")
    assert [(w, d) for w, d, _ in items_of(tmp_path)] == [
        ("a.JSON", {"source_id": "1"}),
        ("b/2.json", {"source_id": "2"}),
        ("bad.json", None),
    ]
