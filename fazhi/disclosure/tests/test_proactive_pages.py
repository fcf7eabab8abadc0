"""The proactive-disclosure pages: the staff worklist and record page, the portal catalogue.

Who may open what (403/404), refusals shown with their status and nothing saved, constant query
counts, and the portal showing only what was published (withdrawn with its reason).
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document

from fazhi.core.roles import Role
from fazhi.disclosure import services
from fazhi.disclosure.models import ConfidentialityReview, PublicRecord, ScanFinding
from fazhi.disclosure.tests.conftest import RESIDENT_ID
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def bureau(db):
    """A bureau: a section's clerk and head draft and review, the legal office releases."""
    agency = AgencyFactory(short_name="示民")
    section = DepartmentFactory(agency=agency, name="社会救助科")
    return {
        "agency": agency,
        "section": section,
        "clerk": user_with_role(Role.CLERK, agency=agency, department=section),
        "head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=section),
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=agency),
        "supervisor": user_with_role(Role.SUPERVISOR, agency=agency),
    }


def docx_upload(text: str, name: str = "名单.docx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=DOCX_TYPE)


def drafted(bureau, *, title="2026年第一季度临时救助发放情况", body="本季度共发放临时救助。"):
    return services.record_create(
        actor=bureau["clerk"],
        agency=bureau["agency"],
        department=bureau["section"],
        title=title,
        formed_on=date(2026, 4, 1),
        category="art20_11",
        topic="社会救助",
        five_disclosures="result",
        body=body,
    )


def answers(agency, value=False) -> dict[str, bool]:
    return {item["key"]: value for item in services.review_checklist(agency)}


def published(bureau, **kwargs) -> PublicRecord:
    """Given a record that went through review and release."""
    record = drafted(bureau, **kwargs)
    record = services.record_submit(actor=bureau["clerk"], record=record)
    record = services.record_review(
        actor=bureau["head"],
        record=record,
        checklist=answers(bureau["agency"]),
        conclusion="release",
    )
    return services.record_publish(actor=bureau["officer"], record=record)


def form_data(bureau, **changes) -> dict:
    data = {
        "unit": f"{bureau['agency'].pk}:{bureau['section'].pk}",
        "title": "关于调整最低生活保障标准的通知",
        "document_number": "示民发〔2026〕3号",
        "formed_on": "2026-04-01",
        "category": "art20_11",
        "five_disclosures": "decision",
        "topic": "社会救助",
        "publish_form": "website",
        "validity": "in_force",
        "body": "自2026年5月1日起调整。",
    }
    data.update(changes)
    return data


# --- Staff: who may open what ----------------------------------------------------------------


def test_roles_without_the_catalogue_get_403_and_other_agencies_404(bureau, client):
    record = drafted(bureau)
    assert client.get("/staff/disclosure/catalogue/").status_code == 302  # to the login page
    supervisor = verified_client(bureau["supervisor"])
    assert supervisor.get("/staff/disclosure/catalogue/").status_code == 403
    assert supervisor.get(f"/staff/disclosure/catalogue/{record.pk}/").status_code == 403
    outsider = verified_client(user_with_role(Role.LEGAL_OFFICER))
    assert outsider.get(f"/staff/disclosure/catalogue/{record.pk}/").status_code == 404
    assert (
        outsider.post(f"/staff/disclosure/catalogue/{record.pk}/steps/submit/").status_code == 404
    )
    clerk = verified_client(bureau["clerk"])
    assert clerk.post(f"/staff/disclosure/catalogue/{record.pk}/steps/explode/").status_code == 404
    assert PublicRecord.objects.get(pk=record.pk).state == "draft"


def test_the_worklist_filters_and_marks_overdue(bureau):
    late = drafted(bureau, title="早已形成的信息")
    PublicRecord.objects.filter(pk=late.pk).update(due_on=date(2020, 1, 2))
    drafted(bureau, title="另一条信息")
    page = verified_client(bureau["clerk"]).get("/staff/disclosure/catalogue/?q=早已")
    html = page.content.decode()
    assert page.status_code == 200
    assert "早已形成的信息" in html and "另一条信息" not in html
    assert "table-danger" in html and "已逾期" in html
    assert 'id="record-create"' in html
    # A leader reads the list but enters nothing: no button to create.
    leader = verified_client(user_with_role(Role.LEADER, agency=bureau["agency"]))
    listing = leader.get("/staff/disclosure/catalogue/?state=draft&category=art20_11")
    assert listing.status_code == 200 and 'id="record-create"' not in listing.content.decode()


@pytest.mark.parametrize("query", ["", "?state=draft", "?q=临时救助"])
def test_worklist_query_count_is_constant(bureau, query):
    client = verified_client(bureau["clerk"])
    url = f"/staff/disclosure/catalogue/{query}"
    assert_constant_queries(lambda: client.get(url), lambda n: [drafted(bureau) for _ in range(n)])


# --- Staff: forms and refusals ---------------------------------------------------------------


def test_create_refuses_bad_input_with_422_and_saves_nothing(bureau):
    client = verified_client(bureau["clerk"])
    assert client.get("/staff/disclosure/catalogue/new/").status_code == 200
    bad = client.post("/staff/disclosure/catalogue/new/", form_data(bureau, title="", category="x"))
    assert bad.status_code == 422 and not PublicRecord.objects.exists()
    # A department the clerk does not work in is not offered and not accepted.
    other = DepartmentFactory(agency=bureau["agency"], name="社会事务科")
    foreign = client.post(
        "/staff/disclosure/catalogue/new/",
        form_data(bureau, unit=f"{bureau['agency'].pk}:{other.pk}"),
    )
    assert foreign.status_code == 422 and not PublicRecord.objects.exists()
    response = client.post("/staff/disclosure/catalogue/new/", form_data(bureau))
    record = PublicRecord.objects.get()
    assert response["Location"] == f"/staff/disclosure/catalogue/{record.pk}/"
    assert (record.state, record.department, record.due_on is not None) == (
        "draft",
        bureau["section"],
        True,
    )
    html = client.get(response["Location"]).content.decode()
    assert "示民发〔2026〕3号" in html and "自2026年5月1日起调整。" in html


def test_the_supervisor_may_not_create(bureau):
    client = verified_client(bureau["supervisor"])
    assert client.get("/staff/disclosure/catalogue/new/").status_code == 403


def test_edit_after_submit_is_refused_with_409(bureau):
    record = services.record_submit(actor=bureau["clerk"], record=drafted(bureau))
    client = verified_client(bureau["clerk"])
    response = client.post(
        f"/staff/disclosure/catalogue/{record.pk}/edit/", form_data(bureau, title="改过的标题")
    )
    assert response.status_code == 409
    assert "只有草稿可以修改" in response.content.decode()
    assert PublicRecord.objects.get(pk=record.pk).title == record.title


def test_edit_in_draft_saves_and_bad_input_does_not(bureau):
    record = drafted(bureau)
    client = verified_client(bureau["clerk"])
    url = f"/staff/disclosure/catalogue/{record.pk}/edit/"
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(bureau, formed_on="not a date")).status_code == 422
    assert PublicRecord.objects.get(pk=record.pk).title == record.title
    assert client.post(url, form_data(bureau, title="新标题")).status_code == 302
    assert PublicRecord.objects.get(pk=record.pk).title == "新标题"


