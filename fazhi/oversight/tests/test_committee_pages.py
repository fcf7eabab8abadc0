"""The committee disclosure pages and API as each role uses them: the clerk's phone page and its
form, the legal office's results table and chart, the matrix, the run-check button; other
agencies' records answer 404, a clerk's post for another committee 403; lists keep their query
count whatever the data."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from django.utils import timezone

from fazhi.core.roles import Role
from fazhi.oversight.models import CommitteeCheckResult, CommitteePosting, Finding
from fazhi.oversight.services import committees as services
from fazhi.oversight.tests.committee_fixtures import post
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import CommitteeFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

pytest_plugins = ["fazhi.oversight.tests.committee_fixtures"]

HOME = "/staff/oversight/committees/"
NEW = "/staff/oversight/committees/postings/new/"


def test_the_clerk_sees_due_items_and_records_a_posting(bureau):
    b = bureau
    client = verified_client(b["clerk"])
    page = client.get(HOME)
    assert page.status_code == 200
    body = page.content.decode()
    assert "南岭村委会" in body and "财务收支情况" in body and "新增公开记录" in body
    assert "石桥村委会" not in body
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    response = client.post(
        NEW,
        {
            "back": "clerk",
            "committee": b["village"].pk,
            "item": b["finance"].pk,
            "period": month,
            "posted_on": timezone.localdate().isoformat(),
            "title": "上月财务收支公开",
        },
    )
    assert response.status_code == 302
    assert CommitteePosting.objects.get().title == "上月财务收支公开"


def test_the_clerk_form_refuses_another_committee_and_a_future_day(bureau):
    b = bureau
    client = verified_client(b["clerk"])
    data = {
        "back": "clerk",
        "committee": b["other_village"].pk,
        "item": b["finance"].pk,
        "period": "2026-02",
        "posted_on": "2026-03-02",
        "title": "别村的公开",
    }
    assert client.post(NEW, data).status_code == 400  # not among the clerk's choices
    data.update(committee=b["village"].pk, posted_on=(timezone.localdate() + timedelta(days=1)))
    response = client.post(NEW, data)
    assert response.status_code == 422
    assert "公开日期不能晚于今天" in response.content.decode()
    assert not CommitteePosting.objects.exists()


def test_api_post_for_another_committee_is_403_and_another_agency_404(bureau):
    b = bureau
    client = verified_client(b["clerk"])
    url = "/api/oversight/committees/postings"
    data = {
        "committee": b["other_village"].pk,
        "item": b["finance"].pk,
        "period": "2026-02",
        "posted_on": "2026-03-02",
        "title": "别村的公开",
    }
    response = client.post(url, data)
    assert response.status_code == 403, response.content
    foreign = CommitteeFactory(kind="villagers")
    response = client.post(url, {**data, "committee": foreign.pk})
    assert response.status_code == 404
    response = client.post(url, {**data, "committee": b["village"].pk})
    assert response.status_code == 201, response.content
    assert response.json()["period_start"] == "2026-02-01"
    assert (
        client.post(
            url, {**data, "committee": b["village"].pk, "posted_on": "2099-01-01"}
        ).status_code
        == 422
    )
    assert CommitteePosting.objects.count() == 1


def test_the_legal_office_runs_the_check_and_sees_the_table_and_chart(bureau):
    b = bureau
    post(b, period="2026-01", posted_on=date(2026, 2, 3))
    post(b, period="2026-03", posted_on=date(2026, 4, 1))
    client = verified_client(b["officer"])
    response = client.post(f"{HOME}check/", {"month": "2026-02"})
    assert response.status_code == 302
    assert CommitteeCheckResult.objects.filter(status="missing", item=b["finance"]).count() == 2
    page = client.get(HOME, {"first": "2026-01", "last": "2026-03"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="committee-chart"' in body and 'id="committee-chart-data"' in body
    raw = re.search(r'id="committee-chart-data"[^>]*>(.*?)</script>', body, re.S).group(1)
    chart = json.loads(raw)
    assert set(chart["subdistricts"]) == {"南岭镇", "东湖街道"}
    missing = next(s for s in chart["series"] if s["key"] == "missing")
    # February: finances of both villages and the residents' welfare accounts
    assert sum(missing["data"]) == 3
    matrix = client.get(f"{HOME}committee/{b['village'].pk}/", {"year": 2026})
    assert matrix.status_code == 200
    assert 'data-period="2026-02" data-status="missing"' in matrix.content.decode()


def test_leaders_read_but_may_not_run_or_edit(bureau):
    b = bureau
    client = verified_client(b["leader"])
    assert client.get(HOME).status_code == 200
    assert client.post(f"{HOME}check/", {"month": "2026-02"}).status_code == 403
    assert client.post(f"{HOME}items/install/").status_code == 403
    assert not CommitteeCheckResult.objects.exists()
    api = client.post(
        "/api/oversight/committees/checks", {"month": "2026-02"}, content_type="application/json"
    )
    assert api.status_code == 403


def test_other_agencies_see_nothing(bureau):
    b = bureau
    stranger = user_with_role(Role.LEGAL_OFFICER)
    client = verified_client(stranger)
    assert client.get(f"{HOME}committee/{b['village'].pk}/").status_code == 404
    assert client.get(f"{HOME}items/{b['finance'].pk}/").status_code == 404
    posting = post(b, period="2026-01", posted_on=date(2026, 2, 3))
    assert client.get(f"/api/oversight/committees/postings/{posting.pk}").status_code == 404
    clerk_client = verified_client(b["clerk"])
    assert clerk_client.get(f"{HOME}committee/{b['other_village'].pk}/").status_code == 404
    assert clerk_client.get(f"{HOME}committee/{b['village'].pk}/").status_code == 200
    assert verified_client(user_with_role(Role.CLERK)).get(HOME).status_code == 403


def test_items_page_installs_and_edits(bureau):
    b = bureau
    client = verified_client(b["officer"])
    assert "载入法定事项" in client.get(f"{HOME}items/").content.decode()
    response = client.post(
        f"{HOME}items/{b['finance'].pk}/",
        {
            "name": "财务收支",
            "frequency": "monthly",
            "grace_workdays": 7,
            "basis": "x",
            "order": 1,
            "active": "on",
        },
    )
    assert response.status_code == 302
    b["finance"].refresh_from_db()
    assert b["finance"].grace_workdays == 7
    response = client.post(
        f"{HOME}overrides/",
        {
            "committee": b["village"].pk,
            "item": b["finance"].pk,
            "frequency": "quarterly",
            "reason": "往来较少",
        },
    )
    assert response.status_code == 302


def test_the_api_summary_and_results(bureau):
    b = bureau
    services.committee_check(
        agency=b["agency"], first=date(2026, 1, 1), last=date(2026, 3, 31), today=date(2026, 4, 20)
    )
    client = verified_client(b["officer"])
    summary = client.get(
        "/api/oversight/committees/summary", {"first": "2026-01", "last": "2026-03"}
    )
    assert summary.status_code == 200
    assert (
        summary.json()["total"]["missing"]
        == CommitteeCheckResult.objects.filter(status="missing").count()
    )
    results = client.get("/api/oversight/committees/results", {"status": "missing", "limit": "5"})
    assert results.status_code == 200 and len(results.json()["items"]) == 5
    assert results.json()["next_cursor"]
    assert (
        client.get(
            "/api/oversight/committees/summary", {"first": "x", "last": "2026-03"}
        ).status_code
        == 422
    )
    department = client.get("/api/oversight/committees/department").json()
    assert department["department_name"] == services.DEFAULT_DEPARTMENT


def test_lists_keep_their_query_count(bureau):
    b = bureau
    client = verified_client(b["officer"])
    state = {"n": 0}

    def grow(n):
        for _ in range(n):
            state["n"] += 1
            committee = CommitteeFactory(
                subdistrict=b["town"], name=f"新村{state['n']}", kind="villagers"
            )
            services.posting_record(
                actor=b["officer"],
                committee=committee,
                item=b["finance"],
                period="2026-01",
                posted_on=date(2026, 2, 3),
                title="财务收支",
                content="",
            )
        services.committee_check(
            agency=b["agency"],
            first=date(2026, 1, 1),
            last=date(2026, 3, 31),
            today=date(2026, 4, 20),
        )

    def fetch_pages():
        for url in (
            f"{HOME}?first=2026-01&last=2026-03",
            f"{HOME}committee/{b['village'].pk}/?year=2026",
            "/api/oversight/committees/postings",
            "/api/oversight/committees/results",
        ):
            assert client.get(url).status_code == 200

    assert_constant_queries(fetch_pages, grow, extra_rows=5)


def test_the_clerk_page_keeps_its_query_count(bureau):
    b = bureau
    client = verified_client(b["clerk"])
    months = iter(range(1, 13))

    def grow(n):
        for _ in range(n):
            month = next(months, None)
            if month is None:
                return
            post(b, period=f"2025-{month:02d}", posted_on=date(2025, month, 28))

    assert_constant_queries(lambda: client.get(HOME), grow, extra_rows=8)
    assert Finding.objects.count() == 0
