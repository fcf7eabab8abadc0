"""Demo disclosure requests: a year of 依申请公开 on the statutory clock (`fazhi demo`).

Every request is registered and handled through the services (`fazhi.disclosure.services`) as
the demo legal officer 王法制, with the leader 陈局长 approving the one extension, so every record
has passed its gates and has its audit events. Unlike the rules demo, nothing is re-dated
afterwards: each service takes the date of its step (`arrived_on`, `notice_on`,
`supplemented_on`, `sent_on`, `answered_on`, `approved_on`, `paid_on`, `replied_on`, `filed_on`,
`result_on`), so the year is told as it happened. The one exception is the portal's
`request_submit`, which always receives today (an application online is received when it is
sent): the demo's portal applications are therefore today's.

The year: requests received from November of the previous year to today, dated in working days
before the build day (so the story fits any build day: a step never lands after today), plus a
few received in the previous November and December and concluded in January, so that table 三
has 上年结转 and the previous year has 结转下年度. Every one of the 21 outcomes, every applicant
kind and every channel occurs; some requests are still open today (one overdue, one due in a
few days, one waiting for a supplement, one for a third party, one for payment). Table 四 gets
reconsiderations and lawsuits with every result.

The catalogue of proactive disclosure gets records in every state — drafted by the clerk of
社会救助科 and reviewed by its head, or by the legal office for records of no section; one waits
in 保密审查 with the scan's findings open, one was released after its findings were masked — and
the previous year's annual report is drafted: its three written sections and table 二's hand
figures entered, ready for the office to finalise. 保密审查 and submission are timed now (their
services take no date), publication and withdrawal on their own dates.

Idempotent: a request is identified by its applicant's name and its description, a challenge by
its subject, a catalogue record by its title, the report by its year; those already in the agency
are left alone, so running `fazhi demo` again (on any day) adds nothing. Deterministic: the
filler requests come from a seeded random generator.
"""

from __future__ import annotations

import random
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from fazhi.core.calendar import add_workdays, workdays_between
from fazhi.core.identity.validators import credit_code_check_char, resident_id_check_char
from fazhi.disclosure import selectors, services
from fazhi.disclosure.choices import (
    SELF_SERVICE_CHANNELS,
    ApplicantKind,
    Channel,
    ConsultationAnswer,
    ConsultationKind,
    DeliveryMethod,
    FeeBasis,
    IdDocument,
    InfoForm,
    NoticeDocument,
)
from fazhi.disclosure.models import (
    AnnualReport,
    DisclosureChallenge,
    DisclosureRequest,
    PublicRecord,
    ScanFinding,
)
from fazhi.disclosure.models.proactive import Category, FiveDisclosures, Validity
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.services import Part

SEED = 2026
FREE_PAGES_EXCEEDED = 86  # pages of a copy the per-volume fee charges for (30 are free)
Kind, Result = DisclosureChallenge.Kind, DisclosureChallenge.Result


# --- Applicants -------------------------------------------------------------------------------


def _resident_id(region: str, born: str, sequence: int) -> str:
    first17 = f"{region}{born}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# Natural persons: name, birth date, address. Resident ID numbers carry valid check digits and
# birth dates; phones are 138/139 numbers, as the demo's other people have.
PEOPLE = (
    ("陈建国", "19620315", "示例区东湖路18弄3号"),
    ("刘芳", "19850722", "示例区湖滨新村6号楼502室"),
    ("王小明", "19900101", "示例区西山路120号"),
    ("赵丽华", "19781109", "示例区枫林苑2号楼1101室"),
    ("孙伟", "19700528", "示例区南岭镇石桥村12组"),
    ("周敏", "19921203", "示例区北塘镇荷花路8号"),
    ("吴强", "19680817", "示例区人民路66号"),
    ("郑秀英", "19550430", "示例区新村路33弄7号"),
    ("冯磊", "19880214", "示例区东湖路200号"),
    ("何静", "19951018", "示例区湖滨路9号"),
    ("马红梅", "19730906", "示例区西山街道枫林居委会"),
    ("朱国平", "19600125", "示例区南岭镇南岭路5号"),
)
# The applicant whose eleventh request in one month is refused as 大量反复申请 (Art. 35).
FREQUENT = "黄德明"
FREQUENT_BORN = "19660601"

ORGANISATIONS = (
    # (name, kind, first 17 characters of the credit code, contact person)
    ("示例商贸有限公司", ApplicantKind.BUSINESS, "91310115MA1K3T6Q0", "李四"),
    ("示例区康乐养老服务有限公司", ApplicantKind.BUSINESS, "91310115MA1H8N2C7", "钱海燕"),
    ("示例大学社会保障研究中心", ApplicantKind.RESEARCH, "12310000425006113", "林教授"),
    ("示例区阳光助残公益基金会", ApplicantKind.PUBLIC_WELFARE, "53310115MJ4987216", "高志远"),
    ("示例律师事务所", ApplicantKind.LEGAL_SERVICE, "31310000E12345678", "唐律师"),
    ("湖滨花园业主委员会", ApplicantKind.OTHER_ORGANISATION, "81310115MC0123456", "方主任"),
)


def _phone(index: int) -> str:
    return f"{138 + index % 2}{17250000 + index * 7919:08d}"


def applicants() -> dict[str, services.Applicant]:
    """Every demo applicant by name."""
    found: dict[str, services.Applicant] = {}
    for index, (name, born, address) in enumerate(PEOPLE):
        found[name] = services.Applicant(
            kind=ApplicantKind.NATURAL_PERSON,
            name=name,
            id_document=IdDocument.RESIDENT_ID,
            id_number=_resident_id("310115", born, 101 + 2 * index),
            phone=_phone(index),
            email=f"demo{index + 1}@example.com",
            address=address,
            postal_code="200120",
        )
    found[FREQUENT] = services.Applicant(
        kind=ApplicantKind.NATURAL_PERSON,
        name=FREQUENT,
        id_document=IdDocument.RESIDENT_ID,
        id_number=_resident_id("310104", FREQUENT_BORN, 357),
        phone=_phone(40),
        address="示例区人民路1号",
        postal_code="200120",
    )
    # A resident of Hong Kong applies with the mainland travel permit (其他身份证件).
    found["陈嘉欣"] = services.Applicant(
        kind=ApplicantKind.NATURAL_PERSON,
        name="陈嘉欣",
        id_document=IdDocument.OTHER,
        other_id_type="港澳居民来往内地通行证",
        id_number="H60231587",
        phone=_phone(41),
        email="demo.hk@example.com",
        address="示例区湖滨路88号",
        postal_code="200120",
    )
    for index, (name, kind, first17, contact) in enumerate(ORGANISATIONS):
        found[name] = services.Applicant(
            kind=kind,
            name=name,
            id_document=IdDocument.CREDIT_CODE,
            id_number=_credit_code(first17),
            phone=_phone(50 + index),
            contact_person=contact,
            email=f"org{index + 1}@example.com",
            address=f"示例区世纪大道{100 + index * 11}号",
            postal_code="200120",
        )
    return found


