"""The one way a workflow record changes state (design principle 2).

A domain model declares its transitions with django-fsm-2 (`FSMField(protected=True)`,
`@transition(..., permission="app.perm", conditions=[Guard(...)])`) and a `Workflow` spec naming
the actions people may take, with the China-style operations each step allows: 驳回 (a declared
transition back with a reason), 撤回 (the submitter takes back their last step before anyone
acts on it), 转办 (hand over to a colleague), 会签/或签 (parallel opinions, see countersign_*),
催办 (urge the person the record waits for). `perform()` locks the row, checks role and guards,
runs the transition, saves, writes the event and queues notifications after commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin, can_proceed, has_transition_perm

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Countersign, CountersignOpinion, Department, Event
from fazhi.core.roles import Role
from fazhi.core.tenancy import has_role

# Verbs of the operations that are not transitions of the model itself.
WITHDRAW, TRANSFER, URGE = "withdraw", "transfer", "urge"
# Events that count as "someone acted" for the purpose of 撤回.
_NON_ACTING_VERBS = ("workflow.urge",)


class WorkflowModel(FSMModelMixin, models.Model):
    """Base of every workflow record: lets refresh_from_db() reload the protected state."""

    class Meta:
        abstract = True


class Guard:
    """A named condition on a transition, with the message shown when it does not hold.

    Used as a django-fsm condition (`conditions=[Guard(...)]`) so the same check decides both
    whether the button shows and whether the server accepts the action.
    """

    def __init__(self, check: Callable[[Any], bool], message, code: str):
        self.check = check
        self.message = message
        self.code = code
        self.__name__ = code

    def __call__(self, instance) -> bool:
        return bool(self.check(instance))


@dataclass(frozen=True)
class Action:
    """An action offered to people: a transition method of the model, or an operation."""

    name: str
    label: Any
    comment_required: bool = False
    # "transition" runs the model method `name`; "return" is a transition back (驳回).
    kind: str = "transition"


@dataclass
class Workflow:
    """What a model declares: its actions and which steps allow which operations."""

    actions: Sequence[Action]
    state_field: str = "state"
    # Actions whose performer may take them back (撤回) until someone else acts.
    withdrawable: frozenset[str] = frozenset()
    # States in which the record may be handed to a colleague (转办), and the assignee field.
    transferable_states: frozenset[str] = frozenset()
    assignee_field: str = "assignee"
    # Who may receive a transfer: (record, user) -> bool.
    can_receive: Callable[[Any, Any], bool] | None = None
    # States in which someone may urge (催办), and who may: (record, user) -> bool.
    urgeable_states: frozenset[str] = frozenset()
    can_urge: Callable[[Any, Any], bool] | None = None
    # Called after commit with (record, verb, actor, data): sends the notifications.
    on_change: Callable[[Any, str, Any, dict], None] | None = None
    _by_name: dict[str, Action] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {action.name: action for action in self.actions}

    def action(self, name: str) -> Action:
        try:
            return self._by_name[name]
        except KeyError as exc:
            raise InvalidInput(_("未知的操作。"), code="unknown_action") from exc


def workflow_of(obj_or_model) -> Workflow:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    spec = getattr(model, "workflow", None)
    if not isinstance(spec, Workflow):
        raise TypeError(f"{model.__name__} declares no Workflow")
    return spec


def _label(obj) -> str:
    return obj._meta.label_lower


def _state(obj, spec: Workflow) -> str:
    return getattr(obj, spec.state_field)


def _state_label(obj, spec: Workflow, value: str) -> str:
    choices = dict(obj._meta.get_field(spec.state_field).flatchoices)
    return str(choices.get(value, value))


def _jsonable(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, models.Model):
            out[key] = {"type": value._meta.label_lower, "id": value.pk, "repr": str(value)[:100]}
        elif isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _lock(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _after_commit(spec: Workflow, record, verb: str, actor, data: dict) -> None:
    if spec.on_change is not None:
        transaction.on_commit(lambda: spec.on_change(record, verb, actor, data))


def _may(method, instance, user) -> bool:
    """The transition's permission alone (django-fsm's has_transition_perm also applies the
    guards, which must not decide whether a person may see why they cannot proceed)."""
    meta = method._django_fsm
    return meta.has_transition_perm(instance, meta.field.get_state(instance), user)


def _failed_guard(method, instance) -> Guard | None:
    meta = method._django_fsm
    transition = meta.get_transition(meta.field.get_state(instance))
    for condition in transition.conditions if transition else ():
        if not condition(instance):
            return condition if isinstance(condition, Guard) else None
    return None


def perform(
    obj,
    action: str,
    *,
    actor,
    comment: str = "",
    files: Iterable = (),
    expected_state: str | None = None,
    **data,
):
    """Run one declared action on `obj` for `actor`; returns the locked, saved record.

    Raises InvalidInput (unknown action, missing reason), NotAllowed (role), Conflict (state
    changed underneath, or a guard refuses). Nothing is written when it raises.
    """
    spec = workflow_of(obj)
    if action == WITHDRAW:
        return withdraw(obj, actor=actor, comment=comment)
    if action == TRANSFER:
        return transfer(obj, actor=actor, to_user=data.get("to_user"), comment=comment)
    if action == URGE:
        return urge(obj, actor=actor, comment=comment)
    declared = spec.action(action)
    if declared.comment_required and not comment.strip():
        raise InvalidInput(_("请填写理由。"), code="comment_required")
    with transaction.atomic():
        record = _lock(obj)
        state = _state(record, spec)
        if expected_state is not None and state != expected_state:
            raise Conflict(code="state_changed")
        method = getattr(record, declared.name)
        if not can_proceed(method, check_conditions=False):
            raise Conflict(
                _("记录当前为“%(state)s”，不能执行“%(action)s”。可能已被他人处理，请刷新。")
                % {"state": _state_label(record, spec, state), "action": declared.label},
                code="state_changed",
            )
        if not _may(method, record, actor):
            raise NotAllowed()
        guard = _failed_guard(method, record)
        if guard is not None:
            raise Conflict(guard.message, code=guard.code)
        if not can_proceed(method):
            raise Conflict(code="guard_failed")
        method(actor=actor, comment=comment, **data)
        record.save()
        file_ids = [getattr(f, "pk", f) for f in files]
        event_data = {"action": declared.name, "comment": comment, "files": file_ids}
        event_data.update(_jsonable(data))
        audit.record(
            f"{_label(record)}.{declared.name}",
            actor=actor,
            agency=getattr(record, "agency", None),
            target=record,
            from_state=state,
            to_state=_state(record, spec),
            data=event_data,
        )
        _after_commit(spec, record, declared.name, actor, event_data)
    return record


# --- 撤回 -------------------------------------------------------------------------------------


def _last_acting_event(record) -> Event | None:
    return (
        Event.objects.filter(target_type=_label(record), target_id=str(record.pk))
        .exclude(verb__in=_NON_ACTING_VERBS)
        .order_by("-seq")
        .first()
    )


def can_withdraw(record, user) -> bool:
    spec = workflow_of(record)
    last = _last_acting_event(record)
    return bool(
        last is not None
        and last.actor_id == user.pk
        and last.data.get("action") in spec.withdrawable
        and last.to_state == _state(record, spec)
        and last.from_state
    )


def withdraw(obj, *, actor, comment: str = ""):
    """Take back one's own last step while nobody has acted on it since (撤回)."""
    spec = workflow_of(obj)
    with transaction.atomic():
        record = _lock(obj)
        if not can_withdraw(record, actor):
            raise Conflict(_("已有人处理或不是您提交的，不能撤回。"), code="cannot_withdraw")
        last = _last_acting_event(record)
        state = _state(record, spec)
        # The FSM field is protected against assignment; the step back is a plain update.
        type(record).objects.filter(pk=record.pk).update(**{spec.state_field: last.from_state})
        record.refresh_from_db()
        data = {"action": WITHDRAW, "comment": comment, "undoes": last.seq}
        audit.record(
            f"{_label(record)}.{WITHDRAW}",
            actor=actor,
            agency=getattr(record, "agency", None),
            target=record,
            from_state=state,
            to_state=last.from_state,
            data=data,
        )
        _after_commit(spec, record, WITHDRAW, actor, data)
    return record


