"""Generate bench/data/tagging_eval.jsonl: labelled documents for the tagging benchmark.

Labels come from what each template *means*, fixed before any matcher runs: every theme
declares the topics it is about (THEME_TOPICS), every scenario its audience and document type,
every variant its stage. The matcher is never imported. Passing mentions of other topics and
audiences (DISTRACTORS, boilerplate, law citations, company names) are mixed in on purpose and
left out of the labels.

Splits: `dev` (POLICIES/STANDALONES, the templates the catalogue rules were tuned on),
`holdout` (HOLDOUTS, written after a first round of tuning, then used once for diagnosis) and
`holdout2` (HOLDOUTS_2, written after that). holdout2's first-look micro-F1 — topic 0.857,
audience 0.735, doc_type 1.000 — is the honest estimate for unseen wording; a last round of
general fixes (cue terms, 企业 weight, vocabulary) was made after that look.

    .venv/bin/python bench/make_tagging_eval.py [--seed 20240501] [--count 320] [--holdout 90] [--holdout-2 84]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "data" / "tagging_eval.jsonl"
CATALOGUE = ROOT / "services" / "tagging" / "catalogue.yaml"  # read only for the parent tree

CITIES = [("滨江市", "滨"), ("临川市", "临"), ("青州市", "青"), ("云港市", "云"), ("南屏市", "南")]
DISTRICTS = ["江北区", "南湖区", "城东区", "青山区", "西溪区", "长乐区"]
PARKS = [
    "滨江高新技术产业开发区",
    "临港经济技术开发区",
    "生物医药产业园",
    "未来科技城产业园",
    "软件产业园",
    "智能制造产业园区",
    "新材料产业园",
    "光谷科技园",
]
FIRM_HEADS = ["华芯", "蓝海", "恒瑞达", "智远", "中科睿", "天工", "博雅", "星辰", "金桥", "启明", "远航", "安泰"]
FIRM_TRADES = ["集成电路", "生物医药", "新材料", "智能装备", "软件", "新能源", "精密仪器", "食品", "纺织", "环保"]
FIRM_TAILS = ["有限公司", "股份有限公司", "科技有限公司", "技术有限公司"]
PEOPLE = ["张老师", "李先生", "王女士", "陈科长", "刘老师", "赵女士"]

# --------------------------------------------------------------------------- themes
# What each theme is about, as topic codes (leaf level; parents are added from the tree).
THEME_TOPICS: dict[str, tuple[str, ...]] = {
    "patent_subsidy": ("topic.patent.subsidy",),
    "patent_award": ("topic.patent.subsidy",),
    "patent_prereview": ("topic.patent.application", "topic.protection.rapid"),
    "pct_layout": ("topic.patent.application",),
    "patent_navigation": ("topic.patent.navigation",),
    "open_license": ("topic.patent.open_license", "topic.utilization.transfer"),
    "patent_pledge": ("topic.patent.pledge", "topic.finance.pledge"),
    "ip_insurance": ("topic.finance.insurance",),
    "securitization": ("topic.finance.securitization",),
    "abnormal_patent": ("topic.patent.abnormal",),
    "trademark_registration": ("topic.trademark.registration",),
    "trademark_brand": ("topic.trademark.brand",),
    "trademark_enforcement": ("topic.trademark", "topic.protection.enforcement"),
    "gi_product": ("topic.gi.product",),
    "gi_mark": ("topic.gi.special_mark",),
    "ic_layout": ("topic.ic_layout",),
    "enforcement": ("topic.protection.enforcement",),
    "dispute_mediation": ("topic.protection.dispute",),
    "protection_center": ("topic.protection.rapid",),
    "foreign_protection": ("topic.protection",),
    "patent_transfer": ("topic.utilization.transfer", "topic.patent"),
    "ip_operation": ("topic.utilization.operation",),
    "valuation": ("topic.utilization.valuation",),
    "overseas_dispute": ("topic.overseas",),
    "training": ("topic.talent.training",),
    "professional_title": ("topic.talent.title",),
    "tisc_network": ("topic.public_service.network",),
    "info_service": ("topic.public_service.info",),
    "service_window": ("topic.public_service.window",),
    "publicity_week": ("topic.public_service",),
    "agency_directory": ("topic.public_service",),
    "business_env": ("topic.business_env",),
    "agency_general": ("topic.agency",),
    "agency_credit": ("topic.agency.credit",),
    "agency_special_action": ("topic.agency.special_action",),
    "disclosure_work": ("topic.disclosure",),
    "disclosure_on_request": ("topic.disclosure.on_request",),
    "demonstration": ("topic.demonstration",),
    "high_value_patent": ("topic.patent",),
}

THEMES: dict[str, list[str]] = {
    "patent_subsidy": [
        "对获得国内发明专利授权的，每件资助{a}元；对获得实用新型专利授权的，每件资助{c}元。同一专利只能享受一次资助，已获得其他财政资金支持的不重复资助。",
        "对通过《专利合作条约》（PCT）途径提交国际专利申请并进入国家阶段的，每件资助{b}万元，每个申请人每年资助总额不超过{d}万元。",
        "专利资助资金实行年度预算管理，按照“先申请、后审核、再拨付”的程序办理。申请人应当在专利授权公告之日起{n}个月内提出资助申请。",
        "申请专利资助应当提交以下材料：资助申请表、专利证书复印件、缴费凭证以及申请人主体资格证明材料。",
        "以欺骗等不正当手段骗取专利资助资金的，由市知识产权局追回已拨付资金，并在{n}年内不予受理其专利资助申请。",
        "资助标准根据专利类型、授权地域和年度预算动态调整，调整情况在市知识产权局门户网站向社会公布。",
        "鼓励申请人提升专利申请质量，对同日申请的发明专利和实用新型专利，以及被认定为非正常申请的，不予资助。",
    ],
    "patent_award": [
        "{city}专利奖每两年评选一次，设专利金奖、专利银奖和专利优秀奖，奖励在技术创新和产业化方面成效显著的专利项目。",
        "对获得专利金奖的项目给予{b}万元奖励，对获得专利银奖的项目给予{d}万元奖励，奖励资金由专利权人统筹用于研发投入。",
        "参评项目应为{city}范围内已授权且处于有效状态的发明、实用新型或外观设计专利，专利权属清晰，无权属纠纷。",
        "评审工作坚持公开、公平、公正原则，采取形式审查、专家初评、实地考察和评审委员会终评相结合的方式进行。",
        "推荐单位应当对参评专利的实施情况、经济效益和社会效益进行认真核实，并对推荐材料的真实性负责。",
    ],
    "patent_prereview": [
        "专利预审服务面向已在保护中心备案的创新主体，经预审合格的发明专利申请可进入快速审查通道，授权周期大幅缩短。",
        "备案主体应当在{city}注册，所属领域与保护中心预审服务产业领域相符，且具有较强的研发能力和较好的专利申请质量。",
        "预审服务实行动态管理，对提交的专利申请存在非正常申请行为或预审合格率较低的备案主体，取消其备案资格。",
        "快速预审服务覆盖发明、实用新型和外观设计三种专利类型，申请人可通过保护中心业务系统在线提交预审请求。",
        "保护中心将为备案主体提供专利申请前评估、专利布局指导和优先审查推荐等服务。",
    ],
    "pct_layout": [
        "支持创新主体通过PCT途径开展海外专利布局，围绕重点出口市场提前做好专利申请，提升产品国际竞争力。",
        "对当年通过PCT途径提交国际专利申请的单位，按照实际进入国家阶段的数量给予支持。",
        "引导企业在目标市场国家和地区同步提交专利申请，构建覆盖核心技术、外围技术的专利组合。",
        "组织专利申请实务专家开展PCT申请程序、费用减缓和优先权要求等专题辅导。",
    ],
    "patent_navigation": [
        "专利导航是在宏观决策、产业规划、企业经营和创新活动中，以专利数据为核心深度融合各类数据资源，为决策提供支撑的工作机制。",
        "围绕{city}重点产业链开展产业规划类专利导航，分析产业发展方向、技术创新热点和专利布局态势，形成专利导航分析报告。",
        "支持企业开展企业经营类专利导航，为企业技术研发、产品开发和市场进入提供专利分析和风险预警。",
        "专利导航项目承担单位应当按照国家标准《专利导航指南》（GB/T 39551）组织实施，项目周期原则上不超过一年。",
        "对验收合格的专利导航项目，给予每个项目不超过{b}万元的经费支持，重点支持产业专利导航服务基地建设。",
        "推动专利导航成果在招商引资、人才引进和技术攻关中的应用，实现专利导航成果转化落地。",
    ],
    "open_license": [
        "专利开放许可是指专利权人以书面方式向国家知识产权局声明愿意许可任何单位或者个人实施其专利，并明确许可使用费支付方式和标准。",
        "鼓励高校院所将具有市场前景的存量专利以开放许可方式许可给中小企业实施，降低专利许可交易成本。",
        "对通过开放许可方式达成许可并实际实施的项目，按照许可使用费实际到账金额的一定比例给予奖励。",
        "建立开放许可专利供需对接机制，定期发布开放许可专利清单，组织许可方与被许可方开展对接洽谈。",
        "开放许可试点期间，被许可方为中小企业的，可享受“先用后付”等许可费支付优惠。",
        "专利权人提交开放许可声明前，应当对专利的有效性、权属状况和实施许可情况进行核查，确保声明内容真实准确。",
    ],
    "patent_pledge": [
        "专利权质押融资是指企业以合法拥有的专利权作为质押物向银行等金融机构申请贷款的融资方式，是破解科技型企业融资难题的重要途径。",
        "对企业以专利权质押方式获得银行贷款的，按照实际支付贷款利息的{p}%给予贴息，单个企业每年贴息金额不超过{d}万元。",
        "建立知识产权质押融资风险补偿资金，对合作银行发放的专利质押贷款形成的不良损失，按照一定比例给予风险补偿。",
        "组织合作银行、评估机构和担保机构深入企业开展专利质押融资政策宣讲和融资对接，现场受理企业融资需求。",
        "优化专利权质押登记服务，推行质押登记线上办理，登记办理时限压缩至{n}个工作日。",
        "鼓励金融机构创新知识产权质押融资产品，扩大专利质押融资授信规模，提高首贷企业比例。",
        "参加活动的企业可现场咨询专利质押融资、贷款贴息和风险补偿政策，由合作银行“一对一”提供融资方案。",
    ],
    "ip_insurance": [
        "知识产权保险是以知识产权为保险标的，对投保人在专利侵权、被侵权维权等过程中发生的费用损失提供保障的保险产品。",
        "对投保专利执行保险、专利被侵权损失保险、知识产权海外侵权责任保险的企业，按照实际缴纳保费的{p}%给予补贴。",
        "单个企业年度保费补贴金额不超过{d}万元，同一保单不得重复申请补贴。",
        "鼓励保险机构开发适合中小企业特点的知识产权保险产品，简化投保和理赔流程，扩大知识产权保险覆盖面。",
        "申请保费补贴需提交保险合同、保费缴纳凭证及所投保知识产权的权属证明。",
    ],
    "securitization": [
        "知识产权证券化是以知识产权未来收益为支撑发行资产支持证券的融资方式，有利于盘活企业无形资产。",
        "支持有条件的园区以区域内中小企业知识产权为基础资产，发行知识产权资产证券化产品。",
        "对成功发行知识产权证券化产品的，按照发行规模的一定比例给予发行费用补助。",
        "建立知识产权证券化项目储备库，筛选专利质量高、成长性好的企业纳入入池企业名单。",
    ],
    "abnormal_patent": [
        "非正常专利申请严重扰乱专利工作秩序，浪费行政和社会资源，必须坚决予以打击。",
        "对国家知识产权局通报的非正常专利申请，由申请人在规定期限内主动撤回；逾期未撤回的，依法依规处理。",
        "严禁以资助、奖励为目的提交非正常申请，对涉及非正常专利申请的单位和个人取消其当年资助资格。",
        "对代理非正常专利申请的专利代理机构，依法予以警告、罚款，情节严重的移送有关部门处理。",
    ],
    "trademark_registration": [
        "商标注册申请人可通过商标网上服务系统或{city}商标受理窗口提交商标注册申请，窗口提供商标注册、变更、转让、续展等业务办理。",
        "推进商标注册便利化改革，商标注册申请审查周期压缩至{n}个月以内，进一步降低申请人的时间成本。",
        "自{date}起，商标受理窗口业务办理时间调整为工作日上午9:00至下午5:00，申请人可提前通过网上预约办理。",
        "申请人办理商标注册业务时，应当如实提交主体资格证明文件，委托代理的应当提交代理委托书。",
        "受理窗口同步提供商标注册咨询和商标检索指导服务，帮助申请人提高商标注册成功率。",
    ],
    "trademark_brand": [
        "商标品牌指导站是面向市场主体提供商标品牌培育、注册运用、保护维权等“一站式”服务的基层工作平台。",
        "依托产业集聚区建设商标品牌指导站，开展商标品牌培育和区域品牌建设，提升地方特色产业品牌价值。",
        "指导站应当配备熟悉商标业务的专职工作人员，建立服务台账，每年开展商标品牌培育活动不少于{n}次。",
        "实施商标品牌战略，培育一批具有较强竞争力的自主品牌，支持企业争创驰名商标。",
        "开展商标品牌进企业、进市场活动，引导企业规范使用注册商标，提升品牌管理水平。",
    ],
    "trademark_enforcement": [
        "严厉查处侵犯注册商标专用权行为，重点打击商品批发市场、电商平台销售假冒注册商标商品的违法行为。",
        "对未经商标注册人许可，在同一种商品上使用与其注册商标相同商标的，依法从重处罚。",
        "执法人员将联合公安等部门开展商标侵权案件集中查处，对涉嫌犯罪的案件及时移送司法机关。",
        "发现侵犯商标专用权线索的，可通过12315热线或知识产权维权援助热线12345进行举报。",
    ],
    "gi_product": [
        "地理标志产品保护是指对产自特定地域、所具有的质量声誉或其他特性本质上取决于该产地自然因素和人文因素的产品实施的保护。",
        "推进地理标志产品保护示范区建设，围绕{n}个重点地理标志产品建立标准体系、质量管控体系和检验检测体系。",
        "加强地理标志产品产地范围、质量特色和生产技术规范的监督管理，维护地理标志产品的声誉。",
        "支持地理标志产品与特色产业发展、乡村振兴深度融合，打造一批地理标志产品品牌。",
        "保护示范区建设周期为两年，验收合格的由国家知识产权局授予国家地理标志产品保护示范区称号。",
    ],
    "gi_mark": [
        "地理标志专用标志是适用在按照相关标准、管理规范或者使用管理规则组织生产的地理标志产品上的官方标志。",
        "地理标志产品生产者申请使用地理标志专用标志的，应当向所在地知识产权管理部门提出申请，经审核后报国家知识产权局核准。",
        "获准使用地理标志专用标志的合法使用人，应当在产品或包装上规范标示专用标志，并建立专用标志使用台账。",
        "对擅自使用或伪造地理标志专用标志的行为，依法依规予以查处。",
        "开展地理标志专用标志使用核准改革试点，推动用标企业数量和用标产品产值稳步增长。",
    ],
    "ic_layout": [
        "集成电路布图设计专有权经国家知识产权局登记产生，未经登记的布图设计不受保护。",
        "鼓励集成电路设计企业及时对具有独创性的布图设计进行登记，对获得布图设计登记的，每件给予{c}元资助。",
        "布图设计专有权的保护期为十年，自登记申请之日或者在世界任何地方首次投入商业利用之日起计算，以较前日期为准。",
        "组织开展集成电路布图设计保护专题宣讲，指导企业做好布图设计登记申请和侵权风险防范。",
        "对侵犯布图设计专有权的行为，权利人可以请求知识产权管理部门处理，也可以依法向人民法院起诉。",
    ],
    "enforcement": [
        "严格知识产权行政执法，聚焦重点领域、重点市场和重点环节，集中查处一批侵犯知识产权的违法案件。",
        "开展知识产权执法“铁拳”专项行动，强化跨部门、跨区域执法协作，形成打击侵权假冒违法行为的高压态势。",
        "健全行政执法与刑事司法衔接机制，对涉嫌犯罪的案件及时移送公安机关，做到应移尽移。",
        "加强执法办案指导，规范执法程序和裁量标准，提升知识产权行政执法办案质量和效率。",
        "各区要建立案件查处情况月报制度，每月{n}日前报送上月执法办案情况和典型案例。",
        "加大对展会、电商平台等领域侵权行为的执法检查力度，依法查处假冒专利和商标侵权行为。",
    ],
    "dispute_mediation": [
        "知识产权纠纷人民调解是指知识产权纠纷人民调解组织通过说服、疏导等方法，促使当事人平等协商、自愿达成调解协议的活动。",
        "推进知识产权纠纷调解组织建设，在重点产业集聚区设立调解工作室，聘任一批熟悉知识产权业务的调解员。",
        "建立诉调对接机制，人民法院可以将适宜调解的知识产权纠纷委派或委托调解组织进行调解。",
        "调解达成协议的，当事人可以依法向人民法院申请司法确认，经确认的调解协议具有强制执行效力。",
        "依法开展专利侵权纠纷行政裁决，畅通行政裁决案件受理渠道，提高纠纷化解效率。",
        "知识产权纠纷调解不收取任何费用，当事人可通过线上平台或现场方式申请调解。",
    ],
    "protection_center": [
        "{city}知识产权保护中心集快速审查、快速确权、快速维权于一体，为创新主体提供“一站式”综合服务。",
        "快速维权中心面向重点产业开展外观设计专利快速授权和侵权纠纷快速处理，提升维权效率。",
        "在重点园区设立知识产权保护工作站，延伸保护中心服务，为企业提供维权援助和侵权预警。",
        "完善知识产权维权援助工作体系，建立维权援助专家库，为创新主体提供咨询、指导和援助服务。",
        "保护中心实行首问负责制，对企业反映的维权诉求限时办结，并定期回访服务效果。",
    ],
    "foreign_protection": [
        "依法平等保护外商投资企业的知识产权，严厉打击侵犯外资企业知识产权的违法行为。",
        "建立外资企业知识产权保护沟通机制，定期召开座谈会，听取外资企业在知识产权保护方面的意见和诉求。",
        "对外商投资企业反映的侵权线索建立快速处理通道，做到件件有回应、事事有着落。",
        "不得利用行政手段强制外国投资者和外商投资企业转让技术，保障其依法享有的知识产权权益。",
        "编制外资企业知识产权保护服务指引，提供多语种政策咨询和维权指导。",
    ],
    "patent_transfer": [
        "实施专利转化专项计划，推动高校院所存量专利盘活，促进专利技术向中小企业转移转化。",
        "开展高校院所存量专利筛选评价，将具有市场潜力的专利纳入转化资源库，通过转让、许可、作价入股等方式实现转化。",
        "对高校院所向中小企业转让或许可专利并实际实施的，按照技术合同成交额给予一定比例的奖励。",
        "建立专利技术供需对接机制，定期举办专利技术转移对接会，推动专利产业化。",
        "支持技术转移机构和专业化服务团队参与专利转化，提升专利转化实施效率和效益。",
    ],
    "ip_operation": [
        "建设{city}知识产权运营中心，打造集交易、评估、融资、孵化于一体的知识产权运营平台。",
        "支持知识产权运营机构围绕重点产业开展专利收储、专利池构建和专利组合运营。",
        "完善知识产权交易平台功能，规范交易流程，提升知识产权交易的透明度和效率。",
        "培育一批专业化知识产权运营服务机构，对运营成效突出的给予奖励。",
    ],
    "valuation": [
        "知识产权价值评估是知识产权交易、质押、作价入股等运营活动的基础，评估结论的科学性直接影响交易安全。",
        "规范知识产权价值评估行为，推广使用专利价值评估指标体系，提升评估结果的公信力。",
        "培育一批专业化知识产权评估机构，鼓励评估机构开发专利价值快速评估工具。",
        "组织评估机构开展知识产权价值评估业务交流，统一评估方法和参数选取标准。",
    ],
    "overseas_dispute": [
        "建立海外知识产权纠纷应对指导工作机制，为企业“走出去”过程中遭遇的知识产权纠纷提供应对指导。",
        "对涉及美国337调查、海外知识产权诉讼的企业，组织专家团队提供一对一应对指导，帮助企业制定应诉策略。",
        "建立海外知识产权纠纷信息监测和预警机制，及时向企业推送海外维权风险信息。",
        "编制重点国家和地区知识产权海外维权指引，组织开展海外知识产权纠纷应对专题培训。",
        "对积极应对海外知识产权纠纷并取得胜诉或和解的企业，给予应诉费用补助。",
    ],
    "training": [
        "本次培训采取集中授课、案例研讨和现场教学相结合的方式，邀请知识产权领域专家学者和实务骨干授课。",
        "培训内容包括专利申请实务、知识产权管理体系、知识产权运营和侵权风险防范等，培训时间为{n}天。",
        "请各单位于{date}前将参训学员报名表报送至联系人邮箱，每个单位限报{n}名学员。",
        "培训结束后组织结业考核，考核合格者颁发结业证书，培训不收取任何费用。",
        "参加培训的学员应当严格遵守培训纪律，按时参加各项培训活动。",
    ],
    "professional_title": [
        "知识产权专业职称设初级、中级、高级三个层级，初级、中级职称名称分别为助理知识产权师、知识产权师。",
        "申报知识产权专业职称评审的人员，应当在{city}从事知识产权相关工作，遵守法律法规，具有良好的职业道德。",
        "高级职称评审实行个人申报、单位推荐、评委会评审的程序，评审结果经公示无异议后发文公布。",
        "申报人员须通过{city}专业技术人员职称申报系统提交申报材料，对材料的真实性负责。",
        "取得知识产权师职称的人员，可作为专业技术人员享受相应待遇。",
    ],
    "tisc_network": [
        "技术与创新支持中心（TISC）是世界知识产权组织在发展中国家推广的知识产权信息服务网点，为创新主体提供专利检索、分析和咨询服务。",
        "支持高校和科研机构建设高校国家知识产权信息服务中心，面向社会开放知识产权信息资源。",
        "构建以{city}知识产权公共服务中心为枢纽、各类服务网点为节点的知识产权公共服务网络。",
        "对新获批的技术与创新支持中心和信息服务中心，给予一次性建设经费支持。",
        "各服务网点应当建立服务台账，按季度报送服务数据，接受绩效评价。",
    ],
    "info_service": [
        "建设重点产业专利专题数据库，免费向社会开放专利、商标、地理标志等基础数据检索服务。",
        "完善知识产权信息公共服务平台功能，提供专利检索分析、法律状态查询和预警信息推送服务。",
        "推进知识产权数据开放共享，通过数据接口向有需求的单位提供批量数据服务。",
        "组织开展知识产权信息检索利用培训，提高创新主体利用专利信息的能力。",
    ],
    "service_window": [
        "整合专利、商标业务受理窗口，推行“一窗通办”，实现知识产权业务就近办、一次办。",
        "在各区政务服务中心设立知识产权业务受理窗口，提供专利收费减缴备案、质押登记等业务办理。",
        "推动知识产权业务纳入“一网通办”，实现申请材料在线提交、办理进度实时查询。",
        "国家知识产权局专利业务{city}代办处提供专利费用缴纳、专利证书发放和业务咨询服务。",
    ],
    "publicity_week": [
        "4月20日至26日为全国知识产权宣传周，本届宣传周主题为“加强知识产权保护 促进创新型经济发展”。",
        "组织开展知识产权进社区、进校园、进企业活动，普及知识产权法律知识，营造尊重知识、崇尚创新的社会氛围。",
        "通过线上知识竞答、短视频征集等方式，引导社会公众积极参与知识产权宣传周活动。",
        "向社会公布知识产权保护典型案例，举办知识产权公共服务开放日活动，面向市民提供免费咨询。",
    ],
    "agency_directory": [
        "为方便创新主体查询选择知识产权服务，我局汇编了本名录，收录在{city}依法设立、信用状况良好的知识产权服务机构。",
        "名录所列机构信息包括机构名称、服务类型、办公地址和联系电话，按服务类型分类排列。",
        "名录实行动态调整，对发生严重失信行为或不再符合收录条件的机构，及时移出名录。",
        "名录仅供社会公众选择知识产权服务时参考，不作为对有关机构服务质量的保证。",
    ],
    "business_env": [
        "深化知识产权领域“放管服”改革，持续优化营商环境，为市场主体提供更加便利高效的知识产权服务。",
        "全面推行证明事项告知承诺制，取消没有法律法规依据的证明材料，减环节、减材料、减时限。",
        "压缩专利、商标业务办理时限，推动知识产权业务办理便利化，让企业办事少跑腿。",
        "建立营商环境问题线索收集和快速处理机制，及时回应企业在知识产权领域的诉求。",
        "对标国际一流营商环境，将知识产权创造、保护和运用指标纳入营商环境评价体系。",
    ],
    "agency_general": [
        "知识产权代理机构应当依法执业、诚实守信，不得以不正当手段招揽业务，不得代理非正常申请。",
        "加强知识产权代理行业监管，建立健全事前事中事后全链条监管机制，规范代理行为。",
        "严厉打击无资质专利代理行为，对未取得专利代理机构执业许可证从事专利代理业务的，依法予以查处。",
        "推行“双随机、一公开”监管，每年随机抽查代理机构的比例不低于{p}%，抽查结果向社会公开。",
        "商标代理机构应当按照规定办理备案，对委托人申请注册的商标可能存在法律禁止情形的，应当明确告知委托人。",
        "代理机构及其从业人员违反规定的，由知识产权管理部门责令限期改正，予以警告，可以处以罚款。",
    ],
    "agency_credit": [
        "建立知识产权代理机构信用评价制度，按照信用状况将代理机构分为A、B、C、D四个等级，实施分级分类监管。",
        "对被列入经营异常名录或严重违法失信名单的代理机构，依法实施联合惩戒，限制其参与政府采购和评优评先。",
        "代理机构信用评价结果通过信用{city}网站向社会公布，接受社会监督。",
        "对信用评价等级较高的代理机构，在资助项目申报、行业评优等方面给予支持。",
        "代理机构未按规定报送年度报告的，列入经营异常名录；在规定期限内补报的，可以申请移出。",
    ],
    "agency_special_action": [
        "深入开展知识产权代理行业“蓝天”专项整治行动，集中整治代理非正常专利申请、恶意商标注册申请等违法违规行为。",
        "“蓝天”专项整治期间，重点检查无资质代理、挂靠代理、以不正当手段招揽业务等突出问题。",
        "对专项整治中发现的违法违规代理机构，依法从严从快查处，并通过典型案例曝光形成震慑。",
        "各区要建立专项整治工作台账，按月报送整治进展，确保专项整治取得实效。",
    ],
    "disclosure_work": [
        "全面推进政务公开标准化规范化建设，完善主动公开基本目录，做到应公开尽公开。",
        "加强政策解读工作，坚持政策文件与解读材料同步起草、同步审签、同步发布，提高解读质量。",
        "优化政府信息公开平台建设，规范政府网站信息发布，确保公开内容准确、及时、完整。",
        "本年度通过门户网站主动公开政府信息{n}条，其中规范性文件{c}件，政策解读{d}篇。",
        "加强政民互动，及时回应社会关切，办理网民留言和咨询{n}件，办结率100%。",
        "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则。",
    ],
    "disclosure_on_request": [
        "公民、法人或者其他组织申请获取政府信息的，可以通过网上申请、信函申请或当面申请等方式向我局提出政府信息公开申请。",
        "本年度共收到依申请公开{n}件，均在法定期限内予以答复，其中予以公开{c}件，部分公开{d}件。",
        "申请人提交政府信息公开申请时，应当提供身份证明，写明所需政府信息的名称、文号或者便于查询的其他特征性描述。",
        "对依申请公开的政府信息，经审查可以向社会公开的，及时转为主动公开。",
        "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复；不能当场答复的，应当自收到申请之日起20个工作日内予以答复。",
    ],
    "demonstration": [
        "知识产权示范企业应当具有健全的知识产权管理体系，知识产权创造、运用和保护能力在行业内处于领先水平。",
        "优势企业认定条件包括：拥有有效发明专利{n}件以上，建立知识产权管理制度，知识产权对企业发展具有明显支撑作用。",
        "对新认定的知识产权示范企业和优势企业，分别给予{b}万元、{d}万元奖励，并在项目申报中予以优先支持。",
        "示范企业实行动态管理，每三年复核一次，复核不合格的取消示范企业称号。",
    ],
    "high_value_patent": [
        "实施高价值专利培育工程，围绕战略性新兴产业培育一批高价值专利组合，每万人口高价值发明专利拥有量达到{n}件。",
        "以专利质量为导向，优化专利审查和授权结构，提升发明专利占比和有效发明专利维持年限。",
        "支持企业、高校和科研院所组建高价值专利培育中心，推动专利创造由多向优、由大到强转变。",
    ],
}

# --------------------------------------------------------------------------- audiences
AUDIENCE_SENTENCES: dict[str, list[str]] = {
    "audience.enterprise": [
        "申报主体须为在{city}依法登记注册、具有独立法人资格的企业，且近三年无严重违法失信记录。",
        "请各有关企业对照申报条件，认真准备申报材料，于{date}前通过系统提交。",
        "本政策适用于在{city}注册并实际经营的企业，企业可根据自身情况自愿申请。",
        "面向企业开展政策宣讲和申报辅导，帮助企业用足用好各项支持政策。",
    ],
    "audience.enterprise.sme": [
        "重点支持科技型中小企业、专精特新中小企业和初创企业，对小微企业适当放宽申报条件。",
        "中小企业可通过线上平台提交需求，由服务专员“一对一”对接。",
        "本活动面向中小微企业，特别是首次申请融资的科技型中小企业。",
    ],
    "audience.enterprise.foreign": [
        "外商投资企业与内资企业同等适用本政策，依法平等享受各项支持措施。",
        "外资企业可通过外商投资企业投诉工作机构反映知识产权保护诉求。",
        "欢迎在{city}投资的外资企业和港澳台资企业积极参与。",
    ],
    "audience.university": [
        "各高等学校、科研院所应当明确专门机构负责此项工作，加强对科研人员的指导。",
        "高校院所应当建立职务科技成果披露制度，组织科研人员对存量专利进行梳理。",
        "支持高校和科研院所与企业开展合作，鼓励高校院所积极申报。",
    ],
    "audience.park": [
        "各园区管委会要高度重视，组织园区内企业积极参与，做好政策宣传和服务保障。",
        "活动将走进{park}等重点产业园区，开展“政策进园区”系列服务。",
        "各开发区、高新区要结合园区产业特点，制定具体工作方案，推动政策入园落地。",
    ],
    "audience.service_agency": [
        "各知识产权服务机构应当对照要求开展自查，规范服务行为，提升服务质量。",
        "知识产权服务机构及其从业人员应当遵守执业规范，诚信执业。",
        "请各代理机构于{date}前完成信息填报，逾期未填报的视为放弃。",
    ],
    "audience.service_agency.patent_agency": [
        "各专利代理机构要严格落实主体责任，加强对专利代理师执业行为的管理。",
        "专利代理机构应当按照要求报送年度报告，如实填写专利代理师数量和业务开展情况。",
    ],
    "audience.service_agency.trademark_agency": [
        "各商标代理机构应当依法办理备案，规范商标代理从业人员的执业行为。",
        "商标代理机构不得代理恶意商标注册申请，发现委托人存在恶意注册情形的应当拒绝接受委托。",
    ],
    "audience.individual": [
        "市民可通过12345热线、门户网站或到现场咨询等方式了解政策详情。",
        "个人申请人可凭有效身份证件办理，不收取任何费用。",
        "社会公众可以通过门户网站“政务公开”专栏查阅，欢迎广大市民监督。",
        "发明人个人也可以按照本办法规定提出申请。",
    ],
    "audience.government": [
        "各区知识产权局要高度重视，明确分管领导和具体负责人员，认真组织实施。",
        "市有关部门要按照职责分工，密切协作配合，形成工作合力。",
        "各成员单位要于每季度末将工作进展情况报送办公室，确保各项任务按期完成。",
        "各区市场监督管理局（知识产权局）要结合本区实际，细化工作措施，抓好贯彻落实。",
    ],
}

ADDRESSEES = {
    "audience.enterprise": "各有关企业：",
    "audience.enterprise.sme": "各有关企业：",
    "audience.enterprise.foreign": "各外商投资企业：",
    "audience.university": "各高等学校、科研院所：",
    "audience.park": "各园区管委会：",
    "audience.service_agency": "各知识产权服务机构：",
    "audience.service_agency.patent_agency": "各专利代理机构：",
    "audience.service_agency.trademark_agency": "各商标代理机构：",
    "audience.individual": "",
    "audience.government": "各区市场监督管理局（知识产权局），市有关部门：",
}

# Passing mentions: they name a topic or an audience without being about it, so they never
# enter the labels. One to three per document.
DISTRACTORS = [
    "依据《中华人民共和国专利法》《中华人民共和国商标法》等法律法规，结合本市实际，制定本文件。",
    "统筹推进专利、商标、地理标志等各类知识产权工作协调发展。",
    "以知识产权高质量发展助力企业创新发展。",
    "坚持把知识产权保护作为优化营商环境的重要内容。",
    "相关信息将在{city}知识产权局门户网站主动公开。",
    "推动知识产权金融服务创新，拓宽创新主体融资渠道。",
    "加强知识产权人才培养，提升从业人员业务能力。",
    "持续优化知识产权公共服务，提升服务便利度。",
    "强化海外知识产权风险防控意识。",
    "支持园区开展知识产权工作。",
    "更好服务企业和群众，提升人民群众满意度。",
    "服务对象如对办理结果有异议，可依法申请行政复议或者提起行政诉讼。",
    "任何单位和个人不得泄露在工作中知悉的商业秘密和个人信息。",
    "鼓励高校、科研院所加强知识产权管理。",
    "做好知识产权转化运用的宣传推广。",
    "申请人应当对申报材料的真实性负责，因弄虚作假造成的后果由申请人承担。",
]

# Generic government prose, combined at random; no tag is about any of it.
_OPENERS = ["要", "各单位要", "进一步", "切实", "坚持", "着力", "持续", "全面", "积极", "认真"]
_ACTIONS = ["加强", "健全", "完善", "强化", "落实", "深化", "推动", "统筹", "规范", "提升"]
_OBJECTS = [
    "组织领导和统筹协调",
    "工作机制和制度建设",
    "督促检查和考核评价",
    "经费保障和资金管理",
    "宣传引导和舆论氛围",
    "工作台账和信息报送",
    "责任分工和任务落实",
    "队伍建设和作风建设",
    "风险研判和应急处置",
    "调查研究和经验总结",
    "廉政建设和纪律约束",
    "数据统计和分析研判",
]
_PURPOSES = [
    "确保各项任务落到实处",
    "形成上下联动、齐抓共管的工作格局",
    "推动工作提质增效",
    "不断提高工作的科学化水平",
    "为高质量发展提供有力支撑",
    "切实把好事办好、实事办实",
    "确保工作按时保质完成",
    "以钉钉子精神抓好落实",
    "及时研究解决工作中遇到的新情况新问题",
    "形成可复制、可推广的经验做法",
]
_LEADS = [
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大精神，完整、准确、全面贯彻新发展理念",
    "坚持稳中求进工作总基调，坚持系统观念，坚持问题导向和目标导向",
    "坚持改革创新，聚焦重点领域和关键环节，着力破解制约发展的突出问题",
    "坚持守正创新，把握工作规律，注重工作实效",
]


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Policy:
    """A normative document that can appear as itself, issued by a notice, as a draft, interpreted or repealed."""

    name: str  # title without year/variant decorations; ends with its 文种
    doc_type: str
    themes: tuple[str, ...]
    audience: tuple[str, ...]
    kind: str  # articles | sections


@dataclass(frozen=True)
class Standalone:
    titles: tuple[str, ...]
    doc_type: str
    themes: tuple[str, ...]
    audience: tuple[str, ...]
    kind: str  # sections | list | annual_report | report | short | publicity


POLICIES = [
    Policy(
        "{city}专利资助办法",
        "doc_type.measures",
        ("patent_subsidy", "pct_layout"),
        ("audience.enterprise", "audience.university", "audience.individual"),
        "articles",
    ),
    Policy(
        "{city}知识产权质押融资风险补偿资金管理办法",
        "doc_type.measures",
        ("patent_pledge",),
        ("audience.enterprise.sme",),
        "articles",
    ),
    Policy(
        "{city}知识产权保险保费补贴实施细则", "doc_type.rules", ("ip_insurance",), ("audience.enterprise",), "articles"
    ),
    Policy(
        "{city}专利开放许可试点工作方案",
        "doc_type.scheme",
        ("open_license",),
        ("audience.university", "audience.enterprise.sme"),
        "sections",
    ),
    Policy(
        "{city}专利转化专项计划实施方案",
        "doc_type.scheme",
        ("patent_transfer",),
        ("audience.university", "audience.enterprise.sme"),
        "sections",
    ),
    Policy(
        "{city}知识产权代理行业监督管理办法",
        "doc_type.measures",
        ("agency_general", "agency_credit"),
        ("audience.service_agency.patent_agency", "audience.service_agency.trademark_agency"),
        "articles",
    ),
    Policy(
        "{city}知识产权纠纷人民调解工作办法",
        "doc_type.measures",
        ("dispute_mediation",),
        ("audience.enterprise", "audience.individual"),
        "articles",
    ),
    Policy(
        "{city}关于强化知识产权保护的实施意见",
        "doc_type.opinion",
        ("enforcement", "protection_center", "dispute_mediation"),
        ("audience.government",),
        "sections",
    ),
    Policy(
        "{city}“十四五”知识产权发展规划",
        "doc_type.plan",
        ("high_value_patent", "trademark_brand", "enforcement", "patent_transfer", "tisc_network", "training"),
        ("audience.government",),
        "sections",
    ),
    Policy(
        "{city}{year}年知识产权工作要点",
        "doc_type.key_points",
        ("high_value_patent", "enforcement", "ip_operation", "info_service"),
        ("audience.government",),
        "sections",
    ),
    Policy(
        "{city}知识产权局{year}年政务公开工作要点",
        "doc_type.key_points",
        ("disclosure_work",),
        ("audience.government",),
        "sections",
    ),
    Policy(
        "{city}知识产权局政府信息公开指南",
        "doc_type.guide",
        ("disclosure_on_request", "disclosure_work"),
        ("audience.individual",),
        "sections",
    ),
    Policy(
        "{city}地理标志专用标志使用管理办法", "doc_type.measures", ("gi_mark",), ("audience.enterprise",), "articles"
    ),
    Policy(
        "{city}地理标志产品保护示范区建设方案", "doc_type.scheme", ("gi_product",), ("audience.government",), "sections"
    ),
    Policy(
        "{city}专利导航工程实施方案",
        "doc_type.scheme",
        ("patent_navigation",),
        ("audience.park", "audience.enterprise"),
        "sections",
    ),
    Policy(
        "{city}商标品牌指导站建设管理规定", "doc_type.provisions", ("trademark_brand",), ("audience.park",), "articles"
    ),
    Policy(
        "{city}知识产权领域优化营商环境若干措施",
        "doc_type.initiatives",
        ("business_env", "service_window"),
        ("audience.enterprise", "audience.government"),
        "sections",
    ),
    Policy(
        "{city}知识产权服务机构管理若干规定",
        "doc_type.provisions",
        ("agency_general",),
        ("audience.service_agency",),
        "articles",
    ),
    Policy(
        "{city}集成电路布图设计保护工作指引", "doc_type.guide", ("ic_layout",), ("audience.enterprise",), "sections"
    ),
    Policy(
        "{city}海外知识产权纠纷应对指导工作方案",
        "doc_type.scheme",
        ("overseas_dispute",),
        ("audience.enterprise",),
        "sections",
    ),
    Policy(
        "{city}知识产权专业人员职称评审办法",
        "doc_type.measures",
        ("professional_title",),
        ("audience.individual",),
        "articles",
    ),
    Policy(
        "{city}关于加强外商投资企业知识产权保护的意见",
        "doc_type.opinion",
        ("foreign_protection", "enforcement"),
        ("audience.enterprise.foreign",),
        "sections",
    ),
    Policy(
        "{city}知识产权证券化试点工作方案",
        "doc_type.scheme",
        ("securitization",),
        ("audience.enterprise.sme", "audience.park"),
        "sections",
    ),
    Policy(
        "{city}打击非正常专利申请行为专项行动方案",
        "doc_type.scheme",
        ("abnormal_patent", "agency_special_action"),
        ("audience.service_agency.patent_agency", "audience.university", "audience.enterprise"),
        "sections",
    ),
]

STANDALONES = [
    Standalone(
        (
            "关于开展{year}年园区中小企业专利质押融资入园惠企活动的通知",
            "关于开展{year}年{park}知识产权质押融资“入园惠企”活动的通知",
        ),
        "doc_type.notice",
        ("patent_pledge",),
        ("audience.enterprise.sme", "audience.park"),
        "sections",
    ),
    Standalone(
        ("关于组织申报{year}年度专利导航项目的通知",),
        "doc_type.notice",
        ("patent_navigation",),
        ("audience.enterprise", "audience.university", "audience.park"),
        "sections",
    ),
    Standalone(
        ("关于开展{year}年度知识产权示范企业和优势企业认定工作的通知",),
        "doc_type.notice",
        ("demonstration",),
        ("audience.enterprise",),
        "sections",
    ),
    Standalone(
        ("关于举办{year}年{city}知识产权实务培训班的通知",),
        "doc_type.notice",
        ("training",),
        ("audience.enterprise", "audience.university", "audience.service_agency"),
        "sections",
    ),
    Standalone(
        ("关于开展第{n}届{city}专利奖评选工作的通知",),
        "doc_type.notice",
        ("patent_award",),
        ("audience.enterprise", "audience.university", "audience.individual"),
        "sections",
    ),
    Standalone(
        ("关于开展知识产权代理行业“蓝天”专项整治行动的通知",),
        "doc_type.notice",
        ("agency_special_action",),
        ("audience.government", "audience.service_agency"),
        "sections",
    ),
    Standalone(
        ("关于做好{year}年度知识产权保险保费补贴申报工作的通知",),
        "doc_type.notice",
        ("ip_insurance",),
        ("audience.enterprise.sme",),
        "sections",
    ),
    Standalone(
        ("关于征集{year}年度专利开放许可项目的通知",),
        "doc_type.notice",
        ("open_license",),
        ("audience.university",),
        "sections",
    ),
    Standalone(
        ("关于开展{year}年知识产权宣传周活动的通知",),
        "doc_type.notice",
        ("publicity_week",),
        ("audience.government", "audience.individual"),
        "sections",
    ),
    Standalone(
        ("关于开展商标品牌指导站进园区活动的通知",),
        "doc_type.notice",
        ("trademark_brand",),
        ("audience.park", "audience.enterprise.sme"),
        "sections",
    ),
    Standalone(
        ("关于公布{year}年{city}技术与创新支持中心（TISC）培育名单的通知",),
        "doc_type.notice",
        ("tisc_network",),
        ("audience.university",),
        "sections",
    ),
    Standalone(
        ("关于开展{year}年度知识产权行政执法“铁拳”专项行动的通知",),
        "doc_type.notice",
        ("enforcement",),
        ("audience.government",),
        "sections",
    ),
    Standalone(
        ("关于做好{year}年度{city}知识产权专业职称评审工作的通知",),
        "doc_type.notice",
        ("professional_title",),
        ("audience.individual",),
        "sections",
    ),
    Standalone(
        ("关于召开{year}年外资企业知识产权保护座谈会的通知",),
        "doc_type.notice",
        ("foreign_protection",),
        ("audience.enterprise.foreign",),
        "sections",
    ),
    Standalone(
        ("关于开展{year}年度专利转化专项计划项目申报的通知",),
        "doc_type.notice",
        ("patent_transfer",),
        ("audience.university", "audience.enterprise.sme"),
        "sections",
    ),
    Standalone(
        ("关于调整商标注册受理窗口业务办理时间的通知",),
        "doc_type.notice",
        ("trademark_registration", "service_window"),
        ("audience.enterprise", "audience.individual"),
        "sections",
    ),
    Standalone(
        ("关于开展{year}年度知识产权代理机构信用评价工作的通知",),
        "doc_type.notice",
        ("agency_credit",),
        ("audience.service_agency",),
        "sections",
    ),
    Standalone(
        ("关于开展{city}知识产权保护中心{year}年度专利预审服务备案工作的通知",),
        "doc_type.notice",
        ("patent_prereview",),
        ("audience.enterprise",),
        "sections",
    ),
    Standalone(
        ("关于举办知识产权价值评估业务培训班的通知",),
        "doc_type.notice",
        ("valuation", "training"),
        ("audience.service_agency",),
        "sections",
    ),
    Standalone(
        ("关于推荐海外知识产权纠纷应对指导专家的通知",),
        "doc_type.notice",
        ("overseas_dispute",),
        ("audience.service_agency", "audience.university"),
        "sections",
    ),
    Standalone(
        ("关于组织开展集成电路布图设计登记资助申报工作的通知",),
        "doc_type.notice",
        ("ic_layout",),
        ("audience.enterprise",),
        "sections",
    ),
    Standalone(
        ("关于支持企业开展PCT国际专利申请和海外专利布局的通知",),
        "doc_type.notice",
        ("pct_layout", "patent_subsidy"),
        ("audience.enterprise",),
        "sections",
    ),
    Standalone(
        ("{year}年度{city}知识产权示范企业名单", "{city}{year}年度知识产权优势企业名录"),
        "doc_type.list",
        ("demonstration",),
        ("audience.enterprise",),
        "list",
    ),
    Standalone(
        ("{city}知识产权服务机构名录（{year}年版）",),
        "doc_type.list",
        ("agency_directory",),
        ("audience.enterprise", "audience.service_agency"),
        "list",
    ),
    Standalone(("{city}地理标志产品名录",), "doc_type.list", ("gi_product",), ("audience.enterprise",), "list"),
    Standalone(
        ("{year}年度{city}专利资助拟资助项目公示",),
        "doc_type.publicity",
        ("patent_subsidy",),
        ("audience.enterprise", "audience.university"),
        "list",
    ),
    Standalone(
        ("关于{n}家专利代理机构列入经营异常名录的公告",),
        "doc_type.announcement",
        ("agency_credit",),
        ("audience.service_agency.patent_agency",),
        "short",
    ),
    Standalone(
        ("{city}知识产权局{year}年政府信息公开工作年度报告",),
        "doc_type.annual_report",
        ("disclosure_work", "disclosure_on_request"),
        ("audience.individual",),
        "annual_report",
    ),
    Standalone(
        ("{year}年{city}知识产权保护状况白皮书",),
        "doc_type.report",
        ("enforcement", "dispute_mediation", "protection_center"),
        ("audience.individual",),
        "sections",
    ),
    Standalone(
        ("关于{year}年度知识产权质押融资工作情况的报告",),
        "doc_type.report",
        ("patent_pledge",),
        ("audience.government",),
        "sections",
    ),
    Standalone(
        ("关于同意{park}设立知识产权保护工作站的批复",),
        "doc_type.reply",
        ("protection_center",),
        ("audience.park",),
        "short",
    ),
    Standalone(
        ("关于商请协助开展地理标志专用标志使用核查工作的函",),
        "doc_type.letter",
        ("gi_mark",),
        ("audience.government",),
        "short",
    ),
    Standalone(
        ("关于严厉打击侵犯注册商标专用权违法行为的通告",),
        "doc_type.circular",
        ("trademark_enforcement",),
        ("audience.enterprise", "audience.individual"),
        "short",
    ),
    Standalone(
        ("{city}知识产权保护工作联席会议纪要",),
        "doc_type.minutes",
        ("enforcement", "protection_center"),
        ("audience.government",),
        "short",
    ),
]

STAGE_FINAL, STAGE_DRAFT, STAGE_REPEALED = "stage.final", "stage.draft", "stage.repealed"
ZH_DOC_TYPE = {
    "doc_type.notice": "通知",
    "doc_type.opinion": "意见",
    "doc_type.measures": "办法",
    "doc_type.provisions": "规定",
    "doc_type.rules": "细则",
    "doc_type.plan": "规划",
    "doc_type.scheme": "方案",
    "doc_type.key_points": "要点",
    "doc_type.initiatives": "措施",
    "doc_type.interpretation": "解读",
    "doc_type.announcement": "公告",
    "doc_type.circular": "通告",
    "doc_type.decision": "决定",
    "doc_type.list": "名录",
    "doc_type.annual_report": "年报",
    "doc_type.report": "报告",
    "doc_type.letter": "函",
    "doc_type.reply": "批复",
    "doc_type.publicity": "公示",
    "doc_type.guide": "指南",
    "doc_type.minutes": "纪要",
}
CN_NUM = "一二三四五六七八九十"


# --------------------------------------------------------------------------- writing
@dataclass
class Writer:
    rng: random.Random
    slots: dict[str, Any] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        return text.format(**self.slots)

    def generic_sentence(self) -> str:
        r = self.rng
        return f"{r.choice(_OPENERS)}{r.choice(_ACTIONS)}{r.choice(_OBJECTS)}，{r.choice(_PURPOSES)}。"

    def generic_paragraph(self) -> str:
        parts = [self.generic_sentence() for _ in range(self.rng.randint(3, 6))]
        if self.rng.random() < 0.3:
            parts.insert(0, self.rng.choice(_LEADS) + "。")
        return "".join(parts)

    def theme_paragraphs(self, theme: str, low: int = 2, high: int = 4) -> list[str]:
        pool = THEMES[theme]
        k = min(len(pool), self.rng.randint(low, high))
        return [self.fill(p) for p in self.rng.sample(pool, k)]

    def audience_sentences(self, audience: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for code in audience:
            pool = AUDIENCE_SENTENCES[code]
            out.extend(self.fill(s) for s in self.rng.sample(pool, min(len(pool), self.rng.randint(1, 2))))
        return out

    def distractors(self) -> list[str]:
        return [self.fill(s) for s in self.rng.sample(DISTRACTORS, self.rng.randint(1, 3))]

    def firm(self) -> str:
        r = self.rng
        return f"{self.slots['city'][:2]}{r.choice(FIRM_HEADS)}{r.choice(FIRM_TRADES)}{r.choice(FIRM_TAILS)}"

    def header(self, audience: tuple[str, ...], numbered: bool) -> list[str]:
        lines = []
        if numbered:
            lines.append(f"{self.slots['abbr']}知〔{self.slots['year']}〕{self.slots['n']}号")
        addressees = [ADDRESSEES[a] for a in audience if ADDRESSEES[a]]
        if addressees:
            lines.append(self.rng.choice(addressees))
        return lines

    def footer(self, attachment: str | None = None) -> list[str]:
        lines = [
            f"联系人：{self.rng.choice(PEOPLE)}，联系电话：0{self.rng.randint(100, 999)}-{self.rng.randint(10000000, 99999999)}"
        ]
        if attachment:
            lines.append(f"附件：{attachment}")
        lines += [f"{self.slots['city']}知识产权局", self.slots["date"], "（此件主动公开）"]
        return lines


def _sections(w: Writer, themes: tuple[str, ...], audience: tuple[str, ...], target: int) -> list[str]:
    """Body of a notice, programme, opinion, plan or key-points document."""
    r = w.rng
    intro = f"为{r.choice(_LEADS)}，{w.fill(r.choice(['深入实施知识产权强国战略', '加快建设知识产权强市', '推动{city}知识产权事业高质量发展']))}，结合本市实际，现将有关事项通知如下。"
    paras = [intro, "一、总体要求", w.generic_paragraph()]
    topical: list[str] = []
    for theme in themes:
        topical += w.theme_paragraphs(theme)
    r.shuffle(topical)
    paras.append("二、重点任务")
    paras += [f"（{CN_NUM[i % 10]}）{p}" for i, p in enumerate(topical)]
    paras.append("三、适用对象")
    paras.append("".join(w.audience_sentences(audience)))
    paras.append("四、保障措施")
    extra = w.distractors()
    while sum(len(p.encode()) for p in paras) < target:
        p = w.generic_paragraph()
        if extra and r.random() < 0.3:
            p += extra.pop()
        paras.append(p)
    paras += extra
    return paras


def _articles(w: Writer, themes: tuple[str, ...], audience: tuple[str, ...], target: int, kind_word: str) -> list[str]:
    """Body of measures, provisions and rules: chapters and articles."""
    r = w.rng
    items = [
        f"为{r.choice(_LEADS)}，根据有关法律法规，结合本市实际，制定本{kind_word}。",
        "".join(w.audience_sentences(audience)),
    ]
    topical: list[str] = []
    for theme in themes:
        topical += w.theme_paragraphs(theme, 3, 5)
    r.shuffle(topical)
    items += topical
    extra = w.distractors()
    tail = [
        f"本{kind_word}由{w.slots['city']}知识产权局负责解释。",
        f"本{kind_word}自{w.slots['date']}起施行，有效期五年。",
    ]
    while sum(len(p.encode()) for p in items + tail) < target:
        p = w.generic_paragraph()
        if extra and r.random() < 0.3:
            p = extra.pop() + p
        items.append(p)
    items += extra + tail
    paras = ["第一章 总则"]
    for i, item in enumerate(items, start=1):
        paras.append(f"第{i}条 {item}")
        if i == 2:
            paras.append("第二章 具体措施")
    return paras


def _list_body(w: Writer, themes: tuple[str, ...], audience: tuple[str, ...], target: int) -> list[str]:
    r = w.rng
    paras = [*w.theme_paragraphs(themes[0], 1, 2), "".join(w.audience_sentences(audience))]
    paras.append("序号  名称  所在区  联系电话")
    i = 1
    while sum(len(p.encode()) for p in paras) < target:
        paras.append(f"{i}  {w.firm()}  {r.choice(DISTRICTS)}  0{r.randint(100, 999)}-{r.randint(10000000, 99999999)}")
        i += 1
    paras += w.theme_paragraphs(themes[-1], 1, 1) + w.distractors()
    return paras


def _annual_report(w: Writer, themes: tuple[str, ...], audience: tuple[str, ...], target: int) -> list[str]:
    paras = [
        "本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等内容。"
    ]
    headings = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    topical = [p for t in themes for p in w.theme_paragraphs(t, 2, 4)]
    for i, h in enumerate(headings):
        paras.append(h)
        if topical:
            paras.append(topical.pop())
        if i == 2:
            paras.append("".join(w.audience_sentences(audience)))
    paras += topical + w.distractors()
    while sum(len(p.encode()) for p in paras) < target:
        paras.append(w.generic_paragraph())
    return paras


def _short(w: Writer, themes: tuple[str, ...], audience: tuple[str, ...], target: int) -> list[str]:
    topical = [p for t in themes for p in w.theme_paragraphs(t, 2, 3)]
    paras = [*topical[:1], "".join(w.audience_sentences(audience)), *topical[1:], *w.distractors()]
    while sum(len(p.encode()) for p in paras) < target:
        paras.append(w.generic_paragraph())
    return paras


def _interpretation(
    w: Writer, policy_title: str, themes: tuple[str, ...], audience: tuple[str, ...], target: int
) -> list[str]:
    r = w.rng
    paras = ["一、起草背景", f"为{r.choice(_LEADS)}，{w.slots['city']}知识产权局研究起草了《{policy_title}》。"]
    paras += ["二、主要内容"] + [p for t in themes for p in w.theme_paragraphs(t, 2, 3)]
    paras += ["三、适用对象", "".join(w.audience_sentences(audience))]
    paras += [
        "四、起草过程",
        r.choice(
            [
                "在起草过程中，我局通过座谈会、书面征求意见等方式广泛征求意见，经合法性审核和集体审议后正式印发。",
                "文件经公开征求意见、合法性审核、公平竞争审查和局务会审议，现已正式印发实施。",
                "起草过程中深入开展调查研究，多次征求意见，充分吸收了各方面的合理建议。",
            ]
        ),
    ]
    paras += w.distractors()
    while sum(len(p.encode()) for p in paras) < target:
        paras.append(w.generic_paragraph())
    return paras


def _policy_body(w: Writer, p: Policy, target: int, addressed: bool = True) -> list[str]:
    if p.kind == "articles":
        return _articles(w, p.themes, p.audience, target, ZH_DOC_TYPE[p.doc_type])
    head = w.header(p.audience, numbered=False) if addressed else []
    return head + _sections(w, p.themes, p.audience, target)


# --------------------------------------------------------------------------- variants
def make_policy_doc(w: Writer, p: Policy, variant: str, target: int) -> dict[str, Any]:
    r = w.rng
    name = w.fill(p.name)
    numbered = w.header((), numbered=True)
    labels = {"topic": topics_of(p.themes), "audience": list(p.audience), "stage": [STAGE_FINAL]}
    given: str | None = ZH_DOC_TYPE[p.doc_type]
    if variant == "direct":
        title = name + r.choice(["", "", "（试行）", f"（{w.slots['year']}年修订）"])
        body = numbered + _policy_body(w, p, target) + w.footer()
        labels["doc_type"] = [p.doc_type]
    elif variant == "issued":
        title = r.choice([f"关于印发《{name}》的通知", f"{w.slots['city']}知识产权局关于印发《{name}》的通知"])
        cover = [*w.header(p.audience, numbered=True), f"现将《{name}》印发给你们，请结合实际认真贯彻执行。", name]
        body = cover + _policy_body(w, p, target, addressed=False) + w.footer()
        labels["doc_type"] = ["doc_type.notice"]
        given = r.choice(["通知", "通知", ZH_DOC_TYPE[p.doc_type]])  # upstream sometimes files the inner type
    elif variant == "draft":
        if r.random() < 0.5:
            title = f"{name}（征求意见稿）"
            labels["doc_type"] = [p.doc_type]
        else:
            wrapper = r.choice(["通知", "公告"])
            title = f"关于公开征求《{name}（征求意见稿）》意见的{wrapper}"
            labels["doc_type"] = ["doc_type.notice" if wrapper == "通知" else "doc_type.announcement"]
            given = wrapper
        cover = [
            f"为提高政策制定的科学性和透明度，现将《{name}（征求意见稿）》向社会公开征求意见。",
            f"公众可于{w.slots['date']}前通过电子邮件或信函方式反馈意见建议。",
        ]
        body = cover + _policy_body(w, p, target) + w.footer()
        labels["stage"] = [STAGE_DRAFT]
    elif variant == "interpretation":
        title = r.choice(
            [
                f"《{name}》政策解读",
                f"关于《{name}》的解读",
                f"一图读懂《{name}》",
                f"{w.slots['city']}知识产权局有关负责人就《{name}》答记者问",
            ]
        )
        body = _interpretation(w, name, p.themes, p.audience, target)
        labels["doc_type"] = ["doc_type.interpretation"]
        given = r.choice(["解读", "政策解读", None])
    elif variant == "repealed":
        if r.random() < 0.5:
            title = r.choice(["【已废止】", "（已失效）"]) + name
            note = []
        else:
            title = name
            note = [f"（本文件已于{int(w.slots['year']) - 1}年12月31日废止）"]
        body = note + numbered + _policy_body(w, p, target) + w.footer()
        labels["doc_type"] = [p.doc_type]
        labels["stage"] = [STAGE_REPEALED]
    elif variant == "decision":
        title = f"关于废止《{name}》的决定"
        reason = r.choice(
            ["因上位法修订，文件主要内容已不适应当前工作需要，", "因文件有效期届满且相关工作已纳入新的政策体系，"]
        )
        paras = [f"《{name}》自施行以来，对推动相关工作发挥了积极作用。{reason}经研究，决定予以废止。"]
        paras += [p for t in p.themes for p in w.theme_paragraphs(t, 2, 2)]
        paras.append("".join(w.audience_sentences(p.audience)))
        paras.append("本决定自印发之日起施行。")
        while sum(len(x.encode()) for x in paras) < target:
            paras.append(w.generic_paragraph())
        body = numbered + paras + w.footer()
        labels["doc_type"] = ["doc_type.decision"]
        given = "决定"
    else:
        raise ValueError(variant)
    return {"title": title, "body": "\n".join(body), "doc_type": given if r.random() < 0.6 else None, "labels": labels}


def make_standalone_doc(w: Writer, s: Standalone, target: int) -> dict[str, Any]:
    r = w.rng
    title = w.fill(r.choice(s.titles))
    builders = {"sections": _sections, "list": _list_body, "annual_report": _annual_report, "short": _short}
    numbered = s.kind in ("sections", "short") and s.doc_type not in ("doc_type.report", "doc_type.minutes")
    body = w.header(s.audience, numbered=numbered) + builders[s.kind](w, s.themes, s.audience, target) + w.footer()
    labels = {
        "topic": topics_of(s.themes),
        "audience": list(s.audience),
        "doc_type": [s.doc_type],
        "stage": [STAGE_FINAL],
    }
    given = ZH_DOC_TYPE[s.doc_type] if r.random() < 0.6 else None
    return {"title": title, "body": "\n".join(body), "doc_type": given, "labels": labels}


def topics_of(themes: tuple[str, ...]) -> list[str]:
    return sorted({t for theme in themes for t in THEME_TOPICS[theme]})


def close_under_parents(codes: list[str], parents: dict[str, str | None]) -> list[str]:
    out = set(codes)
    for code in codes:
        parent = parents.get(code)
        while parent:
            out.add(parent)
            parent = parents.get(parent)
    return sorted(out)


POLICY_VARIANTS = [
    "direct",
    "direct",
    "issued",
    "issued",
    "draft",
    "interpretation",
    "interpretation",
    "repealed",
    "decision",
]


# --------------------------------------------------------------------------- held-out split
# Written after the catalogue rules were frozen, in wording the rules were never tuned on:
# their scores show how much of the dev score is fitting to the templates above.
@dataclass(frozen=True)
class Holdout:
    titles: tuple[str, ...]
    doc_type: str
    topics: tuple[str, ...]
    audience: tuple[str, ...]
    paragraphs: tuple[str, ...]
    audience_text: tuple[str, ...]
    stage: str = STAGE_FINAL
    addressee: str = ""


HOLDOUT_DISTRACTORS = [
    "本通知未尽事宜，按照国家和本市有关规定执行。",
    "涉及专利、商标等具体业务的，以国家知识产权局最新规定为准。",
    "欢迎社会各界通过“{city}发布”微信公众号了解更多信息。",
    "各单位在实施过程中遇到的问题，请及时向市知识产权局反映。",
    "鼓励金融机构参与知识产权工作。",
    "营造良好的创新生态和营商环境。",
    "支持企业、高校和科研院所协同创新。",
    "相关数据统计截至{year}年12月31日。",
]

HOLDOUTS = [
    Holdout(
        ("{city}知识产权局 {city}地方金融监督管理局关于推进知识产权质押融资“百园万企”专项行动的通知",),
        "doc_type.notice",
        ("topic.patent.pledge", "topic.finance.pledge"),
        ("audience.park", "audience.enterprise.sme"),
        (
            "以“百园万企”为抓手，组织银行机构逐园走访，摸排园区内轻资产科技企业的融资需求，建立融资需求清单。",
            "推动银行机构将专利权质押贷款纳入普惠金融考核，单列信贷计划，对首次办理专利权质押的企业给予利率优惠。",
            "发挥风险分担作用，对银行发放的知识产权质押贷款出现不良的，由风险补偿资金池按比例分担损失。",
            "简化质押登记办理流程，企业可线上提交专利权质押登记申请，当日受理、次日办结。",
        ),
        ("参与对象为各园区内有融资需求的科技型中小企业和小微企业。", "各园区管委会负责组织辖区企业参加银企对接活动。"),
        addressee="各区知识产权局，各园区管委会：",
    ),
    Holdout(
        ("商标注册申请常见问题解答",),
        "doc_type.interpretation",
        ("topic.trademark.registration",),
        ("audience.enterprise", "audience.individual"),
        (
            "问：自然人可以申请注册商标吗？答：从事生产经营活动的自然人，可以以个人名义申请商标注册，需提交个体工商户营业执照等主体资格证明。",
            "问：商标注册申请需要多长时间？答：一般情况下，商标注册申请自受理之日起约{n}个月完成审查，无异议的予以核准注册。",
            "问：可以通过哪些渠道办理商标注册？答：申请人可以通过商标网上服务系统在线提交，也可以到商标业务受理窗口现场办理。",
            "问：商标注册申请被驳回怎么办？答：申请人对驳回决定不服的，可以自收到通知之日起15日内申请复审。",
        ),
        ("企业和个体工商户均可按照上述流程办理。",),
    ),
    Holdout(
        ("关于推荐{year}年度地理标志运用促进重点联系指导名录的通知",),
        "doc_type.notice",
        ("topic.gi",),
        ("audience.government",),
        (
            "深入实施地理标志运用促进工程，推动地理标志与特色产业发展、生态文明建设、历史文化传承有机融合。",
            "推荐的地理标志应当产业基础好、带动作用强，近三年地理标志相关产业产值稳步增长，带动农户增收效果明显。",
            "各地要加强对地理标志使用的日常监管，指导使用主体规范标注地理标志，维护地理标志声誉。",
            "入选重点联系指导名录的地理标志，将在品牌宣传推广、产销对接等方面获得重点支持。",
        ),
        ("请各区知识产权局认真组织遴选，于{date}前将推荐材料报送市知识产权局。",),
        addressee="各区市场监督管理局（知识产权局）：",
    ),
    Holdout(
        ("关于开展集成电路布图设计专有权保护专题培训的通知",),
        "doc_type.notice",
        ("topic.ic_layout", "topic.talent.training"),
        ("audience.enterprise",),
        (
            "为帮助集成电路设计企业掌握布图设计登记和维权要点，市知识产权局定于{date}举办专题培训。",
            "培训围绕布图设计专有权的取得、布图设计登记申请文件撰写、侵权判定与维权策略等内容展开。",
            "本次培训邀请审查专家和执业律师授课，设置案例分析和互动答疑环节，学员完成培训后可获得培训证明。",
        ),
        ("培训对象为本市集成电路设计企业的研发负责人和知识产权管理人员，每家企业限报2人。",),
        addressee="各有关企业：",
    ),
    Holdout(
        ("关于{city}知识产权保护中心{year}年度工作情况的报告",),
        "doc_type.report",
        ("topic.protection.rapid", "topic.patent.application"),
        ("audience.government",),
        (
            "{year}年，保护中心累计受理专利预审请求{n}百余件，预审合格案件平均授权周期缩短至三个月以内。",
            "保护中心新增备案主体{c}家，覆盖新一代信息技术、高端装备等重点产业领域。",
            "全年办理知识产权维权援助事项{d}件，出具侵权判定咨询意见{n}份，为企业挽回经济损失。",
            "下一步，保护中心将拓展预审服务领域，推动快速预审服务向园区延伸。",
        ),
        ("现将有关情况报告如下，请市局领导审阅。",),
    ),
    Holdout(
        ("图解：专利开放许可制度", "图解：一张图看懂专利开放许可"),
        "doc_type.interpretation",
        ("topic.patent.open_license", "topic.utilization.transfer"),
        ("audience.university", "audience.enterprise"),
        (
            "什么是开放许可？专利权人自愿声明，任何人按照公告的许可费标准支付费用后即可实施其专利。",
            "开放许可有什么好处？许可条件公开透明，“一对多”许可降低了谈判成本，有利于专利技术快速转化。",
            "谁可以使用开放许可专利？有意愿实施专利的企业向专利权人书面通知并支付许可费后即获得许可。",
            "高校院所的存量专利可以通过开放许可方式向社会释放，实现专利价值。",
        ),
        ("高校、科研院所可作为许可方，企业可作为被许可方参与。",),
    ),
    Holdout(
        ("关于建立知识产权纠纷多元化解机制的实施意见",),
        "doc_type.opinion",
        ("topic.protection.dispute",),
        ("audience.government",),
        (
            "构建行政裁决、人民调解、仲裁、诉讼有机衔接的知识产权纠纷多元化解体系。",
            "在商会、行业协会设立知识产权纠纷调解委员会，推动纠纷化解在基层。",
            "完善诉调对接机制，法院立案前可委派调解组织开展调解，调解不成的及时转入诉讼程序。",
            "加强调解员队伍建设，定期开展调解业务培训和典型案例研讨。",
        ),
        ("市有关部门和各区人民政府要将纠纷多元化解工作纳入平安建设考核。",),
        addressee="各区人民政府，市有关部门：",
    ),
    Holdout(
        ("{city}企业海外知识产权纠纷应对指引",),
        "doc_type.guide",
        ("topic.overseas",),
        ("audience.enterprise",),
        (
            "企业在出口前应当开展目标市场知识产权风险排查，避免产品落入他人专利保护范围。",
            "收到境外知识产权侵权警告函或诉讼文书时，企业应当及时评估风险，在规定期限内作出回应。",
            "遭遇美国337调查的，企业应当尽快聘请专业律师，积极应诉，必要时寻求行业协会和政府部门的应对指导。",
            "企业可向国家海外知识产权纠纷应对指导中心{city}分中心申请免费应对指导服务。",
        ),
        ("本指引适用于在{city}注册、有出口或海外投资业务的企业。",),
    ),
    Holdout(
        ("关于对{n}家知识产权代理机构开展约谈的通告",),
        "doc_type.circular",
        ("topic.agency",),
        ("audience.service_agency",),
        (
            "经查，部分代理机构存在超出备案范围开展代理业务、以不正当手段承揽业务等问题。",
            "市知识产权局依法对相关代理机构负责人进行约谈，责令其限期整改，整改情况纳入日常监管。",
            "对约谈后仍不整改或者整改不到位的代理机构，将依法立案查处并向社会公开。",
        ),
        ("全市知识产权代理机构应当引以为戒，依法诚信执业。",),
    ),
    Holdout(
        ("{city}知识产权局政府信息主动公开基本目录",),
        "doc_type.list",
        ("topic.disclosure",),
        ("audience.individual",),
        (
            "本目录依据政府信息公开有关规定编制，列明我局应当主动公开的政府信息类别、内容和公开时限。",
            "机构职能、规范性文件、行政执法、财政预决算等信息，自形成或变更之日起20个工作日内主动公开。",
            "主动公开的政府信息通过门户网站政府信息公开专栏发布，并同步提供查阅服务。",
        ),
        ("社会公众可以通过门户网站查阅本目录所列政府信息。",),
    ),
    Holdout(
        ("关于进一步压缩专利业务办理时限优化服务的公告",),
        "doc_type.announcement",
        ("topic.business_env", "topic.patent"),
        ("audience.enterprise",),
        (
            "自{date}起，专利权质押登记、专利实施许可合同备案等业务办理时限由5个工作日压缩至2个工作日。",
            "专利收费减缴备案实行“即报即审”，符合条件的当场办结，进一步降低办事成本。",
            "推行专利业务“全程网办”，企业足不出户即可办理专利相关业务，持续优化营商环境。",
        ),
        ("企业办理专利业务遇到困难的，可拨打服务热线咨询。",),
    ),
    Holdout(
        ("{year}年度知识产权专业职称评审结果公示",),
        "doc_type.publicity",
        ("topic.talent.title",),
        ("audience.individual",),
        (
            "经个人申报、单位推荐、资格审查和评审委员会评审，以下人员通过{year}年度知识产权专业职称评审。",
            "其中，取得高级知识产权师资格{n}人，取得知识产权师资格{c}人。",
            "公示期间，对公示人员有异议的，可以书面形式向职称评审办公室反映，反映情况须实事求是。",
        ),
        ("公示对象为通过本年度评审的专业技术人员。",),
    ),
    Holdout(
        ("关于调整知识产权保险保费补贴标准的通知",),
        "doc_type.notice",
        ("topic.finance.insurance",),
        ("audience.enterprise.sme",),
        (
            "为进一步发挥知识产权保险的风险保障作用，决定自{year}年起调整保费补贴标准。",
            "对中小企业投保知识产权侵权损失险、海外展会知识产权险的，补贴比例由50%提高至{p}%。",
            "保费补贴实行年度申报，投保企业应当在保险期间届满前提交补贴申请和保单材料。",
        ),
        ("本通知所称中小企业，按照国家中小企业划型标准认定。",),
        addressee="各有关企业：",
    ),
    Holdout(
        ("{city}产业专利导航服务基地建设工作规划（2024—2027年）",),
        "doc_type.plan",
        ("topic.patent.navigation",),
        ("audience.park",),
        (
            "到2027年，在重点产业园区建成{n}家产业专利导航服务基地，形成覆盖主导产业的专利导航服务网络。",
            "服务基地围绕园区主导产业开展专利导航分析，为园区招商、人才引进和技术攻关提供决策参考。",
            "建立专利导航成果共享机制，导航报告在园区内免费开放使用。",
        ),
        ("各产业园区是服务基地建设的责任主体，园区管委会负责统筹推进。",),
    ),
    Holdout(
        ("关于认定第{n}批知识产权示范园区的决定",),
        "doc_type.decision",
        ("topic.demonstration",),
        ("audience.park",),
        (
            "经园区申报、专家评审和实地核查，决定认定{park}等{c}家园区为第{n}批知识产权示范园区。",
            "示范园区要发挥引领作用，健全园区知识产权服务体系，带动园区企业提升知识产权管理水平。",
            "对认定的示范园区实行动态管理，每两年开展一次考核评估。",
        ),
        ("各示范园区管委会要制定三年建设计划并报市知识产权局备案。",),
    ),
    Holdout(
        ("{city}知识产权证券化项目管理办法（征求意见稿）",),
        "doc_type.measures",
        ("topic.finance.securitization",),
        ("audience.enterprise",),
        (
            "知识产权证券化项目是指以企业知识产权许可费等未来现金流为基础资产，发行证券化产品的融资项目。",
            "入池企业应当拥有权属清晰的有效知识产权，近两年无严重失信记录。",
            "对成功发行的证券化项目，按照实际融资额给予入池企业一定比例的融资成本补贴。",
        ),
        ("本办法适用于在{city}依法设立的企业。",),
        stage=STAGE_DRAFT,
    ),
    Holdout(
        ("关于开展打击假冒专利违法行为专项行动的通知",),
        "doc_type.notice",
        ("topic.protection.enforcement", "topic.patent"),
        ("audience.government",),
        (
            "重点检查商品、包装和宣传材料上标注专利标识的情况，严厉打击假冒专利违法行为。",
            "对在产品上标注不存在的专利号、冒用他人专利号的，依法责令改正并予以处罚。",
            "各区要加大执法检查频次，每月对辖区重点商场、展会开展专利标识检查。",
        ),
        ("各区知识产权局要明确专人负责，按时报送专项行动进展。",),
        addressee="各区市场监督管理局（知识产权局）：",
    ),
    Holdout(
        ("关于开通{city}知识产权大数据服务平台的公告",),
        "doc_type.announcement",
        ("topic.public_service.info",),
        ("audience.enterprise", "audience.university"),
        (
            "{city}知识产权大数据服务平台已建成上线，汇集全球主要国家和地区的专利、商标数据。",
            "平台提供专利检索、法律状态查询、技术分析报告生成等服务，注册用户可免费使用基础功能。",
            "平台开放数据接口，支持有需求的单位批量获取知识产权数据。",
        ),
        ("欢迎本市企业、高校和科研院所注册使用。",),
    ),
]


# Second held-out batch, written after the fixes the first batch prompted and never tuned on.
HOLDOUTS_2 = [
    Holdout(
        ("关于组织开展{year}年度高价值专利培育项目申报工作的通知",),
        "doc_type.notice",
        ("topic.patent",),
        ("audience.enterprise", "audience.university"),
        (
            "高价值专利培育项目以产业关键核心技术为重点，支持申报单位围绕核心产品构建专利组合。",
            "项目实施周期为两年，承担单位应当组建由研发人员、知识产权管理人员和法律专家组成的培育团队。",
            "项目验收时，承担单位新增发明专利授权量应当不少于{n}件，并形成专利组合布局分析报告。",
            "每个项目给予不超过{d}万元资金支持，分两期拨付。",
        ),
        ("申报单位应为在{city}注册的企业或高校院所，具有较强的研发能力和专利运用基础。",),
        addressee="各有关单位：",
    ),
    Holdout(
        ("关于发布{year}年度{city}知识产权保护典型案例的通知",),
        "doc_type.notice",
        ("topic.protection.enforcement", "topic.protection.dispute", "topic.patent"),
        ("audience.government",),
        (
            "案例一：某电器公司专利侵权纠纷行政裁决案。请求人认为被请求人销售的产品落入其发明专利保护范围，"
            "市知识产权局经审理作出责令停止侵权的行政裁决。",
            "案例二：某商场销售假冒专利商品案。执法人员检查发现涉案产品标注的专利号已终止，依法责令改正并处以罚款。",
            "案例三：某科技公司专利许可费纠纷人民调解案。经调解委员会调解，双方当场达成调解协议并申请司法确认。",
        ),
        ("各区局要组织执法人员认真学习典型案例，统一执法尺度。",),
        addressee="各区市场监督管理局（知识产权局）：",
    ),
    Holdout(
        ("{city}知识产权运营服务体系建设实施方案",),
        "doc_type.scheme",
        ("topic.utilization.operation", "topic.utilization.valuation"),
        ("audience.government",),
        (
            "建设市级知识产权运营公共服务平台，集成挂牌交易、价值评估、质押融资对接和运营数据分析功能。",
            "培育知识产权运营机构，支持其开展专利收储、许可运营和产业化孵化业务。",
            "制定知识产权价值评估工作指引，引导评估机构规范开展评估业务，提高评估结果的可信度。",
            "建立运营项目库，每年遴选一批重点运营项目给予支持。",
        ),
        ("各区政府、市有关部门要将运营服务体系建设纳入年度重点工作。",),
    ),
    Holdout(
        ("关于开展{year}年度知识产权服务机构分级评价的通知",),
        "doc_type.notice",
        ("topic.agency.credit",),
        ("audience.service_agency",),
        (
            "分级评价结果分为A、B、C三级，作为分类监管、政策扶持和政府采购的重要参考。",
            "评价指标包括合规经营、服务质量、人员资质和信用记录，存在失信记录的机构不得评为A级。",
            "评价结果通过信用平台向社会公示，公示期满无异议的正式发布。",
        ),
        ("参评对象为在本市登记、从事知识产权代理、咨询、运营等业务满一年的服务机构。",),
    ),
    Holdout(
        ("一图读懂{city}地理标志专用标志使用申请流程",),
        "doc_type.interpretation",
        ("topic.gi.special_mark",),
        ("audience.enterprise",),
        (
            "第一步：地理标志产品产地范围内的生产者向所在区知识产权局提交专用标志使用申请。",
            "第二步：区局对申请材料进行初审，市局复核后报国家知识产权局审查。",
            "第三步：审查通过后，申请人成为专用标志合法使用人，可以在产品上标注专用标志。",
        ),
        ("生产企业可通过政务服务网在线提交申请。",),
    ),
    Holdout(
        ("关于公布{year}年度{city}专利转化运用优秀案例的通知",),
        "doc_type.notice",
        ("topic.utilization.transfer", "topic.patent"),
        ("audience.university", "audience.enterprise"),
        (
            "本批优秀案例涵盖高校专利作价入股、专利许可产业化和企业间专利转让等多种转化模式。",
            "某大学将一组新材料专利以许可方式授权本地企业实施，三年内实现新增产值逾亿元。",
            "某装备企业受让高校专利后开展二次开发，产品成功进入国际市场。",
        ),
        ("希望各高校院所和企业学习借鉴优秀案例经验，推动更多专利转化为现实生产力。",),
    ),
    Holdout(
        ("{city}知识产权人才发展规划（{year}—2030年）",),
        "doc_type.plan",
        ("topic.talent.training", "topic.talent.title"),
        ("audience.government",),
        (
            "到2030年，全市知识产权专业人才总量达到{n}千人，高层次知识产权人才队伍初具规模。",
            "实施知识产权人才培训计划，每年举办实务培训班{c}期以上，培训对象覆盖企业、高校和服务机构。",
            "完善知识产权专业职称评价制度，畅通知识产权人才职业发展通道。",
        ),
        ("市人力资源社会保障局、市知识产权局等市有关部门按职责分工抓好落实。",),
    ),
    Holdout(
        ("关于开展知识产权公共服务进园区活动的通知",),
        "doc_type.notice",
        ("topic.public_service",),
        ("audience.park", "audience.enterprise"),
        (
            "组织市知识产权公共服务中心和各类服务网点走进重点园区，开展知识产权公共服务政策宣讲。",
            "现场提供知识产权咨询、信息查询和业务办理指导，帮助园区企业解决实际问题。",
            "活动期间在园区设立临时公共服务点，每周固定时间提供面对面服务。",
        ),
        ("请各园区管委会做好场地保障和企业组织工作，园区企业可预约参加。",),
        addressee="各园区管委会：",
    ),
    Holdout(
        ("关于加强商标代理机构备案管理的通告",),
        "doc_type.circular",
        ("topic.agency",),
        ("audience.service_agency.trademark_agency",),
        (
            "从事商标代理业务的机构，应当依法向国家知识产权局办理备案，未备案的不得从事商标代理业务。",
            "商标代理机构名称、地址、负责人等备案信息发生变化的，应当在变化之日起30日内办理变更备案。",
            "对未备案从事商标代理、备案信息不实等违法行为，依法予以查处并记入信用档案。",
        ),
        ("全市商标代理机构应当对照本通告开展自查。",),
    ),
    Holdout(
        ("关于做好{year}年度专利优先审查推荐工作的通知",),
        "doc_type.notice",
        ("topic.patent.application",),
        ("audience.enterprise", "audience.university"),
        (
            "对涉及国家重点发展产业、地方重点产业的发明专利申请，申请人可以请求优先审查。",
            "申请人提交优先审查请求时，应当附具市知识产权局出具的推荐意见。",
            "优先审查推荐实行总量控制，优先推荐具有较好市场前景的专利申请。",
        ),
        ("企业、高校和科研院所可登录推荐系统在线提交推荐申请。",),
    ),
    Holdout(
        ("关于做好{year}年海外展会知识产权纠纷应对工作的通知",),
        "doc_type.notice",
        ("topic.overseas",),
        ("audience.enterprise",),
        (
            "参展企业应当在出展前对展品开展知识产权风险排查，必要时提前在展会所在国申请专利或注册商标。",
            "展会期间遭遇知识产权投诉或临时禁令的，企业应当保持冷静，第一时间联系展会知识产权服务站和应对指导专家。",
            "市知识产权局将联合行业协会组建海外展会纠纷应对专家团，为参展企业提供远程应对指导。",
        ),
        ("本通知面向计划赴境外参展的本市企业。",),
    ),
    Holdout(
        ("关于征求《{city}数据知识产权登记管理办法（征求意见稿）》意见的函",),
        "doc_type.letter",
        (),
        ("audience.government",),
        (
            "为规范数据知识产权登记工作，我局起草了《{city}数据知识产权登记管理办法（征求意见稿）》。",
            "办法共五章二十八条，明确了数据知识产权登记的对象、程序、效力和监督管理。",
            "请于{date}前将书面意见反馈我局，逾期未反馈的视为无意见。",
        ),
        ("请市有关部门、各区知识产权局研提意见。",),
        stage=STAGE_DRAFT,
        addressee="市有关部门，各区知识产权局：",
    ),
    Holdout(
        ("{city}知识产权局{year}年度政府信息公开工作年报",),
        "doc_type.annual_report",
        ("topic.disclosure", "topic.disclosure.on_request"),
        ("audience.individual",),
        (
            "本年度我局主动公开政府信息{n}百余条，及时发布规范性文件和政策解读。",
            "全年收到政府信息公开申请{c}件，全部按期答复，未发生因政府信息公开引起的行政复议和诉讼。",
            "下一步将进一步提升政府信息公开质量，更好满足人民群众的信息需求。",
        ),
        ("公民、法人或其他组织可以通过门户网站查阅本年报全文。",),
    ),
    Holdout(
        ("关于{park}知识产权质押融资服务站建设方案的批复",),
        "doc_type.reply",
        ("topic.finance.pledge",),
        ("audience.park",),
        (
            "你委《关于设立知识产权质押融资服务站的请示》收悉。经研究，原则同意在{park}设立知识产权质押融资服务站。",
            "服务站要联合合作银行为园区企业提供质押融资政策咨询、价值评估对接和质押登记指导。",
            "你委要加强服务站日常管理，每半年向我局报送一次质押融资服务情况。",
        ),
        ("请园区管委会按照批复要求抓好落实。",),
        addressee="{park}管委会：",
    ),
]


def make_holdout_doc(w: Writer, h: Holdout, target: int) -> dict[str, Any]:
    r = w.rng
    title = w.fill(r.choice(h.titles))
    body = ([w.fill(h.addressee)] if h.addressee else []) + [w.fill(p) for p in h.paragraphs]
    for sentence in h.audience_text:  # whom the scenario is for is always stated
        body.insert(r.randint(1, len(body)), w.fill(sentence))
    extra = [w.fill(d) for d in r.sample(HOLDOUT_DISTRACTORS, r.randint(1, 3))]
    while sum(len(p.encode()) for p in body) < target:
        body.append(w.generic_paragraph() + (extra.pop() if extra and r.random() < 0.3 else ""))
    body += [*extra, *w.footer()]
    labels = {"topic": list(h.topics), "audience": list(h.audience), "doc_type": [h.doc_type], "stage": [h.stage]}
    given = ZH_DOC_TYPE[h.doc_type] if r.random() < 0.5 else None
    return {"title": title, "body": "\n".join(body), "doc_type": given, "labels": labels}


def generate(seed: int, count: int, holdout: int = 0, holdout_2: int = 0) -> list[dict[str, Any]]:
    """`count` documents of the dev split, then `holdout` and `holdout_2` of the held-out splits."""
    rng = random.Random(seed)
    tree = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    parents = {t["code"]: t.get("parent") for t in tree["tags"]}
    docs = []
    for i in range(count + holdout + holdout_2):
        city, abbr = rng.choice(CITIES)
        year = rng.choice([2021, 2022, 2023, 2024, 2025])
        w = Writer(
            rng,
            {
                "city": city,
                "abbr": abbr,
                "year": year,
                "park": rng.choice(PARKS),
                "district": rng.choice(DISTRICTS),
                "n": rng.randint(2, 30),
                "a": rng.choice([1000, 2000, 3000, 5000]),
                "b": rng.choice([1, 2, 3, 5]),
                "c": rng.choice([300, 500, 800]),
                "d": rng.choice([10, 20, 30, 50]),
                "p": rng.choice([30, 50, 60]),
                "date": f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
            },
        )
        target = int(2048 * (10 ** rng.uniform(0, 1)))  # 2–20 KB of UTF-8, log-uniform
        if i >= count + holdout:
            j = i - count - holdout
            doc = make_holdout_doc(w, HOLDOUTS_2[j % len(HOLDOUTS_2)], target)
            split, name = "holdout2", f"holdout2-{j:04d}"
        elif i >= count:
            doc = make_holdout_doc(w, HOLDOUTS[(i - count) % len(HOLDOUTS)], target)
            split, name = "holdout", f"holdout-{i - count:04d}"
        elif i % 5 < 3:
            policy = POLICIES[(i // 5 * 3 + i % 5) % len(POLICIES)]
            doc = make_policy_doc(w, policy, rng.choice(POLICY_VARIANTS), target)
            split, name = "dev", f"eval-{i:04d}"
        else:
            doc = make_standalone_doc(w, STANDALONES[(i // 5 * 2 + i % 5 - 3) % len(STANDALONES)], target)
            split, name = "dev", f"eval-{i:04d}"
        doc["labels"] = {dim: close_under_parents(codes, parents) for dim, codes in doc["labels"].items()}
        docs.append({"id": name, "split": split, **doc})
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--holdout", type=int, default=90)
    parser.add_argument("--holdout-2", type=int, default=84)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    docs = generate(args.seed, args.count, args.holdout, args.holdout_2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    sizes = sorted(len(d["body"].encode()) for d in docs)
    print(
        f"wrote {len(docs)} documents to {args.out} (body {sizes[0]}–{sizes[-1]} bytes, median {sizes[len(sizes) // 2]})"
    )


if __name__ == "__main__":
    main()