# --- The requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One demo request and how it was handled.

    `ago` is the day of receipt in working days before the build day; `previous` instead puts it
    on (month, day) of the previous year (the last working day on or before it). Each later step
    is a number of working days after the step before. A step that would fall after today is
    not taken, so the request stays open at the stage it reached.
    """

    applicant: str
    description: str
    channel: str = Channel.VISIT
    ago: int = 0
    previous: tuple[int, int] | None = None
    outcome: str = ""  # "": not replied (open, or closed by a lapse)
    reply_after: int = 12
    info_form: str = InfoForm.ELECTRONIC
    delivery: str = DeliveryMethod.POST
    info_reference: str = ""
    supplement: str = ""  # "received", "lapsed" or "waiting"
    consultation: str = ""  # a ConsultationAnswer, or "waiting"
    consultation_kind: str = ConsultationKind.THIRD_PARTY
    consultation_party: str = "示例区康乐养老服务有限公司"
    extension: int = 0  # working days approved by the leader
    fee: str = ""  # "paid", "lapsed" or "waiting"
    parts: tuple[Part, ...] = ()
    referral: str = ""
    text: str = ""  # the reply's words; a text per outcome when empty

    @property
    def key(self) -> tuple[str, str]:
        return (self.applicant, self.description)


REPLY_TEXTS = {
    Outcome.DISCLOSED: "经审查，您申请获取的政府信息属于公开范围，现予以提供，详见附件。",
    Outcome.PARTIAL: "经审查，您申请获取的政府信息中部分内容可以公开，现予以提供；"
    "其余部分不予公开，理由见下。",
    Outcome.WITHHELD_STATE_SECRET: "经审查，您申请获取的信息经依法确定为国家秘密，不予公开。",
    Outcome.WITHHELD_PROHIBITED: "经审查，您申请获取的信息属于《中华人民共和国统计法》规定应当"
    "保密的统计调查对象资料，不予公开。",
    Outcome.WITHHELD_SECURITY: "经审查，您申请获取的信息公开后可能危及社会稳定，不予公开。",
    Outcome.WITHHELD_THIRD_PARTY: "经征求第三方意见，第三方不同意公开，且不公开不会对公共利益造成"
    "重大影响，不予公开。",
    Outcome.WITHHELD_INTERNAL: "经审查，您申请获取的信息属于本机关内部管理信息，不予公开。",
    Outcome.WITHHELD_PROCESS: "经审查，您申请获取的信息属于研究讨论过程中的过程性信息，不予公开。",
    Outcome.WITHHELD_CASE_FILE: "经审查，您申请获取的信息属于行政执法案卷，不予公开。",
    Outcome.WITHHELD_QUERY: "您申请获取的是本人的婚姻登记档案，属于行政查询事项，请持身份证件到"
    "婚姻登记处办理查询。",
    Outcome.UNAVAILABLE_NOT_HELD: "经检索，本机关不掌握您申请获取的政府信息。",
    Outcome.UNAVAILABLE_NEEDS_CREATION: "您申请获取的信息需要本机关对现有资料进行汇总、加工后另行"
    "制作，本机关不予提供。",
    Outcome.UNAVAILABLE_UNCLEAR: "您补正后的申请内容仍不明确，本机关无法确定您所需的政府信息。",
    Outcome.NOT_PROCESSED_PETITION: "您提出的事项属于投诉举报，请按照《信访工作条例》的规定提出，"
    "本机关不作为政府信息公开申请处理。",
    Outcome.NOT_PROCESSED_REPEAT: "您提出的申请与本机关已答复的申请内容相同，属于重复申请，不予"
    "重复处理。",
    Outcome.NOT_PROCESSED_PUBLICATION: "您申请获取的《示例区年鉴》为公开出版物，可在区图书馆查阅，"
    "本机关不予处理。",
    Outcome.NOT_PROCESSED_EXCESSIVE: "您本月申请数量、频次明显超过合理范围，且未说明理由，本机关"
    "不予处理。",
    Outcome.NOT_PROCESSED_CONFIRMATION: "您要求本机关确认已获取信息的真实性，不属于政府信息公开申请"
    "的范围，本机关不予处理。",
    Outcome.OTHER: "您已于答复前书面撤回本申请，本机关终止办理。",
}

PARTIAL_PARTS = (
    Part("各街道（镇）低保家庭户数和保障金额汇总表", True),
    Part(
        "低保家庭成员姓名、身份证号码和家庭住址",
        False,
        Outcome.WITHHELD_THIRD_PARTY,
        "属于个人隐私，公开会对第三方合法权益造成损害（条例第十五条）。",
    ),
)

NOT_HELD_REFERRAL = "示例区人力资源和社会保障局，电话 021-58001234"

# One request for each outcome, the procedure's steps, and the channels staff register.
CASES: tuple[Case, ...] = (
    Case(
        "陈建国",
        "上年度本区最低生活保障资金发放汇总情况。",
        channel=Channel.VISIT,
        ago=200,
        outcome=Outcome.DISCLOSED,
        reply_after=8,
    ),
    Case(
        "示例大学社会保障研究中心",
        "本区最低生活保障家庭的户数、人数及保障金额，按街道（镇）分列。",
        channel=Channel.EMAIL,
        ago=180,
        outcome=Outcome.PARTIAL,
        parts=PARTIAL_PARTS,
        consultation=ConsultationAnswer.OBJECTION,
        consultation_party="东湖街道低保家庭代表",
        reply_after=4,
    ),
    Case(
        "刘芳",
        "区民政局关于边境地区社会组织管理的内部部署文件。",
        channel=Channel.REGISTERED_MAIL,
        ago=170,
        outcome=Outcome.WITHHELD_STATE_SECRET,
    ),
    Case(
        "示例大学社会保障研究中心",
        "上年度本区社会救助统计调查中各调查户的原始调查表。",
        channel=Channel.EMAIL,
        ago=160,
        outcome=Outcome.WITHHELD_PROHIBITED,
    ),
    Case(
        "吴强",
        "区内重点信访人员稳控工作方案。",
        channel=Channel.ORDINARY_MAIL,
        ago=150,
        outcome=Outcome.WITHHELD_SECURITY,
    ),
    Case(
        "示例商贸有限公司",
        "示例区康乐养老服务有限公司投标养老服务项目时提交的成本测算和财务报表。",
        channel=Channel.FAX,
        ago=140,
        outcome=Outcome.WITHHELD_THIRD_PARTY,
        consultation=ConsultationAnswer.OBJECTION,
        reply_after=3,
    ),
    Case(
        "赵丽华",
        "区民政局机关干部年度考核的内部打分表。",
        channel=Channel.VISIT,
        ago=130,
        outcome=Outcome.WITHHELD_INTERNAL,
    ),
    Case(
        "示例区阳光助残公益基金会",
        "区民政局关于调整残疾人两项补贴标准的局务会讨论记录和各科室意见。",
        channel=Channel.EMAIL,
        ago=125,
        outcome=Outcome.WITHHELD_PROCESS,
    ),
    Case(
        "示例律师事务所",
        "区民政局对某社会组织作出行政处罚的全部案卷材料。",
        channel=Channel.REGISTERED_MAIL,
        ago=115,
        outcome=Outcome.WITHHELD_CASE_FILE,
        delivery=DeliveryMethod.PICKUP,
    ),
    Case(
        "周敏",
        "本人在区婚姻登记处办理结婚登记的档案。",
        channel=Channel.VISIT,
        ago=110,
        outcome=Outcome.WITHHELD_QUERY,
        reply_after=3,
        delivery=DeliveryMethod.PICKUP,
    ),
    Case(
        "孙伟",
        "南岭镇前年城乡居民养老保险缴费补贴发放名单。",
        channel=Channel.ORAL,
        ago=105,
        outcome=Outcome.UNAVAILABLE_NOT_HELD,
        referral=NOT_HELD_REFERRAL,
    ),
    Case(
        "示例大学社会保障研究中心",
        "近十年本区各类社会救助对象的年龄、性别、致贫原因交叉统计分析报告。",
        channel=Channel.EMAIL,
        ago=95,
        outcome=Outcome.UNAVAILABLE_NEEDS_CREATION,
        extension=10,
    ),
    Case(
        "郑秀英",
        "关于我家那个事情的所有文件。",
        channel=Channel.ORDINARY_MAIL,
        ago=90,
        outcome=Outcome.UNAVAILABLE_UNCLEAR,
        supplement="received",
    ),
    Case(
        "冯磊",
        "举报东湖街道某居委会工作人员违规发放临时救助金，要求查处。",
        channel=Channel.VISIT,
        ago=85,
        outcome=Outcome.NOT_PROCESSED_PETITION,
        reply_after=5,
    ),
    Case(
        "吴强",
        "区内重点信访人员稳控工作方案（再次申请）。",
        channel=Channel.ORDINARY_MAIL,
        ago=80,
        outcome=Outcome.NOT_PROCESSED_REPEAT,
        reply_after=5,
    ),
    Case(
        "何静",
        "最新一期《示例区年鉴》中民政工作部分的全文。",
        channel=Channel.EMAIL,
        ago=75,
        outcome=Outcome.NOT_PROCESSED_PUBLICATION,
        reply_after=4,
    ),
    Case(
        "示例律师事务所",
        "请贵局确认我所已取得的《示例区临时救助审批表》复印件与原件一致，并重新加盖公章。",
        channel=Channel.FAX,
        ago=70,
        outcome=Outcome.NOT_PROCESSED_CONFIRMATION,
        reply_after=6,
    ),
    Case(
        "马红梅",
        "西山街道上年度享受特困供养人员的名单及供养标准。",
        channel=Channel.VISIT,
        ago=120,
        supplement="lapsed",
    ),
    Case(
        "湖滨花园业主委员会",
        "湖滨花园小区周边规划建设的社区养老服务综合体的立项、选址和建设资金文件。",
        channel=Channel.REGISTERED_MAIL,
        ago=100,
        fee="lapsed",
        info_form=InfoForm.PAPER,
    ),
    Case(
        "王小明",
        "上年度区福利彩票公益金使用情况。",
        channel=Channel.VISIT,
        ago=65,
        outcome=Outcome.OTHER,
        reply_after=6,
    ),
    # --- The other steps of the procedure, each at least once ---------------------------------
    Case(
        "示例区康乐养老服务有限公司",
        "上年度本区养老服务补贴的资金拨付明细，含各服务机构的拨付金额。",
        channel=Channel.EMAIL,
        ago=60,
        outcome=Outcome.DISCLOSED,
        fee="paid",
        info_form=InfoForm.PAPER,
        reply_after=6,
    ),
    Case(
        "朱国平",
        "南岭镇农村低保对象的认定标准及评议程序文件。",
        channel=Channel.ORAL,
        ago=55,
        outcome=Outcome.DISCLOSED,
        supplement="received",
        reply_after=7,
    ),
    Case(
        "示例区阳光助残公益基金会",
        "区民政局与各街道签订的困难残疾人生活补贴工作责任书。",
        channel=Channel.REGISTERED_MAIL,
        ago=50,
        outcome=Outcome.DISCLOSED,
        consultation=ConsultationAnswer.CONSENT,
        consultation_kind=ConsultationKind.CO_PRODUCER,
        consultation_party="示例区残疾人联合会",
        reply_after=4,
    ),
    Case(
        "陈嘉欣",
        "本区对港澳居民申请临时救助的受理条件和办理流程。",
        channel=Channel.EMAIL,
        ago=45,
        outcome=Outcome.DISCLOSED,
        delivery=DeliveryMethod.EMAIL,
        reply_after=5,
    ),
    Case(
        "示例商贸有限公司",
        "上年度区民政局政府采购项目的中标结果和合同金额。",
        channel=Channel.FAX,
        ago=40,
        outcome=Outcome.PARTIAL,
        parts=(
            Part("各采购项目的名称、中标单位和合同金额", True),
            Part(
                "未中标单位的报价明细",
                False,
                Outcome.WITHHELD_THIRD_PARTY,
                "属于未中标单位的商业秘密，公开会对其合法权益造成损害。",
            ),
        ),
        consultation=ConsultationAnswer.NO_ANSWER,
        consultation_party="示例区某物业管理有限公司",
        reply_after=2,
    ),
    # --- Open today -----------------------------------------------------------------------------
    Case(
        "示例律师事务所",
        "本年度区民政局行政复议案件的办理结果统计。",
        channel=Channel.REGISTERED_MAIL,
        ago=26,  # 20 working days have passed: overdue
    ),
    Case(
        "刘芳",
        "湖滨居委会换届选举的选民名单公告。",
        channel=Channel.VISIT,
        ago=17,  # due in three working days
    ),
    Case(
        "示例大学社会保障研究中心",
        "本年度上半年本区临时救助的人次、金额及救助事由分类统计。",
        channel=Channel.EMAIL,
        ago=24,
        extension=15,
    ),
    Case(
        "周敏",
        "北塘镇敬老院的床位数、入住人数和收费标准。",
        channel=Channel.ORDINARY_MAIL,
        ago=6,
        supplement="waiting",
    ),
    Case(
        "示例区康乐养老服务有限公司",
        "本年度社区养老服务设施运营补贴的评审结果和各机构得分。",
        channel=Channel.FAX,
        ago=14,
        consultation="waiting",
        consultation_party="示例区颐养社区服务中心",
    ),
    Case(
        "湖滨花园业主委员会",
        "本年度湖滨街道社区公益服务项目的立项评审材料。",
        channel=Channel.REGISTERED_MAIL,
        ago=9,
        fee="waiting",
        info_form=InfoForm.PAPER,
    ),
    Case(
        "冯磊",
        "东湖街道目前享受低保的家庭户数。",
        channel=Channel.ORAL,
        ago=2,
    ),
    # --- Received at the end of the previous year --------------------------------------------
    Case(
        "赵丽华",
        "枫林居委会所在小区加装电梯补贴资金的审批文件。",
        previous=(11, 20),
        outcome=Outcome.DISCLOSED,
        reply_after=9,
    ),
    Case(
        "示例律师事务所",
        "区婚姻登记处收费项目及其依据。",
        previous=(12, 1),
        outcome=Outcome.DISCLOSED,
        reply_after=6,
        channel=Channel.FAX,
    ),
    Case(
        "何静",
        "区民政局年度部门预算中社会救助支出的分项数据。",
        previous=(12, 3),
        outcome=Outcome.UNAVAILABLE_NOT_HELD,
        reply_after=8,
        referral="示例区财政局，电话 021-58002345",
    ),
    Case(
        "孙伟",
        "南岭镇石桥村困难家庭危房改造补助名单。",
        previous=(12, 17),
        outcome=Outcome.DISCLOSED,
        reply_after=14,  # replied in January: carried over
    ),
    Case(
        "示例区阳光助残公益基金会",
        "区级福利彩票公益金资助的社会组织项目清单及资助金额。",
        previous=(12, 22),
        outcome=Outcome.PARTIAL,
        parts=(
            Part("资助项目名称、承接组织和资助金额", True),
            Part(
                "项目评审专家的评分表",
                False,
                Outcome.WITHHELD_PROCESS,
                "属于评审过程中形成的过程性信息（条例第十六条第二款）。",
            ),
        ),
        reply_after=15,
        channel=Channel.EMAIL,
    ),
    Case(
        "湖滨花园业主委员会",
        "湖滨居委会办公用房的产权和使用协议。",
        previous=(12, 26),
        outcome=Outcome.DISCLOSED,
        consultation=ConsultationAnswer.CONSENT,
        consultation_kind=ConsultationKind.OTHER_AGENCY,
        consultation_party="示例区机关事务管理局",
        reply_after=5,
        channel=Channel.REGISTERED_MAIL,
    ),
)

# The frequent applicant's requests of one month: the eleventh exceeds the free allowance of
# ten (disclosure.free_items_per_month) and is refused as 大量反复申请.
FREQUENT_TOPICS = (
    ("东湖街道上年度低保家庭名单。", Outcome.PARTIAL),
    ("东湖街道上年度临时救助名单。", Outcome.UNAVAILABLE_NOT_HELD),
    ("湖滨居委会上年度工作经费使用明细。", Outcome.UNAVAILABLE_NOT_HELD),
    ("新村居委会上年度工作经费使用明细。", Outcome.UNAVAILABLE_NOT_HELD),
    ("东湖街道社区事务受理服务中心的人员编制。", Outcome.UNAVAILABLE_NOT_HELD),
    ("东湖街道上年度低保家庭名单（按居委会分列）。", Outcome.NOT_PROCESSED_REPEAT),
    ("区民政局上年度公务接待费明细。", Outcome.DISCLOSED),
    ("区民政局上年度公务用车使用记录。", Outcome.WITHHELD_INTERNAL),
    ("东湖居委会主任的任职文件。", Outcome.UNAVAILABLE_NOT_HELD),
    ("湖滨居委会主任的任职文件。", Outcome.UNAVAILABLE_NOT_HELD),
    ("新村居委会主任的任职文件。", Outcome.NOT_PROCESSED_EXCESSIVE),
)

# The filler: the ordinary run of requests, mostly answered with what was asked.
FILLER_TOPICS = (
    "本区{period}养老机构名单及床位数。",
    "本区{period}社区养老服务中心（站）的地址和服务项目。",
    "本区{period}临时救助标准及审批权限的规定。",
    "本区{period}殡葬惠民政策的补贴对象和标准。",
    "本区{period}社会组织年检结果。",
    "本区{period}婚姻登记数据统计。",
    "本区{period}特困人员供养标准调整文件。",
    "本区{period}居家养老服务补贴的申请条件。",
    "本区{period}高龄津贴发放人数和金额。",
    "本区{period}困难残疾人生活补贴发放情况。",
    "本区{period}未成年人保护工作经费预算。",
    "本区{period}慈善超市的分布和运营情况。",
    "本区{period}村（居）委会工作经费标准。",
    "本区{period}低保边缘家庭的认定标准。",
    "本区{period}养老服务机构等级评定结果。",
    "本区{period}地名命名、更名的批复文件。",
)
# Relative words, never a year: a request's words must not depend on the build day, since
# they identify it when the demo is built again.
FILLER_PERIODS = ("上年度", "本年度", "近三年", "现行")
FILLER_OUTCOMES = (
    (Outcome.DISCLOSED, 48),
    (Outcome.PARTIAL, 8),
    (Outcome.UNAVAILABLE_NOT_HELD, 14),
    (Outcome.UNAVAILABLE_NEEDS_CREATION, 5),
    (Outcome.WITHHELD_PROCESS, 4),
    (Outcome.WITHHELD_THIRD_PARTY, 3),
    (Outcome.NOT_PROCESSED_PETITION, 3),
    (Outcome.NOT_PROCESSED_REPEAT, 3),
)
FILLER_CHANNELS = (
    (Channel.VISIT, 4),
    (Channel.REGISTERED_MAIL, 3),
    (Channel.EMAIL, 3),
    (Channel.ORDINARY_MAIL, 1),
    (Channel.FAX, 1),
    (Channel.ORAL, 1),
)
FILLER_COUNT = 44


def filler_cases() -> tuple[Case, ...]:
    """The ordinary requests, spread over the year (the same on every build day)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not a secret
    people = [p[0] for p in PEOPLE] + [o[0] for o in ORGANISATIONS]
    outcomes, outcome_weights = zip(*FILLER_OUTCOMES, strict=True)
    channels, channel_weights = zip(*FILLER_CHANNELS, strict=True)
    cases, seen = [], set()
    while len(cases) < FILLER_COUNT:
        ago = rng.randint(30, 230)
        description = rng.choice(FILLER_TOPICS).format(period=rng.choice(FILLER_PERIODS))
        applicant = rng.choice(people)
        if (applicant, description) in seen:
            continue
        seen.add((applicant, description))
        outcome = rng.choices(outcomes, outcome_weights)[0]
        cases.append(
            Case(
                applicant,
                description,
                channel=rng.choices(channels, channel_weights)[0],
                ago=ago,
                outcome=outcome,
                reply_after=rng.randint(4, 18),
                delivery=rng.choice([DeliveryMethod.POST, DeliveryMethod.EMAIL]),
                parts=PARTIAL_PARTS if outcome == Outcome.PARTIAL else (),
                referral=NOT_HELD_REFERRAL if outcome == Outcome.UNAVAILABLE_NOT_HELD else "",
            )
        )
    return tuple(cases)