# --- 转办 -------------------------------------------------------------------------------------


def can_transfer(record, user) -> bool:
    spec = workflow_of(record)
    return (
        _state(record, spec) in spec.transferable_states
        and getattr(record, f"{spec.assignee_field}_id") == user.pk
    )


def transfer(obj, *, actor, to_user, comment: str = ""):
    """Hand the record to a colleague who may handle this step (转办)."""
    spec = workflow_of(obj)
    if to_user is None:
        raise InvalidInput(_("请选择转办对象。"), code="transfer_target_required")
    with transaction.atomic():
        record = _lock(obj)
        if not can_transfer(record, actor):
            raise NotAllowed(_("只有当前承办人可以转办。"), code="not_assignee")
        if to_user.pk == actor.pk or (spec.can_receive and not spec.can_receive(record, to_user)):
            raise InvalidInput(_("该人员不能承办此事项。"), code="transfer_target_invalid")
        setattr(record, spec.assignee_field, to_user)
        record.save(update_fields=[spec.assignee_field])
        data = {"action": TRANSFER, "comment": comment, "to_user": to_user.pk}
        audit.record(
            f"{_label(record)}.{TRANSFER}",
            actor=actor,
            agency=getattr(record, "agency", None),
            target=record,
            from_state=_state(record, spec),
            to_state=_state(record, spec),
            data={**data, "to_user_name": str(to_user)},
        )
        _after_commit(spec, record, TRANSFER, actor, data)
    return record


