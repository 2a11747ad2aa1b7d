"""What the scan reports (and what it must leave alone), with the shipped rules."""

from __future__ import annotations

import pytest

from services.review.domain import Finding, ReviewInput, RuleSet, review, scan

from .conftest import id_also_valid_uscc, luhn_complete, make_id, make_uscc, mistyped_id_valid_as_uscc


def body_findings(body: str, rules: RuleSet) -> list[Finding]:
    return [f for f in scan(ReviewInput(title="通知", body=body, disclosure="主动公开"), rules) if f.field == "body"]


def kinds(body: str, rules: RuleSet) -> set[str]:
    return {f.kind for f in body_findings(body, rules)}


def redacted(body: str, rules: RuleSet) -> str:
    return review(ReviewInput(title="通知", body=body, disclosure="主动公开"), rules).redacted_body


# --- identity numbers and public identifiers ---------------------------------------


def test_masks_valid_id_number_but_not_credit_code(rules: RuleSet) -> None:
    number, code = make_id(), make_uscc()
    body = f"申请人身份证号码{number}，所在企业统一社会信用代码{code}。"
    found = body_findings(body, rules)
    assert [(f.kind, f.text) for f in found if f.kind == "id_number"] == [("id_number", number)]
    out = redacted(body, rules)
    assert number not in out and "310***********" + number[-4:] in out
    assert code in out


def test_credit_code_that_is_also_a_valid_id_is_masked_unless_introduced_as_a_credit_code(rules: RuleSet) -> None:
    both = id_also_valid_uscc()
    assert "id_number" in kinds(f"编码为{both}。", rules)  # ambiguous: privacy first
    assert kinds(f"统一社会信用代码：{both}。", rules) == set()


def test_id_number_with_wrong_check_digit_counts_only_when_introduced_as_an_id(rules: RuleSet) -> None:
    number = make_id()
    typo = number[:17] + ("0" if number[17] != "0" else "1")
    assert kinds(f"档案{typo}。", rules) == set()
    found = body_findings(f"身份证号：{typo}。", rules)
    assert [(f.rule_id, f.action) for f in found] == [("PII-ID-18-TYPO", "mask")]


def test_id_number_written_in_groups_is_masked(rules: RuleSet) -> None:
    number = make_id()
    grouped = f"{number[:6]} {number[6:14]} {number[14:]}"
    assert redacted(f"身份证号：{grouped}。", rules) == f"身份证号：310*** ******** {number[-4:]}。"


def test_mistyped_id_that_passes_the_credit_code_check_is_still_an_id_when_introduced_as_one(rules: RuleSet) -> None:
    typo = mistyped_id_valid_as_uscc()
    assert kinds(f"身份证号：{typo}。", rules) == {"id_number"}
    assert kinds(f"代码{typo}。", rules) == set()


def test_legacy_15_digit_id_only_with_context(rules: RuleSet) -> None:
    assert kinds("数据310115900307123。", rules) == set()
    found = body_findings("原身份证号码310115900307123已作废。", rules)
    assert [(f.kind, f.text, f.action) for f in found] == [("id_number", "310115900307123", "mask")]


def test_valid_id_introduced_as_a_file_number_goes_to_a_human(rules: RuleSet) -> None:
    found = body_findings(f"档案编号{make_id()}。", rules)
    assert [(f.kind, f.action) for f in found] == [("id_number", "human")]


@pytest.mark.parametrize(
    "public",
    [
        "专利号ZL202310123456.7",
        "专利号 ZL 202310123456.7",
        "申请号：202310123456.7",
        "公开号CN112345678A",
        "第12345678号商标",
        "商标注册号：12345678",
        "注册号第87654321",
    ],
)
def test_patent_and_trademark_numbers_are_not_personal_data(rules: RuleSet, public: str) -> None:
    assert kinds(f"该企业拥有{public}，保护范围明确。", rules) == set()


# --- phones ------------------------------------------------------------------------


def test_mobile_number_masked_keeping_prefix_and_last_four(rules: RuleSet) -> None:
    assert redacted("联系电话：13812345678。", rules) == "联系电话：138****5678。"
    assert redacted("手机+86 138 1234 5678", rules) == "手机+86 138 **** 5678"


def test_digit_run_inside_longer_number_is_not_a_mobile(rules: RuleSet) -> None:
    assert kinds("交易记录202313812345678001。", rules) == set()
    assert kinds("交易记录A13812345678。", rules) == set()
    assert kinds(f"校验数据9{make_id()}01。", rules) == set()  # nor an ID number


