"""The visits' pages: filing on the form, refusals with their status, who sees what, the roster
with the masked phone and its logged reveal, plans and scores, and constant query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.oversight.models import Finding, Mode, Supervisor, Visit
from fazhi.oversight.services import visits as services
from fazhi.oversight.tests.test_visit_services import World, jpeg
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role
from fazhi.testing.queries import assert_constant_queries


@pytest.fixture
def world(db):
    from fazhi.core.calendar import services as calendar_services

    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")
    return World()


def form_data(world, **changes):
    data = {
        "place": "婚姻登记处窗口",
        "department": str(world.window.pk),
        "subdistrict": "",
        "visited_on": world.today.isoformat(),
        "mode": Mode.UNANNOUNCED,
        "remarks": "",
        "problem": "",
    }
    for item, points in zip(world.items, (8, 9, 7, 10, 9), strict=True):
        data[f"score_{item.pk}"] = str(points)
    data.update(changes)
    return data


def test_a_supervisor_files_a_visit_with_a_problem_and_a_photo(world):
    client = verified_client(world.user)
    page = client.get("/staff/oversight/visits/new/")
    assert page.status_code == 200
    assert "服务态度" in page.content.decode()
    data = form_data(
        world, problem="窗口无人值守\n等候半小时。", photos=[jpeg("a.jpg"), jpeg("b.jpg")]
    )
    response = client.post("/staff/oversight/visits/new/", data)
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/oversight/visits/{visit.pk}/"
    assert (visit.total_points, visit.max_points, visit.photos.count()) == (43, 50, 2)
    finding = Finding.objects.get()
    assert visit.finding == finding and finding.evidence.count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "窗口无人值守" in detail and "待制定整改措施" in detail


def test_the_form_refuses_a_future_date_with_422(world):
    client = verified_client(world.user)
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    response = client.post("/staff/oversight/visits/new/", form_data(world, visited_on=tomorrow))
    assert response.status_code == 422
    assert "走访日期不能晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_form_refuses_a_date_before_the_term(world):
    client = verified_client(world.user)
    early = (world.term_start - timedelta(days=1)).isoformat()
    response = client.post("/staff/oversight/visits/new/", form_data(world, visited_on=early))
    assert response.status_code == 422
    assert "聘期" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_form_refuses_a_large_photo(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + bytes(11 * 1024 * 1024), "image/jpeg")
    client = verified_client(world.user)
    response = client.post(
        "/staff/oversight/visits/new/", form_data(world, problem="有问题", photos=[big])
    )
    assert response.status_code == 422
    assert "照片不能超过 10 MB" in response.content.decode()
    assert not Visit.objects.exists() and not Finding.objects.exists()


def test_the_form_refuses_a_score_out_of_range(world):
    client = verified_client(world.user)
    data = form_data(world, **{f"score_{world.items[0].pk}": "11"})
    response = client.post("/staff/oversight/visits/new/", data)
    assert response.status_code == 422
    assert not Visit.objects.exists()


def test_only_a_supervisor_on_the_roster_may_open_the_form(world):
    assert verified_client(world.officer).get("/staff/oversight/visits/new/").status_code == 403
    stray = user_with_role(Role.SUPERVISOR, agency=world.agency)
    assert verified_client(stray).get("/staff/oversight/visits/new/").status_code == 403


def test_the_legal_office_turns_remarks_into_a_finding_on_the_page(world):
    visit = world.file(remarks="叫号系统故障，无人处理。")
    client = verified_client(world.officer)
    page = client.get(f"/staff/oversight/visits/{visit.pk}/").content.decode()
    assert "转为问题" in page
    response = client.post(
        f"/staff/oversight/visits/{visit.pk}/finding/",
        {"title": "叫号系统故障", "description": "叫号系统故障，无人处理。", "severity": "minor"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.finding.title == "叫号系统故障" and visit.finding.severity == "minor"
    page = client.get(f"/staff/oversight/visits/{visit.pk}/").content.decode()
    assert f"/staff/oversight/findings/{visit.finding_id}/" in page
    # The leader reads but does not turn.
    leader_page = verified_client(world.leader).get(f"/staff/oversight/visits/{visit.pk}/")
    assert leader_page.status_code == 200
    assert (
        verified_client(world.leader)
        .post(f"/staff/oversight/visits/{visit.pk}/finding/", {"title": "x", "description": "x"})
        .status_code
        == 403
    )


def test_an_unannounced_visit_is_404_for_the_visited_department(world):
    visit = world.file()
    client = verified_client(world.head)
    assert client.get(f"/staff/oversight/visits/{visit.pk}/").status_code == 404
    assert "婚姻登记处窗口" not in client.get("/staff/oversight/visits/").content.decode()
    other_agency_officer = user_with_role(Role.LEGAL_OFFICER)
    assert (
        verified_client(other_agency_officer)
        .get(f"/staff/oversight/visits/{visit.pk}/")
        .status_code
        == 404
    )


def test_the_roster_shows_the_phone_masked_and_reveals_it_with_a_reason(world):
    client = verified_client(world.officer)
    page = client.get("/staff/oversight/visits/roster/").content.decode()
    assert "138****8000" in page and "13800138000" not in page
    refused = client.post(
        f"/staff/oversight/visits/roster/{world.supervisor.pk}/phone/", {"reason": ""}
    )
    assert refused.status_code == 422
    shown = client.post(
        f"/staff/oversight/visits/roster/{world.supervisor.pk}/phone/", {"reason": "通知走访安排"}
    )
    assert shown.status_code == 200 and "13800138000" in shown.content.decode()
    event = Event.objects.get(verb="identity.reveal")
    assert event.data["reason"] == "通知走访安排" and event.actor == world.officer
    # The leader sees the roster, masked, and may not reveal.
    leader = verified_client(world.leader)
    assert "138****8000" in leader.get("/staff/oversight/visits/roster/").content.decode()
    assert (
        leader.post(
            f"/staff/oversight/visits/roster/{world.supervisor.pk}/phone/", {"reason": "看看"}
        ).status_code
        == 403
    )
    # A supervisor does not see the roster.
    assert verified_client(world.user).get("/staff/oversight/visits/roster/").status_code == 403


def test_the_legal_office_adds_and_ends_a_supervisor(world):
    client = verified_client(world.officer)
    response = client.post(
        "/staff/oversight/visits/roster/",
        {
            "name": "陈委员",
            "kind": Supervisor.Kind.CPPCC,
            "workplace": "区政协委员",
            "phone": "13900139000",
            "term_start": world.term_start.isoformat(),
            "term_end": world.today.isoformat(),
            "user": "",
        },
    )
    assert response.status_code == 302
    added = Supervisor.objects.get(name="陈委员")
    assert added.phone.masked == "139****9000"
    bad = client.post(
        "/staff/oversight/visits/roster/",
        {"name": "", "kind": "x", "term_start": "", "term_end": ""},
    )
    assert bad.status_code == 422
    ended = client.post(
        f"/staff/oversight/visits/roster/{added.pk}/end/",
        {"ended_on": world.today.isoformat(), "reason": "任期届满"},
    )
    assert ended.status_code == 302
    added.refresh_from_db()
    assert added.active is False


def test_plans_page_by_month_with_done(world):
    month = world.today.replace(day=1)
    client = verified_client(world.officer)
    response = client.post(
        f"/staff/oversight/visits/plans/?month={month:%Y-%m}",
        {
            "month": f"{month:%Y-%m}",
            "supervisor": str(world.supervisor.pk),
            "place": "婚姻登记处窗口",
            "department": str(world.window.pk),
            "mode": Mode.UNANNOUNCED,
        },
    )
    assert response.status_code == 302
    plan = world.supervisor.plans.get()
    page = client.get(f"/staff/oversight/visits/plans/?month={month:%Y-%m}").content.decode()
    assert "未走访" in page
    world.file(plan=plan, place="", mode=None)
    page = client.get(f"/staff/oversight/visits/plans/?month={month:%Y-%m}").content.decode()
    assert "已走访" in page and "已完成 1 / 1" in page
    # The department visited does not see the unannounced plan.
    head_page = verified_client(world.head).get(
        f"/staff/oversight/visits/plans/?month={month:%Y-%m}"
    )
    assert f'data-plan="{plan.pk}"' not in head_page.content.decode()


def test_scores_page(world):
    world.file(scores=world.scores(10, 10, 10, 10, 5))
    page = verified_client(world.leader).get("/staff/oversight/visits/scores/").content.decode()
    assert "婚姻登记处" in page and "90.0" in page


def test_checklist_page_edits_items(world):
    client = verified_client(world.officer)
    item = world.items[0]
    response = client.post(
        "/staff/oversight/visits/checklist/",
        {"item": str(item.pk), "text": "服务态度与文明用语", "max_points": "20", "order": "1"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.text, item.max_points, item.active) == ("服务态度与文明用语", 20, False)


def test_the_visit_list_costs_the_same_queries_for_more_rows(world):
    client = verified_client(world.officer)

    def grow(n):
        for i in range(n):
            world.file(problem=f"问题{i}" if i % 2 else "")

    assert_constant_queries(lambda: client.get("/staff/oversight/visits/"), grow)


def test_the_plan_and_roster_pages_cost_the_same_queries_for_more_rows(world):
    client = verified_client(world.officer)
    month = world.today.replace(day=1)
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(counter)
            services.plan_add(
                actor=world.officer,
                agency=world.agency,
                month=month,
                supervisor=world.supervisor,
                place=f"窗口{i}",
                department=world.window,
            )
            services.supervisor_add(
                actor=world.officer,
                agency=world.agency,
                name=f"监督员{i}",
                kind=Supervisor.Kind.CITIZEN,
                phone="13800138000",
                term_start=world.term_start,
                term_end=world.today,
            )

    assert_constant_queries(
        lambda: (
            client.get(f"/staff/oversight/visits/plans/?month={month:%Y-%m}"),
            client.get("/staff/oversight/visits/roster/"),
        ),
        grow,
    )
