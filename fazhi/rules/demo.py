"""The demo bureau's normative documents: a realistic year in every stage (`fazhi demo`).

Everything is built through the services as the demo users (clerk 李经办, legal office 王法制),
so every record has passed its gates and has its audit events. The services date what they do
today, while a year of documents needs past dates: after a service has run, this module — and
only this module — moves the dates of the records it just made back with queryset `.update()`,
to what a real year would have left (each place says why). The audit events keep the time they
were written: the chain is append-only and must verify.

Idempotent: a document whose title exists in the demo agency is left alone, so running
`fazhi demo` again adds nothing. Every date is relative to the day the demo is built.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from fazhi.core import workflow
from fazhi.core.calendar import workdays_between
from fazhi.rules import services
from fazhi.rules.models import (
    CollectiveDecision,
    Consultation,
    DocumentLink,
    DocumentVersion,
    LegalityReview,
    NormativeDocument,
    PublicComment,
)

CHECKS = {"authority": True, "competence": True, "procedure": True, "content": True, "form": True}
CONSULTATION_DAYS = 30  # long enough for the general and the market-related rule alike
# Articles a later draft adds before the final article, in this order.
ADDED_ARTICLES = (
    "区民政局应当加强对本办法执行情况的监督检查，发现问题及时纠正。",
    "相关部门应当按照职责分工，做好政策衔接和信息共享。",
)


@dataclass(frozen=True)
class Comment:
    article: int | None
    text: str
    name: str
    phone: str
    # Empty: not answered yet.
    response: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Spec:
    """One demo document and the stage it has reached (drafting, returned — back from the
    legality review —, consultation, comments, review, reviewed, decided, issued, abandoned).
    Dates are days before the build day."""

    title: str
    department: str
    stage: str
    created: int
    articles: tuple[str, ...]
    drafter: str = "clerk"  # the legal office drafts for sections without a demo clerk
    kind: str = "normative"
    legal_basis: str = ""
    drafting_note: str = ""
    market_related: bool = False
    revisions: tuple[tuple[int, str], ...] = ()  # (days ago, note) of later versions
    exemption: str = ""  # a legal ground instead of a consultation
    consultation_opened: int | None = None
    comments: tuple[Comment, ...] = ()
    review_started: int | None = None
    review_decided: int | None = None
    decided: int | None = None
    # Issued documents: publication and validity relative to the build day.
    published: int | None = None
    valid_until: int | None = None  # days from the build day (negative: already expired)
    validity_years: int = 5
    interpretation: str = ""
    filing: tuple[str, int] | None = None  # (outcome, days after publication)
    revises: str = ""  # the title of the older document this one revises
    abandon_reason: str = ""


def _articles(*lines: str) -> tuple[str, ...]:
    return lines


LOW_INCOME_ARTICLES = _articles(
    "为了规范本区最低生活保障审核确认工作，根据《社会救助暂行办法》等规定，结合本区实际，制定本细则。",
    "本细则适用于本区户籍居民最低生活保障的申请、审核、确认和动态管理。",
    "申请人可以通过一网通办平台或者社区事务受理服务中心窗口提交申请材料。",
    "街道（镇）应当自受理申请之日起10个工作日内完成家庭经济状况调查。",
    "区民政局应当自收到审核意见之日起10个工作日内作出确认决定。",
    "本细则自公布之日起三十日后施行。",
)

SPECS: tuple[Spec, ...] = (
    # --- Issued in earlier years: the library a citizen searches --------------------------------
    Spec(
        title="示例区临时救助实施办法",
        department="社会救助科",
        stage="issued",
        created=0,  # set from the publication date below
        articles=_articles(
            "为了发挥临时救助应急解难的作用，根据《社会救助暂行办法》，制定本办法。",
            "对因火灾、交通事故等意外事件导致基本生活暂时出现严重困难的家庭，给予临时救助。",
            "救助金额一般不超过本区月最低生活保障标准的六倍，情况特殊的可以一事一议。",
            "申请人可以向户籍所在地或者经常居住地的街道（镇）提出申请。",
            "情况紧急的，街道（镇）可以先行救助，事后补办手续。",
            "本办法自公布之日起十五日后施行，有效期五年。",
        ),
        legal_basis="《社会救助暂行办法》第四十七条至第五十条",
        drafting_note="明确临时救助的对象、标准和“先行救助”程序，回应基层急难救助需要。",
        published=0,  # set so that validity ends about four months after the build day
        valid_until=120,
        interpretation="本办法明确了临时救助的对象、标准和审批程序，遇到急难情况可先行救助。",
        filing=("accepted", 12),
        comments=(
            Comment(4, "建议允许在经常居住地申请。", "陈建国", "13917250011", "adopted"),
            Comment(
                3,
                "建议提高救助上限。",
                "刘芳",
                "13816670822",
                "not_adopted",
                "救助标准由市级统一规定，本办法不宜突破。",
            ),
        ),
    ),
    Spec(
        title="示例区居家养老服务补贴管理办法",
        department="养老服务科",
        drafter="legal_officer",
        stage="issued",
        created=0,
        articles=_articles(
            "为了规范居家养老服务补贴的发放和管理，制定本办法。",
            "本区户籍、年满六十周岁、经评估需要照护的老年人，可以申请居家养老服务补贴。",
            "补贴以服务券形式发放，专项用于购买助餐、助洁、助浴等居家养老服务。",
            "街道（镇）每季度对服务质量进行抽查，并向区民政局报告。",
            "本办法自公布之日起三十日后施行。",
        ),
        legal_basis="《上海市养老服务条例》第二十七条",
        published=3 * 365 + 60,
        interpretation="本办法规定了居家养老服务补贴的对象、标准、发放方式和监督管理。",
        filing=("accepted", 20),
        comments=(Comment(3, "建议服务券可以在全区通用。", "周秀英", "13524410933", "adopted"),),
    ),
    Spec(
        title="示例区殡葬管理暂行办法",
        department="社会事务科",
        drafter="legal_officer",
        stage="issued",
        kind="interim",
        created=0,
        articles=_articles(
            "为了推行节地生态安葬，加强清明、冬至期间祭扫管理，制定本暂行办法。",
            "公墓经营单位应当公示墓穴价格和服务项目，不得捆绑收费。",
            "鼓励骨灰海葬、树葬、草坪葬等节地生态安葬方式，按规定给予奖补。",
            "本暂行办法自公布之日起十日后施行，有效期二年。",
        ),
        legal_basis="《殡葬管理条例》第四条、第十条",
        exemption="为执行上级机关关于清明节期间祭扫安全和殡葬服务价格的紧急部署，需要立即制定实施"
        "（《上海市行政规范性文件管理规定》第十三条）。",
        published=0,
        valid_until=-200,
        validity_years=2,
        interpretation="本暂行办法规范公墓收费，鼓励节地生态安葬，有效期二年。",
        filing=("accepted", 15),
    ),
    Spec(
        title="关于印发《示例区最低生活保障审核确认实施细则》的通知",
        department="社会救助科",
        stage="issued",
        created=0,
        articles=LOW_INCOME_ARTICLES,
        legal_basis="《社会救助暂行办法》第九条至第十四条",
        published=365 + 150,
        interpretation="本细则明确了低保申请、调查、审核和确认的时限，居民可以网上申请。",
        filing=("accepted", 18),
        comments=(
            Comment(3, "建议写明可以网上申请低保。", "王小明", "13912345678", "adopted"),
            Comment(
                4,
                "建议缩短调查时限为5个工作日。",
                "李红",
                "13761234509",
                "partly",
                "调查需入户核实，时限定为10个工作日，同时要求情况简单的从快办理。",
            ),
            Comment(None, "希望加强对低保对象的隐私保护。", "赵强", "15021345566", "adopted"),
        ),
    ),
    # --- Issued this year ----------------------------------------------------------------------
    Spec(
        title="示例区养老服务补贴管理办法",
        department="养老服务科",
        drafter="legal_officer",
        stage="issued",
        created=0,
        articles=_articles(
            "为了统一本区居家和社区养老服务补贴政策，制定本办法。",
            "本区户籍、年满六十周岁、经老年照护统一需求评估达到相应等级的老年人，可以申请补贴。",
            "补贴可以用于居家照护、社区日间照料和老年助餐服务。",
            "补贴标准根据评估等级和家庭经济状况分档确定，由区民政局每年公布。",
            "本办法自公布之日起三十日后施行。《示例区居家养老服务补贴管理办法》同时修订。",
        ),
        legal_basis="《上海市养老服务条例》第二十七条、第三十一条",
        drafting_note="整合居家养老服务补贴和社区养老服务补贴，修订原《示例区居家养老服务补贴管理办法》。",
        market_related=True,
        published=100,
        interpretation="新办法把居家和社区养老服务补贴合并管理，补贴可用于助餐和日间照料。",
        filing=("accepted", 14),
        revises="示例区居家养老服务补贴管理办法",
        comments=(
            Comment(3, "建议把老年助餐纳入补贴范围。", "孙丽", "13601239876", "adopted"),
            Comment(
                4,
                "建议补贴标准写进办法，不要每年变。",
                "钱伟",
                "18917654321",
                "not_adopted",
                "补贴标准需随财政预算和物价调整，由区民政局每年公布更为适宜。",
            ),
        ),
    ),
    Spec(
        title="示例区婚姻登记预约服务规定",
        department="婚姻登记处",
        drafter="legal_officer",
        stage="issued",
        created=0,
        articles=_articles(
            "为了方便群众办理婚姻登记，规范预约服务，制定本规定。",
            "当事人可以通过一网通办平台预约婚姻登记，预约成功后按时到场办理。",
            "对“5·20”“七夕”等登记高峰日，婚姻登记处应当增设窗口、延长办理时间。",
            "本规定自公布之日起施行。",
        ),
        legal_basis="《婚姻登记条例》第二条",
        published=50,
        interpretation="群众可以在一网通办平台预约婚姻登记，高峰日增设窗口。",
        filing=("filed", 10),
        comments=(Comment(3, "建议公布高峰日的具体安排。", "吴婷", "13671112233", "adopted"),),
    ),
    Spec(
        title="关于进一步规范村务监督委员会工作的指导意见",
        department="基层政权和社区建设科",
        drafter="legal_officer",
        stage="issued",
        created=0,
        articles=_articles(
            "为了加强村务监督，保障村民的知情权、参与权和监督权，提出本意见。",
            "村务监督委员会应当每季度至少召开一次会议，监督村务公开和财务收支。",
            "村级重大事项决策，村务监督委员会应当全程监督，并在村务公开栏公布。",
            "镇人民政府应当每年组织对村务监督委员会成员进行民主评议。",
            "本意见自公布之日起施行。",
        ),
        legal_basis="《中华人民共和国村民委员会组织法》第三十条、第三十二条、第三十三条",
        published=20,
        interpretation="本意见明确了村务监督委员会的会议、监督和评议要求。",
        comments=(Comment(2, "建议明确财务收支每月公开。", "郑建华", "13585556677", "adopted"),),
    ),
    # --- In the making -------------------------------------------------------------------------
    Spec(
        title="示例区医疗救助实施办法",
        department="社会救助科",
        stage="drafting",
        created=25,
        articles=_articles(
            "为了减轻困难群众医疗费用负担，根据《社会救助暂行办法》，制定本办法。",
            "最低生活保障家庭成员、特困供养人员和低收入家庭成员可以申请医疗救助。",
            "医疗救助实行“一站式”结算，救助对象在定点医疗机构直接结算。",
            "本办法自公布之日起施行。",
        ),
        legal_basis="《社会救助暂行办法》第二十七条至第三十一条",
        revisions=((12, "补充“一站式”结算"), (3, "根据医保部门意见修改救助比例")),
    ),
    Spec(
        title="示例区社会组织等级评估管理办法",
        department="社会组织管理局",
        drafter="legal_officer",
        stage="returned",
        created=150,
        articles=_articles(
            "为了规范社会组织等级评估工作，制定本办法。",
            "评估等级分为5A、4A、3A、2A、1A五个等级，有效期五年。",
            "获得3A以上评估等级的社会组织，可以优先承接政府购买服务项目。",
            "本办法自公布之日起施行。",
        ),
        legal_basis="《社会组织评估管理办法》（民政部令第39号）",
        consultation_opened=120,
        comments=(
            Comment(3, "建议写明评估结果的公示期。", "冯军", "13512340987", "adopted"),
            Comment(2, "评估费用由谁承担？", "蒋敏", "18621112345", "adopted"),
        ),
        review_started=62,
        review_decided=45,
        revisions=((30, "按合法性审核意见修改第三条"),),
    ),
    Spec(
        title="示例区社区治理事项准入管理办法",
        department="基层政权和社区建设科",
        drafter="legal_officer",
        stage="consultation",
        created=40,
        articles=_articles(
            "为了减轻居委会、村委会工作负担，规范社区治理事项准入，制定本办法。",
            "需要居委会、村委会协助办理的事项，实行清单管理，清单以外的事项不得随意下派。",
            "确需新增协助事项的，由提出部门报区民政局审核后纳入清单。",
            "本办法自公布之日起施行。",
        ),
        revisions=((15, "补充清单动态调整程序"),),
        consultation_opened=6,
        comments=(
            Comment(2, "建议清单每年向社会公布一次。", "韩梅", "13816543210"),
            Comment(3, "建议明确违规下派事项的投诉渠道。", "杨帆", "13901112222"),
            Comment(None, "支持为居委会减负。", "朱莉", "15900001111"),
        ),
    ),
    Spec(
        title="示例区特困人员救助供养实施办法",
        department="社会救助科",
        stage="comments",
        created=90,
        articles=_articles(
            "为了保障特困人员基本生活，根据《社会救助暂行办法》，制定本办法。",
            "特困人员救助供养包括基本生活条件、照料服务、疾病治疗和办理丧葬事宜。",
            "特困人员可以选择在当地的供养服务机构集中供养，也可以在家分散供养。",
            "分散供养的特困人员，由街道（镇）委托亲友或者社会组织提供日常看护服务。",
            "本办法自公布之日起施行。",
        ),
        legal_basis="《社会救助暂行办法》第十四条至第二十条",
        consultation_opened=45,
        comments=(
            Comment(2, "建议把精神慰藉纳入照料服务。", "秦岚", "13788889999", "adopted"),
            Comment(
                3,
                "建议全部集中供养。",
                "许诺",
                "13655554444",
                "not_adopted",
                "集中或分散供养应尊重本人意愿。",
            ),
            Comment(4, "建议明确看护服务的费用标准。", "何静", "18800112233"),
            Comment(None, "希望增加供养机构床位。", "吕超", "13344445555"),
        ),
    ),
    Spec(
        title="示例区居家养老服务管理办法",
        department="养老服务科",
        drafter="legal_officer",
        stage="review",
        created=130,
        articles=_articles(
            "为了规范居家养老服务，保障老年人合法权益，制定本办法。",
            "居家养老服务机构应当与老年人或者其代理人签订服务协议。",
            "服务人员应当经过培训，持证上岗。",
            "本办法自公布之日起施行。",
        ),
        consultation_opened=95,
        comments=(
            Comment(3, "建议服务人员要有健康证明。", "曹雪", "13566667777", "adopted"),
            Comment(2, "服务协议应当有示范文本。", "彭亮", "13977778888", "adopted"),
        ),
        review_started=4,
    ),
    Spec(
        title="示例区低收入家庭认定办法",
        department="社会救助科",
        stage="reviewed",
        created=180,
        articles=_articles(
            "为了规范低收入家庭认定工作，做好分层分类社会救助，制定本办法。",
            "家庭月人均可支配收入低于本区最低生活保障标准两倍的，可以认定为低收入家庭。",
            "低收入家庭认定实行网上申请、部门核对、街道（镇）审核、区民政局确认。",
            "本办法自公布之日起施行。",
        ),
        consultation_opened=150,
        comments=(
            Comment(2, "两倍的标准建议写明计算方法。", "邓琳", "13622223333", "adopted"),
            Comment(
                3,
                "建议取消部门核对，简化程序。",
                "石磊",
                "13833334444",
                "not_adopted",
                "经济状况核对是认定准确的前提，依法不能取消。",
            ),
            Comment(None, "支持网上申请。", "范冰", "13744445555", "adopted"),
        ),
        review_started=40,
        review_decided=25,
    ),
    Spec(
        title="示例区困境儿童分类保障实施办法",
        department="社会救助科",
        stage="decided",
        created=200,
        articles=_articles(
            "为了加强困境儿童保障工作，制定本办法。",
            "困境儿童分为生活困境、医疗困境、教育困境和监护困境儿童。",
            "居委会、村委会儿童主任应当定期走访困境儿童家庭，建立档案。",
            "本办法自公布之日起施行。",
        ),
        consultation_opened=170,
        comments=(Comment(3, "建议儿童主任每月走访一次。", "苏珊", "13655556666", "adopted"),),
        review_started=60,
        review_decided=45,
        decided=7,
    ),
    Spec(
        title="关于调整殡葬服务收费项目的通知",
        department="社会事务科",
        drafter="legal_officer",
        stage="abandoned",
        created=240,
        articles=_articles(
            "根据有关规定，现对本区殡葬基本服务收费项目调整如下。",
            "遗体接运、存放、火化和骨灰寄存等基本服务实行政府定价。",
        ),
        abandon_reason="市发展改革委已统一调整殡葬服务收费项目，本区不再另行制定。",
    ),
)


def _at(day: date, hour: int = 10) -> datetime:
    """That day at that hour, but never later than now (today's events happen by now)."""
    return min(timezone.make_aware(datetime.combine(day, time(hour))), timezone.now())


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _workdays_before(day: date, workdays: int) -> date:
    start = day
    while workdays_between(start, day) < workdays:
        start -= timedelta(days=1)
    return start


def _text(spec: Spec, version: int = 1) -> str:
    """The draft's text; each later version adds an article before the final one."""
    articles = [*spec.articles[:-1], *ADDED_ARTICLES[: version - 1], spec.articles[-1]]
    return "\n".join(f"第{_numeral(i)}条　{line}" for i, line in enumerate(articles, start=1))


def _numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


class _Builder:
    def __init__(self, agency, today: date):
        from fazhi.accounts.models import User
        from fazhi.core.models import Department

        self.agency = agency
        self.today = today
        self.users = {
            u.username: u for u in User.objects.filter(username__in=["clerk", "legal_officer"])
        }
        self.departments = {d.name: d for d in Department.objects.filter(agency=agency)}

    def ready(self) -> bool:
        return {"clerk", "legal_officer"} <= set(self.users)

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    # --- stages --------------------------------------------------------------------------------

    def create(self, spec: Spec, created: date) -> NormativeDocument:
        drafter = self.users[spec.drafter]
        document = services.document_create(
            actor=drafter,
            agency=self.agency,
            department=self.departments[spec.department],
            title=spec.title,
            text=_text(spec),
            kind=spec.kind,
            legal_basis=spec.legal_basis,
            drafting_note=spec.drafting_note or f"起草{spec.title}，明确适用范围、办理程序和时限。",
            market_related=spec.market_related,
            planned_validity_years=spec.validity_years,
        )
        # The service stamps creation now; the demo's drafting started on `created`.
        NormativeDocument.objects.filter(pk=document.pk).update(created_at=_at(created, 9))
        DocumentVersion.objects.filter(document=document).update(created_at=_at(created, 9))
        return document

    def revise(self, spec: Spec, document, days_ago: int, note: str, number: int) -> None:
        version = services.document_save_version(
            actor=self.users[spec.drafter], document=document, text=_text(spec, number), note=note
        )
        # Saved on the day of the demo's story, not today.
        DocumentVersion.objects.filter(pk=version.pk).update(created_at=_at(self.day(days_ago), 16))

    def consult(self, spec: Spec, document, opens: date) -> Consultation:
        closes = opens + timedelta(days=CONSULTATION_DAYS - 1)
        # The service opens consultations from today on; comments are taken while it is open.
        consultation = services.consultation_open(
            actor=self.users[spec.drafter],
            document=document,
            opens_on=self.today,
            closes_on=self.today + timedelta(days=CONSULTATION_DAYS - 1),
        )
        for index, comment in enumerate(spec.comments):
            made = services.comment_submit(
                consultation=consultation,
                text=comment.text,
                name=comment.name,
                phone=comment.phone,
                article=comment.article,
                idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, f"{spec.title}#{index}").hex,
            )
            submitted = min(opens + timedelta(days=2 + index * 3), self.today)
            PublicComment.objects.filter(pk=made.pk).update(submitted_at=_at(submitted, 14))
        # The consultation ran over the demo's own period, which may already be over.
        Consultation.objects.filter(pk=consultation.pk).update(opens_on=opens, closes_on=closes)
        return Consultation.objects.get(pk=consultation.pk)

    def answer(self, spec: Spec, document, consultation, answered_on: date, report: bool) -> None:
        actor = self.users[spec.drafter]
        workflow.perform(document, "close_consultation", actor=actor)
        by_text = {c.text: c for c in spec.comments}
        for comment in consultation.comments.all():
            wanted = by_text[comment.text]
            if wanted.response:
                services.comment_respond(
                    actor=actor, comment=comment, response=wanted.response, reason=wanted.reason
                )
        # Answered in the days after the period, not today.
        consultation.comments.exclude(response="").update(responded_at=_at(answered_on, 11))
        if report:
            services.consultation_report_publish(
                actor=actor,
                document=document,
                report=services.consultation_report_draft(consultation),
            )
            Consultation.objects.filter(pk=consultation.pk).update(
                report_published_at=_at(answered_on, 15)
            )

    def exempt(self, spec: Spec, document, approved: date) -> None:
        services.exemption_approve(
            actor=self.users["legal_officer"], document=document, ground=spec.exemption
        )
        # Approved on the demo's day, not today.
        NormativeDocument.objects.filter(pk=document.pk).update(
            exemption_approved_at=_at(approved, 15)
        )

    def submit(self, spec: Spec, document, started: date) -> None:
        services.review_submit(actor=self.users[spec.drafter], document=document)
        # review_submit starts the review clock today; the demo's review started on `started`.
        LegalityReview.objects.filter(document=document, decided_on__isnull=True).update(
            started_on=started
        )

    def review(self, document, decided: date, opinion: str = "pass") -> None:
        checklist = dict(CHECKS) if opinion == "pass" else {**CHECKS, "content": False}
        report = (
            "经审核，制定主体合法，未超越法定权限，制定程序合法，内容合法，形式规范。"
            if opinion == "pass"
            else "第三条关于优先承接政府购买服务的规定缺乏上位法依据，请修改后重新提请审核。"
        )
        services.review_record(
            actor=self.users["legal_officer"],
            document=document,
            checklist=checklist,
            opinion=opinion,
            report=report,
            decided_on=decided,
        )

    def decide(self, document, meeting: date) -> None:
        record = services.decision_record(
            actor=self.users["legal_officer"],
            document=document,
            meeting="director",
            meeting_date=meeting,
            attendees="陈局长、各副局长、办公室（法制办）及起草科室负责人",
            adopted=True,
            decision="审议通过，按程序统一登记、统一编号、统一公布。",
        )
        # Minuted on the meeting day, not today.
        CollectiveDecision.objects.filter(pk=record.pk).update(recorded_at=_at(meeting, 17))

    def issue(self, spec: Spec, document, published: date, effective: date, valid_until: date):
        return services.document_issue(
            actor=self.users["legal_officer"],
            document=document,
            published_on=published,
            effective_on=effective,
            valid_until=valid_until,
            interpretation=spec.interpretation,
        )

    # --- a whole document ----------------------------------------------------------------------

    def build(self, spec: Spec) -> NormativeDocument:
        if spec.stage == "issued":
            return self._build_issued(spec)
        document = self.create(spec, self.day(spec.created))
        if spec.stage != "returned":  # a returned draft is revised after its review
            for number, (days_ago, note) in enumerate(spec.revisions, start=2):
                self.revise(spec, document, days_ago, note, number)
        if spec.stage == "abandoned":
            workflow.perform(
                document, "abandon", actor=self.users["legal_officer"], comment=spec.abandon_reason
            )
            return document
        if spec.consultation_opened is None:
            return document
        opens = self.day(spec.consultation_opened)
        consultation = self.consult(spec, document, opens)
        if spec.stage == "consultation":
            return document
        closes = opens + timedelta(days=CONSULTATION_DAYS - 1)
        self.answer(
            spec,
            document,
            consultation,
            min(closes + timedelta(days=5), self.today),
            report=spec.stage != "comments",
        )
        if spec.stage == "comments":
            return document
        self.submit(spec, document, self.day(spec.review_started))
        if spec.stage == "review":
            return document
        if spec.stage == "returned":
            self.review(document, self.day(spec.review_decided), opinion="changes")
            days_ago, note = spec.revisions[0]
            self.revise(spec, document, days_ago, note, 2)
            return document
        self.review(document, self.day(spec.review_decided))
        if spec.stage == "reviewed":
            return document
        self.decide(document, self.day(spec.decided))
        return document

    def _build_issued(self, spec: Spec) -> NormativeDocument:
        if spec.valid_until is not None:
            # Validity ends on a given day: publication follows from the longest validity.
            valid_until = self.today + timedelta(days=spec.valid_until)
            effective = _years_after(valid_until + timedelta(days=1), -spec.validity_years)
            published = effective - timedelta(days=15)
        else:
            published = self.day(spec.published)
            effective = published + timedelta(days=30)
            valid_until = _years_after(effective, spec.validity_years) - timedelta(days=1)
        meeting = published - timedelta(days=12)
        review_decided = meeting - timedelta(days=7)
        review_started = _workdays_before(review_decided, 10)
        created = review_started - timedelta(days=80)
        document = self.create(spec, created)
        self.revise(spec, document, (self.today - created).days - 20, "根据科室讨论意见修改", 2)
        if spec.exemption:
            self.exempt(spec, document, review_started - timedelta(days=2))
        else:
            opens = created + timedelta(days=30)
            consultation = self.consult(spec, document, opens)
            self.answer(
                spec,
                document,
                consultation,
                opens + timedelta(days=CONSULTATION_DAYS + 3),
                report=True,
            )
        self.submit(spec, document, review_started)
        self.review(document, review_decided)
        self.decide(document, meeting)
        if spec.revises:
            from fazhi.rules.services.links import link_add

            older = NormativeDocument.objects.get(agency=self.agency, title=spec.revises)
            link = link_add(
                actor=self.users[spec.drafter], source=document, target=older, kind="revises"
            )
            # Linked while drafting, not today.
            DocumentLink.objects.filter(pk=link.pk).update(created_at=_at(created, 11))
        document = self.issue(spec, document, published, effective, valid_until)
        if spec.filing is not None:
            outcome, after = spec.filing
            filed_on = min(published + timedelta(days=after), self.today)
            services.filing_record(
                actor=self.users["legal_officer"],
                document=document,
                outcome=outcome,
                filed_on=filed_on,
                note="" if outcome != "correction" else "请修改第三条。",
            )
        return document


def build_rules_demo(agency) -> list[NormativeDocument]:
    """Add the demo documents missing from `agency`; returns those created (none on a rerun).

    Dates are relative to today: the services check them against today (a consultation opens
    no earlier than today, a meeting is no later), so the story cannot be told for another day.
    """
    builder = _Builder(agency, timezone.localdate())
    if not builder.ready():
        return []
    existing = set(
        NormativeDocument.objects.filter(
            agency=agency, title__in=[s.title for s in SPECS]
        ).values_list("title", flat=True)
    )
    created = []
    with transaction.atomic():
        for spec in SPECS:
            if spec.title not in existing:
                created.append(builder.build(spec))
    return created
