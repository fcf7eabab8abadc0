"""Calendar edits through the services: permission, audit events, idempotent import."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fazhi.core import calendar
from fazhi.core.calendar import services
from fazhi.core.calendar.models import Source, WorkCalendarDay, WorkCalendarYear
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.factories import user_with_role
from fazhi.testing.matrix import fingerprint

pytestmark = pytest.mark.django_db

TABLES = ["calendar.WorkCalendarDay", "calendar.WorkCalendarYear", "core.Event"]


@pytest.fixture
def sysadmin():
    return user_with_role(Role.SYSADMIN)


def test_import_loads_the_package_confirms_years_and_writes_one_event():
    report = services.calendar_import(years=[2026, 2027], actor_name="fazhi calendar import")
    assert report.imported == [2026]
    assert report.unknown == [2027]
    assert report.confirmed == [2026]
    assert WorkCalendarDay.objects.filter(date__year=2026).count() == report.created == 25
    feb14 = WorkCalendarDay.objects.get(date=date(2026, 2, 14))
    assert (feb14.is_workday, feb14.name, feb14.source) == (True, "春节调休上班", Source.PACKAGE)
    oct1 = WorkCalendarDay.objects.get(date=date(2026, 10, 1))
    assert (oct1.is_workday, oct1.name) == (False, "国庆节")
    year = WorkCalendarYear.objects.get(year=2026)
    assert (year.confirmed, year.source, year.confirmed_by) == (True, Source.PACKAGE, None)
    assert not WorkCalendarYear.objects.filter(year=2027).exists()
    event = Event.objects.get(verb="calendar.import")
    assert event.actor_name == "fazhi calendar import"
    assert event.data["imported"] == [2026] and event.data["unknown"] == [2027]


def test_import_is_idempotent():
    services.calendar_import(years=[2026])
    before = fingerprint(["calendar.WorkCalendarDay", "calendar.WorkCalendarYear"])
    again = services.calendar_import(years=[2026])
    assert (again.created, again.updated, again.deleted, again.confirmed) == (0, 0, 0, [])
    assert not again.changed
    assert fingerprint(["calendar.WorkCalendarDay", "calendar.WorkCalendarYear"]) == before
    assert Event.objects.filter(verb="calendar.import").count() == 2


def test_import_keeps_the_administrators_days_and_removes_stale_package_days(sysadmin):
    services.calendar_import(years=[2026])
    services.calendar_day_set(
        actor=sysadmin, day=date(2026, 2, 16), is_workday=True, name="补班", reason="本区特别安排"
    )
    WorkCalendarDay.objects.create(
        date=date(2026, 3, 3), is_workday=False, name="旧数据", source=Source.PACKAGE
    )
    report = services.calendar_import(years=[2026])
    assert report.kept_manual == ["2026-02-16"]
    assert report.deleted == 1
    assert WorkCalendarDay.objects.get(date=date(2026, 2, 16)).is_workday
    assert not WorkCalendarDay.objects.filter(date=date(2026, 3, 3)).exists()


def test_sysadmin_sets_and_clears_a_day_with_events(sysadmin):
    services.calendar_import(years=[2026])
    day = services.calendar_day_set(
        actor=sysadmin, day=date(2026, 3, 2), is_workday=False, name="特别休假", reason="区政府通知"
    )
    assert (day.source, day.updated_by, day.reason) == (Source.MANUAL, sysadmin, "区政府通知")
    assert not calendar.is_workday(date(2026, 3, 2))
    event = Event.objects.get(verb="calendar.day_set")
    assert event.actor == sysadmin
    assert event.data == {
        "date": "2026-03-02",
        "before": None,
        "after": {
            "is_workday": False,
            "name": "特别休假",
            "source": "manual",
            "reason": "区政府通知",
        },
    }
    services.calendar_day_clear(actor=sysadmin, day=date(2026, 3, 2), reason="通知撤回")
    assert calendar.is_workday(date(2026, 3, 2))
    cleared = Event.objects.get(verb="calendar.day_clear")
    assert cleared.data["before"]["name"] == "特别休假"
    assert cleared.data["reason"] == "通知撤回"
    with pytest.raises(Conflict) as exc:
        services.calendar_day_clear(actor=sysadmin, day=date(2026, 3, 2), reason="再清除")
    assert exc.value.code == "day_not_adjusted"


def test_changing_a_package_day_makes_it_manual(sysadmin):
    services.calendar_import(years=[2026])
    services.calendar_day_set(
        actor=sysadmin, day=date(2026, 10, 1), is_workday=False, name="国庆节", reason="核对"
    )
    row = WorkCalendarDay.objects.get(date=date(2026, 10, 1))
    assert row.source == Source.MANUAL
    before = Event.objects.get(verb="calendar.day_set").data["before"]
    assert before == {"is_workday": False, "name": "国庆节", "source": "package", "reason": ""}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"day": date(2026, 3, 2), "is_workday": True}, "same_as_weekday_rule"),
        ({"day": date(2026, 3, 7), "is_workday": False}, "same_as_weekday_rule"),
        ({"day": date(2026, 3, 7), "is_workday": True, "reason": "  "}, "reason_required"),
        ({"day": date(1800, 3, 7), "is_workday": True}, "date_out_of_range"),
    ],
)
def test_bad_edits_change_nothing(sysadmin, kwargs, code):
    before = fingerprint(TABLES)
    with pytest.raises(InvalidInput) as exc:
        services.calendar_day_set(actor=sysadmin, **{"reason": "理由", **kwargs})
    assert exc.value.code == code
    assert fingerprint(TABLES) == before


def test_sysadmin_confirms_a_year_once(sysadmin):
    services.calendar_day_set(
        actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦", reason="国办通知"
    )
    record = services.calendar_year_confirm(actor=sysadmin, year=2027, note="国办发明电")
    assert (record.confirmed, record.source, record.confirmed_by) == (True, "manual", sysadmin)
    event = Event.objects.get(verb="calendar.year_confirm")
    assert event.data == {"year": 2027, "adjusted_days": 1, "workdays": 260, "note": "国办发明电"}
    with pytest.raises(Conflict) as exc:
        services.calendar_year_confirm(actor=sysadmin, year=2027)
    assert exc.value.code == "year_already_confirmed"


@pytest.mark.parametrize(
    "role", [Role.SECADMIN, Role.AUDITOR, Role.LEGAL_OFFICER, Role.LEADER, Role.CLERK]
)
def test_only_the_sysadmin_edits_the_calendar(role):
    services.calendar_import(years=[2026])
    actor = user_with_role(role)
    before = fingerprint(TABLES)
    with pytest.raises(NotAllowed):
        services.calendar_day_set(actor=actor, day=date(2026, 3, 7), is_workday=True, reason="x")
    with pytest.raises(NotAllowed):
        services.calendar_day_clear(actor=actor, day=date(2026, 10, 1), reason="x")
    with pytest.raises(NotAllowed):
        services.calendar_year_confirm(actor=actor, year=2027)
    with pytest.raises(NotAllowed):
        services.calendar_import(actor=actor, years=[2025])
    assert fingerprint(TABLES) == before


def test_parse_years():
    assert services.parse_years("2024-2026") == [2024, 2025, 2026]
    assert services.parse_years("2026，2024") == [2024, 2026]
    for bad in ["", "abc", "2026-2024", "1800"]:
        with pytest.raises(InvalidInput):
            services.parse_years(bad)


def test_the_import_command():
    out = StringIO()
    call_command("calendar", "import", "--years", "2025-2027", stdout=out)
    text = out.getvalue()
    assert "已导入 2025–2026 年（2 年）" in text
    assert "软件包尚无以下年份的数据，未导入（按周一至周五计算并标为暂定）：2027" in text
    assert WorkCalendarYear.objects.filter(confirmed=True).count() == 2
    shown = StringIO()
    call_command("calendar", "show", "2026", stdout=shown)
    assert shown.getvalue().startswith("2026年：已确认；周一至周五 261 天，调整后工作日 248 天。")
    assert "2026-02-14 上班 春节调休上班（chinesecalendar 软件包）" in shown.getvalue()
    with pytest.raises(CommandError):
        call_command("calendar", "import", "--years", "soon", stdout=StringIO())


def test_the_import_command_defaults_to_every_year_the_package_knows():
    call_command("calendar", "import", stdout=StringIO())
    years = list(WorkCalendarYear.objects.values_list("year", flat=True))
    assert years == list(range(2004, 2027))
    # The 2020 Spring Festival extension and the 2015 anti-fascist day are in the package.
    assert not calendar.is_workday(date(2015, 9, 3))
    assert calendar.workdays_between(date(2019, 12, 31), date(2020, 12, 31)) == 249
