"""`fazhi demo` adds a year of disclosure requests through the services, and tables 三 and 四."""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fazhi.core.audit import verify_chain
from fazhi.core.models import Event
from fazhi.disclosure import selectors
from fazhi.disclosure.choices import SELF_SERVICE_CHANNELS, ApplicantKind, Channel
from fazhi.disclosure.demo import CHALLENGES, RECORDS, all_cases, build_disclosure_demo
from fazhi.disclosure.models import (
    AnnualReport,
    DeliveryRecord,
    DisclosureChallenge,
    DisclosureRequest,
    Extension,
    FeeNotice,
    PublicRecord,
    ReplyPart,
    ScanFinding,
    SupplementRequest,
    ThirdPartyConsultation,
)
from fazhi.disclosure.outcomes import Outcome

pytestmark = pytest.mark.django_db

State = DisclosureRequest.State


@pytest.fixture
def built(demo):
    return demo, build_disclosure_demo(demo)


def test_every_outcome_kind_and_channel_is_there(built):
    agency, created = built
    today = timezone.localdate()
    assert len(created) == len(all_cases(today)) == DisclosureRequest.objects.count()
    requests = DisclosureRequest.objects.filter(agency=agency)
    outcomes = Counter(requests.exclude(outcome="").values_list("outcome", flat=True))
    assert set(outcomes) == set(Outcome.values)
    assert set(requests.values_list("applicant_kind", flat=True)) == set(ApplicantKind.values)
    assert set(requests.values_list("channel", flat=True)) == set(Channel.values)
    # Staff registered most; the portal's applications arrived today.
    portal = requests.filter(channel__in=SELF_SERVICE_CHANNELS)
    assert portal.count() == 3 and set(portal.values_list("received_on", flat=True)) == {today}
    assert requests.filter(created_by__username="legal_officer").count() == requests.count() - 3
    # The eleventh request of one applicant in a month is the one refused as excessive.
    excessive = requests.get(outcome=Outcome.NOT_PROCESSED_EXCESSIVE)
    assert excessive.excessive and excessive.month_ordinal == 11
    assert not requests.filter(excessive=True).exclude(pk=excessive.pk).exists()


def test_every_step_of_the_procedure_is_there(built):
    agency, _ = built
    today = timezone.localdate()
    supplements = SupplementRequest.objects.filter(request__agency=agency)
    assert supplements.filter(supplemented_on__isnull=False).count() == 2
    lapsed = supplements.get(lapsed_on__isnull=False)
    assert lapsed.request.outcome == Outcome.OTHER_NO_SUPPLEMENT
    assert supplements.filter(supplemented_on=None, lapsed_on=None).count() == 1
    answers = Counter(
        ThirdPartyConsultation.objects.filter(request__agency=agency).values_list(
            "answer", flat=True
        )
    )
    assert answers == {"objection": 2, "consent": 2, "no_answer": 1, "": 1}
    extensions = Extension.objects.filter(request__agency=agency)
    assert extensions.count() == 2
    assert {e.approved_by.username for e in extensions} == {"leader"}
    fees = FeeNotice.objects.filter(request__agency=agency)
    assert fees.filter(paid_on__isnull=False).count() == 1
    assert fees.get(lapsed_on__isnull=False).request.outcome == Outcome.OTHER_NO_FEE
    assert fees.filter(paid_on=None, lapsed_on=None).count() == 1
    partial = DisclosureRequest.objects.filter(agency=agency, outcome=Outcome.PARTIAL)
    parts = ReplyPart.objects.filter(reply__request__in=partial)
    assert parts.filter(disclosed=True).exists() and parts.filter(disclosed=False).exists()
    # Every reply was sent, and every document sent exists (the service checks that).
    replied = DisclosureRequest.objects.filter(agency=agency, state=State.REPLIED)
    assert set(
        DeliveryRecord.objects.filter(document="reply").values_list("request", flat=True)
    ) == set(replied.values_list("pk", flat=True))
    assert DeliveryRecord.objects.filter(document="termination").count() == 2
    # Open today: one overdue, one due within a few working days, the others in between.
    open_now = DisclosureRequest.objects.filter(
        agency=agency, state__in=DisclosureRequest.OPEN_STATES
    )
    states = Counter(open_now.values_list("state", flat=True))
    assert states == {"received": 7, "supplement_request": 1, "consultation": 1, "fee": 1}
    running = open_now.filter(state=State.RECEIVED)
    assert running.filter(due_on__lt=today).count() == 1
    assert running.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7)).exists()
    # Nothing is dated after today; replies are on time.
    assert not DisclosureRequest.objects.filter(concluded_on__gt=today).exists()
    assert not DeliveryRecord.objects.filter(delivered_on__gt=today).exists()