def test_an_attachment_of_the_wrong_type_is_refused(bureau):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = drafted(bureau)
    client = verified_client(bureau["clerk"])
    url = f"/staff/disclosure/catalogue/{record.pk}/attachments/"
    fake = SimpleUploadedFile("名单.docx", b"just text", content_type=DOCX_TYPE)
    response = client.post(url, {"file": fake})
    assert response.status_code == 422
    assert "文件" in response.content.decode()
    assert not PublicRecord.objects.get(pk=record.pk).attachments.exists()
    assert client.post(url, {}).status_code == 422
    ok = client.post(url, {"file": docx_upload("无个人信息。")})
    assert ok.status_code == 302
    stored = PublicRecord.objects.get(pk=record.pk).attachments.get()
    remove = client.post(f"/staff/disclosure/catalogue/{record.pk}/attachments/{stored.pk}/remove/")
    assert remove.status_code == 302
    assert not PublicRecord.objects.get(pk=record.pk).attachments.exists()


def test_release_with_an_open_finding_is_refused_then_cleared(bureau):
    record = drafted(bureau)
    services.record_attach(
        actor=bureau["clerk"], record=record, upload=docx_upload(f"联系人身份证号{RESIDENT_ID}。")
    )
    services.record_submit(actor=bureau["clerk"], record=record)
    finding = ScanFinding.objects.get(record=record)
    head = verified_client(bureau["head"])
    page = head.get(f"/staff/disclosure/catalogue/{record.pk}/").content.decode()
    assert RESIDENT_ID not in page and finding.masked in page and "名单.docx" in page

    review = {f"item_{key}": "no" for key in answers(bureau["agency"])}
    url = f"/staff/disclosure/catalogue/{record.pk}/steps/review/"
    refused = head.post(url, {**review, "conclusion": "release"})
    assert refused.status_code in (409, 422)
    assert not ConfidentialityReview.objects.filter(record=record).exists()
    assert PublicRecord.objects.get(pk=record.pk).state == "review"

    # An unanswered checklist item is refused on its own.
    partial = dict(list(review.items())[1:])
    assert head.post(url, {**partial, "conclusion": "return"}).status_code == 422
    assert not ConfidentialityReview.objects.filter(record=record).exists()

    finding_url = f"/staff/disclosure/catalogue/{record.pk}/findings/{finding.pk}/clear/"
    assert head.post(finding_url, {"reason": ""}).status_code == 422
    assert ScanFinding.objects.get(pk=finding.pk).resolution == "open"
    # The clerk may not clear a finding (the reviewer's call).
    clerk = verified_client(bureau["clerk"])
    assert clerk.post(finding_url, {"reason": "公开的"}).status_code == 403
    assert head.post(finding_url, {"reason": "系本人同意公开的联系人"}).status_code == 302
    assert ScanFinding.objects.get(pk=finding.pk).resolution == "cleared"
    assert head.post(url, {**review, "conclusion": "release"}).status_code == 302
    assert PublicRecord.objects.get(pk=record.pk).state == "approval"

    # Only the legal office publishes.
    publish = f"/staff/disclosure/catalogue/{record.pk}/steps/publish/"
    assert clerk.post(publish, {"published_on": "2026-04-03"}).status_code == 403
    assert PublicRecord.objects.get(pk=record.pk).state == "approval"
    officer = verified_client(bureau["officer"])
    assert officer.post(publish, {"published_on": "2026-04-03"}).status_code == 302
    record = PublicRecord.objects.get(pk=record.pk)
    assert record.state == "published" and record.index_number


