"""Staff pages of committee affairs disclosure (居务 / 村务公开) under /staff/oversight/committees/.

- The area's page (`oversight:committees`): a committee clerk sees the own committee's due items,
  its postings and the "新增公开记录" form (phone-first); the legal office, leaders and district
  overseers see the results by subdistrict and committee for a period range with a bar chart,
  and the legal office's tools (run the check for a month, the department, items, overrides,
  CSV import).
- A committee's matrix: items × months of a year, each cell coloured by its result.

Every POST calls one service; a refusal is shown as a message with its status (403/409/422)
and nothing is written.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Agency, Committee, Department
from fazhi.core.tenancy import access
from fazhi.oversight import committee_periods as cp
from fazhi.oversight.forms import committees as forms
from fazhi.oversight.models import CommitteeDisclosureItem, CommitteePosting
from fazhi.oversight.permissions.base import committee_ids
from fazhi.oversight.selectors import committees as selectors
from fazhi.oversight.services import committees as services

VIEW = "oversight.view_committees"
POSTINGS_SHOWN = 50


def _office_agency(request: HttpRequest) -> Agency | None:
    """The agency whose whole picture is shown (?agency= when the user reads several)."""
    ids = selectors.office_agencies(request.user)
    if not ids:
        return None
    raw = request.GET.get("agency") or request.POST.get("agency") or ""
    if raw:
        if not (raw.isascii() and raw.isdigit()) or int(raw) not in ids:
            raise Http404
        return Agency.objects.get(pk=int(raw))
    return Agency.objects.filter(pk__in=ids).order_by("pk").first()


def _writing_agency(request) -> Agency:
    agency = _office_agency(request)
    if agency is None or not services.is_office(request.user, agency):
        raise PermissionDenied
    return agency


def _month_range(request, today: date) -> tuple[date, date, forms.RangeForm]:
    form = forms.RangeForm(request.GET or None)
    # Default: the last twelve full months.
    last_month = cp.period_of(today.replace(day=1) - timedelta_days(1), cp.MONTHLY)
    first = last_month.start.replace(year=last_month.start.year - 1)
    first = cp.next_period(cp.period_of(first, cp.MONTHLY)).start
    last = last_month.end
    if form.is_valid():
        if form.cleaned_data.get("first"):
            first = form.cleaned_data["first"]
        if form.cleaned_data.get("last"):
            last = cp.period_of(form.cleaned_data["last"], cp.MONTHLY).end
    if last < first:
        first, last = cp.period_of(last, cp.MONTHLY).start, cp.period_of(first, cp.MONTHLY).end
    return first, last, form


def timedelta_days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def _posting_form(request, committees, data=None, files=None):
    kinds = set(committees.values_list("kind", flat=True))
    agency_ids = set(committees.values_list("agency_id", flat=True))
    items = CommitteeDisclosureItem.objects.filter(
        agency_id__in=agency_ids, committee_kind__in=kinds, active=True
    ).order_by("committee_kind", "order", "pk")
    return forms.PostingForm(data, files, committees=committees, items=items)


def _fresh_posting_form(request, committees, today):
    form = _posting_form(request, committees)
    form.fields["posted_on"].initial = today
    return form


@staff_permission_required(VIEW)
@require_http_methods(["GET"])
def committees_home(request: HttpRequest) -> HttpResponse:
    agency = _office_agency(request)
    if agency is None:
        return clerk_home(request)
    today = timezone.localdate()
    first, last, range_form = _month_range(request, today)
    data = selectors.summary(agency.pk, first, last)
    office = services.is_office(request.user, agency)
    department = services.committee_department(agency)
    context = {
        "agency": agency,
        "first": first,
        "last": last,
        "range_form": range_form,
        "first_value": first.strftime("%Y-%m"),
        "last_value": last.strftime("%Y-%m"),
        "rows": data["rows"],
        "total": data["total"],
        "chart": data["chart"],
        "office": office,
        "department": department,
        "department_name": services.agency_settings.get(agency, services.DEPARTMENT_SETTING),
        "has_items": CommitteeDisclosureItem.objects.filter(agency=agency).exists(),
    }
    if office:
        context["check_form"] = forms.CheckForm(
            initial={
                "month": cp.period_of(today.replace(day=1) - timedelta_days(1), cp.MONTHLY).key
            }
        )
        context["department_form"] = forms.DepartmentForm(
            departments=Department.objects.filter(agency=agency),
            initial={"department": department.pk if department else None},
        )
    return render(request, "oversight/committees/office.html", context)


def clerk_home(request: HttpRequest, form=None) -> HttpResponse:
    own = committee_ids(request.user)
    if not own:
        raise PermissionDenied
    committees = Committee.objects.filter(pk__in=own).select_related("subdistrict")
    today = timezone.localdate()
    boards = [(c, selectors.clerk_board(c, today)) for c in committees]
    postings = list(
        selectors.postings(request.user).filter(committee__in=committees)[:POSTINGS_SHOWN]
    )
    return render(
        request,
        "oversight/committees/clerk.html",
        {
            "boards": boards,
            "postings": postings,
            "form": form or _fresh_posting_form(request, committees, today),
            "today": today,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def posting_new(request: HttpRequest) -> HttpResponse:
    """The 新增公开记录 form: clerks for their committee, the legal office for any."""
    office_ids = [
        a for a in selectors.office_agencies(request.user) if services.is_office(request.user, a)
    ]
    own = committee_ids(request.user)
    committees = Committee.objects.filter(agency_id__in=office_ids) | Committee.objects.filter(
        pk__in=own
    )
    committees = committees.select_related("subdistrict").order_by(
        "subdistrict__sort_order", "name"
    )
    if not committees.exists():
        raise PermissionDenied
    if request.method == "GET":
        form = _posting_form(request, committees)
        form.fields["posted_on"].initial = timezone.localdate()
        committee = request.GET.get("committee", "")
        if committee.isascii() and committee.isdigit():
            form.fields["committee"].initial = int(committee)
        return render(request, "oversight/committees/posting_form.html", {"form": form})
    form = _posting_form(request, committees, request.POST, request.FILES)
    back = request.POST.get("back", "")
    if not form.is_valid():
        form_error_messages(request, form)
        if back == "clerk":
            return clerk_home(request, form=form)
        return render(request, "oversight/committees/posting_form.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        posting = services.posting_record(
            actor=request.user,
            committee=data["committee"],
            item=data["item"],
            period=data["period"],
            posted_on=data["posted_on"],
            title=data["title"],
            content=data["content"],
            uploads=request.FILES.getlist("photos"),
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if back == "clerk":
            response = clerk_home(request, form=form)
        else:
            response = render(request, "oversight/committees/posting_form.html", {"form": form})
        response.status_code = exc.status
        return response
    messages.success(
        request,
        _("已登记：%(title)s（%(period)s）")
        % {"title": posting.title, "period": _period_label(posting)},
    )
    if back == "clerk":
        return redirect("oversight:committees")
    return redirect("oversight:committee_matrix", committee_id=posting.committee_id)


def _period_label(posting) -> str:
    if posting.period_start == posting.period_end:
        return cp.Period(posting.period_start, posting.period_end, cp.IMMEDIATELY).label
    for frequency in cp.COUNTED:
        period = cp.period_of(posting.period_start, frequency)
        if (period.start, period.end) == (posting.period_start, posting.period_end):
            return period.label
    return f"{posting.period_start}—{posting.period_end}"


@staff_permission_required(VIEW)
@require_http_methods(["GET"])
def committee_matrix(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = access(request.user, selectors.readable_committees(request.user), committee_id)
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = (
        int(raw)
        if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= today.year
        else today.year
    )
    data = selectors.matrix(committee, year)
    postings = list(selectors.postings(request.user, committee=committee)[:POSTINGS_SHOWN])
    for posting in postings:
        posting.period_label = _period_label(posting)
    return render(
        request,
        "oversight/committees/matrix.html",
        {
            "committee": committee,
            "matrix": data,
            "years": list(range(today.year, today.year - 4, -1)),
            "postings": postings,
            "may_post": services.may_post_for(request.user, committee),
            "office_reader": committee.agency_id in selectors.office_agencies(request.user),
        },
    )


@staff_permission_required(VIEW)
@require_POST
def check_run(request: HttpRequest) -> HttpResponse:
    agency = _writing_agency(request)
    form = forms.CheckForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("oversight:committees")
    try:
        summary = services.committee_check_month(
            actor=request.user, agency=agency, month=form.cleaned_data["month"], request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("oversight:committees")
    month = form.cleaned_data["month"]
    counts = summary.counts
    text = _(
        "已检查%(month)s：按时 %(on_time)d，逾期 %(late)d，未公开 %(missing)d，未到期 %(pending)d；"
        "新开问题 %(findings)d 件。"
    ) % {
        "month": cp.period_of(month, cp.MONTHLY).label,
        "on_time": counts.get("on_time", 0),
        "late": counts.get("late", 0),
        "missing": counts.get("missing", 0),
        "pending": counts.get("pending", 0),
        "findings": summary.findings,
    }
    if summary.unassigned:
        text += _("有 %(n)d 件问题因未设置责任科室而未开出。") % {"n": summary.unassigned}
    messages.success(request, text)
    url = reverse("oversight:committees")
    key = cp.period_of(month, cp.MONTHLY).key
    return redirect(f"{url}?first={key}&last={key}")


@staff_permission_required(VIEW)
@require_POST
def department_set(request: HttpRequest) -> HttpResponse:
    agency = _writing_agency(request)
    form = forms.DepartmentForm(request.POST, departments=Department.objects.filter(agency=agency))
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("oversight:committees")
    try:
        services.committee_department_set(
            actor=request.user,
            agency=agency,
            department=form.cleaned_data["department"],
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("oversight:committees")
    messages.success(request, _("已设置负责整改的科室。"))
    return redirect("oversight:committees")


@staff_permission_required(VIEW)
@require_http_methods(["GET"])
def items_page(request: HttpRequest) -> HttpResponse:
    agency = _office_agency(request)
    if agency is None:
        raise PermissionDenied
    office = services.is_office(request.user, agency)
    return render(
        request,
        "oversight/committees/items.html",
        {
            "agency": agency,
            "items": list(selectors.items(agency.pk)),
            "office": office,
            "create_form": forms.ItemCreateForm() if office else None,
        },
    )


@staff_permission_required(VIEW)
@require_POST
def items_install(request: HttpRequest) -> HttpResponse:
    agency = _writing_agency(request)
    try:
        created = services.items_install_defaults(
            actor=request.user, agency=agency, request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("oversight:committee_items")
    if created:
        messages.success(request, _("已载入 %(n)d 项法定事项。") % {"n": created})
    else:
        messages.info(request, _("法定事项均已载入，没有新增。"))
    return redirect("oversight:committee_items")


@staff_permission_required(VIEW)
@require_POST
def item_new(request: HttpRequest) -> HttpResponse:
    agency = _writing_agency(request)
    form = forms.ItemCreateForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("oversight:committee_items")
    try:
        services.item_create(
            actor=request.user, agency=agency, request=request, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("oversight:committee_items")
    messages.success(request, _("已新增公开事项。"))
    return redirect("oversight:committee_items")


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access(request.user, CommitteeDisclosureItem.objects.all(), item_id)
    if not services.is_office(request.user, item.agency_id):
        raise PermissionDenied
    if request.method == "POST":
        form = forms.ItemForm(request.POST)
        if form.is_valid():
            try:
                services.item_update(
                    actor=request.user, item=item, request=request, **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("已保存。"))
                return redirect("oversight:committee_items")
        else:
            form_error_messages(request, form)
    else:
        form = forms.ItemForm(
            initial={
                "name": item.name,
                "frequency": item.frequency,
                "grace_workdays": item.grace_workdays,
                "basis": item.basis,
                "order": item.order,
                "active": item.active,
            }
        )
    return render(request, "oversight/committees/item_form.html", {"item": item, "form": form})


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def overrides_page(request: HttpRequest) -> HttpResponse:
    agency = _office_agency(request)
    if agency is None:
        raise PermissionDenied
    office = services.is_office(request.user, agency)
    committees = Committee.objects.filter(agency=agency).select_related("subdistrict")
    form = forms.OverrideForm(
        request.POST or None,
        committees=committees,
        items=CommitteeDisclosureItem.objects.filter(agency=agency, active=True),
    )
    status = 200
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.override_set(actor=request.user, request=request, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存公开频次调整。"))
                return redirect("oversight:committee_overrides")
        else:
            form_error_messages(request, form)
            status = 400
    return render(
        request,
        "oversight/committees/overrides.html",
        {
            "agency": agency,
            "overrides": list(selectors.overrides(agency.pk)),
            "form": form if office else None,
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    agency = _writing_agency(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > services.IMPORT_MAX_BYTES:
                    raise services.InvalidInput(_("文件不能超过 2 MB。"), code="file_too_large")
                records, unknown = services.csv_read(upload.read())
                report = services.postings_import(
                    actor=request.user,
                    agency=agency,
                    records=records,
                    source=CommitteePosting.Source.CSV,
                    only_valid=form.cleaned_data["only_valid"],
                    unknown_columns=unknown,
                    request=request,
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status = exc.status
            else:
                if report.errors and not report.imported:
                    status = 422
                    messages.error(
                        request,
                        _(
                            "有 %(n)d 行不正确，未导入任何记录。"
                            "请改正后重新上传，或选择“只导入正确的行”。"
                        )
                        % {"n": len(report.errors)},
                    )
                else:
                    messages.success(
                        request,
                        _("已导入 %(created)d 条，%(existing)d 条此前已导入。")
                        % {"created": len(report.created), "existing": len(report.existing)},
                    )
        else:
            form_error_messages(request, form)
            status = 400
    return render(
        request,
        "oversight/committees/import.html",
        {
            "form": form,
            "report": report.as_dict() if report else None,
            "columns": list(services.COLUMNS),
        },
        status=status,
    )
