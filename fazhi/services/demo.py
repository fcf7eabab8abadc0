"""Demo data of the power list and service guides: the demo civil affairs bureau's published
power list (32 powers over the kinds such a bureau holds, each with its legal basis) and eleven
service items with published guides — all through the services (the list is imported as the
XLSX rows would be, then published by the legal office).

Idempotent: the list is built only when the agency has no power-list version yet; an item is
created only if missing, and its guide drafted and published only if it has none. Publishing is
dated two weeks before the year of cases begins (`year_start`), so every case of that year
follows a published guide.

With `history=True` (what `fazhi demo` asks for) the services' year follows, in one
transaction: the service centers (`demo_appointments`), a year of appointments and cases
(`demo_cases`), their ratings and bad-review loop (`demo_ratings`), then the sweeps that would
have run by now (no-shows, overdue cases, the loop's deadlines). The default builds the power
list and guides only, which the browser tests build their own cases upon.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fazhi.core.calendar import next_workday
from fazhi.core.models import Department
from fazhi.core.roles import Role
from fazhi.services.models import PowerList, ServiceGuide, ServiceItem
from fazhi.services.services import guides as guide_services
from fazhi.services.services import powers as power_services

SOCIAL_ORG = "社会组织管理局"
RELIEF = "社会救助科"
AFFAIRS = "社会事务科"
GRASSROOTS = "基层政权和社区建设科"
ELDERLY = "养老服务科"
MARRIAGE = "婚姻登记处"

# 序号, 事项名称, 事项类型, 设定依据, 责任处室, 承诺时限, 法定时限 (working days; blank: none)
POWERS = [
    ("001", "社会团体成立、变更、注销登记", "行政许可",
     "《社会团体登记管理条例》第三条、第九条、第十八条、第十九条", SOCIAL_ORG, 20, 40),
    ("002", "民办非企业单位成立、变更、注销登记", "行政许可",
     "《民办非企业单位登记管理暂行条例》第三条、第八条、第十五条、第十六条", SOCIAL_ORG, 15, 20),
    ("003", "慈善组织公开募捐资格审批", "行政许可", "《中华人民共和国慈善法》第二十二条",
     SOCIAL_ORG, 10, 15),
    ("004", "殡葬设施建设审批", "行政许可", "《殡葬管理条例》第八条", AFFAIRS, 15, 20),
    ("005", "地名命名、更名审批", "行政许可", "《地名管理条例》第十条、第十一条", GRASSROOTS,
     15, 20),
    ("006", "最低生活保障金给付", "行政给付",
     "《社会救助暂行办法》第九条、第十一条、第十二条", RELIEF, 15, 20),
    ("007", "特困人员救助供养", "行政给付", "《社会救助暂行办法》第十四条、第十五条、第十六条",
     RELIEF, 15, 20),
    ("008", "临时救助金给付", "行政给付", "《社会救助暂行办法》第四十七条、第四十八条", RELIEF,
     5, 10),
    ("009", "受灾人员救助", "行政给付", "《自然灾害救助条例》第十四条、第十九条、第二十一条",
     RELIEF, None, None),
    ("010", "生活无着的流浪、乞讨人员救助", "行政给付",
     "《城市生活无着的流浪乞讨人员救助管理办法》第二条、第五条", RELIEF, None, None),
    ("011", "困难残疾人生活补贴和重度残疾人护理补贴给付", "行政给付",
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
     AFFAIRS, 15, 20),
    ("012", "高龄津贴给付", "行政给付", "《中华人民共和国老年人权益保障法》第三十三条", ELDERLY,
     10, 20),
    ("013", "孤儿基本生活费给付", "行政给付",
     "《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）", AFFAIRS, 15, 20),
    ("014", "事实无人抚养儿童基本生活补贴给付", "行政给付",
     "《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）",
     AFFAIRS, 15, 20),
    ("015", "内地居民结婚登记", "行政确认",
     "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条、第七条", MARRIAGE, 1, 1),
    ("016", "内地居民离婚登记", "行政确认",
     "《中华人民共和国民法典》第一千零七十六条、第一千零七十七条；《婚姻登记条例》第十条、第十三条",
     MARRIAGE, None, None),
    ("017", "补领婚姻登记证", "行政确认", "《婚姻登记条例》第十七条", MARRIAGE, 1, 1),
    ("018", "收养登记", "行政确认",
     "《中华人民共和国民法典》第一千一百零五条；《中国公民收养子女登记办法》第二条、第七条",
     AFFAIRS, 20, 30),
    ("019", "低收入家庭认定", "行政确认",
     "《社会救助暂行办法》第六十条；《最低生活保障审核确认办法》（民发〔2021〕57号）第三十五条",
     RELIEF, 15, 20),
    ("020", "对社会团体违反登记管理规定的行政处罚", "行政处罚",
     "《社会团体登记管理条例》第三十条、第三十一条、第三十二条", SOCIAL_ORG, None, None),
    ("021", "对民办非企业单位违法行为的行政处罚", "行政处罚",
     "《民办非企业单位登记管理暂行条例》第二十五条、第二十六条", SOCIAL_ORG, None, None),
    ("022", "对慈善组织违法行为的行政处罚", "行政处罚",
     "《中华人民共和国慈善法》第一百零九条、第一百一十条", SOCIAL_ORG, None, None),
    ("023", "对殡葬违法行为的行政处罚", "行政处罚",
     "《殡葬管理条例》第十八条、第二十条、第二十二条", AFFAIRS, None, None),
    ("024", "对养老机构违法行为的行政处罚", "行政处罚",
     "《中华人民共和国老年人权益保障法》第七十八条；《养老机构管理办法》第四十六条", ELDERLY,
     None, None),
    ("025", "对采取虚报、隐瞒、伪造等手段骗取社会救助资金、物资的行政处罚", "行政处罚",
     "《社会救助暂行办法》第六十八条", RELIEF, None, None),
    ("026", "对社会组织的行政检查", "行政检查",
     "《社会团体登记管理条例》第二十四条；《民办非企业单位登记管理暂行条例》第十九条；"
     "《基金会管理条例》第三十四条", SOCIAL_ORG, None, None),
    ("027", "对养老机构的监督检查", "行政检查",
     "《中华人民共和国老年人权益保障法》第四十四条；《养老机构管理办法》第三十六条", ELDERLY,
     None, None),
    ("028", "对殡葬服务单位的监督检查", "行政检查", "《殡葬管理条例》第四条", AFFAIRS, None,
     None),
    ("029", "对取缔的非法社会组织的有关场所、物品予以查封、扣押", "行政强制",
     "《取缔非法民间组织暂行办法》第四条", SOCIAL_ORG, None, None),
    ("030", "对在社会救助工作中作出显著成绩的单位、个人的表彰奖励", "行政奖励",
     "《社会救助暂行办法》第八条", RELIEF, None, None),
    ("031", "行政区域界线争议裁决", "行政裁决", "《行政区域边界争议处理条例》第八条、第十条",
     GRASSROOTS, None, None),
    ("032", "养老机构备案", "其他行政权力",
     "《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》第九条", ELDERLY, 5, 5),
]  # fmt: skip

ID_CARD = {"name": "居民身份证", "form": "original", "count": 1, "issued_by": "公安机关"}
HOUSEHOLD = {"name": "居民户口簿", "form": "original", "count": 1, "issued_by": "公安机关",
             "platform_holds": True}  # fmt: skip
PLACE = "示例区政务服务中心二楼民政窗口（示例路 100 号）"
HOURS = "工作日 9:00—12:00，13:30—17:00"

# 事项名称, 权力序号, 处室, 网办, 全市通办, 条件, 材料, 步骤, 承诺, 法定
ITEMS = [
    ("社会团体成立登记", "001", SOCIAL_ORG, True, False,
     "有 50 个以上的个人会员或者 30 个以上的单位会员；有规范的名称和相应的组织机构；"
     "有固定的住所；有合法的资产和经费来源（地方性社会团体不少于 3 万元）；业务主管单位已同意。",
     [{"name": "登记申请书", "form": "original", "count": 1},
      {"name": "业务主管单位的批准文件", "form": "original", "count": 1},
      {"name": "验资报告或者资金证明", "form": "original", "count": 1,
       "issued_by": "会计师事务所或者银行"},
      {"name": "住所使用权证明", "form": "copy", "count": 1},
      {"name": "章程草案", "form": "original", "count": 1}],
     ["申请", "受理", "审查（必要时实地核查）", "决定", "发证"], 20, 40),
    ("民办非企业单位成立登记", "002", SOCIAL_ORG, True, False,
     "经业务主管单位审查同意；有规范的名称、必要的组织机构；有与其业务活动相适应的从业人员、"
     "合法财产和固定住所。",
     [{"name": "登记申请书", "form": "original", "count": 1},
      {"name": "业务主管单位的批准文件", "form": "original", "count": 1},
      {"name": "场所使用权证明", "form": "copy", "count": 1},
      {"name": "验资报告", "form": "original", "count": 1, "issued_by": "会计师事务所"},
      {"name": "拟任负责人的身份证明", "form": "copy", "count": 1}],
     ["申请", "受理", "审查", "决定", "发证"], 15, 20),
    ("最低生活保障申请", "006", RELIEF, True, True,
     "共同生活的家庭成员人均收入低于本区最低生活保障标准，且家庭财产状况符合规定。",
     [ID_CARD, HOUSEHOLD,
      {"name": "最低生活保障申请书", "form": "original", "count": 1},
      {"name": "家庭经济状况核对授权书", "form": "original", "count": 1},
      {"name": "残疾人证或者病历证明（如有）", "form": "copy", "count": 1}],
     ["向户籍所在地街道（乡镇）提出申请", "入户调查和经济状况核对", "公示", "审核确认",
      "发放保障金"], 15, 20),
    ("特困人员救助供养申请", "007", RELIEF, True, False,
     "无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人或者其义务人无履行能力的老年人、"
     "残疾人以及未满 16 周岁的未成年人。",
     [ID_CARD, HOUSEHOLD, {"name": "特困人员救助供养申请书", "form": "original", "count": 1}],
     ["申请", "调查核实", "公示", "审核确认", "供养"], 15, 20),
    ("临时救助申请", "008", RELIEF, False, True,
     "因火灾、交通事故、突发重大疾病等意外事件，导致基本生活暂时出现严重困难的家庭或者个人。",
     [ID_CARD, {"name": "临时救助申请书", "form": "original", "count": 1},
      {"name": "困难情况证明（医疗费用票据、事故证明等）", "form": "copy", "count": 1}],
     ["申请", "审核", "审批", "发放"], 5, 10),
    ("高龄津贴申领", "012", ELDERLY, True, True,
     "具有本区户籍、年满 80 周岁的老年人。",
     [ID_CARD, HOUSEHOLD,
      {"name": "本人银行账户信息", "form": "copy", "count": 1, "issued_by": "开户银行"}],
     ["申请", "街道（乡镇）初审", "区民政局审核", "按月发放"], 10, 20),
    ("结婚登记", "015", MARRIAGE, False, True,
     "男女双方完全自愿；男方年满 22 周岁、女方年满 20 周岁；双方均无配偶；"
     "不属于直系血亲或者三代以内的旁系血亲。",
     [{"name": "双方的居民身份证", "form": "original", "count": 2, "issued_by": "公安机关"},
      {"name": "双方近期半身免冠合影照片", "form": "original", "count": 3},
      {"name": "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
       "form": "original", "count": 2}],
     ["预约或者现场取号", "双方亲自到场申请", "审查", "登记并颁发结婚证"], 1, 1),
    ("离婚登记", "016", MARRIAGE, False, False,
     "夫妻双方自愿离婚，对子女抚养、财产以及债务处理等事项协商一致；自申请之日起 30 日冷静期"
     "届满后 30 日内双方亲自到场申请发给离婚证。",
     [{"name": "双方的居民身份证", "form": "original", "count": 2, "issued_by": "公安机关"},
      {"name": "结婚证", "form": "original", "count": 2, "issued_by": "婚姻登记机关"},
      {"name": "离婚协议书", "form": "original", "count": 3}],
     ["申请", "受理", "冷静期（30 日）", "审查", "登记（发证）"], None, None),
    ("补领婚姻登记证", "017", MARRIAGE, False, True,
     "结婚证、离婚证遗失或者损毁，当事人可以向原办理婚姻登记的机关或者一方常住户口所在地的"
     "婚姻登记机关申请补领。",
     [ID_CARD, {"name": "近期半身免冠照片", "form": "original", "count": 2},
      {"name": "补领婚姻登记证申请书", "form": "original", "count": 1}],
     ["申请", "核查婚姻登记档案", "补发"], 1, 1),
    ("收养登记", "018", AFFAIRS, False, False,
     "收养人无子女或者只有一名子女，有抚养、教育和保护被收养人的能力，未患有在医学上认为不应当"
     "收养子女的疾病，无不利于被收养人健康成长的违法犯罪记录，年满 30 周岁。",
     [ID_CARD, HOUSEHOLD,
      {"name": "收养申请书", "form": "original", "count": 1},
      {"name": "收养人婚姻状况和子女情况证明", "form": "original", "count": 1},
      {"name": "县级以上医疗机构出具的体检证明", "form": "original", "count": 1,
       "issued_by": "县级以上医疗机构"}],
     ["申请", "受理", "收养评估", "公告（查找弃婴、儿童生父母）", "登记并颁发收养登记证"],
     20, 30),
    ("养老机构备案", "032", ELDERLY, True, True,
     "设立养老机构，应当在收到营业执照或者登记证书后办理备案。",
     [{"name": "备案书", "form": "original", "count": 1},
      {"name": "营业执照或者登记证书", "form": "copy", "count": 1},
      {"name": "养老机构场所符合消防安全要求的承诺书", "form": "original", "count": 1}],
     ["提交备案材料", "备案回执", "三个月内现场检查"], 5, 5),
]  # fmt: skip


def year_start(today: date) -> date:
    """The first day of the demo's year of services: 1 November of last year, or a year ago if
    that is earlier (so that last year's annual report has a November and December of cases)."""
    return min(today - timedelta(days=365), date(today.year - 1, 11, 1))


def _publish_day() -> date:
    """Two weeks before the year of cases begins: every demo case follows a published guide."""
    return next_workday(year_start(timezone.localdate()) - timedelta(days=14))


# What the year adds to the counts `build_services_demo` returns.
HISTORY = ("centers", "appointments", "cases", "ratings", "bad_reviews")


def build_services_demo(agency, *, history: bool = False) -> dict[str, int]:
    """Build the demo power list and guides and, with `history`, the year of centers,
    appointments, cases and ratings; returns what it created."""
    created = {"powers": 0, "items": 0, "guides": 0}
    if history:
        created.update(dict.fromkeys(HISTORY, 0))
    officer = get_user_model().objects.filter(username=Role.LEGAL_OFFICER.value).first()
    if officer is None:
        return created
    _build_list_and_guides(agency, officer, created)
    if history:
        created.update(_build_history(agency, officer))
    return created


def _build_history(agency, officer) -> dict[str, int]:
    from fazhi.services.demo_appointments import build_centers
    from fazhi.services.demo_cases import build_year, run_sweeps
    from fazhi.services.demo_ratings import build_ratings_demo

    # One transaction: all or nothing (the year is built only into an agency without cases
    # and appointments, so a half-built one would never be completed), and one commit for
    # some thousands of rows instead of one each.
    with transaction.atomic():
        centers, center_records = build_centers(agency, officer)
        year = build_year(agency, centers)
        ratings = build_ratings_demo(agency, links=year.links)
        if year.built:
            run_sweeps()
    return {
        "centers": center_records,
        "appointments": year.appointments,
        "cases": year.cases,
        "ratings": ratings["ratings"],
        "bad_reviews": ratings["bad"],
    }


def _build_list_and_guides(agency, officer, created: dict[str, int]) -> None:
    day = _publish_day()
    if not PowerList.objects.filter(agency=agency).exists():
        draft = power_services.power_list_start_draft(
            actor=officer, agency=agency, note="年度权力清单"
        )
        records = [
            (
                row,
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "basis": basis,
                    "implementing_body": agency.name,
                    "department": department,
                    "promised_days": promised,
                    "statutory_days": statutory,
                },
            )
            for row, (code, name, kind, basis, department, promised, statutory) in enumerate(
                POWERS, start=2
            )
        ]
        power_services.power_list_import(actor=officer, power_list=draft, records=records)
        power_services.power_list_publish(actor=officer, power_list=draft, on=day)
        created["powers"] = len(POWERS)
    departments = {d.name: d for d in Department.objects.filter(agency=agency)}
    for (name, code, department, online, citywide, conditions, materials, steps, promised,
         statutory) in ITEMS:  # fmt: skip
        item = ServiceItem.objects.filter(agency=agency, name=name).first()
        if item is None:
            item = guide_services.item_create(
                actor=officer,
                agency=agency,
                power_code=code,
                name=name,
                department=departments[department],
                online=online,
                citywide=citywide,
            )
            created["items"] += 1
        if ServiceGuide.objects.filter(item=item).exists():
            continue
        guide = guide_services.guide_start_draft(actor=officer, item=item)
        guide = guide_services.guide_update(
            actor=officer,
            guide=guide,
            data={
                "conditions": conditions,
                "materials": materials,
                "steps": steps,
                "promised_days": promised,
                "statutory_days": statutory,
                "fee": "不收费",
                "place": PLACE,
                "hours": HOURS,
            },
        )
        guide_services.guide_publish(actor=officer, guide=guide, on=day)
        created["guides"] += 1
