"""The drafting and review extras through the API: the same services and refusals as the pages,
with the API's statuses and error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fazhi.api.tokens import token_create
from fazhi.core.calendar import add_workdays
from fazhi.core.files.models import StoredFile
from fazhi.core.models import Countersign
from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.models import LegalityReview, NormativeDocument
from fazhi.rules.tests.drafting_kit import (
    PDF,
    docx_bytes,
    fresh,
    in_review,
    make_bureau,
    upload,
    with_macros,
)
from fazhi.rules.tests.test_lifecycle import draft
from fazhi.testing.factories import user_with_role

BASE = "/api/rules/documents"


@pytest.fixture
def bureau(office):
    return make_bureau(office)


def as_user(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def post_json(client, path, body):
    return client.post(f"{BASE}{path}", body, content_type="application/json")


def test_upload_then_compare_as_json(office):
    document = draft(office)
    client = as_user(office["clerk"])

    response = client.post(
        f"{BASE}/{document.pk}/versions/upload",
        {"file": upload(docx_bytes("第一条 为了规范临时救助……", "第二条 新增。")), "note": "上传"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["note"], body["characters"]) == (2, "上传", 22)
    assert body["source_file"]["name"] == "草案.docx"
    assert body["source_file"]["download_url"] == f"/files/{body['source_file']['id']}/"

    compared = client.get(f"{BASE}/{document.pk}/versions/compare?a=1&b=2").json()
    assert (compared["a"], compared["b"]) == (1, 2)
    assert (compared["changed"], compared["added"], compared["removed"]) == (1, 1, 0)
    assert compared["rows"][0]["kind"] == "changed"
    assert compared["rows"][0]["left_segments"] == [["same", "第一条 为了规范……"]]
    assert compared["rows"][0]["right_segments"] == [
        ["same", "第一条 为了规范"],
        ["ins", "临时救助"],
        ["same", "……"],
    ]
    assert compared["rows"][1] == {
        "kind": "added",
        "left": "",
        "right": "第二条 新增。",
        "left_segments": [],
        "right_segments": [],
    }


def test_upload_refusals_in_the_api_shape(bureau):
    document = draft(bureau)
    refused = as_user(bureau["clerk"]).post(
        f"{BASE}/{document.pk}/versions/upload", {"file": upload(with_macros(docx_bytes("x")))}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "file_has_macros"
    assert refused.json()["message"] == "文档含有宏，不予接受。请另存为不含宏的文档后重新上传。"
    wrong = as_user(bureau["other_clerk"]).post(
        f"{BASE}/{document.pk}/versions/upload", {"file": upload(docx_bytes("x"))}
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "not_allowed"
    outsider = as_user(user_with_role(Role.CLERK)).post(
        f"{BASE}/{document.pk}/versions/upload", {"file": upload(docx_bytes("x"))}
    )
    assert outsider.status_code == 404
    assert document.versions.count() == 1 and StoredFile.objects.count() == 0


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("a=1&b=5", 404, "not_found"),
        ("a=x&b=1", 422, "version_invalid"),
        ("a=%C2%B2&b=1", 422, "version_invalid"),
        ("b=1", 422, "version_invalid"),
        ("a=1&b=1", 422, "version_same"),
    ],
)
def test_compare_refusals(office, query, status, code):
    document = draft(office)
    response = as_user(office["clerk"]).get(f"{BASE}/{document.pk}/versions/compare?{query}")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_countersign_open_and_opine(bureau):
    document = draft(bureau)
    clerk = as_user(bureau["clerk"])

    opened = post_json(
        clerk, f"/{document.pk}/countersign", {"departments": [str(bureau["other"].pk)]}
    )

    assert opened.status_code == 201
    round_ = opened.json()
    assert (round_["outcome"], round_["mode"], round_["state"]) == ("pending", "all", "drafting")
    [opinion] = round_["opinions"]
    assert (opinion["department"], opinion["opinion"]) == ("社会事务科", "pending")
    blocked = post_json(
        clerk, f"/{document.pk}/countersign", {"departments": [str(bureau["third"].pk)]}
    )
    assert blocked.status_code == 409 and blocked.json()["code"] == "countersign_open"

    crafted = post_json(
        clerk, f"/{document.pk}/countersign/opinions/{opinion['id']}", {"agree": True}
    )
    assert crafted.status_code == 403 and crafted.json()["code"] == "not_department"

    agreed = post_json(
        as_user(bureau["head"]),
        f"/{document.pk}/countersign/opinions/{opinion['id']}",
        {"agree": True, "comment": "同意"},
    )

    assert agreed.status_code == 200
    assert agreed.json()["outcome"] == "agreed"
    assert agreed.json()["opinions"][0]["decided_by"] == bureau["head"].display_name
    listed = as_user(bureau["clerk"]).get(f"{BASE}/{document.pk}/countersign").json()
    assert [r["outcome"] for r in listed] == ["agreed"]


@pytest.mark.parametrize(
    "body",
    [
        {"departments": []},
        {"departments": ["abc"]},
        {"departments": ["²"]},
        {"departments": ["999999"]},
        {"departments": ["1"], "workdays": 0},
    ],
)
def test_countersign_bad_input_is_422(bureau, body):
    document = draft(bureau)
    response = post_json(as_user(bureau["clerk"]), f"/{document.pk}/countersign", body)
    assert response.status_code == 422
    assert Countersign.objects.count() == 0


def test_countersign_departments_of_another_agency_are_refused(bureau):
    document = draft(bureau)
    elsewhere = user_with_role(Role.DEPARTMENT_HEAD)
    department = elsewhere.memberships.get().department
    response = post_json(
        as_user(bureau["clerk"]),
        f"/{document.pk}/countersign",
        {"departments": [str(department.pk)]},
    )
    assert response.status_code == 422 and response.json()["code"] == "countersign_departments"


def test_adviser_request_and_answer(bureau):
    document = in_review(bureau)
    officer = as_user(bureau["officer"])
    adviser = as_user(bureau["adviser"])
    assert adviser.get(f"{BASE}/{document.pk}/versions/compare?a=1&b=1").status_code == 403

    asked = post_json(
        officer,
        f"/{document.pk}/adviser/request",
        {"adviser": bureau["adviser"].username, "question": "是否超越权限？"},
    )

    assert asked.status_code == 200
    assert (
        asked.json()["due_on"]
        == add_workdays(
            LegalityReview.objects.get(document=document).adviser_requested_at.date(), 5
        ).isoformat()
    )
    assert asked.json()["opinion"] == "" and asked.json()["answered_at"] is None
    others = as_user(bureau["adviser2"]).post(
        f"{BASE}/{document.pk}/adviser/answer", {"opinion": "代答"}
    )
    assert others.status_code == 403

    answered = adviser.post(
        f"{BASE}/{document.pk}/adviser/answer",
        {"opinion": "未超越权限。", "file": upload(PDF, "意见书.pdf")},
    )

    assert answered.status_code == 200
    assert answered.json()["opinion"] == "未超越权限。"
    assert answered.json()["file"]["name"] == "意见书.pdf"
    # Having answered, the adviser no longer sees the document at all.
    again = adviser.post(f"{BASE}/{document.pk}/adviser/answer", {"opinion": "再答"})
    assert again.status_code == 403
    assert LegalityReview.objects.get(document=document).adviser_opinion == "未超越权限。"


def test_adviser_request_refusals_in_the_api(bureau):
    document = in_review(bureau)
    clerk = post_json(
        as_user(bureau["clerk"]),
        f"/{document.pk}/adviser/request",
        {"adviser": bureau["adviser"].username, "question": "？"},
    )
    assert clerk.status_code == 403
    not_adviser = post_json(
        as_user(bureau["officer"]),
        f"/{document.pk}/adviser/request",
        {"adviser": bureau["head"].username, "question": "？"},
    )
    assert not_adviser.status_code == 422 and not_adviser.json()["code"] == "adviser_invalid"
    empty = post_json(
        as_user(bureau["officer"]),
        f"/{document.pk}/adviser/request",
        {"adviser": bureau["adviser"].username, "question": ""},
    )
    assert empty.status_code == 422
    assert LegalityReview.objects.get(document=document).adviser_requested_at is None
    drafting = draft(bureau)
    wrong_state = post_json(
        as_user(bureau["officer"]),
        f"/{drafting.pk}/adviser/request",
        {"adviser": bureau["adviser"].username, "question": "？"},
    )
    assert wrong_state.status_code == 409 and wrong_state.json()["code"] == "state_changed"
    assert fresh(drafting).state == NormativeDocument.State.DRAFTING


def test_the_whole_drafting_extras_path_through_the_api(bureau):
    """Upload, 会签, consultation opens only once agreed (the guard, via the API too)."""
    document = draft(bureau)
    clerk = as_user(bureau["clerk"])
    today = timezone.localdate()
    opened = post_json(
        clerk, f"/{document.pk}/countersign", {"departments": [str(bureau["other"].pk)]}
    ).json()
    assert Countersign.objects.get(pk=int(opened["id"])).due_on == add_workdays(today, 5)
    period = {"opens_on": today.isoformat(), "closes_on": (today + timedelta(days=20)).isoformat()}
    refused = post_json(clerk, f"/{document.pk}/actions/open_consultation", period)
    assert refused.status_code == 409 and refused.json()["code"] == "countersign_not_agreed"
    services.document_countersign_opine(
        actor=bureau["head"],
        document=document,
        opinion_id=int(opened["opinions"][0]["id"]),
        agree=True,
    )
    accepted = post_json(clerk, f"/{document.pk}/actions/open_consultation", period)
    assert accepted.status_code == 200 and accepted.json()["state"] == "consultation"