# --- 催办 -------------------------------------------------------------------------------------


def can_urge(record, user) -> bool:
    spec = workflow_of(record)
    return _state(record, spec) in spec.urgeable_states and bool(
        spec.can_urge and spec.can_urge(record, user)
    )


def urge(obj, *, actor, comment: str = ""):
    """Press the person the record waits for (催办); at most once a day per person urging."""
    spec = workflow_of(obj)
    with transaction.atomic():
        record = _lock(obj)
        if not can_urge(record, actor):
            raise NotAllowed(_("当前环节不能催办，或您无权催办。"), code="cannot_urge")
        today = timezone.localdate()
        already = Event.objects.filter(
            target_type=_label(record),
            target_id=str(record.pk),
            verb="workflow.urge",
            actor=actor,
            at__date=today,
        ).exists()
        if already:
            raise Conflict(_("今天已催办过，请勿重复催办。"), code="already_urged")
        data = {"action": URGE, "comment": comment}
        state = _state(record, spec)
        audit.record(
            "workflow.urge",
            actor=actor,
            agency=getattr(record, "agency", None),
            target=record,
            from_state=state,
            to_state=state,
            data=data,
        )
        _after_commit(spec, record, URGE, actor, data)
    return record


# --- 会签 / 或签 ------------------------------------------------------------------------------


def countersign_open(
    obj,
    *,
    actor,
    departments: Sequence[Department],
    mode: str,
    subject: str,
    due_on=None,
) -> Countersign:
    """Ask several departments for their opinion on the record's current step."""
    spec = workflow_of(obj)
    if mode not in Countersign.Mode.values:
        raise InvalidInput(_("会签方式无效。"), code="countersign_mode")
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise InvalidInput(_("请至少选择一个会签科室。"), code="countersign_departments")
    agency_id = obj.agency_id
    if any(d.agency_id != agency_id for d in departments):
        raise InvalidInput(_("会签科室须属于本机关。"), code="countersign_departments")
    with transaction.atomic():
        record = _lock(obj)
        state = _state(record, spec)
        if Countersign.objects.filter(
            target_type=_label(record), target_id=str(record.pk), state=state, outcome="pending"
        ).exists():
            raise Conflict(_("本环节已有进行中的会签。"), code="countersign_open")
        round_ = Countersign.objects.create(
            agency_id=agency_id,
            target_type=_label(record),
            target_id=str(record.pk),
            state=state,
            mode=mode,
            subject=subject[:200],
            opened_by=actor,
            due_on=due_on,
        )
        CountersignOpinion.objects.bulk_create(
            CountersignOpinion(countersign=round_, department=d) for d in departments
        )
        data = {
            "action": "countersign_open",
            "mode": mode,
            "departments": [d.pk for d in departments],
        }
        audit.record(
            "workflow.countersign_open",
            actor=actor,
            agency=record.agency,
            target=record,
            from_state=state,
            to_state=state,
            data=data,
        )
        _after_commit(spec, record, "countersign_open", actor, data)
    return round_


def _decide(round_: Countersign) -> str:
    opinions = list(round_.opinions.values_list("opinion", flat=True))
    agree = opinions.count(CountersignOpinion.Opinion.AGREE)
    disagree = opinions.count(CountersignOpinion.Opinion.DISAGREE)
    if round_.mode == Countersign.Mode.ALL:
        if disagree:
            return Countersign.Outcome.REJECTED
        return Countersign.Outcome.AGREED if agree == len(opinions) else Countersign.Outcome.PENDING
    if agree:
        return Countersign.Outcome.AGREED
    return (
        Countersign.Outcome.REJECTED if disagree == len(opinions) else Countersign.Outcome.PENDING
    )


