"""The pages and API routes after issuance: who may see and do what, refusals with their
status, constant query counts, the XLSX of the results and the portal's result lists."""

import io
from datetime import date

import pytest
from django.test import Client

from fazhi.api.tokens import token_create
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.rules.models import (
    CleanupItem,
    CleanupReview,
    DocumentLink,
    ExpiryEvaluation,
    NormativeDocument,
)
from fazhi.rules.services.cleanup import (
    campaign_open,
    campaign_publish,
    cleanup_confirm,
    cleanup_propose,
)
from fazhi.rules.services.evaluation import evaluation_propose, evaluation_sweep
from fazhi.rules.tests.test_evaluation import DUE, KEPT_UNTIL, OPENS, at, issued_document
from fazhi.rules.tests.test_links import drafted
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role
from fazhi.testing.queries import assert_constant_queries


@pytest.fixture
def roles(office):
    agency = office["agency"]
    return {
        **office,
        "overseer": user_with_role(Role.DISTRICT_OVERSEER, agency=agency),
        "adviser": user_with_role(Role.LEGAL_ADVISER, agency=agency),
        "stranger": user_with_role(Role.LEGAL_OFFICER),
    }


def evaluation_of(office, **kwargs) -> ExpiryEvaluation:
    document = issued_document(office, **kwargs)
    evaluation_sweep(at(OPENS))
    return ExpiryEvaluation.objects.get(document=document)


def campaign_of(office, *documents) -> CleanupReview:
    for title in documents or ("关于规范临时救助的办法",):
        issued_document(office, title=title)
    return campaign_open(
        actor=office["officer"], agency=office["agency"], title="年度清理", scope="all"
    )


