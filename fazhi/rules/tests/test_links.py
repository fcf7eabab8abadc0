"""Links from a document being made to issued documents (revises / repeals / based on), the
badges they derive once the newer document is published, and a document's family."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.aftercare_selectors import family, lineage, relatives
from fazhi.rules.models import DocumentLink
from fazhi.rules.services.links import link_add, link_remove
from fazhi.rules.status import Badge, badge, superseding_dates
from fazhi.rules.tests.test_evaluation import as_issued, issued_document
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, user_with_role


def drafted(office, title="关于修订最低生活保障办法的通知"):
    return services.document_create(
        actor=office["clerk"],
        agency=office["agency"],
        department=office["section"],
        title=title,
        text="第一条",
    )


def test_a_draft_links_to_an_issued_document_and_the_event_says_so(office):
    old = issued_document(office)
    draft = drafted(office)
    link = link_add(actor=office["clerk"], source=draft, target=old, kind="revises")
    assert (link.source, link.target, link.kind, link.created_by) == (
        draft,
        old,
        "revises",
        office["clerk"],
    )
    event = Event.objects.get(verb="normative.link.add")
    assert event.target_id == str(draft.pk)
    assert event.data == {
        "link": link.pk,
        "kind": "revises",
        "target": old.pk,
        "target_title": old.title,
    }
    # A different kind to the same document is another relation.
    link_add(actor=office["clerk"], source=draft, target=old, kind="based_on")
    assert DocumentLink.objects.count() == 2


def test_each_link_rule_refuses_with_its_message(office):
    old = issued_document(office)
    draft = drafted(office)
    other_draft = drafted(office, title="另一草案")
    link_add(actor=office["clerk"], source=draft, target=old, kind="revises")
    elsewhere = AgencyFactory()
    foreign = issued_document(
        office,
        agency=elsewhere,
        department=DepartmentFactory(agency=elsewhere),
        actor=user_with_role(Role.LEGAL_OFFICER, agency=elsewhere),
    )
    cases = [
        (dict(target=old, kind="amends"), InvalidInput, "kind_required"),
        (dict(target=draft, kind="based_on"), InvalidInput, "link_self"),
        (dict(target=other_draft, kind="based_on"), InvalidInput, "target_not_issued"),
        (dict(target=foreign, kind="based_on"), InvalidInput, "target_not_issued"),
        (dict(target=old, kind="revises"), Conflict, "link_exists"),
    ]
    for kwargs, error, code in cases:
        with pytest.raises(error) as exc:
            link_add(actor=office["clerk"], source=draft, **kwargs)
        assert exc.value.code == code, kwargs
    assert DocumentLink.objects.count() == 1
    assert Event.objects.filter(verb="normative.link.add").count() == 1


def test_an_ended_document_can_be_a_basis_but_not_revised_again(office):
    old = issued_document(office)
    old.__class__.objects.filter(pk=old.pk).update(
        ended_on=timezone.localdate(), ended_as="repealed"
    )
    draft = drafted(office)
    with pytest.raises(InvalidInput) as exc:
        link_add(actor=office["clerk"], source=draft, target=old, kind="repeals")
    assert exc.value.code == "target_ended"
    assert link_add(actor=office["clerk"], source=draft, target=old, kind="based_on").pk


def test_only_drafters_and_the_legal_office_link_and_only_before_issuance(office):
    old = issued_document(office)
    draft = drafted(office)
    other_clerk = user_with_role(
        Role.CLERK, agency=office["agency"], department=DepartmentFactory(agency=office["agency"])
    )
    for person in (office["leader"], other_clerk):
        with pytest.raises(NotAllowed):
            link_add(actor=person, source=draft, target=old, kind="repeals")
    link = link_add(actor=office["officer"], source=draft, target=old, kind="repeals")
    newer = issued_document(office, title="已公布的新文件")
    with pytest.raises(Conflict) as exc:
        link_add(actor=office["officer"], source=newer, target=old, kind="based_on")
    assert exc.value.code == "source_not_open"

    with pytest.raises(NotAllowed):
        link_remove(actor=office["leader"], link=link)
    as_issued(draft, timezone.localdate())
    link.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        link_remove(actor=office["clerk"], link=link)
    assert exc.value.code == "source_not_open"
    assert DocumentLink.objects.filter(pk=link.pk).exists()


def test_a_link_is_removed_while_drafting_with_its_event(office):
    old = issued_document(office)
    draft = drafted(office)
    link = link_add(actor=office["clerk"], source=draft, target=old, kind="repeals")
    link_remove(actor=office["clerk"], link=link)
    assert not DocumentLink.objects.exists()
    event = Event.objects.get(verb="normative.link.remove")
    assert event.data["kind"] == "repeals" and event.data["target"] == old.pk


@pytest.mark.parametrize(
    ("kind", "expected"), [("revises", Badge.REVISED), ("repeals", Badge.REPEALED)]
)
def test_the_badge_follows_the_link_from_the_newer_documents_publication(office, kind, expected):
    today = timezone.localdate()
    old = issued_document(office)
    draft = drafted(office)
    link_add(actor=office["clerk"], source=draft, target=old, kind=kind)
    # While the newer document is a draft, the old one stays in force.
    assert badge(old, today, superseding=superseding_dates(old)) == Badge.IN_FORCE
    as_issued(draft, today + timedelta(days=10))
    assert badge(old, today, superseding=superseding_dates(old)) == Badge.IN_FORCE
    assert badge(old, today + timedelta(days=10), superseding=superseding_dates(old)) == expected


def test_a_based_on_link_changes_no_badge(office):
    today = timezone.localdate()
    old = issued_document(office)
    draft = drafted(office)
    link_add(actor=office["clerk"], source=draft, target=old, kind="based_on")
    as_issued(draft, today)
    assert badge(old, today, superseding=superseding_dates(old)) == Badge.IN_FORCE


def test_the_family_both_ways_and_the_revision_line(office):
    today = timezone.localdate()
    first = issued_document(office, title="2016年办法", published_on=date(2016, 3, 1))
    second = drafted(office, title="2021年办法")
    link_add(actor=office["clerk"], source=second, target=first, kind="revises")
    second = as_issued(second, date(2021, 3, 1))
    basis = issued_document(office, title="上位规定", published_on=date(2015, 1, 1))
    third = drafted(office, title="2026年办法（草案）")
    link_add(actor=office["clerk"], source=third, target=second, kind="revises")
    link_add(actor=office["clerk"], source=third, target=basis, kind="based_on")

    public = family(second)
    assert [(r.document.title, r.kind, r.direction, str(r.label)) for r in public.relatives] == [
        ("2016年办法", "revises", "out", "本文件修订了")
    ]
    assert [d.title for d in public.lineage] == ["2016年办法", "2021年办法"]

    staff = relatives(second, public=False)
    assert [(r.document.title, r.direction, str(r.label)) for r in staff] == [
        ("2016年办法", "out", "本文件修订了"),
        ("2026年办法（草案）", "in", "被以下文件修订"),
    ]
    assert [d.title for d in lineage(first, public=False)] == [
        "2016年办法",
        "2021年办法",
        "2026年办法（草案）",
    ]

    as_issued(third, today)
    assert [d.title for d in family(first).lineage] == [
        "2016年办法",
        "2021年办法",
        "2026年办法（草案）",
    ]
    assert [(r.document.title, str(r.label)) for r in family(basis).relatives] == [
        ("2026年办法（草案）", "以本文件为依据")
    ]
    assert family(issued_document(office, title="独立文件")).lineage == []
