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


# --- Families, public stages, adoption reports --------------------------------------------------


def family_of(page: str) -> dict[str, list[str]]:
    """{group key: [titles]} of a document page's family section."""
    import re

    groups = {}
    for key, block in re.findall(r'data-family="([a-z_]+)">(.*?)</ul>', page, re.S):
        groups[key] = re.findall(r'<a href="/rules/\d+/">([^<]+)</a>', block)
    return groups


def test_a_document_shows_its_whole_published_family_with_badges(office):
    from fazhi.rules.services.links import link_add
    from fazhi.rules.tests.test_portal_filters import publish

    old = publish(office, "低保审核确认办法（2019年）")
    basis = publish(office, "低保对象认定暂行办法", kind="interim")
    newer = publish(office, "低保审核确认办法（2026年）", revises=[old], based_on=[basis])
    # Given a draft that will repeal the old one: not public, so not in its family.
    draft = services.document_create(
        actor=office["clerk"],
        agency=office["agency"],
        department=office["section"],
        title="废止低保审核确认办法的决定（草案）",
        text="第一条",
    )
    link_add(actor=office["clerk"], source=draft, target=old, kind="repeals")

    old_page = Client().get(f"/rules/{old.pk}/").content.decode()
    assert family_of(old_page) == {"revised_by": ["低保审核确认办法（2026年）"]}
    assert 'id="public-badge" data-status="revised">已修订' in old_page
    assert "草案" not in old_page
    assert newer.doc_number.text in old_page

    newer_page = Client().get(f"/rules/{newer.pk}/").content.decode()
    assert family_of(newer_page) == {
        "revises": ["低保审核确认办法（2019年）"],
        "based_on": ["低保对象认定暂行办法"],
    }
    assert 'data-status="revised">已修订' in newer_page
    assert 'data-status="in_force">有效' in newer_page
    basis_page = Client().get(f"/rules/{basis.pk}/").content.decode()
    assert family_of(basis_page) == {"basis_for": ["低保审核确认办法（2026年）"]}


def stages_of(page: str) -> dict[str, str]:
    import re

    return {
        key: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
        for key, body in re.findall(r'data-stage="([a-z_]+)">(.*?)</li>', page, re.S)
    }


def test_the_public_stages_carry_their_dates_and_the_adoption_report(office):
    from fazhi.rules.models import NormativeDocument
    from fazhi.rules.tests.test_lifecycle import decided, issue

    today = timezone.localdate()
    document = issue(office, decided(office))
    consultation = Consultation.objects.get(document=document)
    services.filing_record(actor=office["officer"], document=document, outcome="accepted")
    stages = stages_of(Client().get(f"/rules/{document.pk}/").content.decode())

    def day(value):
        return f"{value.year}年{value.month}月{value.day}日"

    assert list(stages) == [
        "consultation",
        "review",
        "decision",
        "published",
        "effective",
        "valid_until",
        "filing",
    ]
    assert stages["consultation"].startswith(
        f"公开征求意见 {day(consultation.opens_on)} — {day(consultation.closes_on)}"
    )
    assert stages["consultation"].endswith("意见采纳情况说明")
    assert stages["review"] == f"合法性审核通过 {day(today)}"
    assert stages["decision"] == f"集体讨论决定 {day(today)} 局长办公会"
    assert stages["published"] == f"公布 {day(document.published_on)} {document.doc_number.text}"
    assert stages["effective"] == f"施行 {day(document.effective_on)}"
    assert stages["valid_until"] == f"有效期至 {day(document.valid_until)}"
    assert stages["filing"] == f"报送备案 {day(today)} 准予备案"

    # Given the document was repealed after its evaluation (that service sets these fields).
    NormativeDocument.objects.filter(pk=document.pk).update(
        ended_on=today, ended_as="repealed", ended_basis="到期评估结论（示民规评〔2026〕1号）"
    )
    page = Client().get(f"/rules/{document.pk}/").content.decode()
    assert stages_of(page)["ended"] == f"废止 {day(today)} 到期评估结论（示民规评〔2026〕1号）"
    assert 'id="public-badge" data-status="repealed">已废止' in page


def test_a_filing_the_government_asks_to_correct_is_not_shown(office):
    from fazhi.rules.tests.test_lifecycle import decided, issue

    document = issue(office, decided(office))
    services.filing_record(
        actor=office["officer"], document=document, outcome="correction", note="第三条超越权限。"
    )
    page = Client().get(f"/rules/{document.pk}/").content.decode()
    assert "filing" not in stages_of(page) and "超越权限" not in page


def test_adoption_reports_are_listed_without_personal_data(office):
    from fazhi.rules.tests.test_lifecycle import consulted

    document = consulted(office)
    page = Client().get("/rules/consultations/").content.decode()
    assert document.title in page
    assert "收到意见 1 条，采纳 1 条，部分采纳 0 条，不予采纳 0 条" in page
    assert "张三" not in page and "13812345678" not in page and "138****5678" not in page


def test_the_consultations_page_query_count_does_not_grow(office):
    from fazhi.rules.tests.test_lifecycle import consulted
    from fazhi.testing.queries import assert_constant_queries

    def grow(n):
        for _ in range(n):
            consulted(office)
            open_draft(office)

    client = Client()
    assert_constant_queries(lambda: client.get("/rules/consultations/"), grow, extra_rows=2)
