import pytest

from services.tagging.domain import Catalogue, Evidence, TagAssignment, Tagger, TaggingResult

DONE_TITLE = "关于开展2024年园区中小企业专利质押融资入园惠企活动的通知"
DONE_BODY = (
    "各园区管委会、各有关企业：\n"
    "为缓解科技型中小企业融资难题，现组织合作银行走进重点产业园区，开展专利质押融资政策宣讲和融资对接。\n"
    "一、活动对象\n园区内有融资需求的中小企业。\n"
    "二、活动内容\n合作银行现场受理企业专利权质押贷款需求，对符合条件的企业给予贷款贴息。\n"
    "（此件主动公开）"
)


def _assigned(result: TaggingResult, code: str) -> TagAssignment:
    found = [a for a in result.assigned if a.code == code]
    assert found, f"{code} not assigned; got {sorted(result.codes())}"
    return found[0]


def _text(title: str, body: str, evidence: Evidence) -> str:
    source = {"title": title, "body": body}[evidence.field]
    return source[evidence.start : evidence.end]


def test_park_sme_patent_pledge_notice_is_tagged_for_targeted_push(tagger: Tagger) -> None:
    result = tagger.tag(DONE_TITLE, DONE_BODY)

    expected = {
        "topic.patent",
        "topic.patent.pledge",
        "topic.finance",
        "topic.finance.pledge",
        "audience.enterprise",
        "audience.enterprise.sme",
        "audience.park",
        "doc_type.notice",
        "stage.final",
    }
    assert expected <= result.codes()
    for code in expected - {"stage.final"}:
        assignment = _assigned(result, code)
        assert assignment.evidence, code
        assert 0.5 <= assignment.confidence <= 1.0
        direct = [e for e in assignment.evidence if e.inherited_from is None]
        assert any(e.field == "title" for e in direct) or code in {"topic.patent", "topic.finance"}
    assert result.catalogue_version == 1


def test_evidence_spans_point_at_the_matched_text(tagger: Tagger) -> None:
    result = tagger.tag(DONE_TITLE, DONE_BODY)
    for assignment in result.assigned + result.suggestions:
        for evidence in assignment.evidence:
            if evidence.field in ("title", "body") and evidence.inherited_from is None:
                assert _text(DONE_TITLE, DONE_BODY, evidence) == evidence.term


def test_child_implies_parent_with_evidence_marked_inherited(tagger: Tagger) -> None:
    result = tagger.tag("关于开展知识产权保险保费补贴申报工作的通知", "对投保知识产权保险的企业给予保费补贴。")
    insurance = _assigned(result, "topic.finance.insurance")
    finance = _assigned(result, "topic.finance")
    inherited = [e for e in finance.evidence if e.inherited_from == "topic.finance.insurance"]
    assert inherited and {e.term for e in inherited} <= {e.term for e in insurance.evidence}
    assert finance.confidence >= insurance.confidence


def test_issuing_notice_is_a_notice_not_the_measures_it_issues(tagger: Tagger) -> None:
    title = "关于印发《滨江市专利资助办法》的通知"
    result = tagger.tag(title, "现将《滨江市专利资助办法》印发给你们。", doc_type="办法")
    end = len(title)
    assert _assigned(result, "doc_type.notice").evidence[0] == Evidence("通知", "title", end - 2, end)
    assert "doc_type.measures" not in result.codes()
    assert "doc_type.measures" in {s.code for s in result.suggestions}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("滨江市专利资助办法（试行）", "doc_type.measures"),
        ("滨江市专利开放许可试点工作方案（征求意见稿）", "doc_type.scheme"),
        ("一图读懂《滨江市专利资助办法》", "doc_type.interpretation"),
        ("《滨江市专利资助办法》政策解读", "doc_type.interpretation"),
        ("市知识产权局负责人就《滨江市专利资助办法》答记者问", "doc_type.interpretation"),
        ("滨江市知识产权局2023年政府信息公开工作年度报告", "doc_type.annual_report"),
        ("2023年滨江市知识产权保护状况白皮书", "doc_type.report"),
        ("关于同意设立知识产权保护工作站的批复", "doc_type.reply"),
        ("关于商请协助开展地理标志核查工作的函", "doc_type.letter"),
        ("关于严厉打击侵犯注册商标专用权违法行为的通告", "doc_type.circular"),
        ("关于3家专利代理机构列入经营异常名录的公告", "doc_type.announcement"),
        ("滨江市知识产权服务机构名录（2024年版）", "doc_type.list"),
        ("2024年度滨江市知识产权示范企业名单", "doc_type.list"),
        ("关于废止《滨江市专利资助办法》的决定", "doc_type.decision"),
    ],
)
def test_document_type_is_read_from_the_final_wenzhong_of_the_title(tagger: Tagger, title: str, expected: str) -> None:
    assert tagger.tag(title, "").by_dimension("doc_type")[0].code == expected


def test_doc_type_field_decides_when_the_title_names_no_document_type(tagger: Tagger) -> None:
    result = tagger.tag("2024年知识产权质押融资入园惠企活动", "", doc_type="通知")
    notice = _assigned(result, "doc_type.notice")
    assert notice.evidence == (Evidence("通知", "doc_type", 0, 2),)
    assert tagger.tag("2024年知识产权质押融资入园惠企活动", "", doc_type="notice").by_dimension("doc_type")[0].code == (
        "doc_type.notice"
    )


def test_untitled_type_without_field_assigns_no_document_type(tagger: Tagger) -> None:
    assert tagger.tag("2024年知识产权质押融资入园惠企活动", "").by_dimension("doc_type") == ()


