"""Drafting and review extras: a Word draft as a version, comparing versions, 会签 before
consultation and the legal adviser's opinion — each rule, each refusal (nothing half-saved),
crafted POSTs by the wrong role, and who may open the document page."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core.calendar import add_workdays
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files import storage
from fazhi.core.files.models import StoredFile
from fazhi.core.models import Countersign, CountersignOpinion, Event
from fazhi.core.notify.models import Notification
from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.diff import Row, compare, inline
from fazhi.rules.docx_import import normalise
from fazhi.rules.drafting import DRAFT_MAX_BYTES
from fazhi.rules.models import DocumentVersion, LegalityReview, NormativeDocument
from fazhi.rules.tests.drafting_kit import (
    PDF,
    docx_bytes,
    fresh,
    in_review,
    make_bureau,
    plain_zip,
    upload,
    with_macros,
)
from fazhi.rules.tests.test_lifecycle import CHECKS, draft
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, user_with_role
from fazhi.testing.queries import assert_constant_queries
from fazhi.workspace.tasks import tasks_for

State = NormativeDocument.State
TODAY = timezone.localdate


@pytest.fixture
def bureau(office):
    return make_bureau(office)


def verbs(document) -> list[str]:
    return list(
        Event.objects.filter(target_id=str(document.pk), target_type="normative.normativedocument")
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def open_consultation(office, document):
    return services.consultation_open(
        actor=office["clerk"],
        document=document,
        opens_on=TODAY(),
        closes_on=TODAY() + timedelta(days=20),
    )


# --- A Word draft as a new version -------------------------------------------------------


def test_upload_extracts_paragraphs_and_tables_in_order(office):
    document = draft(office)
    data = docx_bytes(
        "关于进一步规范临时救助的实施办法",
        "　　第一条  为了规范临时救助，\t制定本办法。",
        "",
        [["救助对象", "标准"], ["低保家庭", "每月  1000 元"]],
        "第二条 本办法自公布之日起施行。",
    )

    version = services.document_upload_version(
        actor=office["clerk"], document=document, upload=upload(data), note="按科务会意见修改"
    )

    assert version.number == 2
    assert version.text == (
        "关于进一步规范临时救助的实施办法\n"
        "第一条 为了规范临时救助， 制定本办法。\n"
        "救助对象 | 标准\n"
        "低保家庭 | 每月 1000 元\n"
        "第二条 本办法自公布之日起施行。"
    )
    assert version.note == "按科务会意见修改"
    stored = version.source_file
    assert (stored.purpose, stored.extension, stored.original_name) == (
        "normative_draft",
        "docx",
        "草案.docx",
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert verbs(document)[-1] == "normative.document.upload"


def test_whitespace_of_every_kind_is_one_space():
    assert normalise("\u3000\u3000第一条\u00a0\u00a0为了\t\t规范\u200b ") == "第一条 为了 规范"


def upload_refused(office, data: bytes, name: str = "草案.docx") -> InvalidInput:
    document = draft(office)
    with pytest.raises(InvalidInput) as exc:
        services.document_upload_version(
            actor=office["clerk"], document=document, upload=upload(data, name)
        )
    # Nothing half-saved: no version, no file row, no stored content, no event.
    assert list(document.versions.values_list("number", flat=True)) == [1]
    assert StoredFile.objects.count() == 0
    assert not storage.get_storage().exists(storage.content_name(hashlib.sha256(data).hexdigest()))
    assert "normative.document.upload" not in verbs(document)
    return exc.value


# Storage is content-addressed and shared by the tests of one worker: bytes no other test stores,
# so "no stored content" proves this refusal stored nothing.
REFUSED_PDF = PDF.replace(b"%%EOF", b"% refused upload\n%%EOF")


@pytest.mark.parametrize(
    ("data", "name", "code", "words"),
    [
        (plain_zip(), "草案.docx", "file_type_unknown", "无法识别文件类型"),
        (b"MZ\x90\x00" + b"\x00" * 200, "草案.docx", "file_type_unknown", "无法识别文件类型"),
        (with_macros(docx_bytes("第一条")), "草案.docx", "file_has_macros", "含有宏"),
        (REFUSED_PDF, "草案.docx", "file_type_mismatch", "扩展名却是 .docx"),
        (
            REFUSED_PDF,
            "草案.pdf",
            "file_type_not_allowed",
            "草案只接受 Word 文档（.docx），此文件是 PDF",
        ),
        (docx_bytes("", "  ", [["", ""]]), "空白.docx", "docx_no_text", "没有可提取的文字"),
        (b"", "草案.docx", "file_empty", "文件是空的"),
    ],
    ids=["zip", "exe", "docm", "pdf-as-docx", "pdf", "no-text", "empty"],
)
def test_disguised_and_empty_uploads_are_refused_and_nothing_is_saved(
    office, data, name, code, words
):
    error = upload_refused(office, data, name)
    assert error.code == code
    assert words in str(error.message)


def test_an_oversized_upload_is_refused_before_it_is_read(office):
    error = upload_refused(office, b"PK\x03\x04" + b"\x00" * DRAFT_MAX_BYTES)
    assert error.code == "file_too_large"
    assert str(error.message) == (
        "文件超过“规范性文件草案（Word）”允许的大小上限 10 MB，请压缩或拆分后重新上传。"
    )


def test_upload_only_by_drafters_and_only_while_drafting(bureau):
    document = draft(bureau)
    with pytest.raises(NotAllowed):
        services.document_upload_version(
            actor=bureau["other_clerk"], document=document, upload=upload(docx_bytes("第一条"))
        )
    open_consultation(bureau, document)
    with pytest.raises(Conflict) as exc:
        services.document_upload_version(
            actor=bureau["clerk"], document=document, upload=upload(docx_bytes("第一条"))
        )
    assert exc.value.code == "state_changed"
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert StoredFile.objects.count() == 0


def test_the_page_uploads_and_offers_the_original_for_download(bureau):
    document = draft(bureau)
    client = verified_client(bureau["clerk"])
    data = docx_bytes("第一条 上传的稿子。")

    response = client.post(
        f"/staff/rules/{document.pk}/versions/upload/",
        {"upload-file": upload(data, "临时救助办法.docx"), "upload-note": "上传稿"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/rules/{document.pk}/#versions"
    version = document.versions.get(number=2)
    page = client.get(f"/staff/rules/{document.pk}/").content.decode()
    assert f'href="/files/{version.source_file.pk}/"' in page
    assert "临时救助办法.docx" in page and "上传稿" in page
    download = client.get(f"/files/{version.source_file.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    # The original is for those who may open the document, not for anyone in the agency.
    supervisor = user_with_role(Role.SUPERVISOR, agency=bureau["agency"])
    assert verified_client(supervisor).get(f"/files/{version.source_file.pk}/").status_code == 404
    outsider = user_with_role(Role.LEGAL_OFFICER)
    assert verified_client(outsider).get(f"/files/{version.source_file.pk}/").status_code == 404


def test_the_page_refuses_a_disguised_upload_with_its_message_and_a_422(office):
    document = draft(office)
    response = verified_client(office["clerk"]).post(
        f"/staff/rules/{document.pk}/versions/upload/",
        {"upload-file": upload(with_macros(docx_bytes("第一条")))},
    )
    assert response.status_code == 422
    assert "文档含有宏，不予接受。" in response.content.decode()
    assert document.versions.count() == 1 and StoredFile.objects.count() == 0


def test_a_crafted_upload_by_another_department_is_refused_with_403(bureau):
    document = draft(bureau)
    response = verified_client(bureau["other_clerk"]).post(
        f"/staff/rules/{document.pk}/versions/upload/",
        {"upload-file": upload(docx_bytes("第一条"))},
    )
    assert response.status_code == 403
    assert document.versions.count() == 1 and StoredFile.objects.count() == 0


# --- Comparing versions ------------------------------------------------------------------


def test_a_changed_line_marks_what_was_deleted_and_inserted():
    left, right = inline("第三条 审核时限为十五日", "第三条 审核时限为十个工作日")
    assert left == (("same", "第三条 审核时限为十"), ("del", "五"), ("same", "日"))
    assert right == (("same", "第三条 审核时限为十"), ("ins", "个工作"), ("same", "日"))
    rows = compare("第一条\n第三条 审核时限为十五日", "第一条\n第三条 审核时限为十个工作日")
    assert rows == [
        Row("same", "第一条", "第一条"),
        Row("changed", "第三条 审核时限为十五日", "第三条 审核时限为十个工作日"),
    ]
    assert rows[1].right_segments == right


CHARS = st.text(alphabet="第一二三条款低保审核", max_size=20)


@given(CHARS, CHARS)
def test_inline_pieces_read_back_each_side_and_never_touch_their_own_kind(old, new):
    left, right = inline(old, new)
    assert "".join(text for _kind, text in left) == old
    assert "".join(text for _kind, text in right) == new
    assert {kind for kind, _text in left} <= {"same", "del"}
    assert {kind for kind, _text in right} <= {"same", "ins"}
    for pieces in (left, right):
        assert all(a[0] != b[0] for a, b in itertools.pairwise(pieces))
        assert all(text for _kind, text in pieces)


def test_the_compare_page_shows_two_versions_side_by_side_escaped(office):
    document = draft(office)
    services.document_save_version(
        actor=office["clerk"],
        document=document,
        text="第一条 为了规范……\n第二条 <script>alert(1)</script>",
        note="增加第二条",
    )
    client = verified_client(office["clerk"])

    response = client.get(f"/staff/rules/{document.pk}/versions/compare/?a=1&b=2")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert '<ins class="diff-ins">第二条 &lt;script&gt;alert(1)&lt;/script&gt;</ins>' in page
    assert "修改 0 处，新增 1 行，删除 0 行。" in page
    assert "增加第二条" in page


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("a=1&b=9", 404, "版本不存在：第 9 稿。"),
        ("a=7&b=9", 404, "版本不存在：第 7、9 稿。"),
        ("a=x&b=2", 422, "请选择要比较的两个版本（版本号须为正整数）。"),
        ("a=-1&b=2", 422, "请选择要比较的两个版本（版本号须为正整数）。"),
        ("a=%C2%B2&b=1", 422, "请选择要比较的两个版本（版本号须为正整数）。"),
        ("b=2", 422, "请选择要比较的两个版本（版本号须为正整数）。"),
        ("a=99999999999999999999&b=1", 422, "请选择要比较的两个版本（版本号须为正整数）。"),
        ("a=2&b=2", 422, "请选择两个不同的版本进行比较。"),
    ],
)
def test_invalid_version_numbers_get_a_chinese_message_never_a_500(office, query, status, message):
    document = draft(office)
    services.document_save_version(actor=office["clerk"], document=document, text="第一条 改")
    response = verified_client(office["clerk"]).get(
        f"/staff/rules/{document.pk}/versions/compare/?{query}"
    )
    assert response.status_code == status
    assert message in response.content.decode()


def test_comparing_another_agencys_document_answers_404(office):
    document = draft(office)
    outsider = verified_client(user_with_role(Role.LEGAL_OFFICER))
    assert outsider.get(f"/staff/rules/{document.pk}/versions/compare/?a=1&b=1").status_code == 404


def test_the_versions_list_keeps_a_constant_query_count(office):
    document = draft(office)
    client = verified_client(office["clerk"])

    def grow(n):
        for i in range(n):
            services.document_upload_version(
                actor=office["clerk"], document=document, upload=upload(docx_bytes(f"第{i}条"))
            )

    assert_constant_queries(lambda: client.get(f"/staff/rules/{document.pk}/"), grow)


# --- 会签 before consultation --------------------------------------------------------------


def ask(bureau, document, *departments, workdays=5):
    return services.document_countersign_open(
        actor=bureau["clerk"],
        document=document,
        departments=departments or [bureau["other"]],
        workdays=workdays,
    )


def opinion_of(round_, department) -> CountersignOpinion:
    return round_.opinions.get(department=department)


def test_consultation_waits_until_the_asked_departments_agree(bureau):
    document = draft(bureau)
    round_ = ask(bureau, document, workdays=3)

    assert (round_.mode, round_.state, round_.outcome) == ("all", "drafting", "pending")
    assert round_.due_on == add_workdays(TODAY(), 3)
    assert [o.department for o in round_.opinions.all()] == [bureau["other"]]
    assert Notification.objects.filter(recipient=bureau["head"]).get().title == (
        "请签署会签意见：关于进一步规范最低生活保障审核确认的实施办法"
    )
    with pytest.raises(Conflict) as exc:
        open_consultation(bureau, document)
    assert exc.value.code == "countersign_not_agreed"
    assert fresh(document).state == State.DRAFTING

    decided = services.document_countersign_opine(
        actor=bureau["head"],
        document=document,
        opinion_id=opinion_of(round_, bureau["other"]).pk,
        agree=True,
        comment="同意。",
    )

    assert decided.outcome == "agreed"
    assert Notification.objects.filter(recipient=bureau["clerk"]).get().title == (
        "会签结果（同意）：关于进一步规范最低生活保障审核确认的实施办法"
    )
    open_consultation(bureau, document)
    assert fresh(document).state == State.CONSULTATION
    assert verbs(document)[-3:] == [
        "workflow.countersign_open",
        "workflow.countersign_opinion",
        "normative.normativedocument.open_consultation",
    ]


def test_all_must_agree_and_a_disagreement_needs_a_new_round(bureau):
    document = draft(bureau)
    round_ = ask(bureau, document, bureau["other"], bureau["third"])
    services.document_countersign_opine(
        actor=bureau["head"],
        document=document,
        opinion_id=opinion_of(round_, bureau["other"]).pk,
        agree=True,
    )
    assert Countersign.objects.get(pk=round_.pk).outcome == "pending"
    with pytest.raises(InvalidInput) as exc:
        services.document_countersign_opine(
            actor=bureau["third_head"],
            document=document,
            opinion_id=opinion_of(round_, bureau["third"]).pk,
            agree=False,
        )
    assert exc.value.code == "comment_required"

    rejected = services.document_countersign_opine(
        actor=bureau["third_head"],
        document=document,
        opinion_id=opinion_of(round_, bureau["third"]).pk,
        agree=False,
        comment="第五条与养老服务补贴政策冲突。",
    )

    assert rejected.outcome == "rejected"
    with pytest.raises(Conflict):
        open_consultation(bureau, document)
    second = ask(bureau, document, bureau["third"])
    services.document_countersign_opine(
        actor=bureau["third_head"],
        document=document,
        opinion_id=opinion_of(second, bureau["third"]).pk,
        agree=True,
    )
    open_consultation(bureau, document)
    assert fresh(document).state == State.CONSULTATION


def test_countersign_refusals(bureau):
    document = draft(bureau)
    with pytest.raises(NotAllowed):
        services.document_countersign_open(
            actor=bureau["other_clerk"], document=document, departments=[bureau["third"]]
        )
    with pytest.raises(InvalidInput) as exc:
        ask(bureau, document, bureau["section"])
    assert exc.value.code == "countersign_own_department"
    from fazhi.testing.factories import DepartmentFactory

    nobody = DepartmentFactory(agency=bureau["agency"], name="婚姻登记处")
    with pytest.raises(InvalidInput) as exc:
        ask(bureau, document, nobody)
    assert str(exc.value.message) == "婚姻登记处没有科室负责人或联络员，无人能签署会签意见。"
    elsewhere = DepartmentFactory(agency=AgencyFactory())
    with pytest.raises(InvalidInput):
        ask(bureau, document, elsewhere)
    with pytest.raises(InvalidInput):
        ask(bureau, document, workdays=21)
    assert Countersign.objects.count() == 0

    round_ = ask(bureau, document)
    with pytest.raises(Conflict) as exc:
        ask(bureau, document, bureau["third"])
    assert exc.value.code == "countersign_open"
    opinion = opinion_of(round_, bureau["other"])
    for wrong in ("other_clerk", "third_head", "clerk", "officer"):
        with pytest.raises(NotAllowed):
            services.document_countersign_opine(
                actor=bureau[wrong], document=document, opinion_id=opinion.pk, agree=True
            )
    services.document_countersign_opine(
        actor=bureau["head"], document=document, opinion_id=opinion.pk, agree=True
    )
    with pytest.raises(Conflict) as exc:
        services.document_countersign_opine(
            actor=bureau["head"],
            document=document,
            opinion_id=opinion.pk,
            agree=False,
            comment="改",
        )
    assert exc.value.code == "already_opined"
    assert CountersignOpinion.objects.get(pk=opinion.pk).opinion == "agree"


def test_no_countersign_after_drafting(bureau):
    document = draft(bureau)
    round_ = ask(bureau, document)
    services.exemption_approve(actor=bureau["officer"], document=document, ground="依法不公开")
    services.review_submit(actor=bureau["clerk"], document=document)
    with pytest.raises(Conflict) as exc:
        services.document_countersign_opine(
            actor=bureau["head"],
            document=document,
            opinion_id=opinion_of(round_, bureau["other"]).pk,
            agree=True,
        )
    assert exc.value.code == "countersign_closed"
    with pytest.raises(Conflict):
        ask(bureau, document, bureau["third"])


def test_countersign_through_the_pages_and_the_head_s_task(bureau):
    document = draft(bureau)
    clerk = verified_client(bureau["clerk"])
    head = verified_client(bureau["head"])
    assert "会签：" not in head.get("/staff/").content.decode()

    response = clerk.post(
        f"/staff/rules/{document.pk}/countersign/",
        {"countersign-departments": [bureau["other"].pk], "countersign-workdays": "5"},
    )
    assert response.status_code == 302
    round_ = Countersign.objects.get()
    opinion = opinion_of(round_, bureau["other"])

    home = head.get("/staff/").content.decode()
    assert "会签：关于进一步规范最低生活保障审核确认的实施办法" in home
    assert f'href="/staff/rules/{document.pk}/"' in home
    blocked = clerk.post(
        f"/staff/rules/{document.pk}/steps/consultation/",
        {"opens_on": TODAY().isoformat(), "closes_on": (TODAY() + timedelta(days=20)).isoformat()},
    )
    assert blocked.status_code == 409
    assert "相关科室会签尚未全部同意，不能公开征求意见。" in blocked.content.decode()

    # A crafted POST by the drafter on the department's opinion changes nothing.
    crafted = clerk.post(
        f"/staff/rules/{document.pk}/countersign/{opinion.pk}/",
        {f"opinion-{opinion.pk}-agree": "agree"},
    )
    assert crafted.status_code == 403
    assert "只有该科室负责人或联络员可以签署意见。" in crafted.content.decode()
    assert CountersignOpinion.objects.get(pk=opinion.pk).opinion == "pending"

    page = head.get(f"/staff/rules/{document.pk}/").content.decode()
    assert f'action="/staff/rules/{document.pk}/countersign/{opinion.pk}/"' in page
    signed = head.post(
        f"/staff/rules/{document.pk}/countersign/{opinion.pk}/",
        {f"opinion-{opinion.pk}-agree": "agree", f"opinion-{opinion.pk}-comment": "无意见"},
    )
    assert signed.status_code == 302
    assert "会签：" not in head.get("/staff/").content.decode()
    page = clerk.get(f"/staff/rules/{document.pk}/").content.decode()
    assert 'data-department="社会事务科" data-opinion="agree"' in page and "无意见" in page
    assert "发起会签" in page and "签署会签意见" in page  # the timeline says what happened

    opened = clerk.post(
        f"/staff/rules/{document.pk}/steps/consultation/",
        {"opens_on": TODAY().isoformat(), "closes_on": (TODAY() + timedelta(days=20)).isoformat()},
    )
    assert opened.status_code == 302
    assert fresh(document).state == State.CONSULTATION


def test_a_script_in_a_countersign_comment_is_shown_as_text(bureau):
    document = draft(bureau)
    round_ = ask(bureau, document)
    services.document_countersign_opine(
        actor=bureau["head"],
        document=document,
        opinion_id=opinion_of(round_, bureau["other"]).pk,
        agree=False,
        comment='<script>alert("x")</script>',
    )
    page = verified_client(bureau["clerk"]).get(f"/staff/rules/{document.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'id="countersign-blocks"' in page


def test_the_countersign_form_refuses_bad_input_with_422(bureau):
    document = draft(bureau)
    clerk = verified_client(bureau["clerk"])
    response = clerk.post(
        f"/staff/rules/{document.pk}/countersign/",
        {"countersign-departments": [bureau["section"].pk], "countersign-workdays": "5"},
    )
    assert response.status_code == 422  # the drafting department itself is not offered
    response = clerk.post(
        f"/staff/rules/{document.pk}/countersign/",
        {"countersign-departments": [bureau["other"].pk], "countersign-workdays": "99"},
    )
    assert response.status_code == 422
    assert Countersign.objects.count() == 0


def test_countersign_tasks_keep_a_constant_query_count(bureau):
    def grow(n):
        for _ in range(n):
            ask(bureau, draft(bureau))

    assert_constant_queries(lambda: tasks_for(bureau["head"]), grow)
    assert len([t for t in tasks_for(bureau["head"]) if str(t.title).startswith("会签：")]) == 11


# --- The legal adviser's opinion -----------------------------------------------------------


def request_opinion(bureau, document, adviser=None):
    return services.review_adviser_request(
        actor=bureau["officer"],
        document=document,
        adviser=adviser or bureau["adviser"],
        question="第五条设定的审核时限是否与上位法一致？",
    )


def test_the_adviser_is_asked_sees_the_task_and_answers_into_the_review(bureau):
    document = in_review(bureau)

    review = request_opinion(bureau, document)

    assert review.adviser == bureau["adviser"]
    assert review.adviser_due_on == add_workdays(TODAY(), 5)
    assert Notification.objects.get(recipient=bureau["adviser"]).url == (
        f"/staff/rules/{document.pk}/"
    )
    [task] = [t for t in tasks_for(bureau["adviser"]) if "法律顾问" in str(t.title)]
    assert (str(task.title), task.url, task.due_on) == (
        "出具法律顾问意见：关于进一步规范最低生活保障审核确认的实施办法",
        f"/staff/rules/{document.pk}/",
        add_workdays(TODAY(), 5),
    )

    answered = services.review_adviser_answer(
        actor=bureau["adviser"],
        document=document,
        opinion="与《社会救助暂行办法》一致。",
        upload=SimpleUploadedFile("意见书.pdf", PDF, content_type="application/pdf"),
    )

    assert answered.adviser_opinion == "与《社会救助暂行办法》一致。"
    assert answered.adviser_file.purpose == "normative_adviser"
    assert answered.adviser_answered_at is not None
    assert not [t for t in tasks_for(bureau["adviser"]) if "法律顾问" in str(t.title)]
    assert verbs(document)[-2:] == ["normative.adviser.request", "normative.adviser.answer"]
    assert Notification.objects.filter(
        recipient=bureau["officer"], kind="normative_adviser_answer"
    ).exists()
    # The review record keeps the adviser's words when the office records its opinion.
    LegalityReview.objects.filter(pk=review.pk).update(started_on=TODAY() - timedelta(days=14))
    services.review_record(
        actor=bureau["officer"],
        document=document,
        checklist=CHECKS,
        opinion="pass",
        report="符合法定权限和程序。",
    )
    assert (
        LegalityReview.objects.get(pk=review.pk).adviser_opinion == "与《社会救助暂行办法》一致。"
    )


def test_adviser_request_refusals(bureau):
    document = in_review(bureau)
    with pytest.raises(NotAllowed):
        services.review_adviser_request(
            actor=bureau["clerk"], document=document, adviser=bureau["adviser"], question="？"
        )
    with pytest.raises(InvalidInput) as exc:
        request_opinion(bureau, document, adviser=bureau["head"])
    assert exc.value.code == "adviser_invalid"
    outside = user_with_role(Role.LEGAL_ADVISER)
    with pytest.raises(InvalidInput):
        request_opinion(bureau, document, adviser=outside)
    with pytest.raises(InvalidInput):
        services.review_adviser_request(
            actor=bureau["officer"], document=document, adviser=bureau["adviser"], question="  "
        )
    assert LegalityReview.objects.get(document=document).adviser_requested_at is None

    request_opinion(bureau, document)
    with pytest.raises(Conflict) as exc:
        request_opinion(bureau, document, adviser=bureau["adviser2"])
    assert exc.value.code == "adviser_request_open"
    with pytest.raises(Conflict):
        services.review_adviser_request(
            actor=bureau["officer"],
            document=draft(bureau),
            adviser=bureau["adviser"],
            question="？",
        )


def test_adviser_answer_refusals(bureau):
    document = in_review(bureau)
    with pytest.raises(NotAllowed):  # not asked yet
        services.review_adviser_answer(actor=bureau["adviser"], document=document, opinion="意见")
    request_opinion(bureau, document)
    for wrong in ("adviser2", "officer", "clerk"):
        with pytest.raises(NotAllowed):
            services.review_adviser_answer(actor=bureau[wrong], document=document, opinion="意见")
    with pytest.raises(InvalidInput):
        services.review_adviser_answer(actor=bureau["adviser"], document=document, opinion=" ")
    with pytest.raises(InvalidInput) as exc:
        services.review_adviser_answer(
            actor=bureau["adviser"],
            document=document,
            opinion="意见",
            upload=SimpleUploadedFile("意见书.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        )
    assert exc.value.code == "file_type_mismatch"
    review = LegalityReview.objects.get(document=document)
    assert (review.adviser_answered_at, review.adviser_opinion, StoredFile.objects.count()) == (
        None,
        "",
        0,
    )

    services.review_adviser_answer(actor=bureau["adviser"], document=document, opinion="意见")
    with pytest.raises(Conflict) as exc:
        services.review_adviser_answer(actor=bureau["adviser"], document=document, opinion="再答")
    assert exc.value.code == "adviser_already_answered"
    with pytest.raises(Conflict) as exc:
        request_opinion(bureau, document, adviser=bureau["adviser2"])
    assert exc.value.code == "adviser_already_answered"
    assert LegalityReview.objects.get(document=document).adviser_opinion == "意见"


def test_the_adviser_opens_the_document_only_while_asked(bureau):
    document = in_review(bureau)
    adviser = verified_client(bureau["adviser"])
    assert adviser.get(f"/staff/rules/{document.pk}/").status_code == 403
    request_opinion(bureau, document)

    page = adviser.get(f"/staff/rules/{document.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="adviser-answer-form"' in html and "第五条设定的审核时限是否与上位法一致？" in html
    assert 'id="adviser-request-form"' not in html
    assert adviser.get(f"/staff/rules/{document.pk}/versions/compare/?a=1&b=1").status_code == 422
    assert adviser.get(f"/staff/rules/{draft(bureau).pk}/").status_code == 403
    assert (
        verified_client(bureau["adviser2"]).get(f"/staff/rules/{document.pk}/").status_code == 403
    )
    assert adviser.get("/staff/rules/").status_code == 403

    answered = adviser.post(
        f"/staff/rules/{document.pk}/adviser/answer/",
        {
            "answer-opinion": "建议删去第五条第二款。",
            "answer-attachment": SimpleUploadedFile("意见书.pdf", PDF),
        },
    )

    assert answered.status_code == 302 and answered["Location"] == "/staff/"
    assert adviser.get(f"/staff/rules/{document.pk}/").status_code == 403
    again = adviser.post(f"/staff/rules/{document.pk}/adviser/answer/", {"answer-opinion": "再答"})
    assert again.status_code == 403
    office_page = verified_client(bureau["officer"]).get(f"/staff/rules/{document.pk}/")
    html = office_page.content.decode()
    review = LegalityReview.objects.get(document=document)
    assert "建议删去第五条第二款。" in html
    assert f'href="/files/{review.adviser_file.pk}/"' in html
    assert (
        verified_client(bureau["officer"]).get(f"/files/{review.adviser_file.pk}/").status_code
        == 200
    )
    assert adviser.get(f"/files/{review.adviser_file.pk}/").status_code == 200


def test_crafted_adviser_posts_by_the_wrong_role_are_refused(bureau):
    document = in_review(bureau)
    clerk = verified_client(bureau["clerk"])
    response = clerk.post(
        f"/staff/rules/{document.pk}/adviser/request/",
        {"adviser-adviser": bureau["adviser"].pk, "adviser-question": "？"},
    )
    assert response.status_code == 403
    assert LegalityReview.objects.get(document=document).adviser_requested_at is None

    officer = verified_client(bureau["officer"])
    assert (
        officer.post(
            f"/staff/rules/{document.pk}/adviser/request/",
            {"adviser-adviser": bureau["head"].pk, "adviser-question": "？"},
        ).status_code
        == 422
    )
    response = officer.post(
        f"/staff/rules/{document.pk}/adviser/request/",
        {"adviser-adviser": bureau["adviser"].pk, "adviser-question": "是否合法？"},
    )
    assert response.status_code == 302
    assert (
        officer.post(
            f"/staff/rules/{document.pk}/adviser/answer/", {"answer-opinion": "代答"}
        ).status_code
        == 403
    )
    other = verified_client(bureau["adviser2"])
    assert (
        other.post(
            f"/staff/rules/{document.pk}/adviser/answer/", {"answer-opinion": "代答"}
        ).status_code
        == 403
    )
    assert LegalityReview.objects.get(document=document).adviser_answered_at is None


# --- Who may open the document page ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LEGAL_OFFICER, 200),
        (Role.LEADER, 200),
        (Role.CLERK, 200),
        (Role.DEPARTMENT_HEAD, 200),
        (Role.LIAISON, 200),
        (Role.DISTRICT_OVERSEER, 200),
        (Role.LEGAL_ADVISER, 403),
        (Role.SUPERVISOR, 403),
        (Role.INSPECTOR, 403),
        (Role.SYSADMIN, 403),
        (Role.SECADMIN, 403),
        (Role.AUDITOR, 403),
    ],
)
def test_who_may_open_the_document_page(office, role, status):
    document = draft(office)
    client = verified_client(user_with_role(role, agency=office["agency"]))
    assert client.get(f"/staff/rules/{document.pk}/").status_code == status
    # Version 2 does not exist: those who may read get 404 with the message, the others 403.
    compare_url = f"/staff/rules/{document.pk}/versions/compare/?a=1&b=2"
    assert client.get(compare_url).status_code == (404 if status == 200 else 403)


def test_the_document_page_has_every_section(bureau):
    document = in_review(bureau)
    request_opinion(bureau, document)
    page = verified_client(bureau["officer"]).get(f"/staff/rules/{document.pk}/")
    html = page.content.decode()
    for anchor in ('id="draft"', 'id="versions"', 'id="review"', 'id="timeline"'):
        assert anchor in html
    assert "征求法律顾问意见" in html and "待答复" in html


# --- Reminders before the due dates --------------------------------------------------------


def sweep(source_name: str) -> None:
    from fazhi.core.notify.deadlines import deadline_sources, deadline_sweep

    deadline_sweep(timezone.now(), sources=[s for s in deadline_sources() if s.name == source_name])


def test_the_sweep_reminds_departments_and_escalates_to_the_drafter(bureau):
    document = draft(bureau)
    round_ = ask(bureau, document, workdays=1)

    sweep("normative.countersign")

    reminder = Notification.objects.get(recipient=bureau["head"], kind="deadline_reminder")
    assert reminder.title.startswith("【即将到期】会签：")
    assert reminder.url == f"/staff/rules/{document.pk}/"
    Countersign.objects.filter(pk=round_.pk).update(due_on=TODAY() - timedelta(days=1))
    sweep("normative.countersign")
    assert Notification.objects.get(recipient=bureau["clerk"], kind="deadline_overdue").title == (
        "【已逾期】会签：关于进一步规范最低生活保障审核确认的实施办法"
    )
    services.document_countersign_opine(
        actor=bureau["head"],
        document=document,
        opinion_id=opinion_of(round_, bureau["other"]).pk,
        agree=True,
    )
    before = Notification.objects.count()
    Countersign.objects.filter(pk=round_.pk).update(due_on=TODAY() - timedelta(days=2))
    sweep("normative.countersign")
    assert Notification.objects.count() == before  # signed: nothing more to remind


def test_the_sweep_reminds_the_adviser_and_escalates_to_the_legal_office(bureau):
    document = in_review(bureau)
    review = request_opinion(bureau, document)
    LegalityReview.objects.filter(pk=review.pk).update(adviser_due_on=TODAY() - timedelta(days=1))

    sweep("normative.adviser")

    overdue = Notification.objects.get(recipient=bureau["officer"], kind="deadline_overdue")
    assert (
        overdue.title == "【已逾期】出具法律顾问意见：关于进一步规范最低生活保障审核确认的实施办法"
    )


def test_the_legal_office_may_ask_too_and_liaisons_see_the_task(bureau):
    liaison = user_with_role(Role.LIAISON, agency=bureau["agency"], department=bureau["other"])
    document = draft(bureau)
    services.document_countersign_open(
        actor=bureau["officer"], document=document, departments=[bureau["other"]]
    )
    assert [str(t.title) for t in tasks_for(liaison) if t.module == "规范性文件"] == [
        "会签：关于进一步规范最低生活保障审核确认的实施办法"
    ]
    assert not [t for t in tasks_for(bureau["third_head"]) if str(t.title).startswith("会签")]


def test_an_issued_documents_page_shows_every_stage(office):
    from fazhi.rules.tests.test_lifecycle import decided, issue

    document = issue(office, decided(office))
    html = verified_client(office["officer"]).get(f"/staff/rules/{document.pk}/").content.decode()
    for anchor in (
        'id="draft"',
        'id="versions"',
        'id="consultation"',
        'id="review"',
        'id="decision"',
        'id="issuance"',
        'id="filing-outcome"',
        'id="timeline"',
    ):
        assert anchor in html, anchor
    assert "符合法定权限和程序。" in html  # the review report
    assert "原则通过" in html  # the decision
    assert "编号公布" in html  # the timeline's label of the issue event


def test_a_review_reached_by_a_bare_transition_is_refused_not_a_crash(bureau):
    """Found by the state machine: submit_for_review run bare leaves no review record."""
    from fazhi.core import workflow

    document = draft(bureau)
    services.exemption_approve(actor=bureau["officer"], document=document, ground="依法不公开")
    workflow.perform(document, "submit_for_review", actor=bureau["clerk"])
    with pytest.raises(Conflict) as exc:
        services.review_record(
            actor=bureau["officer"], document=document, checklist=CHECKS, opinion="pass", report="x"
        )
    assert exc.value.code == "review_missing"
    with pytest.raises(Conflict) as exc:
        request_opinion(bureau, document)
    assert exc.value.code == "review_missing"