def test_withdraw_needs_a_reason(bureau):
    record = published(bureau)
    officer = verified_client(bureau["officer"])
    url = f"/staff/disclosure/catalogue/{record.pk}/steps/withdraw/"
    assert officer.post(url, {"reason": "  "}).status_code == 422
    assert PublicRecord.objects.get(pk=record.pk).state == "published"
    assert officer.post(url, {"reason": "数据有误，更正后重新发布。"}).status_code == 302
    assert PublicRecord.objects.get(pk=record.pk).state == "withdrawn"


def test_supersede_offers_published_records_of_the_agency(bureau):
    old = published(bureau, title="旧标准")
    new = published(bureau, title="新标准")
    officer = verified_client(bureau["officer"])
    page = officer.get(f"/staff/disclosure/catalogue/{old.pk}/").content.decode()
    assert "新标准" in page
    url = f"/staff/disclosure/catalogue/{old.pk}/steps/supersede/"
    assert officer.post(url, {"successor": "999999"}).status_code == 422
    assert officer.post(url, {"successor": str(new.pk)}).status_code == 302
    old = PublicRecord.objects.get(pk=old.pk)
    assert (old.state, old.superseded_by_id) == ("superseded", new.pk)


# --- Portal ----------------------------------------------------------------------------------


def test_the_portal_lists_only_published_records(bureau, client):
    public = published(bureau, title="临时救助标准公开")
    draft = drafted(bureau, title="尚在起草的信息")
    listing = client.get("/disclosure/catalogue/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "临时救助标准公开" in html and public.index_number in html
    assert "尚在起草的信息" not in html
    assert client.get(f"/disclosure/catalogue/{public.pk}/").status_code == 200
    assert client.get(f"/disclosure/catalogue/{draft.pk}/").status_code == 404
    found = client.get("/disclosure/catalogue/?q=救助标准").content.decode()
    assert "临时救助标准公开" in found
    # A filter that cannot be read is dropped, and the page says so.
    odd = client.get("/disclosure/catalogue/?category=nope&year=abc")
    assert odd.status_code == 200 and "catalogue-invalid" in odd.content.decode()


def test_a_withdrawn_record_shows_its_reason_and_no_files(bureau, client):
    record = drafted(bureau, title="将被撤回的信息")
    stored = services.record_attach(
        actor=bureau["clerk"], record=record, upload=docx_upload("附件内容。", "附件.docx")
    )
    services.record_submit(actor=bureau["clerk"], record=record)
    services.record_review(
        actor=bureau["head"],
        record=record,
        checklist=answers(bureau["agency"]),
        conclusion="release",
    )
    services.record_publish(actor=bureau["officer"], record=record)
    url = f"/disclosure/catalogue/{record.pk}/files/{stored.pk}/"
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == DOCX_TYPE
    assert b"".join(download.streaming_content)[:2] == b"PK"
    services.record_withdraw(actor=bureau["officer"], record=record, reason="内容已过时。")
    page = client.get(f"/disclosure/catalogue/{record.pk}/").content.decode()
    assert "已撤回" in page and "内容已过时。" in page and "附件.docx" not in page
    assert "将被撤回的信息" in client.get("/disclosure/catalogue/").content.decode()
    assert client.get(url).status_code == 404


def test_an_unpublished_attachment_is_not_found(bureau, client):
    record = drafted(bureau)
    stored = services.record_attach(
        actor=bureau["clerk"], record=record, upload=docx_upload("草稿附件。")
    )
    assert client.get(f"/disclosure/catalogue/{record.pk}/files/{stored.pk}/").status_code == 404
    other = published(bureau, title="别的信息")
    # A published record does not serve another record's file.
    assert client.get(f"/disclosure/catalogue/{other.pk}/files/{stored.pk}/").status_code == 404


def test_the_portal_catalogue_query_count_is_constant(bureau, client):
    assert_constant_queries(
        lambda: client.get("/disclosure/catalogue/"),
        lambda n: [published(bureau, title=f"公开信息{i}") for i in range(n)],
        extra_rows=4,
    )


# --- Timeliness (OGI Art. 26) ----------------------------------------------------------------


def test_the_timeliness_page_counts_on_time_late_and_overdue(bureau):
    # Given two records published in 2026: one within its limit, one after it
    on_time = published(bureau, title="按时公开的信息")
    late = published(bureau, title="超期公开的信息")
    PublicRecord.objects.filter(pk=late.pk).update(due_on=date(2026, 4, 2))
    PublicRecord.objects.filter(pk=on_time.pk).update(due_on=late.published_on)
    # and a draft already past its limit
    pending = drafted(bureau, title="尚未公开的信息")
    PublicRecord.objects.filter(pk=pending.pk).update(due_on=date(2020, 1, 2))
    year = late.published_on.year
    # When the legal office opens the statistics of that year
    officer = verified_client(bureau["officer"])
    page = officer.get(f"/staff/disclosure/catalogue/timeliness/?year={year}")
    html = page.content.decode()
    # Then the category of both shows 2 published, 1 on time, 1 late, and the draft is flagged
    assert page.status_code == 200
    assert 'data-figure="published">2<' in html and 'data-figure="late">1<' in html
    assert 'data-figure="rate">50.0%<' in html
    assert 'id="timeliness-overdue"' in html
    row = html.split('data-category="art20_11"')[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["2", "1", "1"]
    # A year without records reads as none, and nobody outside the catalogue roles gets in
    empty = officer.get("/staff/disclosure/catalogue/timeliness/?year=2019").content.decode()
    assert 'data-figure="published">0<' in empty and 'data-figure="rate">—<' in empty
    assert (
        verified_client(bureau["supervisor"])
        .get("/staff/disclosure/catalogue/timeliness/")
        .status_code
        == 403
    )
    outsider_agency = AgencyFactory()
    assert (
        officer.get(
            f"/staff/disclosure/catalogue/timeliness/?agency={outsider_agency.pk}"
        ).status_code
        == 404
    )
