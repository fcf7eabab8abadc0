import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from fazhi.rules.models import DocumentLink
from fazhi.rules.tests.test_lifecycle import decided, issue
from fazhi.rules.xlsx_export import HEADERS, register_rows, register_xlsx


def test_register_lists_issued_documents_with_their_status(office):
    old = issue(office, decided(office))
    newer = issue(office, decided(office))
    DocumentLink.objects.create(
        source=newer, target=old, kind="revises", created_by=office["clerk"]
    )
    today = timezone.localdate()
    sheet = load_workbook(io.BytesIO(register_xlsx(office["agency"], today))).active
    rows = list(sheet.values)
    assert list(rows[0]) == HEADERS
    by_number = {row[1]: row for row in rows[1:]}
    assert by_number[old.doc_number.text][8] == "已修订"
    assert by_number[newer.doc_number.text][8] == "有效"
    assert by_number[newer.doc_number.text][5].date() == newer.published_on


def test_register_query_count_does_not_grow(office):
    issue(office, decided(office))
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as one:
        register_rows(office["agency"], today)
    issue(office, decided(office))
    issue(office, decided(office))
    with CaptureQueriesContext(connection) as three:
        register_rows(office["agency"], today)
    assert len(one.captured_queries) == len(three.captured_queries)
