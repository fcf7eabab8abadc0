"""The public API of normative documents: anonymous, published data only, no personal data."""

import uuid
from datetime import date

import pytest
from django.test import Client, override_settings

from fazhi.rules import services
from fazhi.rules.models import Consultation, PublicComment
from fazhi.rules.tests.test_lifecycle import consulted, draft
from fazhi.rules.tests.test_portal_filters import publish
from fazhi.rules.tests.test_public_views import open_draft

BASE = "/api/public/rules"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def shelf(office):
    interim = publish(office, "低保对象认定暂行办法", kind="interim")
    old = publish(office, "低保审核确认办法（2019年）", published_on=date(2019, 3, 1))
    newer = publish(office, "低保审核确认办法（2026年）", revises=[old], based_on=[interim])
    unpublished = draft(office)
    return {"interim": interim, "old": old, "newer": newer, "draft": unpublished}


def test_anyone_lists_the_documents_in_force_without_logging_in(shelf):
    response = Client().get(f"{BASE}/documents/")
    assert ids(response) == [str(shelf["newer"].pk), str(shelf["interim"].pk)]
    first = response.json()["items"][0]
    assert first == {
        "id": str(shelf["newer"].pk),
        "doc_number": shelf["newer"].doc_number.text,
        "title": "低保审核确认办法（2026年）",
        "kind": "normative",
        "kind_label": "规范性文件",
        "agency": shelf["newer"].agency.name,
        "agency_code": shelf["newer"].agency.code,
        "department": "社会救助科",
        "published_on": shelf["newer"].published_on.isoformat(),
        "effective_on": shelf["newer"].effective_on.isoformat(),
        "valid_until": shelf["newer"].valid_until.isoformat(),
        "status": "in_force",
        "status_label": "有效",
        "url": f"/rules/{shelf['newer'].pk}/",
    }


def test_the_same_filters_and_search_as_the_library(shelf):
    client = Client()
    assert ids(client.get(f"{BASE}/documents/", {"status": "revised"})) == [str(shelf["old"].pk)]
    assert ids(client.get(f"{BASE}/documents/", {"status": "all", "year": "2019"})) == [
        str(shelf["old"].pk)
    ]
    assert ids(client.get(f"{BASE}/documents/", {"kind": "interim"})) == [str(shelf["interim"].pk)]
    assert ids(client.get(f"{BASE}/documents/", {"q": "暂行办法", "status": "all"})) == [
        str(shelf["interim"].pk)
    ]
    department = shelf["interim"].department_id
    assert len(ids(client.get(f"{BASE}/documents/", {"department": department}))) == 2
    assert ids(client.get(f"{BASE}/documents/", {"agency": "no-such"})) == []


