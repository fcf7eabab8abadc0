"""Staff pages of 好差评 under /staff/services/ratings/: the list, a rating with its bad-review
follow-up (one form per open step) and appeals, the counter device (窗口评价器), re-sending a
link, and the statistics (满意度统计) with its chart and XLSX export.

Every POST calls one service; a refusal shows the message with the refusal's status
(403/409/422) and nothing is written. Another agency's record answers 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import workflow
from fazhi.core.decorators import staff_permission_required
from fazhi.core.errors import DomainError
from fazhi.core.forms import form_error_messages
from fazhi.core.models import Department, Event
from fazhi.services.forms import ratings as forms
from fazhi.services.models import ServiceCenter, ServiceItem
from fazhi.services.models.ratings import (
    BAD_REASONS,
    FOLLOW_UP,
    GOOD_REASONS,
    BadReviewFollowUp,
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingLevel,
)
from fazhi.services.permissions import ratings as perms
from fazhi.services.selectors import ratings as selectors
from fazhi.services.services import rating_followups as followups
from fazhi.services.services import ratings as services

VIEW = perms.VIEW
PAGE_SIZE = 30
State = BadReviewFollowUp.State

VERB_LABELS = {
    "services.rating.submit": gettext_lazy("评价"),
    "services.follow_up.open": gettext_lazy("差评转责任处室回访整改"),
    "services.follow_up.fix": gettext_lazy("登记整改情况"),
    "services.follow_up.open_finding": gettext_lazy("转入整改督办"),
    "services.rating.appeal_file": gettext_lazy("提出申诉"),
    "services.rating.appeal_decide": gettext_lazy("申诉复核"),
    "services.rating.exclude": gettext_lazy("剔除出统计"),
}


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _agency(request):
    agency = selectors.agency_for(request.user, _int(request.GET.get("agency")))
    if agency is None:
        if request.GET.get("agency"):
            raise Http404
        raise PermissionDenied
    return agency


def case_page(case_id: int) -> str | None:
    """The case's own page (the cases area), when it exists."""
    try:
        return reverse("services:case", args=[case_id])
    except NoReverseMatch:
        return None


