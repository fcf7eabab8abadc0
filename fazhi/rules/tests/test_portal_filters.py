"""The portal library's filters: the derived status in SQL agrees with status.badge, the
filters combine with the full-text query and survive pagination, bad parameters never break the
page, and the query count does not grow with the documents."""

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fazhi.core import agency_settings
from fazhi.core.roles import Role
from fazhi.rules import public_views, selectors, services
from fazhi.rules.models import DocumentLink, NormativeDocument
from fazhi.rules.selectors import STATUS_FILTERS, LibraryFilters, evaluation_started_through
from fazhi.rules.services.links import link_add
from fazhi.rules.status import badge, months_before, superseding_dates
from fazhi.rules.tests.test_lifecycle import CHECKS, let_review_take
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

KIND_YEARS = {"normative": 5, "interim": 2, "trial": 2, "notice": 1}
MONTHS = "rules.evaluation_months_before"


def publish(
    office,
    title="关于规范临时救助审批的实施办法",
    *,
    kind="normative",
    published_on=None,
    valid_until=None,
    text="第一条 为了规范临时救助审批，制定本办法。",
    department=None,
    **links,
):
    """Given a document issued through every gate (consultation exempted on a stated ground),
    linked to earlier documents by `revises=[...]`, `repeals=[...]`, `based_on=[...]`."""
    clerk, officer = office["clerk"], office["officer"]
    document = services.document_create(
        actor=clerk,
        agency=office["agency"],
        department=department or office["section"],
        title=title,
        text=text,
        kind=kind,
    )
    for link_kind, targets in links.items():
        for target in targets:
            link_add(actor=clerk, source=document, target=target, kind=link_kind)
    services.exemption_approve(
        actor=officer, document=document, ground="依据上位法制定，不新设公民权利义务。"
    )
    document = services.review_submit(
        actor=clerk, document=NormativeDocument.objects.get(pk=document.pk)
    )
    let_review_take(document)
    services.review_record(
        actor=officer, document=document, checklist=CHECKS, opinion="pass", report="符合规定。"
    )
    services.decision_record(
        actor=officer,
        document=NormativeDocument.objects.get(pk=document.pk),
        meeting="director",
        meeting_date=timezone.localdate(),
        attendees="局长、副局长",
        adopted=True,
        decision="原则通过",
    )
    published_on = published_on or timezone.localdate()
    effective_on = published_on + timedelta(days=30)
    if valid_until is None:
        valid_until = effective_on + timedelta(days=365 * KIND_YEARS[kind] - 2)
    return services.document_issue(
        actor=officer,
        document=NormativeDocument.objects.get(pk=document.pk),
        published_on=published_on,
        effective_on=effective_on,
        valid_until=valid_until,
        interpretation="本办法明确了审批程序和时限。",
    )


def second_office(short_name="示二"):
    agency = AgencyFactory(short_name=short_name)
    section = DepartmentFactory(agency=agency, name="养老服务科")
    return {
        "agency": agency,
        "section": section,
        "clerk": user_with_role(Role.CLERK, agency=agency, department=section),
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency),
    }


def listed(response) -> list[int]:
    """The document ids of a library page, in order."""
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-document="(\d+)"', response.content.decode())]


# --- The SQL status is the badge ---------------------------------------------------------------


@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=24),
)
def test_evaluation_has_started_exactly_up_to_the_threshold(today, months):
    threshold = evaluation_started_through(today, months)
    assert months_before(threshold, months) <= today
    assert months_before(threshold + timedelta(days=1), months) > today


def test_month_ends_start_the_evaluation_on_the_clamped_day():
    # months_before(2031-08-31, 6) is 2031-02-28: the 29th-31st of August all start that day.
    assert evaluation_started_through(date(2031, 2, 28), 6) == date(2031, 8, 31)
    assert evaluation_started_through(date(2031, 2, 27), 6) == date(2031, 8, 27)


@pytest.fixture
def mixed(office):
    """Four published documents of the bureau, one of another agency, and a draft of the bureau
    that links to published ones (a draft's links must change nothing)."""
    other = second_office()
    issued = [publish(office, f"文件{n}") for n in range(4)] + [publish(other, "外机关文件")]
    draft = services.document_create(
        actor=office["clerk"],
        agency=office["agency"],
        department=office["section"],
        title="修订草案",
        text="第一条",
    )
    return {"office": office, "other": other, "issued": issued, "draft": draft}


