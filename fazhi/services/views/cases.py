"""Staff pages of cases (办件) under /staff/services/cases/: the list, registration (also from a
checked-in appointment), the case page with one form per open step, the reveal of a number,
the ID-card lookup (刷证办事) and the figures with their XLSX export.

Every POST calls one service. A refused step renders the page again with the message and the
refusal's status (400/403/409/422); nothing is written then (the services are atomic). Records
of another agency, and cases the user may not read, answer 404.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import workflow
from fazhi.core.calendar import is_provisional
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError, InvalidInput
from fazhi.core.forms import StyledForm, form_error_messages
from fazhi.core.identity.forms import RevealForm
from fazhi.core.identity.kinds import Kind
from fazhi.core.identity.kinds import validate as validate_identifier
from fazhi.core.models import Agency, Membership
from fazhi.core.roles import Role
from fazhi.core.tenancy import writable_agency_ids
from fazhi.services.models import (
    ApplicantKind,
    Appointment,
    CaseChannel,
    PowerKind,
    ServiceCase,
    ServiceCenter,
    ServiceGuide,
    ServiceItem,
)
from fazhi.services.models.cases import DELIVERY_METHODS
from fazhi.services.permissions import cases as perms
from fazhi.services.selectors import cases as selectors
from fazhi.services.services import cases as services

VIEW = "services.view_cases"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = {"type": "date"}
State = ServiceCase.State
LOOKUP_REASONS = (
    gettext_lazy("窗口办事核验申请人身份"),
    gettext_lazy("申请人查询本人办件进度"),
    gettext_lazy("受理前查询是否有重复申请"),
)
LOOKUP_REASON_SESSION = "services.cases.lookup_reason"


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(DATE, format="%Y-%m-%d"),
    )


def _reason_field(label, *, required=True, rows=3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=services.REASON_MAX,
        widget=forms.Textarea({"rows": rows}),
    )


# --- Forms: each maps to one service, which checks the same rules again -----------------------


class RegisterForm(StyledForm):
    """Registration at the counter (or from a checked-in appointment: `appointment` given)."""

    center = forms.ModelChoiceField(label=gettext_lazy("受理中心"), queryset=None)
    item = forms.ModelChoiceField(label=gettext_lazy("服务事项"), queryset=None)
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
    )
    applicant_name = forms.CharField(label=gettext_lazy("申请人"), max_length=services.NAME_MAX)
    resident_id = forms.CharField(
        label=gettext_lazy("公民身份号码"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("申请人为自然人时必填；可直接刷身份证读入。"),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("申请人为法人或其他组织时必填。"),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput({"autocomplete": "off", "inputmode": "tel"}),
    )
    summary = forms.CharField(label=gettext_lazy("申请事项摘要"), required=False, max_length=200)
    received_on = _date_field(
        gettext_lazy("收件日期"), help_text=gettext_lazy("默认今天，不能晚于今天。")
    )
    accept_now = forms.BooleanField(
        label=gettext_lazy("当场受理"),
        required=False,
        help_text=gettext_lazy(
            "材料齐全、符合法定形式的，登记后即受理（须为该事项责任处室的经办人或法制办）。"
        ),
    )

    def __init__(self, *args, agency, appointment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        self.fields["center"].queryset = ServiceCenter.objects.filter(
            agency=agency, active=True
        ).order_by("name", "pk")
        self.fields["item"].queryset = (
            ServiceItem.objects.filter(
                agency=agency, active=True, guides__state=ServiceGuide.State.PUBLISHED
            )
            .distinct()
            .order_by("power_code", "pk")
        )
        if appointment is not None:
            # Item, center and the person come from the appointment (the service takes them).
            for name in ("center", "item", "applicant_kind", "resident_id", "credit_code"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.appointment is not None:
            return data
        kind = data.get("applicant_kind")
        checks = (
            ("resident_id", Kind.RESIDENT_ID, ApplicantKind.PERSON),
            ("credit_code", Kind.CREDIT_CODE, ApplicantKind.ORGANISATION),
        )
        for name, number_kind, for_kind in checks:
            value = data.get(name, "")
            if kind != for_kind:
                data[name] = ""
                continue
            if not value:
                self.add_error(name, _("请填写%(label)s。") % {"label": self.fields[name].label})
                continue
            try:
                data[name] = validate_identifier(number_kind, value)
            except InvalidInput as exc:
                self.add_error(name, str(exc.message))
        if data.get("phone"):
            try:
                data["phone"] = validate_identifier(Kind.PHONE, data["phone"])
            except InvalidInput as exc:
                self.add_error("phone", str(exc.message))
        return data


class DayForm(StyledForm):
    on = _date_field(gettext_lazy("日期"))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["on"].label = label
        self.initial.setdefault("on", timezone.localdate())


class AcceptForm(DayForm):
    comment = forms.CharField(label=gettext_lazy("意见"), required=False, max_length=500)


class NotAcceptForm(DayForm):
    reason = _reason_field(gettext_lazy("不予受理理由"))


class ReviewForm(StyledForm):
    comment = forms.CharField(label=gettext_lazy("意见"), required=False, max_length=500)


class SupplementForm(DayForm):
    items = forms.CharField(
        label=gettext_lazy("需补正的材料"),
        help_text=gettext_lazy("每行一项；补正只能告知一次，请一次列全。"),
        widget=forms.Textarea({"rows": 4}),
        max_length=6000,
    )


class ReceiveForm(DayForm):
    pass


class ProposeForm(StyledForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("拟办结果"), choices=[(k, v) for k, v in services.PROPOSALS.items()]
    )
    opinion = _reason_field(gettext_lazy("拟办意见"))


class GrantForm(DayForm):
    comment = forms.CharField(label=gettext_lazy("审批意见"), required=False, max_length=500)


class DenyForm(DayForm):
    reason = _reason_field(gettext_lazy("不予理由"))


class ConcludeForm(DayForm):
    pass


class DeliverForm(DayForm):
    method = forms.ChoiceField(
        label=gettext_lazy("送达方式"), choices=list(DELIVERY_METHODS.items())
    )


class TransferForm(StyledForm):
    to_user = forms.ModelChoiceField(label=gettext_lazy("转办给"), queryset=None)
    comment = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=500)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        from fazhi.accounts.models import User

        ids = (
            Membership.objects.active()
            .filter(agency_id=case.agency_id, role=Role.CLERK, department_id=case.department_id)
            .values("user_id")
        )
        self.fields["to_user"].queryset = (
            User.objects.filter(pk__in=ids, is_active=True)
            .exclude(pk=case.handler_id)
            .order_by("username")
        )


class UrgeForm(StyledForm):
    comment = forms.CharField(label=gettext_lazy("催办说明"), required=False, max_length=500)


class LookupForm(StyledForm):
    reason = forms.CharField(
        label=gettext_lazy("查询事由"),
        max_length=services.LOOKUP_REASON_MAX,
        help_text=gettext_lazy("每次查询都记入审计日志（事由和打码后的号码）。"),
        widget=forms.TextInput({"list": "lookup-reasons", "autocomplete": "off"}),
    )
    number = forms.CharField(
        label=gettext_lazy("公民身份号码"),
        max_length=30,
        help_text=gettext_lazy("输入或刷身份证读入，回车即查询。"),
        widget=forms.TextInput(
            {"autofocus": True, "autocomplete": "off", "spellcheck": "false", "inputmode": "text"}
        ),
    )


# --- Helpers ----------------------------------------------------------------------------------


def _agency(request) -> Agency:
    agency = selectors.agency_for(request.user, _int(request.GET.get("agency")))
    if agency is None:
        raise Http404
    return agency


def _counter_agency(request, appointment_id=None) -> Agency:
    """The agency the counter works for: ?agency=, else the appointment's (the day list links
    an appointment alone), else the user's first."""
    ids = sorted(perms.counter_agency_ids(request.user))
    if not ids:
        raise PermissionDenied
    wanted = _int(request.GET.get("agency") or request.POST.get("agency"))
    if wanted is None and len(ids) > 1 and _int(appointment_id) is not None:
        wanted = (
            Appointment.objects.filter(pk=_int(appointment_id), agency_id__in=ids)
            .values_list("agency_id", flat=True)
            .first()
        )
    if wanted is not None:
        if wanted not in ids:
            raise Http404
        return Agency.objects.get(pk=wanted)
    return Agency.objects.get(pk=ids[0])


