"""The disclosure app's records: requests (依申请公开), proactive disclosure (主动公开) and the
annual report (年度报告), one module each."""

from fazhi.disclosure.models.proactive import (
    ConfidentialityReview,
    PublicRecord,
    ScanFinding,
)
from fazhi.disclosure.models.report import AnnualReport
from fazhi.disclosure.models.requests import (
    APPROVE_EXTENSION,
    HANDLE,
    DeliveryRecord,
    DisclosureChallenge,
    DisclosureRequest,
    Extension,
    FeeNotice,
    Reply,
    ReplyPart,
    SupplementRequest,
    ThirdPartyConsultation,
)

__all__ = [
    "APPROVE_EXTENSION",
    "HANDLE",
    "AnnualReport",
    "ConfidentialityReview",
    "DeliveryRecord",
    "DisclosureChallenge",
    "DisclosureRequest",
    "Extension",
    "FeeNotice",
    "PublicRecord",
    "Reply",
    "ReplyPart",
    "ScanFinding",
    "SupplementRequest",
    "ThirdPartyConsultation",
]
