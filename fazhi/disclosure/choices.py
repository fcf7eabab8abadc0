"""The fixed vocabularies of disclosure requests (kept apart so the pure clock can use them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How the application reached the agency; decides its date of receipt (OGI Art. 31)."""

    # The portal's form: the tracking number shown at once is the agency's confirmation.
    ONLINE = "online", _("网上申请")
    # 一网通办 and other platforms submitting through the API: confirmed the same way.
    PLATFORM = "platform", _("政务服务平台")
    # Handed in at the office: the day it was handed in.
    VISIT = "visit", _("当面提交")
    # Oral application written down by the office (Art. 29): the day it was made.
    ORAL = "oral", _("口头申请（代为填写）")
    # Express mail or registered letter: the day the agency signed for it.
    REGISTERED_MAIL = "registered_mail", _("邮政特快专递、挂号信")
    # Ordinary letter: the day the office confirmed with the applicant (same day as arrival).
    ORDINARY_MAIL = "ordinary_mail", _("平常信函")
    # E-mail or fax: the day both sides confirmed.
    EMAIL = "email", _("电子邮件")
    FAX = "fax", _("传真")


# Channels a citizen uses by themself; the others are registered by staff.
SELF_SERVICE_CHANNELS = frozenset({Channel.ONLINE, Channel.PLATFORM})
# Channels whose date of receipt is the day of confirmation with the applicant.
CONFIRMED_CHANNELS = frozenset({Channel.ORDINARY_MAIL, Channel.EMAIL, Channel.FAX})


class ApplicantKind(models.TextChoices):
    """The 6 applicant columns of table 三 (总计 is their sum)."""

    NATURAL_PERSON = "natural_person", _("自然人")
    # 法人或其他组织, by the report's five kinds.
    BUSINESS = "business", _("商业企业")
    RESEARCH = "research", _("科研机构")
    PUBLIC_WELFARE = "public_welfare", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER_ORGANISATION = "other_organisation", _("其他")


ORGANISATION_KINDS = frozenset(set(ApplicantKind) - {ApplicantKind.NATURAL_PERSON})


class IdDocument(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    # Passports, permits for Hong Kong, Macao and Taiwan residents and the like.
    OTHER = "other", _("其他身份证件")
    CREDIT_CODE = "credit_code", _("统一社会信用代码证明")


class InfoForm(models.TextChoices):
    """The form in which the applicant wants the information (Art. 29 (三))."""

    PAPER = "paper", _("纸质文本")
    ELECTRONIC = "electronic", _("电子文本")
    INSPECTION = "inspection", _("查阅、抄录")


class DeliveryMethod(models.TextChoices):
    """How the applicant wants to receive it, and how anything is sent to them."""

    POST = "post", _("邮寄")
    EMAIL = "email", _("电子邮件")
    PICKUP = "pickup", _("当面领取")
    ONLINE = "online", _("网上查看")
    FAX = "fax", _("传真")


class ConsultationKind(models.TextChoices):
    THIRD_PARTY = "third_party", _("征求第三方意见")  # Art. 32
    CO_PRODUCER = "co_producer", _("征求共同制作机关意见")  # Art. 34
    OTHER_AGENCY = "other_agency", _("征求其他机关意见")  # Art. 33 ¶3


class ConsultationAnswer(models.TextChoices):
    CONSENT = "consent", _("同意公开")
    OBJECTION = "objection", _("不同意公开")
    # Silence within the period: the agency decides itself (Art. 32); a co-producer's silence
    # counts as consent (Art. 34).
    NO_ANSWER = "no_answer", _("逾期未答复")


class FeeBasis(models.TextChoices):
    """国办函〔2020〕109号 Art. 3: per item or per volume, never both on one application."""

    PER_ITEM = "per_item", _("按件计收")
    PER_PAGE = "per_page", _("按量计收")


class NoticeDocument(models.TextChoices):
    """What was sent to the applicant (送达记录)."""

    REPLY = "reply", _("答复告知书")
    SUPPLEMENT_REQUEST = "supplement_request", _("补正告知书")
    EXTENSION = "extension", _("延期答复告知书")
    FEE = "fee", _("收费通知")
    TERMINATION = "termination", _("终止办理告知书")
