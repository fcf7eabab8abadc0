"""The system administrator's calendar pages: a year's adjusted days, edits, confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core.calendar import conf, selectors, services
from fazhi.core.calendar.forms import ConfirmForm, DaySetForm, ReasonForm
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError

PERMISSION = "calendar.manage_calendar"


def _valid_year(year: int | None) -> int:
    year = year or timezone.localdate().year
    if not conf.first_year() <= year <= conf.last_year():
        raise Http404
    return year


def _render(request: HttpRequest, year: int, *, status: int = 200, **forms) -> HttpResponse:
    overview = selectors.year_overview(year)
    known = selectors.known_years()
    context = {
        "overview": overview,
        "years": sorted(set(known) | {year}),
        "previous_year": year - 1 if year > conf.first_year() else None,
        "next_year": year + 1 if year < conf.last_year() else None,
        "day_form": forms.get("day_form") or DaySetForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
    }
    context["package_first"], context["package_last"] = services.package_years()
    return render(request, "calendar/year.html", context, status=status)


@staff_permission_required(PERMISSION)
def year_page(request: HttpRequest, year: int | None = None) -> HttpResponse:
    return _render(request, _valid_year(year))


@staff_permission_required(PERMISSION)
@require_POST
def day_set(request: HttpRequest, year: int) -> HttpResponse:
    year = _valid_year(year)
    form = DaySetForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            services.calendar_day_set(
                actor=request.user,
                day=day,
                is_workday=form.cleaned_data["kind"] == "workday",
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return _render(request, year, status=exc.status, day_form=form)
        messages.success(request, _("已保存 %(day)s 的调整。") % {"day": day.isoformat()})
        return redirect("calendar:year_of", year=day.year)
    return _render(request, year, status=400, day_form=form)


@staff_permission_required(PERMISSION)
@require_POST
def day_clear(request: HttpRequest, year: int) -> HttpResponse:
    year = _valid_year(year)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写清除理由。"))
        return _render(request, year, status=400)
    try:
        services.calendar_day_clear(
            actor=request.user,
            day=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _render(request, year, status=exc.status)
    messages.success(request, _("已清除该日的调整，按周一至周五计算。"))
    return redirect("calendar:year_of", year=year)


@staff_permission_required(PERMISSION)
@require_POST
def year_confirm(request: HttpRequest, year: int) -> HttpResponse:
    year = _valid_year(year)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _render(request, year, status=400, confirm_form=form)
    try:
        services.calendar_year_confirm(
            actor=request.user, year=year, note=form.cleaned_data["note"], request=request
        )
    except DomainError as exc:
        # Shown as a message: once the year is confirmed, the form is no longer on the page.
        messages.error(request, str(exc.message))
        return _render(request, year, status=exc.status, confirm_form=form)
    messages.success(request, _("%(year)d年的工作日安排已确认。") % {"year": year})
    return redirect("calendar:year_of", year=year)


@staff_permission_required(PERMISSION)
@require_POST
def year_import(request: HttpRequest, year: int) -> HttpResponse:
    year = _valid_year(year)
    try:
        report = services.calendar_import(actor=request.user, years=[year], request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _render(request, year, status=exc.status)
    if report.unknown:
        messages.warning(
            request,
            _("已安装的 chinesecalendar 软件包尚无%(year)d年的数据，未导入。") % {"year": year},
        )
    else:
        text = _("已导入%(year)d年：新增 %(c)d 天，更新 %(u)d 天，删除 %(d)d 天。") % {
            "year": year,
            "c": report.created,
            "u": report.updated,
            "d": report.deleted,
        }
        if report.kept_manual:
            text += _("以下日期保留管理员的设置：%(days)s。") % {
                "days": "、".join(report.kept_manual)
            }
        messages.success(request, text)
    return redirect("calendar:year_of", year=year)
