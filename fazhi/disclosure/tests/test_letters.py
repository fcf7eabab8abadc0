"""The reply letter as DOCX: GB/T 9704 page, one text per outcome naming its article, the parts
of a partial disclosure with their reasons, the remedies, and no identifier in the clear."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document

from fazhi.core.errors import Conflict
from fazhi.disclosure import letters, services
from fazhi.disclosure.models import DisclosureRequest
from fazhi.disclosure.outcomes import Outcome
from fazhi.disclosure.services import Part
from fazhi.disclosure.tests.conftest import PHONE, RESIDENT_ID, company, person, registered

pytestmark = pytest.mark.django_db

REMEDIES = (
    "如对本答复不服，可以自收到本告知书之日起六十日内，依照《中华人民共和国行政复议法》"
    "第二十条的规定申请行政复议；或者自收到本告知书之日起六个月内，依照"
    "《中华人民共和国行政诉讼法》第四十六条的规定向人民法院提起行政诉讼。"
)


def replied(office, outcome, parts=(), **changes):
    """Given a request received on 2 March 2026 and answered on 20 March with `outcome`."""
    request = registered(office, **changes.pop("request", {}))
    values = {
        "actor": office["officer"],
        "request": request,
        "outcome": outcome,
        "text": "",
        "parts": parts,
        "replied_on": date(2026, 3, 20),
    }
    values["text"] = changes.pop("text", "如有疑问，请与本机关政府信息公开工作机构联系。")
    values.update(changes)
    services.reply(**values)
    return DisclosureRequest.objects.get(pk=request.pk)


def lines(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def test_every_outcome_has_a_text():
    assert set(letters.OUTCOME_TEXTS) == set(Outcome.values)
    assert len(letters.OUTCOME_TEXTS) == 21
    assert all(text.strip() for text in letters.OUTCOME_TEXTS.values())


def test_every_reason_of_a_withheld_part_has_an_article():
    from fazhi.disclosure.outcomes import PART_REASONS

    assert set(letters.PART_REASON_ARTICLES) == set(PART_REASONS)


def test_a_disclosed_reply_is_a_gbt_9704_letter(office):
    request = replied(office, Outcome.DISCLOSED)

    content = letters.render_reply_letter(request)

    section = Document(io.BytesIO(content)).sections[0]
    # Word stores twips: a millimetre is within 0.1 mm of itself after the round trip.
    assert [round(length.mm, 1) for length in (section.page_width, section.page_height)] == [
        210.0,
        297.0,
    ]
    margins = (section.top_margin, section.left_margin, section.right_margin, section.bottom_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 28.0, 26.0, 35.0]
    assert lines(content) == [
        "政府信息公开申请答复告知书",
        "",
        f"申请编号：{request.tracking_number}",
        "",
        "张三：",
        "本机关于2026年3月2日收到您提出的政府信息公开申请，申请获取："
        "“2025年度本区最低生活保障资金的发放汇总情况。”。现答复如下：",
        "经审查，您申请获取的政府信息属于可以公开的政府信息。根据《中华人民共和国政府信息公开条例》"
        "第三十六条第（二）项的规定，本机关决定予以公开。",
        "如有疑问，请与本机关政府信息公开工作机构联系。",
        REMEDIES,
        "",
        office["agency"].name,
        "2026年3月20日",
    ]
    assert request.tracking_number.startswith("示民")


def test_the_title_is_22pt_centred_and_the_signature_right_aligned(office):
    request = replied(office, Outcome.DISCLOSED)

    paragraphs = Document(io.BytesIO(letters.render_reply_letter(request))).paragraphs

    title = paragraphs[0]
    assert title.alignment == 1  # centre
    assert title.runs[0].font.size.pt == 22
    assert title.runs[0].font.name == "方正小标宋简体"
    assert [p.alignment for p in paragraphs[-2:]] == [2, 2]  # right
    assert paragraphs[-1].paragraph_format.right_indent.pt == 64  # 右空四字 at 16 pt


def test_a_partial_disclosure_lists_both_kinds_of_parts_with_reasons(office):
    parts = [
        Part("2025年度低保资金发放汇总表", True),
        Part(
            "低保对象名单中的身份证号码和住址",
            False,
            Outcome.WITHHELD_THIRD_PARTY,
            "涉及个人隐私，公开会对第三方合法权益造成损害。",
        ),
        Part("2026年度预算安排", False, Outcome.UNAVAILABLE_NOT_HELD, "本机关尚未编制。"),
    ]
    request = replied(office, Outcome.PARTIAL, parts=parts)

    text = lines(letters.render_reply_letter(request))

    start = text.index(
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。"
        "根据《中华人民共和国政府信息公开条例》第三十七条的规定，"
        "本机关向您提供可以公开的政府信息内容，并对不予公开的内容说明理由："
    )
    assert text[start + 1 : start + 7] == [
        "（一）予以公开的内容：",
        "1.2025年度低保资金发放汇总表",
        "（二）不予公开的内容及理由：",
        "1.低保对象名单中的身份证号码和住址。理由：保护第三方合法权益"
        "（依据《中华人民共和国政府信息公开条例》第十五条）。"
        "涉及个人隐私，公开会对第三方合法权益造成损害。",
        "2.2026年度预算安排。理由：本机关不掌握相关政府信息"
        "（依据《中华人民共和国政府信息公开条例》第三十六条第（四）项）。本机关尚未编制。",
        "如有疑问，请与本机关政府信息公开工作机构联系。",
    ]
    assert text[start + 7] == REMEDIES


@pytest.mark.parametrize(
    ("outcome", "article"),
    [
        (Outcome.WITHHELD_STATE_SECRET, "第十四条、第三十六条第（三）项"),
        (Outcome.WITHHELD_THIRD_PARTY, "第十五条、第三十六条第（三）项"),
        (Outcome.WITHHELD_PROCESS, "第十六条、第三十六条第（三）项"),
        (Outcome.WITHHELD_QUERY, "第三十六条第（七）项"),
        (Outcome.UNAVAILABLE_NEEDS_CREATION, "第三十八条"),
        (Outcome.NOT_PROCESSED_PETITION, "第三十九条"),
        (Outcome.NOT_PROCESSED_REPEAT, "第三十六条第（六）项"),
        (Outcome.NOT_PROCESSED_PUBLICATION, "第三十九条"),
    ],
)
def test_the_outcome_paragraph_names_its_article(office, outcome, article):
    request = replied(office, outcome)

    text = lines(letters.render_reply_letter(request))

    paragraph = text[6]
    assert paragraph == letters.OUTCOME_TEXTS[outcome]
    assert f"《中华人民共和国政府信息公开条例》{article}的规定" in paragraph
    assert text[-4] == REMEDIES


def test_not_held_with_a_referral_names_the_responsible_agency(office):
    request = replied(
        office, Outcome.UNAVAILABLE_NOT_HELD, referral="示例区财政局，电话021-87654321"
    )

    text = lines(letters.render_reply_letter(request))

    assert text[6:8] == [
        "经检索，本机关未制作或获取您申请获取的政府信息。根据《中华人民共和国政府信息公开条例》"
        "第三十六条第（四）项的规定，告知您该政府信息不存在。",
        "根据《中华人民共和国政府信息公开条例》第三十六条第（五）项的规定，"
        "负责公开该政府信息的行政机关及联系方式为：示例区财政局，电话021****4321。",
    ]


def test_a_lapsed_supplement_request_gets_a_letter_without_a_reply_record(office):
    request = registered(office)
    services.supplement_request_request(
        actor=office["officer"],
        request=request,
        items="请说明所需信息的具体年度。",
        notice_on=date(2026, 3, 5),
    )
    services.supplement_request_lapse(actor=office["officer"], request=request)
    request = DisclosureRequest.objects.get(pk=request.pk)

    text = lines(letters.render_reply_letter(request))

    assert text[6] == (
        "本机关已一次性告知您需要补正的事项和合理的补正期限，您无正当理由逾期未补正。"
        "根据《中华人民共和国政府信息公开条例》第三十条的规定，"
        "视为您放弃申请，本机关不再处理您的政府信息公开申请。"
    )
    assert text[7] == REMEDIES
    assert text[-1] == f"{request.concluded_on.year}年{request.concluded_on.month}月" + (
        f"{request.concluded_on.day}日"
    )


def test_an_open_request_has_no_letter(office):
    request = registered(office)

    with pytest.raises(Conflict) as refused:
        letters.render_reply_letter(request)

    assert refused.value.code == "letter_not_concluded"
    assert str(refused.value.message) == "该申请尚未办结，不能生成答复告知书。"


def test_no_identifier_of_the_applicant_appears_in_the_letter(office):
    # Given identifiers typed into the description and the clerk's text by mistake.
    request = replied(
        office,
        Outcome.DISCLOSED,
        request={
            "applicant": person(id_number=RESIDENT_ID, phone=PHONE),
            "description": f"本人（身份证{RESIDENT_ID}，电话{PHONE}）的低保审批材料。",
        },
        text=f"已按您留下的电话{PHONE}联系您。",
    )

    content = letters.render_reply_letter(request)

    document = Document(io.BytesIO(content))
    whole = "\n".join(p.text for p in document.paragraphs)
    assert RESIDENT_ID not in whole and PHONE not in whole
    assert not re.search(r"\d{17}[\dX]|1[3-9]\d{9}", whole)
    assert "身份证110***********002X，电话138****5678" in whole
    assert "已按您留下的电话138****5678联系您。" in whole
    footer = "".join(p.text for p in document.sections[0].footer.paragraphs)
    assert RESIDENT_ID not in footer and PHONE not in footer


def test_a_company_is_named_without_its_credit_code(office):
    applicant = company(address="示例区人民路2号")
    request = replied(office, Outcome.WITHHELD_INTERNAL, request={"applicant": applicant})

    text = lines(letters.render_reply_letter(request))

    assert text[4] == "示例商贸有限公司："
    assert not any("91350100M000100Y43" in line for line in text)