day = st.dates(min_value=date(2018, 1, 1), max_value=date(2034, 12, 31))
near = st.integers(min_value=-1, max_value=1).map(lambda n: timedelta(days=n))


def around(today, months):
    """Dates where a badge changes, so the exact boundaries are drawn often: today itself and
    the days around it (publication, end, expiry), and around the evaluation start `months`
    ahead (relativedelta clamps to the month's end, independently of the code under test)."""
    return st.one_of(
        day,
        st.just(today),
        near.map(lambda delta: today + delta),
        near.map(lambda delta: today + relativedelta(months=months) + delta),
    )


# Without shrinking: each example writes to the database, and a failure prints its example.
@settings(
    max_examples=80,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    today=day,
    months=st.tuples(
        st.one_of(st.none(), st.integers(1, 24)), st.one_of(st.none(), st.integers(1, 24))
    ),
    links=st.lists(
        st.tuples(
            st.integers(0, 4),  # source: the four published documents or (4) the draft
            st.integers(0, 3),  # target
            st.sampled_from(["revises", "repeals", "based_on"]),
        ),
        max_size=6,
        unique=True,
    ),
    data=st.data(),
)
def test_the_status_filter_in_sql_agrees_with_the_badge(mixed, today, months, links, data):
    office = mixed["office"]
    # Given random dates, endings, links and each agency's evaluation lead time.
    for index, document in enumerate(mixed["issued"]):
        lead = months[1 if index == 4 else 0] or 6
        dates = around(today, lead)
        NormativeDocument.objects.filter(pk=document.pk).update(
            published_on=data.draw(dates),
            valid_until=data.draw(st.one_of(st.none(), dates)),
            ended_on=data.draw(st.one_of(st.none(), dates)),
            ended_as=data.draw(st.sampled_from(["repealed", "expired", ""])),
        )
    DocumentLink.objects.all().delete()
    sources = [*mixed["issued"][:4], mixed["draft"]]
    DocumentLink.objects.bulk_create(
        DocumentLink(
            source=sources[s], target=mixed["issued"][t], kind=kind, created_by=office["clerk"]
        )
        for s, t, kind in links
        if sources[s].pk != mixed["issued"][t].pk
    )
    for agency, value in zip((office["agency"], mixed["other"]["agency"]), months, strict=True):
        if value is None:
            agency_settings.setting_reset(actor=office["officer"], agency=agency, key=MONTHS)
        else:
            agency_settings.setting_set(
                actor=office["officer"], agency=agency, key=MONTHS, value=value
            )

    # When the badge is computed in Python, document by document, and in SQL for all at once.
    expected = {}
    for document in NormativeDocument.objects.all():
        found = badge(document, today, superseding=superseding_dates(document))
        expected[document.pk] = found.value if found else ""
    in_sql = dict(
        selectors.with_public_status(NormativeDocument.objects.all(), today).values_list(
            "pk", "public_status"
        )
    )

    # Then they agree for every document, and every status filter selects exactly those.
    assert in_sql == expected
    for name, statuses in STATUS_FILTERS.items():
        chosen = set(
            selectors.library(LibraryFilters(status=name), today).values_list("pk", flat=True)
        )
        assert chosen == {
            pk
            for pk, value in expected.items()
            if value and (statuses is None or value in statuses)
        }, name


# --- The library page --------------------------------------------------------------------------


@pytest.fixture
def shelf(office):
    """A bureau's shelf: this year's measures, an interim rule of two years ago, a notice of
    last year that a newer measure repeals, and one long expired."""
    today = timezone.localdate()
    aid = DepartmentFactory(agency=office["agency"], name="社会事务科")
    office["aid_clerk"] = user_with_role(Role.CLERK, agency=office["agency"], department=aid)
    notice = publish(
        office,
        "关于开展低保年度复核的通告",
        kind="notice",
        published_on=date(today.year - 1, 3, 1),
    )
    expired = publish(
        office,
        "关于临时救助标准的通知",
        published_on=date(2019, 1, 10),
        valid_until=date(2020, 12, 31),
    )
    interim = publish(
        office,
        "低保对象认定暂行办法",
        kind="interim",
        published_on=date(today.year - 1, 6, 1),
    )
    measures = publish(office, "低保审核确认实施办法", repeals=[notice], based_on=[interim])
    other = publish(
        {**office, "clerk": office["aid_clerk"]},
        "特困人员供养实施细则",
        department=aid,
        text="第一条 为了保障特困人员基本生活，制定本细则。",
    )
    return {
        "notice": notice,
        "expired": expired,
        "interim": interim,
        "measures": measures,
        "other": other,
        "aid": aid,
    }