@pytest.mark.parametrize(
    ("title", "body", "stage"),
    [
        ("滨江市专利资助办法（征求意见稿）", "", "stage.draft"),
        ("关于公开征求《滨江市专利资助办法（征求意见稿）》意见的公告", "", "stage.draft"),
        ("【已废止】滨江市专利资助办法", "", "stage.repealed"),
        ("滨江市专利资助办法", "（本文件已于2023年12月31日废止）\n第一条 为……", "stage.repealed"),
        ("关于废止《滨江市专利资助办法》的决定", "经研究，决定予以废止。本决定自印发之日起施行。", "stage.final"),
        ("滨江市专利资助办法", "第一条 为……", "stage.final"),
    ],
)
def test_stage_distinguishes_drafts_repealed_and_in_force_documents(
    tagger: Tagger, title: str, body: str, stage: str
) -> None:
    assert [a.code for a in tagger.tag(title, body).by_dimension("stage")] == [stage]


def test_term_inside_a_longer_word_does_not_match_as_a_word(tagger: Tagger) -> None:
    # 商标 inside 商标局 (the trademark office) is not the topic 商标.
    result = tagger.tag(
        "国家知识产权局商标局来函", "国家知识产权局商标局。国家知识产权局商标局。国家知识产权局商标局。"
    )
    assert "topic.trademark" not in result.codes() | {s.code for s in result.suggestions}


def test_same_term_as_a_word_matches(tagger: Tagger) -> None:
    assert "topic.trademark" in tagger.tag("关于规范使用注册商标的通知", "").codes()


def test_exclude_masks_boilerplate_that_contains_a_term(tagger: Tagger) -> None:
    body = "任何单位和个人不得泄露个人信息。个人隐私依法保护。单位或者个人可以举报。"
    result = tagger.tag("关于加强数据安全管理的通知", body)
    assert "audience.individual" not in result.codes() | {s.code for s in result.suggestions}


def test_a_passing_sentence_does_not_make_a_topic(tagger: Tagger) -> None:
    body = "统筹推进专利、商标、地理标志等各类知识产权工作协调发展。推动知识产权金融服务创新，拓宽融资渠道。"
    result = tagger.tag("关于印发2024年政务公开工作要点的通知", body)
    assigned = result.codes()
    assert not assigned & {"topic.patent", "topic.trademark", "topic.gi", "topic.finance"}
    suggested = {s.code for s in result.suggestions}
    assert {"topic.patent", "topic.finance"} <= suggested
    assert all(s.confidence < 0.5 for s in result.suggestions if s.code.startswith("topic."))


def test_addressee_line_names_the_audience(tagger: Tagger) -> None:
    body = "滨知〔2024〕3号\n各区市场监督管理局（知识产权局），市有关部门：\n现将有关事项通知如下。"
    assert "audience.government" in tagger.tag("关于做好知识产权保护工作的通知", body).codes()


def test_confidence_grows_with_evidence(tagger: Tagger) -> None:
    weak = tagger.tag("关于开展活动的通知", "专利导航。")
    strong = tagger.tag("关于组织申报专利导航项目的通知", "专利导航。专利导航服务基地。产业专利导航。")
    weak_conf = next(s.confidence for s in weak.assigned + weak.suggestions if s.code == "topic.patent.navigation")
    assert _assigned(strong, "topic.patent.navigation").confidence > weak_conf


def test_ascii_terms_match_in_any_case(tagger: Tagger) -> None:
    for title in ("关于支持PCT国际申请的通知", "关于支持pct国际申请的通知"):
        assert "topic.patent.application" in tagger.tag(title, "").codes()


def test_tagging_is_deterministic_and_ordered_by_catalogue(tagger: Tagger) -> None:
    first = tagger.tag(DONE_TITLE, DONE_BODY, "通知")
    assert first == tagger.tag(DONE_TITLE, DONE_BODY, "通知")
    order = [t.code for t in tagger.catalogue.tags]
    positions = [order.index(a.code) for a in first.assigned]
    assert positions == sorted(positions)


def test_empty_document_gets_only_the_default_stage(tagger: Tagger) -> None:
    result = tagger.tag("", "")
    assert [a.code for a in result.assigned] == ["stage.final"]
    assert result.suggestions == ()


def test_tagger_uses_a_private_jieba_tokenizer(tagger: Tagger) -> None:
    import jieba

    # The catalogue's compounds are in the tagger's dictionary, never in jieba's global one.
    assert "专利质押融资" in tagger._tokenizer.FREQ
    assert "专利质押融资" not in jieba.dt.FREQ


def test_all_terms_gate_a_tag_without_scoring(tagger: Tagger) -> None:
    # 资助 alone is not a patent subsidy: topic.patent.subsidy requires 专利 somewhere.
    body = "资助标准如下。资助对象为本市企业。资助资金按年度拨付。"
    assert "topic.patent.subsidy" not in tagger.tag("关于人才资助的通知", body).codes()
    assert "topic.patent.subsidy" in tagger.tag("关于专利资助的通知", body).codes()


def test_statement_of_whom_a_document_is_for_counts_double(tagger: Tagger) -> None:
    plain = tagger.tag("关于开展活动的通知", "市民反映的问题要及时处理。")
    stated = tagger.tag("关于开展活动的通知", "市民可通过12345热线咨询。")
    assert "audience.individual" not in plain.codes()
    assert "audience.individual" in stated.codes()


def test_body_beyond_the_limit_is_not_read(catalogue: Catalogue) -> None:
    tagger = Tagger(catalogue, body_limit=10)
    assert "topic.ic_layout" not in tagger.tag("关于开展活动的通知", "一" * 20 + "布图设计。布图设计。").codes()