def test_cursor_pagination_walks_every_document_once(shelf):
    client = Client()
    first = client.get(f"{BASE}/documents/", {"status": "all", "limit": "2"}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(
        f"{BASE}/documents/", {"status": "all", "limit": "2", "cursor": first["next_cursor"]}
    ).json()
    assert second["next_cursor"] is None
    walked = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(walked) == sorted(str(shelf[k].pk) for k in ("interim", "old", "newer"))


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": "deleted"}, "bad_filter"),
        ({"year": "二〇二六"}, "bad_filter"),
        ({"department": "-3"}, "bad_filter"),
        ({"limit": "0"}, "bad_limit"),
        ({"limit": "abc"}, "bad_limit"),
        ({"cursor": "!!!"}, "bad_cursor"),
    ],
)
def test_bad_parameters_answer_422_in_chinese(shelf, params, code):
    response = Client().get(f"{BASE}/documents/", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_one_document_with_its_family_and_stages(shelf):
    body = Client().get(f"{BASE}/documents/{shelf['old'].pk}").json()
    assert body["status"] == "revised" and body["text"].startswith("第一条")
    assert [(g["relation"], [d["id"] for d in g["documents"]]) for g in body["family"]] == [
        ("revised_by", [str(shelf["newer"].pk)])
    ]
    assert body["family"][0]["documents"][0]["status"] == "in_force"
    stages = {stage["key"]: stage for stage in body["stages"]}
    assert list(stages) == [
        "exemption",
        "review",
        "decision",
        "published",
        "effective",
        "valid_until",
    ]
    assert stages["published"]["on"] == "2019-03-01"
    assert stages["published"]["detail"] == shelf["old"].doc_number.text


def test_drafts_are_never_exposed(shelf, office):
    open_draft(office)
    client = Client()
    assert client.get(f"{BASE}/documents/{shelf['draft'].pk}").status_code == 404
    assert client.get(f"{BASE}/documents/not-a-number").status_code == 404
    every = ids(client.get(f"{BASE}/documents/", {"status": "all"}))
    assert str(shelf["draft"].pk) not in every
    searched = ids(client.get(f"{BASE}/documents/", {"status": "all", "q": "最低生活保障"}))
    assert searched == []


def test_open_consultations_and_adoption_reports_carry_no_personal_data(office):
    consultation = open_draft(office)
    finished = consulted(office)
    client = Client()
    open_list = client.get(f"{BASE}/consultations/").json()
    assert [item["id"] for item in open_list["items"]] == [str(consultation.pk)]
    assert open_list["items"][0]["text"] == "第一条 为了规范……"
    reports = client.get(f"{BASE}/adoption-reports/").json()["items"]
    assert len(reports) == 1
    report = reports[0]
    assert report["id"] == str(Consultation.objects.get(document=finished).pk)
    assert (report["comment_count"], report["adopted_count"], report["document_id"]) == (1, 1, None)
    raw = client.get(f"{BASE}/adoption-reports/").content.decode()
    for personal in ("张三", "13812345678", "138****5678", "submitter"):
        assert personal not in raw


def test_a_citizen_comments_through_the_api_once_per_token(office):
    consultation = open_draft(office)
    url = f"{BASE}/consultations/{consultation.pk}/comments"
    body = {
        "text": "建议明确复核时限。",
        "name": "王小明",
        "phone": "13912345678",
        "token": uuid.uuid4().hex,
        "article": 2,
    }
    first = Client().post(url, body, content_type="application/json")
    again = Client().post(url, body, content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert set(first.json()) == {"received", "submitted_at"}
    stored = PublicComment.objects.get()
    assert (stored.article, stored.submitter_name) == (2, "王小明")
    bad = Client().post(
        url, {**body, "token": uuid.uuid4().hex, "phone": "123"}, "application/json"
    )
    assert bad.status_code == 422 and PublicComment.objects.count() == 1


def test_comments_on_drafts_or_closed_consultations_are_refused(office):
    consultation = open_draft(office)
    body = {"text": "意见", "name": "李四", "phone": "13912345678", "token": uuid.uuid4().hex}
    assert (
        Client()
        .post(f"{BASE}/consultations/999999/comments", body, content_type="application/json")
        .status_code
        == 404
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_on=date(2020, 1, 1), closes_on=date(2020, 12, 31)
    )
    closed = Client().post(
        f"{BASE}/consultations/{consultation.pk}/comments", body, content_type="application/json"
    )
    assert closed.status_code == 409 and closed.json()["code"] == "consultation_closed"
    assert not PublicComment.objects.exists()


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 1})
def test_api_comments_are_rate_limited(office):
    consultation = open_draft(office)
    url = f"{BASE}/consultations/{consultation.pk}/comments"

    def post():
        body = {"text": "意见", "name": "李四", "phone": "13912345678", "token": uuid.uuid4().hex}
        return Client().post(url, body, content_type="application/json")

    assert post().status_code == 201
    limited = post()
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"


def test_the_list_query_count_does_not_grow(office):
    from fazhi.testing.queries import assert_constant_queries

    client = Client()
    assert_constant_queries(
        lambda: client.get(f"{BASE}/documents/", {"status": "all"}),
        lambda n: [publish(office, f"实施细则{i}") for i in range(n)],
        extra_rows=3,
    )
    assert_constant_queries(
        lambda: client.get(f"{BASE}/consultations/"),
        lambda n: [open_draft(office) for _ in range(n)],
        extra_rows=3,
    )


def test_a_document_issued_after_its_consultation_links_its_report(office):
    from fazhi.rules.tests.test_lifecycle import decided, issue

    document = issue(office, decided(office))
    services.filing_record(actor=office["officer"], document=document, outcome="filed")
    body = Client().get(f"{BASE}/documents/{document.pk}").json()
    stages = {stage["key"]: stage for stage in body["stages"]}
    consultation = Consultation.objects.get(document=document)
    assert stages["consultation"]["adoption_report_id"] == str(consultation.pk)
    assert stages["consultation"]["until"] == consultation.closes_on.isoformat()
    assert stages["filing"]["detail"] == "已报送"
    report = Client().get(f"{BASE}/adoption-reports/").json()["items"][0]
    assert report["document_id"] == str(document.pk)
