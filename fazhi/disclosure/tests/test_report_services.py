"""The annual report: table 二, the services, the identity check, freezing and the deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

import fazhi.rules.tests.test_report_figures as rules_kit
from fazhi.core.audit import Event
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.roles import Role
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import AnnualReport, DisclosureChallenge, DisclosureRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.services.report import due_on, reports_due
from fazhi.disclosure.tests.conftest import registered
from fazhi.rules.models import DocumentLink
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db

YEAR = 2025
# 行政许可 is counted from the services app's cases (fazhi/services/tests/test_cases_figures.py).
FIGURES = {
    "penalty": {"decisions": 3},
    "coercion": {"decisions": "0"},
    "fees": {"amount": "1.2345"},
}


def kit(office):
    clerk = office["clerk"]
    return {
        "agency": office["agency"],
        "section": clerk.memberships.get().department,
        "clerk": clerk,
    }


def opened(office, year=YEAR):
    return services.report_open(actor=office["officer"], agency=office["agency"], year=year)


def written(office, year=YEAR, **changes):
    values = {
        "overview": "2025年，本局认真贯彻《中华人民共和国政府信息公开条例》。",
        "problems": "一是公开内容不够全面。\n二是解读形式单一。",
        "other_matters": "本年度未收取信息处理费。",
        "manual_figures": FIGURES,
    }
    values.update(changes)
    return services.report_update(actor=office["officer"], report=opened(office, year), **values)


# --- Table 二 ----------------------------------------------------------------------------------


def test_table_two_rows_and_columns_are_the_national_format(office):
    table = selectors.table_two(office["agency"], YEAR, {})
    assert [
        (b.header, [label for _k, label in b.columns], [r.label for r in b.rows])
        for b in table.blocks
    ] == [
        (
            "第二十条第（一）项",
            ["本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "行政规范性文件"],
        ),
        ("第二十条第（五）项", ["本年处理决定数量"], ["行政许可"]),
        ("第二十条第（六）项", ["本年处理决定数量"], ["行政处罚", "行政强制"]),
        ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["行政事业性收费"]),
    ]
    assert [r.label for b in table.blocks for r in b.rows if r.manual] == [
        "规章",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    ]
    # 规章 stands at 0 for a district bureau; 行政许可 is counted from the cases (none here);
    # the others wait for the office's figures.
    assert table.row("regulations").values == (0, 0, 0)
    assert table.value("licensing", "decisions") == 0
    assert table.missing() == [
        ("行政处罚", "本年处理决定数量"),
        ("行政强制", "本年处理决定数量"),
        ("行政事业性收费", "本年收费金额（单位：万元）"),
    ]


def test_normative_documents_are_counted_from_the_rules_app_never_typed(office):
    k = kit(office)
    rules_kit.make(k, date(2023, 3, 1), date(2028, 2, 28))
    rules_kit.make(k, date(2021, 1, 1), date(2025, 6, 30))
    repealed = rules_kit.make(k, date(2022, 5, 1), date(2027, 4, 30))
    repealer = rules_kit.make(k, date(2025, 9, 1), date(2030, 8, 31))
    DocumentLink.objects.create(
        source=repealer, target=repealed, kind="repeals", created_by=k["clerk"]
    )
    # A figure typed for a counted row is refused: it is not a hand row.
    report = opened(office)
    for row, column in (("normative_documents", "issued"), ("licensing", "decisions")):
        with pytest.raises(InvalidInput):
            services.report_update(
                actor=office["officer"], report=report, manual_figures={row: {column: 9}}
            )
    table = selectors.table_two(office["agency"], YEAR, {**FIGURES, "licensing": {"decisions": 9}})
    assert table.row("normative_documents").values == (1, 2, 2)
    assert table.value("licensing", "decisions") == 0
    assert table.value("penalty", "decisions") == 3
    assert table.value("fees", "amount") == "1.2345"


# --- Opening and writing ----------------------------------------------------------------------


def test_one_report_per_agency_and_year(office):
    report = opened(office)
    assert report.state == "draft" and report.created_by == office["officer"]
    with pytest.raises(Conflict, match="2025年度报告已存在"):
        opened(office)
    assert (
        Event.objects.filter(verb="disclosure.report.open", target_id=str(report.pk)).count() == 1
    )


@pytest.mark.parametrize("year", [2018, timezone.localdate().year + 1, "20x5", "", None, True])
def test_the_year_is_checked(office, year):
    with pytest.raises(InvalidInput):
        opened(office, year)
    assert not AnnualReport.objects.exists()


def test_only_the_legal_office_opens_and_writes(office):
    for role in ("leader", "clerk", "other_officer"):
        with pytest.raises(NotAllowed):
            services.report_open(actor=office[role], agency=office["agency"], year=YEAR)
    report = opened(office)
    with pytest.raises(NotAllowed):
        services.report_update(actor=office["leader"], report=report, overview="领导改写")
    assert AnnualReport.objects.get().overview == ""


@pytest.mark.parametrize(
    "figures, message",
    [
        ({"penalty": {"decisions": -1}}, "须为不小于 0 的整数"),
        ({"penalty": {"decisions": "1.5"}}, "须为不小于 0 的整数"),
        ({"penalty": {"decisions": "１２"}}, "须为不小于 0 的整数"),
        ({"fees": {"amount": "-0.1"}}, "须为不小于 0 的数字"),
        ({"fees": {"amount": "1.23456"}}, "最多保留四位小数"),
        ({"fees": {"amount": "abc"}}, "须为不小于 0 的数字"),
        ({"fees": {"amount": "NaN"}}, "须为不小于 0 的数字"),
        ({"fees": {"decisions": 1}}, "没有“decisions”列"),
        ({"permits": {"decisions": 1}}, "没有可手工填报的“permits”行"),
    ],
)
def test_hand_figures_are_validated_and_nothing_is_half_saved(office, figures, message):
    report = opened(office)
    with pytest.raises(InvalidInput, match=message):
        services.report_update(
            actor=office["officer"], report=report, overview="总体情况", manual_figures=figures
        )
    report.refresh_from_db()
    assert (report.overview, report.manual_figures) == ("", {})


def test_update_merges_figures_and_audits_what_changed(office):
    report = written(office)
    report = services.report_update(
        actor=office["officer"],
        report=report,
        manual_figures={"penalty": {"decisions": ""}, "fees": {"amount": "2.50"}},
    )
    assert report.manual_figures == {
        "coercion": {"decisions": 0},
        "fees": {"amount": "2.5"},
    }
    event = Event.objects.filter(verb="disclosure.report.update").order_by("-seq").first()
    assert event.data["figures"] == {"penalty.decisions": None, "fees.amount": "2.5"}
    assert event.data["sections"] == []


# --- Finalising -------------------------------------------------------------------------------


def test_finalising_needs_the_sections_and_the_hand_figures(office):
    report = opened(office)
    with pytest.raises(Conflict, match="“一、总体情况”、“五、存在的主要问题及改进情况”"):
        services.report_finalise(actor=office["officer"], report=report)
    report = services.report_update(
        actor=office["officer"], report=report, overview="总体", problems="问题", other_matters="无"
    )
    with pytest.raises(Conflict, match="表二“行政处罚”“本年处理决定数量”"):
        services.report_finalise(actor=office["officer"], report=report)
    assert AnnualReport.objects.get().state == "draft"


def test_the_current_year_cannot_be_finalised(office):
    report = written(office, year=timezone.localdate().year)
    with pytest.raises(Conflict, match="年度结束后方可定稿"):
        services.report_finalise(actor=office["officer"], report=report)


def test_a_broken_identity_refuses_with_the_named_cell(office):
    request = registered(office, received_on=date(2025, 3, 3))
    # A record written past the services: concluded in 2025 under no outcome of table 三.
    DisclosureRequest.objects.filter(pk=request.pk).update(
        state="closed", outcome="bogus", concluded_on=date(2025, 4, 1)
    )
    report = written(office)
    with pytest.raises(Conflict) as refused:
        services.report_finalise(actor=office["officer"], report=report)
    assert "表三“自然人”列：一＋二＝1，三（七）总计＋四＝0" in str(refused.value.message)
    assert "表三“总计”列：一＋二＝1，三（七）总计＋四＝0" in str(refused.value.message)
    assert refused.value.code == "identity_broken"
    report.refresh_from_db()
    assert (report.state, report.tables, report.finalised_at) == ("draft", {}, None)


def test_a_broken_table_four_total_names_its_group(office):
    tables = selectors.report_tables_data(office["agency"], YEAR, FIGURES)
    tables["four"]["groups"][1]["values"] = [1, 0, 0, 0, 2]
    assert selectors.report_identity_breaks(tables) == [
        "表四“行政诉讼（未经复议直接起诉）”：总计＝2，结果维持＋结果纠正＋其他结果＋尚未审结＝1"
    ]


def test_finalising_freezes_the_tables(office):
    k = kit(office)
    rules_kit.make(k, date(2025, 5, 1), date(2030, 4, 30))
    request = registered(office, received_on=date(2025, 3, 3))
    services.reply(
        actor=office["officer"],
        request=request,
        outcome=Outcome.DISCLOSED,
        text="答复。",
        replied_on=date(2025, 3, 20),
    )
    services.challenge_record(
        actor=office["officer"],
        agency=office["agency"],
        kind=DisclosureChallenge.Kind.RECONSIDERATION,
        subject="对答复不服",
        filed_on=date(2025, 5, 6),
        body="示例区人民政府",
        request=request,
    )
    report = services.report_finalise(actor=office["officer"], report=written(office))
    assert report.state == "final" and report.finalised_by == office["officer"]
    frozen = report.tables
    two = {r["key"]: r["values"] for b in frozen["two"]["blocks"] for r in b["rows"]}
    assert two["normative_documents"] == [1, 0, 1]
    assert two["fees"] == ["1.2345"]
    assert frozen["three"]["rows"][0]["values"] == [1, 0, 0, 0, 0, 0, 1]
    assert frozen["four"]["groups"][0]["values"] == [0, 0, 0, 1, 1]

    # Records of 2025 corrected after finalising: the report does not move.
    rules_kit.make(k, date(2025, 7, 1), date(2030, 6, 30))
    registered(office, received_on=date(2025, 6, 2))
    fresh = AnnualReport.objects.get(pk=report.pk)
    assert selectors.report_tables(fresh) == frozen
    assert selectors.report_tables_data(office["agency"], YEAR, FIGURES) != frozen
    with pytest.raises(Conflict):
        services.report_update(actor=office["officer"], report=fresh, overview="改")


# --- Reopening and publishing -----------------------------------------------------------------


def finalised(office):
    return services.report_finalise(actor=office["officer"], report=written(office))


def test_publication_only_after_finalising(office):
    report = written(office)
    with pytest.raises(Conflict, match="尚未定稿"):
        services.report_publish(actor=office["officer"], report=report)
    report = services.report_finalise(actor=office["officer"], report=report)
    with pytest.raises(NotAllowed):
        services.report_publish(actor=office["leader"], report=report)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.report_publish(
            actor=office["officer"], report=report, published_on=timezone.localdate() + timedelta(1)
        )
    with pytest.raises(InvalidInput, match="不能早于定稿日期"):
        services.report_publish(
            actor=office["officer"], report=report, published_on=date(2025, 12, 31)
        )
    report = services.report_publish(actor=office["officer"], report=report)
    assert (report.state, report.published_on, report.published_by) == (
        "published",
        timezone.localdate(),
        office["officer"],
    )
    verbs = list(
        Event.objects.filter(target_id=str(report.pk), target_type="disclosure.annualreport")
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "disclosure.report.open",
        "disclosure.report.update",
        "disclosure.annualreport.finalise",
        "disclosure.annualreport.publish",
    ]


def test_reopen_needs_a_reason_and_is_refused_once_published(office):
    report = finalised(office)
    with pytest.raises(InvalidInput):
        services.report_reopen(actor=office["officer"], report=report, reason=" ")
    with pytest.raises(NotAllowed):
        services.report_reopen(actor=office["leader"], report=report, reason="数据有误")
    report = services.report_reopen(actor=office["officer"], report=report, reason="数据有误")
    assert (report.state, report.tables, report.finalised_at) == ("draft", {}, None)
    event = Event.objects.filter(verb="disclosure.annualreport.reopen").get()
    assert event.data["comment"] == "数据有误"
    report = services.report_publish(
        actor=office["officer"],
        report=services.report_finalise(actor=office["officer"], report=report),
    )
    with pytest.raises(Conflict, match="不能退回编制"):
        services.report_reopen(actor=office["officer"], report=report, reason="再改")


def test_the_guards_hold_outside_the_services(office):
    """perform() alone (the admin's path) cannot finalise an unfinished report."""
    from fazhi.core import workflow

    report = opened(office)
    with pytest.raises(Conflict):
        workflow.perform(report, "finalise", actor=office["officer"])
    report = services.report_update(
        actor=office["officer"], report=report, overview="总体", problems="问题", other_matters="无"
    )
    with pytest.raises(Conflict, match="手工填报"):
        workflow.perform(report, "finalise", actor=office["officer"])
    assert AnnualReport.objects.get().state == "draft"


# --- The 31 January deadline ------------------------------------------------------------------


def test_the_deadline_source_follows_last_years_report_until_published(office):
    today = date(2026, 1, 20)
    items = list(reports_due(today))
    mine = [i for i in items if i.agency == office["agency"]]
    assert len(mine) == 1
    item = mine[0]
    assert item.due_on == due_on(2025) == date(2026, 1, 31)
    assert item.recipients == [office["officer"]]
    assert office["leader"] in item.escalate_to
    assert "2025年政府信息公开工作年度报告" in item.title
    assert item.target == office["agency"]  # not opened yet

    report = finalised(office)
    item = next(i for i in reports_due(today) if i.agency == office["agency"])
    assert item.target == AnnualReport.objects.get(pk=report.pk)
    services.report_publish(actor=office["officer"], report=report)
    assert not [i for i in reports_due(today) if i.agency == office["agency"]]


def test_the_clock_follows_the_report_until_31_march(office):
    assert [i for i in reports_due(date(2026, 3, 31)) if i.agency == office["agency"]]
    assert not list(reports_due(date(2026, 4, 1)))
    assert not list(reports_due(date(2026, 11, 27)))


def test_the_sweep_reminds_before_and_escalates_after_31_january(office):
    from fazhi.core.notify.deadlines import deadline_sources, deadline_sweep
    from fazhi.core.notify.models import Notification

    source = [s for s in deadline_sources() if s.name == "disclosure.reports"]
    assert source
    shanghai = ZoneInfo("Asia/Shanghai")
    deadline_sweep(datetime(2026, 1, 28, 9, tzinfo=shanghai), sources=source)
    reminder = Notification.objects.get(recipient=office["officer"])
    assert not Notification.objects.filter(recipient=office["leader"]).exists()
    assert reminder.kind == "deadline_reminder" and "年度报告" in reminder.title
    deadline_sweep(datetime(2026, 2, 2, 9, tzinfo=shanghai), sources=source)
    overdue = Notification.objects.filter(kind="deadline_overdue", agency=office["agency"])
    assert {n.recipient for n in overdue} == {office["officer"], office["leader"]}


def test_an_agency_without_a_legal_office_is_not_reminded(office):
    lone = user_with_role(Role.CLERK)
    agencies = {i.agency for i in reports_due(date(2026, 1, 20))}
    assert lone.memberships.get().agency not in agencies
