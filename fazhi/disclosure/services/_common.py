"""What every disclosure service shares: the refusals, the checks, the clock and the event."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from fazhi.core import audit, workflow
from fazhi.core.calendar import format_day
from fazhi.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from fazhi.core.models import Membership
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.disclosure import clock, selectors
from fazhi.disclosure.models import DisclosureRequest

logger = logging.getLogger("fazhi.disclosure")

State = DisclosureRequest.State
SERIES = "disclosure-request"
SYSTEM = "fazhi sweep"
PUBLIC = "申请人"
# The 2019 regulation (国务院令第711号) is in force from this day; its clock starts no earlier.
EARLIEST_RECEIPT = date(2019, 5, 15)
MAX_DESCRIPTION = 5000
MAX_TEXT = 20000


class TooManyRequests(DomainError):
    """The client sent more than the public-form limit allows this minute (HTTP 429)."""

    code = "rate_limited"
    status = 429
    default_message = _("提交过于频繁，请稍后再试。")


# --- Shared helpers ---------------------------------------------------------------------------


def _lock(request: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.select_for_update().get(pk=request.pk)


def _one(request, name):
    try:
        return getattr(request, name)
    except ObjectDoesNotExist:
        return None


def _require(actor, perm: str, request) -> None:
    if not actor.has_perm(perm, request):
        raise NotAllowed()


def _require_state(request, *states) -> None:
    if request.state not in states:
        raise Conflict(
            _("申请当前为“%(state)s”，不能进行此操作。可能已被他人处理，请刷新。")
            % {"state": request.get_state_display()},
            code="state_changed",
        )


def _day(value, label, *, today: date, default_today: bool = True) -> date:
    """A date argument: today when omitted, never in the future."""
    if value is None:
        if default_today:
            return today
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code="date_required")
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(_("%(label)s格式不正确。") % {"label": label}, code="invalid_date")
    if value > today:
        raise InvalidInput(_("%(label)s不能晚于今天。") % {"label": label}, code="date_in_future")
    return value


def _not_before(value: date, floor: date, label, floor_label) -> None:
    if value < floor:
        raise InvalidInput(
            _("%(label)s不能早于%(floor_label)s（%(floor)s）。")
            % {"label": label, "floor_label": floor_label, "floor": format_day(floor)},
            code="date_too_early",
        )


def _text(value, label, *, limit: int, code: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, code=f"{code}_required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)d 字，您填写了 %(length)d 字。")
            % {"label": label, "limit": limit, "length": len(text)},
            code=f"{code}_too_long",
        )
    return text


def _choice(value, choices, label, code: str) -> str:
    if value not in choices.values:
        raise InvalidInput(_("请选择%(label)s。") % {"label": label}, code=code)
    return value


def _rules(request) -> clock.Rules:
    return clock.Rules.for_agency(request.agency_id)


def _clock_start(request) -> date:
    supplement_request = _one(request, "supplement_request")
    if supplement_request is not None and supplement_request.supplemented_on is not None:
        return supplement_request.supplemented_on
    return request.received_on


def _refresh_due(request: DisclosureRequest) -> clock.DueDate:
    """Derive the deadline again from every record and store it (caller holds the lock)."""
    due = selectors.due_explained(request)
    if (request.due_on, request.due_provisional) != (due.due_on, due.provisional):
        request.due_on = due.due_on
        request.due_provisional = due.provisional
        request.save(update_fields=["due_on", "due_provisional"])
    return due


def _event(verb: str, *, actor, request, actor_name: str = "", http_request=None, **data):
    audit.record(
        f"disclosure.{verb}",
        actor=actor,
        actor_name=actor_name,
        agency=request.agency,
        target=request,
        from_state=request.state,
        to_state=request.state,
        request=http_request,
        data=data,
    )


def _people(agency_ids: Iterable[int], roles) -> dict[int, list]:
    """{agency_id: users} holding any of `roles` there, in one query."""
    found: dict[int, list] = {}
    memberships = (
        Membership.objects.active()
        .filter(agency_id__in=list(agency_ids), role__in=list(roles), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        users = found.setdefault(membership.agency_id, [])
        if membership.user not in users:
            users.append(membership.user)
    return found


def _tell_office(request, *, kind: str, title: str, body: str = "") -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=_people([request.agency_id], [Role.LEGAL_OFFICER]).get(
                request.agency_id, []
            ),
            kind=kind,
            title=str(title),
            body=str(body),
            target=request,
            agency=request.agency,
            dedupe_key=f"{kind}:{request.pk}",
        )


def _transition(request, action: str, *, actor, comment: str = "", **data) -> DisclosureRequest:
    """Run a transition as `actor` through perform(), or as the system when actor is None.

    The system path (the lapse sweep) has no person whose role could be checked; it still runs
    the transition's guards and writes the same event, attributed to "fazhi sweep".
    """
    if actor is not None:
        return workflow.perform(request, action, actor=actor, comment=comment, **data)
    with transaction.atomic():
        record = _lock(request)
        before = record.state
        method = getattr(record, action)
        if not can_proceed(method):
            raise Conflict(code="guard_failed")
        method(actor=None, comment=comment, **data)
        record.save()
        audit.record(
            f"{record._meta.label_lower}.{action}",
            actor_name=SYSTEM,
            agency=record.agency,
            target=record,
            from_state=before,
            to_state=record.state,
            data={"action": action, "comment": comment, **_plain(data)},
        )
    return record


def _plain(data: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}
