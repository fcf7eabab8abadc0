"""The findings pages and API: who sees what, the steps through the pages, refusals with their
status and nothing written, constant query counts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from fazhi.core.roles import Role
from fazhi.oversight.models import Circular, Finding, Rectification
from fazhi.oversight.services import findings as services
from fazhi.oversight.tests.test_findings_setup import (  # noqa: F401 - fixtures
    bureau_fixture,
    docx_upload,
    opened,
    png,
    rectification_of,
    schedule_fixture,
    submitted,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import DepartmentFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
State = Rectification.State
API = "/api/oversight/findings"


def client_of(bureau, who):
    return verified_client(bureau[who])


def detail_url(finding):
    return reverse("oversight:finding_detail", args=[finding.pk])


def step_url(finding, step):
    return reverse("oversight:finding_step", args=[finding.pk, step])


# --- Pages -------------------------------------------------------------------------------------


def test_the_legal_office_opens_a_finding_through_the_form(bureau):
    client = client_of(bureau, "officer")
    page = client.get(reverse("oversight:finding_create"))
    assert page.status_code == 200
    response = client.post(
        reverse("oversight:finding_create"),
        {
            "source": "complaint",
            "title": "婚姻登记窗口推诿",
            "description": "群众反映窗口要求提供法律未规定的材料。",
            "department": bureau["section"].pk,
            "subdistrict": bureau["street"].pk,
            "severity": "general",
            "found_on": "2026-11-02",
            "evidence": png(),
        },
    )
    finding = Finding.objects.get(title="婚姻登记窗口推诿")
    assert response.status_code == 302
    assert response["Location"] == detail_url(finding)
    assert finding.evidence.count() == 1
    # A department head may not open the form
    assert client_of(bureau, "head").get(reverse("oversight:finding_create")).status_code == 403


def test_a_bad_new_finding_is_422_and_saves_nothing(bureau):
    client = client_of(bureau, "officer")
    response = client.post(
        reverse("oversight:finding_create"),
        {"source": "complaint", "title": "", "description": "", "department": "", "found_on": ""},
    )
    assert response.status_code == 422
    response = client.post(
        reverse("oversight:finding_create"),
        {
            "source": "complaint",
            "title": "未来的问题",
            "description": "x",
            "department": bureau["section"].pk,
            "severity": "general",
            "found_on": "2099-01-01",
        },
    )
    assert response.status_code == 422
    assert "不能晚于今天" in response.content.decode()
    assert not Finding.objects.exists()


def test_the_steps_through_the_finding_page(bureau):
    finding = opened(bureau)
    head = client_of(bureau, "head")
    officer = client_of(bureau, "officer")
    page = head.get(detail_url(finding)).content.decode()
    assert 'data-step="measures"' in page and 'data-step="verify"' not in page
    assert head.post(step_url(finding, "measures"), {"measures": "复核。"}).status_code == 302
    assert head.post(step_url(finding, "evidence"), {"file": docx_upload()}).status_code == 302
    response = head.post(step_url(finding, "submit"), {"completion_note": "已办结。"})
    assert response.status_code == 302
    # The unit may not verify its own work: 403, nothing changed
    assert head.post(step_url(finding, "verify"), {}).status_code == 403
    assert rectification_of(finding).state == State.SUBMITTED
    page = officer.get(detail_url(finding)).content.decode()
    assert 'data-step="verify"' in page and 'data-step="send_back"' in page
    # Sending back without a reason: 422 and the state stays
    assert officer.post(step_url(finding, "send_back"), {"reason": ""}).status_code == 422
    assert rectification_of(finding).state == State.SUBMITTED
    officer.post(step_url(finding, "send_back"), {"reason": "缺少审批表。"})
    assert "缺少审批表。" in head.get(detail_url(finding)).content.decode()
    head.post(step_url(finding, "submit"), {"completion_note": "已补充。"})
    assert officer.post(step_url(finding, "verify"), {"comment": "同意销号"}).status_code == 302
    assert rectification_of(finding).state == State.CLOSED
    # A holiday deadline by hand on a closed one: 409
    response = officer.post(step_url(finding, "due"), {"due_on": "2026-12-30", "reason": "x"})
    assert response.status_code == 409


def test_a_weekend_deadline_by_hand_is_refused_on_the_page(bureau):
    finding = opened(bureau)
    officer = client_of(bureau, "officer")
    response = officer.post(step_url(finding, "due"), {"due_on": "2026-12-26", "reason": "复杂"})
    assert response.status_code == 422
    assert "2026年12月26日 不是工作日" in response.content.decode()
    assert rectification_of(finding).due_on == date(2026, 9, 15)


def test_other_agency_404_other_department_403(bureau):
    finding = opened(bureau)
    assert client_of(bureau, "stranger").get(detail_url(finding)).status_code == 404
    assert client_of(bureau, "other_head").get(detail_url(finding)).status_code == 403
    response = client_of(bureau, "other_head").post(
        step_url(finding, "measures"), {"measures": "x"}
    )
    assert response.status_code == 403
    assert rectification_of(finding).measures == ""
    # The overseer and the leader read, never write
    for who in ("overseer", "leader"):
        client = client_of(bureau, who)
        assert client.get(detail_url(finding)).status_code == 200
        assert client.post(step_url(finding, "measures"), {"measures": "x"}).status_code == 403
    # The other head's list does not show it
    listing = client_of(bureau, "other_head").get(reverse("oversight:findings")).content.decode()
    assert finding.title not in listing


def test_the_list_filters_and_keeps_a_constant_query_count(bureau):
    officer = client_of(bureau, "officer")
    url = reverse("oversight:findings")
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            opened(bureau, title=f"问题{next(counter)}", evidence=[])

    assert_constant_queries(lambda: officer.get(url + "?overdue=1&severity=minor"), grow)
    page = officer.get(url + "?state=awaiting_measures").content.decode()
    assert "问题0" in page
    assert "问题0" not in officer.get(url + "?state=closed").content.decode()
    assert officer.get(url + "?state=bogus&department=abc").status_code == 200


def test_the_board_shows_flags_per_unit(bureau):
    opened(bureau, on=date(2026, 9, 1))  # due 15 September: overdue now
    officer = client_of(bureau, "officer")
    page = officer.get(reverse("oversight:findings_board")).content.decode()
    assert 'data-name="社会救助科" data-flag="red"' in page
    assert 'data-name="养老服务科" data-flag="none"' in page
    assert 'data-name="东湖街道" data-flag="red"' in page
    # The other department's head sees only their own row
    other = client_of(bureau, "other_head").get(reverse("oversight:findings_board"))
    assert other.status_code == 200
    assert "社会救助科" not in other.content.decode()
    assert client_of(bureau, "overseer").get(reverse("oversight:findings_board")).status_code == 200


def test_the_board_query_count_does_not_grow(bureau):
    officer = client_of(bureau, "officer")
    url = reverse("oversight:findings_board")

    def grow(n):
        for i in range(n):
            DepartmentFactory(agency=bureau["agency"], name=f"科{i}{n}")
            opened(bureau, title=f"看板{i}{n}")

    assert_constant_queries(lambda: officer.get(url), grow)


def test_circular_pages(bureau):
    opened(bureau, on=date(2026, 11, 2), title="十一月问题")
    officer = client_of(bureau, "officer")
    response = officer.post(
        reverse("oversight:circular_create"),
        {"title": "十一月通报", "period_start": "2026-11-01", "period_end": "2026-11-20"},
    )
    circular = Circular.objects.get()
    assert response.status_code == 302
    assert (
        "十一月问题"
        in officer.get(reverse("oversight:circular_detail", args=[circular.pk])).content.decode()
    )
    # The head does not see drafts
    head = client_of(bureau, "head")
    assert head.get(reverse("oversight:circular_detail", args=[circular.pk])).status_code == 404
    response = officer.post(reverse("oversight:circular_issue", args=[circular.pk]), {})
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.state == Circular.State.ISSUED
    page = head.get(reverse("oversight:circular_detail", args=[circular.pk])).content.decode()
    assert "示民督通〔2026〕1号" in page
    download = head.get(reverse("oversight:circular_download", args=[circular.pk]))
    assert download.status_code == 302
    assert head.get(download["Location"]).status_code == 200
    # Issuing again: 409
    again = officer.post(reverse("oversight:circular_issue", args=[circular.pk]), {})
    assert again.status_code == 409


def test_department_tasks(bureau):
    from fazhi.oversight.tasks import finding_tasks

    finding = opened(bureau)
    assert [str(t.title) for t in finding_tasks(bureau["clerk"])] == ["制定整改措施：低保审批超时"]
    submitted(bureau, finding)
    assert list(finding_tasks(bureau["clerk"])) == []
    assert [str(t.title) for t in finding_tasks(bureau["officer"])] == ["核验整改：低保审批超时"]


# --- API -----------------------------------------------------------------------------------------


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_runs_the_loop(bureau):
    officer = client_of(bureau, "officer")
    head = client_of(bureau, "head")
    created = post_json(
        officer,
        f"{API}/",
        {
            "source": "complaint",
            "title": "API 问题",
            "description": "通过接口登记。",
            "department": str(bureau["section"].pk),
            "severity": "minor",
            "found_on": "2026-11-20",
        },
    )
    assert created.status_code == 201, created.content
    finding_id = created.json()["id"]
    detail = head.get(f"{API}/{finding_id}").json()
    assert [a["name"] for a in detail["available_actions"]] == ["propose_measures"]
    assert (
        post_json(head, f"{API}/{finding_id}/propose_measures", {"measures": "整改。"}).json()[
            "state"
        ]
        == "rectifying"
    )
    refused = post_json(head, f"{API}/{finding_id}/submit_evidence", {"completion_note": "完成"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "evidence_required"
    upload = head.post(f"{API}/{finding_id}/completion_files", {"file": docx_upload()})
    assert upload.status_code == 201
    submitted_ = post_json(head, f"{API}/{finding_id}/submit_evidence", {"completion_note": "完成"})
    assert submitted_.json()["state"] == "submitted"
    assert post_json(head, f"{API}/{finding_id}/verify", {}).status_code == 403
    closed = post_json(officer, f"{API}/{finding_id}/verify", {"comment": "同意"})
    assert closed.json()["state"] == "closed"
    assert [e["verb"] for e in closed.json()["timeline"]][-1] == "oversight.rectification.verify"
    listing = officer.get(f"{API}/?state=closed").json()
    assert [i["id"] for i in listing["items"]] == [finding_id]


def test_api_refusals(bureau):
    finding = opened(bureau)
    officer = client_of(bureau, "officer")
    assert client_of(bureau, "stranger").get(f"{API}/{finding.pk}").status_code == 404
    assert client_of(bureau, "other_head").get(f"{API}/{finding.pk}").status_code == 403
    assert officer.get(f"{API}/abc").status_code == 404
    bad = post_json(officer, f"{API}/{finding.pk}/set_due", {"due_on": "2026-12-26", "reason": "x"})
    assert (bad.status_code, bad.json()["code"]) == (422, "due_not_workday")
    assert officer.get(f"{API}/?state=bogus").status_code == 422
    head_create = post_json(
        client_of(bureau, "head"),
        f"{API}/",
        {"source": "complaint", "title": "x", "description": "x", "department": "1"},
    )
    assert head_create.status_code == 403
    assert Finding.objects.count() == 1


def test_api_board_circulars_and_accountability(bureau):
    opened(bureau, on=date(2026, 9, 1))
    officer = client_of(bureau, "officer")
    board = officer.get(f"{API}/board").json()
    assert [(r["name"], r["flag"]) for r in board["departments"]] == [
        ("社会救助科", "red"),
        ("养老服务科", "none"),
    ]
    created = post_json(
        officer,
        f"{API}/circulars/",
        {"title": "九月通报", "period_start": "2026-09-01", "period_end": "2026-09-30"},
    )
    assert created.status_code == 201
    assert [i["title"] for i in created.json()["items"]] == ["低保审批超时"]
    issued = post_json(officer, f"{API}/circulars/{created.json()['id']}/issue", {})
    assert issued.json()["number"] == "示民督通〔2026〕1号"
    assert issued.json()["document_url"]
    finding = Finding.objects.get()
    recorded = post_json(
        officer,
        f"{API}/{finding.pk}/accountability",
        {
            "person_name": "李某",
            "measure": "criticism",
            "decided_on": "2026-10-10",
            "decided_by": "区民政局",
        },
    )
    assert recorded.status_code == 201
    assert recorded.json()["accountability"][0]["measure_label"] == "批评教育"
    bad = post_json(
        officer,
        f"{API}/{finding.pk}/accountability",
        {"person_name": "李某", "measure": "nope", "decided_on": "2026-10-10", "decided_by": "局"},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "measure_unknown")


def test_an_agency_without_a_legal_officer_still_gets_its_notice(bureau):
    from fazhi.core.models import Membership

    finding = opened(bureau, on=date(2026, 9, 1))
    Membership.objects.filter(role=Role.LEGAL_OFFICER, agency=bureau["agency"]).delete()
    from datetime import datetime, time

    from django.utils import timezone

    services.escalation_sweep(timezone.make_aware(datetime.combine(date(2026, 9, 16), time(8))))
    head = client_of(bureau, "head")
    response = head.get(reverse("oversight:finding_notice", args=[finding.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert user_with_role
