"""The disclosure report's row for normative documents comes from one selector."""

from datetime import date
from itertools import count

from fazhi.core.models import IssuedNumber, NumberSeries
from fazhi.rules.models import DocumentLink, NormativeDocument
from fazhi.rules.selectors import report_figures

_serial = count(1)


def make(office, published_on, valid_until, state="issued"):
    """Given a document as the record stands (its own path is tested in test_lifecycle)."""
    number = None
    if state == "issued":
        series, _ = NumberSeries.objects.get_or_create(
            agency=office["agency"],
            key="rules",
            year=published_on.year,
            defaults={"prefix": "示民规"},
        )
        value = next(_serial)
        number = IssuedNumber.objects.create(
            series=series, value=value, text=series.render(value), issued_by=office["clerk"]
        )
    return NormativeDocument.objects.create(
        agency=office["agency"],
        department=office["section"],
        title="文件",
        state=state,
        published_on=published_on,
        effective_on=published_on,
        valid_until=valid_until,
        created_by=office["clerk"],
        doc_number=number,
    )


def test_issued_repealed_and_in_force(office):
    make(office, date(2023, 3, 1), date(2028, 2, 28))  # in force all of 2025
    make(office, date(2021, 1, 1), date(2025, 6, 30))  # lapses in 2025
    repealed = make(office, date(2022, 5, 1), date(2027, 4, 30))
    repealer = make(office, date(2025, 9, 1), date(2030, 8, 31))  # issued in 2025
    DocumentLink.objects.create(
        source=repealer, target=repealed, kind="repeals", created_by=office["clerk"]
    )
    make(office, None, None, state="drafting")  # a draft counts nowhere
    assert report_figures(office["agency"], 2025) == {"issued": 1, "repealed": 2, "in_force": 2}
    assert report_figures(office["agency"], 2024) == {"issued": 0, "repealed": 0, "in_force": 3}
    assert report_figures(office["agency"], 2015)["in_force"] == 0
