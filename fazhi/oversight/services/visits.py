"""Conduct supervisors (行风政风监督员), their monthly plans and visits (明察暗访).

Rules of the area:
- The legal office keeps the roster (kind, workplace, term, phone — encrypted, shown masked),
  the checklist a visit is scored on, and the monthly plans. A roster entry is never deleted:
  a term is ended (`supervisor_end_term`), which keeps every visit it filed.
- Only a supervisor on the roster files a visit: the entry linked to the filing account, in
  post, its term covering the visit day. Nobody files for someone else, the legal office
  included (a visit is the supervisor's own account of what they saw).
- A visit date is never in the future and never outside the term; every active checklist item
  gets a score 0..max; `total_points`/`max_points` are stored with the visit (the evaluation
  reads them) and never change afterwards.
- Photos are JPEG/PNG, each at most `oversight.visit_photo_max_mb` of the agency; the visit,
  its scores, its photos and the finding opened from its problem are one transaction, so a
  refused photo leaves nothing behind.
- A written problem opens a finding for the department visited (`finding_open`, source
  "visit", idempotent on `oversight.visit:<pk>`); when the supervisor wrote none, the legal
  office may open one later from the remarks ("转为问题").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import agency_settings, audit
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.files.conf import MB
from fazhi.core.files.models import StoredFile
from fazhi.core.files.services import file_store
from fazhi.core.models import Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role
from fazhi.oversight.models import (
    Mode,
    Severity,
    Source,
    Supervisor,
    Visit,
    VisitChecklistItem,
    VisitPlan,
    VisitScore,
)
from fazhi.oversight.services.findings import finding_open

PHOTO_PURPOSE = "oversight_visit_photo"
PHOTO_SETTING = "oversight.visit_photo_max_mb"
# The file use's ceiling is the setting's maximum; the agency's own limit is checked here.
PHOTO_CEILING_MB = 20
MAX_PHOTOS = 9
MAX_TEXT = 5000
TITLE_CHARS = 60
# A roster term longer than this is a typing mistake (terms are usually 2 to 5 years).
MAX_TERM_YEARS = 10


# --- Registrations -------------------------------------------------------------------------------


def ready() -> None:
    """File uses of visits and inspections, and the supervisor's 待办."""
    from fazhi.core.files.uses import register_use
    from fazhi.oversight.services import inspections
    from fazhi.workspace.tasks import provider

    register_use(
        PHOTO_PURPOSE,
        label=_("走访照片"),
        allowed_types={"jpeg", "png"},
        max_bytes=PHOTO_CEILING_MB * MB,
        can_read=may_read_oversight_file,
    )
    inspections.ready()
    provider(supervisor_tasks)


def may_read_oversight_file(user, stored) -> bool:
    """Photos, reports and evidence of visits and inspections: whoever reads the whole
    agency's oversight, the uploader, the department of a finding that cites the file as
    evidence, and the inspectors of the contract whose report it is."""
    from fazhi.oversight.models import Finding, Inspection
    from fazhi.oversight.permissions.base import department_ids, reads_everything

    if reads_everything(user, stored) or stored.uploaded_by_id == user.pk:
        return True
    own = department_ids(user, stored.agency_id)
    if own and Finding.objects.filter(evidence=stored, department_id__in=own).exists():
        return True
    return Inspection.objects.filter(report=stored, contract__inspectors=user).exists()


def supervisor_tasks(user):
    """待办: this month's planned visits the supervisor has not filed yet."""
    from django.urls import reverse

    from fazhi.workspace.tasks import Task

    if not has_role(user, Role.SUPERVISOR):
        return []
    today = timezone.localdate()
    month = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    plans = VisitPlan.objects.filter(
        supervisor__user=user, supervisor__active=True, month=month, visits__isnull=True
    ).order_by("pk")
    return [
        Task(
            _("走访：%(place)s（%(mode)s）") % {"place": p.place, "mode": p.get_mode_display()},
            reverse("oversight:visit_file") + f"?plan={p.pk}",
            _("明察暗访"),
            last,
        )
        for p in plans
    ]


# --- Shared checks -------------------------------------------------------------------------------


def _office(actor, agency) -> None:
    if not has_role(actor, Role.LEGAL_OFFICER, agency_id=agency.pk):
        raise NotAllowed()


