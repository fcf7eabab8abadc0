"""Import of postings from the community platform (社区通): CSV with bad rows, unknown columns,
idempotency on 外部编号 and formula injection; the API with an Idempotency-Key."""

from __future__ import annotations

import json

import pytest

from fazhi.core.errors import InvalidInput
from fazhi.oversight.models import CommitteePosting
from fazhi.oversight.services import committees as services
from fazhi.testing.clients import verified_client

pytest_plugins = ["fazhi.oversight.tests.committee_fixtures"]

HEADER = "外部编号,街道/镇,居村委名称,公开事项,所属期间,公开日期,标题,内容"
GOOD = [
    "SQT-1,南岭镇,南岭村委会,finance,2026-01,2026-02-03,1月财务收支,收入3万元",
    "SQT-2,南岭镇,南岭村委会,财务收支情况,2026年3月,2026-04-01,3月财务收支,",
    "SQT-3,东湖街道,东湖居委会,general_affairs,2026-Q1,2026/04/03,一季度居务公开,",
]
BAD = 'SQT-4,南岭镇,不存在村委会,finance,2026-02,2026-03-02,=HYPERLINK("x"),'


def csv_bytes(*lines, header=HEADER, encoding="utf-8-sig"):
    return "\n".join([header, *lines]).encode(encoding)


def run(b, data, only_valid=False, actor=None):
    records, unknown = services.csv_read(data)
    return services.postings_import(
        actor=actor or b["officer"],
        agency=b["agency"],
        records=records,
        source="csv",
        only_valid=only_valid,
        unknown_columns=unknown,
    )


def test_a_good_file_imports_every_row_once(bureau):
    report = run(bureau, csv_bytes(*GOOD))
    assert report.imported and len(report.created) == 3 and not report.errors
    posting = CommitteePosting.objects.get(external_id="SQT-2")
    assert (posting.item, posting.source, posting.period_start.month) == (
        bureau["finance"],
        "csv",
        3,
    )
    # The same file again: nothing new, every row reported as already imported
    again = run(bureau, csv_bytes(*GOOD))
    assert again.created == [] and len(again.existing) == 3
    assert CommitteePosting.objects.count() == 3


def test_gb18030_from_excel_is_read(bureau):
    report = run(bureau, csv_bytes(*GOOD, encoding="gb18030"))
    assert len(report.created) == 3


def test_a_bad_row_stops_the_import_and_is_named_with_its_line(bureau):
    report = run(bureau, csv_bytes(GOOD[0], BAD, GOOD[1]))
    assert not report.imported and report.created == []
    assert CommitteePosting.objects.count() == 0
    (error,) = report.errors
    assert error.row == 3 and error.external_id == "SQT-4"
    assert "不存在村委会" in error.reason


def test_only_valid_rows_when_chosen(bureau):
    report = run(bureau, csv_bytes(GOOD[0], BAD, GOOD[1]), only_valid=True)
    assert report.imported and len(report.created) == 2 and len(report.errors) == 1
    assert set(CommitteePosting.objects.values_list("external_id", flat=True)) == {"SQT-1", "SQT-2"}


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("X-1,南岭镇,南岭村委会,finance,2026-Q1,2026-04-01,标题,", "每月"),
        ("X-2,南岭镇,南岭村委会,没有的事项,2026-02,2026-03-01,标题,", "不是村委会的公开事项"),
        ("X-3,南岭镇,南岭村委会,finance,2026-02,2099-03-01,标题,", "不能晚于今天"),
        ("X-4,南岭镇,南岭村委会,finance,2026-02,三月一日,标题,", "公开日期格式"),
        ("X-5,南岭镇,南岭村委会,finance,2026-02,2026-03-01,,", "标题"),
        (",南岭镇,南岭村委会,finance,2026-02,2026-03-01,标题,", "外部编号"),
        ("X-6,南岭镇,南岭村委会,finance,2026-02,2026-03-01,标题,,多出的列", "列数"),
    ],
)
def test_each_kind_of_bad_row_says_why(bureau, line, words):
    report = run(bureau, csv_bytes(line))
    assert words in report.errors[0].reason
    assert CommitteePosting.objects.count() == 0


def test_duplicate_ids_within_a_file(bureau):
    report = run(bureau, csv_bytes(GOOD[0], GOOD[0]))
    assert report.errors[0].row == 3 and "重复" in report.errors[0].reason


