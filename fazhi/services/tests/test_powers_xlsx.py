"""XLSX import/export: round trip, bad-row report (row and column), missing column, formulas."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from fazhi.core.errors import InvalidInput
from fazhi.services import xlsx
from fazhi.services.models import PowerKind
from fazhi.services.services import powers as services
from fazhi.services.tests.conftest import power_data

pytestmark = pytest.mark.django_db


def _sheet(rows, header=tuple(xlsx.COLUMNS)) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(code, name="婚姻登记", kind="行政确认", department="社会救助科", promised=1, statutory=1):
    return [
        code,
        name,
        kind,
        "《婚姻登记条例》第四条",
        "示范区民政局",
        department,
        promised,
        statutory,
    ]


def _snapshot(power_list):
    return [
        (
            p.code,
            p.name,
            p.kind,
            p.basis,
            p.implementing_body,
            p.department_id,
            p.promised_days,
            p.statutory_days,
        )
        for p in power_list.powers.order_by("sort_order")
    ]


def _import(bureau, data, draft=None, only_valid=False):
    draft = draft or services.power_list_start_draft(
        actor=bureau["officer"], agency=bureau["agency"]
    )
    records, unknown = xlsx.read(data)
    report = services.power_list_import(
        actor=bureau["officer"],
        power_list=draft,
        records=records,
        only_valid=only_valid,
        unknown_columns=unknown,
    )
    return draft, report


def test_bad_row_report_names_row_and_column_and_nothing_imported(bureau):
    data = _sheet([_row("1"), _row("2", kind="行政许愿"), _row("3", promised=30, statutory=20)])
    draft, report = _import(bureau, data)
    assert not report.imported and not draft.powers.exists()
    assert [(e.row, e.column) for e in report.errors] == [(3, "事项类型"), (4, "承诺时限")]
    assert "行政许愿" in report.errors[0].reason


def test_import_the_good_rows_when_chosen(bureau):
    data = _sheet([_row("1"), _row("2", department="不存在科")])
    draft, report = _import(bureau, data, only_valid=True)
    assert report.imported and report.created == ["1"]
    assert [(e.row, e.column) for e in report.errors] == [(3, "责任处室")]
    assert list(draft.powers.values_list("code", flat=True)) == ["1"]


def test_missing_required_column_refuses_the_file(bureau):
    header = [h for h in xlsx.COLUMNS if h != "设定依据"]
    with pytest.raises(InvalidInput) as exc:
        xlsx.read(_sheet([["1", "x", "行政确认", "主体", "社会救助科", 1, 1]], header=header))
    assert exc.value.code == "xlsx_columns" and "设定依据" in str(exc.value.message)


def test_unknown_columns_reported_and_not_xlsx_refused(bureau):
    _draft, report = _import(bureau, _sheet([[*_row("1"), "备注"]], header=[*xlsx.COLUMNS, "备注"]))
    assert report.unknown_columns == ["备注"] and report.imported
    with pytest.raises(InvalidInput):
        xlsx.read(b"not a spreadsheet at all")


def test_formula_cell_is_a_bad_cell(bureau):
    data = _sheet([_row("1", name='=HYPERLINK("http://evil","点我")')])
    _draft, report = _import(bureau, data)
    assert not report.imported
    assert [(e.row, e.column) for e in report.errors] == [(2, "事项名称")]
    assert "公式" in report.errors[0].reason


def test_export_never_writes_a_formula(bureau):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    for n, name in enumerate(["=1+1", "+86", "-减", "@SUM(A1)"], start=1):
        services.power_create(
            actor=bureau["officer"], power_list=draft, data=power_data(bureau, str(n), name=name)
        )
    book = load_workbook(
        io.BytesIO(services.power_list_export(actor=bureau["officer"], power_list=draft))
    )
    cells = [row[1] for row in book.active.iter_rows(min_row=2)]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
    # ... and the escaped text comes back as it was.
    _copy, report = _import(
        bureau, services.power_list_export(actor=bureau["officer"], power_list=draft), draft=draft
    )
    assert report.imported and not report.errors
    assert sorted(draft.powers.values_list("name", flat=True)) == sorted(
        ["=1+1", "+86", "-减", "@SUM(A1)"]
    )


def test_import_replaces_the_list(bureau):
    draft, _r = _import(bureau, _sheet([_row("1"), _row("2")]))
    _d, report = _import(bureau, _sheet([_row("2", name="改名"), _row("3")]), draft=draft)
    assert report.created == ["3"] and report.updated == ["2"] and report.removed == ["1"]


text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
power_rows = st.lists(
    st.tuples(
        text,
        st.sampled_from(PowerKind.values),
        text,
        text,
        st.sampled_from(["社会救助科", "社会组织管理科"]),
        st.one_of(st.none(), st.integers(1, 60)),
        st.integers(0, 60),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=power_rows)
def test_round_trip_export_import_gives_the_same_list(bureau, rows):
    from fazhi.services.models import PowerList

    PowerList.objects.filter(agency=bureau["agency"]).delete()
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    for n, (name, kind, basis, body, department, promised, extra) in enumerate(rows, start=1):
        statutory = None if promised is None else promised + extra
        services.power_create(
            actor=bureau["officer"],
            power_list=draft,
            data={
                "code": f"{n:03d}",
                "name": name,
                "kind": kind,
                "basis": basis,
                "implementing_body": body,
                "department": department,
                "promised_days": promised,
                "statutory_days": statutory,
            },
        )
    published = services.power_list_publish(actor=bureau["officer"], power_list=draft)
    data = services.power_list_export(actor=bureau["officer"], power_list=published)
    fresh = published.__class__.objects.create(agency=bureau["agency"], version=99)
    records, unknown = xlsx.read(data)
    report = services.power_list_import(actor=bureau["officer"], power_list=fresh, records=records)
    assert report.imported and not report.errors and not unknown
    assert _snapshot(fresh) == _snapshot(published)
