"""Review of issue 7's permissions, page by page and route by route (cases, centers,
appointments, ratings), for the roles of common.md and docs/services.md:

- roles without services work (outside supervisors, inspectors, advisers, committee clerks,
  the three administrators) get 403 on every staff page and API route;
- a district overseer reads but every write is refused (403) and changes nothing;
- the staff of another agency get 404 for every record of this one;
- anonymous visitors are sent to the login page (pages) or get 401 (API);
- every staff POST form needs its CSRF token.
"Changes nothing" is checked on the records and on the event log (only the refusal itself,
`access.*`, may be logged).
"""

from __future__ import annotations

import pytest
from django.test import Client

from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.services.models import ServiceCase, ServiceCenter
from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingToken
from fazhi.services.services import ratings as rating_services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    concluded_case,
    recording_sms_fixture,
    resident_id,
    schedule_fixture,
    token_of,
    world_fixture,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db

NO_SERVICES_ROLES = (
    Role.SUPERVISOR,
    Role.INSPECTOR,
    Role.LEGAL_ADVISER,
    Role.COMMITTEE_CLERK,
    Role.SYSADMIN,
    Role.SECADMIN,
    Role.AUDITOR,
)


@pytest.fixture(name="records")
def records_fixture(world, recording_sms):
    """A concluded case with a bad online rating (its follow-up awaiting the callback), a case
    under review, and the center."""
    case, links = concluded_case(world)
    reviewing, _links = concluded_case(world, conclude=False)
    rating = rating_services.rating_submit(
        channel="online",
        token=token_of(links["online"]),
        level=5,
        reasons=["slow"],
        comment="排队太久",
        real_name=True,
        rater_name="赵市民",
        rater_phone="13812345678",
    )
    return {"case": case, "reviewing": reviewing, "rating": rating, "center": world["center"]}


def _reads(r) -> list[str]:
    case, rating, center = r["case"].pk, r["rating"].pk, r["center"].pk
    return [
        "/staff/services/cases/",
        "/staff/services/cases/figures/",
        f"/staff/services/cases/{case}/",
        "/staff/services/centers/",
        f"/staff/services/centers/{center}/",
        "/staff/services/appointments/",
        "/staff/services/ratings/",
        "/staff/services/ratings/statistics/",
        "/staff/services/ratings/statistics/export/",
        f"/staff/services/ratings/{rating}/",
        "/api/services/cases/",
        f"/api/services/cases/{case}",
        "/api/services/cases/figures",
        "/api/services/centers/",
        f"/api/services/centers/{center}",
        f"/api/services/appointments/?center={center}",
        "/api/services/ratings/",
        f"/api/services/ratings/{rating}",
        "/api/services/ratings/statistics",
        "/api/services/ratings/appeals",
    ]


def _page_writes(r) -> dict[str, dict]:
    case, reviewing, rating = r["case"].pk, r["reviewing"].pk, r["rating"].pk
    center = r["center"].pk
    return {
        "/staff/services/cases/new/": {"applicant_name": "王"},
        "/staff/services/cases/lookup/": {"reason": "核对", "number": resident_id(1)},
        f"/staff/services/cases/{reviewing}/grant/": {"on": "2026-09-28"},
        f"/staff/services/cases/{reviewing}/urge/": {"comment": "请尽快"},
        f"/staff/services/cases/{case}/deliver/": {"on": "2026-09-28", "method": "counter"},
        f"/staff/services/cases/{case}/reveal/phone/": {"reason": "核对"},
        f"/staff/services/ratings/{rating}/callback/": {"note": "已回访"},
        f"/staff/services/ratings/{rating}/appeal/": {"reason": "恶意"},
        f"/staff/services/ratings/counter/{case}/": {"level": "1"},
        f"/staff/services/ratings/link/{case}/": {"channel": "online"},
        "/staff/services/centers/new/": {"name": "新中心", "address": "路"},
        f"/staff/services/centers/{center}/edit/": {"name": "改名", "address": "路"},
    }


def _api_writes(r, agency) -> dict[str, dict]:
    case, reviewing, rating = r["case"].pk, r["reviewing"].pk, r["rating"].pk
    return {
        "/api/services/cases/lookup": {"number": resident_id(1), "reason": "核对"},
        f"/api/services/cases/{reviewing}/grant": {},
        f"/api/services/cases/{reviewing}/urge": {},
        f"/api/services/cases/{case}/reveal": {"field": "phone", "reason": "核对"},
        f"/api/services/ratings/{rating}/actions/record_callback": {"note": "已回访"},
        f"/api/services/ratings/{rating}/appeals": {"reason": "恶意"},
        "/api/services/ratings/counter": {"case": str(case), "level": 1},
        "/api/services/ratings/links": {"case": str(case), "channel": "online"},
        "/api/services/centers/": {
            "agency": str(agency.pk),
            "name": "新中心",
            "address": "路",
            "morning_opens": "09:00",
            "morning_closes": "11:30",
        },
    }


def _state(world, r) -> tuple:
    """What a refused write must leave as it was."""
    return (
        list(ServiceCase.objects.order_by("pk").values_list("state", "handler_id")),
        list(Rating.objects.order_by("pk").values_list("pk", "level")),
        list(BadReviewFollowUp.objects.order_by("pk").values_list("state", "callback_note")),
        list(RatingToken.objects.order_by("pk").values_list("token_hash", flat=True)),
        list(ServiceCenter.objects.order_by("pk").values_list("name", flat=True)),
        Event.objects.exclude(verb__startswith="access.").count(),
    )


