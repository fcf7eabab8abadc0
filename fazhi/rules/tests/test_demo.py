"""`fazhi demo` adds a year of normative documents in every stage, through the services."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fazhi.core.audit import verify_chain
from fazhi.core.models import Event
from fazhi.core.search.selectors import search
from fazhi.rules.demo import SPECS, build_rules_demo
from fazhi.rules.models import (
    Consultation,
    DocumentLink,
    LegalityReview,
    NormativeDocument,
    PublicComment,
)
from fazhi.rules.status import badge, superseding_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(demo):
    return demo, build_rules_demo(demo)


def test_every_stage_is_there(built):
    agency, created = built
    assert len(created) == len(SPECS) == 15
    states = Counter(
        NormativeDocument.objects.filter(agency=agency).values_list("state", flat=True)
    )
    assert states == {
        "issued": 7,
        "drafting": 2,
        "consultation": 1,
        "comments": 1,
        "review": 1,
        "reviewed": 1,
        "decided": 1,
        "abandoned": 1,
    }


def test_issued_documents_are_numbered_in_order_of_publication(built):
    agency, _ = built
    issued = list(
        NormativeDocument.objects.filter(agency=agency, state="issued")
        .select_related("doc_number")
        .order_by("published_on")
    )
    per_year = Counter()
    for document in issued:
        year = document.published_on.year
        per_year[year] += 1
        assert document.doc_number.text == f"示民规〔{year}〕{per_year[year]}号"
    today = timezone.localdate()
    assert all(d.published_on <= today for d in issued)


def test_the_library_shows_every_status_a_citizen_can_meet(built):
    agency, _ = built
    today = timezone.localdate()
    badges = {
        d.title: badge(d, today, superseding=superseding_dates(d))
        for d in NormativeDocument.objects.filter(agency=agency, state="issued")
    }
    assert badges["示例区临时救助实施办法"] == "expiring"
    assert badges["示例区殡葬管理暂行办法"] == "expired"
    assert badges["示例区居家养老服务补贴管理办法"] == "revised"
    assert Counter(badges.values()) == {"in_force": 4, "expiring": 1, "expired": 1, "revised": 1}
    expiring = NormativeDocument.objects.get(agency=agency, title="示例区临时救助实施办法")
    assert today < expiring.valid_until <= today + timedelta(days=183)
    link = DocumentLink.objects.get()
    assert (link.source.title, link.kind) == ("示例区养老服务补贴管理办法", "revises")
    found = search("救助", public_only=True, target_types=["normative.normativedocument"])
    titles = {hit.title.split("（")[0] for hit in found}
    assert {
        "示例区临时救助实施办法",
        "关于印发《示例区最低生活保障审核确认实施细则》的通知",
    } <= titles


def test_filings_drafts_and_consultations_look_like_a_real_year(built):
    agency, _ = built
    today = timezone.localdate()
    outcomes = Counter(
        NormativeDocument.objects.filter(agency=agency, state="issued").values_list(
            "filing__outcome", flat=True
        )
    )
    assert outcomes == {"accepted": 5, "filed": 1, "pending": 1}
    drafting = NormativeDocument.objects.get(agency=agency, title="示例区医疗救助实施办法")
    assert list(drafting.versions.values_list("number", flat=True)) == [1, 2, 3]
    returned = NormativeDocument.objects.get(agency=agency, title="示例区社会组织等级评估管理办法")
    assert returned.state == "drafting"
    assert LegalityReview.objects.get(document=returned).opinion == "changes"
    open_one = Consultation.objects.get(document__title="示例区社区治理事项准入管理办法")
    assert open_one.is_open() and open_one.opens_on < today
    assert open_one.comments.count() == 3
    answering = Consultation.objects.get(document__title="示例区特困人员救助供养实施办法")
    assert answering.closes_on < today and answering.report_published_at is None
    assert answering.comments.filter(response="").count() == 2
    in_review = LegalityReview.objects.get(document__title="示例区居家养老服务管理办法")
    assert in_review.started_on < today and in_review.decided_on is None
    abandoned = NormativeDocument.objects.get(agency=agency, state="abandoned")
    assert "不再另行制定" in abandoned.abandon_reason
    # Nothing is dated after today except what lies ahead by its nature.
    now = timezone.now()
    assert not NormativeDocument.objects.filter(created_at__gt=now).exists()
    assert not PublicComment.objects.filter(submitted_at__gt=now).exists()
    assert (
        NormativeDocument.objects.filter(
            agency=agency, created_at__date__lt=today - timedelta(days=300)
        )
        .exclude(state="issued")
        .count()
        == 0
    )


def test_phones_are_encrypted_and_the_audit_chain_verifies(built):
    comment = PublicComment.objects.filter(submitter_name="王小明").get()
    assert str(comment.submitter_phone) == "139****5678"
    result = verify_chain()
    assert result.ok and result.checked == Event.objects.count()


def test_the_command_is_idempotent(db):
    out = StringIO()
    call_command("demo", "--quiet-accounts", stdout=out)
    assert "行政规范性文件：新建演示文件 15 件" in out.getvalue()
    events = Event.objects.count()
    again = StringIO()
    call_command("demo", "--quiet-accounts", stdout=again)
    assert "行政规范性文件：新建演示文件 0 件" in again.getvalue()
    assert NormativeDocument.objects.count() == 15 and Event.objects.count() == events