def published(office, result="repeal") -> CleanupReview:
    campaign = campaign_of(office)
    item = campaign.items.get()
    cleanup_propose(actor=office["clerk"], item=item, proposal=result, reason="上位法已废止")
    cleanup_confirm(actor=office["officer"], item=item, result=result)
    return campaign_publish(actor=office["officer"], campaign=campaign)


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def post_json(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


# --- Expiry evaluation pages ---------------------------------------------------------------------


def test_who_sees_the_evaluation_pages(roles):
    evaluation = evaluation_of(roles)
    urls = ["/staff/rules/evaluations/", f"/staff/rules/evaluations/{evaluation.pk}/"]
    for person in ("clerk", "officer", "leader", "overseer"):
        client = verified_client(roles[person])
        for url in urls:
            assert client.get(url).status_code == 200, (person, url)
    assert verified_client(roles["adviser"]).get(urls[0]).status_code == 403
    assert verified_client(roles["stranger"]).get(urls[1]).status_code == 404
    assert Client().get(urls[0]).status_code == 302


def test_the_list_marks_states_and_overdue_deadlines(office):
    evaluation = evaluation_of(office)
    client = verified_client(office["clerk"])
    page = client.get("/staff/rules/evaluations/?state=proposal").content.decode()
    assert evaluation.document.title in page and "待部门评估" in page
    # Its due date is years ahead: not overdue.
    assert "已逾期" not in page
    ExpiryEvaluation.objects.filter(pk=evaluation.pk).update(due_on=date(2020, 1, 1))
    assert "已逾期" in client.get("/staff/rules/evaluations/").content.decode()
    assert evaluation.document.title not in (
        client.get("/staff/rules/evaluations/?state=done").content.decode()
    )


def test_the_department_proposes_through_the_page(office):
    evaluation = evaluation_of(office)
    client = verified_client(office["clerk"])
    url = f"/staff/rules/evaluations/{evaluation.pk}/propose/"
    bad = client.post(url, {"propose-proposal": "keep"})
    assert bad.status_code == 422
    assert "评估意见为保留的，须填写新的有效期。" in bad.content.decode()
    assert ExpiryEvaluation.objects.get(pk=evaluation.pk).proposal == ""
    good = client.post(
        url, {"propose-proposal": "keep", "propose-new_valid_until": KEPT_UNTIL.isoformat()}
    )
    assert good.status_code == 302
    assert good["Location"] == f"/staff/rules/evaluations/{evaluation.pk}/"
    assert ExpiryEvaluation.objects.get(pk=evaluation.pk).new_valid_until == KEPT_UNTIL


def test_refusals_keep_their_status_and_overseers_only_read(roles):
    evaluation = evaluation_of(roles)
    data = {"propose-proposal": "expire", "propose-reason": "不再需要"}
    url = f"/staff/rules/evaluations/{evaluation.pk}/propose/"
    refused = verified_client(roles["leader"]).post(url, data)
    assert refused.status_code == 403 and "您没有执行此操作的权限。" in refused.content.decode()
    assert verified_client(roles["overseer"]).post(url, data).status_code == 404
    assert verified_client(roles["stranger"]).post(url, data).status_code == 404
    assert (
        verified_client(roles["clerk"])
        .post(f"/staff/rules/evaluations/{evaluation.pk}/explode/", data)
        .status_code
        == 404
    )
    assert ExpiryEvaluation.objects.get(pk=evaluation.pk).proposal == ""
    # Confirming before a proposal: the page says why, with 409.
    early = verified_client(roles["officer"]).post(
        f"/staff/rules/evaluations/{evaluation.pk}/confirm/", {}
    )
    assert early.status_code == 409 and "部门尚未报送评估意见" in early.content.decode()


def test_confirming_a_revision_opens_the_new_draft(office):
    evaluation = evaluation_of(office)
    evaluation_propose(
        actor=office["clerk"], evaluation=evaluation, proposal="revise", reason="标准已调整"
    )
    client = verified_client(office["officer"])
    page = client.get(f"/staff/rules/evaluations/{evaluation.pk}/").content.decode()
    assert 'data-action="confirm"' in page and 'data-action="return"' in page
    response = client.post(f"/staff/rules/evaluations/{evaluation.pk}/confirm/", {})
    draft = NormativeDocument.objects.get(state="drafting")
    assert response["Location"] == f"/staff/rules/{draft.pk}/"


def test_evaluation_list_query_count_is_constant(office):
    client = verified_client(office["officer"])
    titles = iter(range(100))

    def grow(n):
        for _ in range(n):
            issued_document(office, title=f"文件{next(titles)}")
        evaluation_sweep(at(OPENS))

    assert_constant_queries(lambda: client.get("/staff/rules/evaluations/"), grow)


# --- Cleanup pages ---------------------------------------------------------------------------


def test_a_cleanup_through_the_pages(office):
    document = issued_document(office)
    officer = verified_client(office["officer"])
    assert verified_client(office["clerk"]).get("/staff/rules/cleanups/new/").status_code == 403
    empty = officer.post(
        "/staff/rules/cleanups/new/",
        {
            "agency": office["agency"].pk,
            "title": "按主题清理",
            "scope": "topic",
            "scope_topic": "无",
        },
    )
    assert (
        empty.status_code == 422 and "所选范围内没有可清理的现行有效文件" in empty.content.decode()
    )
    opened = officer.post(
        "/staff/rules/cleanups/new/",
        {"agency": office["agency"].pk, "title": "2026年度清理", "scope": "all"},
    )
    campaign = CleanupReview.objects.get()
    assert opened["Location"] == f"/staff/rules/cleanups/{campaign.pk}/"
    item = campaign.items.get()

    clerk = verified_client(office["clerk"])
    page = clerk.get(f"/staff/rules/cleanups/{campaign.pk}/").content.decode()
    assert 'data-action="propose"' in page and 'data-action="confirm"' not in page
    base = f"/staff/rules/cleanups/{campaign.pk}/items/{item.pk}"
    missing = clerk.post(f"{base}/propose/", {f"propose-{item.pk}-proposal": "repeal"})
    assert missing.status_code == 422
    clerk.post(
        f"{base}/propose/",
        {f"propose-{item.pk}-proposal": "repeal", f"propose-{item.pk}-reason": "已不适用"},
    )
    assert CleanupItem.objects.get(pk=item.pk).proposal == "repeal"
    assert (
        clerk.post(f"{base}/confirm/", {f"confirm-{item.pk}-result": "repeal"}).status_code == 403
    )

    early = officer.post(f"/staff/rules/cleanups/{campaign.pk}/publish/", {})
    assert early.status_code == 409 and "尚有文件未确认清理结果" in early.content.decode()
    officer.post(f"{base}/confirm/", {f"confirm-{item.pk}-result": "repeal"})
    done = officer.post(
        f"/staff/rules/cleanups/{campaign.pk}/publish/", {"publish-result_note": ""}
    )
    assert done.status_code == 302
    assert NormativeDocument.objects.get(pk=document.pk).ended_as == "repealed"
    page = officer.get(f"/staff/rules/cleanups/{campaign.pk}/").content.decode()
    assert "结果已公布" in page and 'data-action="publish"' not in page


def test_who_sees_the_cleanup_pages(roles):
    campaign = campaign_of(roles)
    item = campaign.items.get()
    url = f"/staff/rules/cleanups/{campaign.pk}/"
    for person in ("clerk", "officer", "leader", "overseer"):
        assert verified_client(roles[person]).get(url).status_code == 200
    assert verified_client(roles["adviser"]).get("/staff/rules/cleanups/").status_code == 403
    assert verified_client(roles["stranger"]).get(url).status_code == 404
    post = {f"confirm-{item.pk}-result": "keep"}
    for person in ("overseer", "stranger"):
        response = verified_client(roles[person]).post(f"{url}items/{item.pk}/confirm/", post)
        assert response.status_code == 404
    assert verified_client(roles["overseer"]).post(f"{url}publish/", {}).status_code == 404
    assert CleanupItem.objects.get(pk=item.pk).result == ""
    overseer_page = verified_client(roles["overseer"]).get(url).content.decode()
    assert "data-action=" not in overseer_page


def test_the_campaign_list_marks_late_proposals(office):
    campaign = campaign_of(office)
    client = verified_client(office["officer"])
    assert "已逾期" not in client.get("/staff/rules/cleanups/").content.decode()
    CleanupReview.objects.filter(pk=campaign.pk).update(proposals_due_on=date(2020, 1, 1))
    assert "已逾期" in client.get("/staff/rules/cleanups/").content.decode()
    cleanup_confirm(
        actor=office["officer"], item=campaign.items.get(), result="keep", note="继续有效"
    )
    assert "已逾期" not in client.get("/staff/rules/cleanups/").content.decode()


def test_the_results_as_xlsx(office):
    from openpyxl import load_workbook

    campaign = published(office)
    response = verified_client(office["leader"]).get(
        f"/staff/rules/cleanups/{campaign.pk}/results.xlsx"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["全部文件", "保留", "修改", "废止", "宣布失效"]
    repealed = workbook["废止"]
    assert [c.value for c in repealed[1]][:4] == ["序号", "文号", "标题", "起草科室"]
    assert repealed["C2"].value == "关于规范临时救助的办法"
    assert repealed["E2"].value == "废止" and repealed["G2"].value == "废止"
    assert workbook["保留"].max_row == 1


def test_cleanup_pages_query_counts_are_constant(office):
    officer = verified_client(office["officer"])
    titles = iter(range(100))

    def grow_campaigns(n):
        for _ in range(n):
            campaign_of(office, f"文件{next(titles)}")

    assert_constant_queries(lambda: officer.get("/staff/rules/cleanups/"), grow_campaigns)


def test_campaign_page_query_count_is_constant(office):
    officer = verified_client(office["officer"])
    clerk = verified_client(office["clerk"])
    campaign = campaign_of(office, "第一件")
    titles = iter(range(100))

    def grow_items(n):
        for _ in range(n):
            document = issued_document(office, title=f"文件{next(titles)}")
            item = CleanupItem.objects.create(campaign=campaign, document=document)
            cleanup_propose(actor=office["clerk"], item=item, proposal="keep", reason="继续适用")

    url = f"/staff/rules/cleanups/{campaign.pk}/"
    assert_constant_queries(lambda: officer.get(url), grow_items)
    assert_constant_queries(lambda: clerk.get(url), grow_items)


# --- Links page ------------------------------------------------------------------------------


def test_links_through_the_page(office):
    old = issued_document(office)
    draft = drafted(office)
    client = verified_client(office["clerk"])
    assert old.title in client.get(f"/staff/rules/{draft.pk}/links/").content.decode()
    self_link = client.post(
        f"/staff/rules/{draft.pk}/links/", {"kind": "revises", "target": draft.pk}
    )
    assert self_link.status_code == 422
    client.post(f"/staff/rules/{draft.pk}/links/", {"kind": "revises", "target": old.pk})
    link = DocumentLink.objects.get()
    assert (link.source, link.target) == (draft, old)
    assert (
        verified_client(office["leader"])
        .post(f"/staff/rules/{draft.pk}/links/{link.pk}/remove/")
        .status_code
        == 403
    )
    client.post(f"/staff/rules/{draft.pk}/links/{link.pk}/remove/")
    assert not DocumentLink.objects.exists()


# --- Portal ----------------------------------------------------------------------------------


def test_the_portal_lists_published_results_grouped(office):
    unpublished = campaign_of(office, "未公布清理中的文件")
    campaign = published(office)
    client = Client()
    listing = client.get("/rules/cleanups/").content.decode()
    assert "年度清理" in listing and "废止 1 件" in listing
    assert client.get(f"/rules/cleanups/{unpublished.pk}/").status_code == 404
    page = client.get(f"/rules/cleanups/{campaign.pk}/").content.decode()
    item = campaign.items.select_related("document__doc_number").get()
    for heading in (
        "保留的文件（0件）",
        "修改的文件（0件）",
        "废止的文件（1件）",
        "宣布失效的文件（0件）",
    ):
        assert heading in page
    assert item.document.doc_number.text in page and f"/rules/{item.document_id}/" in page
    assert "上位法已废止" not in page  # the department's reasoning stays internal


def test_portal_list_query_count_is_constant(office):
    client = Client()
    assert_constant_queries(
        lambda: client.get("/rules/cleanups/"), lambda n: [published(office) for _ in range(n)]
    )


# --- API -------------------------------------------------------------------------------------


def test_evaluation_through_the_api(roles):
    evaluation = evaluation_of(roles)
    base = f"/api/rules/evaluations/{evaluation.pk}"
    clerk = api(roles["clerk"])
    listed = clerk.get("/api/rules/evaluations/?state=proposal").json()
    assert [row["id"] for row in listed["items"]] == [str(evaluation.pk)]
    body = clerk.get(base).json()
    assert (body["state"], body["due_on"], body["overdue"]) == ("proposal", DUE.isoformat(), False)
    assert [a["name"] for a in body["available_actions"]] == ["propose"]
    assert body["timeline"][0]["verb"] == "normative.evaluation.open"

    invalid = post_json(clerk, f"{base}/actions/propose", {"proposal": "keep"})
    assert invalid.status_code == 422 and invalid.json()["code"] == "new_valid_until_required"
    bad_date = post_json(
        clerk, f"{base}/actions/propose", {"proposal": "keep", "new_valid_until": "x"}
    )
    assert bad_date.status_code == 422
    stale = post_json(
        clerk,
        f"{base}/actions/propose",
        {"proposal": "expire", "reason": "不再需要", "expected_state": "confirmation"},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "state_changed"
    refused = post_json(
        api(roles["leader"]), f"{base}/actions/propose", {"proposal": "expire", "reason": "x"}
    )
    assert refused.status_code == 403
    hidden = post_json(
        api(roles["stranger"]), f"{base}/actions/propose", {"proposal": "expire", "reason": "x"}
    )
    assert hidden.status_code == 404
    assert api(roles["adviser"]).get(base).status_code == 403

    done = post_json(
        clerk,
        f"{base}/actions/propose",
        {
            "proposal": "keep",
            "new_valid_until": KEPT_UNTIL.isoformat(),
            "expected_state": "proposal",
        },
    )
    assert done.status_code == 200 and done.json()["state"] == "confirmation"
    officer = api(roles["officer"])
    returned = post_json(officer, f"{base}/actions/return", {"reason": "请补充说明"})
    assert returned.json()["state"] == "proposal"
    post_json(
        clerk,
        f"{base}/actions/propose",
        {"proposal": "keep", "new_valid_until": KEPT_UNTIL.isoformat()},
    )
    confirmed = post_json(officer, f"{base}/actions/confirm", {})
    assert confirmed.json()["state"] == "done" and confirmed.json()["fields"]["draft"] is None
    assert NormativeDocument.objects.get(pk=evaluation.document_id).valid_until == KEPT_UNTIL
    again = post_json(officer, f"{base}/actions/confirm", {})
    assert again.status_code == 409 and again.json()["code"] == "evaluation_closed"


def test_cleanup_through_the_api(roles):
    document = issued_document(roles)
    officer = api(roles["officer"])
    refused = post_json(
        api(roles["clerk"]), "/api/rules/cleanups/", {"title": "清理", "scope": "all"}
    )
    assert refused.status_code == 403
    bad = post_json(officer, "/api/rules/cleanups/", {"title": "清理", "scope": "department"})
    assert bad.status_code == 422 and bad.json()["code"] == "department_required"
    created = post_json(officer, "/api/rules/cleanups/", {"title": "年度清理", "scope": "all"})
    assert created.status_code == 201
    campaign_id = created.json()["id"]
    assert created.json()["state"] == "open" and created.json()["available_actions"] == []
    base = f"/api/rules/cleanups/{campaign_id}"
    items = api(roles["clerk"]).get(f"{base}/items").json()["items"]
    assert [row["document"] for row in items] == [str(document.pk)]
    item = f"{base}/items/{items[0]['id']}"
    proposed = post_json(
        api(roles["clerk"]), f"{item}/actions/propose", {"proposal": "repeal", "reason": "已不适用"}
    )
    assert proposed.json()["proposal_label"] == "废止"
    early = post_json(officer, f"{base}/actions/publish")
    assert early.status_code == 409 and early.json()["code"] == "cleanup_unconfirmed"
    post_json(officer, f"{item}/actions/confirm", {"result": "repeal"})
    assert [a["name"] for a in officer.get(base).json()["available_actions"]] == ["publish"]
    assert post_json(api(roles["overseer"]), f"{base}/actions/publish").status_code == 404
    done = post_json(officer, f"{base}/actions/publish", {"expected_state": "open"})
    assert done.status_code == 200 and done.json()["state"] == "published"
    listed = officer.get("/api/rules/cleanups/?state=published").json()["items"]
    assert (listed[0]["id"], listed[0]["confirmed_count"]) == (campaign_id, 1)

    public = Client().get("/api/public/rules/cleanups/").json()
    assert public["items"][0]["counts"] == {"keep": 0, "revise": 0, "repeal": 1, "expire": 0}
    detail = Client().get(f"/api/public/rules/cleanups/{campaign_id}").json()
    repealed = next(group for group in detail["results"] if group["result"] == "repeal")
    assert [d["document"] for d in repealed["documents"]] == [str(document.pk)]
    assert [g["label"] for g in detail["results"]] == ["保留", "修改", "废止", "宣布失效"]


def test_public_api_shows_only_published_results(office):
    campaign = campaign_of(office)
    client = Client()
    assert client.get("/api/public/rules/cleanups/").json()["items"] == []
    assert client.get(f"/api/public/rules/cleanups/{campaign.pk}").status_code == 404
    assert client.get("/api/public/rules/cleanups/999999999999999999999").status_code == 404
    assert client.get("/api/public/rules/cleanups/?limit=0").status_code == 422


def test_links_through_the_api(roles):
    old = issued_document(roles)
    draft = drafted(roles)
    clerk = api(roles["clerk"])
    url = f"/api/rules/documents/{draft.pk}/links"
    added = post_json(clerk, url, {"target": str(old.pk), "kind": "repeals"})
    assert added.status_code == 201 and added.json()["kind_label"] == "废止"
    duplicate = post_json(clerk, url, {"target": str(old.pk), "kind": "repeals"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "link_exists"
    missing = post_json(clerk, url, {"target": "12345678", "kind": "repeals"})
    assert missing.status_code == 422 and missing.json()["code"] == "target_not_issued"
    family = clerk.get(f"/api/rules/documents/{old.pk}/family").json()
    assert [(r["document"], r["direction"]) for r in family["relatives"]] == [(str(draft.pk), "in")]
    link_id = added.json()["id"]
    assert api(roles["leader"]).delete(f"{url}/{link_id}").status_code == 403
    assert api(roles["stranger"]).delete(f"{url}/{link_id}").status_code == 404
    assert clerk.delete(f"{url}/{link_id}").status_code == 204
    assert not DocumentLink.objects.exists()
    assert Event.objects.filter(verb="normative.link.remove").count() == 1


def test_the_workspace_shows_the_tasks(office):
    evaluation = evaluation_of(office)
    home = verified_client(office["clerk"]).get("/staff/").content.decode()
    assert f"到期评估：{evaluation.document.title}" in home
    assert f"/staff/rules/evaluations/{evaluation.pk}/" in home


def test_the_rules_list_links_to_the_tabs(office):
    page = verified_client(office["clerk"]).get("/staff/rules/").content.decode()
    assert 'href="/staff/rules/evaluations/"' in page and 'href="/staff/rules/cleanups/"' in page


def test_the_pages_lead_to_the_links_and_the_cleanup_results(roles):
    # Given a draft of the clerk's department.
    document = drafted(roles)
    page = f"/staff/rules/{document.pk}/"
    links = f'href="/staff/rules/{document.pk}/links/"'
    # Then its drafters find the links page from the document page; a leader reads without it.
    assert links in verified_client(roles["clerk"]).get(page).content.decode()
    assert links not in verified_client(roles["leader"]).get(page).content.decode()
    # And the portal library leads to the published cleanup results.
    assert 'href="/rules/cleanups/"' in Client().get("/rules/").content.decode()