@pytest.mark.parametrize("role", NO_SERVICES_ROLES)
def test_roles_without_services_work_are_refused_everywhere(world, records, role):
    user = user_with_role(role, agency=world["agency"])
    client = verified_client(user)
    before = _state(world, records)
    for url in _reads(records):
        assert client.get(url).status_code == 403, url
    for url, data in _page_writes(records).items():
        assert client.post(url, data).status_code == 403, url
    for url, body in _api_writes(records, world["agency"]).items():
        assert client.post(url, body, content_type="application/json").status_code == 403, url
    assert _state(world, records) == before


def test_a_district_overseer_reads_and_never_writes(world, records):
    client = verified_client(world["overseer"])
    for url in _reads(records):
        assert client.get(url).status_code == 200, url
    before = _state(world, records)  # after the reads: the export is rightly on the record
    for url, data in _page_writes(records).items():
        assert client.post(url, data).status_code == 403, url
    for url, body in _api_writes(records, world["agency"]).items():
        status = client.post(url, body, content_type="application/json").status_code
        # the agency named in a new center is not one the overseer writes in: 404, as missing
        assert status == (404 if url == "/api/services/centers/" else 403), url
    assert _state(world, records) == before


@pytest.mark.parametrize("who", ["stranger", "stranger_officer"])
def test_another_agencys_staff_get_404_for_every_record(world, records, who):
    client = verified_client(world[who])
    before = _state(world, records)
    case, rating, center = records["case"].pk, records["rating"].pk, records["center"].pk
    for url in (
        f"/staff/services/cases/{case}/",
        f"/staff/services/centers/{center}/",
        f"/staff/services/centers/{center}/edit/",
        f"/staff/services/ratings/{rating}/",
        f"/staff/services/ratings/counter/{case}/",
        f"/api/services/cases/{case}",
        f"/api/services/centers/{center}",
        f"/api/services/appointments/?center={center}",
        f"/api/services/ratings/{rating}",
        f"/api/services/ratings/?agency={world['agency'].pk}",
        f"/api/services/cases/?agency={world['agency'].pk}",
        f"/staff/services/cases/?agency={world['agency'].pk}",
        f"/staff/services/ratings/?agency={world['agency'].pk}",
    ):
        assert client.get(url).status_code == 404, url
    writes = {
        url: data
        for url, data in _page_writes(records).items()
        if not url.endswith(("/new/", "/lookup/"))
    }
    for url, data in writes.items():
        assert client.post(url, data).status_code == 404, url
    api = _api_writes(records, world["agency"])
    del api["/api/services/cases/lookup"]
    for url, body in api.items():
        assert client.post(url, body, content_type="application/json").status_code == 404, url
    assert _state(world, records) == before


def test_anonymous_visitors_go_to_the_login_page_or_get_401(world, records):
    anonymous = Client()
    for url in _reads(records):
        response = anonymous.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.json()["code"] == "unauthenticated"
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url


def test_every_staff_post_form_needs_its_csrf_token(world, records):
    client = verified_client(world["officer"])
    client.handler.enforce_csrf_checks = True
    before = _state(world, records)
    for url, data in _page_writes(records).items():
        assert client.post(url, data).status_code == 403, url
    assert _state(world, records) == before


def test_a_session_api_post_without_csrf_token_is_refused(world, records):
    client = verified_client(world["officer"])
    client.handler.enforce_csrf_checks = True
    response = client.post(
        f"/api/services/cases/{records['reviewing'].pk}/urge", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_a_session_api_post_with_the_csrf_token_passes_the_check(world, records):
    # Given a signed-in browser that has the CSRF cookie from a staff page
    client = verified_client(world["officer"])
    client.handler.enforce_csrf_checks = True
    client.get("/staff/services/cases/")
    token = client.cookies["csrftoken"].value
    # When it posts to the API with the token in the header, as the pages' scripts would
    response = client.post(
        f"/api/services/cases/{records['reviewing'].pk}/urge",
        {},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    # Then the CSRF check lets it through (what follows is the action's own answer)
    assert response.status_code != 403 or response.json()["code"] != "csrf_failed"


def test_a_role_without_the_right_gets_403_before_its_input_is_read(world, records):
    # Given a case under review and a bad rating awaiting the callback
    reviewing, rating = records["reviewing"].pk, records["rating"].pk
    before = _state(world, records)
    cases = {
        # the leader reads both but neither decides cases nor handles the follow-up
        ("leader", f"/staff/services/cases/{reviewing}/grant/"): {"on": "2026-02-30"},
        ("leader", f"/staff/services/ratings/{rating}/callback/"): {"called_back_on": "x"},
        ("leader", f"/staff/services/ratings/{rating}/appeal/"): {},
        # the clerk handles but does not decide; the head decides but does not handle
        ("clerk", f"/staff/services/cases/{reviewing}/grant/"): {},
        ("clerk", f"/staff/services/cases/{reviewing}/urge/"): {},
        ("head", f"/staff/services/cases/{reviewing}/request_supplement/"): {},
        ("clerk", f"/staff/services/ratings/{rating}/decide/"): {"decision": "maybe"},
    }
    for (who, url), data in cases.items():
        # When they post malformed input to a step they may not take
        response = verified_client(world[who]).post(url, data)
        # Then the answer is 403 (it was 422: the form was read first), and nothing changed
        assert response.status_code == 403, (who, url)
    assert _state(world, records) == before
