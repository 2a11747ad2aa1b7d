"""Generate bench/data/tagging_eval.jsonl: labelled documents for the tagging benchmark.

Labels come from what each template *means*, fixed here before any matcher runs:
every theme declares the topics it is about (THEME_TOPICS), every scenario declares its
audience and its document type, every variant its stage. The matcher is never imported.
Passing mentions of other topics and audiences (DISTRACTORS, boilerplate, law citations,
company names) are deliberately mixed in and deliberately left out of the labels.

    .venv/bin/python bench/make_tagging_eval.py [--seed 20240501] [--count 320]
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
    "滨江高新技术产业开发区", "临港经济技术开发区", "生物医药产业园", "未来科技城产业园", "软件产业园",
    "智能制造产业园区", "新材料产业园", "光谷科技园",
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
    "组织领导和统筹协调", "工作机制和制度建设", "督促检查和考核评价", "经费保障和资金管理", "宣传引导和舆论氛围",
    "工作台账和信息报送", "责任分工和任务落实", "队伍建设和作风建设", "风险研判和应急处置", "调查研究和经验总结",
    "廉政建设和纪律约束", "数据统计和分析研判",
]
_PURPOSES = [
    "确保各项任务落到实处", "形成上下联动、齐抓共管的工作格局", "推动工作提质增效", "不断提高工作的科学化水平",
    "为高质量发展提供有力支撑", "切实把好事办好、实事办实", "确保工作按时保质完成", "以钉钉子精神抓好落实",
    "及时研究解决工作中遇到的新情况新问题", "形成可复制、可推广的经验做法",
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
    Policy("{city}专利资助办法", "doc_type.measures", ("patent_subsidy", "pct_layout"),
           ("audience.enterprise", "audience.university", "audience.individual"), "articles"),
    Policy("{city}知识产权质押融资风险补偿资金管理办法", "doc_type.measures", ("patent_pledge",),
           ("audience.enterprise.sme",), "articles"),
    Policy("{city}知识产权保险保费补贴实施细则", "doc_type.rules", ("ip_insurance",), ("audience.enterprise",), "articles"),
    Policy("{city}专利开放许可试点工作方案", "doc_type.scheme", ("open_license",),
           ("audience.university", "audience.enterprise.sme"), "sections"),
    Policy("{city}专利转化专项计划实施方案", "doc_type.scheme", ("patent_transfer",),
           ("audience.university", "audience.enterprise.sme"), "sections"),
    Policy("{city}知识产权代理行业监督管理办法", "doc_type.measures", ("agency_general", "agency_credit"),
           ("audience.service_agency.patent_agency", "audience.service_agency.trademark_agency"), "articles"),
    Policy("{city}知识产权纠纷人民调解工作办法", "doc_type.measures", ("dispute_mediation",),
           ("audience.enterprise", "audience.individual"), "articles"),
    Policy("{city}关于强化知识产权保护的实施意见", "doc_type.opinion",
           ("enforcement", "protection_center", "dispute_mediation"), ("audience.government",), "sections"),
    Policy("{city}“十四五”知识产权发展规划", "doc_type.plan",
           ("high_value_patent", "trademark_brand", "enforcement", "patent_transfer", "tisc_network", "training"),
           ("audience.government",), "sections"),
    Policy("{city}{year}年知识产权工作要点", "doc_type.key_points",
           ("high_value_patent", "enforcement", "ip_operation", "info_service"), ("audience.government",), "sections"),
    Policy("{city}知识产权局{year}年政务公开工作要点", "doc_type.key_points", ("disclosure_work",),
           ("audience.government",), "sections"),
    Policy("{city}知识产权局政府信息公开指南", "doc_type.guide", ("disclosure_on_request", "disclosure_work"),
           ("audience.individual",), "sections"),
    Policy("{city}地理标志专用标志使用管理办法", "doc_type.measures", ("gi_mark",), ("audience.enterprise",), "articles"),
    Policy("{city}地理标志产品保护示范区建设方案", "doc_type.scheme", ("gi_product",), ("audience.government",), "sections"),
    Policy("{city}专利导航工程实施方案", "doc_type.scheme", ("patent_navigation",),
           ("audience.park", "audience.enterprise"), "sections"),
    Policy("{city}商标品牌指导站建设管理规定", "doc_type.provisions", ("trademark_brand",), ("audience.park",), "articles"),
    Policy("{city}知识产权领域优化营商环境若干措施", "doc_type.initiatives", ("business_env", "service_window"),
           ("audience.enterprise", "audience.government"), "sections"),
    Policy("{city}知识产权服务机构管理若干规定", "doc_type.provisions", ("agency_general",),
           ("audience.service_agency",), "articles"),
    Policy("{city}集成电路布图设计保护工作指引", "doc_type.guide", ("ic_layout",), ("audience.enterprise",), "sections"),
    Policy("{city}海外知识产权纠纷应对指导工作方案", "doc_type.scheme", ("overseas_dispute",),
           ("audience.enterprise",), "sections"),
    Policy("{city}知识产权专业人员职称评审办法", "doc_type.measures", ("professional_title",),
           ("audience.individual",), "articles"),
    Policy("{city}关于加强外商投资企业知识产权保护的意见", "doc_type.opinion", ("foreign_protection", "enforcement"),
           ("audience.enterprise.foreign",), "sections"),
    Policy("{city}知识产权证券化试点工作方案", "doc_type.scheme", ("securitization",),
           ("audience.enterprise.sme", "audience.park"), "sections"),
    Policy("{city}打击非正常专利申请行为专项行动方案", "doc_type.scheme", ("abnormal_patent", "agency_special_action"),
           ("audience.service_agency.patent_agency", "audience.university", "audience.enterprise"), "sections"),
]

STANDALONES = [
    Standalone(("关于开展{year}年园区中小企业专利质押融资入园惠企活动的通知",
                "关于开展{year}年{park}知识产权质押融资“入园惠企”活动的通知"),
               "doc_type.notice", ("patent_pledge",), ("audience.enterprise.sme", "audience.park"), "sections"),
    Standalone(("关于组织申报{year}年度专利导航项目的通知",),
               "doc_type.notice", ("patent_navigation",),
               ("audience.enterprise", "audience.university", "audience.park"), "sections"),
    Standalone(("关于开展{year}年度知识产权示范企业和优势企业认定工作的通知",),
               "doc_type.notice", ("demonstration",), ("audience.enterprise",), "sections"),
    Standalone(("关于举办{year}年{city}知识产权实务培训班的通知",),
               "doc_type.notice", ("training",),
               ("audience.enterprise", "audience.university", "audience.service_agency"), "sections"),
    Standalone(("关于开展第{n}届{city}专利奖评选工作的通知",),
               "doc_type.notice", ("patent_award",),
               ("audience.enterprise", "audience.university", "audience.individual"), "sections"),
    Standalone(("关于开展知识产权代理行业“蓝天”专项整治行动的通知",),
               "doc_type.notice", ("agency_special_action",),
               ("audience.government", "audience.service_agency"), "sections"),
    Standalone(("关于做好{year}年度知识产权保险保费补贴申报工作的通知",),
               "doc_type.notice", ("ip_insurance",), ("audience.enterprise.sme",), "sections"),
    Standalone(("关于征集{year}年度专利开放许可项目的通知",),
               "doc_type.notice", ("open_license",), ("audience.university",), "sections"),
    Standalone(("关于开展{year}年知识产权宣传周活动的通知",),
               "doc_type.notice", ("publicity_week",), ("audience.government", "audience.individual"), "sections"),
    Standalone(("关于开展商标品牌指导站进园区活动的通知",),
               "doc_type.notice", ("trademark_brand",), ("audience.park", "audience.enterprise.sme"), "sections"),
    Standalone(("关于公布{year}年{city}技术与创新支持中心（TISC）培育名单的通知",),
               "doc_type.notice", ("tisc_network",), ("audience.university",), "sections"),
    Standalone(("关于开展{year}年度知识产权行政执法“铁拳”专项行动的通知",),
               "doc_type.notice", ("enforcement",), ("audience.government",), "sections"),
    Standalone(("关于做好{year}年度{city}知识产权专业职称评审工作的通知",),
               "doc_type.notice", ("professional_title",), ("audience.individual",), "sections"),
    Standalone(("关于召开{year}年外资企业知识产权保护座谈会的通知",),
               "doc_type.notice", ("foreign_protection",), ("audience.enterprise.foreign",), "sections"),
    Standalone(("关于开展{year}年度专利转化专项计划项目申报的通知",),
               "doc_type.notice", ("patent_transfer",), ("audience.university", "audience.enterprise.sme"), "sections"),
    Standalone(("关于调整商标注册受理窗口业务办理时间的通知",),
               "doc_type.notice", ("trademark_registration", "service_window"),
               ("audience.enterprise", "audience.individual"), "sections"),
    Standalone(("关于开展{year}年度知识产权代理机构信用评价工作的通知",),
               "doc_type.notice", ("agency_credit",), ("audience.service_agency",), "sections"),
    Standalone(("关于开展{city}知识产权保护中心{year}年度专利预审服务备案工作的通知",),
               "doc_type.notice", ("patent_prereview",), ("audience.enterprise",), "sections"),
    Standalone(("关于举办知识产权价值评估业务培训班的通知",),
               "doc_type.notice", ("valuation", "training"), ("audience.service_agency",), "sections"),
    Standalone(("关于推荐海外知识产权纠纷应对指导专家的通知",),
               "doc_type.notice", ("overseas_dispute",), ("audience.service_agency", "audience.university"), "sections"),
    Standalone(("关于组织开展集成电路布图设计登记资助申报工作的通知",),
               "doc_type.notice", ("ic_layout",), ("audience.enterprise",), "sections"),
    Standalone(("关于支持企业开展PCT国际专利申请和海外专利布局的通知",),
               "doc_type.notice", ("pct_layout", "patent_subsidy"), ("audience.enterprise",), "sections"),
    Standalone(("{year}年度{city}知识产权示范企业名单", "{city}{year}年度知识产权优势企业名录"),
               "doc_type.list", ("demonstration",), ("audience.enterprise",), "list"),
    Standalone(("{city}知识产权服务机构名录（{year}年版）",),
               "doc_type.list", ("agency_directory",), ("audience.enterprise", "audience.service_agency"), "list"),
    Standalone(("{city}地理标志产品名录",),
               "doc_type.list", ("gi_product",), ("audience.enterprise",), "list"),
    Standalone(("{year}年度{city}专利资助拟资助项目公示",),
               "doc_type.publicity", ("patent_subsidy",), ("audience.enterprise", "audience.university"), "list"),
    Standalone(("关于{n}家专利代理机构列入经营异常名录的公告",),
               "doc_type.announcement", ("agency_credit",), ("audience.service_agency.patent_agency",), "short"),
    Standalone(("{city}知识产权局{year}年政府信息公开工作年度报告",),
               "doc_type.annual_report", ("disclosure_work", "disclosure_on_request"), ("audience.individual",),
               "annual_report"),
    Standalone(("{year}年{city}知识产权保护状况白皮书",),
               "doc_type.report", ("enforcement", "dispute_mediation", "protection_center"),
               ("audience.individual",), "sections"),
    Standalone(("关于{year}年度知识产权质押融资工作情况的报告",),
               "doc_type.report", ("patent_pledge",), ("audience.government",), "sections"),
    Standalone(("关于同意{park}设立知识产权保护工作站的批复",),
               "doc_type.reply", ("protection_center",), ("audience.park",), "short"),
    Standalone(("关于商请协助开展地理标志专用标志使用核查工作的函",),
               "doc_type.letter", ("gi_mark",), ("audience.government",), "short"),
    Standalone(("关于严厉打击侵犯注册商标专用权违法行为的通告",),
               "doc_type.circular", ("trademark_enforcement",), ("audience.enterprise", "audience.individual"), "short"),
    Standalone(("{city}知识产权保护工作联席会议纪要",),
               "doc_type.minutes", ("enforcement", "protection_center"), ("audience.government",), "short"),
]

STAGE_FINAL, STAGE_DRAFT, STAGE_REPEALED = "stage.final", "stage.draft", "stage.repealed"
ZH_DOC_TYPE = {
    "doc_type.notice": "通知", "doc_type.opinion": "意见", "doc_type.measures": "办法", "doc_type.provisions": "规定",
    "doc_type.rules": "细则", "doc_type.plan": "规划", "doc_type.scheme": "方案", "doc_type.key_points": "要点",
    "doc_type.initiatives": "措施", "doc_type.interpretation": "解读", "doc_type.announcement": "公告",
    "doc_type.circular": "通告", "doc_type.decision": "决定", "doc_type.list": "名录", "doc_type.annual_report": "年报",
    "doc_type.report": "报告", "doc_type.letter": "函", "doc_type.reply": "批复", "doc_type.publicity": "公示",
    "doc_type.guide": "指南", "doc_type.minutes": "纪要",
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
        out = []
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
        lines = [f"联系人：{self.rng.choice(PEOPLE)}，联系电话：0{self.rng.randint(100, 999)}-{self.rng.randint(10000000, 99999999)}"]
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
    items = [f"为{r.choice(_LEADS)}，根据有关法律法规，结合本市实际，制定本{kind_word}。",
             "".join(w.audience_sentences(audience))]
    topical: list[str] = []
    for theme in themes:
        topical += w.theme_paragraphs(theme, 3, 5)
    r.shuffle(topical)
    items += topical
    extra = w.distractors()
    tail = [f"本{kind_word}由{w.slots['city']}知识产权局负责解释。", f"本{kind_word}自{w.slots['date']}起施行，有效期五年。"]
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
    paras = w.theme_paragraphs(themes[0], 1, 2) + ["".join(w.audience_sentences(audience))]
    paras.append("序号  名称  所在区  联系电话")
    i = 1
    while sum(len(p.encode()) for p in paras) < target:
        paras.append(f"{i}  {w.firm()}  {r.choice(DISTRICTS)}  0{r.randint(100, 999)}-{r.randint(10000000, 99999999)}")
        i += 1
    paras += w.theme_paragraphs(themes[-1], 1, 1) + w.distractors()
    return paras


def _annual_report(w: Writer, themes: tuple[str, ...], audience: tuple[str, ...], target: int) -> list[str]:
    paras = [f"本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等内容。"]
    headings = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
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
    paras = topical[:1] + ["".join(w.audience_sentences(audience))] + topical[1:] + w.distractors()
    while sum(len(p.encode()) for p in paras) < target:
        paras.append(w.generic_paragraph())
    return paras


def _interpretation(w: Writer, policy_title: str, themes: tuple[str, ...], audience: tuple[str, ...], target: int) -> list[str]:
    r = w.rng
    paras = ["一、起草背景", f"为{r.choice(_LEADS)}，{w.slots['city']}知识产权局研究起草了《{policy_title}》。"]
    paras += ["二、主要内容"] + [p for t in themes for p in w.theme_paragraphs(t, 2, 3)]
    paras += ["三、适用对象", "".join(w.audience_sentences(audience))]
    paras += ["四、起草过程", r.choice([
        "在起草过程中，我局通过座谈会、书面征求意见等方式广泛征求意见，经合法性审核和集体审议后正式印发。",
        "文件经公开征求意见、合法性审核、公平竞争审查和局务会审议，现已正式印发实施。",
        "起草过程中深入开展调查研究，多次征求意见，充分吸收了各方面的合理建议。",
    ])]
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
        cover = w.header(p.audience, numbered=True) + [f"现将《{name}》印发给你们，请结合实际认真贯彻执行。", name]
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
        cover = [f"为提高政策制定的科学性和透明度，现将《{name}（征求意见稿）》向社会公开征求意见。",
                 f"公众可于{w.slots['date']}前通过电子邮件或信函方式反馈意见建议。"]
        body = cover + _policy_body(w, p, target) + w.footer()
        labels["stage"] = [STAGE_DRAFT]
    elif variant == "interpretation":
        title = r.choice([f"《{name}》政策解读", f"关于《{name}》的解读", f"一图读懂《{name}》",
                          f"{w.slots['city']}知识产权局有关负责人就《{name}》答记者问"])
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
        reason = r.choice(["因上位法修订，文件主要内容已不适应当前工作需要，", "因文件有效期届满且相关工作已纳入新的政策体系，"])
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
    labels = {"topic": topics_of(s.themes), "audience": list(s.audience), "doc_type": [s.doc_type], "stage": [STAGE_FINAL]}
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


POLICY_VARIANTS = ["direct", "direct", "issued", "issued", "draft", "interpretation", "interpretation", "repealed", "decision"]


def generate(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    tree = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    parents = {t["code"]: t.get("parent") for t in tree["tags"]}
    docs = []
    for i in range(count):
        city, abbr = rng.choice(CITIES)
        year = rng.choice([2021, 2022, 2023, 2024, 2025])
        w = Writer(rng, {
            "city": city, "abbr": abbr, "year": year, "park": rng.choice(PARKS), "district": rng.choice(DISTRICTS),
            "n": rng.randint(2, 30), "a": rng.choice([1000, 2000, 3000, 5000]), "b": rng.choice([1, 2, 3, 5]),
            "c": rng.choice([300, 500, 800]), "d": rng.choice([10, 20, 30, 50]), "p": rng.choice([30, 50, 60]),
            "date": f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        })
        target = int(2048 * (10 ** rng.uniform(0, 1)))  # 2–20 KB of UTF-8, log-uniform
        if i % 5 < 3:
            policy = POLICIES[(i // 5 * 3 + i % 5) % len(POLICIES)]
            doc = make_policy_doc(w, policy, rng.choice(POLICY_VARIANTS), target)
        else:
            doc = make_standalone_doc(w, STANDALONES[(i // 5 * 2 + i % 5 - 3) % len(STANDALONES)], target)
        doc["labels"] = {dim: close_under_parents(codes, parents) for dim, codes in doc["labels"].items()}
        docs.append({"id": f"eval-{i:04d}", **doc})
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    docs = generate(args.seed, args.count)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    sizes = sorted(len(d["body"].encode()) for d in docs)
    print(f"wrote {len(docs)} documents to {args.out} (body {sizes[0]}–{sizes[-1]} bytes, median {sizes[len(sizes) // 2]})")


if __name__ == "__main__":
    main()
