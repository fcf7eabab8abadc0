"""Staff pages of the service centers, under /staff/services/centers/.

Everyone who works with services reads the centers of their agency (district overseers: of
their region); the legal office creates and changes centers and the items each one takes.
Every POST calls one service; the forms only shape input and the service's refusal is shown
on the field it concerns, with the refusal's status. Another agency's center answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.forms import StyledForm
from fazhi.core.models import Agency, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.services import selectors as power_selectors
from fazhi.services.models import ServiceItem
from fazhi.services.permissions.centers import may_manage_centers
from fazhi.services.selectors import centers as selectors
from fazhi.services.services import centers as services

VIEW = "services.view_centers"
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
NOT_A_TIME = gettext_lazy("请按“时:分”填写，如 09:00。")
WHOLE = gettext_lazy("请填写整数。")


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _time(label, *, required=True):
    return forms.TimeField(
        label=label,
        required=required,
        widget=TIME,
        input_formats=["%H:%M"],
        error_messages={"invalid": NOT_A_TIME, "required": gettext_lazy("请填写时间。")},
    )


# --- Forms --------------------------------------------------------------------------------------


class ServiceErrorsMixin:
    """Show a service's refusal on the field its code names, else above the form."""

    ERROR_FIELDS: tuple[tuple[str, str], ...] = ()

    def place_error(self, exc: DomainError) -> None:
        code = exc.code or ""
        for prefix, field in self.ERROR_FIELDS:
            if code.startswith(prefix) and field in self.fields:
                self.add_error(field, str(exc.message))
                return
        self.add_error(None, str(exc.message))


class CenterForm(ServiceErrorsMixin, StyledForm):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    subdistrict = forms.ModelChoiceField(
        label=gettext_lazy("所在街道/镇"),
        queryset=Subdistrict.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不指定）"),
    )
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200)
    phone = forms.CharField(label=gettext_lazy("咨询电话"), max_length=40, required=False)
    morning_opens = _time(gettext_lazy("上午开始"))
    morning_closes = _time(gettext_lazy("上午结束"))
    afternoon_opens = _time(gettext_lazy("下午开始"), required=False)
    afternoon_closes = _time(gettext_lazy("下午结束"), required=False)
    booking_days_ahead = forms.IntegerField(
        label=gettext_lazy("可预约天数（工作日）"),
        initial=10,
        error_messages={"invalid": WHOLE, "required": WHOLE},
        help_text=gettext_lazy("市民可预约今天起多少个工作日内的时段。"),
    )
    active = forms.BooleanField(label=gettext_lazy("在用"), required=False, initial=True)

    ERROR_FIELDS = (
        ("name", "name"),
        ("address", "address"),
        ("phone", "phone"),
        ("morning_order", "morning_closes"),
        ("morning", "morning_opens"),
        ("afternoon_order", "afternoon_closes"),
        ("afternoon", "afternoon_opens"),
        ("booking_days_ahead", "booking_days_ahead"),
        ("subdistrict", "subdistrict"),
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].queryset = Subdistrict.objects.filter(agency=agency).order_by(
            "sort_order", "name"
        )


class CenterItemForm(ServiceErrorsMixin, StyledForm):
    item = forms.ModelChoiceField(
        label=gettext_lazy("服务事项"),
        queryset=ServiceItem.objects.none(),
        error_messages={
            "required": gettext_lazy("请选择服务事项。"),
            "invalid_choice": gettext_lazy("请选择本机关在用的服务事项。"),
        },
    )
    bookable = forms.BooleanField(label=gettext_lazy("可网上预约"), required=False, initial=True)
    # The ranges are the service's to check (its message names them).
    slot_minutes = forms.IntegerField(
        label=gettext_lazy("每个时段（分钟）"),
        initial=30,
        error_messages={"invalid": WHOLE, "required": WHOLE},
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("每个时段可预约人数"),
        initial=5,
        error_messages={"invalid": WHOLE, "required": WHOLE},
    )

    ERROR_FIELDS = (
        ("item", "item"),
        ("slot", "slot_minutes"),
        ("capacity", "capacity"),
        ("bookable", "bookable"),
    )

    def __init__(self, *args, center=None, **kwargs):
        super().__init__(*args, **kwargs)
        if center is None:
            del self.fields["item"]
            return
        self.fields["item"].queryset = (
            ServiceItem.objects.filter(agency_id=center.agency_id, active=True)
            .exclude(center_items__center=center)
            .order_by("power_code", "name")
        )


# --- Helpers ------------------------------------------------------------------------------------


