"""The reply letter (政府信息公开申请答复告知书) as DOCX, laid out per GB/T 9704 (domain-rules §6).

Every text of the letter is a plain Chinese constant, not gettext: the letter is a legal document
served on the applicant in Chinese whatever language the clerk's interface uses, and its
wording must not change with a translation catalogue.

Articles are those of 《中华人民共和国政府信息公开条例》 (2019) as domain-rules.md §1.1 gives
them; outcomes for which it names no article state the outcome without one.
"""

from __future__ import annotations

import re

from fazhi.core import officialdoc
from fazhi.core.errors import Conflict
from fazhi.core.identity.masking import mask_credit_code, mask_phone, mask_resident_id
from fazhi.disclosure.models import DisclosureRequest, Reply
from fazhi.disclosure.outcomes import Outcome

TITLE = "政府信息公开申请答复告知书"
REGULATION = "《中华人民共和国政府信息公开条例》"

# One text per outcome of outcomes.py, each naming its article where domain-rules gives one.
# {referral} is filled only where the reply names the agency that holds the information.
OUTCOME_TEXTS: dict[str, str] = {
    Outcome.DISCLOSED: (
        f"经审查，您申请获取的政府信息属于可以公开的政府信息。根据{REGULATION}"
        "第三十六条第（二）项的规定，本机关决定予以公开。"
    ),
    Outcome.PARTIAL: (
        f"经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据{REGULATION}"
        "第三十七条的规定，本机关向您提供可以公开的政府信息内容，并对不予公开的内容说明理由："
    ),
    Outcome.WITHHELD_STATE_SECRET: (
        f"经审查，您申请获取的政府信息属于国家秘密。根据{REGULATION}第十四条、"
        "第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_PROHIBITED: (
        "经审查，您申请获取的政府信息属于法律、行政法规禁止公开的政府信息。"
        f"根据{REGULATION}第十四条、第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_SECURITY: (
        "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。"
        f"根据{REGULATION}第十四条、第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_THIRD_PARTY: (
        "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。"
        f"根据{REGULATION}第十五条、第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_INTERNAL: (
        "经审查，您申请获取的政府信息属于行政机关的内部事务信息（人事管理、后勤管理、内部工作流程等）。"
        f"根据{REGULATION}第十六条、第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_PROCESS: (
        "经审查，您申请获取的政府信息属于行政机关在履行行政管理职能过程中形成的讨论记录、"
        "过程稿、会议纪要、请示报告等过程性信息。"
        f"根据{REGULATION}第十六条、第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_CASE_FILE: (
        "经审查，您申请获取的政府信息属于行政执法案卷信息。"
        f"根据{REGULATION}第十六条、第三十六条第（三）项的规定，本机关决定不予公开。"
    ),
    Outcome.WITHHELD_QUERY: (
        "经审查，您申请获取的信息属于工商、不动产登记资料等有关法律、行政法规对信息的获取"
        f"有特别规定的行政查询事项。根据{REGULATION}第三十六条第（七）项的规定，"
        "请您依照有关法律、行政法规的规定办理。"
    ),
    Outcome.UNAVAILABLE_NOT_HELD: (
        "经检索，本机关未制作或获取您申请获取的政府信息。"
        f"根据{REGULATION}第三十六条第（四）项的规定，告知您该政府信息不存在。"
    ),
    Outcome.UNAVAILABLE_NEEDS_CREATION: (
        "经审查，本机关没有您申请获取的现成信息，提供该信息需要对现有政府信息进行加工、分析。"
        f"根据{REGULATION}第三十八条的规定，本机关不予提供。"
    ),
    Outcome.UNAVAILABLE_UNCLEAR: (
        "本机关已一次性告知您需要补正的事项，经补正后您的申请内容仍不明确，本机关无法确定您"
        f"申请获取的政府信息。根据{REGULATION}第三十条的规定，本机关无法提供。"
    ),
    Outcome.NOT_PROCESSED_PETITION: (
        "经审查，您以政府信息公开申请的形式进行信访、投诉、举报等活动。"
        f"根据{REGULATION}第三十九条的规定，本机关不作为政府信息公开申请处理，"
        "您可以通过相应渠道提出。"
    ),
    Outcome.NOT_PROCESSED_REPEAT: (
        "经审查，您已就同一政府信息提出过公开申请，本机关已依法作出答复。"
        f"根据{REGULATION}第三十六条第（六）项的规定，本机关不予重复处理。"
    ),
    Outcome.NOT_PROCESSED_PUBLICATION: (
        "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。"
        f"根据{REGULATION}第三十九条的规定，本机关不作为政府信息公开申请处理，"
        "现告知您获取的途径。"
    ),
    Outcome.NOT_PROCESSED_EXCESSIVE: (
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围，且说明的理由不合理。"
        f"根据{REGULATION}第三十五条的规定，本机关不予处理。"
    ),
    # domain-rules names no article of the regulation for this row: stated without one.
    Outcome.NOT_PROCESSED_CONFIRMATION: (
        "经审查，您的申请是要求本机关确认或者重新出具您已获取的信息，"
        "不属于政府信息公开申请的范围，本机关不予处理。"
    ),
    Outcome.OTHER_NO_SUPPLEMENT: (
        "本机关已一次性告知您需要补正的事项和合理的补正期限，您无正当理由逾期未补正。"
        f"根据{REGULATION}第三十条的规定，视为您放弃申请，本机关不再处理您的政府信息公开申请。"
    ),
    Outcome.OTHER_NO_FEE: (
        f"本机关已依照{REGULATION}第四十二条的规定向您发出收费通知，您逾期未按收费通知要求"
        "缴纳信息处理费，本机关不再处理您的政府信息公开申请。"
    ),
    # A row for whatever the others do not cover: the reply's own text says what was done.
    Outcome.OTHER: "经审查，本机关对您的申请作如下处理。",
}