def frequent_cases(today: date) -> tuple[Case, ...]:
    """Eleven requests of one applicant on the first working days of one month, that month
    being the one about sixty working days before the build day."""
    month = add_workdays(today, -60).replace(day=1)
    day = add_workdays(month - timedelta(days=1), 1)
    cases = []
    for description, outcome in FREQUENT_TOPICS:
        cases.append(
            Case(
                FREQUENT,
                description,
                channel=Channel.REGISTERED_MAIL,
                ago=workdays_between(day, today),
                outcome=outcome,
                reply_after=10,
                parts=PARTIAL_PARTS if outcome == Outcome.PARTIAL else (),
                referral=NOT_HELD_REFERRAL if outcome == Outcome.UNAVAILABLE_NOT_HELD else "",
            )
        )
        day = add_workdays(day, 1)
    return tuple(cases)


# Applications sent through the portal today (request_submit receives them today).
PORTAL_CASES: tuple[Case, ...] = (
    Case(
        "王小明",
        "本区为老服务“一键通”的覆盖人数和服务内容。",
        channel=Channel.ONLINE,
        delivery=DeliveryMethod.ONLINE,
    ),
    Case(
        "示例区康乐养老服务有限公司",
        "养老服务机构综合责任保险的政府补贴办法。",
        channel=Channel.ONLINE,
        delivery=DeliveryMethod.EMAIL,
    ),
    Case(
        "郑秀英",
        "新村居委会周边老年助餐点的地址和供餐时间。",
        channel=Channel.PLATFORM,
        delivery=DeliveryMethod.ONLINE,
    ),
)