def _safe_next(request, fallback: str) -> str:
    """`next` when it is a path of this site, else `fallback`. Only an absolute path is taken:
    `redirect()` would read a bare word ("abc") as a view name and fail (a 500), and a full
    address is never needed (the forms send `request.path`)."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def _options(agency) -> dict:
    return {
        "departments": list(
            Department.objects.filter(agency=agency).order_by("sort_order", "name")
        ),
        "centers": list(ServiceCenter.objects.filter(agency=agency).order_by("name")),
        "items": list(
            ServiceItem.objects.filter(agency=agency).order_by("power_code", "name", "pk")
        ),
    }


# --- The list -------------------------------------------------------------------------------


@staff_permission_required(VIEW)
@require_GET
def rating_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    get = request.GET
    channel = get.get("channel", "")
    channel = channel if channel in RatingChannel.values else ""
    level = _int(get.get("level"))
    level = level if level in RatingLevel.values else None
    follow_up = get.get("follow_up", "")
    if follow_up not in {"open", "overdue", *State.values}:
        follow_up = ""
    appeal = "pending" if get.get("appeal") == "pending" else ""
    year = _int(get.get("year"))
    month = _int(get.get("month")) if year else None
    month = month if month and 1 <= month <= 12 else None
    filters = selectors.RatingFilters(
        channel=channel,
        level=level,
        bad=True if get.get("bad") == "1" else None,
        department=_int(get.get("department")),
        center=_int(get.get("center")),
        item=_int(get.get("item")),
        year=year if year and 2000 <= year <= 2100 else None,
        month=month,
        follow_up=follow_up,
        appeal=appeal,
    )
    page = Paginator(selectors.rating_list(request.user, agency, filters), PAGE_SIZE).get_page(
        get.get("page")
    )
    today = timezone.localdate()
    rows = []
    for rating in page:
        fu = getattr(rating, "follow_up", None) if rating.bad else None
        rows.append(
            {
                "rating": rating,
                "follow_up": fu,
                "overdue": bool(
                    fu
                    and not rating.excluded
                    and (fu.callback_overdue(today) or fu.fix_overdue(today))
                ),
            }
        )
    query = {
        key: value
        for key, value in (
            ("agency", get.get("agency", "")),
            ("channel", channel),
            ("level", level or ""),
            ("bad", "1" if filters.bad else ""),
            ("department", filters.department or ""),
            ("center", filters.center or ""),
            ("item", filters.item or ""),
            ("year", filters.year or ""),
            ("month", filters.month or ""),
            ("follow_up", follow_up),
            ("appeal", appeal),
        )
        if value
    }
    return render(
        request,
        "services/ratings/list.html",
        {
            "agency": agency,
            "agencies": selectors.reading_agencies(request.user),
            "page": page,
            "rows": rows,
            "filters": filters,
            "channels": RatingChannel.choices,
            "levels": RatingLevel.choices,
            "states": State.choices,
            "years": selectors.figure_years(agency),
            "months": range(1, 13),
            "query": urlencode(query),
            "reads_all": perms.reads_all_ratings(request.user, agency.pk),
            **_options(agency),
        },
    )


# --- One rating and its follow-up -----------------------------------------------------------


def _timeline(rating: Rating, follow_up) -> list[dict]:
    labels = {
        f"{BadReviewFollowUp._meta.label_lower}.{a.name}": a.label
        for a in workflow.workflow_of(BadReviewFollowUp).actions
    }
    targets = [("services.rating", str(rating.pk))]
    if follow_up is not None:
        targets.append(("services.badreviewfollowup", str(follow_up.pk)))
    events = Event.objects.filter(
        target_type__in=[t for t, _pk in targets], target_id__in=[pk for _t, pk in targets]
    ).order_by("seq")
    rows = []
    for event in events:
        if (event.target_type, event.target_id) not in targets:
            continue
        data = event.data or {}
        rows.append(
            {
                "event": event,
                "label": labels.get(event.verb) or VERB_LABELS.get(event.verb) or event.verb,
                "comment": str(data.get("comment", "") or "")[:500],
            }
        )
    return rows


def _finding_link(follow_up) -> dict | None:
    if follow_up is None or not follow_up.finding_ref.startswith("oversight.finding:"):
        return None
    pk = _int(follow_up.finding_ref.split(":", 1)[1])
    if pk is None:
        return None
    try:
        url = reverse("oversight:finding_detail", args=[pk])
    except NoReverseMatch:  # pragma: no cover - the oversight app is always installed
        url = ""
    return {"pk": pk, "url": url}


def render_rating(request, rating: Rating, *, bound=None, status=200) -> HttpResponse:
    user = request.user
    follow_up = selectors.follow_up_of(rating) if rating.bad else None
    today = timezone.localdate()
    appeals = selectors.appeals_of(rating)
    pending = next((a for a in appeals if a.state == RatingAppeal.State.PENDING), None)
    if follow_up is not None:
        follow_up.rating = rating
    actions = {a["name"] for a in selectors.follow_up_actions(user, follow_up)}
    active = follow_up is not None and not rating.excluded
    page_forms = {
        "callback": forms.CallbackForm(initial={"called_back_on": today}),
        "verify": forms.VerifyForm(initial={"answered_on": today}),
        "fix": forms.FixForm(initial={"note": follow_up.fix_note if follow_up else ""}),
        "finding": forms.FindingForm(),
        "answer": forms.AnswerForm(initial={"answered_on": today}),
        "appeal": forms.AppealForm(),
        "decide": forms.DecideForm(),
    }
    if bound is not None and bound[0] in page_forms:
        page_forms[bound[0]] = bound[1]
    context = {
        "rating": rating,
        "follow_up": follow_up,
        "appeals": appeals,
        "forms": page_forms,
        "case_url": case_page(rating.case_id),
        "can_callback": "record_callback" in actions,
        "can_verify": "verify" in actions,
        "can_fix": "record_fix" in actions,
        "can_finding": "open_finding" in actions,
        "can_answer": "send_answer" in actions,
        "can_appeal": rating.bad
        and not rating.excluded
        and not appeals
        and user.has_perm(perms.APPEAL, rating),
        "can_decide": pending is not None and user.has_perm(perms.DECIDE_APPEAL, pending),
        "pending_appeal": pending,
        "callback_overdue": bool(active and follow_up.callback_overdue(today)),
        "fix_overdue": bool(active and follow_up.fix_overdue(today)),
        "finding": _finding_link(follow_up),
        "answer_sms": list(follow_up.messages.order_by("-pk")[:3]) if follow_up else [],
        "timeline": _timeline(rating, follow_up),
    }
    return render(request, "services/ratings/detail.html", context, status=status)


@staff_permission_required(VIEW)
@require_GET
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_rating(request, selectors.access_rating(request.user, pk))


def _callback(request, rating, follow_up, data):
    followups.follow_up_record_callback(
        actor=request.user,
        follow_up=follow_up,
        note=data["note"],
        called_back_on=data["called_back_on"],
    )
    return _("回访情况已登记，请核实评价反映的问题。")


def _verify(request, rating, follow_up, data):
    done = followups.follow_up_verify(
        actor=request.user,
        follow_up=follow_up,
        verdict=data["verdict"],
        note=data["note"],
        answer=data["answer"],
        answered_on=data["answered_on"],
    )
    if done.state == State.ANSWERED:
        return _("已解释说明并反馈评价人，差评整改完成。")
    return _("核实结论已登记：情况属实，请在整改期限前完成整改并反馈评价人。")


def _fix(request, rating, follow_up, data):
    followups.follow_up_record_fix(actor=request.user, follow_up=follow_up, note=data["note"])
    return _("整改情况已登记。")


def _finding(request, rating, follow_up, data):
    finding = followups.follow_up_open_finding(
        actor=request.user,
        follow_up=follow_up,
        title=data["title"],
        severity=data["severity"],
        request=request,
    )
    return _("已转入整改督办（问题：%(title)s）。") % {"title": finding.title}


def _answer(request, rating, follow_up, data):
    followups.follow_up_answer(
        actor=request.user,
        follow_up=follow_up,
        answer=data["answer"],
        answered_on=data["answered_on"],
    )
    return _("已反馈评价人，差评整改完成。")


def _appeal(request, rating, follow_up, data):
    upload = data.get("evidence")
    followups.appeal_file(
        actor=request.user,
        rating=rating,
        reason=data["reason"],
        evidence=[upload] if upload else [],
        request=request,
    )
    return _("申诉已提交，待法制办或机关领导审核。")


def _decide(request, rating, follow_up, data):
    appeal = RatingAppeal.objects.filter(rating=rating, state=RatingAppeal.State.PENDING).first()
    if appeal is None:
        raise DomainError(_("该差评没有待审核的申诉。"), code="no_pending_appeal")
    approve = data["decision"] == "approve"
    followups.appeal_decide(
        actor=request.user, appeal=appeal, approve=approve, note=data["note"], request=request
    )
    return _("已同意剔除，该评价不再计入统计。") if approve else _("已决定不予剔除。")


def _may_take(user, step: str, rating, follow_up) -> bool:
    """Whether the user's role allows the step at all (the services check it again, with the
    state): asked before the form, so a role without the right gets 403 whatever it typed."""
    if step == "finding":
        return bool(user.has_perm(perms.OPEN_FINDING, follow_up))
    if step == "appeal":
        return bool(user.has_perm(perms.APPEAL, rating))
    if step == "decide":
        return perms.decides_appeals(user, rating.agency_id)
    return bool(user.has_perm(FOLLOW_UP, follow_up))


STEPS = {
    "callback": (forms.CallbackForm, _callback, True),
    "verify": (forms.VerifyForm, _verify, True),
    "fix": (forms.FixForm, _fix, True),
    "finding": (forms.FindingForm, _finding, True),
    "answer": (forms.AnswerForm, _answer, True),
    "appeal": (forms.AppealForm, _appeal, False),
    "decide": (forms.DecideForm, _decide, False),
}


@staff_permission_required(VIEW)
@require_POST
def rating_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    rating = selectors.access_rating(request.user, pk)
    form_class, call, needs_follow_up = STEPS[step]
    follow_up = selectors.follow_up_of(rating) if rating.bad else None
    if needs_follow_up and follow_up is None:
        raise Http404
    if not _may_take(request.user, step, rating, follow_up):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        form_error_messages(request, form)
        return render_rating(request, rating, bound=(step, form), status=422)
    try:
        done = call(request, rating, follow_up, dict(form.cleaned_data))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return render_rating(request, rating, bound=(step, form), status=exc.status)
    messages.success(request, done)
    return redirect("services:rating", pk=rating.pk)


# --- The counter device and the links -------------------------------------------------------


def _rating_form_context(form) -> dict:
    return {
        "form": form,
        "levels": RatingLevel.choices,
        "good_reasons": GOOD_REASONS,
        "bad_reasons": BAD_REASONS,
        "chosen_reasons": set(form["reasons"].value() or []),
        "chosen_level": str(form["level"].value() or ""),
        "real_name_value": str(form["real_name"].value() or "0"),
    }


@staff_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest, case_id: int) -> HttpResponse:
    """窗口评价器: the citizen at the counter rates the case on the staff member's screen."""
    case = selectors.case_of_agency(request.user, case_id)
    if not request.user.has_perm(perms.RATE_AT_COUNTER, case):
        raise PermissionDenied
    back = _safe_next(request, case_page(case.pk) or reverse("services:ratings"))
    rated = Rating.objects.filter(case=case, channel=RatingChannel.COUNTER).first()
    context = {"case": case, "back": back, "rated": rated, "done": False}
    status = 200
    form = forms.RatingForm(request.POST or None)
    if not services.is_rateable(case):
        context["refusal"] = _("办件尚未办结，办结后才能评价。")
        status = 409
    elif rated is not None and request.method == "GET":
        context["refusal"] = _("该办件已在窗口评价过，每个渠道只能评价一次。")
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rating_submit(
                    channel=RatingChannel.COUNTER,
                    case=case,
                    actor=request.user,
                    level=data["level"],
                    reasons=data["reasons"],
                    comment=data["comment"],
                    real_name=data["real_name"],
                    rater_name=data["rater_name"],
                    rater_phone=data["rater_phone"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                context["done"] = True
        else:
            status = 422
    context.update(_rating_form_context(form))
    return render(request, "services/ratings/counter.html", context, status=status)


@staff_permission_required(VIEW)
@require_POST
def send_link(request: HttpRequest, case_id: int) -> HttpResponse:
    """Issue a channel's link again (online: shown once here to hand over; SMS: sent)."""
    case = selectors.case_of_agency(request.user, case_id)
    if not request.user.has_perm(perms.SEND_LINK, case):
        raise PermissionDenied
    back = _safe_next(request, case_page(case.pk) or reverse("services:ratings"))
    form = forms.LinkForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect(back)
    try:
        result = services.rating_link_resend(
            actor=request.user, case=case, channel=form.cleaned_data["channel"], request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    if result["path"]:
        messages.success(
            request,
            _("新的网上评价链接（原链接作废，请交给申请人）：%(url)s")
            % {"url": request.build_absolute_uri(result["path"])},
        )
    else:
        messages.success(
            request, _("评价短信已发往 %(phone)s。") % {"phone": result.get("sent_to", "")}
        )
    return redirect(back)


# --- Statistics ------------------------------------------------------------------------------


def _figure_filters(request, agency) -> dict:
    get = request.GET
    years = selectors.figure_years(agency)
    year = _int(get.get("year"))
    year = year if year in years else years[0]
    by = get.get("by", "month")
    by = by if by in selectors.DIMENSIONS else "month"
    month = _int(get.get("month"))
    month = month if month and 1 <= month <= 12 else None
    return {
        "year": year,
        "years": years,
        "by": by,
        "month": month,
        "department": _int(get.get("department")),
        "center": _int(get.get("center")),
        "item": _int(get.get("item")),
    }


def _figures(agency, f) -> selectors.Figures:
    return selectors.figures(
        agency,
        year=f["year"],
        by=f["by"],
        month=f["month"],
        department=f["department"],
        center=f["center"],
        item=f["item"],
    )


@staff_permission_required(VIEW)
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    f = _figure_filters(request, agency)
    data = _figures(agency, f)
    chart = {
        "labels": [row.label for row in data.rows],
        "rates": [
            float(row.satisfaction_rate) if row.satisfaction_rate is not None else None
            for row in data.rows
        ],
        "bad": [row.bad for row in data.rows],
        "total": [row.total for row in data.rows],
        "names": {
            "rate": str(_("满意率（%）")),
            "bad": str(_("差评数")),
            "total": str(_("评价总数")),
        },
    }
    query = {
        key: value
        for key, value in (
            ("agency", agency.pk),
            ("year", f["year"]),
            ("by", f["by"]),
            ("month", f["month"] or ""),
            ("department", f["department"] or ""),
            ("center", f["center"] or ""),
            ("item", f["item"] or ""),
        )
        if value
    }
    return render(
        request,
        "services/ratings/statistics.html",
        {
            "agency": agency,
            "agencies": selectors.reading_agencies(request.user),
            "figures": data,
            "f": f,
            "dimensions": selectors.DIMENSIONS.items(),
            "levels": RatingLevel.labels,
            "months": range(1, 13),
            "chart": chart,
            "definitions": services.DEFINITIONS,
            "query": urlencode(query),
            **_options(agency),
        },
    )


@staff_permission_required(VIEW)
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    data = _figures(agency, _figure_filters(request, agency))
    content = services.figures_export(actor=request.user, figures=data, request=request)
    response = HttpResponse(content, content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="rating-statistics-{data.year}-{data.by}.xlsx"'
    )
    return response