def countersign_opine(
    opinion: CountersignOpinion, *, actor, agree: bool, comment: str = ""
) -> Countersign:
    """A department's head or liaison gives the department's opinion; may decide the round."""
    if not agree and not comment.strip():
        raise InvalidInput(_("不同意时请写明理由。"), code="comment_required")
    with transaction.atomic():
        locked = CountersignOpinion.objects.select_for_update().get(pk=opinion.pk)
        round_ = Countersign.objects.select_for_update().get(pk=locked.countersign_id)
        department = locked.department
        if not (
            has_role(actor, Role.DEPARTMENT_HEAD, Role.LIAISON, agency_id=round_.agency_id)
            and actor.memberships.active()
            .filter(department=department, role__in=[Role.DEPARTMENT_HEAD, Role.LIAISON])
            .exists()
        ):
            raise NotAllowed(_("只有该科室负责人或联络员可以签署意见。"), code="not_department")
        if round_.outcome == Countersign.Outcome.CANCELLED:
            raise Conflict(_("该会签已撤销。"), code="countersign_cancelled")
        if locked.opinion != CountersignOpinion.Opinion.PENDING:
            raise Conflict(_("本科室已签署意见。"), code="already_opined")
        locked.opinion = (
            CountersignOpinion.Opinion.AGREE if agree else CountersignOpinion.Opinion.DISAGREE
        )
        locked.comment = comment
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["opinion", "comment", "decided_by", "decided_at"])
        if round_.outcome == Countersign.Outcome.PENDING:
            outcome = _decide(round_)
            if outcome != Countersign.Outcome.PENDING:
                round_.outcome = outcome
                round_.decided_at = timezone.now()
                round_.save(update_fields=["outcome", "decided_at"])
        audit.record(
            "workflow.countersign_opinion",
            actor=actor,
            agency=department.agency,
            target_ref=(round_.target_type, round_.target_id, round_.subject),
            from_state=round_.state,
            to_state=round_.state,
            data={
                "action": "countersign_opinion",
                "countersign": round_.pk,
                "department": department.pk,
                "opinion": locked.opinion,
                "comment": comment,
                "outcome": round_.outcome,
            },
        )
    return round_


def countersign_outcome(record, state: str | None = None) -> str | None:
    """The outcome of the latest round on the record's step (None if there was none)."""
    spec = workflow_of(record)
    round_ = (
        Countersign.objects.filter(
            target_type=_label(record),
            target_id=str(record.pk),
            state=state or _state(record, spec),
        )
        .exclude(outcome=Countersign.Outcome.CANCELLED)
        .order_by("-pk")
        .first()
    )
    return round_.outcome if round_ else None


def countersign_agreed_guard(message=None) -> Guard:
    """A guard for transitions that need the step's countersign to have been agreed."""
    return Guard(
        lambda record: countersign_outcome(record) == Countersign.Outcome.AGREED,
        message or _("会签尚未全部同意，不能进入下一环节。"),
        "countersign_not_agreed",
    )


# --- Reading --------------------------------------------------------------------------------


def available_actions(record, user) -> list[dict]:
    """What `user` may do now: for buttons in pages and `available_actions` in the API."""
    spec = workflow_of(record)
    found = []
    for declared in spec.actions:
        method = getattr(record, declared.name)
        if can_proceed(method) and has_transition_perm(method, user):
            found.append(
                {
                    "name": declared.name,
                    "label": str(declared.label),
                    "kind": declared.kind,
                    "comment_required": declared.comment_required,
                }
            )
    if can_withdraw(record, user):
        found.append(
            {"name": WITHDRAW, "label": str(_("撤回")), "kind": WITHDRAW, "comment_required": False}
        )
    if can_transfer(record, user):
        found.append(
            {"name": TRANSFER, "label": str(_("转办")), "kind": TRANSFER, "comment_required": False}
        )
    if can_urge(record, user):
        found.append(
            {"name": URGE, "label": str(_("催办")), "kind": URGE, "comment_required": False}
        )
    return found


def timeline(record) -> list[Event]:
    """Every event on the record, oldest first: the record's page and API show it."""
    return list(
        Event.objects.filter(target_type=_label(record), target_id=str(record.pk)).order_by("seq")
    )