def test_the_library_shows_documents_in_force_by_default_and_all_on_request(shelf):
    default = listed(Client().get("/rules/"))
    assert set(default) == {shelf["interim"].pk, shelf["measures"].pk, shelf["other"].pk}
    every = listed(Client().get("/rules/", {"status": "all"}))
    assert set(every) == {d.pk for d in shelf.values() if isinstance(d, NormativeDocument)}
    assert listed(Client().get("/rules/", {"status": "repealed"})) == [shelf["notice"].pk]
    assert listed(Client().get("/rules/", {"status": "expired"})) == [shelf["expired"].pk]


def test_filters_by_year_department_and_kind_combine(shelf):
    last_year = str(timezone.localdate().year - 1)
    assert listed(Client().get("/rules/", {"status": "all", "year": last_year})) == [
        shelf["interim"].pk,
        shelf["notice"].pk,
    ]
    assert listed(Client().get("/rules/", {"kind": "interim"})) == [shelf["interim"].pk]
    assert listed(Client().get("/rules/", {"department": shelf["aid"].pk})) == [shelf["other"].pk]
    assert listed(Client().get("/rules/", {"year": last_year, "kind": "notice"})) == []
    assert listed(
        Client().get("/rules/", {"year": last_year, "kind": "notice", "status": "all"})
    ) == [shelf["notice"].pk]


def test_the_text_query_combines_with_the_filters(shelf):
    # "低保" is in three titles; in force and of kind interim leaves one.
    assert set(listed(Client().get("/rules/", {"q": "低保", "status": "all"}))) == {
        shelf["notice"].pk,
        shelf["interim"].pk,
        shelf["measures"].pk,
    }
    response = Client().get("/rules/", {"q": "低保", "kind": "interim"})
    assert listed(response) == [shelf["interim"].pk]
    assert "<mark>" in response.content.decode()
    assert listed(Client().get("/rules/", {"q": "特困", "kind": "interim"})) == []


def test_filters_are_kept_in_the_pagination_links(shelf, monkeypatch):
    monkeypatch.setattr(public_views, "PAGE_SIZE", 1)
    last_year = timezone.localdate().year - 1
    params = {"status": "all", "q": "低保", "year": last_year}
    first = Client().get("/rules/", params)
    body = first.content.decode()
    assert len(listed(first)) == 1
    assert f"?q=%E4%BD%8E%E4%BF%9D&amp;status=all&amp;year={last_year}&amp;page=2" in body
    second = Client().get("/rules/", {**params, "page": 2})
    assert {*listed(first), *listed(second)} == {shelf["notice"].pk, shelf["interim"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "99999999999999999999999"},
        {"year": "１９９９"},
        {"department": "-1"},
        {"department": "1e9"},
        {"kind": "<script>alert(1)</script>"},
        {"status": "deleted"},
        {"agency": "../../etc"},
        {"page": "abc"},
        {"page": "-5"},
        {"q": 'AND OR NOT "( * ^'},
        {"q": "低保", "year": "0"},
    ],
)
def test_bad_parameters_are_ignored_with_a_message_never_an_error(shelf, params):
    response = Client().get("/rules/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    invalid = set(params) - {"page", "q"}
    assert ("部分筛选条件无法识别，已忽略。" in body) == bool(invalid)


def test_the_library_query_count_does_not_grow(office):
    def grow(n):
        for i in range(n):
            earlier = NormativeDocument.objects.filter(state="issued").first()
            publish(office, f"低保实施办法第{i}号", revises=[earlier] if earlier else [])

    client = Client()
    assert_constant_queries(
        lambda: client.get("/rules/", {"status": "all", "kind": "normative"}), grow, extra_rows=3
    )
    assert_constant_queries(
        lambda: client.get("/rules/", {"q": "低保", "status": "all"}), grow, extra_rows=3
    )


def test_the_document_page_query_count_does_not_grow_with_its_family(office):
    root = publish(office, "低保对象认定暂行办法", kind="interim")

    def grow(n):
        for i in range(n):
            publish(office, f"依据暂行办法的细则{i}", based_on=[root])

    client = Client()
    assert_constant_queries(lambda: client.get(f"/rules/{root.pk}/"), grow, extra_rows=3)