# --- Reconsiderations and lawsuits (table 四) -------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    """A case about a reply (`about`: the request's applicant and description) or about the
    bureau's proactive disclosure (`about` None, filed `ago` working days before the build day).
    Filed `filed_after` working days after the reply, decided `decided_after` working days
    after filing when the result is not 尚未审结 — unless that day is still to come."""

    subject: str
    kind: str
    result: str
    body: str
    about: tuple[str, str] | None = None
    filed_after: int = 15
    decided_after: int = 40
    ago: int = 0
    note: str = ""


_BY_OUTCOME: dict[str, Case] = {}
for _case in CASES:  # the first request with each outcome
    _BY_OUTCOME.setdefault(_case.outcome, _case)

CHALLENGES: tuple[Challenge, ...] = (
    Challenge(
        "不服对最低生活保障调查原始资料不予公开的答复",
        Kind.RECONSIDERATION,
        Result.UPHELD,
        "示例区人民政府",
        about=_BY_OUTCOME[Outcome.WITHHELD_PROHIBITED].key,
    ),
    Challenge(
        "不服对低保家庭户数、保障金额部分公开的答复",
        Kind.RECONSIDERATION,
        Result.CORRECTED,
        "示例区人民政府",
        about=_BY_OUTCOME[Outcome.PARTIAL].key,
        note="复议机关责令重新答复，已于限期内重新答复。",
    ),
    Challenge(
        "不服对养老服务项目投标材料不予公开的答复",
        Kind.RECONSIDERATION,
        Result.OTHER,
        "示例区人民政府",
        about=_BY_OUTCOME[Outcome.WITHHELD_THIRD_PARTY].key,
        note="申请人撤回复议申请，复议机关终止审理。",
    ),
    Challenge(
        "不服对社会组织行政处罚案卷不予公开的答复",
        Kind.RECONSIDERATION,
        Result.PENDING,
        "示例区人民政府",
        about=_BY_OUTCOME[Outcome.WITHHELD_CASE_FILE].key,
        filed_after=20,
    ),
    Challenge(
        "不服对局务会讨论记录不予公开的答复",
        Kind.LITIGATION_DIRECT,
        Result.UPHELD,
        "示例区人民法院",
        about=_BY_OUTCOME[Outcome.WITHHELD_PROCESS].key,
        decided_after=50,
    ),
    Challenge(
        "不服对交叉统计分析报告需另行制作的答复",
        Kind.LITIGATION_DIRECT,
        Result.PENDING,
        "示例区人民法院",
        about=_BY_OUTCOME[Outcome.UNAVAILABLE_NEEDS_CREATION].key,
    ),
    Challenge(
        "复议维持后起诉：调查原始资料不予公开",
        Kind.LITIGATION_AFTER,
        Result.UPHELD,
        "示例市第一中级人民法院",
        about=_BY_OUTCOME[Outcome.WITHHELD_PROHIBITED].key,
        filed_after=60,
        decided_after=45,
    ),
    Challenge(
        "复议后起诉：婚姻登记档案查询答复",
        Kind.LITIGATION_AFTER,
        Result.OTHER,
        "示例区人民法院",
        about=_BY_OUTCOME[Outcome.WITHHELD_QUERY].key,
        filed_after=25,
        decided_after=30,
        note="原告撤诉。",
    ),
    Challenge(
        "复议后起诉：稳控工作方案不予公开",
        Kind.LITIGATION_AFTER,
        Result.CORRECTED,
        "示例区人民法院",
        about=_BY_OUTCOME[Outcome.WITHHELD_SECURITY].key,
        filed_after=30,
        decided_after=35,
        note="判决撤销原答复，责令重新答复。",
    ),
    Challenge(
        "认为区民政局未主动公开养老机构补贴发放结果",
        Kind.RECONSIDERATION,
        Result.CORRECTED,
        "示例区人民政府",
        ago=80,
        decided_after=30,
        note="复议机关责令限期公开，已在政府信息公开目录中补充公开。",
    ),
    Challenge(
        "不服对社会救助支出分项数据“本机关不掌握”的答复",
        Kind.RECONSIDERATION,
        Result.UPHELD,
        "示例区人民政府",
        about=("何静", "区民政局年度部门预算中社会救助支出的分项数据。"),
        filed_after=5,
        decided_after=45,
    ),
)


# --- Proactive disclosure (主动公开) -----------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """A catalogue record and the stage it reached: draft, review (submitted, findings open),
    approval (released by 保密审查), published, withdrawn or superseded (by `successor`, a later
    record of this list). Formed `formed` working days before the build day, published
    `published` working days after that. `section`: the department that drafts it (its clerk
    drafts, its head reviews) — none: the legal office does both."""

    title: str
    category: str
    topic: str
    stage: str
    formed: int
    body: str
    section: str = "社会救助科"
    five_disclosures: str = ""
    validity: str = ""
    published: int = 8
    redact: bool = False  # the reviewer masks what the scan found before release
    reason: str = ""  # why it was withdrawn
    successor: str = ""


RECORDS: tuple[Record, ...] = (
    Record(
        "示例区民政局机构职能、内设机构和联系方式",
        Category.ORGANISATION,
        "机构职能",
        "published",
        formed=220,
        section="",
        body="区民政局负责本区社会救助、养老服务、社会组织管理、婚姻登记等工作。"
        "地址：示例区人民路1号；办公时间：工作日上午9时至下午5时；咨询电话：021-58000000。",
        five_disclosures=FiveDisclosures.SERVICE,
    ),
    Record(
        "关于本区最低生活保障标准的通知",
        Category.SOCIAL_POLICY,
        "社会救助",
        "superseded",
        formed=230,
        body="本区城乡低保标准为每人每月1420元，特困人员基本生活标准按低保标准的1.3倍确定。",
        five_disclosures=FiveDisclosures.DECISION,
        validity=Validity.EXPIRED,
        successor="关于调整本区最低生活保障标准的通知",
    ),
    Record(
        "关于调整本区最低生活保障标准的通知",
        Category.SOCIAL_POLICY,
        "社会救助",
        "published",
        formed=140,
        body="自7月1日起，本区城乡低保标准统一调整为每人每月1510元，特困人员基本生活标准相应调整。",
        five_disclosures=FiveDisclosures.DECISION,
        validity=Validity.IN_FORCE,
    ),
    Record(
        "区民政局本年度部门预算",
        Category.BUDGET,
        "财政预决算",
        "published",
        formed=200,
        section="",
        body="本年度区民政局部门预算收入合计38620万元，支出合计38620万元，其中社会保障和就业支出"
        "35410万元。",
        five_disclosures=FiveDisclosures.MANAGEMENT,
    ),
    Record(
        "上半年临时救助发放情况公示",
        Category.SOCIAL_POLICY,
        "社会救助",
        "published",
        formed=95,
        redact=True,
        # The clerk pasted a recipient's identity number and phone: the scan finds them and the
        # head of section masks them before release.
        body="上半年全区共实施临时救助312人次，发放救助金186.4万元。其中急难型救助典型个案："
        "受助人张某，身份证号{resident_id}，联系电话{phone}，因火灾致家庭财产损失，给予救助8000元。",
        five_disclosures=FiveDisclosures.RESULT,
    ),
    Record(
        "本区养老机构综合责任保险政府补贴实施办法",
        Category.SOCIAL_POLICY,
        "养老服务",
        "withdrawn",
        formed=120,
        body="对在本区登记的养老机构投保综合责任保险的，按保费的50%给予补贴。",
        reason="发布版本附件错误，已更正后另行发布。",
    ),
    Record(
        "区民政局政府集中采购项目实施情况",
        Category.PROCUREMENT,
        "政府采购",
        "approval",
        formed=12,
        section="",
        body="本年度区民政局政府集中采购项目共7项，合同金额合计1268万元，均已按期履约。",
        five_disclosures=FiveDisclosures.EXECUTION,
    ),
    Record(
        "东湖街道低保家庭入户调查情况通报",
        Category.SOCIAL_POLICY,
        "社会救助",
        "review",
        formed=6,
        body="本季度东湖街道完成低保家庭入户调查128户。发现问题家庭：王某某，身份证号{resident_id}，"
        "手机{phone}，存在隐瞒收入情况，已停发低保金。",
        five_disclosures=FiveDisclosures.EXECUTION,
    ),
    Record(
        "本年度社会救助政策问答",
        Category.SOCIAL_POLICY,
        "社会救助",
        "draft",
        formed=3,
        body="问：哪些家庭可以申请低保？答：共同生活的家庭成员人均收入低于本区低保标准，"
        "且家庭财产状况符合规定的，可以申请。",
        five_disclosures=FiveDisclosures.SERVICE,
    ),
)

CHECKLIST_NO = dict.fromkeys(
    ("state_secret", "work_secret", "trade_secret", "privacy", "process_info", "three_safety"),
    False,
)


# --- The previous year's annual report (drafted) ------------------------------------------------

REPORT_PROBLEMS = (
    "一是部分科室对主动公开时限把握不严，个别信息超过二十个工作日才公开；二是依申请公开答复"
    "文书的说理性有待加强。下一步，我局将把公开时限纳入科室年度考核，并组织答复文书专题培训。"
)
REPORT_OTHER = "本年度未收取信息处理费。无其他需要报告的事项。"
# 行政许可 is counted from the services app's cases (not entered by hand).
REPORT_FIGURES = {
    "penalty": {"decisions": 3},
    "coercion": {"decisions": 0},
    "fees": {"amount": "0"},
}


# --- Building -----------------------------------------------------------------------------------


@dataclass
class _Run:
    """What happened to one request, for the steps after it."""

    request: DisclosureRequest
    cursor: date  # the day of the last step taken
    stopped: bool = False


class _Builder:
    def __init__(self, agency, today: date):
        from fazhi.accounts.models import User
        from fazhi.core.models import Department
        from fazhi.core.roles import Role

        self.agency = agency
        self.today = today
        roles = [Role.LEGAL_OFFICER, Role.LEADER, Role.CLERK, Role.DEPARTMENT_HEAD]
        users = {u.username: u for u in User.objects.filter(username__in=[r.value for r in roles])}
        self.officer = users.get(Role.LEGAL_OFFICER.value)
        self.leader = users.get(Role.LEADER.value)
        self.clerk = users.get(Role.CLERK.value)
        self.department_head = users.get(Role.DEPARTMENT_HEAD.value)
        self.departments = {d.name: d for d in Department.objects.filter(agency=agency)}
        self.applicants = applicants()

    def ready(self) -> bool:
        return None not in (self.officer, self.leader, self.clerk, self.department_head)

    # --- dates ---

    def step(self, run: _Run, workdays: int) -> date | None:
        """The day `workdays` after the last step, or None (and the story stops) if it is
        still to come."""
        day = add_workdays(run.cursor, workdays) if workdays else run.cursor
        if run.stopped or day > self.today:
            run.stopped = True
            return None
        run.cursor = day
        return day

    # --- the request ---

    def intake(self, case: Case) -> DisclosureRequest:
        applicant = self.applicants[case.applicant]
        common = {
            "agency": self.agency,
            "applicant": applicant,
            "description": case.description,
            "info_form": case.info_form,
            "delivery": case.delivery,
            "info_reference": case.info_reference,
        }
        if case.channel in SELF_SERVICE_CHANNELS:
            return services.request_submit(
                **common,
                channel=case.channel,
                # A fixed key: the same demo application is one request, however often built.
                idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, "|".join(case.key)).hex,
            )
        received = received_on(case, self.today)
        arrived, confirmed = received, None
        if case.channel == Channel.ORDINARY_MAIL:
            # The letter came the working day before the office reached the applicant.
            arrived, confirmed = add_workdays(received, -1), received
        elif case.channel in (Channel.EMAIL, Channel.FAX):
            confirmed = received
        notes = {
            Channel.REGISTERED_MAIL: "EMS 签收",
            Channel.ORAL: "申请人口头提出，工作人员代为填写，经申请人确认签字。",
        }
        return services.request_register(
            **common,
            actor=self.officer,
            channel=case.channel,
            arrived_on=arrived,
            confirmed_on=confirmed,
            channel_note=notes.get(case.channel, ""),
        )

    def deliver(self, run: _Run, document: str, sent_on: date, method: str | None = None) -> None:
        request = run.request
        method = method or request.delivery
        if method in (DeliveryMethod.ONLINE, DeliveryMethod.EMAIL, DeliveryMethod.FAX):
            delivered = sent_on
        elif method == DeliveryMethod.PICKUP:
            delivered = add_workdays(sent_on, 2)
        else:
            delivered = sent_on + timedelta(days=3)  # the postal return receipt
        services.delivery_record(
            actor=self.officer,
            request=request,
            document=document,
            method=method,
            sent_on=sent_on,
            delivered_on=delivered if delivered <= self.today else None,
            reference=f"EMS{zlib.crc32(f'{request.tracking_number}{document}'.encode()):010d}"
            if method == DeliveryMethod.POST
            else "",
        )

    def supplement(self, case: Case, run: _Run) -> None:
        notice_on = self.step(run, 2)
        if notice_on is None:
            return
        notice = services.supplement_request_request(
            actor=self.officer,
            request=run.request,
            items="请写明所需信息的名称、文号或者便于查询的其他特征性描述，以及所涉事项的时间范围。",
            notice_on=notice_on,
        )
        self.deliver(run, NoticeDocument.SUPPLEMENT_REQUEST, notice_on)
        if case.supplement == "waiting":
            run.stopped = True
        elif case.supplement == "received":
            day = self.step(run, 4)
            if day is not None:
                run.request = services.supplement_request_received(
                    actor=self.officer,
                    request=run.request,
                    supplement="补充说明：所需信息为本人户籍所在居委会上年度困难家庭帮扶的相关文件。"
                    if case.outcome == Outcome.UNAVAILABLE_UNCLEAR
                    else "补充说明：所需信息的时间范围为上年度全年，范围为南岭镇各村。",
                    supplemented_on=day,
                )
        else:  # lapsed: the sweep closes it the day after the period, as `fazhi sweep` would
            if notice.supplement_due_on + timedelta(days=1) > self.today:
                run.stopped = True
                return
            run.request = services.supplement_request_lapse(request=run.request)
            run.cursor = run.request.concluded_on
            self.after_lapse(run)

    def after_lapse(self, run: _Run) -> None:
        sent_on = add_workdays(run.cursor, 1)
        if sent_on <= self.today:
            self.deliver(run, NoticeDocument.TERMINATION, sent_on)
        run.stopped = True

    def consult(self, case: Case, run: _Run) -> None:
        sent_on = self.step(run, 2)
        if sent_on is None:
            return
        consultation = services.consultation_open(
            actor=self.officer,
            request=run.request,
            kind=case.consultation_kind,
            party=case.consultation_party,
            subject="申请人申请公开的信息涉及贵方，请于15个工作日内书面答复是否同意公开。",
            sent_on=sent_on,
        )
        if case.consultation == "waiting":
            run.stopped = True
            return
        if case.consultation == ConsultationAnswer.NO_ANSWER:
            answered_on = add_workdays(consultation.due_on, 1)
            if answered_on > self.today:
                run.stopped = True
                return
            run.cursor = answered_on
        else:
            answered_on = self.step(run, 6)
            if answered_on is None:
                return
        services.consultation_answer(
            actor=self.officer,
            consultation=consultation,
            answer=case.consultation,
            text="公开后将泄露我方商业秘密和个人信息，不同意公开。"
            if case.consultation == ConsultationAnswer.OBJECTION
            else "",
            answered_on=answered_on,
        )

    def charge(self, case: Case, run: _Run) -> None:
        notice_on = self.step(run, 3)
        if notice_on is None:
            return
        fee = services.fee_notice(
            actor=self.officer,
            request=run.request,
            basis=FeeBasis.PER_PAGE,
            quantity=FREE_PAGES_EXCEEDED,
            notice_on=notice_on,
        )
        self.deliver(run, NoticeDocument.FEE, notice_on)
        if case.fee == "waiting":
            run.stopped = True
        elif case.fee == "paid":
            day = self.step(run, 4)
            if day is not None:
                services.fee_paid(
                    actor=self.officer,
                    request=run.request,
                    paid_on=day,
                    receipt_number=f"非税{day:%Y%m%d}{run.request.pk:04d}",
                )
        else:  # lapsed, closed by the sweep the day after the payment period
            if fee.payment_due_on + timedelta(days=1) > self.today:
                run.stopped = True
                return
            run.request = services.fee_lapse(request=run.request)
            run.cursor = run.request.concluded_on
            self.after_lapse(run)

    def extend(self, case: Case, run: _Run) -> None:
        run.request.refresh_from_db()
        # Approved a few working days before the reply would be due, as the office decides
        # when it sees that it will not make it.
        approved_on = max(add_workdays(run.request.due_on, -3), run.cursor)
        if approved_on > self.today:
            run.stopped = True
            return
        run.cursor = approved_on
        services.extension_approve(
            actor=self.leader,
            request=run.request,
            days=case.extension,
            reason="申请内容涉及多年度、多部门数据，需逐项检索核对，无法在法定期限内答复。",
            approved_on=approved_on,
        )
        self.deliver(run, NoticeDocument.EXTENSION, approved_on)

    def answer(self, case: Case, run: _Run) -> None:
        run.request.refresh_from_db()
        replied_on = add_workdays(run.cursor, case.reply_after)
        # Replies are on time: on the due day at the latest.
        if run.request.due_on is not None:
            replied_on = max(min(replied_on, run.request.due_on), run.cursor)
        if replied_on > self.today:
            run.stopped = True
            return
        run.cursor = replied_on
        services.reply(
            actor=self.officer,
            request=run.request,
            outcome=case.outcome,
            text=case.text or REPLY_TEXTS[case.outcome],
            parts=case.parts,
            referral=case.referral,
            replied_on=replied_on,
        )
        self.deliver(run, NoticeDocument.REPLY, replied_on)

    def build(self, case: Case) -> DisclosureRequest:
        request = self.intake(case)
        run = _Run(request=request, cursor=request.received_on)
        if case.channel in SELF_SERVICE_CHANNELS:
            return request
        if case.supplement:
            self.supplement(case, run)
        if case.consultation and not run.stopped:
            self.consult(case, run)
        if case.fee and not run.stopped:
            self.charge(case, run)
        if case.extension and not run.stopped:
            self.extend(case, run)
        if case.outcome and not run.stopped:
            self.answer(case, run)
        return run.request

    # --- reconsiderations and lawsuits ---

    def challenge(self, spec: Challenge, requests: dict) -> DisclosureChallenge | None:
        request = None
        if spec.about is not None:
            request = requests.get(spec.about)
            if request is not None:
                # The services changed their own locked copies of the request.
                request.refresh_from_db()
            if request is None or request.concluded_on is None:
                return None
            filed_on = add_workdays(request.concluded_on, spec.filed_after)
        else:
            filed_on = add_workdays(self.today, -spec.ago)
        if filed_on > self.today:
            return None
        challenge = services.challenge_record(
            actor=self.officer,
            agency=self.agency,
            kind=spec.kind,
            subject=spec.subject,
            filed_on=filed_on,
            body=spec.body,
            request=request,
        )
        decided_on = add_workdays(filed_on, spec.decided_after)
        if spec.result != Result.PENDING and decided_on <= self.today:
            challenge = services.challenge_decide(
                actor=self.officer,
                challenge=challenge,
                result=spec.result,
                result_on=decided_on,
                note=spec.note,
            )
        return challenge

    # --- proactive disclosure ---

    def record(self, spec: Record) -> PublicRecord:
        section = self.departments.get(spec.section) if spec.section else None
        drafter = self.clerk if section is not None else self.officer
        reviewer = self.department_head if section is not None else self.officer
        formed_on = add_workdays(self.today, -spec.formed)
        body = spec.body.format(
            resident_id=_resident_id("310115", "19790312", 215), phone=_phone(77)
        )
        record = services.record_create(
            actor=drafter,
            agency=self.agency,
            department=section,
            title=spec.title,
            formed_on=formed_on,
            category=spec.category,
            topic=spec.topic,
            five_disclosures=spec.five_disclosures,
            validity=spec.validity,
            body=body,
        )
        if spec.stage == "draft":
            return record
        record = services.record_submit(actor=drafter, record=record)
        if spec.stage == "review":
            return record  # the findings wait for the head of section
        if spec.redact:
            for finding in record.findings.filter(resolution=ScanFinding.Resolution.OPEN):
                services.finding_redact(actor=reviewer, finding=finding)
        record = services.record_review(
            actor=reviewer, record=record, checklist=CHECKLIST_NO, conclusion="release"
        )
        if spec.stage == "approval":
            return record
        published_on = min(add_workdays(formed_on, spec.published), self.today)
        record = services.record_publish(
            actor=self.officer, record=record, published_on=published_on
        )
        if spec.stage == "withdrawn":
            record = services.record_withdraw(
                actor=self.officer,
                record=record,
                reason=spec.reason,
                withdrawn_on=min(add_workdays(published_on, 10), self.today),
            )
        return record

    def supersede(self, spec: Record, made: dict) -> None:
        older, newer = made.get(spec.title), made.get(spec.successor)
        if older is not None and newer is not None and older.state == PublicRecord.State.PUBLISHED:
            services.record_supersede(actor=self.officer, record=older, successor=newer)

    # --- the previous year's annual report ---

    def report(self) -> AnnualReport:
        year = self.today.year - 1
        report = services.report_open(actor=self.officer, agency=self.agency, year=year)
        three = selectors.table_three(self.agency, year)
        overview = (
            f"{year}年，我局坚持以公开为常态、不公开为例外，认真贯彻《中华人民共和国政府信息公开"
            f"条例》，全面推进决策、执行、管理、服务、结果公开。全年新收政府信息公开申请"
            f"{three.value('new', 'total')}件，上年结转{three.value('carried_in', 'total')}件，"
            f"办结{three.value('total', 'total')}件，结转下年度继续办理"
            f"{three.value('carried_out', 'total')}件，均在法定期限内答复。"
        )
        return services.report_update(
            actor=self.officer,
            report=report,
            overview=overview,
            problems=REPORT_PROBLEMS,
            other_matters=REPORT_OTHER,
            manual_figures=REPORT_FIGURES,
        )


def received_on(case: Case, today: date) -> date:
    """The case's day of receipt for a demo built on `today`."""
    if case.previous is not None:
        month, day = case.previous
        # The last working day on or before that day of the previous year.
        return add_workdays(date(today.year - 1, month, day) + timedelta(days=1), -1)
    return add_workdays(today, -case.ago) if case.ago else today