def test_hotline_12345_is_not_personal_data(rules: RuleSet) -> None:
    body = "如有疑问，请拨打12345市民服务热线或12315、12330热线。"
    assert kinds(body, rules) == set()
    assert redacted(body, rules) == body


@pytest.mark.parametrize("cue", ["咨询电话", "监督电话", "传真", "服务热线", "投诉举报电话"])
def test_office_contact_numbers_are_not_personal_data(rules: RuleSet, cue: str) -> None:
    assert kinds(f"市知识产权局{cue}：021-62345678。", rules) == set()
    assert kinds(f"{cue}：13812345678。", rules) == set()


def test_private_phone_nearer_to_a_private_cue_than_to_a_hotline_word_is_masked(rules: RuleSet) -> None:
    body = "12345热线转来的投诉，投诉人电话13812345678。"
    assert [f.kind for f in body_findings(body, rules)] == ["mobile"]


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("021-62345678", "021-****5678"),
        ("(0755)82345678", "(0755)****5678"),
        ("010 62345678", "010 ****5678"),
        ("（0571）8234567", "（0571）***4567"),
        ("021-62345678转801", "021-****5678转801"),
    ],
)
def test_landline_with_area_code_is_masked(rules: RuleSet, phone: str, masked: str) -> None:
    assert redacted(f"家庭电话：{phone}。", rules) == f"家庭电话：{masked}。"


def test_local_number_only_right_after_phone_word(rules: RuleSet) -> None:
    assert kinds("电话：62345678", rules) == {"landline"}
    assert kinds("共投入62345678元", rules) == set()


def test_serial_numbers_shaped_like_mobiles_are_not_flagged(rules: RuleSet) -> None:
    assert kinds("批次号：13812345678。", rules) == set()


# --- e-mail, bank cards, passports --------------------------------------------------


def test_email_masked_keeping_first_character_and_domain(rules: RuleSet) -> None:
    assert redacted("邮箱zhao@example.com。", rules) == "邮箱z***@example.com。"


@pytest.mark.parametrize(
    ("written", "masked"), [("li(at)example.com", "l*(at)example.com"), ("wang#example.org", "w***#example.org")]
)
def test_email_written_to_fool_harvesters_is_masked(rules: RuleSet, written: str, masked: str) -> None:
    assert redacted(f"邮箱{written}。", rules) == f"邮箱{masked}。"


def test_government_mailbox_of_an_office_is_not_flagged(rules: RuleSet) -> None:
    assert kinds("咨询邮箱：zscq@sh.gov.cn。", rules) == set()
    assert kinds("来信请寄 office@ipa.gov.cn", rules) == set()
    assert kinds("来信请寄 office(at)ipa.gov.cn", rules) == set()


def test_bank_card_needs_a_card_word_or_the_unionpay_bin(rules: RuleSet) -> None:
    other = luhn_complete("436742123456789")  # 16 digits, Luhn-valid, not 62
    unionpay = luhn_complete("622202123456789")
    assert kinds(f"数据{other}。", rules) == set()
    assert redacted(f"银行卡号{other}。", rules) == f"银行卡号{other[:4]}********{other[-4:]}。"
    assert kinds(f"数据{unionpay}。", rules) == {"bank_card"}
    broken = unionpay[:-1] + str((int(unionpay[-1]) + 1) % 10)
    assert kinds(f"银行卡号{broken}。", rules) == set()


def test_passport_number_only_in_context(rules: RuleSet) -> None:
    assert redacted("护照号码：E12345678。", rules) == "护照号码：E******78。"
    assert kinds("型号E12345678。", rules) == set()


def test_id_number_in_gansu_that_passes_luhn_is_reported_once_as_an_id(rules: RuleSet) -> None:
    number = next(
        n for s in range(1000) if (n := make_id("620102", "19800101", f"{s:03d}")) and luhn_complete(n[:-1]) == n
    )
    found = body_findings(f"（{number}）", rules)
    assert [(f.kind, f.rule_id) for f in found] == [("id_number", "PII-ID-18")]


# --- addresses and names ------------------------------------------------------------


def test_home_address_masked_to_end_of_clause(rules: RuleSet) -> None:
    out = redacted("家庭住址：上海市浦东新区张江路123弄4号501室，联系电话略。", rules)
    assert out == "家庭住址：上海市浦东新区" + "*" * len("张江路123弄4号501室") + "，联系电话略。"


def test_address_stops_before_a_phone_label(rules: RuleSet) -> None:
    found = body_findings("现住北京市海淀区中关村大街1号电话13812345678", rules)
    assert [(f.kind, f.text) for f in found] == [("address", "北京市海淀区中关村大街1号"), ("mobile", "13812345678")]


