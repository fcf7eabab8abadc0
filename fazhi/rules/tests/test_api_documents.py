"""Staff actions on normative documents through the API: the whole way with bearer tokens, each
refusal with its status and code, and crafted calls that try to skip a gate."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fazhi.api.tokens import token_create
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.models import (
    CollectiveDecision,
    Consultation,
    DocumentVersion,
    LegalityReview,
    NormativeDocument,
    PublicComment,
)
from fazhi.rules.tests.test_lifecycle import (
    consulted,
    decided,
    draft,
    issue,
    let_consultation_end,
    let_review_take,
    reviewed,
)
from fazhi.testing.factories import AgencyFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

BASE = "/api/rules/documents"
CHECKS = {"authority": True, "competence": True, "procedure": True, "content": True, "form": True}


def as_user(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def post(client, path, body=None):
    return client.post(f"{BASE}{path}", body or {}, content_type="application/json")


def cite(consultation, text="建议明确复核时限。", article=3):
    return services.comment_submit(
        consultation=consultation,
        text=text,
        name="张三",
        phone="13812345678",
        idempotency_key=uuid.uuid4().hex,
        article=article,
    )


def state_of(document) -> str:
    return NormativeDocument.objects.get(pk=document.pk).state


def test_the_whole_way_through_the_api(office):
    today = timezone.localdate()
    clerk, officer = as_user(office["clerk"]), as_user(office["officer"])

    # Given the clerk drafts a document and saves a second text.
    created = post(
        clerk,
        "/",
        {
            "department": str(office["section"].pk),
            "title": "关于规范临时救助审批的实施办法",
            "text": "第一条 为了规范临时救助审批，制定本办法。",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "drafting" and body["fields"]["department"] == "社会救助科"
    document_id = body["id"]
    saved = post(
        clerk,
        f"/{document_id}/versions",
        {
            "text": "第一条 为了规范临时救助审批。\n第二条 本办法自公布之日起施行。",
            "note": "补充施行日期",
            "expected_version": 1,
        },
    )
    assert saved.status_code == 201 and saved.json()["number"] == 2

    # When it goes out for comments and a citizen comments.
    opened = post(
        clerk,
        f"/{document_id}/actions/open_consultation",
        {
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=20)).isoformat(),
            "expected_state": "drafting",
        },
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["state"] == "consultation"
    document = NormativeDocument.objects.get(pk=document_id)
    cite(document.consultation)
    let_consultation_end(document)
    closed = post(clerk, f"/{document_id}/actions/close_consultation")
    assert closed.json()["state"] == "comments"

    # Then the clerk sees the comment with the phone masked and answers it.
    comments = clerk.get(f"{BASE}/{document_id}/consultation/comments").json()
    assert len(comments["items"]) == 1 and comments["next_cursor"] is None
    comment = comments["items"][0]
    assert comment["submitter_name"] == "张三" and comment["submitter_phone"] == "138****5678"
    assert comment["response"] == "" and comment["article"] == 3
    answered = post(
        clerk,
        f"/{document_id}/consultation/comments/{comment['id']}/response",
        {"response": "adopted"},
    )
    assert answered.status_code == 200 and answered.json()["response_label"] == "采纳"
    consultation = clerk.get(f"{BASE}/{document_id}/consultation").json()
    assert consultation["unanswered_count"] == 0 and "关于第3条" in consultation["report_draft"]
    published = post(
        clerk, f"/{document_id}/consultation/report", {"report": consultation["report_draft"]}
    )
    assert published.status_code == 200 and published.json()["report_published_at"]

    # And it passes the legality review, the meeting and is issued with a number.
    submitted = post(clerk, f"/{document_id}/actions/submit_for_review", {})
    assert submitted.json()["state"] == "review"
    let_review_take(document)
    passed = post(
        officer,
        f"/{document_id}/actions/pass_review",
        {"checklist": CHECKS, "report": "符合法定权限和程序。"},
    )
    assert passed.status_code == 200 and passed.json()["state"] == "reviewed"
    decision = post(
        officer,
        f"/{document_id}/actions/record_decision",
        {
            "meeting": "director",
            "meeting_date": today.isoformat(),
            "attendees": "陈局长、副局长",
            "decision": "原则通过",
        },
    )
    assert decision.json()["state"] == "decided"
    issued = post(
        officer,
        f"/{document_id}/actions/issue",
        {
            "published_on": today.isoformat(),
            "effective_on": (today + timedelta(days=30)).isoformat(),
            "valid_until": (today + timedelta(days=30 + 365 * 2)).isoformat(),
            "interpretation": "本办法明确了临时救助的审批程序。",
            "expected_state": "decided",
        },
    )
    assert issued.status_code == 200, issued.content
    assert issued.json()["state"] == "issued"
    assert issued.json()["fields"]["doc_number"] == f"示民规〔{today.year}〕1号"
    filed = post(officer, f"/{document_id}/filing", {"outcome": "filed"})
    assert filed.status_code == 200
    assert filed.json()["outcome_label"] == "已报送" and filed.json()["filed_on"] == str(today)

    verbs = [entry["verb"] for entry in officer.get(f"{BASE}/{document_id}").json()["timeline"]]
    assert verbs == [
        "normative.document.create",
        "normative.document.version",
        "normative.normativedocument.open_consultation",
        "normative.comment.submit",
        "normative.normativedocument.close_consultation",
        "normative.comment.respond",
        "normative.consultation.report",
        "normative.normativedocument.submit_for_review",
        "normative.normativedocument.pass_review",
        "normative.normativedocument.record_decision",
        "number.issue",
        "normative.normativedocument.issue",
        "normative.filing.record",
    ]


def test_exemption_then_review_and_a_meeting_that_does_not_adopt(office):
    document = draft(office)
    approved = post(
        as_user(office["officer"]),
        f"/{document.pk}/exemption",
        {"ground": "涉及国家秘密，依法不予公开征求意见", "expected_state": "drafting"},
    )
    assert approved.status_code == 200
    submitted = post(as_user(office["clerk"]), f"/{document.pk}/actions/submit_for_review")
    assert submitted.json()["state"] == "review"
    let_review_take(document)
    post(
        as_user(office["officer"]),
        f"/{document.pk}/actions/pass_review",
        {"checklist": CHECKS, "report": "合法。"},
    )
    rejected = post(
        as_user(office["officer"]),
        f"/{document.pk}/actions/record_decision",
        {
            "meeting": "bureau",
            "meeting_date": timezone.localdate().isoformat(),
            "attendees": "局务会成员",
            "decision": "暂缓制定",
            "adopted": False,
        },
    )
    assert rejected.json()["state"] == "abandoned"
    assert NormativeDocument.objects.get(pk=document.pk).abandon_reason == "暂缓制定"


def test_return_from_review_goes_back_to_drafting_with_the_report(office):
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    returned = post(
        as_user(office["officer"]),
        f"/{document.pk}/actions/return_from_review",
        {
            "checklist": {**CHECKS, "content": False},
            "opinion": "fail",
            "report": "第三条超越法定权限。",
        },
    )
    assert returned.status_code == 200 and returned.json()["state"] == "drafting"
    review = LegalityReview.objects.get(document=document)
    assert review.opinion == "fail" and review.report == "第三条超越法定权限。"


# --- Refusals --------------------------------------------------------------------------------


def _snapshot(document):
    return (
        state_of(document),
        DocumentVersion.objects.filter(document=document).count(),
        LegalityReview.objects.filter(document=document).count(),
        CollectiveDecision.objects.filter(document=document).count(),
        Event.objects.filter(target_type="normative.normativedocument").count(),
    )


REFUSALS = [
    # (who, stage, path, body, status, code)
    ("clerk", draft, "/exemption", {"ground": "理由"}, 403, "not_allowed"),
    ("leader", draft, "/versions", {"text": "新正文"}, 403, "not_allowed"),
    ("clerk", reviewed, "/actions/record_decision", "decision", 403, "not_allowed"),
    ("clerk", decided, "/actions/issue", "issue", 403, "not_allowed"),
    ("supervisor", draft, "/versions", {"text": "新正文"}, 403, "not_allowed"),
    ("outsider", draft, "/versions", {"text": "新正文"}, 404, "not_found"),
    ("overseer", draft, "/versions", {"text": "新正文"}, 404, "not_found"),
    ("outsider", decided, "/actions/issue", "issue", 404, "not_found"),
    (
        "clerk",
        draft,
        "/versions",
        {"text": "新正文", "expected_version": 7},
        409,
        "version_changed",
    ),
    ("officer", reviewed, "/actions/issue", "issue", 409, "state_changed"),
    ("officer", decided, "/actions/issue", "issue-in-review", 409, "state_changed"),
    ("clerk", draft, "/actions/submit_for_review", {}, 409, "consultation_required"),
    ("clerk", draft, "/actions/open_consultation", "too-short", 422, "consultation_too_short"),
    ("clerk", draft, "/actions/open_consultation", "in-the-past", 422, "opens_in_past"),
    ("officer", decided, "/actions/issue", "issue-backwards", 422, "issuance_incomplete"),
    ("officer", decided, "/actions/issue", {"published_on": "明天"}, 422, "invalid_input"),
    ("clerk", draft, "/versions", {"text": "   "}, 422, "text_required"),
    (
        "officer",
        reviewed,
        "/actions/record_decision",
        "decision-before-review",
        409,
        "decision_required",
    ),
]


def _body(kind, today):
    day = today.isoformat
    bodies = {
        "decision": {
            "meeting": "director",
            "meeting_date": day(),
            "attendees": "陈局长",
            "decision": "通过",
        },
        "decision-before-review": {
            "meeting": "director",
            "meeting_date": (today - timedelta(days=30)).isoformat(),
            "attendees": "陈局长",
            "decision": "通过",
        },
        "issue": {
            "published_on": day(),
            "effective_on": (today + timedelta(days=30)).isoformat(),
            "valid_until": (today + timedelta(days=700)).isoformat(),
            "interpretation": "解读",
        },
        "issue-backwards": {
            "published_on": day(),
            "effective_on": (today - timedelta(days=1)).isoformat(),
            "valid_until": (today + timedelta(days=700)).isoformat(),
            "interpretation": "解读",
        },
        "too-short": {"opens_on": day(), "closes_on": (today + timedelta(days=3)).isoformat()},
        "in-the-past": {
            "opens_on": (today - timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(),
        },
    }
    if not isinstance(kind, str):
        return kind
    if kind == "issue-in-review":
        return {**bodies["issue"], "expected_state": "review"}
    return bodies[kind]


@pytest.mark.parametrize(("who", "stage", "path", "body", "status", "code"), REFUSALS)
def test_refusals_answer_their_status_and_change_nothing(
    office, who, stage, path, body, status, code
):
    document = stage(office)
    before = _snapshot(document)
    actor = {
        "clerk": lambda: office["clerk"],
        "officer": lambda: office["officer"],
        "leader": lambda: office["leader"],
        "supervisor": lambda: user_with_role(Role.SUPERVISOR, agency=office["agency"]),
        "outsider": lambda: user_with_role(Role.LEGAL_OFFICER),
        "overseer": lambda: user_with_role(
            Role.DISTRICT_OVERSEER, agency=AgencyFactory(region=office["agency"].region)
        ),
    }[who]()
    response = post(as_user(actor), f"/{document.pk}{path}", _body(body, timezone.localdate()))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert _snapshot(document) == before


def test_creating_is_refused_without_a_drafting_role_or_a_department_of_ones_own(office):
    body = {"department": str(office["section"].pk), "title": "标题", "text": "正文"}
    assert post(as_user(office["leader"]), "/", body).status_code == 403
    supervisor = user_with_role(Role.SUPERVISOR, agency=office["agency"])
    assert post(as_user(supervisor), "/", body).status_code == 403
    outsider = user_with_role(Role.CLERK)
    response = post(as_user(outsider), "/", body)
    assert response.status_code == 422 and response.json()["code"] == "department_invalid"
    assert not NormativeDocument.objects.exists()


def test_invalid_input_is_named_field_by_field_in_chinese(office):
    response = post(
        as_user(office["clerk"]),
        "/",
        {"department": str(office["section"].pk), "text": 5, "kind": "law", "major_rights": "也许"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and body["message"] == "输入不符合要求。"
    messages = {item["field"].split(".")[-1]: item["message"] for item in body["detail"]}
    assert messages == {
        "title": "标题：必填。",
        "text": "正文：须为文本。",
        "kind": "类型：须为以下之一：'normative', 'interim', 'trial' or 'notice'。",
        "major_rights": "涉及公民权利义务或切身利益：须为 true 或 false。",
    }


def test_nested_checklist_and_dates_out_of_range_are_named(office):
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    response = post(
        as_user(office["officer"]),
        f"/{document.pk}/actions/pass_review",
        {"checklist": {"authority": True}, "report": "合法\x00"},
    )
    messages = sorted(item["message"] for item in response.json()["detail"])
    assert messages == [
        "内容合法：必填。",
        "制定程序合法：必填。",
        "审核报告：不能包含控制字符。",
        "形式规范：必填。",
        "未超越法定权限：必填。",
    ]
    dated = post(
        as_user(office["officer"]),
        f"/{decided(office).pk}/actions/issue",
        {**_body("issue", timezone.localdate()), "valid_until": "9999-12-31"},
    )
    assert [item["message"] for item in dated.json()["detail"]] == [
        "有效期至：日期须在 2000 年至 2100 年之间。"
    ]


def test_answers_and_report_are_refused_when_they_break_a_rule(office):
    document = draft(office)
    today = timezone.localdate()
    consultation = services.consultation_open(
        actor=office["clerk"], document=document, opens_on=today, closes_on=today + timedelta(20)
    )
    first, second = cite(consultation), cite(consultation, "第二条意见", 2)
    clerk = as_user(office["clerk"])
    early = post(
        clerk, f"/{document.pk}/consultation/comments/{first.pk}/response", {"response": "adopted"}
    )
    assert early.status_code == 409 and early.json()["code"] == "state_changed"
    let_consultation_end(document)
    post(clerk, f"/{document.pk}/actions/close_consultation")
    no_reason = post(
        clerk, f"/{document.pk}/consultation/comments/{first.pk}/response", {"response": "partly"}
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    post(
        clerk, f"/{document.pk}/consultation/comments/{first.pk}/response", {"response": "adopted"}
    )
    unanswered = clerk.get(f"{BASE}/{document.pk}/consultation/comments?unanswered=true").json()
    assert [c["id"] for c in unanswered["items"]] == [str(second.pk)]
    report = post(clerk, f"/{document.pk}/consultation/report", {"report": "说明"})
    assert report.status_code == 409 and report.json()["code"] == "comments_unanswered"
    assert Consultation.objects.get(pk=consultation.pk).report_published_at is None
    # A comment of another document is not found through this one.
    other = draft(office)
    foreign = post(
        clerk, f"/{other.pk}/consultation/comments/{second.pk}/response", {"response": "adopted"}
    )
    assert foreign.status_code == 404
    assert clerk.get(f"{BASE}/{other.pk}/consultation").status_code == 404
    assert PublicComment.objects.get(pk=second.pk).response == ""


def test_the_comments_are_not_shown_to_another_agency(office):
    document = draft(office)
    today = timezone.localdate()
    services.consultation_open(
        actor=office["clerk"], document=document, opens_on=today, closes_on=today + timedelta(20)
    )
    outsider = as_user(user_with_role(Role.LEGAL_OFFICER))
    response = outsider.get(f"{BASE}/{document.pk}/consultation/comments")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_filing_is_refused_before_publication_and_with_a_bad_date(office):
    document = decided(office)
    officer = as_user(office["officer"])
    early = post(officer, f"/{document.pk}/filing", {"outcome": "filed"})
    assert early.status_code == 409 and early.json()["code"] == "state_changed"
    issued = issue(office, document)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    late = post(officer, f"/{issued.pk}/filing", {"outcome": "filed", "filed_on": future})
    assert late.status_code == 422 and late.json()["code"] == "filed_on_invalid"
    correction = post(officer, f"/{issued.pk}/filing", {"outcome": "correction"})
    assert correction.status_code == 422 and correction.json()["code"] == "note_required"


# --- Crafted calls cannot skip a gate ----------------------------------------------------------


def test_a_resubmitted_draft_gets_a_new_review_round_so_the_minimum_time_holds(office):
    # Given a review that took its time and sent the draft back.
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    let_review_take(document)
    services.review_record(
        actor=office["officer"],
        document=document,
        checklist={**CHECKS, "content": False},
        opinion="changes",
        report="请修改第三条。",
    )
    # When the clerk resubmits through the action's name and the office passes it at once.
    post(as_user(office["clerk"]), f"/{document.pk}/actions/submit_for_review", {"comment": "已改"})
    assert LegalityReview.objects.filter(document=document).count() == 2
    response = post(
        as_user(office["officer"]),
        f"/{document.pk}/actions/pass_review",
        {"checklist": CHECKS, "report": "合法。"},
    )
    # Then the new round's minimum working days are not skipped by the old round's.
    assert response.status_code == 409 and response.json()["code"] == "review_too_short"
    assert state_of(document) == "review"


def test_the_action_names_reach_the_services_not_the_bare_transitions(office):
    # A bare `issue` would need no number; the route by that name is the numbering service.
    document = decided(office)
    response = post(as_user(office["officer"]), f"/{document.pk}/actions/issue", {"data": {}})
    assert response.status_code == 422 and state_of(document) == "decided"
    # A bare `open_consultation` would reuse a stale period; the service demands a new one.
    fresh = draft(office)
    opened = post(as_user(office["clerk"]), f"/{fresh.pk}/actions/open_consultation", {})
    assert opened.status_code == 422 and not Consultation.objects.filter(document=fresh).exists()


def test_a_passing_opinion_needs_every_checklist_point(office):
    document = services.review_submit(actor=office["clerk"], document=consulted(office))
    let_review_take(document)
    response = post(
        as_user(office["officer"]),
        f"/{document.pk}/actions/pass_review",
        {"checklist": {**CHECKS, "form": False}, "report": "合法。"},
    )
    assert response.status_code == 422 and response.json()["code"] == "checklist_failed"
    assert state_of(document) == "review"


# --- The list ----------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_paged_and_constant_in_queries(office):
    clerk = as_user(office["clerk"])
    first = draft(office)
    issued = issue(office, decided(office))
    other_agency = user_with_role(Role.CLERK)
    services.document_create(
        actor=other_agency,
        agency=other_agency.home_agency,
        department=other_agency.memberships.get().department,
        title="外单位文件",
        text="正文",
    )
    listed = clerk.get(f"{BASE}/").json()
    assert [item["id"] for item in listed["items"]] == [str(issued.pk), str(first.pk)]
    assert listed["items"][0]["doc_number"] == f"示民规〔{timezone.localdate().year}〕1号"
    assert listed["items"][0]["due_on"] == str(issued.filing.due_on)
    drafts = clerk.get(f"{BASE}/?state=drafting").json()
    assert [item["id"] for item in drafts["items"]] == [str(first.pk)]
    page = clerk.get(f"{BASE}/?limit=1").json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = clerk.get(f"{BASE}/?limit=1&cursor={page['next_cursor']}").json()
    assert [item["id"] for item in rest["items"]] == [str(first.pk)]
    bad = clerk.get(f"{BASE}/?state=flying")
    assert bad.status_code == 422 and bad.json()["code"] == "bad_state"
    assert clerk.get(f"{BASE}/?limit=0").json()["code"] == "bad_limit"

    def grow(n):
        for _ in range(n):
            services.review_submit(actor=office["clerk"], document=consulted(office))

    assert_constant_queries(lambda: clerk.get(f"{BASE}/"), grow, extra_rows=3)
