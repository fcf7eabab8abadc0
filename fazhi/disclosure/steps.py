"""Which steps a user may take on a disclosure request now: one answer for the page and the API.

Decided from the request's state, its step records and the user's permissions only (the
records must be loaded, see `views.requests.page.with_records`; no query of its own). The
services decide again with the dates given, so a listed step may still be refused for its
input. Dates are input — a step taken on paper is recorded later — so a step whose period has
passed is still offered (e.g. a 补正告知 sent on time and registered after the seventh working
day); the service checks the date given against the period and names the rule it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from fazhi.disclosure.models import (
    APPROVE_EXTENSION,
    HANDLE,
    DisclosureChallenge,
    DisclosureRequest,
)
from fazhi.disclosure.services.challenges import HANDLE_CHALLENGE

State = DisclosureRequest.State


@dataclass(frozen=True)
class Step:
    # The page's step key (one form each, see views.requests.page.STEPS).
    key: str
    label: str
    # The API route under /api/disclosure/requests/<id>/, or "" where the API has its own
    # collection for it (challenges are under /api/disclosure/challenges).
    path: str = ""
    method: str = "POST"


def _one(record, name):
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return None


def available_steps(record: DisclosureRequest, user, today: date) -> list[Step]:
    found: list[Step] = []
    handles = user.has_perm(HANDLE, record)
    state = record.state
    supplement_request = _one(record, "supplement_request")
    fee = _one(record, "fee")
    extension = _one(record, "extension")
    if handles:
        if state == State.RECEIVED and supplement_request is None:
            found.append(Step("supplement_request", _("补正告知"), "actions/supplement-request"))
        if state == State.SUPPLEMENT_REQUEST:
            found.append(
                Step("supplement_received", _("登记补正材料"), "actions/supplement-received")
            )
            if supplement_request is not None and supplement_request.supplement_due_on < today:
                found.append(
                    Step(
                        "supplement_lapse",
                        _("逾期未补正，终止办理"),
                        "actions/supplement-lapse",
                    )
                )
        if state in (State.RECEIVED, State.CONSULTATION):
            found.append(Step("consultation_open", _("征求意见"), "consultations"))
        if state == State.CONSULTATION:
            for consultation in record.consultations.all():
                if consultation.answered_on is None:
                    found.append(
                        Step(
                            "consultation_answer",
                            _("登记%(party)s的意见") % {"party": consultation.party},
                            f"consultations/{consultation.pk}/answer",
                        )
                    )
    if (
        state in (State.RECEIVED, State.CONSULTATION, State.FEE)
        and extension is None
        and user.has_perm(APPROVE_EXTENSION, record)
    ):
        found.append(Step("extension", _("延期答复"), "actions/extension"))
    if handles:
        if state == State.RECEIVED and fee is None:
            found.append(Step("fee_notice", _("收费通知"), "actions/fee-notice"))
        if state == State.FEE:
            found.append(Step("fee_paid", _("登记缴费"), "actions/fee-paid"))
            if fee is not None and fee.payment_due_on < today:
                found.append(Step("fee_lapse", _("逾期未缴费，终止办理"), "actions/fee-lapse"))
        if state == State.RECEIVED:
            found.append(Step("reply", _("答复"), "actions/reply"))
        if (
            state == State.CLOSED
            or record.outcome
            or supplement_request is not None
            or fee is not None
            or extension is not None
            or _one(record, "reply_record") is not None
        ):
            # Something was written to the applicant that may be sent (see NoticeDocument).
            found.append(Step("delivery", _("登记送达"), "deliveries"))
        for delivery in record.deliveries.all():
            if delivery.delivered_on is None:
                found.append(
                    Step(
                        "delivery_confirm",
                        _("登记%(document)s的送达日期")
                        % {"document": delivery.get_document_display()},
                        f"deliveries/{delivery.pk}/confirm",
                    )
                )
    if user.has_perm(HANDLE_CHALLENGE, record):
        found.append(Step("challenge", _("登记行政复议、行政诉讼")))
        if any(c.result == DisclosureChallenge.Result.PENDING for c in record.challenges.all()):
            found.append(Step("challenge_decide", _("登记复议、诉讼结果")))
    if record.outcome:
        found.append(Step("letter", _("下载答复告知书"), "letter", method="GET"))
    return found


def step_keys(record: DisclosureRequest, user, today: date) -> list[str]:
    """The page's step forms (the steps that write), each once, in the order found."""
    return list(
        dict.fromkeys(
            step.key for step in available_steps(record, user, today) if step.method == "POST"
        )
    )
