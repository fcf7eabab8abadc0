"""The bodies and answers of the disclosure-request API (fazhi.disclosure.api.requests).

Input bodies read their validation errors in Chinese (ApiIn of the rules API); the services
check the rules of the law and say why. Identifiers leave only as their masks.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

# The Chinese-message request bodies of the rules API; the same conventions for every app.
from fazhi.api.inputs import ApiIn, Day, Text
from fazhi.api.workflow_routes import TimelineEntry
from fazhi.disclosure import services
from fazhi.disclosure.choices import ApplicantKind, IdDocument
from fazhi.disclosure.models import DisclosureRequest

State = DisclosureRequest.State
ExpectedState = Literal[tuple(State.values)] | None  # type: ignore[valid-type]


# --- Input schemas ----------------------------------------------------------------------------


class ApplicantIn(ApiIn):
    """The applicant (OGI Art. 29 (一)); the service validates every number and says why."""

    kind: Text = Field(
        ...,
        title="申请人类型",
        description="natural_person（自然人）或法人或其他组织的五类："
        "business、research、public_welfare、legal_service、other_organisation",
    )
    name: Text = Field("", title="申请人姓名或名称")
    id_document: Text = Field(
        "",
        title="身份证明",
        description="自然人：resident_id 或 other；法人或其他组织可不填（统一社会信用代码）",
    )
    id_number: Text = Field("", title="证件号码或统一社会信用代码")
    other_id_type: Text = Field("", title="证件名称", description="其他身份证件时填写")
    phone: Text = Field("", title="联系电话")
    contact_person: Text = Field("", title="联系人", description="法人或其他组织必填")
    email: Text = Field("", title="电子邮箱")
    address: Text = Field("", title="通信地址")
    postal_code: Text = Field("", title="邮政编码")

    def applicant(self) -> services.Applicant:
        document = self.id_document
        if (
            not document
            and self.kind in ApplicantKind.values
            and self.kind != ApplicantKind.NATURAL_PERSON
        ):
            # An organisation always proves itself with its credit code (the portal form too).
            document = IdDocument.CREDIT_CODE
        return services.Applicant(
            kind=self.kind,
            name=self.name,
            id_document=document,
            id_number=self.id_number,
            phone=self.phone,
            other_id_type=self.other_id_type,
            contact_person=self.contact_person,
            email=self.email,
            address=self.address,
            postal_code=self.postal_code,
        )


class RegisterIn(ApiIn):
    agency: Text = Field(
        "", title="受理机关", description="机关编号；只在一个机关办理申请的用户可不填"
    )
    applicant: ApplicantIn = Field(..., title="申请人")
    description: Text = Field(..., title="所需信息的内容描述", description="至多 5000 字")
    info_reference: Text = Field("", title="文件名称、文号等特征")
    info_form: Text = Field(..., title="提供形式", description="paper、electronic、inspection")
    delivery: Text = Field(..., title="获取方式", description="post、email、pickup、online、fax")
    channel: Text = Field(
        ...,
        title="申请方式",
        description="visit、oral、registered_mail、ordinary_mail、email、fax",
    )
    arrived_on: Day = Field(..., title="提交或送达日期")
    confirmed_on: Day | None = Field(
        None, title="与申请人确认日期", description="平常信函、电子邮件、传真必填"
    )
    channel_note: Text = Field("", title="来件说明")


class StateIn(ApiIn):
    expected_state: ExpectedState = Field(None, title="预期状态")


class SupplementRequestIn(StateIn):
    items: Text = Field(..., title="需要补正的事项")
    notice_on: Day | None = Field(None, title="补正告知日期", description="默认今天")
    period_workdays: int | None = Field(
        None, title="补正期限（工作日）", description="默认为本机关设置"
    )


class SupplementReceivedIn(StateIn):
    supplement: Text = Field(..., title="补正内容")
    supplemented_on: Day | None = Field(None, title="收到补正材料日期", description="默认今天")
    late_reason: Text = Field("", title="逾期补正的正当理由")


class ConsultationIn(StateIn):
    kind: Text = Field(..., title="类型", description="third_party、co_producer、other_agency")
    party: Text = Field(..., title="征求对象")
    subject: Text = Field(..., title="征求意见事项")
    sent_on: Day | None = Field(None, title="发出日期", description="默认今天")


class AnswerIn(StateIn):
    answer: Text = Field(..., title="意见", description="consent、objection、no_answer")
    text: Text = Field("", title="意见内容", description="不同意公开时必填")
    answered_on: Day | None = Field(None, title="答复日期", description="默认今天")


class ExtensionIn(StateIn):
    days: int = Field(..., title="延长工作日", description="至多 20 个工作日，只能延长一次")
    reason: Text = Field(..., title="延期理由")
    approved_on: Day | None = Field(None, title="批准日期", description="默认今天")
    notified_on: Day | None = Field(None, title="告知申请人日期", description="默认批准日期")


class FeeNoticeIn(StateIn):
    basis: Text = Field(..., title="计收方式", description="per_item 或 per_page")
    quantity: int = Field(..., title="件数或页数")
    notice_on: Day | None = Field(None, title="通知日期", description="默认今天")


class FeePaidIn(StateIn):
    paid_on: Day | None = Field(None, title="缴费日期", description="默认今天")
    receipt_number: Text = Field("", title="票据号")


class PartIn(ApiIn):
    description: Text = Field(..., title="信息内容")
    disclosed: bool = Field(..., title="予以公开")
    reason: Text = Field(
        "",
        title="不予公开的理由类别",
        description="不予公开（withheld_*）或无法提供（unavailable_*）的结果之一",
    )
    explanation: Text = Field("", title="理由说明")


class ReplyIn(StateIn):
    outcome: Text = Field(..., title="办理结果", description="年度报告表三的结果之一")
    text: Text = Field(..., title="答复内容")
    parts: list[PartIn] = Field([], title="部分公开的内容", description="仅“部分公开”时填写")
    referral: Text = Field("", title="负责公开的机关及联系方式")
    replied_on: Day | None = Field(None, title="答复日期", description="默认今天")


class DeliveryIn(StateIn):
    document: Text = Field(
        ...,
        title="文书",
        description="reply、supplement_request、extension、fee、termination",
    )
    method: Text = Field(..., title="送达方式", description="post、email、pickup、online、fax")
    sent_on: Day | None = Field(None, title="发出日期", description="默认今天")
    delivered_on: Day | None = Field(None, title="送达日期")
    reference: Text = Field("", title="邮件单号等")
    note: Text = Field("", title="说明")


class ConfirmIn(StateIn):
    delivered_on: Day = Field(..., title="送达日期")


class ListQuery(Schema):
    """Query parameters arrive as text and are parsed here, so mistakes get Chinese messages."""

    state: str = Field(
        "", description="received、supplement_request、consultation、fee、replied、closed"
    )
    year: str = Field("", description="收到申请的年份，如 2026")
    applicant_kind: str = ""
    outcome: str = ""
    overdue: str = Field("", description="true：已超过答复期限仍未办结；false：其余")
    cursor: str = ""
    limit: str = ""


# --- Output schemas ---------------------------------------------------------------------------


class RequestRow(Schema):
    id: str
    tracking_number: str
    state: str
    state_label: str
    applicant_kind: str
    applicant_kind_label: str
    applicant_name: str
    channel: str
    received_on: dt.date
    due_on: dt.date | None
    due_provisional: bool
    overdue: bool
    excessive: bool
    outcome: str
    outcome_label: str
    concluded_on: dt.date | None


class RequestPage(Schema):
    items: list[RequestRow]
    next_cursor: str | None


class DueOut(Schema):
    due_on: dt.date | None
    start_on: dt.date | None
    paused_workdays: int
    # A consultation or fee notice is open: the date is counted up to its deadline.
    projected: bool
    # A year without a confirmed holiday schedule was consulted.
    provisional: bool
    explanation: str
    lines: list[str]


class ApplicantOut(Schema):
    kind: str
    kind_label: str
    name: str
    contact_person: str
    id_document: str
    id_document_label: str
    other_id_type: str
    id_number_masked: str
    phone_masked: str
    email: str
    address: str
    postal_code: str


class ReceiptOut(Schema):
    channel: str
    channel_label: str
    arrived_on: dt.date
    confirmed_on: dt.date | None
    received_on: dt.date
    rule: str
    note: str


class SupplementRequestOut(Schema):
    notice_on: dt.date
    items: str
    period_workdays: int
    supplement_due_on: dt.date
    supplemented_on: dt.date | None
    supplement: str
    late_reason: str
    lapsed_on: dt.date | None


class ConsultationOut(Schema):
    id: str
    kind: str
    kind_label: str
    party: str
    subject: str
    sent_on: dt.date
    due_on: dt.date
    answered_on: dt.date | None
    answer: str
    answer_label: str
    answer_text: str


class ExtensionOut(Schema):
    days: int
    reason: str
    approved_by: str
    approved_on: dt.date
    notified_on: dt.date
    due_before: dt.date
    due_after: dt.date


class FeeOut(Schema):
    basis: str
    basis_label: str
    quantity: int
    amount: str = Field(..., description="元，十进制字符串")
    notice_on: dt.date
    payment_due_on: dt.date
    paid_on: dt.date | None
    receipt_number: str
    lapsed_on: dt.date | None


class PartOut(Schema):
    number: int
    description: str
    disclosed: bool
    reason: str
    reason_label: str
    explanation: str


class ReplyOut(Schema):
    text: str
    referral: str
    replied_on: dt.date
    replied_by: str
    parts: list[PartOut]


class DeliveryOut(Schema):
    id: str
    document: str
    document_label: str
    method: str
    method_label: str
    sent_on: dt.date
    delivered_on: dt.date | None
    reference: str
    note: str


class ActionOut(Schema):
    name: str
    label: str
    method: str
    path: str = Field(..., description="相对于 /api/disclosure/requests/ 的路径")


class RequestOut(Schema):
    id: str
    tracking_number: str
    agency: str
    state: str
    state_label: str
    due_on: dt.date | None
    overdue: bool
    due: DueOut
    receipt: ReceiptOut
    applicant: ApplicantOut
    description: str
    info_reference: str
    info_form: str
    info_form_label: str
    delivery: str
    delivery_label: str
    month_ordinal: int
    excessive: bool
    outcome: str
    outcome_label: str
    outcome_summary: str
    concluded_on: dt.date | None
    handler: str
    supplement_request: SupplementRequestOut | None
    consultations: list[ConsultationOut]
    extension: ExtensionOut | None
    fee: FeeOut | None
    reply: ReplyOut | None
    deliveries: list[DeliveryOut]
    available_actions: list[ActionOut]
    timeline: list[TimelineEntry]
