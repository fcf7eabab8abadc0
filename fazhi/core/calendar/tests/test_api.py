"""The public calendar API: JSON shape, provisional years, 422 with a code for bad input."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BASE = "/api/public/calendar"


@pytest.fixture
def api():
    return Client()


def test_add_workdays_answers_the_date_and_explains_it(schedule_2026, api):
    response = api.get(f"{BASE}/add-workdays", {"start": "2026-02-13", "days": "2"})
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-02-24",
        "provisional": False,
        "explanation": "2026年2月13日后第2个工作日为2026年2月24日（开始当日不计入）；"
        "期间的节假日：春节；调休上班日：2026年2月14日。",
    }


def test_a_date_in_2027_is_provisional(schedule_2026, api):
    body = api.get(f"{BASE}/add-workdays", {"start": "2026-12-10", "days": "20"}).json()
    assert body["date"] == "2027-01-07"
    assert body["provisional"] is True
    assert body["explanation"].endswith("2027年工作日安排尚未确认，按周一至周五计算，结果为暂定。")
    inside = api.get(f"{BASE}/add-workdays", {"start": "2027-03-01", "days": "0"}).json()
    assert (inside["date"], inside["provisional"]) == ("2027-03-01", True)


def test_workdays_between_answers_the_count(schedule_2026, api):
    response = api.get(f"{BASE}/workdays-between", {"start": "2025-12-31", "end": "2026-12-31"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["provisional"]) == (248, False)
    assert body["explanation"].startswith(
        "2025年12月31日（不含）至2026年12月31日（含）共有248个工作日"
    )
    later = api.get(f"{BASE}/workdays-between", {"start": "2026-12-31", "end": "2027-01-08"})
    assert later.json()["count"] == 6 and later.json()["provisional"] is True


def test_is_workday_names_the_day(schedule_2026, api):
    body = api.get(f"{BASE}/is-workday", {"date": "2026-10-01"}).json()
    assert body == {
        "date": "2026-10-01",
        "workday": False,
        "name": "国庆节",
        "provisional": False,
        "explanation": "2026年10月1日为休息日（国庆节）。",
    }


@pytest.mark.parametrize(
    ("path", "params", "code", "message"),
    [
        (
            "add-workdays",
            {"start": "2026/12/10", "days": "5"},
            "invalid_date",
            "开始日期格式不正确，应为 YYYY-MM-DD，例如 2026-12-10。",
        ),
        (
            "add-workdays",
            {"start": "2026-02-30", "days": "5"},
            "invalid_date",
            "开始日期格式不正确，应为 YYYY-MM-DD，例如 2026-12-10。",
        ),
        (
            "add-workdays",
            {"start": "2026-W50-4", "days": "5"},
            "invalid_date",
            "开始日期格式不正确，应为 YYYY-MM-DD，例如 2026-12-10。",
        ),
        (
            "add-workdays",
            {"start": "2026-12-10", "days": "-3"},
            "negative_days",
            "天数不能为负数。",
        ),
        (
            "add-workdays",
            {"start": "2026-12-10", "days": "3651"},
            "too_many_days",
            "天数不能超过3650天。",
        ),
        (
            "add-workdays",
            {"start": "2026-12-10", "days": "9" * 5000},
            "too_many_days",
            "天数不能超过3650天。",
        ),
        (
            "add-workdays",
            {"start": "2026-12-10", "days": "1.5"},
            "invalid_days",
            "天数应为整数，例如 20。",
        ),
        (
            "add-workdays",
            {"start": "1066-10-14", "days": "1"},
            "date_out_of_range",
            "开始日期应在1900年至2199年之间。",
        ),
        (
            "add-workdays",
            {"start": "2199-12-30", "days": "5"},
            "date_out_of_range",
            "日期应在1900年至2199年之间。",
        ),
        (
            "workdays-between",
            {"start": "2026-12-10", "end": "2026-12-01"},
            "end_before_start",
            "结束日期不能早于开始日期。",
        ),
        (
            "workdays-between",
            {"start": "2026-12-10", "end": "tomorrow"},
            "invalid_date",
            "结束日期格式不正确，应为 YYYY-MM-DD，例如 2026-12-10。",
        ),
        (
            "is-workday",
            {"date": ""},
            "invalid_date",
            "日期格式不正确，应为 YYYY-MM-DD，例如 2026-12-10。",
        ),
    ],
)
def test_bad_input_answers_422_with_a_code_and_a_chinese_message(
    db, api, path, params, code, message
):
    response = api.get(f"{BASE}/{path}", params)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == (code, message)


def test_a_missing_parameter_is_422(db, api):
    response = api.get(f"{BASE}/add-workdays", {"start": "2026-12-10"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["detail"][0]["field"] == "days"


def test_the_endpoints_are_in_the_openapi_schema(db, api):
    paths = api.get("/api/openapi.json").json()["paths"]
    assert {"/api/public/calendar/add-workdays", "/api/public/calendar/workdays-between"} <= set(
        paths
    )
