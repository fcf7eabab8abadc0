"""Proactive disclosure through the API: the whole way from draft to the public catalogue with
bearer tokens, each refusal with its status and code, and the public read API."""

from __future__ import annotations

from django.test import Client

from fazhi.api.tokens import token_create
from fazhi.disclosure.models import PublicRecord
from fazhi.disclosure.tests.conftest import RESIDENT_ID
from fazhi.disclosure.tests.test_proactive_services import (  # noqa: F401
    ALL_NO,
    bureau,
    docx_upload,
    draft,
    published,
)

BASE = "/api/disclosure/records"
PUBLIC = "/api/public/disclosure/catalogue"


def as_user(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def post(client, path, body=None):
    return client.post(f"{BASE}{path}", body or {}, content_type="application/json")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def creation(bureau, **changes) -> dict:  # noqa: F811
    values = {
        "department": str(bureau["section"].pk),
        "title": "2026年第三季度最低生活保障资金发放情况",
        "formed_on": "2026-09-25",
        "category": "art20_11",
        "topic": "社会保障",
        "body": "本季度共发放低保资金 125.6 万元。",
    }
    values.update(changes)
    return values


def test_the_whole_way_through_the_api(bureau):  # noqa: F811
    clerk, head, officer = (as_user(bureau[k]) for k in ("clerk", "head", "officer"))
    created = ok(post(clerk, "/", creation(bureau)), 201)
    assert created["state"] == "draft" and created["due_on"] == "2026-10-29"
    record = f"/{created['id']}"

    changed = ok(
        clerk.patch(f"{BASE}{record}", {"title": "三季度低保资金"}, content_type="application/json")
    )
    assert changed["title"] == "三季度低保资金"

    upload = docx_upload(f"张三 {RESIDENT_ID}")
    attached = ok(clerk.post(f"{BASE}{record}/attachments", {"file": upload}), 201)
    assert attached["name"] == "名单.docx"

    submitted = ok(post(clerk, f"{record}/submit", {"expected_state": "draft"}))
    assert submitted["state"] == "review" and submitted["open_findings"] == 1
    [finding] = submitted["findings"]
    assert finding["masked"] == "110***********002X" and RESIDENT_ID not in str(submitted)
    assert [i["key"] for i in submitted["checklist_items"]] == list(ALL_NO)

    refused(
        post(head, f"{record}/review", {"checklist": ALL_NO, "conclusion": "release"}),
        409,
        "finding_open",
    )
    refused(
        post(head, f"{record}/findings/{finding['id']}/clear", {"reason": ""}),
        422,
        "reason_required",
    )
    refused(
        post(clerk, f"{record}/findings/{finding['id']}/clear", {"reason": "同意"}),
        403,
        "not_allowed",
    )
    refused(post(head, f"{record}/findings/999999/clear", {"reason": "同意"}), 404, "not_found")
    redacted = ok(post(head, f"{record}/findings/{finding['id']}/redact"))
    assert redacted["findings"][0]["resolution"] == "redacted"
    assert redacted["attachments"][0]["id"] != attached["id"]

    reviewed = ok(post(head, f"{record}/review", {"checklist": ALL_NO, "conclusion": "release"}))
    assert reviewed["state"] == "approval"
    assert reviewed["reviews"][0]["conclusion_label"] == "可以公开"

    refused(post(head, f"{record}/publish"), 403, "not_allowed")
    done = ok(post(officer, f"{record}/publish", {"expected_state": "approval"}))
    assert done["state"] == "published" and done["index_number"].startswith("示民公开-")
    refused(
        post(officer, f"{record}/publish", {"expected_state": "approval"}), 409, "state_changed"
    )

    public = ok(Client().get(f"{PUBLIC}/{created['id']}"))
    assert public["title"] == "三季度低保资金" and public["validity_label"] == "不涉及"
    [file] = public["attachments"]
    download = Client().get(file["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"

    withdrawn = ok(post(officer, f"{record}/withdraw", {"reason": "数据有误"}))
    assert withdrawn["state"] == "withdrawn"
    entry = ok(Client().get(f"{PUBLIC}/{created['id']}"))
    assert entry["state_label"] == "已撤回" and entry["withdrawal_reason"] == "数据有误"
    assert entry["body"] == "" and entry["attachments"] == []
    assert Client().get(file["download_url"]).status_code == 404


def test_refusals(bureau):  # noqa: F811
    clerk, leader = as_user(bureau["clerk"]), as_user(bureau["leader"])
    refused(post(clerk, "/", creation(bureau, category="art20_99")), 422, "category_invalid")
    refused(post(clerk, "/", creation(bureau, formed_on="2026-13-01")), 422, "invalid_input")
    refused(post(leader, "/", creation(bureau)), 403, "not_allowed")
    assert not PublicRecord.objects.exists()
    record = draft(bureau)
    outsider = as_user(bureau["other_officer"])
    refused(outsider.get(f"{BASE}/{record.pk}"), 404, "not_found")
    refused(post(outsider, f"/{record.pk}/submit"), 404, "not_found")
    refused(as_user(bureau["officer"]).get(f"{BASE}/abc"), 404, "not_found")
    refused(post(clerk, f"/{record.pk}/publish"), 403, "not_allowed")
    refused(post(clerk, f"/{record.pk}/submit", {"expected_state": "review"}), 409, "state_changed")
    ok(post(clerk, f"/{record.pk}/submit"))
    refused(
        clerk.patch(f"{BASE}/{record.pk}", {"title": "x"}, content_type="application/json"),
        409,
        "state_changed",
    )
    refused(
        post(
            as_user(bureau["head"]),
            f"/{record.pk}/review",
            {"checklist": {}, "conclusion": "release"},
        ),
        422,
        "checklist_incomplete",
    )
    refused(Client().get(f"{BASE}/"), 401, "unauthenticated")


def test_list_and_public_catalogue(bureau):  # noqa: F811
    draft(bureau, title="草稿")
    shown = published(bureau, title="已公开")
    page = ok(as_user(bureau["clerk"]).get(f"{BASE}/?state=draft"))
    assert [r["title"] for r in page["items"]] == ["草稿"]
    refused(as_user(bureau["clerk"]).get(f"{BASE}/?state=nonsense"), 422, "bad_filter")
    catalogue = ok(Client().get(f"{PUBLIC}/?q=已公开&agency={bureau['agency'].pk}"))
    assert [e["id"] for e in catalogue["items"]] == [str(shown.pk)]
    assert catalogue["items"][0]["category_label"].startswith("（十一）")
    refused(Client().get(f"{PUBLIC}/?year=20x6"), 422, "bad_filter")
    hidden = PublicRecord.objects.get(title="草稿")
    refused(Client().get(f"{PUBLIC}/{hidden.pk}"), 404, "not_found")
