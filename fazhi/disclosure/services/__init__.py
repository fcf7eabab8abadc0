"""Every change to a disclosure request, each in one transaction with its audit event.

Each service locks the request, checks the actor's permission and the request's state, writes
the stage record, moves the state through core.workflow.perform (whose guards read that record)
and stores the deadline derived again from all the records (clock.due_date). Refusals are
DomainErrors with Chinese messages: InvalidInput 422, NotAllowed 403, Conflict 409, and
TooManyRequests 429 for the public form.

Periods that lapse (补正, 缴费) are closed by the sweep `lapse_sweep`, which acts as the system
("fazhi sweep") rather than as a person; the outcome date is the first day after the period, so
a sweep that runs late records the same date as one that runs on time.
"""

from fazhi.disclosure.services._common import SERIES, TooManyRequests
from fazhi.disclosure.services.challenges import challenge_decide, challenge_record
from fazhi.disclosure.services.intake import Applicant, request_register, request_submit
from fazhi.disclosure.services.proactive import (
    document_sync,
    documents_backfill,
    finding_clear,
    finding_redact,
    record_attach,
    record_create,
    record_detach,
    record_publish,
    record_return,
    record_review,
    record_submit,
    record_supersede,
    record_update,
    record_withdraw,
    review_checklist,
)
from fazhi.disclosure.services.procedure import (
    consultation_answer,
    consultation_open,
    extension_approve,
    fee_amount,
    fee_lapse,
    fee_notice,
    fee_paid,
    supplement_request_lapse,
    supplement_request_received,
    supplement_request_request,
)
from fazhi.disclosure.services.public import (
    NotFound,
    request_verified,
    supplement_submit_public,
)
from fazhi.disclosure.services.replies import Part, delivery_confirm, delivery_record, reply
from fazhi.disclosure.services.report import (
    report_finalise,
    report_open,
    report_publish,
    report_reopen,
    report_update,
)
from fazhi.disclosure.services.sweeps import lapse_sweep, open_requests

__all__ = [
    "SERIES",
    "Applicant",
    "NotFound",
    "Part",
    "TooManyRequests",
    "challenge_decide",
    "challenge_record",
    "consultation_answer",
    "consultation_open",
    "delivery_confirm",
    "delivery_record",
    "document_sync",
    "documents_backfill",
    "extension_approve",
    "fee_amount",
    "fee_lapse",
    "fee_notice",
    "fee_paid",
    "finding_clear",
    "finding_redact",
    "lapse_sweep",
    "open_requests",
    "record_attach",
    "record_create",
    "record_detach",
    "record_publish",
    "record_return",
    "record_review",
    "record_submit",
    "record_supersede",
    "record_update",
    "record_withdraw",
    "reply",
    "report_finalise",
    "report_open",
    "report_publish",
    "report_reopen",
    "report_update",
    "request_register",
    "request_submit",
    "request_verified",
    "review_checklist",
    "supplement_request_lapse",
    "supplement_request_received",
    "supplement_request_request",
    "supplement_submit_public",
]
