import threading

import pytest
from django.db import connection, connections, transaction

from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Event, IssuedNumber, NumberSeries
from fazhi.core.numbering import SeriesKind, number_allocate, number_void, register_series
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, user_with_role

register_series(SeriesKind("test-rules", "测试规范性文件", lambda agency: f"{agency.short_name}规"))


@pytest.fixture
def agency(db):
    return AgencyFactory(short_name="示民")


@pytest.fixture
def officer(agency):
    return user_with_role(Role.LEGAL_OFFICER, agency=agency)


def test_numbers_follow_the_document_format(agency, officer):
    first = number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
    second = number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
    assert [first.text, second.text] == ["示民规〔2026〕1号", "示民规〔2026〕2号"]
    assert Event.objects.filter(verb="number.issue").count() == 2


def test_each_year_starts_again_and_keeps_the_prefix(agency, officer):
    number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
    NumberSeries.objects.filter(agency=agency, year=2026).update(prefix="示民规范")
    issued = number_allocate(actor=officer, agency=agency, key="test-rules", year=2027)
    assert issued.text == "示民规范〔2027〕1号"


def test_a_rolled_back_allocation_returns_its_number(agency, officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
        raise RuntimeError
    issued = number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
    assert issued.value == 1


def test_voided_numbers_stay_and_are_never_reused(agency, officer):
    first = number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
    with pytest.raises(InvalidInput):
        number_void(actor=officer, issued=first, reason=" ")
    number_void(actor=officer, issued=first, reason="文件撤回")
    with pytest.raises(Conflict):
        number_void(actor=officer, issued=first, reason="again")
    second = number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
    assert second.value == 2
    assert str(IssuedNumber.objects.get(pk=first.pk)).endswith("（已作废）")


def test_unknown_series_is_refused(agency, officer):
    with pytest.raises(InvalidInput):
        number_allocate(actor=officer, agency=agency, key="no-such-series")
    assert not NumberSeries.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_get_twenty_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    agency = AgencyFactory(short_name="示民")
    officer = user_with_role(Role.LEGAL_OFFICER, agency=agency)
    barrier = threading.Barrier(20)
    results, errors = [], []

    def draw():
        try:
            barrier.wait()
            issued = number_allocate(actor=officer, agency=agency, key="test-rules", year=2026)
            results.append(issued.value)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=draw) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 21))
    assert NumberSeries.objects.get(agency=agency).next_value == 21
