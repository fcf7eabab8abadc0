"""Staff pages of disclosure requests: the worklist, registration, the request page with one
POST per step, and the reply letter."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core.calendar import add_workdays
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role
from fazhi.disclosure import letters, selectors, services
from fazhi.disclosure.forms import requests as forms
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.steps import step_keys
from fazhi.disclosure.views.requests.page import (
    invalid_form,
    open_request,
    refused,
    render_detail,
    with_records,
)

PAGE_SIZE = 30
# Due within this many working days: shown in yellow on the worklist.
DUE_SOON_WORKDAYS = 3
LIST_PERM = "disclosure.view_list"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def worklist(user, filters: dict):
    """The user's requests, open ones first by due date, then the concluded, latest first."""
    queryset = selectors.requests_for(user)
    state = filters.get("state")
    if state == "open":
        queryset = queryset.filter(state__in=DisclosureRequest.OPEN_STATES)
    elif state:
        queryset = queryset.filter(state=state)
    if filters.get("year"):
        queryset = queryset.filter(received_on__year=filters["year"])
    if filters.get("applicant_kind"):
        queryset = queryset.filter(applicant_kind=filters["applicant_kind"])
    if filters.get("outcome"):
        queryset = queryset.filter(outcome=filters["outcome"])
    if filters.get("q"):
        queryset = queryset.filter(tracking_number__icontains=filters["q"].strip())
    return with_records(
        queryset.annotate(
            done=Case(
                When(state__in=DisclosureRequest.OPEN_STATES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by(
            "done",
            F("due_on").asc(nulls_last=True),
            F("concluded_on").desc(nulls_last=True),
            "-received_on",
            "-pk",
        )
    )


@staff_permission_required(LIST_PERM)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    form = forms.FilterForm(request.GET or None)
    filters = form.values() if request.GET else {}
    page = Paginator(worklist(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    soon = add_workdays(today, DUE_SOON_WORKDAYS)
    rows = []
    for record in page:
        is_open = record.state in DisclosureRequest.OPEN_STATES
        overdue = bool(is_open and record.due_on and record.due_on < today)
        rows.append(
            {
                "record": record,
                "open": is_open,
                "overdue": overdue,
                "due_soon": bool(
                    is_open and not overdue and record.due_on and record.due_on <= soon
                ),
                "actions": len(step_keys(record, request.user, today)),
            }
        )
    query = urlencode({k: v for k, v in filters.items()})
    return render(
        request,
        "disclosure/staff/request_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "can_register": bool(_registering_agencies(request.user)),
        },
    )


def _registering_agencies(user) -> list[int]:
    return agencies_with_role(user, Role.LEGAL_OFFICER)


@staff_permission_required(LIST_PERM)
@require_http_methods(["GET", "POST"])
def request_register(request: HttpRequest) -> HttpResponse:
    agencies = list(
        Agency.objects.filter(pk__in=_registering_agencies(request.user)).order_by("pk")
    )
    if not agencies:
        # Leaders and oversight read requests but register none: a role's refusal, not a 404.
        raise PermissionDenied
    form = forms.RegisterForm(request.POST or None, initial={"arrived_on": timezone.localdate()})
    status = 200
    agency = agencies[0]
    if len(agencies) > 1:
        chosen = request.POST.get("agency") or request.GET.get("agency")
        agency = next((a for a in agencies if str(a.pk) == chosen), agencies[0])
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_register(
                    actor=request.user,
                    agency=agency,
                    applicant=form.applicant_data(),
                    description=data["description"],
                    info_reference=data["info_reference"],
                    info_form=data["info_form"],
                    delivery=data["delivery"],
                    channel=data["channel"],
                    arrived_on=data["arrived_on"],
                    confirmed_on=data["confirmed_on"],
                    channel_note=data["channel_note"],
                )
            except DomainError as exc:
                form.place_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已登记申请 %(number)s。收到申请日期：%(rule)s")
                    % {"number": created.tracking_number, "rule": created.receipt_rule},
                )
                return redirect("disclosure:request", request_id=created.pk)
        else:
            status = 422
    return render(
        request,
        "disclosure/staff/request_register.html",
        {"form": form, "agencies": agencies, "agency": agency},
        status=status,
    )


@staff_permission_required(LIST_PERM)
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return render_detail(request, open_request(request, request_id))


def _pick(rows, pk):
    found = next((row for row in rows if row.pk == pk), None)
    if found is None:
        raise Http404
    return found


def _call(step: str, user, record, data: dict, formset=None):
    """Run the step's service with the form's cleaned data."""
    match step:
        case "supplement_request":
            return services.supplement_request_request(actor=user, request=record, **data)
        case "supplement_received":
            return services.supplement_request_received(actor=user, request=record, **data)
        case "supplement_lapse":
            return services.supplement_request_lapse(actor=user, request=record)
        case "consultation_open":
            return services.consultation_open(actor=user, request=record, **data)
        case "consultation_answer":
            consultation = _pick(record.consultations.all(), data.pop("consultation"))
            return services.consultation_answer(actor=user, consultation=consultation, **data)
        case "extension":
            return services.extension_approve(actor=user, request=record, **data)
        case "fee_notice":
            return services.fee_notice(actor=user, request=record, **data)
        case "fee_paid":
            return services.fee_paid(actor=user, request=record, **data)
        case "fee_lapse":
            return services.fee_lapse(actor=user, request=record)
        case "reply":
            return services.reply(actor=user, request=record, parts=forms.parts_of(formset), **data)
        case "delivery":
            return services.delivery_record(actor=user, request=record, **data)
        case "delivery_confirm":
            delivery = _pick(record.deliveries.all(), data.pop("delivery"))
            return services.delivery_confirm(actor=user, delivery=delivery, **data)
        case "challenge":
            return services.challenge_record(
                actor=user, agency=record.agency, request=record, **data
            )
        case "challenge_decide":
            challenge = _pick(record.challenges.all(), data.pop("challenge"))
            return services.challenge_decide(actor=user, challenge=challenge, **data)
    raise Http404


FORMS = {
    "supplement_request": forms.SupplementRequestForm,
    "supplement_received": forms.SupplementReceivedForm,
    "supplement_lapse": None,
    "consultation_open": forms.ConsultationOpenForm,
    "consultation_answer": forms.ConsultationAnswerForm,
    "extension": forms.ExtensionForm,
    "fee_notice": forms.FeeNoticeForm,
    "fee_paid": forms.FeePaidForm,
    "fee_lapse": None,
    "reply": forms.ReplyForm,
    "delivery": forms.DeliveryForm,
    "delivery_confirm": forms.DeliveryConfirmForm,
    "challenge": forms.ChallengeForm,
    "challenge_decide": forms.ChallengeDecideForm,
}

DONE = {
    "supplement_request": _("已发出补正告知，答复期限暂停计算。"),
    "supplement_received": _("已登记补正材料，答复期限重新起算。"),
    "supplement_lapse": _("逾期未补正，已终止办理。"),
    "consultation_open": _("已征求意见，答复期限暂停计算。"),
    "consultation_answer": _("已登记征求意见的答复。"),
    "extension": _("已批准延期答复。"),
    "fee_notice": _("已发出收费通知。"),
    "fee_paid": _("已登记缴费。"),
    "fee_lapse": _("逾期未缴费，已终止办理。"),
    "reply": _("已答复，可下载答复告知书。"),
    "delivery": _("已登记送达。"),
    "delivery_confirm": _("已登记送达日期。"),
    "challenge": _("已登记行政复议或行政诉讼。"),
    "challenge_decide": _("已登记结果。"),
}


def _bind(step: str, record, post):
    form_class = FORMS[step]
    if form_class is None:
        return None
    # The page offers the open ones; any of the request's own is accepted here, so a stale page
    # gets the service's own refusal ("已登记…") rather than a generic invalid choice.
    kwargs = {"prefix": step}
    if step == "consultation_answer":
        kwargs["consultations"] = list(record.consultations.all())
    elif step == "delivery_confirm":
        kwargs["deliveries"] = list(record.deliveries.all())
    elif step == "challenge_decide":
        kwargs["challenges"] = list(record.challenges.all())
    return form_class(post, **kwargs)


@staff_permission_required(LIST_PERM)
@require_POST
def request_step(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    if step not in FORMS:
        raise Http404
    record = open_request(request, request_id, write=True)
    form = _bind(step, record, request.POST)
    formset = forms.PartFormSet(request.POST, prefix="parts") if step == "reply" else None
    bound = {step: form} if form is not None else {}
    if formset is not None:
        bound["parts"] = formset
    if form is not None and not form.is_valid():
        return invalid_form(request, record, step, form)
    if formset is not None and not formset.is_valid():
        messages.error(request, _("部分公开的各项内容填写有误，请检查。"))
        return render_detail(request, record, status=422, bound=bound)
    data = dict(form.cleaned_data) if form is not None else {}
    try:
        _call(step, request.user, record, data, formset)
    except DomainError as exc:
        return refused(request, record, exc, bound=bound)
    messages.success(request, DONE[step])
    return redirect("disclosure:request", request_id=record.pk)


@staff_permission_required(LIST_PERM)
@require_GET
def request_letter(request: HttpRequest, request_id: int) -> HttpResponse:
    """The reply letter (答复告知书) as DOCX, once the request is concluded."""
    record = open_request(request, request_id)
    if not record.outcome:
        raise Http404
    response = HttpResponse(letters.render_reply_letter(record), content_type=DOCX)
    # An ASCII name (the tracking number has 〔〕) with the Chinese one for browsers that read it.
    response["Content-Disposition"] = (
        f'attachment; filename="disclosure-reply-{record.pk}.docx"; '
        f"filename*=UTF-8''{_quoted(record.tracking_number)}.docx"
    )
    return response


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(f"答复告知书-{text}")
