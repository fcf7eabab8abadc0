"""The public catalogue: what it lists, its search and filters, constant queries, and normative
documents entered from the rules app without re-entry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from fazhi.core.models import Event
from fazhi.disclosure import selectors, services
from fazhi.disclosure.models import PublicRecord
from fazhi.disclosure.tests.test_proactive_services import bureau, draft, published  # noqa: F401
from fazhi.testing.queries import assert_constant_queries

State = PublicRecord.State


def test_only_published_records_are_listed_newest_first(bureau):  # noqa: F811
    draft(bureau, title="草稿不公开")
    first = published(bureau, title="第一条")
    second = published(bureau, title="第二条", topic="养老服务", five_disclosures="service")
    PublicRecord.objects.filter(pk=first.pk).update(published_on=date(2026, 10, 9))
    listed = list(selectors.catalogue(bureau["agency"]))
    assert [r.title for r in listed] == ["第二条", "第一条"]
    assert [r.title for r in selectors.catalogue(bureau["agency"], topic="养老服务")] == ["第二条"]
    assert [r.title for r in selectors.catalogue(bureau["agency"], five_disclosures="service")] == [
        "第二条"
    ]
    assert [r.title for r in selectors.catalogue(bureau["agency"], q="第一")] == ["第一条"]
    assert [r.title for r in selectors.catalogue(bureau["agency"], q=second.index_number)] == [
        "第二条"
    ]
    assert list(selectors.catalogue(bureau["agency"], category="art20_7")) == []
    assert len(selectors.catalogue(bureau["agency"], year=timezone.localdate().year)) == 2
    assert selectors.catalogue_record(second.pk).title == "第二条"
    assert selectors.catalogue_record(PublicRecord.objects.get(title="草稿不公开").pk) is None
    assert selectors.catalogue_record("x") is None


def test_catalogue_query_count_is_constant(bureau):  # noqa: F811
    def grow(n):
        for i in range(n):
            published(bureau, title=f"信息{PublicRecord.objects.count()}-{i}")

    assert_constant_queries(lambda: [r.validity_now for r in selectors.catalogue()], grow)


def test_worklist_query_count_is_constant(bureau):  # noqa: F811
    def grow(n):
        for _ in range(n):
            record = draft(bureau)
            services.record_submit(actor=bureau["clerk"], record=record)

    def fetch():
        return [
            (r.department.name if r.department else "", r.open_findings, r.agency.name)
            for r in selectors.record_worklist(bureau["clerk"])
        ]

    assert_constant_queries(fetch, grow, extra_rows=5)
    rows = list(selectors.record_worklist(bureau["clerk"], state="review"))
    assert len(rows) == 6 and all(r.open_findings == 0 for r in rows)


# --- Normative documents ------------------------------------------------------------------------


@pytest.fixture
def rules_office(bureau):  # noqa: F811
    return bureau


def test_an_issued_normative_document_enters_the_catalogue_without_reentry(
    rules_office, django_capture_on_commit_callbacks
):
    from fazhi.rules.tests.test_lifecycle import decided, issue

    document = decided(rules_office)
    with django_capture_on_commit_callbacks(execute=True):
        issued = issue(rules_office, document)
    record = PublicRecord.objects.get(source_document=issued)
    assert record.state == State.PUBLISHED
    assert record.category == "art20_1"
    assert record.document_number == issued.doc_number.text
    assert record.formed_on == issued.published_on == record.published_on
    assert record.title == issued.title and record.agency_id == issued.agency_id
    assert record.index_number.startswith("示民公开-")
    assert "本办法明确了低保审核确认的程序" in record.body
    [entry] = selectors.catalogue(rules_office["agency"], category="art20_1")
    assert entry.pk == record.pk and entry.validity_now == "in_force"
    assert Event.objects.filter(verb="disclosure.record.sync", target_id=str(record.pk)).exists()
    # Syncing again enters nothing new.
    assert services.document_sync(issued) == record
    assert PublicRecord.objects.filter(source_document=issued).count() == 1


def test_documents_issued_before_are_backfilled_and_validity_is_live(rules_office, capsys):
    from fazhi.rules.models import NormativeDocument
    from fazhi.rules.tests.test_evaluation import issued_document

    today = timezone.localdate()
    kept = issued_document(rules_office, valid_until=today + timedelta(days=900))
    lapsed = issued_document(
        rules_office,
        title="关于临时救助的暂行办法",
        published_on=today - timedelta(days=800),
        valid_until=today - timedelta(days=10),
    )
    assert not PublicRecord.objects.exists()
    call_command("disclosure", "sync")
    assert "已将 2 件" in capsys.readouterr().out
    call_command("disclosure", "sync")
    assert "已将 0 件" in capsys.readouterr().out
    validity = {r.source_document_id: r.validity_now for r in selectors.catalogue()}
    assert validity == {kept.pk: "in_force", lapsed.pk: "expired"}
    # Repealed later: the catalogue says so at once, with no re-sync.
    NormativeDocument.objects.filter(pk=kept.pk).update(
        ended_on=today, ended_as="repealed", ended_basis="清理结果"
    )
    assert selectors.catalogue().get(source_document=kept).validity_now == "repealed"


def test_a_failed_sync_does_not_break_the_issuance(
    rules_office, django_capture_on_commit_callbacks
):
    from unittest import mock

    from fazhi.rules.tests.test_lifecycle import decided, issue

    document = decided(rules_office)
    with (
        mock.patch(
            "fazhi.disclosure.services.proactive.document_sync", side_effect=RuntimeError("boom")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        issued = issue(rules_office, document)
    assert issued.state == "issued"
    assert not PublicRecord.objects.exists()
    call_command("disclosure", "sync")
    assert PublicRecord.objects.filter(source_document=issued).exists()
