"""Review of issue 7's services pages and API: bad input answers a Chinese 4xx, never a 500.

Each test names the defect it guards against (found by the review, fixed in views/ or api/):
- a `next` address that is a bare word made `redirect()` look for a view of that name (500);
- NUL in the case search reached PostgreSQL, which refuses it (500 there; see
  test_review_postgres.py for the same request on PostgreSQL);
- the ratings API read a filter it could not parse as "no filter" (a typo answered with the
  whole list) — now 422 like the cases API;
- list pages answered a POST like a GET;
- the page and the API answer that show a full number could be kept by a cache;
- registering from an appointment of the user's second agency answered 404;
- the registration and step forms were labelled at import time (gettext, not gettext_lazy),
  so a page in another language kept the labels of the language active at start-up.
Plus a sweep of malformed values over every list's filters, which must all stay below 500.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.services.models import ServiceCase
from fazhi.services.models.ratings import RatingToken
from fazhi.services.tests.conftest import published_item
from fazhi.services.tests.test_cases_setup import (  # noqa: F401 - fixtures
    center_for,
    checked_in_appointment,
    office_fixture,
    register,
    resident_id,
)
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    concluded_case,
    recording_sms_fixture,
    schedule_fixture,
    world_fixture,
)
from fazhi.services.views import cases as case_views
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    MembershipFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

MALFORMED = (
    "abc",
    "-1",
    "99999999999999999999999",
    "2026-02-30",
    "99999-01-01",
    "1\x00",
    "１２",
    "x" * 3000,
)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- Re-sending a rating link with a bad `next` ---------------------------------------------------


@pytest.mark.parametrize(
    "next_value",
    ["abc", "0", "services:ratings", "//evil.example/x", "https://evil.example/", "/\\evil"],
)
def test_a_bad_next_address_on_resending_a_link_goes_back_to_the_case_page(
    world, recording_sms, next_value
):
    # Given a concluded case and its online link
    case, _links = concluded_case(world)
    old = RatingToken.objects.get(case=case, channel="online").token_hash
    clerk = verified_client(world["clerk"])
    # When the counter asks for a new link with a `next` that is not a path of this site
    response = clerk.post(
        reverse("services:rating_link", args=[case.pk]), {"channel": "online", "next": next_value}
    )
    # Then the link is issued again and the answer goes back to the case page (it was a 500)
    assert response.status_code == 302
    assert response["Location"] == reverse("services:case", args=[case.pk])
    assert RatingToken.objects.get(case=case, channel="online").token_hash != old


def test_a_path_of_this_site_as_next_is_followed(world, recording_sms):
    case, _links = concluded_case(world)
    target = reverse("services:ratings")
    response = verified_client(world["clerk"]).post(
        reverse("services:rating_link", args=[case.pk]), {"channel": "online", "next": target}
    )
    assert (response.status_code, response["Location"]) == (302, target)


# --- NUL in the case search -------------------------------------------------------------------


def test_nul_in_the_case_search_is_dropped_on_the_page_and_refused_by_the_api(office):
    # Given a case of 王小明
    case = register(office, seq=1)
    officer = verified_client(office["officer"])
    # When the list is searched for "王" followed by NUL
    page = officer.get("/staff/services/cases/", {"q": "王\x00"})
    # Then the page searches for "王" (the NUL dropped) and finds the case
    assert page.status_code == 200
    assert f'data-case="{case.pk}"' in page.content.decode()
    # And the API refuses the search with a Chinese 422
    api = officer.get("/api/services/cases/", {"q": "王\x00"})
    assert api.status_code == 422
    assert api.json()["code"] == "bad_filter"
    assert api.json()["message"] == "查询内容不能包含控制字符。"


# --- Filters of the ratings API that cannot be read --------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/services/ratings/", {"department": "abc"}, "department"),
        ("/api/services/ratings/", {"center": "1x"}, "center"),
        ("/api/services/ratings/", {"item": "-3"}, "item"),
        ("/api/services/ratings/", {"bad": "maybe"}, "bad"),
        ("/api/services/ratings/", {"appeal": "approved"}, "appeal"),
        ("/api/services/ratings/statistics", {"year": "abc"}, "year"),
        ("/api/services/ratings/statistics", {"year": "99999"}, "year"),
        ("/api/services/ratings/statistics", {"department": "abc"}, "department"),
        ("/api/public/services/ratings/figures", {"year": "abc"}, "year"),
    ],
)
def test_an_unreadable_ratings_filter_is_422_not_ignored(world, url, params, field):
    response = verified_client(world["officer"]).get(url, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "bad_filter" and _is_chinese(body["message"])
    assert body["detail"] == {"fields": [field]}


def test_readable_ratings_filters_still_answer(world):
    officer = verified_client(world["officer"])
    for params in ({"bad": "true"}, {"bad": "0"}, {"appeal": "pending"}, {"department": ""}):
        assert officer.get("/api/services/ratings/", params).status_code == 200
    assert officer.get("/api/services/ratings/statistics", {"year": "2026"}).status_code == 200


# --- Lists answer GET only ----------------------------------------------------------------------


def test_list_pages_refuse_a_post(office):
    officer = verified_client(office["officer"])
    center = office["center"]
    for url in (
        reverse("services:centers"),
        reverse("services:center", args=[center.pk]),
        reverse("services:appointments"),
        reverse("services:cases"),
        reverse("services:ratings"),
    ):
        assert officer.post(url, {}).status_code == 405, url


# --- A full number is never cached ------------------------------------------------------------


def test_the_answers_showing_a_full_number_are_not_cached(office):
    case = register(office, seq=3)
    officer = verified_client(office["officer"])
    page = officer.post(
        reverse("services:case_reveal", args=[case.pk, "resident_id"]), {"reason": "核对身份"}
    )
    assert page.status_code == 200 and resident_id(3) in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    api = officer.post(
        f"/api/services/cases/{case.pk}/reveal",
        {"field": "resident_id", "reason": "核对身份"},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["value"] == resident_id(3)
    assert "no-store" in api["Cache-Control"]


# --- Registering from an appointment of the user's second agency --------------------------------


def test_registering_from_an_appointment_of_the_second_agency_finds_that_agency(office):
    # Given a clerk of the bureau who is also a clerk of a second agency (created later)
    second = AgencyFactory(short_name="二民")
    clerk = office["clerk"]
    MembershipFactory(
        user=clerk, agency=second, role=Role.CLERK, department=DepartmentFactory(agency=second)
    )
    assert second.pk > office["agency"].pk
    # And a checked-in appointment at the second agency's center (the day list links it alone)
    bureau = {
        "agency": second,
        "officer": user_with_role(Role.LEGAL_OFFICER, agency=second),
        "relief": DepartmentFactory(agency=second, name="救助科"),
    }
    item = published_item(bureau, code="301", name="临时救助申请")
    appointment = checked_in_appointment(second, center_for(second), item, number=resident_id(31))
    client = verified_client(clerk)
    url = f"{reverse('services:case_new')}?appointment={appointment.pk}"
    # When the clerk opens the link of the day list
    page = client.get(url)
    # Then the page opens for the second agency, prefilled (it was a 404)
    assert page.status_code == 200
    assert 'id="appointment-id"' in page.content.decode()
    # And registering makes the case in the second agency, from the appointment
    today = timezone.localdate().isoformat()
    response = client.post(url, {"applicant_name": "王小明", "received_on": today})
    assert response.status_code == 302
    case = ServiceCase.objects.get(appointment=appointment)
    assert (case.agency_id, case.channel) == (second.pk, "appointment")


# --- Labels are translated per request ----------------------------------------------------------


def test_the_case_forms_are_labelled_lazily():
    forms_ = [
        case_views.RegisterForm,
        case_views.LookupForm,
        case_views.TransferForm,
        case_views.UrgeForm,
        *case_views.STEP_FORMS.values(),
    ]
    for form in forms_:
        for name, field in form.base_fields.items():
            assert isinstance(field.label, Promise), (form.__name__, name)
            assert not field.help_text or isinstance(field.help_text, Promise), (form, name)


# --- Malformed filters on every list stay below 500 ----------------------------------------------

LISTS = {
    "/staff/services/cases/": ("state", "department", "item", "from", "to", "q", "after", "before"),
    "/staff/services/cases/figures/": ("year", "agency"),
    "/staff/services/centers/": ("agency",),
    "/staff/services/appointments/": ("center", "day", "item", "state"),
    "/staff/services/ratings/": ("level", "department", "year", "month", "follow_up", "page"),
    "/staff/services/ratings/statistics/": ("year", "by", "month", "center"),
    "/api/services/cases/": ("state", "overdue", "received_from", "q", "cursor", "limit"),
    "/api/services/cases/figures": ("year", "agency"),
    "/api/services/centers/": ("agency", "cursor", "limit"),
    "/api/services/ratings/": ("level", "year", "month", "follow_up", "cursor", "limit"),
    "/api/services/ratings/appeals": ("state", "cursor", "limit"),
    "/api/public/services/appointments/centers": ("agency", "cursor", "limit"),
}


def test_malformed_filters_never_answer_5xx(world):
    officer = verified_client(world["officer"])
    officer.raise_request_exception = False
    found = []
    for url, params in LISTS.items():
        for param in params:
            for value in MALFORMED:
                response = officer.get(url, {param: value})
                if response.status_code >= 500:
                    found.append((url, param, value[:20], response.status_code))
                elif url.startswith("/api/") and response.status_code >= 400:
                    assert _is_chinese(response.json()["message"]), (url, param, value)
    assert found == []


def test_nothing_is_written_by_a_refused_registration(office):
    before = (ServiceCase.objects.count(), Event.objects.count())
    response = verified_client(office["clerk"]).post(
        "/api/services/cases/",
        {"item": str(office["item"].pk), "channel": "counter", "applicant_name": "王\x00"},
        content_type="application/json",
    )
    assert response.status_code == 422 and _is_chinese(response.json()["message"])
    assert (ServiceCase.objects.count(), Event.objects.count()) == before


# --- Malformed bodies on every POST route of the API ---------------------------------------------


def test_malformed_api_bodies_answer_a_chinese_4xx(world, recording_sms):
    case, _links = concluded_case(world)
    rating = "999999"
    posts = [
        "/api/services/cases/",
        "/api/services/cases/lookup",
        f"/api/services/cases/{case.pk}/accept",
        f"/api/services/cases/{case.pk}/deliver",
        f"/api/services/cases/{case.pk}/reveal",
        "/api/services/centers/",
        f"/api/services/centers/{world['center'].pk}/items",
        f"/api/services/ratings/{rating}/actions/verify",
        "/api/services/ratings/counter",
        "/api/services/ratings/links",
        "/api/public/services/appointments/bookings",
        "/api/public/services/appointments/bookings/lookup",
        "/api/public/services/ratings/check",
        "/api/public/services/ratings/submit",
    ]
    officer = verified_client(world["officer"])
    bodies = [
        ("[1, 2]", "application/json"),
        ("null", "application/json"),
        ("{", "application/json"),
        ('{"reason": "\\u0000", "level": 99999999999999999999}', "application/json"),
        ("a=b", "application/x-www-form-urlencoded"),
        ("<x/>", "text/xml"),
    ]
    for url in posts:
        for body, content_type in bodies:
            response = officer.post(url, body, content_type=content_type)
            assert 400 <= response.status_code < 500, (url, body, response.status_code)
            if body in ("{", "a=b", "<x/>"):
                # A body ninja cannot parse: 400 with the project's Chinese message.
                assert response.status_code == 400, (url, body)
                assert response.json()["code"] == "unparsable_body", (url, body)
            assert _is_chinese(response.json()["message"]), (url, body)
    # ids in the address that are not ids
    for url in (
        "/api/services/cases/abc/accept",
        "/api/services/cases/99999999999999999999999",
        "/api/services/centers/-1",
        "/api/services/appointments/1e3",
        "/api/services/ratings/%20",
    ):
        if url.endswith("/accept"):
            response = officer.post(url, {}, content_type="application/json")
        else:
            response = officer.get(url)
        assert response.status_code == 404, url
        assert response.json()["message"] == "记录不存在或您无权查看。"
