"""Supervisors, plans and visits through their services: who may file, what is refused, and the
finding a written problem opens for the department visited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from fazhi.core.agency_settings import setting_set
from fazhi.core.calendar import services as calendar_services
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files.models import StoredFile
from fazhi.core.identity.protected import Protected
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.oversight.models import Finding, Mode, Rectification, Source, Supervisor, Visit
from fazhi.oversight.selectors import visits as selectors
from fazhi.oversight.services import visits as services
from fazhi.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    SubdistrictFactory,
    user_with_role,
)

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
ITEMS = ["服务态度", "办事效率", "窗口环境", "公示公开", "廉洁自律"]


def jpeg(name="现场.jpg", size=2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG_HEAD + b"\x00" * (size - len(JPEG_HEAD)), "image/jpeg")


class World:
    """A bureau with a window department, a subdistrict, its legal office, a supervisor with an
    account and a term from last year, and the five checklist items of 10 points."""

    def __init__(self):
        today = timezone.localdate()
        self.today = today
        self.agency = AgencyFactory(short_name="示民")
        self.window = DepartmentFactory(agency=self.agency, name="婚姻登记处")
        self.other_department = DepartmentFactory(agency=self.agency, name="社会救助科")
        self.subdistrict = SubdistrictFactory(agency=self.agency, name="东湖街道")
        self.officer = user_with_role(Role.LEGAL_OFFICER, agency=self.agency, display_name="王法制")
        self.leader = user_with_role(Role.LEADER, agency=self.agency)
        self.head = user_with_role(Role.DEPARTMENT_HEAD, agency=self.agency, department=self.window)
        self.user = user_with_role(Role.SUPERVISOR, agency=self.agency, display_name="吴监督")
        self.term_start = date(today.year - 1, 1, 1)
        self.supervisor = services.supervisor_add(
            actor=self.officer,
            agency=self.agency,
            name="吴监督",
            kind=Supervisor.Kind.DEPUTY,
            workplace="区人大代表",
            phone="13800138000",
            term_start=self.term_start,
            term_end=date(today.year + 1, 12, 31),
            user=self.user,
        )
        self.items = [
            services.checklist_item_save(actor=self.officer, agency=self.agency, text=text)
            for text in ITEMS
        ]

    def scores(self, *points):
        points = points or (8, 9, 7, 10, 9)
        return {item.pk: p for item, p in zip(self.items, points, strict=True)}

    def file(self, **kwargs):
        values = {
            "actor": self.user,
            "visited_on": self.today,
            "department": self.window,
            "place": "婚姻登记处窗口",
            "mode": Mode.UNANNOUNCED,
            "scores": self.scores(),
        }
        values.update(kwargs)
        return services.visit_file(**values)


@pytest.fixture(autouse=True)
def schedule(db):
    calendar_services.calendar_import(years=[2025, 2026], actor_name="test")


@pytest.fixture
def world(db):
    return World()


# --- The roster ----------------------------------------------------------------------------------


def test_the_roster_keeps_the_phone_encrypted_and_masked(world):
    supervisor = Supervisor.objects.get(pk=world.supervisor.pk)
    assert isinstance(supervisor.phone, Protected)
    assert supervisor.phone.masked == "138****8000"
    event = Event.objects.get(verb="oversight.visits.supervisor_add")
    assert "13800138000" not in str(event.data)


def test_only_the_legal_office_keeps_the_roster(world):
    with pytest.raises(NotAllowed):
        services.supervisor_add(
            actor=world.leader,
            agency=world.agency,
            name="某某",
            kind=Supervisor.Kind.CITIZEN,
            term_start=world.today,
            term_end=world.today,
        )
    assert Supervisor.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"phone": "12345"}, None),
        ({"term_end": date(2020, 1, 1)}, "term_order"),
        ({"kind": "mayor"}, "kind_invalid"),
        ({"name": "  "}, "name_required"),
    ],
)
def test_bad_roster_input_is_refused(world, change, code):
    values = {
        "name": "陈代表",
        "kind": Supervisor.Kind.CPPCC,
        "term_start": date(2025, 1, 1),
        "term_end": date(2026, 12, 31),
        **change,
    }
    with pytest.raises(InvalidInput) as refused:
        services.supervisor_add(actor=world.officer, agency=world.agency, **values)
    if code:
        assert refused.value.code == code
    assert Supervisor.objects.count() == 1


def test_an_account_without_the_supervisor_role_cannot_be_linked(world):
    with pytest.raises(InvalidInput) as refused:
        services.supervisor_add(
            actor=world.officer,
            agency=world.agency,
            name="张科长",
            kind=Supervisor.Kind.OTHER,
            term_start=world.term_start,
            term_end=world.today,
            user=world.head,
        )
    assert refused.value.code == "user_not_supervisor"


def test_ending_a_term_stops_filing_but_keeps_the_visits(world):
    visit = world.file(visited_on=world.today - timedelta(days=3))
    with pytest.raises(InvalidInput) as refused:
        services.supervisor_end_term(
            actor=world.officer,
            supervisor=world.supervisor,
            ended_on=world.today - timedelta(days=5),
        )
    assert refused.value.code == "date_before_visit"
    ended = services.supervisor_end_term(actor=world.officer, supervisor=world.supervisor)
    assert (ended.active, ended.term_end) == (False, world.today)
    with pytest.raises(NotAllowed):
        world.file()
    assert list(Visit.objects.all()) == [visit]


# --- Filing a visit ------------------------------------------------------------------------------


def test_a_visit_stores_its_scores_and_points(world):
    visit = world.file(scores=world.scores(8, 9, 7, 10, 0))
    assert (visit.total_points, visit.max_points) == (34, 50)
    assert sorted(visit.scores.values_list("points", flat=True)) == [0, 7, 8, 9, 10]
    assert visit.finding is None
    assert visit.supervisor == world.supervisor
    assert Event.objects.filter(verb="oversight.visits.file", target_id=str(visit.pk)).count() == 1


def test_a_problem_opens_a_finding_for_the_department_with_the_photos(world):
    visit = world.file(
        subdistrict=world.subdistrict,
        problem="窗口工作人员上班时间玩手机\n群众等候二十分钟无人接待。",
        remarks="建议加强考勤管理。",
        photos=[jpeg("现场一.jpg"), jpeg("现场二.jpg", 4096)],
    )
    finding = Finding.objects.get()
    assert visit.finding == finding
    assert finding.source == Source.VISIT
    assert finding.source_ref == f"oversight.visit:{visit.pk}"
    assert finding.title == "窗口工作人员上班时间玩手机"
    assert finding.description.startswith("窗口工作人员上班时间玩手机\n群众等候二十分钟无人接待。")
    assert "建议加强考勤管理。" in finding.description
    assert (finding.department, finding.subdistrict) == (world.window, world.subdistrict)
    assert finding.found_on == world.today
    assert sorted(f.original_name for f in finding.evidence.all()) == ["现场一.jpg", "现场二.jpg"]
    assert set(finding.evidence.all()) == set(visit.photos.all())
    assert finding.rectification.state == Rectification.State.AWAITING_MEASURES


def test_the_finding_title_is_cut_to_sixty_characters(world):
    visit = world.file(problem="问" * 80)
    assert visit.finding.title == "问" * 60
    assert visit.finding.description == "问" * 80


def test_a_future_date_is_refused_and_nothing_is_saved(world):
    with pytest.raises(InvalidInput) as refused:
        world.file(visited_on=world.today + timedelta(days=1), problem="有问题", photos=[jpeg()])
    assert refused.value.code == "date_in_future"
    assert str(refused.value.message) == "走访日期不能晚于今天。"
    assert (Visit.objects.count(), Finding.objects.count(), StoredFile.objects.count()) == (0, 0, 0)


def test_a_date_before_the_term_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        world.file(visited_on=world.term_start - timedelta(days=1))
    assert refused.value.code == "date_before_term"
    assert "聘期" in str(refused.value.message)
    assert Visit.objects.count() == 0


def test_a_fifty_megabyte_photo_is_refused_and_nothing_is_saved(world):
    big = SimpleUploadedFile("大图.jpg", JPEG_HEAD + bytes(50 * 1024 * 1024), "image/jpeg")
    with pytest.raises(InvalidInput) as refused:
        world.file(problem="窗口无人", photos=[jpeg(), big])
    assert refused.value.code == "photo_too_large"
    assert "10 MB" in str(refused.value.message)
    assert (Visit.objects.count(), Finding.objects.count(), StoredFile.objects.count()) == (0, 0, 0)


def test_the_photo_limit_is_the_agency_setting(world):
    setting_set(
        actor=world.officer, agency=world.agency, key=services.PHOTO_SETTING, value=1, reason="试"
    )
    with pytest.raises(InvalidInput) as refused:
        world.file(photos=[jpeg(size=2 * 1024 * 1024)])
    assert "1 MB" in str(refused.value.message)
    assert world.file(photos=[jpeg(size=512 * 1024)]).photos.count() == 1


def test_a_file_that_is_not_an_image_is_refused(world):
    fake = SimpleUploadedFile("照片.jpg", b"%PDF-1.4 not a photo", "image/jpeg")
    with pytest.raises(InvalidInput):
        world.file(photos=[fake])
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("points", [(11, 9, 7, 10, 9), (-1, 9, 7, 10, 9), ("x", 9, 7, 10, 9)])
def test_a_score_out_of_range_is_refused(world, points):
    with pytest.raises(InvalidInput) as refused:
        world.file(scores=world.scores(*points))
    assert refused.value.code == "score_out_of_range"
    assert Visit.objects.count() == 0


def test_every_item_must_be_scored(world):
    scores = world.scores()
    scores.pop(world.items[2].pk)
    with pytest.raises(InvalidInput) as refused:
        world.file(scores=scores)
    assert refused.value.code == "score_required"
    assert "窗口环境" in str(refused.value.message)


def test_the_department_visited_is_required(world):
    with pytest.raises(InvalidInput) as refused:
        world.file(department=None)
    assert refused.value.code == "department_required"


def test_a_supervisor_cannot_file_for_someone_else(world):
    other_user = user_with_role(Role.SUPERVISOR, agency=world.agency)
    other = services.supervisor_add(
        actor=world.officer,
        agency=world.agency,
        name="李监督",
        kind=Supervisor.Kind.CITIZEN,
        term_start=world.term_start,
        term_end=world.today,
        user=other_user,
    )
    with pytest.raises(NotAllowed):
        world.file(supervisor=other)
    # Nor may the legal office, nor a supervisor account without a roster entry.
    with pytest.raises(NotAllowed):
        world.file(actor=world.officer)
    with pytest.raises(NotAllowed):
        world.file(actor=user_with_role(Role.SUPERVISOR, agency=world.agency))
    assert Visit.objects.count() == 0


def test_a_photo_uploaded_by_someone_else_is_refused(world):
    from fazhi.core.files.services import file_store

    stranger_photo = file_store(
        actor=world.officer, agency=world.agency, upload=jpeg(), purpose=services.PHOTO_PURPOSE
    )
    with pytest.raises(InvalidInput) as refused:
        world.file(photo_files=[stranger_photo])
    assert refused.value.code == "photo_invalid"


def test_filing_against_a_plan_takes_its_place_and_marks_it_done(world):
    month = world.today.replace(day=1)
    plan = services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=month,
        supervisor=world.supervisor,
        place="东湖街道社区事务受理服务中心",
        department=world.window,
        subdistrict=world.subdistrict,
        mode=Mode.OPEN,
    )
    visit = world.file(plan=plan, place="", department=None, mode=None)
    assert (visit.place, visit.department, visit.subdistrict, visit.mode) == (
        plan.place,
        world.window,
        world.subdistrict,
        Mode.OPEN,
    )
    (row,) = selectors.month_plans(world.officer, month)
    assert row.done is True
    with pytest.raises(Conflict):
        services.plan_remove(actor=world.officer, plan=plan)


def test_the_legal_office_turns_remarks_into_a_finding(world):
    visit = world.file(remarks="等候区座椅不足，老人站着排队。", photos=[jpeg()])
    assert visit.finding is None
    with pytest.raises(NotAllowed):
        services.visit_open_finding(actor=world.leader, visit=visit)
    turned = services.visit_open_finding(actor=world.officer, visit=visit)
    finding = turned.finding
    assert finding.title == "等候区座椅不足，老人站着排队。"
    assert finding.department == world.window
    assert finding.evidence.count() == 1
    with pytest.raises(Conflict):
        services.visit_open_finding(actor=world.officer, visit=turned)
    assert Finding.objects.count() == 1


def test_a_visit_without_remarks_cannot_be_turned_into_a_finding(world):
    visit = world.file()
    with pytest.raises(InvalidInput):
        services.visit_open_finding(actor=world.officer, visit=visit)
    assert Finding.objects.count() == 0


# --- Plans and who sees them ---------------------------------------------------------------------


def test_an_unannounced_plan_is_hidden_from_the_visited_department(world):
    month = world.today.replace(day=1)
    secret = services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=month,
        supervisor=world.supervisor,
        place="婚姻登记处窗口",
        department=world.window,
        mode=Mode.UNANNOUNCED,
    )
    announced = services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=month,
        supervisor=world.supervisor,
        place="婚姻登记处档案室",
        department=world.window,
        mode=Mode.OPEN,
    )
    assert set(selectors.plans_for(world.officer)) == {secret, announced}
    assert set(selectors.plans_for(world.leader)) == {secret, announced}
    assert set(selectors.plans_for(world.user)) == {secret, announced}
    assert list(selectors.plans_for(world.head)) == [announced]
    with pytest.raises(Http404):
        selectors.access_plan(world.head, secret.pk)
    # Their visits alike: the department never learns of the unannounced one.
    hidden = world.file(plan=secret, place="", mode=None)
    shown = world.file(plan=announced, place="", mode=None)
    assert (hidden.mode, shown.mode) == (Mode.UNANNOUNCED, Mode.OPEN)
    assert list(selectors.visits_for(world.head)) == [shown]
    with pytest.raises(Http404):
        selectors.access_visit(world.head, hidden.pk)


def test_a_supervisor_sees_only_their_own_plans(world):
    other_user = user_with_role(Role.SUPERVISOR, agency=world.agency)
    other = services.supervisor_add(
        actor=world.officer,
        agency=world.agency,
        name="李监督",
        kind=Supervisor.Kind.CITIZEN,
        term_start=world.term_start,
        term_end=date(world.today.year, 12, 31),
        user=other_user,
    )
    month = world.today.replace(day=1)
    mine = services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=month,
        supervisor=world.supervisor,
        place="甲",
        department=world.window,
    )
    theirs = services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=month,
        supervisor=other,
        place="乙",
    )
    assert list(selectors.plans_for(world.user)) == [mine]
    assert list(selectors.plans_for(other_user)) == [theirs]


def test_plans_refuse_a_supervisor_out_of_term_and_duplicates(world):
    month = date(world.term_start.year - 1, 6, 1)
    with pytest.raises(InvalidInput) as refused:
        services.plan_add(
            actor=world.officer,
            agency=world.agency,
            month=month,
            supervisor=world.supervisor,
            place="甲",
        )
    assert refused.value.code == "supervisor_not_in_term"
    this_month = world.today.replace(day=1)
    services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=this_month,
        supervisor=world.supervisor,
        place="甲",
    )
    with pytest.raises(InvalidInput) as duplicate:
        services.plan_add(
            actor=world.officer,
            agency=world.agency,
            month=this_month,
            supervisor=world.supervisor,
            place="甲",
        )
    assert duplicate.value.code == "plan_duplicate"


def test_other_agencies_see_nothing(world):
    world.file()
    stranger = user_with_role(Role.LEGAL_OFFICER)
    assert not selectors.visits_for(stranger).exists()
    assert not selectors.supervisors_for(stranger).exists()


def test_department_scores_are_points_over_full_marks(world):
    world.file(scores=world.scores(10, 10, 10, 10, 10))
    world.file(scores=world.scores(5, 5, 5, 5, 5))
    world.file(department=world.other_department, scores=world.scores(9, 9, 9, 9, 8))
    rows = selectors.department_scores(
        world.officer, world.agency.pk, world.today - timedelta(days=1), world.today
    )
    assert [(r.department.name, r.visits, r.total, r.maximum, str(r.percent)) for r in rows] == [
        ("社会救助科", 1, 44, 50, "88.0"),
        ("婚姻登记处", 2, 75, 100, "75.0"),
    ]
    assert selectors.department_scores(world.head, world.agency.pk, world.today, world.today) == []


def test_the_supervisor_task_lists_this_months_open_plans(world):
    month = world.today.replace(day=1)
    services.plan_add(
        actor=world.officer,
        agency=world.agency,
        month=month,
        supervisor=world.supervisor,
        place="婚姻登记处窗口",
        department=world.window,
    )
    tasks = services.supervisor_tasks(world.user)
    assert [str(t.title) for t in tasks] == ["走访：婚姻登记处窗口（明察）"]
    assert services.supervisor_tasks(world.officer) == []


def test_a_photo_is_readable_by_the_office_and_the_department_of_its_finding(world):
    visit = world.file(problem="无人值守", photos=[jpeg()])
    photo = visit.photos.get()
    assert services.may_read_oversight_file(world.officer, photo)
    assert services.may_read_oversight_file(world.user, photo)
    assert services.may_read_oversight_file(world.head, photo)
    clerk = user_with_role(Role.CLERK, agency=world.agency, department=world.other_department)
    assert not services.may_read_oversight_file(clerk, photo)