# --- The list ---------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    choices = selectors.filter_choices(agency.pk)
    get = request.GET
    state = get.get("state", "")
    channel = get.get("channel", "")
    overdue = get.get("overdue", "")
    ids = {
        name: _int(get.get(name))
        for name in ("department", "center", "item")
        if _int(get.get(name)) is not None
    }
    received_from, received_to = _day(get.get("from")), _day(get.get("to"))
    filters = selectors.CaseFilters(
        state=state if state in State.values else "",
        department=ids.get("department"),
        center=ids.get("center"),
        item=ids.get("item"),
        channel=channel if channel in CaseChannel.values else "",
        overdue=overdue if overdue in ("1", "2") else "",
        received_from=received_from,
        received_to=received_to,
        # NUL cannot reach PostgreSQL (it refuses the query: a 500); it is never in a name.
        q=get.get("q", "").replace("\x00", "").strip()[:50],
    )
    try:
        page = selectors.case_page(
            request.user,
            agency.pk,
            filters,
            after=get.get("after", ""),
            before=get.get("before", ""),
        )
    except InvalidInput:
        page = selectors.case_page(request.user, agency.pk, filters)
    today = timezone.localdate()
    query = {
        key: value
        for key, value in (
            ("agency", str(agency.pk) if get.get("agency") else ""),
            ("state", filters.state),
            ("department", str(filters.department or "")),
            ("center", str(filters.center or "")),
            ("item", str(filters.item or "")),
            ("channel", filters.channel),
            ("overdue", filters.overdue),
            ("from", received_from.isoformat() if received_from else ""),
            ("to", received_to.isoformat() if received_to else ""),
            ("q", filters.q),
        )
        if value
    }
    return render(
        request,
        "services/cases/list.html",
        {
            "agency": agency,
            "agencies": Agency.objects.filter(pk__in=selectors.reading_agency_ids(request.user))
            if len(selectors.reading_agency_ids(request.user)) > 1
            else [],
            "page": page,
            "rows": [{"case": case, "overdue": case.overdue_level(today)} for case in page.rows],
            "filters": filters,
            "states": State.choices,
            "channels": CaseChannel.choices,
            "overdue_choices": selectors.OVERDUE_CHOICES,
            "query": urlencode(query),
            "count_cap": selectors.COUNT_CAP,
            "may_register": request.user.has_perm("services.register_case"),
            **choices,
        },
    )


