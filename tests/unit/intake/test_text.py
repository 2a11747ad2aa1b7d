from collections.abc import Callable

import pytest

from services.intake.domain.mojibake import find_mojibake
from services.intake.domain.text import (
    pinyin_syllables,
    remove_romanization,
    strip_html,
    to_halfwidth,
    to_simplified,
)

GENUINE = (
    "各区知识产权局、市知识产权局各处室：\n"
    "　　现将《上海市知识产权保护办法（试行）》印发给你们，请认真贯彻执行。"
    "本办法自2023年6月1日起施行，有效期至2025年5月31日。咨询电话：12345。\n"
    "上海市知识产权局\n2023年5月16日\n（此件主动公开）"
)


def test_converts_fullwidth_ascii_and_ideographic_space() -> None:
    assert to_halfwidth("ＡＢＣ１２３（）\u3000，") == "ABC123() ,"


def test_strips_leftover_tags_keeping_paragraphs_as_newlines() -> None:
    assert strip_html("<p>第一段</p><p>第二段<br>续行</p>") == "第一段\n第二段\n续行"


def test_unescapes_entities_and_drops_scripts_and_comments() -> None:
    text = "A &amp; B<!-- 草稿 --><script>alert('x')</script>&lt;完&gt;<span style='x'>尾</span>"
    assert strip_html(text) == "A & B<完>尾"


def test_leaves_plain_text_with_angle_brackets_alone() -> None:
    text = "当 a < b 且 c > d 时，<张三>为联系人"
    assert strip_html(text) == text


def test_word_office_tags_are_stripped() -> None:
    assert strip_html("正文<o:p></o:p>结束") == "正文结束"


def test_single_line_html_becomes_one_line() -> None:
    assert strip_html("关于印发<br>办法的通知", single_line=True) == "关于印发 办法的通知"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("知识产权（zhī shí chǎn quán）保护", "知识产权保护"),
        ("申请专利(zhuanli)", "申请专利"),
        ("北京 (Běijīng) 市", "北京 市"),
        ("西安(Xi'an)", "西安"),
    ],
)
def test_removes_pinyin_glosses_after_chinese(text: str, expected: str) -> None:
    assert remove_romanization(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "管理办法（试行）",
        "沪知局(2023)12号",
        "世界知识产权组织（WIPO）",
        "专利合作条约(PCT)",
        "条款(a)",
        "专利(patent)",
        "利(zhuanli)",
        "see (zhuanli)",
    ],
)
def test_keeps_brackets_that_are_not_pinyin_glosses(text: str) -> None:
    assert remove_romanization(text) == (text, [])


def test_records_the_glossed_characters_with_their_gloss() -> None:
    _, edits = remove_romanization("申请专利(zhuanli)")
    assert [(e.before, e.after) for e in edits] == [("专利(zhuanli)", "专利")]


def test_counts_pinyin_syllables_with_tone_marks() -> None:
    assert pinyin_syllables("zhī shí chǎn quán") == 4
    assert pinyin_syllables("nǚ") == 1
    assert pinyin_syllables("WIPO") is None


def test_converts_traditional_to_simplified() -> None:
    assert to_simplified("關於印發知識產權保護辦法") == "关于印发知识产权保护办法"
    assert to_simplified("关于印发") == "关于印发"


@pytest.mark.parametrize(
    "source",
    ["关于印发《上海市知识产权保护办法》的通知，请认真贯彻执行", GENUINE],
)
@pytest.mark.parametrize(
    "garble",
    [
        lambda s: s.encode("utf-8").decode("gbk", errors="replace"),
        lambda s: s.encode("utf-8").decode("gbk", errors="ignore"),
        lambda s: s.encode("utf-8").decode("cp1252", errors="ignore"),
        lambda s: s.encode("utf-8").decode("latin-1"),
        lambda s: s.encode("gbk").decode("latin-1"),
        lambda s: s.encode("gbk").decode("utf-8", errors="replace"),
    ],
    ids=[
        "utf8-as-gbk",
        "utf8-as-gbk-lossy",
        "utf8-as-cp1252",
        "utf8-as-latin1",
        "gbk-as-latin1",
        "gbk-as-utf8",
    ],
)
def test_detects_mojibake_from_common_encoding_mixups(source: str, garble: Callable[[str], str]) -> None:
    assert find_mojibake(garble(source)) is not None


@pytest.mark.parametrize("text", ["锟斤拷锟斤拷", "正文\ufffd乱码"])
def test_detects_mojibake_signatures(text: str) -> None:
    assert find_mojibake(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        GENUINE,
        "Café Müller, São Paulo, naïve façade",
        "温度 20°C ±5，价格 ¥100、€5",
        "ÉCOLE",
        "关於印發知識產權保護辦法",
    ],
)
def test_genuine_text_is_not_mojibake(text: str) -> None:
    assert find_mojibake(text) is None


def test_hostile_nesting_is_stripped_without_the_parser() -> None:
    assert strip_html("<div>" * 5000 + "正文" + "</div>" * 5000) == "正文"


def test_text_with_lone_surrogates_is_still_stripped() -> None:
    assert strip_html("正文\ud800<br>结尾") == "正文\ud800\n结尾"