def _reading_agency(request) -> Agency:
    agency = power_selectors.agency_for(request.user, _int(request.GET.get("agency")))
    if agency is None:
        raise Http404
    return agency


def _office_agency(request) -> Agency:
    """The agency whose centers the user manages (?agency= when the user has several)."""
    managed = [
        a
        for a in agencies_with_role(request.user, Role.LEGAL_OFFICER)
        if a in writable_agency_ids(request.user)
    ]
    wanted = _int(request.GET.get("agency"))
    if wanted is not None:
        if wanted not in managed:
            raise Http404
        return Agency.objects.get(pk=wanted)
    if not managed:
        raise PermissionDenied
    return Agency.objects.get(pk=min(managed))


def _center_values(form) -> dict:
    data = form.cleaned_data
    return {name: data[name] for name in services.CENTER_FIELDS}


# --- Pages --------------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def center_list(request):
    agency = _reading_agency(request)
    return render(
        request,
        "services/centers/list.html",
        {
            "agency": agency,
            "centers": selectors.center_list(request.user, agency),
            "may_manage": may_manage_centers(request.user, agency.pk),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required("services.manage_centers")
def center_new(request):
    agency = _office_agency(request)
    status = 200
    form = CenterForm(request.POST or None, agency=agency)
    if request.method == "POST":
        if form.is_valid():
            try:
                center = services.center_create(
                    actor=request.user, agency=agency, request=request, **_center_values(form)
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已新增服务中心“%(n)s”。") % {"n": center.name})
                return redirect("services:center", center_id=center.pk)
        else:
            status = 422
    return render(
        request,
        "services/centers/form.html",
        {"form": form, "agency": agency, "center": None},
        status=status,
    )


def _detail(request, center, *, item_form=None, status=200):
    may_manage = may_manage_centers(request.user, center.agency_id)
    if item_form is None and may_manage:
        item_form = CenterItemForm(center=center)
    return render(
        request,
        "services/centers/detail.html",
        {
            "center": center,
            "items": selectors.center_items(center),
            "may_manage": may_manage,
            "item_form": item_form,
        },
        status=status,
    )


@staff_permission_required(VIEW)
@require_GET
def center_detail(request, center_id: int):
    return _detail(request, selectors.access_center(request.user, center_id))


@require_http_methods(["GET", "POST"])
@staff_permission_required(VIEW)
def center_edit(request, center_id: int):
    center = selectors.access_center(request.user, center_id)
    if not may_manage_centers(request.user, center.agency_id):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = CenterForm(request.POST, agency=center.agency)
        if form.is_valid():
            try:
                services.center_update(
                    actor=request.user, center=center, request=request, **_center_values(form)
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("services:center", center_id=center.pk)
        else:
            status = 422
    else:
        form = CenterForm(
            initial={name: getattr(center, name) for name in services.CENTER_FIELDS},
            agency=center.agency,
        )
    return render(
        request,
        "services/centers/form.html",
        {"form": form, "agency": center.agency, "center": center},
        status=status,
    )


@require_POST
@staff_permission_required(VIEW)
def center_item_add(request, center_id: int):
    center = selectors.access_center(request.user, center_id)
    if not may_manage_centers(request.user, center.agency_id):
        raise PermissionDenied
    form = CenterItemForm(request.POST, center=center)
    if not form.is_valid():
        return _detail(request, center, item_form=form, status=422)
    try:
        added = services.center_item_add(
            actor=request.user, center=center, request=request, **form.cleaned_data
        )
    except DomainError as exc:
        form.place_error(exc)
        return _detail(request, center, item_form=form, status=exc.status)
    messages.success(request, _("已添加受理事项“%(n)s”。") % {"n": added.item.name})
    return redirect("services:center", center_id=center.pk)


@require_http_methods(["GET", "POST"])
@staff_permission_required(VIEW)
def center_item_edit(request, center_item_id: int):
    center_item = selectors.access_center_item(request.user, center_item_id)
    if not may_manage_centers(request.user, center_item.agency_id):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = CenterItemForm(request.POST)
        if form.is_valid():
            try:
                services.center_item_update(
                    actor=request.user,
                    center_item=center_item,
                    request=request,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return redirect("services:center", center_id=center_item.center_id)
        else:
            status = 422
    else:
        form = CenterItemForm(
            initial={name: getattr(center_item, name) for name in services.ITEM_FIELDS}
        )
    return render(
        request,
        "services/centers/item_form.html",
        {"form": form, "center_item": center_item, "center": center_item.center},
        status=status,
    )