def all_cases(today: date) -> list[Case]:
    """Every demo request, in order of receipt (tracking numbers follow it); the portal's
    applications, received today, last."""
    dated = sorted(
        [*CASES, *frequent_cases(today), *filler_cases()], key=lambda c: received_on(c, today)
    )
    return [*dated, *PORTAL_CASES]


def build_disclosure_demo(agency) -> list[DisclosureRequest]:
    """Add the demo requests (and challenges) missing from `agency`; returns the requests
    created (none on a rerun)."""
    builder = _Builder(agency, timezone.localdate())
    if not builder.ready():
        return []
    cases = all_cases(builder.today)
    existing = {
        (r.applicant_name, r.description): r
        for r in DisclosureRequest.objects.filter(
            agency=agency, description__in=[c.description for c in cases]
        )
    }
    created = []
    with transaction.atomic():
        for case in cases:
            if case.key not in existing:
                existing[case.key] = builder.build(case)
                created.append(existing[case.key])
        subjects = set(
            DisclosureChallenge.objects.filter(
                agency=agency, subject__in=[c.subject for c in CHALLENGES]
            ).values_list("subject", flat=True)
        )
        for spec in CHALLENGES:
            if spec.subject not in subjects:
                builder.challenge(spec, existing)
        records = {
            r.title: r
            for r in PublicRecord.objects.filter(
                agency=agency, title__in=[spec.title for spec in RECORDS]
            )
        }
        added = {}
        for spec in RECORDS:
            if spec.title not in records:
                records[spec.title] = added[spec.title] = builder.record(spec)
        for spec in RECORDS:
            if spec.successor and spec.title in added:
                builder.supersede(spec, records)
        if not AnnualReport.objects.filter(agency=agency, year=builder.today.year - 1).exists():
            builder.report()
    return created
