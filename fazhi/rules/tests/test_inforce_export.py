"""The list of documents in force as XLSX and PDF, on the portal and in the workspace."""

import io
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from fazhi.core.roles import Role
from fazhi.rules.inforce_export import HEADERS, in_force_pdf, in_force_rows, in_force_xlsx
from fazhi.rules.tests.test_portal_filters import publish, second_office
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role
from fazhi.testing.queries import count_queries


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed(office):
    """In force: a measure of this year and an interim rule whose evaluation has started.
    Not in force: a notice the measure repeals, and one that expired long ago."""
    today = timezone.localdate()
    notice = publish(office, "关于开展低保年度复核的通告", kind="notice")
    expiring = publish(
        office,
        "低保对象认定暂行办法",
        kind="interim",
        published_on=today - timedelta(days=400),
        valid_until=today + timedelta(days=30),
    )
    publish(
        office,
        "关于临时救助标准的通知",
        published_on=date(2019, 1, 10),
        valid_until=date(2020, 12, 31),
    )
    measure = publish(office, "最低生活保障审核确认实施办法", repeals=[notice])
    return {"measure": measure, "expiring": expiring, "today": today}


def expected_rows(listed):
    return [
        [
            index,
            document.doc_number.text,
            document.title,
            "社会救助科",
            document.published_on,
            document.effective_on,
            document.valid_until,
            status,
        ]
        for index, (document, status) in enumerate(
            [(listed["measure"], "有效"), (listed["expiring"], "即将到期")], start=1
        )
    ]


def test_the_xlsx_lists_exactly_the_documents_in_force(office, listed):
    workbook = load_workbook(io.BytesIO(in_force_xlsx(office["agency"], listed["today"])))
    rows = [list(row) for row in workbook.active.values]
    assert rows[0] == HEADERS
    dated = [
        [*row[:4], *(cell.date() if cell else None for cell in row[4:7]), row[7]]
        for row in rows[1:]
    ]
    assert dated == expected_rows(listed)


def test_the_pdf_carries_the_chinese_title_and_rows(office, listed):
    content = in_force_pdf(office["agency"], listed["today"])
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    compact = "".join(text.split())
    assert f"{office['agency'].name}现行有效行政规范性文件目录" in compact
    assert "最低生活保障审核确认实施办法" in compact and "即将到期" in compact
    assert "关于开展低保年度复核的通告" not in compact


def test_rows_take_the_same_queries_however_many_documents(office, listed):
    today = listed["today"]
    before = count_queries(lambda: in_force_rows(office["agency"], today))
    for n in range(3):
        publish(office, f"实施细则{n}")
    assert len(in_force_rows(office["agency"], today)) == 5
    assert count_queries(lambda: in_force_rows(office["agency"], today)) == before


def test_the_portal_serves_both_files_of_the_only_agency(office, listed):
    xlsx = Client().get("/rules/in-force.xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    day = listed["today"].strftime("%Y%m%d")
    assert f'filename="in-force-{office["agency"].code}-{day}.xlsx"' in xlsx["Content-Disposition"]
    assert quote("现行有效行政规范性文件目录") in xlsx["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert [row[2] for row in rows[1:]] == ["最低生活保障审核确认实施办法", "低保对象认定暂行办法"]
    pdf = Client().get("/rules/in-force.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_with_several_agencies_the_list_is_one_agencys(office, listed):
    other = second_office()
    publish(other, "养老服务补贴实施办法")
    assert Client().get("/rules/in-force.xlsx")["Location"] == "/rules/#in-force"
    response = Client().get("/rules/in-force.xlsx", {"agency": other["agency"].code})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[2] for row in rows[1:]] == ["养老服务补贴实施办法"]
    assert Client().get("/rules/in-force.pdf", {"agency": "no-such-agency"}).status_code == 404
    library = Client().get("/rules/").content.decode()
    assert f"/rules/in-force.pdf?agency={other['agency'].code}" in library
    assert f"/rules/in-force.xlsx?agency={office['agency'].code}" in library


def test_a_changed_list_is_not_served_from_the_cache(office, listed):
    first = Client().get("/rules/in-force.xlsx").content
    publish(office, "特困人员供养实施细则")
    second = load_workbook(io.BytesIO(Client().get("/rules/in-force.xlsx").content)).active
    assert first != second and second.max_row == 4


def test_staff_download_their_agencys_list_from_the_worklist(office, listed):
    client = verified_client(office["clerk"])
    page = client.get("/staff/rules/").content.decode()
    assert "/staff/rules/in-force.xlsx" in page and "/staff/rules/in-force.pdf" in page
    response = client.get("/staff/rules/in-force.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[1] for row in rows[1:]] == [
        listed["measure"].doc_number.text,
        listed["expiring"].doc_number.text,
    ]
    assert client.get("/staff/rules/in-force.pdf").content.startswith(b"%PDF")


def test_staff_cannot_download_another_agencys_list_or_without_a_role(office, listed):
    other = second_office()
    client = verified_client(office["clerk"])
    assert client.get("/staff/rules/in-force.xlsx", {"agency": other["agency"].pk}).status_code == (
        404
    )
    assert client.get("/staff/rules/in-force.xlsx", {"agency": "x"}).status_code == 404
    anonymous = Client().get("/staff/rules/in-force.xlsx")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    inspector = verified_client(user_with_role(Role.INSPECTOR, agency=office["agency"]))
    assert inspector.get("/staff/rules/in-force.pdf").status_code == 403
