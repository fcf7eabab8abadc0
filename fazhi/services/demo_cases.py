"""A year of cases (办件) and appointments (网上预约) at the demo bureau's service centers.

Everything goes through the services, with the dates of each step (`received_on`, the steps'
`on=`, the bookings' and check-ins' `now=`), so every record has passed its checks and has its
audit events, and the year is told as it happened:

- From 1 November of last year (or a year ago, if that is earlier) to today, on the working days
  of the calendar, about one application a day over the eleven published items: at the counter
  of a center (walk-ins), from an appointment booked online a few days before and checked in on
  the day, or from the one-stop platform (一网通办, with its `external_ref`). The relief section's
  clerk 李经办 registers and handles its cases and its head 张科长 decides them; the bureau's
  other sections have no demo accounts, so the legal office 王法制 (which may take every step)
  handles and decides theirs, after the clerk (street centers) or the liaison 赵联络 (the district
  window) registered them at the counter.
- Most cases are accepted at once and decided well within the promised time; some ask once for
  补正, some are refused (不予受理, 不予), a few are decided after the promised or even the
  statutory limit. Cases whose next step would fall after today stay where they are, so the last
  weeks hold open cases in every state, besides the scripted ones below.
- Scripted on top (`scripted`): one open case per open state, two open cases past their promised
  and their statutory limit (the overdue sweep flags them), two concluded late, licensing cases
  decided last November and December (the disclosure report's 行政许可 row of last year), a
  person with several cases and a booking (for 刷证办事), and an appointment checked in on the
  last working day whose case is not registered yet (the day list's 登记办件 link).
- Appointments: besides those that became cases, a few no-shows (left booked; the no-show sweep
  marks them) and cancellations, and bookings for today and the next working days.

Contact numbers: the applicants' appointments carry the mobile number the booking requires, but
the cases carry a landline (or none, from the platform). Concluding a case with a mobile number
texts its rating link, and the demo's made-up mobile numbers may belong to real people: the
demo never sends a text (its ratings are made at the counter and through the online link).

Built once, in one transaction, into an agency with no cases and no appointments yet (a second
run, on any day, adds nothing); deterministic for a given day: a seeded generator draws the
people and the story, dates are counted in working days back from today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import takewhile

from django.contrib.auth import get_user_model
from django.utils import timezone

from fazhi.core.calendar import add_workdays, is_workday, next_workday
from fazhi.core.identity.validators import credit_code_check_char, resident_id_check_char
from fazhi.core.roles import Role
from fazhi.services.demo import ITEMS, RELIEF, year_start
from fazhi.services.demo_appointments import (
    CENTERS,
    DISTRICT_CENTER,
    Slots,
    book,
    cancel,
    check_in,
    evening,
)
from fazhi.services.models import ApplicantKind, Appointment, CaseChannel, ServiceCase, ServiceItem
from fazhi.services.models.appointments import moment
from fazhi.services.services import cases as case_services

SEED = 7007
STREET_CENTERS = (
    ("东湖街道社区事务受理服务中心", 35),
    ("西山街道社区事务受理服务中心", 25),
    ("南岭镇社区事务受理服务中心", 20),
    ("北塘镇社区事务受理服务中心", 20),
)
# Share of each channel where the item allows it (bookable items are mostly booked).
CHANNELS = ((CaseChannel.COUNTER, 40), (CaseChannel.APPOINTMENT, 45), (CaseChannel.ONLINE, 15))
CASES_PER_DAY = ((0, 3), (1, 5), (2, 2))  # (cases, weight): 0.9 a working day
NOT_ACCEPTED = 0.04
DENIED = 0.07
SUPPLEMENT = 0.12
LATE_STATUTORY = 0.015  # decided after the statutory limit
LATE_PROMISED = 0.06  # (cumulative) after the promised limit, within the statutory one
NO_SHOW = 0.14  # an appointment day also has a no-show …
CANCELLED = 0.10  # … or a cancelled booking
UPCOMING_DAYS = 5


@dataclass(frozen=True)
class ItemSpec:
    weight: int
    where: str  # "street" or "district"
    born: tuple[int, int] | None  # applicants' years of birth; None: an organisation applies
    summary: str  # may name {partner}, {unit} or {org}
    supplement: tuple[str, ...]  # what a 补正 asks for
    deny: str
    not_accept: str


SPECS = {
    "最低生活保障申请": ItemSpec(
        24, "street", (1952, 1990), "家庭人均收入低于本区最低生活保障标准，申请最低生活保障",
        ("家庭成员近 6 个月收入证明", "家庭成员银行账户近 6 个月流水"),
        "经家庭经济状况核对，共同生活家庭成员人均收入高于本区最低生活保障标准。",
        "申请人户籍不在本区，不属于本机关管辖，已告知向户籍所在地街道（乡镇）申请。",
    ),
    "特困人员救助供养申请": ItemSpec(
        7, "street", (1940, 1970), "无劳动能力、无生活来源，申请特困人员救助供养（分散供养）",
        ("残疾人证复印件", "法定义务人无履行能力的证明材料"),
        "经调查核实，申请人的法定赡养义务人具备赡养能力。",
        "申请人已纳入最低生活保障，且未提出变更申请，已告知办理程序。",
    ),
    "临时救助申请": ItemSpec(
        12, "street", (1955, 1998), "因病住院医疗费用支出较大，基本生活暂时出现严重困难",
        ("医疗费用票据原件", "出院小结"),
        "经核实，申请人家庭的困难情形不属于临时救助范围，已告知可申请的其他救助。",
        "申请人未能提供困难情况的任何证明，且表示不再补充，已告知可补齐后重新申请。",
    ),
    "高龄津贴申领": ItemSpec(
        15, "street", None, "年满 80 周岁，申领高龄津贴", ("本人银行账户信息",),
        "经核查，申请人户籍迁入本区未满规定年限，暂不符合申领条件。",
        "申请人户籍不在本区，已告知向户籍所在地街道（乡镇）申领。",
    ),
    "结婚登记": ItemSpec(
        12, "district", (1988, 2000), "与{partner}申请结婚登记", (),
        "",
        "一方未达法定婚龄，不予受理。",
    ),
    "离婚登记": ItemSpec(
        4, "district", (1975, 1992), "与{partner}协议离婚，冷静期届满后申请发给离婚证", (),
        "",
        "双方未就子女抚养、财产以及债务处理等事项协商一致。",
    ),
    "补领婚姻登记证": ItemSpec(
        4, "district", (1965, 1995), "结婚证遗失，申请补领", (),
        "",
        "申请人的婚姻登记档案不在本机关，已告知向原登记机关申请。",
    ),
    "收养登记": ItemSpec(
        2, "district", (1980, 1992), "申请收养登记（收养查找不到生父母的儿童）",
        ("收养人婚姻状况和子女情况证明",),
        "收养评估结论为收养人暂不具备抚养、教育和保护被收养人的能力。",
        "被收养儿童的生父母已经查找到，不属于本项登记的情形，已告知依法办理。",
    ),
    "社会团体成立登记": ItemSpec(
        4, "district", (1965, 1988), "作为发起人申请成立“{unit}”",
        ("章程草案（修改稿）", "验资报告"),
        "拟成立社会团体的业务范围与已登记的社会团体相同，没有成立的必要。",
        "申请人未取得业务主管单位的批准文件。",
    ),
    "民办非企业单位成立登记": ItemSpec(
        5, "district", (1965, 1990), "作为拟任负责人申请成立“{unit}”",
        ("场所使用权证明", "拟任负责人的身份证明复印件"),
        "申请人不能提供合法的场所使用权证明，不具备与其业务活动相适应的固定住所。",
        "申请人未取得业务主管单位的批准文件。",
    ),
    "养老机构备案": ItemSpec(
        3, "district", None, "“{org}”设立养老机构，办理备案",
        ("养老机构场所符合消防安全要求的承诺书",),
        "备案材料载明的床位数与实地情况不符，已告知如实备案。",
        "申请人尚未取得营业执照或者登记证书。",
    ),
}  # fmt: skip
LIMITS = {name: (promised, statutory) for (name, *_rest, promised, statutory) in ITEMS}
SAME_DAY = ("结婚登记", "补领婚姻登记证")  # registered and certified at the window at once
SOCIETIES = (
    "示例区摄影家协会", "示例区老年书画研究会", "示例区围棋协会", "示例区志愿服务联合会",
    "示例区诗词学会", "示例区舞蹈家协会", "示例区钓鱼协会", "示例区青年创业促进会",
)  # fmt: skip
NON_PROFITS = (
    "示例区阳光社会工作服务中心", "示例区彩虹助残服务社", "示例区邻里互助服务中心",
    "示例区乐龄养老服务中心", "示例区启明儿童发展中心", "示例区同心社区服务中心",
)  # fmt: skip
# Operators of care homes: name and the first 17 characters of the credit code.
ORGANISATIONS = (
    ("示例区康乐养老服务有限公司", "91310115MA1H8N2C7"),
    ("示例区福寿康养老院有限公司", "91310115MA1K4P7R2"),
    ("示例区夕阳红护理院有限公司", "91310115MA1L2Q3W9"),
    ("示例区颐和养老服务中心", "52310115MJ5236418"),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
)
# Given names by sex: the 17th digit of the ID number agrees (odd for men, even for women).
MEN = "建国 志强 明 伟 磊 强 军 洋 勇 杰 涛 超 刚 国华 文彬 晓东 浩然 思远 俊杰 德华 永福".split()
WOMEN = "秀英 桂兰 丽华 海燕 芳 敏 静 艳 娟 霞 玉兰 凤英 淑珍 红梅 佳怡 雨欣 婷婷 春燕 金凤".split()


# --- People -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    resident_id: str
    mobile: str  # for bookings (the portal requires a mobile)
    landline: str  # the case's contact number (see the module docstring)
    woman: bool


@dataclass(frozen=True)
class Organisation:
    name: str
    credit_code: str


class People:
    """Applicants with valid, unique resident ID numbers (示例区 310115, the check digit of GB
    11643, the sex digit agreeing with the name) and phone numbers in the form the services
    check; drawn from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0

    def new(self, born: tuple[int, int], *, name: str = "", woman: bool | None = None) -> Person:
        self.count += 1
        woman = self.rng.random() < 0.5 if woman is None else woman
        year = self.rng.randint(*born)
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        # The sequence keeps the numbers unique (a run draws far fewer than 500 people).
        sequence = (2 * self.count + (0 if woman else 1)) % 1000
        first17 = f"310115{year:04d}{month:02d}{day:02d}{sequence:03d}"
        n = self.count
        return Person(
            name=name or self.name(woman=woman),
            resident_id=first17 + resident_id_check_char(first17),
            mobile=f"13{8 + n % 2}{(17250000 + n * 7919) % 10**8:08d}",
            landline=f"021-5{(1234567 + n * 7777) % 10**7:07d}",
            woman=woman,
        )

    def name(self, *, woman: bool) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(WOMEN if woman else MEN)


