"""The portal: the library with full-text search, document pages, consultations and comments."""

import uuid
from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone

from fazhi.rules import services
from fazhi.rules.models import Consultation, PublicComment
from fazhi.rules.tests.test_lifecycle import decided, draft, issue


def open_draft(office):
    document = draft(office)
    today = timezone.localdate()
    services.consultation_open(
        actor=office["clerk"],
        document=document,
        opens_on=today,
        closes_on=today + timedelta(days=20),
    )
    return Consultation.objects.get(document=document)


def comment(token=None, **overrides):
    data = {
        "text": "建议明确复核时限。",
        "name": "张三",
        "phone": "13812345678",
        "token": token or uuid.uuid4().hex,
        "article": "3",
    }
    data.update(overrides)
    return data


def test_a_two_character_word_finds_the_published_document(office):
    document = issue(office, decided(office))
    page = Client().get("/rules/", {"q": "低保"}).content.decode()
    assert f"/rules/{document.pk}/" in page and "<mark>" in page
    public = Client().get(f"/rules/{document.pk}/").content.decode()
    assert document.doc_number.text in public and "有效" in public


def test_drafts_are_not_public(office):
    document = draft(office)
    assert Client().get(f"/rules/{document.pk}/").status_code == 404
    assert f"/rules/{document.pk}/" not in Client().get("/rules/", {"q": "低保"}).content.decode()


def test_a_citizen_comments_once_even_when_submitting_twice(office):
    consultation = open_draft(office)
    url = f"/rules/consultations/{consultation.pk}/"
    client = Client()
    assert "提出意见" in client.get(url).content.decode()
    data = comment()
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    stored = PublicComment.objects.get()
    assert stored.article == 3 and str(stored.submitter_phone) == "138****5678"
    assert "13812345678" not in client.get(url).content.decode()
    assert "张三" not in client.get(url).content.decode()


def test_bad_comments_are_refused_and_nothing_is_saved(office):
    consultation = open_draft(office)
    url = f"/rules/consultations/{consultation.pk}/"
    for data in (comment(phone="12345"), comment(text=""), comment(token="not-a-token")):
        assert Client().post(url, data).status_code in (400, 422)
    assert not PublicComment.objects.exists()


def test_script_in_a_comment_is_shown_as_text(office):
    consultation = open_draft(office)
    services.comment_submit(
        consultation=consultation,
        text="<script>alert(1)</script>",
        name="李四",
        phone="13912345678",
        idempotency_key=uuid.uuid4().hex,
    )
    from fazhi.testing.clients import verified_client

    page = verified_client(office["clerk"]).get(f"/staff/rules/{consultation.document_id}/")
    body = page.content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_closed_consultation_takes_no_comment(office):
    consultation = open_draft(office)
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_on=timezone.localdate() - timedelta(days=30),
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    response = Client().post(f"/rules/consultations/{consultation.pk}/", comment())
    assert response.status_code == 409 and not PublicComment.objects.exists()


@override_settings(FAZHI_RATE_LIMITS={"login": 30, "public_form": 2})
def test_public_form_is_rate_limited(office):
    consultation = open_draft(office)
    url = f"/rules/consultations/{consultation.pk}/"
    statuses = [Client().post(url, comment()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_a_token_from_another_consultation_is_refused(office):
    first, second = open_draft(office), open_draft(office)
    data = comment()
    assert Client().post(f"/rules/consultations/{first.pk}/", data).status_code == 302
    response = Client().post(f"/rules/consultations/{second.pk}/", data)
    assert response.status_code == 422
    assert PublicComment.objects.filter(consultation=second).count() == 0