# Art. 36 (五): where the reply names the agency that holds the information.
REFERRAL_TEXT = (
    f"根据{REGULATION}第三十六条第（五）项的规定，负责公开该政府信息的行政机关及联系方式为："
)

# Articles for the reason of a withheld part of a partial disclosure (a row of PART_REASONS).
PART_REASON_ARTICLES: dict[str, str] = {
    Outcome.WITHHELD_STATE_SECRET: "第十四条",
    Outcome.WITHHELD_PROHIBITED: "第十四条",
    Outcome.WITHHELD_SECURITY: "第十四条",
    Outcome.WITHHELD_THIRD_PARTY: "第十五条",
    Outcome.WITHHELD_INTERNAL: "第十六条",
    Outcome.WITHHELD_PROCESS: "第十六条",
    Outcome.WITHHELD_CASE_FILE: "第十六条",
    Outcome.WITHHELD_QUERY: "第三十六条第（七）项",
    Outcome.UNAVAILABLE_NOT_HELD: "第三十六条第（四）项",
    Outcome.UNAVAILABLE_NEEDS_CREATION: "第三十八条",
    Outcome.UNAVAILABLE_UNCLEAR: "第三十条",
}

# 60 days and 6 months are what domain-rules §1.1 gives (seen in a reply-letter template, marked
# UNCONFIRMED there, high confidence); it cites 行政复议法 Art. 20 (2023 revision). The article of
# 行政诉讼法 (Art. 46, six months) is not in domain-rules: statutory default, to be confirmed.
REMEDIES_TEXT = (
    "如对本答复不服，可以自收到本告知书之日起六十日内，依照《中华人民共和国行政复议法》"
    "第二十条的规定申请行政复议；或者自收到本告知书之日起六个月内，依照"
    "《中华人民共和国行政诉讼法》第四十六条的规定向人民法院提起行政诉讼。"
)

# Identifiers that may appear in free text (a name, a description, the clerk's words): 18-char
# resident IDs / credit codes, mobiles, landlines. Masked so the letter never shows one whole.
_EIGHTEEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
_RESIDENT_ID = re.compile(r"\d{17}[\dXx]")
_PHONE = re.compile(r"(?<!\d)(?:(?:\+86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def _masked(text: str) -> str:
    def eighteen(match: re.Match) -> str:
        token = match.group(0)
        if _RESIDENT_ID.fullmatch(token):
            return mask_resident_id(token)
        if any(c.isdigit() for c in token) and token.upper() == token:
            return mask_credit_code(token)
        return token

    text = _EIGHTEEN.sub(eighteen, text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


_day = officialdoc.official_day
_body = officialdoc.body


def _parts(docx, reply: Reply) -> None:
    parts = list(reply.parts.all())
    disclosed = [p for p in parts if p.disclosed]
    withheld = [p for p in parts if not p.disclosed]
    _body(docx, "（一）予以公开的内容：")
    for number, part in enumerate(disclosed, start=1):
        _body(docx, f"{number}.{_masked(part.description)}")
    _body(docx, "（二）不予公开的内容及理由：")
    for number, part in enumerate(withheld, start=1):
        reason = str(Outcome(part.reason).label).split(".", 1)[-1]
        article = PART_REASON_ARTICLES[part.reason]
        _body(
            docx,
            f"{number}.{_masked(part.description)}。理由：{reason}（依据{REGULATION}{article}）。"
            f"{_masked(part.explanation)}",
        )


def render_reply_letter(request: DisclosureRequest) -> bytes:
    """DOCX bytes of the reply letter of a concluded request (with or without a Reply record:
    a request closed by a lapsed 补正 or fee period has none)."""
    if not request.outcome:
        raise Conflict("该申请尚未办结，不能生成答复告知书。", code="letter_not_concluded")
    reply = Reply.objects.filter(request=request).prefetch_related("parts").first()
    replied_on = reply.replied_on if reply else request.concluded_on

    docx = officialdoc.new_document()
    officialdoc.title(docx, TITLE)
    officialdoc.blank(docx)
    officialdoc.centred(docx, f"申请编号：{request.tracking_number}")
    officialdoc.blank(docx)
    officialdoc.paragraph(
        docx, f"{_masked(request.applicant_name)}：", officialdoc.FANGSONG, officialdoc.BODY_SIZE
    )
    _body(
        docx,
        f"本机关于{_day(request.received_on)}收到您提出的政府信息公开申请，"
        f"申请获取：“{_masked(request.description)}”。现答复如下：",
    )
    _body(docx, OUTCOME_TEXTS[request.outcome])
    if request.outcome == Outcome.PARTIAL and reply is not None:
        _parts(docx, reply)
    if reply is not None and reply.referral:
        _body(docx, f"{REFERRAL_TEXT}{_masked(reply.referral)}。")
    if reply is not None:
        for line in reply.text.splitlines():
            if line.strip():
                _body(docx, _masked(line.strip()))
    _body(docx, REMEDIES_TEXT)

    officialdoc.blank(docx)
    officialdoc.signature(docx, request.agency.name, _day(replied_on))
    return officialdoc.to_bytes(docx)
