"""The one-pass anchor scan gives the answers the regex passes give."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given

from services.review.domain import RuleSet, build_allowlist, build_ruleset, load_rules
from services.review.domain.anchors import Anchors
from services.review.domain.fields import Field, fold_width

from .test_properties import fast, texts

RULES: RuleSet = load_rules()
NATIVE = Anchors(RULES.triggers)
PLAIN = Anchors(RULES.triggers, native=False)

needs_hyperscan = pytest.mark.skipif(not NATIVE.native, reason="hyperscan is not installed")


def _agree(text: str) -> None:
    native, plain = NATIVE.sight(text), PLAIN.sight(text)
    assert native.text == plain.text == fold_width(text)
    assert native.words == plain.words
    for gate in ("digits", "email"):
        assert Field(native.text, native.gates).regions(gate) == Field(plain.text).regions(gate)


@needs_hyperscan
@pytest.mark.parametrize(
    "text",
    [
        "",
        "申请人张三，身份证号码310115199003071234，手机13812345678。",
        "邮箱 zhang(at)example.com 或 li＠example.org，电话０２１－１２３４５６７８",
        "加强商业秘密保护，依法保守国家秘密。（内部资料 注意保存）",
        "专利号ZL202310123456.7，统一社会信用代码91310115MA1K4ABCD0",
        "申请人\ud800张三，手机１３８１２３４５６７８",  # a lone surrogate has no UTF-8 form
    ],
)
def test_native_scan_agrees_with_the_regex_passes(text: str) -> None:
    _agree(text)


@needs_hyperscan
@fast
@given(text=texts)
def test_native_scan_agrees_with_the_regex_passes_on_any_text(text: str) -> None:
    _agree(text)


def test_a_gate_the_scan_found_no_anchor_for_has_no_windows() -> None:
    text = "手机13812345678"
    assert Field(text).regions("digits") == [(0, len(text))]
    assert Field(text, frozenset({"email"})).regions("digits") == []


@needs_hyperscan
def test_threads_scanning_at_once_each_get_their_own_scratch_space() -> None:
    texts = [f"联系人王{i}，手机1381234{i:04d}，邮箱 w{i}@example.com。" for i in range(200)]
    want = [NATIVE.sight(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(NATIVE.sight, texts)) == want


@needs_hyperscan
def test_trigger_words_with_pattern_characters_are_found_as_written() -> None:
    words = ["(at)", "+86", "a.b", "[内部]", "C++", "50%", "\\d", "^$", "a b"]
    rule = {"id": "R1", "kind": "email", "pattern": "x", "base": 0.8, "action": "mask", "requires_any": words}
    triggers = build_ruleset({"version": "t", "rules": [rule]}, build_allowlist({"version": "t"})).triggers
    native, plain = Anchors(triggers), Anchors(triggers, native=False)
    text = "邮箱 w(at)x.cn，电话+86 138，a.b 与 axb，[内部]，C++ 占 50%，\\d 和 ^$，a b"
    assert native.sight(text).words == plain.sight(text).words == set(words)
    assert native.sight("axb C+ 50 d ^ ab").words == plain.sight("axb C+ 50 d ^ ab").words == set()