def _text(value, label, *, limit: int, code: str, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput(_("%(label)s格式不正确。") % {"label": label}, code=f"{code}_invalid")
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)d 字。") % {"label": label, "limit": limit},
            code=f"{code}_too_long",
        )
    return text


def _day(value, label, *, code: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    return value


def _choice(value, choices, label, code: str) -> str:
    if value not in choices.values:
        raise InvalidInput(_("请选择%(label)s。") % {"label": label}, code=code)
    return value


def _department(agency, department, *, required: bool):
    if department is None:
        if required:
            raise InvalidInput(_("请选择被走访单位。"), code="department_required")
        return None
    if not isinstance(department, Department) or department.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的单位。"), code="department_invalid")
    return department


def _subdistrict(agency, subdistrict):
    if subdistrict is None:
        return None
    if not isinstance(subdistrict, Subdistrict) or subdistrict.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的街道/镇。"), code="subdistrict_invalid")
    return subdistrict


def _event(verb: str, *, actor, agency, target, **data) -> None:
    audit.record(f"oversight.visits.{verb}", actor=actor, agency=agency, target=target, data=data)


# --- The roster ----------------------------------------------------------------------------------


def _roster_values(agency, values: Mapping) -> dict:
    kind = _choice(values.get("kind"), Supervisor.Kind, _("类别"), "kind_invalid")
    term_start = _day(values.get("term_start"), _("聘期开始"), code="term_start")
    term_end = _day(values.get("term_end"), _("聘期结束"), code="term_end")
    if term_end < term_start:
        raise InvalidInput(_("聘期结束不能早于聘期开始。"), code="term_order")
    if (term_end - term_start).days > MAX_TERM_YEARS * 366:
        raise InvalidInput(
            _("聘期不能超过 %(n)d 年。") % {"n": MAX_TERM_YEARS}, code="term_too_long"
        )
    user = values.get("user")
    if user is not None and not has_role(user, Role.SUPERVISOR, agency_id=agency.pk):
        raise InvalidInput(
            _("所选账号不是本机关的行风政风监督员，请先由安全管理员授予该角色。"),
            code="user_not_supervisor",
        )
    return {
        "name": _text(values.get("name"), _("姓名"), limit=50, code="name"),
        "kind": kind,
        "workplace": _text(
            values.get("workplace"),
            _("工作单位及职务"),
            limit=200,
            code="workplace",
            required=False,
        ),
        "term_start": term_start,
        "term_end": term_end,
        "user": user,
    }


def _set_phone(supervisor: Supervisor, phone) -> None:
    # Assigning validates and encrypts at once (InvalidInput for a number that is not one).
    if phone is None:
        return
    supervisor.phone = (phone or "").strip() if isinstance(phone, str) else phone


def _save_roster(supervisor: Supervisor) -> None:
    try:
        with transaction.atomic():
            supervisor.save()
    except IntegrityError:
        raise InvalidInput(
            _("该账号已登记为另一名监督员。"), code="user_already_on_roster"
        ) from None


def supervisor_add(
    *,
    actor,
    agency,
    name,
    kind,
    term_start,
    term_end,
    workplace="",
    phone="",
    user=None,
) -> Supervisor:
    """Put a supervisor on the roster (legal office)."""
    _office(actor, agency)
    values = _roster_values(
        agency,
        {
            "name": name,
            "kind": kind,
            "workplace": workplace,
            "term_start": term_start,
            "term_end": term_end,
            "user": user,
        },
    )
    supervisor = Supervisor(agency=agency, **values)
    _set_phone(supervisor, phone)
    with transaction.atomic():
        _save_roster(supervisor)
        _event(
            "supervisor_add",
            actor=actor,
            agency=agency,
            target=supervisor,
            kind=supervisor.kind,
            term=[supervisor.term_start.isoformat(), supervisor.term_end.isoformat()],
            user=supervisor.user_id,
        )
    return supervisor


ROSTER_FIELDS = ("name", "kind", "workplace", "term_start", "term_end", "user", "phone")


def supervisor_update(*, actor, supervisor: Supervisor, **fields) -> Supervisor:
    """Change a roster entry; only the fields given. `phone=None` keeps the stored number."""
    unknown = sorted(set(fields) - set(ROSTER_FIELDS))
    if unknown:
        raise InvalidInput(
            _("不能修改的字段：%(f)s。") % {"f": "、".join(unknown)}, code="unknown_field"
        )
    _office(actor, supervisor.agency)
    with transaction.atomic():
        locked = Supervisor.objects.select_for_update().get(pk=supervisor.pk)
        current = {name: getattr(locked, name) for name in ROSTER_FIELDS if name != "phone"}
        values = _roster_values(locked.agency, {**current, **fields})
        first_visit = locked.visits.order_by("visited_on").values_list("visited_on", flat=True)
        first = first_visit.first()
        last = locked.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
        if first is not None and (values["term_start"] > first or values["term_end"] < last):
            raise InvalidInput(
                _("聘期须包括已登记的走访日期（%(a)s至%(b)s）。")
                % {"a": format_day(first), "b": format_day(last)},
                code="term_excludes_visits",
            )
        changed = [name for name, value in values.items() if value != current[name]]
        for name in changed:
            setattr(locked, name, values[name])
        if fields.get("phone") is not None:
            _set_phone(locked, fields["phone"])
            changed.append("phone")
        if not changed:
            return locked
        _save_roster(locked)
        _event(
            "supervisor_update", actor=actor, agency=locked.agency, target=locked, fields=changed
        )
    return locked


def supervisor_end_term(*, actor, supervisor: Supervisor, ended_on: date | None = None, reason=""):
    """End a term early (解聘/辞任) or mark it finished: not in post from the day after
    `ended_on` (today when omitted); the visits filed stay."""
    _office(actor, supervisor.agency)
    today = timezone.localdate()
    ended_on = ended_on or today
    reason = _text(reason, _("原因"), limit=500, code="reason", required=False)
    with transaction.atomic():
        locked = Supervisor.objects.select_for_update().get(pk=supervisor.pk)
        if not locked.active:
            raise Conflict(_("该监督员已不在聘。"), code="already_ended")
        if ended_on > today:
            raise InvalidInput(_("离任日期不能晚于今天。"), code="date_in_future")
        if ended_on < locked.term_start:
            raise InvalidInput(_("离任日期不能早于聘期开始。"), code="date_too_early")
        last = locked.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
        if last is not None and ended_on < last:
            raise InvalidInput(
                _("离任日期不能早于其最近一次走访（%(d)s）。") % {"d": format_day(last)},
                code="date_before_visit",
            )
        locked.active = False
        locked.term_end = min(locked.term_end, ended_on)
        locked.save(update_fields=["active", "term_end"])
        _event(
            "supervisor_end_term",
            actor=actor,
            agency=locked.agency,
            target=locked,
            ended_on=ended_on.isoformat(),
            reason=reason,
        )
    return locked


# --- The checklist -------------------------------------------------------------------------------


def checklist_item_save(
    *, actor, agency, text, max_points=10, order=None, active=True, item=None
) -> VisitChecklistItem:
    """Add an item (item=None) or change one; items are never deleted (old visits cite them),
    only switched off."""
    _office(actor, agency)
    text = _text(text, _("评价内容"), limit=200, code="text")
    if (
        not isinstance(max_points, int)
        or isinstance(max_points, bool)
        or not 1 <= max_points <= 100
    ):
        raise InvalidInput(_("满分须为 1 至 100 的整数。"), code="max_points_invalid")
    with transaction.atomic():
        if item is None:
            if order is None:
                last = (
                    VisitChecklistItem.objects.filter(agency=agency)
                    .order_by("-order")
                    .values_list("order", flat=True)
                    .first()
                )
                order = (last or 0) + 1
            item = VisitChecklistItem(agency=agency, order=order)
            verb = "item_add"
        else:
            if item.agency_id != agency.pk:
                raise NotAllowed()
            item = VisitChecklistItem.objects.select_for_update().get(pk=item.pk)
            verb = "item_update"
            if order is not None:
                item.order = order
        if not isinstance(item.order, int) or not 1 <= item.order <= 999:
            raise InvalidInput(_("序号须为 1 至 999 的整数。"), code="order_invalid")
        item.text, item.max_points, item.active = text, max_points, bool(active)
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise InvalidInput(_("序号已被其他项目使用。"), code="order_taken") from None
        _event(
            verb,
            actor=actor,
            agency=agency,
            target=item,
            text=item.text,
            max_points=item.max_points,
            active=item.active,
        )
    return item


# --- Monthly plans -------------------------------------------------------------------------------


def month_start(value) -> date:
    if not isinstance(value, date):
        raise InvalidInput(_("请选择月份。"), code="month_required")
    return date(value.year, value.month, 1)


def plan_add(
    *,
    actor,
    agency,
    month,
    supervisor: Supervisor,
    place,
    department=None,
    subdistrict=None,
    mode=Mode.OPEN,
    note="",
) -> VisitPlan:
    """A place for a supervisor to visit in a month (legal office). The supervisor must be in
    post during that month."""
    _office(actor, agency)
    month = month_start(month)
    if supervisor is None or supervisor.agency_id != agency.pk:
        raise InvalidInput(_("请选择本机关的监督员。"), code="supervisor_invalid")
    month_end = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    if not supervisor.active or supervisor.term_end < month or supervisor.term_start > month_end:
        raise InvalidInput(
            _("%(name)s在%(month)s不在聘期内。")
            % {"name": supervisor.name, "month": f"{month.year}年{month.month}月"},
            code="supervisor_not_in_term",
        )
    place = _text(place, _("走访地点"), limit=200, code="place")
    department = _department(agency, department, required=False)
    subdistrict = _subdistrict(agency, subdistrict)
    mode = _choice(mode, Mode, _("方式"), "mode_invalid")
    note = _text(note, _("说明"), limit=2000, code="note", required=False)
    plan = VisitPlan(
        agency=agency,
        month=month,
        supervisor=supervisor,
        place=place,
        department=department,
        subdistrict=subdistrict,
        mode=mode,
        note=note,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            plan.save()
            _event(
                "plan_add",
                actor=actor,
                agency=agency,
                target=plan,
                month=month.isoformat(),
                supervisor=supervisor.pk,
                mode=mode,
            )
    except IntegrityError:
        raise InvalidInput(_("该监督员本月已安排走访此地点。"), code="plan_duplicate") from None
    return plan


def plan_remove(*, actor, plan: VisitPlan, reason="") -> None:
    """Take a place off a month's plan before it was visited (the event keeps what it was)."""
    _office(actor, plan.agency)
    reason = _text(reason, _("原因"), limit=500, code="reason", required=False)
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update().filter(pk=plan.pk).first()
        if locked is None:
            raise Conflict(_("该计划已被删除。"), code="state_changed")
        if locked.visits.exists():
            raise Conflict(_("已按此计划走访，不能删除。"), code="plan_done")
        _event(
            "plan_remove",
            actor=actor,
            agency=locked.agency,
            target=locked,
            month=locked.month.isoformat(),
            supervisor=locked.supervisor_id,
            place=locked.place,
            mode=locked.mode,
            reason=reason,
        )
        locked.delete()


# --- Filing a visit ------------------------------------------------------------------------------


def roster_entry(actor, agency=None) -> Supervisor | None:
    """The roster entry linked to the account (of `agency` when given), in post or not."""
    if not getattr(actor, "is_authenticated", False):
        return None
    entries = Supervisor.objects.filter(user=actor).select_related("agency")
    if agency is not None:
        entries = entries.filter(agency=agency)
    return entries.order_by("-active", "-term_end").first()


def photo_limit_bytes(agency) -> int:
    return int(agency_settings.get(agency, PHOTO_SETTING)) * MB


def _photo_too_large(limit: int) -> InvalidInput:
    return InvalidInput(
        _("照片不能超过 %(mb)d MB，请压缩后重新上传（手机拍照可选择较小尺寸）。")
        % {"mb": limit // MB},
        code="photo_too_large",
    )


def _check_photos(agency, actor, uploads, photo_files) -> tuple[list, list]:
    uploads = list(uploads or ())
    photo_files = list(photo_files or ())
    if len(uploads) + len(photo_files) > MAX_PHOTOS:
        raise InvalidInput(
            _("每次走访最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    limit = photo_limit_bytes(agency)
    for upload in uploads:
        size = getattr(upload, "size", None)
        if isinstance(size, int) and size > limit:
            raise _photo_too_large(limit)
    for stored in photo_files:
        if (
            not isinstance(stored, StoredFile)
            or stored.agency_id != agency.pk
            or stored.purpose != PHOTO_PURPOSE
            or stored.uploaded_by_id != actor.pk
        ):
            raise InvalidInput(_("照片须是您本人上传的走访照片。"), code="photo_invalid")
        if stored.size > limit:
            raise _photo_too_large(limit)
    if (
        photo_files
        and Visit.photos.through.objects.filter(
            storedfile_id__in=[s.pk for s in photo_files]
        ).exists()
    ):
        raise InvalidInput(_("照片已用于另一次走访。"), code="photo_used")
    return uploads, photo_files


def _scores(agency, scores: Mapping) -> list[tuple[VisitChecklistItem, int]]:
    items = list(VisitChecklistItem.objects.filter(agency=agency, active=True).order_by("order"))
    given = {str(key): value for key, value in (scores or {}).items()}
    known = {str(item.pk) for item in items}
    stray = sorted(set(given) - known)
    if stray:
        raise InvalidInput(_("评分项目不存在或已停用。"), code="score_item_unknown", items=stray)
    result = []
    for item in items:
        value = given.get(str(item.pk))
        if value is None or value == "":
            raise InvalidInput(
                _("请为“%(item)s”打分。") % {"item": item.text}, code="score_required", item=item.pk
            )
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value <= item.max_points
        ):
            raise InvalidInput(
                _("“%(item)s”的得分须在 0 至 %(max)d 分之间。")
                % {"item": item.text, "max": item.max_points},
                code="score_out_of_range",
                item=item.pk,
            )
        result.append((item, value))
    return result


def finding_title(problem: str) -> str:
    """The first line of the problem, at most 60 characters."""
    first = next((line.strip() for line in problem.splitlines() if line.strip()), "")
    return first[:TITLE_CHARS]


def _description(problem: str, remarks: str) -> str:
    if problem and remarks:
        return f"{problem}\n\n{_('意见建议：')}{remarks}"
    return problem or remarks


def visit_file(
    *,
    actor,
    visited_on,
    department=None,
    mode=None,
    scores: Mapping | None = None,
    place="",
    plan: VisitPlan | None = None,
    subdistrict=None,
    remarks="",
    problem="",
    photos: Iterable = (),
    photo_files: Iterable = (),
    supervisor: Supervisor | None = None,
    on: date | None = None,
    request=None,
) -> Visit:
    """A supervisor files a visit; returns it (with `finding` when a problem was written).

    `photos` are uploads stored here; `photo_files` are StoredFiles the same supervisor
    uploaded before (API clients upload through /api/files first). `supervisor`, when given,
    must be the actor's own roster entry. `on` is the filing day (today unless the demo files
    a past visit); the finding is handed to the department that day.
    """
    today = timezone.localdate()
    on = on or today
    own = roster_entry(actor) if supervisor is None else supervisor
    if own is None or own.user_id is None or own.user_id != getattr(actor, "pk", None):
        raise NotAllowed(_("只有登记在册的监督员本人可以填报走访。"), code="not_supervisor")
    agency = own.agency
    if not has_role(actor, Role.SUPERVISOR, agency_id=agency.pk):
        raise NotAllowed(_("只有登记在册的监督员本人可以填报走访。"), code="not_supervisor")
    if not own.active:
        raise NotAllowed(_("您已不在聘期内，不能填报走访。"), code="not_in_post")
    visited_on = _day(visited_on, _("走访日期"), code="visited_on")
    if visited_on > today or on > today:
        raise InvalidInput(_("走访日期不能晚于今天。"), code="date_in_future")
    if visited_on > on:
        raise InvalidInput(_("走访日期不能晚于填报日期。"), code="date_after_filing")
    if visited_on < own.term_start:
        raise InvalidInput(
            _("走访日期早于您的聘期（%(d)s起）。") % {"d": format_day(own.term_start)},
            code="date_before_term",
        )
    if visited_on > own.term_end:
        raise InvalidInput(
            _("走访日期晚于您的聘期（至%(d)s）。") % {"d": format_day(own.term_end)},
            code="date_after_term",
        )
    if plan is not None:
        if plan.supervisor_id != own.pk:
            raise InvalidInput(_("该走访计划不是您的。"), code="plan_not_own")
        if visited_on < plan.month:
            raise InvalidInput(_("走访日期早于计划月份。"), code="date_before_plan")
        place = place or plan.place
        department = department or plan.department
        subdistrict = subdistrict or plan.subdistrict
        mode = mode or plan.mode
    place = _text(place, _("走访地点"), limit=200, code="place")
    department = _department(agency, department, required=True)
    subdistrict = _subdistrict(agency, subdistrict)
    mode = _choice(mode, Mode, _("明察或暗访"), "mode_invalid")
    remarks = _text(remarks, _("意见建议"), limit=MAX_TEXT, code="remarks", required=False)
    problem = _text(problem, _("发现的问题"), limit=MAX_TEXT, code="problem", required=False)
    scored = _scores(agency, scores or {})
    uploads, photo_files = _check_photos(agency, actor, photos, photo_files)
    limit = photo_limit_bytes(agency)
    with transaction.atomic():
        if plan is not None:
            # Two filings of one plan at once: the second sees the first after the lock.
            VisitPlan.objects.select_for_update().filter(pk=plan.pk).first()
        stored_photos = list(photo_files)
        for upload in uploads:
            stored = file_store(
                actor=actor, agency=agency, upload=upload, purpose=PHOTO_PURPOSE, request=request
            )
            if stored.size > limit:  # an upload that did not declare its size
                raise _photo_too_large(limit)
            stored_photos.append(stored)
        visit = Visit.objects.create(
            agency=agency,
            supervisor=own,
            plan=plan,
            place=place,
            department=department,
            subdistrict=subdistrict,
            visited_on=visited_on,
            mode=mode,
            remarks=remarks,
            problem=problem,
            total_points=sum(points for _item, points in scored),
            max_points=sum(item.max_points for item, _points in scored),
            filed_by=actor,
        )
        VisitScore.objects.bulk_create(
            [VisitScore(visit=visit, item=item, points=points) for item, points in scored]
        )
        if stored_photos:
            visit.photos.set(stored_photos)
        audit.record(
            "oversight.visits.file",
            actor=actor,
            agency=agency,
            target=visit,
            request=request,
            data={
                "visited_on": visited_on.isoformat(),
                "department": department.pk,
                "mode": mode,
                "plan": plan.pk if plan else None,
                "points": [visit.total_points, visit.max_points],
                "photos": [s.pk for s in stored_photos],
                "problem": bool(problem),
            },
        )
        if problem:
            visit.finding = finding_open(
                agency=agency,
                source=Source.VISIT,
                source_ref=f"oversight.visit:{visit.pk}",
                source_label=_("%(name)s %(mode)s %(place)s")
                % {"name": own.name, "mode": visit.get_mode_display(), "place": place},
                title=finding_title(problem),
                description=_description(problem, remarks),
                department=department,
                subdistrict=subdistrict,
                severity=Severity.GENERAL,
                found_on=visited_on,
                on=on,
                evidence=stored_photos,
                actor=actor,
                request=request,
            )
            visit.save(update_fields=["finding"])
    return visit


def visit_open_finding(
    *,
    actor,
    visit: Visit,
    title="",
    description="",
    severity=Severity.GENERAL,
    legal_basis="",
    on: date | None = None,
    request=None,
):
    """转为问题: the legal office opens a finding from a visit's remarks when the supervisor
    wrote no problem. Title and description default to the remarks."""
    _office(actor, visit.agency)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("supervisor").get(pk=visit.pk)
        if locked.finding_id is not None:
            raise Conflict(_("此次走访已有问题在整改，不能重复转为问题。"), code="finding_exists")
        remarks = locked.remarks.strip()
        if not remarks and not (description or "").strip():
            raise InvalidInput(_("此次走访没有意见建议可转为问题。"), code="no_remarks")
        description = _text(
            description or remarks, _("问题描述"), limit=MAX_TEXT, code="description"
        )
        title = _text(title or finding_title(description), _("问题"), limit=200, code="title")
        locked.finding = finding_open(
            agency=locked.agency,
            source=Source.VISIT,
            source_ref=f"oversight.visit:{locked.pk}",
            source_label=_("%(name)s %(mode)s %(place)s")
            % {
                "name": locked.supervisor.name,
                "mode": locked.get_mode_display(),
                "place": locked.place,
            },
            title=title,
            description=description,
            department=locked.department,
            subdistrict=locked.subdistrict,
            severity=severity,
            legal_basis=(legal_basis or "").strip(),
            found_on=locked.visited_on,
            on=on,
            evidence=list(locked.photos.all()),
            actor=actor,
            request=request,
        )
        locked.save(update_fields=["finding"])
        _event(
            "open_finding",
            actor=actor,
            agency=locked.agency,
            target=locked,
            finding=locked.finding_id,
        )
    return locked