def test_unknown_columns_are_reported_and_missing_ones_refuse_the_file(bureau):
    report = run(bureau, csv_bytes(GOOD[0] + ",备注", header=HEADER + ",=cmd|' /C calc'!A0"))
    assert report.unknown_columns == ["=cmd|' /C calc'!A0"]
    assert report.as_dict()["unknown_columns"] == ["'=cmd|' /C calc'!A0"]
    assert len(report.created) == 1
    with pytest.raises(InvalidInput) as caught:
        services.csv_read("外部编号,标题\nA,B".encode())
    assert "居村委名称" in str(caught.value.message)


def test_formula_text_is_neutralised_when_echoed(bureau, client):
    b = bureau
    data = csv_bytes("=1+2,南岭镇,+SUM(A1),finance,2026-02,2026-03-02,标题,")
    report = run(b, data)
    shown = report.as_dict()["errors"][0]
    assert shown["external_id"] == "'=1+2"
    assert "'+SUM(A1)" in shown["reason"]
    # And on the page
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = verified_client(b["officer"]).post(
        "/staff/oversight/committees/import/",
        {"file": SimpleUploadedFile("sqt.csv", data, content_type="text/csv")},
    )
    assert page.status_code == 422
    body = page.content.decode()
    assert "&#x27;=1+2" in body and ">=1+2<" not in body


def test_the_page_imports_and_refuses_a_clerk(bureau):
    from django.core.files.uploadedfile import SimpleUploadedFile

    b = bureau
    url = "/staff/oversight/committees/import/"
    upload = SimpleUploadedFile("sqt.csv", csv_bytes(*GOOD), content_type="text/csv")
    assert verified_client(b["clerk"]).post(url, {"file": upload}).status_code == 403
    upload = SimpleUploadedFile("sqt.csv", csv_bytes(*GOOD), content_type="text/csv")
    response = verified_client(b["officer"]).post(url, {"file": upload})
    assert response.status_code == 200
    assert CommitteePosting.objects.count() == 3


API = "/api/oversight/committees/postings/import"
RECORDS = [
    {
        "external_id": "API-1",
        "subdistrict": "南岭镇",
        "committee": "南岭村委会",
        "item": "finance",
        "period": "2026-01",
        "posted_on": "2026-02-03",
        "title": "1月财务收支",
    },
    {
        "external_id": "API-2",
        "subdistrict": "南岭镇",
        "committee": "石桥村委会",
        "item": "finance",
        "period": "2026-01",
        "posted_on": "2026-02-04",
        "title": "1月财务收支",
        "content": "见附件",
    },
]
KEY = "sqt-batch-0001-abcdef"


def call(client, body, key=KEY):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(API, json.dumps(body), content_type="application/json", **headers)


def test_the_api_import_is_idempotent_by_key(bureau):
    client = verified_client(bureau["officer"])
    first = call(client, {"records": RECORDS})
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["created"] == 2 and answer["replayed"] is False
    again = call(client, {"records": RECORDS})
    assert again.status_code == 201
    assert {**again.json(), "replayed": False} == answer and again.json()["replayed"] is True
    assert CommitteePosting.objects.filter(source="api").count() == 2
    # Another key, same records: idempotent on external_id
    third = call(client, {"records": RECORDS}, key="sqt-batch-0002-abcdef")
    assert third.json()["created"] == 0 and third.json()["existing"] == 2
    # The first key with another body
    other = call(client, {"records": RECORDS[:1]})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_the_api_import_needs_a_key_and_refuses_bad_records(bureau):
    client = verified_client(bureau["officer"])
    missing = call(client, {"records": RECORDS}, key="")
    assert missing.status_code == 422 and missing.json()["code"] == "idempotency_key_required"
    bad = [{**RECORDS[0], "committee": "=不存在"}, RECORDS[1]]
    response = call(client, {"records": bad}, key="sqt-batch-0003-abcdef")
    assert response.status_code == 200
    assert response.json()["imported"] is False
    assert response.json()["errors"][0]["row"] == 1
    assert not CommitteePosting.objects.exists()
    # A refused batch is not remembered: fixed and sent again under the same key, it is taken
    fixed = call(client, {"records": RECORDS}, key="sqt-batch-0003-abcdef")
    assert fixed.status_code == 201 and fixed.json()["created"] == 2


def test_a_clerk_imports_only_the_own_committee(bureau):
    client = verified_client(bureau["clerk"])
    response = call(client, {"records": RECORDS, "only_valid": True})
    assert response.status_code == 201
    assert response.json()["created"] == 1
    assert "本居（村）委会" in response.json()["errors"][0]["reason"]