def organisations() -> list[Organisation]:
    return [Organisation(name, code + credit_code_check_char(code)) for name, code in ORGANISATIONS]


# --- Plans ------------------------------------------------------------------------------------


@dataclass
class Step:
    action: str
    on: date
    data: dict = field(default_factory=dict)


@dataclass
class Booking:
    start: time
    booked_at: datetime
    checked_in_at: datetime | None = None  # None: not (yet) checked in
    cancelled_at: datetime | None = None


@dataclass
class Plan:
    """One application as it will happen; `steps` after today are not taken."""

    item: str
    channel: str
    received_on: date
    center: str | None
    summary: str
    person: Person | None = None
    organisation: Organisation | None = None
    steps: list[Step] = field(default_factory=list)
    booking: Booking | None = None
    external_ref: str = ""
    register: bool = True  # False: an appointment only (no case registered)


@dataclass
class Year:
    """What the year built: counts, and the rating links issued at conclusion (by case id)."""

    built: bool = False
    appointments: int = 0
    cases: int = 0
    links: dict[int, dict[str, str]] = field(default_factory=dict)


def window(today: date) -> tuple[date, date]:
    """(first working day, last working day) of the year of cases (see `demo.year_start`)."""
    last = today if is_workday(today) else add_workdays(today, -1)
    return next_workday(year_start(today)), last


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class Planner:
    def __init__(self, today: date, slots: Slots) -> None:
        self.today = today
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible on purpose
        self.people = People(self.rng)
        self.organisations = organisations()
        self.slots = slots
        self.refs = 0
        self.relief_applicants: list[Person] = []

    # -- who applies, and where --

    def applicant(self, item: str, on: date) -> tuple[Person | None, Organisation | None]:
        spec = SPECS[item]
        if item == "养老机构备案":
            return None, self.rng.choice(self.organisations)
        if item == "临时救助申请" and self.relief_applicants and self.rng.random() < 0.2:
            return self.rng.choice(self.relief_applicants), None  # a family already known
        born = spec.born or (on.year - 95, on.year - 81)  # 高龄津贴: 80 and over
        person = self.people.new(born)
        if item in ("最低生活保障申请", "特困人员救助供养申请"):
            self.relief_applicants.append(person)
        return person, None

    def summary(self, item: str, person: Person | None) -> str:
        unit = self.rng.choice(SOCIETIES if item == "社会团体成立登记" else NON_PROFITS)
        partner = self.people.name(woman=not person.woman) if person else ""
        return SPECS[item].summary.format(partner=partner, unit=unit, org="{org}")

    def external_ref(self, on: date) -> str:
        self.refs += 1
        return f"YWTB{on:%Y%m%d}{self.refs:04d}"

    def center_for(self, item: str) -> str:
        if SPECS[item].where == "district":
            return DISTRICT_CENTER
        return _weighted(self.rng, STREET_CENTERS)

    # -- the steps --

    def life(self, item: str, channel: str, received: date) -> list[Step]:
        """The steps of an application received on `received`, with their days."""
        rng = self.rng
        spec = SPECS[item]
        promised, statutory = LIMITS[item]
        accepted = received if rng.random() < 0.7 else add_workdays(received, rng.choice((1, 2)))
        if item in SAME_DAY:
            accepted = received
        if rng.random() < NOT_ACCEPTED:
            return [Step("not_accept", accepted, {"reason": spec.not_accept})]
        steps = [Step("accept", accepted), Step("start_review", accepted)]
        roll = rng.random()
        if promised is None:  # 离婚登记: 30 days of cooling-off, then both come back
            decided = next_workday(received + timedelta(days=30 + rng.randint(0, 12)))
        elif promised <= 1:
            decided = accepted
        elif statutory and roll < LATE_STATUTORY:
            decided = add_workdays(accepted, statutory + rng.randint(1, 2))
        elif statutory and statutory > promised and roll < LATE_PROMISED:
            decided = add_workdays(accepted, rng.randint(promised + 1, statutory))
        else:
            days = rng.randint(max(1, promised // 3), promised)
            if spec.supplement and rng.random() < SUPPLEMENT:
                asked = add_workdays(accepted, rng.randint(1, max(1, min(3, days - 1))))
                waited = rng.randint(2, 6)
                steps += [
                    Step("request_supplement", asked, {"items": list(spec.supplement)}),
                    Step("receive_supplement", add_workdays(asked, waited)),
                ]
                # The pause moves the deadline by at least the days waited: still on time.
                days += waited
            decided = add_workdays(accepted, days)
        if spec.deny and rng.random() < DENIED:
            steps.append(Step("deny", decided, {"reason": spec.deny}))
        else:
            steps.append(Step("grant", decided))
        steps.append(Step("conclude", decided))
        method, gap = self.delivery(item, channel)
        steps.append(
            Step("deliver", add_workdays(decided, gap) if gap else decided, {"method": method})
        )
        return steps

    def delivery(self, item: str, channel: str) -> tuple[str, int]:
        """(送达方式, working days after 办结)."""
        if item in SAME_DAY or item == "离婚登记":
            return "counter", 0  # the certificate is handed over at the window
        if channel == CaseChannel.ONLINE:
            return ("electronic", 0) if self.rng.random() < 0.7 else ("post", 2)
        if self.rng.random() < 0.8:
            return "counter", self.rng.randint(1, 3)
        return "post", self.rng.choice((2, 3))

    # -- plans --

    def booking(self, item: str, center: str, day: date, *, late: bool = False):
        """A booking made a few working days before `day`, checked in on the day."""
        center_item = self.slots.center_item(center, item)
        start = self.slots.pick(center_item, day, self.rng) if center_item else None
        if start is None:
            return None
        self.slots.take(center_item, day, start)
        booked_day = add_workdays(day, -self.rng.randint(1, 5))
        arrived = moment(day, start) - timedelta(minutes=self.rng.randint(2, 20))
        if late:
            arrived = moment(day, start) + timedelta(minutes=center_item.slot_minutes + 15)
        return Booking(start, evening(booked_day, self.rng.randint(0, 150)), arrived)

    def filler(self, day: date) -> list[Plan]:
        rng = self.rng
        plans = []
        for _n in range(_weighted(rng, CASES_PER_DAY)):
            item = _weighted(rng, [(name, spec.weight) for name, spec in SPECS.items()])
            center = self.center_for(item)
            allowed = [
                (channel, weight)
                for channel, weight in CHANNELS
                if channel == CaseChannel.COUNTER
                or (
                    channel == CaseChannel.APPOINTMENT
                    and day < self.today
                    and self.slots.bookable(center, item)
                )
                or (channel == CaseChannel.ONLINE and _online(item))
            ]
            channel = _weighted(rng, allowed)
            person, organisation = self.applicant(item, day)
            plan = Plan(
                item=item,
                channel=channel,
                received_on=day,
                center=None if channel == CaseChannel.ONLINE else center,
                summary=self.summary(item, person),
                person=person,
                organisation=organisation,
            )
            if channel == CaseChannel.ONLINE:
                plan.external_ref = self.external_ref(day)
            if channel == CaseChannel.APPOINTMENT:
                plan.booking = self.booking(item, center, day, late=rng.random() < 0.04)
                if plan.booking is None:  # the day was full: the person came without one
                    plan.channel = CaseChannel.COUNTER
            plan.steps = self.life(item, plan.channel, day)
            plans.append(plan)
            if plan.channel == CaseChannel.APPOINTMENT:
                plans += self.missed(item, center, day)
        return plans

    def missed(self, item: str, center: str, day: date) -> list[Plan]:
        """Now and then, on a day with appointments, one that nobody came to or was cancelled."""
        roll = self.rng.random()
        if roll >= NO_SHOW + CANCELLED:
            return []
        booking = self.booking(item, center, day)
        if booking is None:
            return []
        booking.checked_in_at = None
        if roll >= NO_SHOW:
            slot_start = moment(day, booking.start)
            booking.cancelled_at = booking.booked_at + (slot_start - booking.booked_at) / 2
        person, _org = self.applicant(item, day)
        return [
            Plan(item, CaseChannel.APPOINTMENT, day, center, "", person, booking=booking,
                 register=False)
        ]  # fmt: skip

    def upcoming(self) -> list[Plan]:
        """Bookings for today and the next working days, made last night (never in the future,
        whatever the hour the demo is built)."""
        last_night = self.today - timedelta(days=1)
        days = [self.today] if is_workday(self.today) else []
        days += [add_workdays(self.today, n) for n in range(1, UPCOMING_DAYS + 1)]
        bookable = [
            ("最低生活保障申请", None), ("特困人员救助供养申请", None), ("高龄津贴申领", None),
            ("结婚登记", DISTRICT_CENTER), ("离婚登记", DISTRICT_CENTER),
        ]  # fmt: skip
        plans = []
        minutes = 0
        for day in days:
            for _n in range(self.rng.randint(3, 6)):
                item, center = self.rng.choice(bookable)
                center = center or self.center_for(item)
                center_item = self.slots.center_item(center, item)
                start = self.slots.pick(center_item, day, self.rng) if center_item else None
                if start is None:
                    continue
                self.slots.take(center_item, day, start)
                minutes += 3
                booking = Booking(start, evening(last_night, minutes % 150))
                person, _org = self.applicant(item, day)
                plans.append(
                    Plan(item, CaseChannel.APPOINTMENT, day, center, "", person,
                         booking=booking, register=False)
                )  # fmt: skip
        # One of them was cancelled again the same evening.
        if plans:
            plans[0].booking.cancelled_at = evening(last_night, 170)
        return plans

    def scripted(self, last: date) -> list[Plan]:
        """The cases the demo must show whatever the generator drew (see the module doc)."""

        def back(n: int) -> date:
            return add_workdays(last, -n) if n else last

        def plan(item, channel, received, center, steps, **extra) -> Plan:
            person = extra.pop("person", None)
            organisation = None
            if person is None:
                person, organisation = self.applicant(item, received)
            found = Plan(
                item=item,
                channel=channel,
                received_on=received,
                center=center,
                summary=self.summary(item, person),
                person=person,
                organisation=organisation,
                steps=steps,
                **extra,
            )
            if channel == CaseChannel.ONLINE:
                found.external_ref = self.external_ref(received)
            return found

        east, west = "东湖街道社区事务受理服务中心", "西山街道社区事务受理服务中心"
        south, north = "南岭镇社区事务受理服务中心", "北塘镇社区事务受理服务中心"
        online, counter = CaseChannel.ONLINE, CaseChannel.COUNTER
        low, poor, urgent = "最低生活保障申请", "特困人员救助供养申请", "临时救助申请"
        aged, society, non_profit = "高龄津贴申领", "社会团体成立登记", "民办非企业单位成立登记"
        supplement = list(SPECS[low].supplement)
        year = self.today.year - 1
        nov10, nov20 = next_workday(date(year, 11, 10)), next_workday(date(year, 11, 20))
        plans = [
            # One open case in each open state.
            plan(low, online, back(0), None, []),
            plan(aged, counter, back(0), west, [Step("accept", back(0))]),
            plan(poor, counter, back(3), south, _review(back(3))),
            plan(low, counter, back(6), east, [
                *_review(back(6)), Step("request_supplement", back(2), {"items": supplement}),
            ]),
            plan(urgent, counter, back(2), north, [*_review(back(2)), Step("grant", back(0))]),
            plan(aged, online, back(7), None, [
                *_review(back(6)), Step("deny", back(0), {"reason": SPECS[aged].deny}),
            ]),
            plan(non_profit, counter, back(14), DISTRICT_CENTER, [
                *_review(back(13)), Step("grant", back(2)), Step("conclude", back(1)),
            ]),
            # Running past the promised limit (15 working days), and past the statutory one (40).
            plan(low, counter, back(19), north, _review(back(19))),
            plan(society, online, back(44), None, _review(back(43))),
            # Concluded late: after the promised limit only; after both.
            plan(poor, counter, back(70), east, _done(back(70), back(53), "counter", back(51))),
            plan(non_profit, online, back(110), None,
                 _done(back(109), back(87), "electronic", back(87))),
            # Licensing decisions of last November and December (the report's 行政许可 row).
            plan(society, counter, nov10, DISTRICT_CENTER,
                 _done(add_workdays(nov10, 1), add_workdays(nov10, 18), "counter",
                       add_workdays(nov10, 20))),
            plan(non_profit, counter, nov20, DISTRICT_CENTER, [
                *_review(nov20),
                Step("deny", add_workdays(nov20, 9), {"reason": SPECS[non_profit].deny}),
                Step("conclude", add_workdays(nov20, 9)),
                Step("deliver", add_workdays(nov20, 11), {"method": "post"}),
            ]),
        ]  # fmt: skip
        # A regular at the counter: 刷证办事 finds two cases and an appointment of hers.
        regular = self.people.new((1940, 1944), name="刘桂兰", woman=True)
        plans.append(
            plan(urgent, counter, back(160), east, _done(back(160), back(158), "counter",
                 back(157)), person=regular)
        )  # fmt: skip
        booked = self.booking(aged, east, back(120))
        if booked is not None:
            plans.append(
                plan(aged, CaseChannel.APPOINTMENT, back(120), east,
                     _done(back(120), back(116), "counter", back(112)), person=regular,
                     booking=booked)
            )  # fmt: skip
        center_item = self.slots.center_item(east, low)
        day = add_workdays(self.today, 2)
        start = self.slots.pick(center_item, day, self.rng) if center_item else None
        if start is not None:
            self.slots.take(center_item, day, start)
            plans.append(
                Plan(low, CaseChannel.APPOINTMENT, day, east, "", regular, register=False,
                     booking=Booking(start, evening(self.today - timedelta(days=1), 175)))
            )  # fmt: skip
        # Checked in on the last working day before today; the case is not registered yet.
        day = add_workdays(self.today, -1)
        waiting = self.booking(poor, west, day)
        if waiting is not None:
            plans.append(
                Plan(poor, CaseChannel.APPOINTMENT, day, west, "", self.people.new((1945, 1965)),
                     booking=waiting, register=False)
            )  # fmt: skip
        return plans


def _online(item: str) -> bool:
    return any(name == item and online for (name, _code, _dept, online, *_rest) in ITEMS)


def _review(accepted: date) -> list[Step]:
    return [Step("accept", accepted), Step("start_review", accepted)]


def _done(accepted: date, decided: date, method: str, delivered: date) -> list[Step]:
    return [
        *_review(accepted),
        Step("grant", decided),
        Step("conclude", decided),
        Step("deliver", delivered, {"method": method}),
    ]


# --- Building ---------------------------------------------------------------------------------


class Actors:
    """The demo accounts in their roles (see the module docstring)."""

    def __init__(self) -> None:
        users = get_user_model().objects.filter(
            username__in=[
                Role.CLERK.value,
                Role.DEPARTMENT_HEAD.value,
                Role.LEGAL_OFFICER.value,
                Role.LIAISON.value,
            ]
        )
        found = {u.username: u for u in users}
        self.clerk = found.get(Role.CLERK.value)
        self.head = found.get(Role.DEPARTMENT_HEAD.value)
        self.officer = found.get(Role.LEGAL_OFFICER.value)
        self.liaison = found.get(Role.LIAISON.value)

    @property
    def complete(self) -> bool:
        return None not in (self.clerk, self.head, self.officer, self.liaison)

    def counter(self, center: str | None):
        return self.liaison if center == DISTRICT_CENTER else self.clerk

    def handler(self, item: ServiceItem):
        return self.clerk if item.department.name == RELIEF else self.officer

    def decider(self, item: ServiceItem):
        return self.head if item.department.name == RELIEF else self.officer


def build_year(agency, centers: dict) -> Year:
    """Build the year up to today into `agency` (which must have no cases and no appointments
    yet, else nothing is built). `centers`: the demo centers by name (`build_centers`). The
    caller holds the transaction (see `build_services_demo`)."""
    year = Year()
    actors = Actors()
    if not actors.complete or set(centers) != {spec.name for spec in CENTERS}:
        return year
    if (
        ServiceCase.objects.filter(agency=agency).exists()
        or Appointment.objects.filter(agency=agency).exists()
    ):
        return year
    today = timezone.localdate()
    items = {
        i.name: i
        for i in ServiceItem.objects.filter(agency=agency, name__in=list(SPECS)).select_related(
            "department"
        )
    }
    if len(items) < len(SPECS):
        return year
    slots = Slots(agency)
    planner = Planner(today, slots)
    first, last = window(today)
    plans = []
    day = first
    while day <= last:
        plans += planner.filler(day)
        day = add_workdays(day, 1)
    plans += planner.scripted(last)
    # Registered in the order of receipt, so the case numbers follow the dates.
    plans.sort(key=lambda p: p.received_on)
    plans += planner.upcoming()
    runner = _Runner(agency, today, items, centers, actors, slots)
    for plan in plans:
        runner.run(plan)
    year.built = True
    year.appointments = runner.appointments
    year.cases = runner.cases
    year.links = runner.links
    return year


class _Runner:
    def __init__(self, agency, today, items, centers, actors, slots) -> None:
        self.agency = agency
        self.today = today
        self.items = items
        self.centers = centers
        self.actors = actors
        self.slots = slots
        self.appointments = 0
        self.cases = 0
        self.links: dict[int, dict[str, str]] = {}

    def run(self, plan: Plan) -> ServiceCase | None:
        item = self.items[plan.item]
        appointment = self._appointment(plan) if plan.booking is not None else None
        checked_in = appointment is None or appointment.state == Appointment.State.CHECKED_IN
        if not plan.register or not checked_in:
            return None
        registrar = (
            self.actors.handler(item)
            if plan.channel == CaseChannel.ONLINE
            else self.actors.counter(plan.center)
        )
        handler, decider = self.actors.handler(item), self.actors.decider(item)
        steps = list(takewhile(lambda s: s.on <= self.today, plan.steps))
        accept_now = (
            bool(steps)
            and steps[0].action == "accept"
            and steps[0].on == plan.received_on
            and registrar == handler
        )
        organisation = plan.organisation
        summary = plan.summary.replace("{org}", organisation.name) if organisation else plan.summary
        case = case_services.case_register(
            actor=registrar,
            agency=self.agency,
            item=item,
            channel=plan.channel,
            applicant_kind=ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON,
            applicant_name=organisation.name if organisation else plan.person.name,
            resident_id="" if organisation else plan.person.resident_id,
            credit_code=organisation.credit_code if organisation else "",
            # The platform passes no number; at the counter the applicant gives a landline.
            phone="" if plan.channel == CaseChannel.ONLINE else _landline(plan),
            summary=summary,
            center=self.centers.get(plan.center) if plan.center else None,
            appointment=appointment,
            external_ref=plan.external_ref,
            received_on=plan.received_on,
            accept_now=accept_now,
        )
        self.cases += 1
        for step in steps[1:] if accept_now else steps:
            case = self._step(case, step, handler, decider)
        return case

    def _appointment(self, plan: Plan) -> Appointment:
        booking = plan.booking
        center_item = self.slots.center_item(plan.center, plan.item)
        appointment = book(
            center_item,
            day=plan.received_on,
            start=booking.start,
            person=plan.person,
            at=booking.booked_at,
        )
        self.appointments += 1
        if booking.cancelled_at is not None:
            return cancel(appointment, at=booking.cancelled_at)
        if booking.checked_in_at is not None:
            return check_in(self.actors.counter(plan.center), appointment, at=booking.checked_in_at)
        return appointment

    def _step(self, case, step: Step, handler, decider):
        on, data = step.on, step.data
        if step.action == "accept":
            return case_services.case_accept(actor=handler, case=case, on=on)
        if step.action == "not_accept":
            return case_services.case_not_accept(
                actor=handler, case=case, reason=data["reason"], on=on
            )
        if step.action == "start_review":
            return case_services.case_start_review(actor=handler, case=case)
        if step.action == "request_supplement":
            return case_services.case_request_supplement(
                actor=handler, case=case, items=data["items"], on=on
            )
        if step.action == "receive_supplement":
            return case_services.case_receive_supplement(actor=handler, case=case, on=on)
        if step.action == "grant":
            return case_services.case_grant(actor=decider, case=case, on=on)
        if step.action == "deny":
            return case_services.case_deny(actor=decider, case=case, reason=data["reason"], on=on)
        if step.action == "conclude":
            case, links = case_services.case_conclude(actor=handler, case=case, on=on)
            self.links[case.pk] = links
            return case
        if step.action == "deliver":
            return case_services.case_deliver(
                actor=handler, case=case, method=data["method"], on=on
            )
        raise ValueError(step.action)


def _landline(plan: Plan) -> str:
    return plan.person.landline if plan.person else "021-58881234"  # a care home's office


def run_sweeps(now: datetime | None = None) -> dict[str, int]:
    """What `fazhi sweep` would have done by now: past bookings nobody came to become
    no-shows, running cases past their limits are flagged (and their people told), the
    bad reviews' deadlines remind. Each job is idempotent; called once, after a fresh year."""
    from fazhi.services.services import appointments, rating_followups

    now = now or timezone.now()
    return {
        "no_shows": appointments.no_show_sweep(now),
        "case_notices": case_services.case_overdue_sweep(now),
        "follow_up_notices": rating_followups.bad_reviews_due_sweep(now),
    }
