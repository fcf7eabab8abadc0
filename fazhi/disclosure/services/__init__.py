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
from fazhi.disclosure.services.replies import Part, delivery_confirm, delivery_record, reply
from fazhi.disclosure.services.sweeps import lapse_sweep, open_requests

__all__ = [
    "SERIES",
    "Applicant",
    "Part",
    "TooManyRequests",
    "challenge_decide",
    "challenge_record",
    "consultation_answer",
    "consultation_open",
    "delivery_confirm",
    "delivery_record",
    "extension_approve",
    "fee_amount",
    "fee_lapse",
    "fee_notice",
    "fee_paid",
    "lapse_sweep",
    "open_requests",
    "reply",
    "request_register",
    "request_submit",
    "supplement_request_lapse",
    "supplement_request_received",
    "supplement_request_request",
]
