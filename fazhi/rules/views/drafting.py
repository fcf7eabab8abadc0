"""Staff pages of the drafting and review extras: upload a Word draft, compare two versions,
会签 before consultation, the legal adviser's opinion. One POST per service; a refusal shows
the document page again with the message and a 4xx status."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fazhi.core.errors import DomainError
from fazhi.rules import diff, drafting
from fazhi.rules.forms import drafting as drafting_forms
from fazhi.rules.services import drafting as services
from fazhi.rules.views.page import invalid_form, open_document, refused, signed_in


def _done(request: HttpRequest, document, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    response = redirect("rules:detail", document_id=document.pk)
    response["Location"] += f"#{anchor}"
    return response


@signed_in
@require_POST
def version_upload(request: HttpRequest, document_id: int) -> HttpResponse:
    document = open_document(request, document_id, write=True)
    form = drafting_forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return invalid_form(request, document, form)
    try:
        version = services.document_upload_version(
            actor=request.user,
            document=document,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return refused(request, document, exc)
    return _done(
        request,
        document,
        _("已从 Word 文档提取正文，保存为第 %(n)d 稿。") % {"n": version.number},
        "versions",
    )


def _version_number(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    # ASCII only: "²" passes str.isdigit() but is no version number.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


@signed_in
@require_GET
def version_compare(request: HttpRequest, document_id: int) -> HttpResponse:
    """Two versions side by side: `?a=1&b=3` (left is a, right is b)."""
    document = open_document(request, document_id)
    versions = list(document.versions.select_related("created_by").order_by("number"))
    first, second = _version_number(request.GET.get("a")), _version_number(request.GET.get("b"))
    context = {"document": document, "versions": versions, "a": first, "b": second}
    if first is None or second is None:
        context["error"] = _("请选择要比较的两个版本（版本号须为正整数）。")
        return render(request, "rules/compare.html", context, status=422)
    if first == second:
        context["error"] = _("请选择两个不同的版本进行比较。")
        return render(request, "rules/compare.html", context, status=422)
    try:
        rows = diff.compare_versions(document, first, second)
    except DomainError as exc:
        context["error"] = str(exc.message)
        return render(request, "rules/compare.html", context, status=404)
    by_number = {v.number: v for v in versions}
    context.update(
        rows=rows,
        summary=diff.summary(rows),
        left=by_number[first],
        right=by_number[second],
    )
    return render(request, "rules/compare.html", context)


@signed_in
@require_POST
def countersign_open(request: HttpRequest, document_id: int) -> HttpResponse:
    document = open_document(request, document_id, write=True)
    form = drafting_forms.CountersignForm(
        request.POST, departments=drafting.countersign_departments(document)
    )
    if not form.is_valid():
        return invalid_form(request, document, form)
    try:
        services.document_countersign_open(
            actor=request.user,
            document=document,
            departments=form.cleaned_data["departments"],
            workdays=form.cleaned_data["workdays"],
            subject=form.cleaned_data["subject"],
        )
    except DomainError as exc:
        return refused(request, document, exc)
    return _done(request, document, _("已发起会签，等待各科室签署意见。"), "countersign")


@signed_in
@require_POST
def countersign_opine(request: HttpRequest, document_id: int, opinion_id: int) -> HttpResponse:
    document = open_document(request, document_id, write=True)
    form = drafting_forms.OpinionForm(request.POST, prefix=f"opinion-{opinion_id}")
    if not form.is_valid():
        return invalid_form(request, document, form)
    try:
        services.document_countersign_opine(
            actor=request.user,
            document=document,
            opinion_id=opinion_id,
            agree=form.cleaned_data["agree"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        return refused(request, document, exc)
    return _done(request, document, _("会签意见已签署。"), "countersign")


@signed_in
@require_POST
def adviser_request(request: HttpRequest, document_id: int) -> HttpResponse:
    document = open_document(request, document_id, write=True)
    form = drafting_forms.AdviserRequestForm(
        request.POST, advisers=drafting.adviser_candidates(document)
    )
    if not form.is_valid():
        return invalid_form(request, document, form)
    try:
        services.review_adviser_request(
            actor=request.user,
            document=document,
            adviser=form.cleaned_data["adviser"],
            question=form.cleaned_data["question"],
        )
    except DomainError as exc:
        return refused(request, document, exc)
    return _done(request, document, _("已征求法律顾问意见。"), "review")


@signed_in
@require_POST
def adviser_answer(request: HttpRequest, document_id: int) -> HttpResponse:
    document = open_document(request, document_id, write=True)
    form = drafting_forms.AdviserAnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return invalid_form(request, document, form)
    try:
        services.review_adviser_answer(
            actor=request.user,
            document=document,
            opinion=form.cleaned_data["opinion"],
            upload=form.cleaned_data["attachment"],
        )
    except DomainError as exc:
        return refused(request, document, exc)
    messages.success(request, _("法律顾问意见已提交，谢谢。"))
    # Having answered, the adviser no longer sees the document: back to their tasks.
    return redirect("workspace:home")