def test_table_three_of_both_years_balances_and_carries_over(built):
    agency, _ = built
    year = timezone.localdate().year
    current = selectors.table_three(agency, year)
    previous = selectors.table_three(agency, year - 1)
    for table in (current, previous):
        assert table.identity_breaks() == []
    assert current.value("carried_in", "total") > 0
    assert previous.value("carried_out", "total") == current.value("carried_in", "total")
    assert current.value("carried_out", "total") == 10  # open today
    totals = current.value("new", "total") + previous.value("new", "total")
    assert totals == DisclosureRequest.objects.count()
    for outcome in Outcome.values:
        assert current.value(outcome, "total") + previous.value(outcome, "total") >= 1


def test_table_four_has_every_result(built):
    agency, _ = built
    year = timezone.localdate().year
    tables = [selectors.table_four(agency, y) for y in (year - 1, year)]
    assert all(t.identity_breaks() == [] for t in tables)
    assert sum(n for t in tables for n in t.cells()) > 0
    cases = DisclosureChallenge.objects.filter(agency=agency)
    assert cases.count() == len(CHALLENGES)
    assert set(cases.values_list("kind", flat=True)) == set(DisclosureChallenge.Kind.values)
    assert set(cases.values_list("result", flat=True)) == set(DisclosureChallenge.Result.values)
    for kind in DisclosureChallenge.Kind.values:
        assert sum(t.value(kind, "total") for t in tables) >= 2
    assert cases.filter(request__isnull=True).count() == 1  # about proactive disclosure


def test_the_catalogue_has_every_state_and_an_open_finding(built):
    agency, _ = built
    # Issued normative documents may enter the catalogue too (document_sync): not counted here.
    records = PublicRecord.objects.filter(agency=agency, title__in=[r.title for r in RECORDS])
    assert records.count() == len(RECORDS)
    assert set(records.values_list("state", flat=True)) == set(PublicRecord.State.values)
    waiting = records.get(state=PublicRecord.State.REVIEW)
    kinds = set(waiting.findings.filter(resolution="open").values_list("kind", flat=True))
    assert len(kinds) >= 2  # the identity number and the phone the clerk pasted
    masked = records.get(title="上半年临时救助发放情况公示")
    assert masked.state == PublicRecord.State.PUBLISHED
    assert not masked.findings.filter(resolution=ScanFinding.Resolution.OPEN).exists()
    assert "310115" not in masked.body  # the identity number is masked in what is published
    old = records.get(state=PublicRecord.State.SUPERSEDED)
    assert old.superseded_by.title == "关于调整本区最低生活保障标准的通知"
    published = records.filter(state=PublicRecord.State.PUBLISHED)
    assert all(r.index_number and r.published_on <= timezone.localdate() for r in published)


def test_last_years_report_is_drafted_with_its_narrative(built):
    agency, _ = built
    year = timezone.localdate().year - 1
    report = AnnualReport.objects.get(agency=agency)
    assert (report.year, report.state) == (year, AnnualReport.State.DRAFT)
    new = selectors.table_three(agency, year).value("new", "total")
    assert f"全年新收政府信息公开申请{new}件" in report.overview
    assert report.problems and report.other_matters
    assert report.manual_figures["penalty"] == {"decisions": 3}
    # 行政许可 is counted from the services app's cases, not entered by hand
    assert "licensing" not in report.manual_figures


def test_identifiers_are_valid_and_encrypted_and_the_chain_verifies(built):
    agency, _ = built
    person = DisclosureRequest.objects.filter(agency=agency, resident_id_hash__gt="").first()
    assert str(person.resident_id).count("*") >= 8  # shown masked
    assert str(person.phone)[:3] in {"138", "139"}
    result = verify_chain()
    assert result.ok and result.checked == Event.objects.count()


def test_the_command_is_idempotent(db):
    out = StringIO()
    call_command("demo", "--quiet-accounts", stdout=out)
    count = DisclosureRequest.objects.count()
    assert f"政府信息公开申请：新建演示申请 {count} 件" in out.getvalue()
    events = Event.objects.count()
    challenges = DisclosureChallenge.objects.count()
    again = StringIO()
    call_command("demo", "--quiet-accounts", stdout=again)
    assert "政府信息公开申请：新建演示申请 0 件" in again.getvalue()
    assert DisclosureRequest.objects.count() == count
    assert DisclosureChallenge.objects.count() == challenges
    assert PublicRecord.objects.filter(title__in=[r.title for r in RECORDS]).count() == len(RECORDS)
    assert AnnualReport.objects.count() == 1
    assert Event.objects.count() == events


@pytest.mark.parametrize("day", [date(2027, 1, 4), date(2027, 7, 1)])
def test_the_story_fits_any_build_day(demo, monkeypatch, day):
    """Built early in January the current year has hardly begun: the steps that would come
    after the build day are not taken, and still every outcome is there and both years'
    tables balance."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    created = build_disclosure_demo(demo)
    assert len(created) == len(all_cases(day))
    outcomes = set(DisclosureRequest.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == set(Outcome.values)
    assert not DisclosureRequest.objects.filter(concluded_on__gt=day).exists()
    for year in (day.year - 1, day.year):
        assert selectors.table_three(demo, year).identity_breaks() == []
    assert selectors.table_three(demo, day.year).value("carried_in", "total") > 0