# --- Registration -----------------------------------------------------------------------------


@staff_permission_required("services.register_case")
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    appointment_id = request.GET.get("appointment") or request.POST.get("appointment")
    agency = _counter_agency(request, appointment_id)
    appointment = None
    if appointment_id:
        appointment = selectors.checked_in_appointment(agency.pk, appointment_id)
        if appointment is None:
            raise Http404
    initial = {"received_on": timezone.localdate()}
    if appointment is not None:
        initial.update(
            applicant_name=appointment.applicant_name,
            phone="",  # the stored phone is used when left blank (never written into the page)
        )
    form = RegisterForm(
        request.POST or None, agency=agency, appointment=appointment, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if appointment is not None:
                    case = services.case_register(
                        actor=request.user,
                        agency=agency,
                        item=None,
                        channel=CaseChannel.APPOINTMENT,
                        applicant_kind=ApplicantKind.PERSON,
                        appointment=appointment,
                        request=request,
                        **data,
                    )
                else:
                    case = services.case_register(
                        actor=request.user,
                        agency=agency,
                        channel=CaseChannel.COUNTER,
                        request=request,
                        **data,
                    )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if case.state == State.ACCEPTED:
                    text = _("已登记并当场受理：%(number)s")
                else:
                    text = _("已登记办件：%(number)s")
                messages.success(request, text % {"number": case.case_number})
                return redirect("services:case", pk=case.pk)
        else:
            status = 422
    return render(
        request,
        "services/cases/new.html",
        {"form": form, "agency": agency, "appointment": appointment},
        status=status,
    )


# --- The case page ----------------------------------------------------------------------------

STEP_FORMS = {
    "accept": AcceptForm,
    "not_accept": NotAcceptForm,
    "start_review": ReviewForm,
    "request_supplement": SupplementForm,
    "receive_supplement": ReceiveForm,
    "propose": ProposeForm,
    "grant": GrantForm,
    "deny": DenyForm,
    "conclude": ConcludeForm,
    "deliver": DeliverForm,
    "transfer": TransferForm,
    "urge": UrgeForm,
}
# The date field's label of each dated step.
DAY_LABELS = {
    "accept": gettext_lazy("受理日期"),
    "not_accept": gettext_lazy("不予受理日期"),
    "request_supplement": gettext_lazy("补正告知日期"),
    "receive_supplement": gettext_lazy("补正材料收到日期"),
    "grant": gettext_lazy("决定日期"),
    "deny": gettext_lazy("决定日期"),
    "conclude": gettext_lazy("办结日期"),
    "deliver": gettext_lazy("送达日期"),
}
STEP_LABELS = {
    "accept": (gettext_lazy("受理"), "btn-primary"),
    "not_accept": (gettext_lazy("不予受理"), "btn-outline-danger"),
    "start_review": (gettext_lazy("开始审查"), "btn-primary"),
    "request_supplement": (gettext_lazy("一次性告知补正"), "btn-outline-primary"),
    "receive_supplement": (gettext_lazy("补正材料已收到"), "btn-primary"),
    "propose": (gettext_lazy("提交拟办意见"), "btn-outline-primary"),
    "grant": (gettext_lazy("准予"), "btn-success"),
    "deny": (gettext_lazy("不予"), "btn-outline-danger"),
    "conclude": (gettext_lazy("办结"), "btn-primary"),
    "deliver": (gettext_lazy("送达"), "btn-primary"),
    "transfer": (gettext_lazy("转办"), "btn-outline-secondary"),
    "urge": (gettext_lazy("催办"), "btn-outline-warning"),
}
VERB_LABELS = {
    "services.cases.register": gettext_lazy("登记收件"),
    "services.cases.propose": gettext_lazy("提出拟办意见"),
    "services.cases.overdue": gettext_lazy("超期标记"),
    "services.rating.invite": gettext_lazy("发出评价邀请"),
    "identity.reveal": gettext_lazy("查看完整号码"),
    "workflow.urge": gettext_lazy("催办"),
    "services.servicecase.transfer": gettext_lazy("转办"),
}


# The role a step needs (the state is the service's to check: 409). Asked before the form, so
# a role without the right gets 403 whatever it typed; 转办 is the handler's (a state too).
STEP_ROLE = {"grant": perms.may_decide, "deny": perms.may_decide, "urge": perms.may_urge}


def _may_take(user, case, step: str) -> bool:
    if step == "transfer":  # the handler's: anyone who writes in the agency may be it
        return case.agency_id in writable_agency_ids(user)
    return STEP_ROLE.get(step, perms.may_handle)(user, case)


def _make_form(step: str, case, data=None):
    form_class = STEP_FORMS[step]
    kwargs = {"case": case} if step == "transfer" else {}
    if issubclass(form_class, DayForm):
        kwargs["label"] = DAY_LABELS.get(step)
    return form_class(data, **kwargs)


def _open_steps(case, user) -> list[str]:
    """The forms shown: the steps the user may take now (the services check again)."""
    names = [a["name"] for a in workflow.available_actions(case, user)]
    steps = [name for name in STEP_FORMS if name in names]
    if case.state == State.REVIEWING and perms.may_handle(user, case):
        steps.insert(steps.index("grant") if "grant" in steps else len(steps), "propose")
    return steps


def _timeline(case) -> list[dict]:
    labels = {
        f"services.servicecase.{action.name}": action.label
        for action in workflow.workflow_of(case).actions
    }
    rows = []
    for event in workflow.timeline(case):
        data = event.data or {}
        comment = data.get("comment") or data.get("reason") or data.get("items") or ""
        rows.append(
            {
                "event": event,
                "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
                "comment": str(comment)[:500],
            }
        )
    return rows


def _clock_rows(case) -> list[dict]:
    rows = []
    for which, label, days in (
        ("promised", _("承诺时限"), case.promised_days),
        ("statutory", _("法定时限"), case.statutory_days),
    ):
        clock = case.clock(which)
        due = getattr(case, f"{which}_due_on")
        rows.append(
            {
                "which": which,
                "label": label,
                "days": days,
                "due": due,
                "explain": clock.explain() if clock is not None else "",
                "provisional": bool(
                    due and case.accepted_on and is_provisional(case.accepted_on, due)
                ),
                "stopped": clock is not None and clock.stopped,
            }
        )
    return rows


def render_case(request, case, *, bound=None, revealed=None, reveal_form=None, status=200):
    user = request.user
    steps = _open_steps(case, user)
    page_forms = {step: _make_form(step, case) for step in steps}
    if "transfer" in page_forms and not page_forms["transfer"].fields["to_user"].queryset.exists():
        steps.remove("transfer")  # no colleague to hand the case to
    if bound is not None and bound[0] in page_forms:
        page_forms[bound[0]] = bound[1]
    today = timezone.localdate()
    context = {
        "case": case,
        "sub": "cases",
        "steps": [
            {
                "name": step,
                "form": page_forms[step],
                "label": STEP_LABELS[step][0],
                "button_class": STEP_LABELS[step][1],
            }
            for step in steps
        ],
        "clocks": _clock_rows(case),
        "overdue": case.overdue_level(today),
        "timeline": _timeline(case),
        "proposal": services.latest_proposal(case) if case.state == State.REVIEWING else None,
        "identifiers": [
            (name, label, getattr(case, name))
            for name, label in (
                ("resident_id", _("公民身份号码")),
                ("credit_code", _("统一社会信用代码")),
                ("phone", _("联系电话")),
            )
            if getattr(case, name)
        ],
        "revealed": revealed or {},
        "reveal_form": reveal_form or RevealForm(),
        "may_reveal": perms.may_reveal(user, case),
        "power_kind": PowerKind(case.power_kind).label if case.power_kind else "",
    }
    return render(request, "services/cases/detail.html", context, status=status)


@staff_permission_required(VIEW)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_case(request, selectors.access_case(request.user, pk))


def _run_step(request, case, step: str, data: dict) -> str:
    actor = request.user
    on = data.get("on")
    if step == "accept":
        services.case_accept(actor=actor, case=case, on=on, comment=data.get("comment", ""))
        return _("已受理，承诺时限和法定时限开始计算。")
    if step == "not_accept":
        services.case_not_accept(actor=actor, case=case, reason=data["reason"], on=on)
        return _("已作出不予受理决定。")
    if step == "start_review":
        services.case_start_review(actor=actor, case=case, comment=data.get("comment", ""))
        return _("已开始审查。")
    if step == "request_supplement":
        services.case_request_supplement(actor=actor, case=case, items=data["items"], on=on)
        return _("已一次性告知补正，办理时限暂停计算。")
    if step == "receive_supplement":
        services.case_receive_supplement(actor=actor, case=case, on=on)
        return _("补正材料已收到，办理时限恢复计算。")
    if step == "propose":
        services.case_propose(
            actor=actor, case=case, decision=data["decision"], opinion=data["opinion"],
            request=request,
        )  # fmt: skip
        return _("拟办意见已提交科室负责人审批。")
    if step == "grant":
        services.case_grant(actor=actor, case=case, on=on, comment=data.get("comment", ""))
        return _("已准予。")
    if step == "deny":
        services.case_deny(actor=actor, case=case, reason=data["reason"], on=on)
        return _("已作出不予决定。")
    if step == "conclude":
        _done, links = services.case_conclude(actor=actor, case=case, on=on)
        if links.get("online"):
            return _("已办结。请将评价链接交给申请人：%(url)s") % {
                "url": request.build_absolute_uri(links["online"])
            }
        return _("已办结。")
    if step == "deliver":
        services.case_deliver(actor=actor, case=case, method=data["method"], on=on)
        return _("已送达。")
    if step == "transfer":
        services.case_transfer(
            actor=actor, case=case, to_user=data["to_user"], comment=data.get("comment", "")
        )
        return _("已转办。")
    if step == "urge":
        services.case_urge(actor=actor, case=case, comment=data.get("comment", ""))
        return _("已催办。")
    raise Http404


@staff_permission_required(VIEW)
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404
    case = selectors.access_case(request.user, pk)
    if not _may_take(request.user, case, step):
        raise PermissionDenied
    form = _make_form(step, case, request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_case(request, case, bound=(step, form), status=422)
    try:
        done = _run_step(request, case, step, dict(form.cleaned_data))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        case = selectors.access_case(request.user, pk)
        return render_case(request, case, bound=(step, form), status=exc.status)
    messages.success(request, done)
    return redirect("services:case", pk=case.pk)


@staff_permission_required(VIEW)
@require_POST
def case_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    case = selectors.access_case(request.user, pk)
    if field not in services.REVEALABLE:
        raise Http404
    form = RevealForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_case(request, case, reveal_form=form, status=422)
    try:
        number = services.case_reveal(
            actor=request.user,
            case=case,
            field=field,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_case(request, case, reveal_form=form, status=exc.status)
    response = render_case(request, case, revealed={field: number})
    # The full number is on this page only: no browser or proxy keeps a copy of it.
    add_never_cache_headers(response)
    return response


# --- ID-card lookup (刷证办事) -----------------------------------------------------------------


@staff_permission_required("services.lookup_cases")
@require_http_methods(["GET", "POST"])
def case_lookup(request: HttpRequest) -> HttpResponse:
    agency = _counter_agency(request)
    reason = request.session.get(LOOKUP_REASON_SESSION, "")
    form = LookupForm(request.POST or None, initial={"reason": reason})
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.case_id_lookup(
                    actor=request.user,
                    agency=agency,
                    number=form.cleaned_data["number"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error(
                    "number" if exc.code == "resident_id_invalid" else None, str(exc.message)
                )
                status = exc.status
            else:
                # The reason is kept for the next person at the counter; the number never is.
                request.session[LOOKUP_REASON_SESSION] = form.cleaned_data["reason"]
                form = LookupForm(initial={"reason": form.cleaned_data["reason"]})
        else:
            status = 400 if "number" in form.errors else 422
    rows = []
    if result is not None:
        rows = [
            {"case": case, "readable": perms.may_read(request.user, case)} for case in result.cases
        ]
    return render(
        request,
        "services/cases/lookup.html",
        {
            "form": form,
            "agency": agency,
            "result": result,
            "rows": rows,
            "reasons": [str(r) for r in LOOKUP_REASONS],
        },
        status=status,
    )


# --- Figures ----------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def case_figures(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    this_year = timezone.localdate().year
    year = _int(request.GET.get("year")) or this_year
    if not 2000 <= year <= this_year:
        year = this_year
    if request.GET.get("format") == "xlsx":
        content = services.figures_export(
            actor=request.user, agency=agency, year=year, request=request
        )
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="case-figures-{year}.xlsx"'
        return response
    query = {"year": year}
    if request.GET.get("agency"):
        query["agency"] = agency.pk
    return render(
        request,
        "services/cases/figures.html",
        {
            "agency": agency,
            "year": year,
            "years": list(range(this_year, max(this_year - 6, 1999), -1)),
            "decisions": selectors.decision_rows(agency, year),
            "by_item": selectors.on_time_rates(agency, year, by="item"),
            "by_department": selectors.on_time_rates(agency, year, by="department"),
            "export_url": reverse("services:case_figures")
            + "?"
            + urlencode({**query, "format": "xlsx"}),
        },
    )
