"""API of the service centers, at /api/services/centers/ (see docs/services.md).

- `GET /` the centers of an agency (`?agency=`, cursor pagination, newest first);
  `POST /` create one (legal office).
- `GET /{id}` a center with its items; `PATCH /{id}` change the fields sent.
- `POST /{id}/items` the center takes an item (slot length, places); `PATCH /items/{id}`
  change an item's booking settings.

The same services and checks as the pages: a role without services work 403, a center of
another agency (or none) 404, bad input 422 with the service's code and Chinese message —
in the error shape of fazhi.api.api. Times are "HH:MM"; `null` clears the afternoon.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from fazhi.api.inputs import ApiIn, Text
from fazhi.api.pagination import paginate
from fazhi.core.errors import InvalidInput
from fazhi.core.models import Agency, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role, writable_agency_ids
from fazhi.services import selectors as power_selectors
from fazhi.services.models import CenterItem, ServiceCenter, ServiceItem
from fazhi.services.selectors import centers as selectors
from fazhi.services.services import centers as services

router = Router(tags=["services-centers"])

_ID = re.compile(r"[0-9]{1,18}")


def _id(text) -> int | None:
    return int(text) if _ID.fullmatch(str(text or "")) else None


def _limit(text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInput(_("每页条数格式不正确。"), code="bad_limit")
    return int(text)


# --- Schemas ------------------------------------------------------------------------------------

TIME_HELP = "时:分，如 09:00"


class CenterIn(ApiIn):
    agency: Text = Field(
        "", title="机关", max_length=20, description="机关 id；只属一个机关时可省略"
    )
    name: Text = Field(..., title="名称", max_length=100)
    subdistrict: Text | None = Field(None, title="街道/镇", max_length=20, description="街道/镇 id")
    address: Text = Field(..., title="地址", max_length=200)
    phone: Text = Field("", title="咨询电话", max_length=40)
    morning_opens: Text = Field(..., title="上午开始", max_length=5, description=TIME_HELP)
    morning_closes: Text = Field(..., title="上午结束", max_length=5, description=TIME_HELP)
    afternoon_opens: Text | None = Field(None, title="下午开始", max_length=5)
    afternoon_closes: Text | None = Field(None, title="下午结束", max_length=5)
    booking_days_ahead: int = Field(10, title="可预约天数", ge=1, le=services.MAX_DAYS_AHEAD)
    active: bool = Field(True, title="在用")


class CenterUpdateIn(ApiIn):
    name: Text | None = Field(None, title="名称", max_length=100)
    subdistrict: Text | None = Field(None, title="街道/镇", max_length=20)
    address: Text | None = Field(None, title="地址", max_length=200)
    phone: Text | None = Field(None, title="咨询电话", max_length=40)
    morning_opens: Text | None = Field(None, title="上午开始", max_length=5)
    morning_closes: Text | None = Field(None, title="上午结束", max_length=5)
    afternoon_opens: Text | None = Field(None, title="下午开始", max_length=5)
    afternoon_closes: Text | None = Field(None, title="下午结束", max_length=5)
    booking_days_ahead: int | None = Field(
        None, title="可预约天数", ge=1, le=services.MAX_DAYS_AHEAD
    )
    active: bool | None = Field(None, title="在用")


class CenterItemIn(ApiIn):
    item: Text = Field(..., title="服务事项", max_length=20, description="服务事项 id")
    bookable: bool = Field(True, title="可网上预约")
    slot_minutes: int = Field(
        30, title="每个时段（分钟）", ge=services.MIN_SLOT, le=services.MAX_SLOT
    )
    capacity: int = Field(
        5, title="每个时段可预约人数", ge=services.MIN_CAPACITY, le=services.MAX_CAPACITY
    )


class CenterItemUpdateIn(ApiIn):
    bookable: bool | None = Field(None, title="可网上预约")
    slot_minutes: int | None = Field(
        None, title="每个时段（分钟）", ge=services.MIN_SLOT, le=services.MAX_SLOT
    )
    capacity: int | None = Field(
        None, title="每个时段可预约人数", ge=services.MIN_CAPACITY, le=services.MAX_CAPACITY
    )


class ListQuery(Schema):
    agency: str = ""
    cursor: str = ""
    limit: str = ""


class CenterItemOut(Schema):
    id: str
    center: str
    item: str
    item_name: str
    department: str
    item_active: bool
    bookable: bool
    slot_minutes: int
    capacity: int


class CenterOut(Schema):
    id: str
    agency: str
    agency_id: str
    name: str
    subdistrict: str | None
    subdistrict_id: str | None
    address: str
    phone: str
    morning_opens: str
    morning_closes: str
    afternoon_opens: str | None
    afternoon_closes: str | None
    booking_days_ahead: int
    active: bool


class CenterDetailOut(CenterOut):
    items: list[CenterItemOut]


class CenterPage(Schema):
    items: list[CenterOut]
    next_cursor: str | None


# --- Helpers ------------------------------------------------------------------------------------


def _may_read(user) -> None:
    if not user.has_perm("services.view_centers"):
        raise PermissionDenied


def _hhmm(value: dt.time | None) -> str | None:
    return f"{value:%H:%M}" if value is not None else None


def center_out(center: ServiceCenter) -> dict:
    return {
        "id": str(center.pk),
        "agency": center.agency.name,
        "agency_id": str(center.agency_id),
        "name": center.name,
        "subdistrict": center.subdistrict.name if center.subdistrict_id else None,
        "subdistrict_id": str(center.subdistrict_id) if center.subdistrict_id else None,
        "address": center.address,
        "phone": center.phone,
        "morning_opens": _hhmm(center.morning_opens),
        "morning_closes": _hhmm(center.morning_closes),
        "afternoon_opens": _hhmm(center.afternoon_opens),
        "afternoon_closes": _hhmm(center.afternoon_closes),
        "booking_days_ahead": center.booking_days_ahead,
        "active": center.active,
    }


def center_item_out(center_item: CenterItem) -> dict:
    return {
        "id": str(center_item.pk),
        "center": str(center_item.center_id),
        "item": str(center_item.item_id),
        "item_name": center_item.item.name,
        "department": center_item.item.department.name,
        "item_active": center_item.item.active,
        "bookable": center_item.bookable,
        "slot_minutes": center_item.slot_minutes,
        "capacity": center_item.capacity,
    }


def _detail(center: ServiceCenter) -> dict:
    return {
        **center_out(center),
        "items": [center_item_out(ci) for ci in selectors.center_items(center)],
    }


def _center(request, center_id) -> ServiceCenter:
    _may_read(request.user)
    return selectors.access_center(request.user, _id(center_id))


def _reading_agency(user, agency_id: str) -> Agency:
    if agency_id and _id(agency_id) is None:
        raise Http404
    agency = power_selectors.agency_for(user, _id(agency_id) if agency_id else None)
    if agency is None:
        raise Http404
    return agency


def _managing_agency(user, agency_id: str) -> Agency:
    """The agency a new center belongs to: ?agency= among those whose legal office the user
    is, or the only one."""
    offices = [
        a for a in agencies_with_role(user, Role.LEGAL_OFFICER) if a in writable_agency_ids(user)
    ]
    if agency_id:
        if _id(agency_id) not in writable_agency_ids(user):
            raise Http404
        return Agency.objects.get(pk=_id(agency_id))
    if not offices:
        raise PermissionDenied
    if len(offices) != 1:
        raise InvalidInput(_("请选择机关。"), code="agency_required", fields=["agency"])
    return Agency.objects.get(pk=offices[0])


def _subdistrict(agency, value):
    if value is None or value == "":
        return None
    found = Subdistrict.objects.filter(pk=_id(value), agency=agency).first() if _id(value) else None
    if found is None:
        raise InvalidInput(_("请选择本机关的街道/镇。"), code="subdistrict_invalid")
    return found


# --- Routes -------------------------------------------------------------------------------------


@router.get("/", response=CenterPage, url_name="services_centers_list")
def center_list(request, filters: Query[ListQuery]):
    """The centers of an agency (newest first)."""
    _may_read(request.user)
    agency = _reading_agency(request.user, filters.agency)
    page = paginate(
        selectors.centers_for(request.user).filter(agency=agency),
        cursor=filters.cursor or None,
        limit=_limit(filters.limit),
    )
    return {"items": [center_out(c) for c in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/", response={201: CenterDetailOut}, url_name="services_centers_create")
def center_create(request, body: CenterIn):
    """A new center (legal office)."""
    _may_read(request.user)
    agency = _managing_agency(request.user, body.agency)
    values = body.dict(exclude={"agency"})
    values["subdistrict"] = _subdistrict(agency, values["subdistrict"])
    center = services.center_create(actor=request.user, agency=agency, request=request, **values)
    return Status(201, _detail(selectors.access_center(request.user, center.pk)))


@router.get("/{center_id}", response=CenterDetailOut, url_name="services_centers_detail")
def center_detail(request, center_id: str):
    return _detail(_center(request, center_id))


@router.patch("/{center_id}", response=CenterDetailOut, url_name="services_centers_update")
def center_update(request, center_id: str, body: CenterUpdateIn):
    """Change the fields sent (legal office); `null` clears the afternoon or the subdistrict."""
    center = _center(request, center_id)
    fields = body.dict(exclude_unset=True)
    nullable = {"subdistrict", "afternoon_opens", "afternoon_closes"}
    for name, value in list(fields.items()):
        if value is None and name not in nullable:
            raise InvalidInput(
                _("%(f)s不能为空。") % {"f": CenterUpdateIn.model_fields[name].title},
                code=f"{name}_required",
            )
    if "subdistrict" in fields:
        fields["subdistrict"] = _subdistrict(center.agency, fields["subdistrict"])
    services.center_update(actor=request.user, center=center, request=request, **fields)
    return _detail(selectors.access_center(request.user, center.pk))


@router.post(
    "/{center_id}/items", response={201: CenterItemOut}, url_name="services_centers_items_add"
)
def center_item_add(request, center_id: str, body: CenterItemIn):
    """The center takes an item (legal office)."""
    center = _center(request, center_id)
    item = ServiceItem.objects.filter(pk=_id(body.item)).first() if _id(body.item) else None
    if item is None:
        raise InvalidInput(_("请选择本机关在用的服务事项。"), code="item_invalid")
    added = services.center_item_add(
        actor=request.user,
        center=center,
        item=item,
        bookable=body.bookable,
        slot_minutes=body.slot_minutes,
        capacity=body.capacity,
        request=request,
    )
    return Status(201, center_item_out(selectors.access_center_item(request.user, added.pk)))


@router.patch(
    "/items/{center_item_id}", response=CenterItemOut, url_name="services_centers_items_update"
)
def center_item_update(request, center_item_id: str, body: CenterItemUpdateIn):
    """Change an item's booking settings (legal office): the fields sent."""
    _may_read(request.user)
    center_item = selectors.access_center_item(request.user, _id(center_item_id))
    fields = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    services.center_item_update(
        actor=request.user, center_item=center_item, request=request, **fields
    )
    return center_item_out(selectors.access_center_item(request.user, center_item.pk))
