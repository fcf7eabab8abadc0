"""Staff pages: the power list with its versions, import/export, diff; items and guides.

Every POST calls one service; a refusal shows the message (and the refusal's status) instead of
a 500; records of another agency answer 404.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.models import Department
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.services import permissions, selectors, xlsx
from fazhi.services.models import (
    MATERIAL_FORMS,
    Power,
    PowerKind,
    PowerList,
    ServiceGuide,
    ServiceItem,
)
from fazhi.services.services import guides as guide_services
from fazhi.services.services import powers as services

VIEW = "services.view_powers"
PAGE_SIZE = 50


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _agency(request):
    agency = selectors.agency_for(request.user, _int(request.GET.get("agency")))
    if agency is None:
        raise Http404
    return agency


def _refused(request, exc: DomainError, template: str, context: dict, status=None):
    messages.error(request, str(exc.message))
    return render(request, template, context, status=status or exc.status)


@staff_permission_required(VIEW)
def home(request):
    return redirect("services:powers")


@staff_permission_required(VIEW)
def power_list(request):
    agency = _agency(request)
    all_versions = list(selectors.versions(agency))
    wanted = _int(request.GET.get("version"))
    current = next((v for v in all_versions if v.pk == wanted), None) if wanted else None
    if current is None and all_versions:
        current = all_versions[0]
    kind = request.GET.get("kind", "")
    kind = kind if kind in PowerKind.values else ""
    department = _int(request.GET.get("department"))
    q = request.GET.get("q", "")[:100].strip()
    page = None
    if current is not None:
        page = Paginator(
            selectors.powers(current, kind=kind, department=department, q=q), PAGE_SIZE
        ).get_page(request.GET.get("page"))
    user = request.user
    query = {
        k: v
        for k, v in (
            ("version", current.pk if current else ""),
            ("kind", kind),
            ("department", department or ""),
            ("q", q),
        )
        if v
    }
    published = [v for v in all_versions if v.state == PowerList.State.PUBLISHED]
    return render(
        request,
        "services/powers/list.html",
        {
            "agency": agency,
            "versions": all_versions,
            "published": published,
            "current": current,
            "page": page,
            "kind": kind,
            "kinds": PowerKind.choices,
            "department": department,
            "departments": Department.objects.filter(agency=agency).order_by("sort_order", "name"),
            "q": q,
            "query": urlencode(query),
            "is_office": permissions.is_office(user, agency.pk),
            "may_edit": user.has_perm("services.edit_powers"),
            "has_draft": any(v.state == PowerList.State.DRAFT for v in all_versions),
        },
    )


@require_POST
@staff_permission_required(VIEW)
def draft_start(request):
    agency = _agency(request)
    try:
        draft = services.power_list_start_draft(
            actor=request.user, agency=agency, note=request.POST.get("note", ""), request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("services:powers")
    messages.success(request, _("已新建第 %(v)d 版草稿。") % {"v": draft.version})
    return redirect(f"{reverse('services:powers')}?version={draft.pk}")


@require_POST
@staff_permission_required(VIEW)
def publish(request, list_id: int):
    power_list = access(request.user, PowerList.objects.all(), list_id)
    try:
        services.power_list_publish(actor=request.user, power_list=power_list, request=request)
        messages.success(request, _("第 %(v)d 版已发布。") % {"v": power_list.version})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(f"{reverse('services:powers')}?version={power_list.pk}")


POWER_FIELDS = services.FIELDS


@require_http_methods(["GET", "POST"])
@staff_permission_required(VIEW)
def power_edit(request, list_id: int | None = None, power_id: int | None = None):
    power = None
    if power_id is not None:
        power = access(
            request.user, Power.objects.select_related("power_list", "department"), power_id
        )
        power_list = power.power_list
    else:
        power_list = access(request.user, PowerList.objects.all(), list_id)
    agency = power_list.agency
    values = {f: getattr(power, f) for f in POWER_FIELDS} if power else {}
    if power:
        values["department"] = power.department_id
    context = {
        "power": power,
        "power_list": power_list,
        "kinds": PowerKind.choices,
        "departments": Department.objects.filter(agency=agency).order_by("sort_order", "name"),
    }
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in POWER_FIELDS}
        context["values"] = values
        try:
            if power is None:
                power = services.power_create(
                    actor=request.user, power_list=power_list, data=values, request=request
                )
            else:
                services.power_update(actor=request.user, power=power, data=values, request=request)
        except DomainError as exc:
            return _refused(request, exc, "services/powers/power_form.html", context)
        messages.success(request, _("已保存“%(n)s”。") % {"n": values["name"]})
        return redirect(f"{reverse('services:powers')}?version={power_list.pk}")
    context["values"] = values
    return render(request, "services/powers/power_form.html", context)


@require_POST
@staff_permission_required(VIEW)
def power_remove(request, power_id: int):
    power = access(request.user, Power.objects.select_related("power_list"), power_id)
    try:
        services.power_remove(actor=request.user, power=power, request=request)
        messages.success(request, _("已从草稿中删除“%(n)s”。") % {"n": power.name})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(f"{reverse('services:powers')}?version={power.power_list_id}")


@require_http_methods(["GET", "POST"])
@staff_permission_required(VIEW)
def import_sheet(request, list_id: int):
    power_list = access(request.user, PowerList.objects.all(), list_id)
    context = {"power_list": power_list, "columns": list(xlsx.COLUMNS), "required": xlsx.REQUIRED}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                from fazhi.core.errors import InvalidInput

                raise InvalidInput(_("请选择要导入的 XLSX 文件。"), code="file_required")
            if upload.size > xlsx.MAX_BYTES:
                from fazhi.core.errors import InvalidInput

                raise InvalidInput(_("文件不能超过 5 MB。"), code="file_too_large")
            records, unknown = xlsx.read(upload.read())
            report = services.power_list_import(
                actor=request.user,
                power_list=power_list,
                records=records,
                only_valid=request.POST.get("only_valid") == "1",
                unknown_columns=unknown,
                request=request,
            )
        except DomainError as exc:
            return _refused(
                request,
                exc,
                "services/powers/import.html",
                context,
                status=400 if exc.status == 422 else exc.status,
            )
        context["report"] = report.as_dict()
        if report.imported:
            messages.success(request, _("导入完成。"))
        return render(
            request, "services/powers/import.html", context, status=200 if report.imported else 400
        )
    return render(request, "services/powers/import.html", context)


@staff_permission_required(VIEW)
def export_sheet(request, list_id: int):
    power_list = access(request.user, PowerList.objects.select_related("agency"), list_id)
    data = services.power_list_export(actor=request.user, power_list=power_list, request=request)
    response = HttpResponse(data, content_type=xlsx.XLSX_TYPE)
    name = f"power-list-v{power_list.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_permission_required(VIEW)
def diff(request):
    agency = _agency(request)
    published = list(selectors.versions(agency).filter(state=PowerList.State.PUBLISHED))
    by_id = {v.pk: v for v in published}
    old = by_id.get(_int(request.GET.get("a"))) or (published[1] if len(published) > 1 else None)
    new = by_id.get(_int(request.GET.get("b"))) or (published[0] if published else None)
    changes = services.diff(old, new) if old and new and old != new else None
    return render(
        request,
        "services/powers/diff.html",
        {"published": published, "old": old, "new": new, "changes": changes},
    )


# --- Items and guides ---------------------------------------------------------------------------


@staff_permission_required(VIEW)
def item_list(request):
    agency = _agency(request)
    page = Paginator(selectors.items(agency), PAGE_SIZE).get_page(request.GET.get("page"))
    guides = selectors.guides_by_item(i.pk for i in page.object_list)
    rows = [(item, guides.get(item.pk, {})) for item in page.object_list]
    return render(
        request,
        "services/powers/items.html",
        {"page": page, "rows": rows, "may_edit": request.user.has_perm("services.edit_powers")},
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required("services.edit_powers")
def item_new(request):
    agency = _agency(request)
    context = {
        "departments": Department.objects.filter(agency=agency).order_by("sort_order", "name"),
        "values": {},
    }
    if request.method == "POST":
        context["values"] = request.POST
        try:
            item = guide_services.item_create(
                actor=request.user,
                agency=agency,
                power_code=request.POST.get("power_code", ""),
                name=request.POST.get("name", ""),
                department=request.POST.get("department", ""),
                online=request.POST.get("online") == "1",
                citywide=request.POST.get("citywide") == "1",
                request=request,
            )
        except DomainError as exc:
            return _refused(request, exc, "services/powers/item_form.html", context)
        return redirect("services:item", item_id=item.pk)
    return render(request, "services/powers/item_form.html", context)


def _materials_from_post(post) -> list[dict]:
    out = []
    names = post.getlist("m_name")
    for n, name in enumerate(names):
        if not name.strip():
            continue
        out.append(
            {
                "name": name,
                "form": (post.getlist("m_form") + [""] * len(names))[n],
                "count": (post.getlist("m_count") + ["1"] * len(names))[n],
                "issued_by": (post.getlist("m_issued_by") + [""] * len(names))[n],
                "platform_holds": str(n) in post.getlist("m_platform"),
            }
        )
    return out


@require_http_methods(["GET", "POST"])
@staff_permission_required(VIEW)
def item_detail(request, item_id: int):
    item = access(request.user, ServiceItem.objects.select_related("department", "agency"), item_id)
    guides = list(item.guides.order_by("-version"))
    draft = next((g for g in guides if g.state == ServiceGuide.State.DRAFT), None)
    published = next((g for g in guides if g.state == ServiceGuide.State.PUBLISHED), None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "draft":
                guide_services.guide_start_draft(actor=request.user, item=item, request=request)
            elif action == "save" and draft is not None:
                guide_services.guide_update(
                    actor=request.user,
                    guide=draft,
                    data={
                        **{k: request.POST.get(k, "") for k in guide_services.GUIDE_TEXT_FIELDS},
                        "steps": request.POST.get("steps", ""),
                        "materials": _materials_from_post(request.POST),
                        "promised_days": request.POST.get("promised_days", ""),
                        "statutory_days": request.POST.get("statutory_days", ""),
                    },
                    request=request,
                )
                if request.FILES.get("manual"):
                    guide_services.guide_attach_manual(
                        actor=request.user,
                        guide=draft,
                        upload=request.FILES["manual"],
                        request=request,
                    )
            elif action == "publish" and draft is not None:
                guide_services.guide_publish(actor=request.user, guide=draft, request=request)
            elif action == "flags":
                guide_services.item_update(
                    actor=request.user,
                    item=item,
                    data={
                        "online": request.POST.get("online") == "1",
                        "citywide": request.POST.get("citywide") == "1",
                    },
                    request=request,
                )
            else:
                raise Http404
            messages.success(request, _("已保存。"))
            return redirect("services:item", item_id=item.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
    agency_id = item.agency_id
    return render(
        request,
        "services/powers/item.html",
        {
            "item": item,
            "guides": guides,
            "draft": draft,
            "published": published,
            "forms": MATERIAL_FORMS,
            "blank_rows": range(3),
            "may_edit": permissions.may_edit_department(request.user, agency_id, item.department_id)
            and agency_id in writable_agency_ids(request.user),
            "is_office": permissions.is_office(request.user, agency_id),
            "steps_text": "\n".join(draft.steps) if draft else "",
            "materials_json": json.dumps(draft.materials if draft else [], ensure_ascii=False),
        },
        status=status,
    )
