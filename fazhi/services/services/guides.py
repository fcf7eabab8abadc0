"""Service items (服务事项) and their versioned service guides (办事指南).

- An item belongs to a power by the power's 序号 (it must be in the current draft or the last
  published list when the item is created), so it outlives new versions of the power list.
- The legal office and the item's department edit the item and its guide draft; only the legal
  office publishes. A guide is draft → published (frozen) → superseded by the next version;
  a new draft copies the published one. At most one draft and one published guide per item.
- A guide is publishable when it has conditions, at least one material, at least one step, a
  place and hours; promised ≤ statutory (working days); the handling manual (业务手册) is an
  attached file (PDF, DOCX or OFD) visible to staff only.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Department
from fazhi.services import permissions
from fazhi.services.models import MATERIAL_FORMS, Power, ServiceGuide, ServiceItem
from fazhi.services.services._common import (
    limits,
    neutralise,
    require_department,
    require_office,
    text,
)

MANUAL_USE = "services_manual"
GUIDE_TEXT_FIELDS = {
    "conditions": (gettext_lazy("办理条件"), 4000),
    "fee": (gettext_lazy("收费标准"), 200),
    "fee_basis": (gettext_lazy("收费依据"), 300),
    "place": (gettext_lazy("办理地点"), 300),
    "hours": (gettext_lazy("办理时间"), 200),
}
MAX_MATERIALS = 50
MAX_STEPS = 30


def ready() -> None:
    from fazhi.core.files.conf import MB
    from fazhi.core.files.uses import register_use

    register_use(
        MANUAL_USE,
        label=gettext_lazy("业务手册"),
        allowed_types={"pdf", "docx", "ofd"},
        max_bytes=20 * MB,
        can_read=lambda user, stored: permissions.may_read(user, stored.agency_id),
    )


def _department(agency, value) -> Department:
    if isinstance(value, Department):
        department = value
    else:
        key = str(value or "").strip()
        department = (
            Department.objects.filter(agency=agency, pk=int(key)).first()
            if key.isdigit() and len(key) < 12
            else None
        )
    if department is None or department.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的责任处室。"), code="department_unknown")
    return department


def _power_exists(agency, code: str) -> bool:
    return Power.objects.filter(
        agency=agency, code=code, power_list__state__in=["draft", "published"]
    ).exists()


def item_create(
    *,
    actor,
    agency,
    power_code: str,
    name: str,
    department,
    online=False,
    citywide=False,
    request=None,
) -> ServiceItem:
    department = _department(agency, department)
    require_department(actor, agency, department.pk)
    power_code = text(power_code, _("所属权力序号"), limit=40, code="power_code")
    name = text(name, _("事项名称"), limit=200, code="name")
    if not _power_exists(agency, power_code):
        raise InvalidInput(
            _("权力清单中没有序号为“%(c)s”的权力。") % {"c": neutralise(power_code)},
            code="power_unknown",
        )
    with transaction.atomic():
        if ServiceItem.objects.filter(agency=agency, name=name).exists():
            raise InvalidInput(_("已有同名的服务事项。"), code="name_duplicate")
        item = ServiceItem.objects.create(
            agency=agency,
            power_code=power_code,
            name=name,
            department=department,
            online=bool(online),
            citywide=bool(citywide),
        )
        audit.record(
            "services.items.create",
            actor=actor,
            agency=agency,
            target=item,
            request=request,
            data={"power_code": power_code, "online": item.online, "citywide": item.citywide},
        )
    return item


def item_update(*, actor, item: ServiceItem, data: dict, request=None) -> ServiceItem:
    agency = item.agency
    require_department(actor, agency, item.department_id)
    with transaction.atomic():
        locked = ServiceItem.objects.select_for_update().get(pk=item.pk)
        changed = {}
        if "name" in data:
            name = text(data["name"], _("事项名称"), limit=200, code="name")
            if (
                name != locked.name
                and ServiceItem.objects.filter(agency=agency, name=name).exists()
            ):
                raise InvalidInput(_("已有同名的服务事项。"), code="name_duplicate")
            changed["name"] = name
        if "department" in data:
            department = _department(agency, data["department"])
            require_department(actor, agency, department.pk)
            changed["department"] = department
        for flag in ("online", "citywide", "active"):
            if flag in data:
                changed[flag] = bool(data[flag])
        for key, value in changed.items():
            setattr(locked, key, value)
        locked.save()
        audit.record(
            "services.items.update",
            actor=actor,
            agency=agency,
            target=locked,
            request=request,
            data={"fields": sorted(changed)},
        )
    return locked


# --- Guides -------------------------------------------------------------------------------------


def _materials(value) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_MATERIALS:
        raise InvalidInput(_("申请材料格式不正确。"), code="materials_invalid")
    out = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise InvalidInput(_("申请材料格式不正确。"), code="materials_invalid")
        label = _("第 %(n)d 项材料") % {"n": number}
        name = text(entry.get("name"), label + _("的名称"), limit=200, code="material_name")
        form = str(entry.get("form") or "")
        if form not in MATERIAL_FORMS:
            raise InvalidInput(
                _("%(label)s应注明原件、复印件或原件和复印件。") % {"label": label},
                code="material_form",
            )
        count = entry.get("count", 1)
        if isinstance(count, str) and count.strip().isdigit():
            count = int(count.strip())
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 99:
            raise InvalidInput(
                _("%(label)s的份数应为 1 至 99。") % {"label": label}, code="material_count"
            )
        issued_by = text(
            entry.get("issued_by"),
            label + _("的出具单位"),
            limit=200,
            code="material_issuer",
            required=False,
        )
        out.append(
            {
                "name": name,
                "form": form,
                "count": count,
                "issued_by": issued_by,
                "platform_holds": bool(entry.get("platform_holds")),
            }
        )
    return out


def _steps(value) -> list[str]:
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    if not isinstance(value, list) or len(value) > MAX_STEPS:
        raise InvalidInput(_("办理流程格式不正确。"), code="steps_invalid")
    return [
        text(step, _("第 %(n)d 步") % {"n": n}, limit=300, code="step")
        for n, step in enumerate(value, start=1)
    ]


def _locked_draft_guide(guide: ServiceGuide) -> ServiceGuide:
    locked = ServiceGuide.objects.select_for_update().get(pk=guide.pk)
    if locked.state != ServiceGuide.State.DRAFT:
        raise Conflict(_("该版本的办事指南已发布，不能再修改；请新建草稿。"), code="guide_frozen")
    return locked


def guide_start_draft(*, actor, item: ServiceItem, request=None) -> ServiceGuide:
    """A new draft of the guide, copying the published version (if any)."""
    require_department(actor, item.agency, item.department_id)
    with transaction.atomic():
        guides = list(
            ServiceGuide.objects.select_for_update().filter(item=item).order_by("-version")
        )
        if any(g.state == ServiceGuide.State.DRAFT for g in guides):
            raise Conflict(_("该事项已有一份指南草稿。"), code="draft_exists")
        base = next((g for g in guides if g.state == ServiceGuide.State.PUBLISHED), None)
        copied = {}
        if base is not None:
            copied = {
                f: getattr(base, f)
                for f in (
                    "conditions",
                    "materials",
                    "steps",
                    "statutory_days",
                    "promised_days",
                    "fee",
                    "fee_basis",
                    "place",
                    "hours",
                    "manual_id",
                )
            }
        guide = ServiceGuide.objects.create(
            agency=item.agency,
            item=item,
            version=(guides[0].version + 1) if guides else 1,
            **copied,
        )
        audit.record(
            "services.guides.draft_start",
            actor=actor,
            agency=item.agency,
            target=guide,
            request=request,
            to_state=guide.state,
            data={"item": item.pk, "version": guide.version},
        )
    return guide


def guide_update(*, actor, guide: ServiceGuide, data: dict, request=None) -> ServiceGuide:
    item = guide.item
    require_department(actor, item.agency, item.department_id)
    changes = {}
    for key, (label, limit) in GUIDE_TEXT_FIELDS.items():
        if key in data:
            changes[key] = text(data[key], str(label), limit=limit, code=key, required=False)
    if "materials" in data:
        changes["materials"] = _materials(data["materials"])
    if "steps" in data:
        changes["steps"] = _steps(data["steps"])
    with transaction.atomic():
        locked = _locked_draft_guide(guide)
        promised = data.get("promised_days", locked.promised_days)
        statutory = data.get("statutory_days", locked.statutory_days)
        changes["promised_days"], changes["statutory_days"] = limits(promised, statutory)
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit.record(
            "services.guides.update",
            actor=actor,
            agency=item.agency,
            target=locked,
            request=request,
            data={"fields": sorted(k for k in data if k in changes)},
        )
    return locked


def guide_attach_manual(*, actor, guide: ServiceGuide, upload, request=None) -> ServiceGuide:
    from fazhi.core.files.services import file_store

    item = guide.item
    require_department(actor, item.agency, item.department_id)
    with transaction.atomic():
        locked = _locked_draft_guide(guide)
        stored = file_store(
            actor=actor, agency=item.agency, upload=upload, purpose=MANUAL_USE, request=request
        )
        locked.manual = stored
        locked.save(update_fields=["manual"])
        audit.record(
            "services.guides.manual",
            actor=actor,
            agency=item.agency,
            target=locked,
            request=request,
            data={"file": stored.pk},
        )
    return locked


def guide_publish(
    *, actor, guide: ServiceGuide, on: date | None = None, request=None
) -> ServiceGuide:
    item = guide.item
    require_office(actor, item.agency)
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise InvalidInput(_("发布日期不能晚于今天。"), code="date_in_future")
    with transaction.atomic():
        locked = _locked_draft_guide(guide)
        missing = [
            str(label)
            for ok, label in (
                (locked.conditions.strip(), gettext_lazy("办理条件")),
                (locked.materials, gettext_lazy("申请材料")),
                (locked.steps, gettext_lazy("办理流程")),
                (locked.place.strip(), gettext_lazy("办理地点")),
                (locked.hours.strip(), gettext_lazy("办理时间")),
            )
            if not ok
        ]
        if missing:
            raise InvalidInput(
                _("办事指南还缺少：%(m)s，不能发布。") % {"m": "、".join(missing)},
                code="guide_incomplete",
            )
        previous = (
            ServiceGuide.objects.select_for_update()
            .filter(item=item, state=ServiceGuide.State.PUBLISHED)
            .first()
        )
        if previous is not None:
            previous.state = ServiceGuide.State.SUPERSEDED
            previous.save(update_fields=["state"])
        locked.state = ServiceGuide.State.PUBLISHED
        locked.published_on = on
        locked.published_by = actor
        locked.save(update_fields=["state", "published_on", "published_by"])
        audit.record(
            "services.guides.publish",
            actor=actor,
            agency=item.agency,
            target=locked,
            request=request,
            from_state=ServiceGuide.State.DRAFT,
            to_state=locked.state,
            data={
                "item": item.pk,
                "version": locked.version,
                "superseded": previous.version if previous else None,
            },
        )
    return locked