def test_office_address_and_housing_policy_are_not_home_addresses(rules: RuleSet) -> None:
    assert kinds("办公地址：上海市世博村路300号。", rules) == set()
    assert kinds("完善现住房保障体系。", rules) == set()
    assert kinds("群众办理住址变更登记手续可在线上完成。", rules) == set()


def test_address_after_jiazhu_is_masked(rules: RuleSet) -> None:
    assert kinds("该同志家住杭州市西湖区文三路12号，", rules) == {"address"}


@pytest.mark.parametrize(
    ("body", "masked"),
    [
        ("申请人张三提出申请。", "申请人张*提出申请。"),
        ("联系人：李小明，", "联系人：李**，"),
        ("举报人欧阳修称", "举报人欧阳*称"),
        ("投诉人王芳于2023年", "投诉人王*于2023年"),
        ("当事人赵敏的行为", "当事人赵*的行为"),
    ],
)
def test_private_person_name_after_role_is_masked(rules: RuleSet, body: str, masked: str) -> None:
    assert redacted(body, rules) == masked


@pytest.mark.parametrize(
    "body",
    [
        "投诉人李某反映的问题已办结。",
        "联系人：王老师，",
        "申请人应当提交材料。",
        "申请人姓名、身份证号",
        "当事人江苏某科技有限公司",
        "申请人华为技术有限公司",
        "申请人对答复不服的",
    ],
)
def test_role_word_without_a_private_name_is_not_flagged(rules: RuleSet, body: str) -> None:
    assert "person_name" not in kinds(body, rules)


# --- marks ------------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["机密★1年", "绝密★长期", "秘密★6个月", "机密 ★ 十年", "秘密★"])
def test_machine_mark_with_period_anywhere_rejects(rules: RuleSet, mark: str) -> None:
    found = body_findings(f"份号000123　{mark}　特急\n正文……", rules)
    assert [(f.kind, f.action) for f in found] == [("classification", "block")]


@pytest.mark.parametrize("body", ["绝密\n关于某事项的通知", "正文\n机密\n下文", "【秘密】\n内容", "密级：机密"])
def test_mark_standing_alone_rejects(rules: RuleSet, body: str) -> None:
    assert kinds(body, rules) == {"classification"}


@pytest.mark.parametrize(
    "body",
    ["各单位要依法保守国家秘密。", "严守工作秘密，泄露秘密将被追责", "秘密会议的组织", "机密文件管理办法的修订"],
)
def test_secret_words_in_prose_are_not_classification_marks(rules: RuleSet, body: str) -> None:
    assert "classification" not in kinds(body, rules)


@pytest.mark.parametrize(
    "body", ["内部资料　注意保存\n正文", "（内部资料）正文", "本材料仅供参阅，不得外传。", "【内部文件】"]
)
def test_internal_marking_blocks(rules: RuleSet, body: str) -> None:
    found = body_findings(body, rules)
    assert found and {(f.kind, f.action) for f in found} == {("internal_marking", "block")}


def test_internal_wording_in_prose_about_records_management_is_not_flagged(rules: RuleSet) -> None:
    assert kinds("加强内部资料管理，规范公文处理流程。", rules) == set()
    assert kinds("请注意保存好原始凭证。", rules) == set()


def test_trade_secret_marker_found_but_protection_policy_prose_is_not(rules: RuleSet) -> None:
    assert [(f.kind, f.action) for f in body_findings("附件所列参数涉及企业商业秘密。", rules)] == [
        ("trade_secret", "human")
    ]
    assert kinds("双方已签署保密协议，相关数据不得披露。", rules) == {"trade_secret"}
    assert kinds("加强商业秘密保护，开展商业秘密保护示范工作。", rules) == set()


# --- text shape ---------------------------------------------------------------------


def test_full_width_digits_are_found_and_offsets_point_into_the_original(rules: RuleSet) -> None:
    body = "手机：１３８１２３４５６７８。"
    found = body_findings(body, rules)
    assert [(f.kind, f.text, body[f.start : f.end]) for f in found] == [
        ("mobile", "１３８１２３４５６７８", "１３８１２３４５６７８")
    ]
    assert redacted(body, rules) == "手机：１３８****５６７８。"


def test_findings_in_title_and_note_are_reported_with_their_field(rules: RuleSet) -> None:
    doc = ReviewInput(
        title="关于申请人张三的批复", body="正文", note="联系人：李四，电话13812345678", disclosure="主动公开"
    )
    assert {(f.field, f.kind) for f in scan(doc, rules)} == {
        ("title", "person_name"),
        ("note", "person_name"),
        ("note", "mobile"),
    }
