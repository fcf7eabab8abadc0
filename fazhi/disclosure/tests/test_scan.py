"""The personal-data scan before confidentiality review: numbers, terms, redaction, Word files."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core.errors import InvalidInput
from fazhi.core.identity.validators import resident_id_check_char
from fazhi.disclosure.scan import Hit, HitKind, luhn_valid, redact, scan_docx, scan_text

RID = HitKind.RESIDENT_ID
MOBILE = HitKind.MOBILE
CARD = HitKind.BANK_CARD
TERM = HitKind.TERM

# GB 11643's own example and two numbers built with the check-digit function.
RESIDENT_ID = "11010519491231002X"
NANJING_ID = "32010619880315" + "123" + resident_id_check_char("32010619880315123")
# This one also passes the Luhn check; it must still be reported once, as a resident ID.
ID_AND_LUHN = "32010619880315125" + resident_id_check_char("32010619880315125")
CARD_16 = "6217001234567893"
CARD_19 = "6222021234567890128"
# 18 digits whose "birth date" 12345678 does not exist: not an ID, but a Luhn-valid card.
CARD_18 = "622202123456789012"


@pytest.fixture(autouse=True)
def schedule():
    """The scan is pure: no holiday schedule, no database (overrides the package fixture)."""


def luhn_complete(body: str) -> str:
    """`body` with the Luhn check digit appended (written independently of the module)."""
    for digit in "0123456789":
        number = body + digit
        total = 0
        for index, char in enumerate(reversed(number)):
            doubled = int(char) * (2 if index % 2 else 1)
            total += doubled // 10 + doubled % 10
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def spans(hits: list[Hit]) -> list[tuple[HitKind, int, int, str]]:
    return [(hit.kind, hit.start, hit.end, hit.text) for hit in hits]


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


# --- the fixed numbers are what they claim to be ---


def test_fixtures_are_valid_numbers():
    assert NANJING_ID == "320106198803151238"
    assert ID_AND_LUHN == "320106198803151254"
    assert luhn_valid(ID_AND_LUHN)
    assert [luhn_valid(card) for card in (CARD_16, CARD_18, CARD_19)] == [True, True, True]
    assert luhn_complete("621700123456789") == CARD_16


# --- resident ID numbers ---


def test_realistic_letter_reports_each_number_with_its_mask():
    # Given a reply letter naming an applicant with ID, mobile and bank card
    text = (
        f"申请人王某某（公民身份号码：{NANJING_ID}，联系电话：13912345678）于2026年3月2日"
        f"提交申请，退费请汇入其银行卡 {CARD_19}。"
    )
    # When it is scanned
    hits = scan_text(text)
    # Then the three numbers are reported in order, and nothing from the dates
    assert hits == [
        Hit(RID, *at(text, NANJING_ID), NANJING_ID, "320***********1238"),
        Hit(MOBILE, *at(text, "13912345678"), "13912345678", "139****5678"),
        Hit(CARD, *at(text, CARD_19), CARD_19, "6222***********0128"),
    ]


def test_wrong_check_digit_is_not_reported():
    # Given the GB 11643 example with its last character changed (and not a Luhn number)
    wrong = RESIDENT_ID[:17] + "1"
    assert not luhn_valid(wrong)
    # Then nothing is found
    assert scan_text(f"身份证号{wrong}。") == []


def test_impossible_birth_date_is_not_reported_even_with_right_check_digit():
    first17 = "32010619880231123"  # 31 February
    assert scan_text(f"号码{first17}{resident_id_check_char(first17)}") == []


def test_fifteen_digit_first_generation_number_is_not_reported():
    # The identity validators refuse 15-digit numbers, so the scan does not guess at them.
    assert scan_text("旧身份证号110105491231002。") == []


def test_lower_case_x_and_grouped_id_are_found():
    text = f"甲 {RESIDENT_ID.lower()}；乙 110105 19491231 002X；丙 110105-19491231-002X"
    assert spans(scan_text(text)) == [
        (RID, 2, 20, "11010519491231002x"),
        (RID, *at(text, "110105 19491231 002X"), "110105 19491231 002X"),
        (RID, *at(text, "110105-19491231-002X"), "110105-19491231-002X"),
    ]
    assert {hit.masked for hit in scan_text(text)} == {"110***********002X"}


def test_id_that_also_passes_luhn_is_reported_once_as_resident_id():
    hits = scan_text(f"证件号{ID_AND_LUHN}")
    assert spans(hits) == [(RID, 3, 21, ID_AND_LUHN)]


# --- mobile numbers ---


def test_mobile_prefixes_follow_the_identity_validator():
    text = "甲13012345678，乙19912345678，丙12012345678，丁10012345678。"
    assert [hit.text for hit in scan_text(text)] == ["13012345678", "19912345678"]


@pytest.mark.parametrize(
    "written",
    ["138-0013-8000", "138 0013 8000", "+8613800138000", "+86 138 0013 8000", "+86-13800138000"],
)
def test_mobile_with_separators_or_country_code(written):
    text = f"联系电话：{written}（工作日）"
    assert [(hit.kind, hit.start, hit.end, hit.masked) for hit in scan_text(text)] == [
        (MOBILE, 5, 5 + len(written), "138****8000")
    ]


@pytest.mark.parametrize("written", ["138-0013 8000", "1380-013-8000", "138--0013--8000"])
def test_mixed_or_irregular_separators_are_not_a_mobile(written):
    assert scan_text(f"电话{written}") == []


def test_plain_mobile_next_to_a_separate_number_is_found():
    text = "13800138000 2026年"
    assert spans(scan_text(text)) == [(MOBILE, 0, 11, "13800138000")]


# --- no hits inside longer numbers ---


@pytest.mark.parametrize(
    "text",
    [
        "订单号 913800138000 已支付",  # a mobile preceded by a digit
        "流水号 138001380001",  # followed by a digit
        "138-0013-8000-1",  # a grouped mobile continued by the same separator
        "0-138-0013-8000",
        f"编号 9{RESIDENT_ID}",
        f"编号 {NANJING_ID}7",
        f"卡号 {CARD_19}5",  # 20 digits
        f"卡号 {CARD_16}X",
        f"{CARD_16[:4]} {CARD_16[4:8]} {CARD_16[8:12]} {CARD_16[12:]} 1234",
    ],
)
def test_nothing_is_found_inside_a_longer_number(text):
    assert scan_text(text) == []


# --- bank cards ---


def test_luhn_decides_bank_cards():
    broken = CARD_16[:-1] + str((int(CARD_16[-1]) + 1) % 10)
    text = f"卡一 {CARD_16}，卡二 {broken}，卡三 {CARD_18}"
    assert spans(scan_text(text)) == [
        (CARD, *at(text, CARD_16), CARD_16),
        (CARD, *at(text, CARD_18), CARD_18),
    ]


def test_fifteen_or_twenty_digit_luhn_numbers_are_not_cards():
    fifteen = luhn_complete("62170012345678")
    twenty = luhn_complete("6222021234567890123")
    assert scan_text(f"{fifteen}；{twenty}") == []


@pytest.mark.parametrize(
    "written",
    [
        "6217 0012 3456 7893",
        "6217-0012-3456-7893",
        "6222 0212 3456 7890 128",
    ],
)
def test_grouped_bank_card(written):
    text = f"银行卡号：{written}。"
    (hit,) = scan_text(text)
    assert (hit.kind, hit.start, hit.end, hit.text) == (CARD, 5, 5 + len(written), written)
    assert hit.masked in {"6217********7893", "6222***********0128"}


# --- full-width input ---


def test_full_width_digits_are_read_and_offsets_point_into_the_original():
    wide_id = full_width(RESIDENT_ID)  # １１０１…００２Ｘ
    wide_mobile = full_width("138-0013-8000")
    text = f"身份证号{wide_id}，手机{wide_mobile}　卡号{full_width(CARD_16)}"
    assert scan_text(text) == [
        Hit(RID, 4, 22, wide_id, "110***********002X"),
        Hit(MOBILE, 25, 38, wide_mobile, "138****8000"),
        Hit(CARD, 41, 57, full_width(CARD_16), "6217********7893"),
    ]


def test_ideographic_space_groups_a_mobile():
    assert spans(scan_text("电话１３８　００１３　８０００")) == [
        (MOBILE, 2, 15, "１３８　００１３　８０００")
    ]


# --- listed terms ---


def test_terms_case_insensitive_for_latin_and_longer_term_wins():
    text = "本件为内部资料，涉密，Internal Use Only，ＩＮＴＥＲＮＡＬ。"
    hits = scan_text(text, terms=["内部", "内部资料", "涉密", "internal", " ", ""])
    assert spans(hits) == [
        (TERM, 3, 7, "内部资料"),
        (TERM, 8, 10, "涉密"),
        (TERM, 11, 19, "Internal"),
        (TERM, *at(text, "ＩＮＴＥＲＮＡＬ"), "ＩＮＴＥＲＮＡＬ"),
    ]
    assert [hit.masked for hit in hits] == ["****", "**", "********", "********"]


def test_number_wins_over_an_overlapping_term():
    text = "电话13800138000"
    assert spans(scan_text(text, terms=["8000", "电话"])) == [
        (TERM, 0, 2, "电话"),
        (MOBILE, 2, 13, "13800138000"),
    ]


# --- redaction ---


def test_redact_replaces_each_hit_with_its_mask():
    text = f"王某，身份证{RESIDENT_ID}，电话138-0013-8000，卡{CARD_16}，属内部资料。"
    hits = scan_text(text, terms=["内部资料"])
    assert redact(text, hits) == (
        "王某，身份证110***********002X，电话138****8000，卡6217********7893，属****。"
    )


def test_redact_refuses_hits_of_another_text():
    hits = scan_text("电话13800138000")
    with pytest.raises(ValueError, match="does not belong"):
        redact("电话13900139000", hits)


# --- Word attachments ---


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(f"申请人身份证号{RESIDENT_ID}")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "联系电话"
    table.cell(0, 1).text = "13800138000"
    table.cell(1, 0).text = "备注"
    table.cell(1, 1).text = "涉密"
    document.sections[0].footer.paragraphs[0].text = f"退款卡号 {CARD_16}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_scan_docx_reads_paragraphs_tables_and_footers():
    result = scan_docx(_docx(), terms=["涉密"])
    assert result.text == (
        f"申请人身份证号{RESIDENT_ID}\n联系电话 | 13800138000\n备注 | 涉密\n退款卡号 {CARD_16}"
    )
    assert [(hit.kind, result.text[hit.start : hit.end]) for hit in result.hits] == [
        (RID, RESIDENT_ID),
        (MOBILE, "13800138000"),
        (TERM, "涉密"),
        (CARD, CARD_16),
    ]


def test_scan_docx_refuses_a_file_that_is_not_word():
    with pytest.raises(InvalidInput) as raised:
        scan_docx(b"PK\x03\x04 not really a docx")
    assert raised.value.code == "docx_unreadable"


# --- properties ---

CHINESE = st.text(
    alphabet=st.sampled_from(
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可"
        "，。：；（）、 ABCxyz\n"
    ),
    max_size=30,
)


@st.composite
def resident_ids(draw) -> str:
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    order = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = f"{region}{born:%Y%m%d}{order}"
    return first17 + resident_id_check_char(first17)


@st.composite
def mobiles(draw) -> str:
    return draw(st.sampled_from("3456789")).join(
        ["1", draw(st.text(alphabet="0123456789", min_size=9, max_size=9))]
    )


@st.composite
def cards(draw) -> str:
    size = draw(st.integers(min_value=16, max_value=19))
    body = draw(st.text(alphabet="0123456789", min_size=size - 1, max_size=size - 1))
    return luhn_complete(body)


@settings(max_examples=300, deadline=None)
@given(before=CHINESE, after=CHINESE, number=resident_ids(), wide=st.booleans())
def test_any_valid_resident_id_in_chinese_text_is_found_once_at_its_offsets(
    before, after, number, wide
):
    written = full_width(number) if wide else number
    text = f"{before}{written}{after}"
    assert spans(scan_text(text)) == [(RID, len(before), len(before) + 18, written)]


def _written(draw, number: str) -> str:
    style = draw(st.sampled_from(["plain", "full-width"]))
    return full_width(number) if style == "full-width" else number


@st.composite
def documents(draw) -> tuple[str, list[str]]:
    """Chinese text with numbers, short digit noise and terms, each kept apart by a word."""
    terms = ["涉密", "内部资料", "Secret"]
    pieces = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        pieces.append(draw(st.text(alphabet="的一是在不了有和人这中：，", min_size=1, max_size=6)))
        choice = draw(st.sampled_from(["id", "mobile", "card", "noise", "term"]))
        if choice == "id":
            pieces.append(_written(draw, draw(resident_ids())))
        elif choice == "mobile":
            number = draw(mobiles())
            pieces.append(
                draw(st.sampled_from([number, f"{number[:3]}-{number[3:7]}-{number[7:]}"]))
            )
        elif choice == "card":
            pieces.append(_written(draw, draw(cards())))
        elif choice == "noise":
            # Shorter than any number the scan looks for.
            pieces.append(draw(st.text(alphabet="0123456789 -", min_size=1, max_size=10)))
        else:
            pieces.append(draw(st.sampled_from([*terms, "SECRET", "ｓｅｃｒｅｔ"])))
    pieces.append("。")
    return "".join(pieces), terms


@settings(max_examples=300, deadline=None)
@given(document=documents())
def test_redacted_text_keeps_no_hit_and_rescanning_finds_none_of_the_same_kind(document):
    text, terms = document
    hits = scan_text(text, terms=terms)
    redacted = redact(text, hits)
    # Hits are sorted and do not overlap
    assert all(one.end <= two.start for one, two in itertools.pairwise(hits))
    for hit in hits:
        assert hit.text not in redacted
    assert scan_text(redacted, terms=terms) == []
    # Redacting twice changes nothing
    assert redact(redacted, scan_text(redacted, terms=terms)) == redacted
