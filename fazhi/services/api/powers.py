"""API of the power list and the service guides.

Staff, at /api/services/powers/ (`router`): versions (list, start a draft, detail with its powers,
publish, the diff of two published versions), powers of a draft (create, read, change, remove),
the XLSX import (multipart `file`, flag `import_good_rows`) and export, service items (list,
create, read, change) and their guides (start a draft, change, attach the handling manual,
publish). Each route calls the same service as the staff pages, with the same checks: a role
without services work 403, a record of another agency (or none) 404, a frozen version or guide
409, bad input 422 — in the error shape of fazhi.api.api. An import with bad rows answers 400
`{"code": "import_rows_invalid", "message", "detail": <report>}` whose `detail.errors` lists
`row`, `column`, `reason` (the same report as the page); nothing is imported unless
`import_good_rows` is true.

Public, at /api/public/services/ (`public_router`, no authentication): the published power list
by kind with search, and the published service guides (never the handling manual, which is for
staff).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency
from fazhi.core.tenancy import access, writable_agency_ids
from fazhi.services import selectors, xlsx
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

router = Router(tags=["services: powers"])
public_router = Router(auth=None, tags=["public: services"])

_ID = re.compile(r"[0-9]{1,18}")
KindValue = Literal[tuple(PowerKind.values)]  # type: ignore[valid-type]


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


def _kind_filter(kind: str) -> str:
    if kind and kind not in PowerKind.values:
        raise InvalidInput(_("事项类型不正确。"), code="bad_filter", fields=["kind"])
    return kind


# --- Schemas ----------------------------------------------------------------------------------


class DraftIn(ApiIn):
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )
    note: Text = Field("", title="说明", max_length=200)


class PublishIn(ApiIn):
    published_on: Day | None = Field(None, title="发布日期")


class PowerIn(ApiIn):
    code: Text = Field(..., title="序号", min_length=1, max_length=40)
    name: Text = Field(..., title="事项名称", min_length=1, max_length=200)
    kind: Text = Field(..., title="事项类型", max_length=20, description="代码或中文名称")
    basis: Text = Field(..., title="设定依据", min_length=1, max_length=4000)
    implementing_body: Text = Field(..., title="实施主体", min_length=1, max_length=200)
    department: Text = Field(..., title="责任处室", max_length=60, description="处室 id 或名称")
    promised_days: int | None = Field(None, title="承诺时限", ge=1, le=999)
    statutory_days: int | None = Field(None, title="法定时限", ge=1, le=999)


class PowerUpdateIn(ApiIn):
    code: Text | None = Field(None, title="序号", max_length=40)
    name: Text | None = Field(None, title="事项名称", max_length=200)
    kind: Text | None = Field(None, title="事项类型", max_length=20)
    basis: Text | None = Field(None, title="设定依据", max_length=4000)
    implementing_body: Text | None = Field(None, title="实施主体", max_length=200)
    department: Text | None = Field(None, title="责任处室", max_length=60)
    promised_days: int | None = Field(None, title="承诺时限", ge=1, le=999)
    statutory_days: int | None = Field(None, title="法定时限", ge=1, le=999)


class ItemIn(ApiIn):
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )
    power_code: Text = Field(..., title="所属权力序号", min_length=1, max_length=40)
    name: Text = Field(..., title="事项名称", min_length=1, max_length=200)
    department: Text = Field(..., title="责任处室", max_length=20, description="处室 id")
    online: bool = Field(False, title="可网上办理")
    citywide: bool = Field(False, title="全市通办")


class ItemUpdateIn(ApiIn):
    name: Text | None = Field(None, title="事项名称", max_length=200)
    department: Text | None = Field(None, title="责任处室", max_length=20)
    online: bool | None = Field(None, title="可网上办理")
    citywide: bool | None = Field(None, title="全市通办")
    active: bool | None = Field(None, title="在用")


class MaterialIn(ApiIn):
    name: Text = Field(..., title="材料名称", max_length=200)
    form: Literal[tuple(MATERIAL_FORMS)] = Field(..., title="原件或复印件")  # type: ignore[valid-type]
    count: int = Field(1, title="份数", ge=1, le=99)
    issued_by: Text = Field("", title="出具单位", max_length=200)
    platform_holds: bool = Field(False, title="平台已有")


class GuideUpdateIn(ApiIn):
    conditions: Text | None = Field(None, title="办理条件", max_length=4000)
    materials: list[MaterialIn] | None = Field(None, title="申请材料", max_length=50)
    steps: list[Text] | None = Field(None, title="办理流程", max_length=30)
    statutory_days: int | None = Field(None, title="法定时限", ge=1, le=999)
    promised_days: int | None = Field(None, title="承诺时限", ge=1, le=999)
    fee: Text | None = Field(None, title="收费标准", max_length=200)
    fee_basis: Text | None = Field(None, title="收费依据", max_length=300)
    place: Text | None = Field(None, title="办理地点", max_length=300)
    hours: Text | None = Field(None, title="办理时间", max_length=200)


class ListQuery(Schema):
    agency: str = ""
    cursor: str = ""
    limit: str = ""


class PowerQuery(Schema):
    kind: str = ""
    department: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class DiffQuery(Schema):
    a: str
    b: str


class PublicPowerQuery(Schema):
    agency: str = ""
    kind: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class PublicGuideQuery(Schema):
    agency: str = ""
    q: str = ""
    cursor: str = ""
    limit: str = ""


class VersionOut(Schema):
    id: str
    agency: str
    version: int
    state: str
    state_label: str
    frozen: bool
    note: str
    based_on: int | None
    published_on: dt.date | None
    powers: int


class VersionPage(Schema):
    items: list[VersionOut]
    next_cursor: str | None


class PowerOut(Schema):
    id: str
    version: int
    code: str
    name: str
    kind: str
    kind_label: str
    basis: str
    implementing_body: str
    department: str
    department_id: str
    promised_days: int | None
    statutory_days: int | None


class PowerPage(Schema):
    items: list[PowerOut]
    next_cursor: str | None


class DiffField(Schema):
    field: str
    label: str
    old: str | int | None
    new: str | int | None


class DiffChanged(Schema):
    code: str
    name: str
    fields: list[DiffField]


class DiffEntry(Schema):
    code: str
    name: str


class DiffOut(Schema):
    old: int
    new: int
    added: list[DiffEntry]
    removed: list[DiffEntry]
    changed: list[DiffChanged]


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class ImportOut(Schema):
    total: int
    imported: bool
    created: list[str]
    updated: list[str]
    unchanged: int
    removed: list[str]
    unknown_columns: list[str]
    errors: list[RowErrorOut]


class ImportRefusedOut(Schema):
    code: str
    message: str
    detail: ImportOut


class MaterialOut(Schema):
    name: str
    form: str
    form_label: str
    count: int
    issued_by: str
    platform_holds: bool


class GuideOut(Schema):
    id: str
    item: str
    version: int
    state: str
    state_label: str
    conditions: str
    materials: list[MaterialOut]
    steps: list[str]
    statutory_days: int | None
    promised_days: int | None
    fee: str
    fee_basis: str
    place: str
    hours: str
    published_on: dt.date | None
    manual: str | None


class ItemOut(Schema):
    id: str
    agency: str
    power_code: str
    name: str
    department: str
    department_id: str
    online: bool
    citywide: bool
    active: bool
    draft_guide: str | None
    published_guide: str | None


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None


class ItemDetailOut(ItemOut):
    guides: list[GuideOut]


class PublicGuideOut(Schema):
    item: str
    agency: str
    name: str
    power_code: str
    department: str
    online: bool
    citywide: bool
    version: int
    conditions: str
    materials: list[MaterialOut]
    steps: list[str]
    statutory_days: int | None
    promised_days: int | None
    fee: str
    fee_basis: str
    place: str
    hours: str
    published_on: dt.date | None


class PublicGuidePage(Schema):
    items: list[PublicGuideOut]
    next_cursor: str | None


class PublicPowerOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    basis: str
    implementing_body: str
    department: str
    promised_days: int | None
    statutory_days: int | None


class PublicPowerPage(Schema):
    agency: str | None
    version: int | None
    published_on: dt.date | None
    items: list[PublicPowerOut]
    next_cursor: str | None


# --- Helpers ----------------------------------------------------------------------------------

KIND_LABELS = dict(PowerKind.choices)


def _may_read(user) -> None:
    if not user.has_perm("services.view_powers"):
        raise PermissionDenied


def _version(request, list_id) -> PowerList:
    _may_read(request.user)
    return access(request.user, PowerList.objects.select_related("agency"), _id(list_id))


def _power(request, power_id) -> Power:
    _may_read(request.user)
    return access(
        request.user,
        Power.objects.select_related("power_list", "power_list__agency", "department", "agency"),
        _id(power_id),
    )


def _item(request, item_id) -> ServiceItem:
    _may_read(request.user)
    return access(
        request.user, ServiceItem.objects.select_related("agency", "department"), _id(item_id)
    )


def _guide(request, guide_id) -> ServiceGuide:
    _may_read(request.user)
    return access(
        request.user,
        ServiceGuide.objects.select_related("item", "item__agency", "item__department"),
        _id(guide_id),
    )


def _reading_agency(user, agency_id: str) -> Agency:
    if agency_id and _id(agency_id) is None:
        raise Http404
    agency = selectors.agency_for(user, _id(agency_id) if agency_id else None)
    if agency is None:
        raise Http404
    return agency


def _writing_agency(user, agency_id: str) -> Agency:
    writable = writable_agency_ids(user)
    if agency_id:
        if _id(agency_id) not in writable:
            raise Http404
        return Agency.objects.get(pk=_id(agency_id))
    if len(writable) != 1:
        raise InvalidInput(_("请选择机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=next(iter(writable)))


def _version_out(version: PowerList, count: int | None = None) -> dict:
    return {
        "id": str(version.pk),
        "agency": version.agency.name,
        "version": version.version,
        "state": version.state,
        "state_label": str(version.get_state_display()),
        "frozen": version.frozen,
        "note": version.note,
        "based_on": version.based_on.version if version.based_on_id else None,
        "published_on": version.published_on,
        "powers": count if count is not None else version.powers.count(),
    }


def _power_out(power: Power, version: int) -> dict:
    return {
        "id": str(power.pk),
        "version": version,
        "code": power.code,
        "name": power.name,
        "kind": power.kind,
        "kind_label": str(KIND_LABELS[power.kind]),
        "basis": power.basis,
        "implementing_body": power.implementing_body,
        "department": power.department.name,
        "department_id": str(power.department_id),
        "promised_days": power.promised_days,
        "statutory_days": power.statutory_days,
    }


def _materials(materials) -> list[dict]:
    return [
        {
            "name": m.get("name", ""),
            "form": m.get("form", ""),
            "form_label": str(MATERIAL_FORMS.get(m.get("form", ""), "")),
            "count": m.get("count", 1),
            "issued_by": m.get("issued_by", ""),
            "platform_holds": bool(m.get("platform_holds")),
        }
        for m in materials
    ]


def _guide_out(guide: ServiceGuide) -> dict:
    return {
        "id": str(guide.pk),
        "item": str(guide.item_id),
        "version": guide.version,
        "state": guide.state,
        "state_label": str(guide.get_state_display()),
        "conditions": guide.conditions,
        "materials": _materials(guide.materials),
        "steps": list(guide.steps),
        "statutory_days": guide.statutory_days,
        "promised_days": guide.promised_days,
        "fee": guide.fee,
        "fee_basis": guide.fee_basis,
        "place": guide.place,
        "hours": guide.hours,
        "published_on": guide.published_on,
        "manual": str(guide.manual_id) if guide.manual_id else None,
    }


def _item_out(item: ServiceItem, guides: dict) -> dict:
    return {
        "id": str(item.pk),
        "agency": item.agency.name,
        "power_code": item.power_code,
        "name": item.name,
        "department": item.department.name,
        "department_id": str(item.department_id),
        "online": item.online,
        "citywide": item.citywide,
        "active": item.active,
        "draft_guide": str(guides["draft"].pk) if "draft" in guides else None,
        "published_guide": str(guides["published"].pk) if "published" in guides else None,
    }


def _item_detail(item: ServiceItem) -> dict:
    guides = list(item.guides.order_by("-version"))
    current = {g.state: g for g in guides if g.state != ServiceGuide.State.SUPERSEDED}
    return {**_item_out(item, current), "guides": [_guide_out(g) for g in guides]}


# --- Versions ---------------------------------------------------------------------------------


@router.get("/versions", response=VersionPage, url_name="services_versions_list")
def version_list(request, filters: Query[ListQuery]):
    """The versions of an agency's power list, newest first."""
    _may_read(request.user)
    agency = _reading_agency(request.user, filters.agency)
    page = paginate(
        selectors.versions(agency).select_related("agency", "based_on"),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    counts = dict(
        Power.objects.filter(power_list__in=[v.pk for v in page["items"]])
        .values("power_list")
        .annotate(n=Count("pk"))
        .values_list("power_list", "n")
    )
    return {
        "items": [_version_out(v, counts.get(v.pk, 0)) for v in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post("/versions", response={201: VersionOut}, url_name="services_versions_create")
def version_create(request, body: DraftIn):
    """A new draft (legal office) copying the last published version."""
    _may_read(request.user)
    agency = _writing_agency(request.user, body.agency)
    draft = services.power_list_start_draft(
        actor=request.user, agency=agency, note=body.note, request=request
    )
    return Status(201, _version_out(draft))


@router.get("/versions/diff", response=DiffOut, url_name="services_versions_diff")
def version_diff(request, query: Query[DiffQuery]):
    """What changed between two published versions of one agency (matched by 序号)."""
    old, new = _version(request, query.a), _version(request, query.b)
    if old.agency_id != new.agency_id:
        raise InvalidInput(_("只能比较同一机关的两个版本。"), code="diff_agencies")
    if not (old.frozen and new.frozen):
        raise InvalidInput(_("只能比较两个已发布的版本。"), code="diff_not_published")
    return {"old": old.version, "new": new.version, **services.diff(old, new)}


@router.get("/versions/{list_id}", response=VersionOut, url_name="services_versions_detail")
def version_detail(request, list_id: str):
    return _version_out(_version(request, list_id))


@router.get("/versions/{list_id}/powers", response=PowerPage, url_name="services_versions_powers")
def version_powers(request, list_id: str, filters: Query[PowerQuery]):
    """The powers of a version, filtered by kind, department and text."""
    version = _version(request, list_id)
    page = paginate(
        selectors.powers(
            version,
            kind=_kind_filter(filters.kind),
            department=_id(filters.department),
            q=filters.q[:100].strip(),
        ),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {
        "items": [_power_out(p, version.version) for p in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post(
    "/versions/{list_id}/publish", response=VersionOut, url_name="services_versions_publish"
)
def version_publish(request, list_id: str, body: PublishIn):
    """Publish the draft (legal office); it is frozen from then on."""
    version = _version(request, list_id)
    published = services.power_list_publish(
        actor=request.user, power_list=version, on=body.published_on, request=request
    )
    return _version_out(published)


@router.post(
    "/versions/{list_id}/powers", response={201: PowerOut}, url_name="services_powers_create"
)
def power_create(request, list_id: str, body: PowerIn):
    version = _version(request, list_id)
    power = services.power_create(
        actor=request.user, power_list=version, data=body.dict(), request=request
    )
    return Status(201, _power_out(power, version.version))


@router.post(
    "/versions/{list_id}/import",
    response={200: ImportOut, 400: ImportRefusedOut},
    url_name="services_versions_import",
)
def version_import(
    request,
    list_id: str,
    file: File[UploadedFile],
    import_good_rows: Form[bool] = False,
):
    """Import an XLSX sheet (multipart `file`) into the draft. With bad rows nothing is imported
    (400 with the report) unless `import_good_rows` is true."""
    version = _version(request, list_id)
    if file.size is not None and file.size > xlsx.MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB。"), code="file_too_large")
    records, unknown = xlsx.read(file.read())
    report = services.power_list_import(
        actor=request.user,
        power_list=version,
        records=records,
        only_valid=import_good_rows,
        unknown_columns=unknown,
        request=request,
    )
    if not report.imported:
        return Status(
            400,
            {
                "code": "import_rows_invalid",
                "message": _("有 %(n)d 行不符合要求，未导入。") % {"n": len(report.errors)},
                "detail": report.as_dict(),
            },
        )
    return report.as_dict()


@router.get("/versions/{list_id}/export", url_name="services_versions_export")
def version_export(request, list_id: str):
    """The version as an XLSX sheet (the import's columns; formulas escaped)."""
    version = _version(request, list_id)
    data = services.power_list_export(actor=request.user, power_list=version, request=request)
    response = HttpResponse(data, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="power-list-v{version.version}.xlsx"'
    return response


# --- Powers -----------------------------------------------------------------------------------


@router.get("/powers/{power_id}", response=PowerOut, url_name="services_powers_detail")
def power_detail(request, power_id: str):
    power = _power(request, power_id)
    return _power_out(power, power.power_list.version)


@router.patch("/powers/{power_id}", response=PowerOut, url_name="services_powers_update")
def power_update(request, power_id: str, body: PowerUpdateIn):
    """Change a power of the draft: only the fields sent."""
    power = _power(request, power_id)
    updated = services.power_update(
        actor=request.user, power=power, data=body.dict(exclude_unset=True), request=request
    )
    return _power_out(updated, power.power_list.version)


@router.delete("/powers/{power_id}", response={204: None}, url_name="services_powers_remove")
def power_remove(request, power_id: str):
    power = _power(request, power_id)
    services.power_remove(actor=request.user, power=power, request=request)
    return Status(204, None)


# --- Items and guides -------------------------------------------------------------------------


@router.get("/items", response=ItemPage, url_name="services_items_list")
def item_list(request, filters: Query[ListQuery]):
    _may_read(request.user)
    agency = _reading_agency(request.user, filters.agency)
    page = paginate(
        selectors.items(agency).select_related("agency"),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    guides = selectors.guides_by_item(i.pk for i in page["items"])
    return {
        "items": [_item_out(i, guides.get(i.pk, {})) for i in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.post("/items", response={201: ItemDetailOut}, url_name="services_items_create")
def item_create(request, body: ItemIn):
    _may_read(request.user)
    agency = _writing_agency(request.user, body.agency)
    item = guide_services.item_create(
        actor=request.user,
        agency=agency,
        power_code=body.power_code,
        name=body.name,
        department=body.department,
        online=body.online,
        citywide=body.citywide,
        request=request,
    )
    return Status(201, _item_detail(item))


@router.get("/items/{item_id}", response=ItemDetailOut, url_name="services_items_detail")
def item_detail(request, item_id: str):
    return _item_detail(_item(request, item_id))


@router.patch("/items/{item_id}", response=ItemDetailOut, url_name="services_items_update")
def item_update(request, item_id: str, body: ItemUpdateIn):
    item = _item(request, item_id)
    data = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    updated = guide_services.item_update(actor=request.user, item=item, data=data, request=request)
    return _item_detail(updated)


@router.post("/items/{item_id}/guides", response={201: GuideOut}, url_name="services_guides_create")
def guide_create(request, item_id: str):
    """A new guide draft for the item, copying the published guide (if any)."""
    item = _item(request, item_id)
    guide = guide_services.guide_start_draft(actor=request.user, item=item, request=request)
    return Status(201, _guide_out(guide))


@router.get("/guides/{guide_id}", response=GuideOut, url_name="services_guides_detail")
def guide_detail(request, guide_id: str):
    return _guide_out(_guide(request, guide_id))


@router.patch("/guides/{guide_id}", response=GuideOut, url_name="services_guides_update")
def guide_update(request, guide_id: str, body: GuideUpdateIn):
    """Change the guide draft: only the fields sent (a frozen guide answers 409)."""
    guide = _guide(request, guide_id)
    data = body.dict(exclude_unset=True)
    for key in ("conditions", "fee", "fee_basis", "place", "hours", "materials", "steps"):
        if key in data and data[key] is None:
            del data[key]
    updated = guide_services.guide_update(
        actor=request.user, guide=guide, data=data, request=request
    )
    return _guide_out(updated)


@router.post("/guides/{guide_id}/manual", response=GuideOut, url_name="services_guides_manual")
def guide_manual(request, guide_id: str, file: File[UploadedFile]):
    """Attach the handling manual (业务手册: PDF, DOCX or OFD; staff only)."""
    guide = _guide(request, guide_id)
    updated = guide_services.guide_attach_manual(
        actor=request.user, guide=guide, upload=file, request=request
    )
    return _guide_out(updated)


@router.post("/guides/{guide_id}/publish", response=GuideOut, url_name="services_guides_publish")
def guide_publish(request, guide_id: str, body: PublishIn):
    """Publish the guide draft (legal office); the previous one is superseded."""
    guide = _guide(request, guide_id)
    published = guide_services.guide_publish(
        actor=request.user, guide=guide, on=body.published_on, request=request
    )
    return _guide_out(published)


# --- Public -----------------------------------------------------------------------------------


def _public_agency(agency_id: str) -> Agency | None:
    published = Agency.objects.filter(power_lists__state=PowerList.State.PUBLISHED).distinct()
    if agency_id:
        if _id(agency_id) is None:
            raise InvalidInput(_("机关不正确。"), code="bad_filter", fields=["agency"])
        return published.filter(pk=_id(agency_id)).first()
    return published.order_by("pk").first()


@public_router.get("/powers", response=PublicPowerPage, url_name="public_services_powers")
def public_powers(request, filters: Query[PublicPowerQuery]):
    """The agency's published power list (the latest version), by kind, with search."""
    agency = _public_agency(filters.agency)
    current = selectors.public_list(agency) if agency else None
    kind = _kind_filter(filters.kind)
    if current is None:
        return {
            "agency": agency.name if agency else None,
            "version": None,
            "published_on": None,
            "items": [],
            "next_cursor": None,
        }
    page = paginate(
        selectors.powers(current, kind=kind, q=filters.q[:100].strip()),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {
        "agency": agency.name,
        "version": current.version,
        "published_on": current.published_on,
        "items": [
            {k: v for k, v in _power_out(p, current.version).items() if k in PUBLIC_POWER}
            for p in page["items"]
        ],
        "next_cursor": page["next_cursor"],
    }


PUBLIC_POWER = set(PublicPowerOut.model_fields)


def _public_guide(guide: ServiceGuide) -> dict:
    item = guide.item
    return {
        "item": str(item.pk),
        "agency": guide.agency.name,
        "name": item.name,
        "power_code": item.power_code,
        "department": item.department.name,
        "online": item.online,
        "citywide": item.citywide,
        "version": guide.version,
        "conditions": guide.conditions,
        "materials": _materials(guide.materials),
        "steps": list(guide.steps),
        "statutory_days": guide.statutory_days,
        "promised_days": guide.promised_days,
        "fee": guide.fee,
        "fee_basis": guide.fee_basis,
        "place": guide.place,
        "hours": guide.hours,
        "published_on": guide.published_on,
    }


@public_router.get("/guides", response=PublicGuidePage, url_name="public_services_guides")
def public_guides(request, filters: Query[PublicGuideQuery]):
    """The published service guides, searchable by the item's name."""
    agency = None
    if filters.agency:
        agency = _public_agency(filters.agency)
        if agency is None:
            return {"items": [], "next_cursor": None}
    qs = selectors.public_guides(agency)
    q = filters.q[:100].strip()
    if q:
        qs = qs.filter(item__name__icontains=q)
    page = paginate(qs, cursor=filters.cursor or None, limit=_limit(filters.limit))
    return {"items": [_public_guide(g) for g in page["items"]], "next_cursor": page["next_cursor"]}


@public_router.get("/guides/{item_id}", response=PublicGuideOut, url_name="public_services_guide")
def public_guide(request, item_id: str):
    """The published guide of one service item (by the item's id, as on the portal)."""
    found = selectors.public_guides().filter(item_id=_id(item_id)).first()
    if found is None:
        raise Http404
    return _public_guide(found)
