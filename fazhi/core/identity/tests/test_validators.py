"""Resident ID numbers, credit codes and phone numbers: what is accepted, what is refused, why."""

from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.core.errors import InvalidInput
from fazhi.core.identity.validators import (
    CreditCodeValidator,
    MobileValidator,
    PhoneValidator,
    ResidentIdValidator,
    Sex,
    credit_code_check_char,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_sex,
    validate_credit_code,
    validate_mobile,
    validate_other_id,
    validate_phone,
    validate_resident_id,
)

# domain-rules.md §5: the standards' examples.
ID_1949 = "11010519491231002X"
ID_1880 = "440524188001010014"
CREDIT = "91350100M000100Y43"


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def refusal(function, value) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        function(value)
    return caught.value.code, str(caught.value.message)


def test_the_standards_examples_are_accepted_as_they_are():
    assert validate_resident_id(ID_1949) == ID_1949
    assert validate_resident_id(ID_1880) == ID_1880
    assert validate_credit_code(CREDIT) == CREDIT


def test_check_characters_follow_the_published_algorithms():
    assert resident_id_check_char(ID_1949[:17]) == "X"
    assert resident_id_check_char(ID_1880[:17]) == "4"
    assert credit_code_check_char(CREDIT[:17]) == "3"


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("11010519491231002x", ID_1949),  # lower-case x
        ("  11010519491231002X\n", ID_1949),  # surrounding whitespace
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            ID_1949,
        ),  # full-width digits and X (input methods)
        ("１１０１０５１９４９１２３１００２ｘ", ID_1949),  # full-width lower-case x
        ("\u300011010519491231002X\u3000", ID_1949),  # ideographic spaces around
    ],
)
def test_resident_id_normalisation(given, normalised):
    assert validate_resident_id(given) == normalised


@pytest.mark.parametrize(
    ("given", "code", "message"),
    [
        (None, "resident_id_required", "请填写公民身份号码。"),
        ("", "resident_id_required", "请填写公民身份号码。"),
        ("   ", "resident_id_required", "请填写公民身份号码。"),
        (11010519491231002, "resident_id_type", "公民身份号码应以文本形式提交。"),
        (
            "110105 19491231 002X",
            "resident_id_whitespace",
            "公民身份号码中不能有空格，请删除空格后再提交。",
        ),
        (
            "110105194912310",
            "resident_id_length",
            "15 位的第一代身份证号码已停止使用，请填写 18 位公民身份号码。",
        ),
        ("11010519491231002", "resident_id_length", "公民身份号码应为 18 位，您填写了 17 位。"),
        ("11010519491231002XX", "resident_id_length", "公民身份号码应为 18 位，您填写了 19 位。"),
        (
            "1101051949123100XX",
            "resident_id_chars",
            "公民身份号码第 17 位“X”不正确：前 17 位只能是数字，最后一位是数字或 X。",
        ),
        (
            "A1010519491231002X",
            "resident_id_chars",
            "公民身份号码第 1 位“A”不正确：前 17 位只能是数字，最后一位是数字或 X。",
        ),
        (
            "11010519491231002Y",
            "resident_id_chars",
            "公民身份号码第 18 位“Y”不正确：前 17 位只能是数字，最后一位是数字或 X。",
        ),
        (
            "110105194912310\u0662\u0662X",  # Arabic-Indic digits pass str.isdigit()
            "resident_id_chars",
            "公民身份号码第 16 位“\u0662”不正确：前 17 位只能是数字，最后一位是数字或 X。",
        ),
        (
            "110105194912310\u200b2X",  # a zero-width space pasted from a web page
            "resident_id_chars",
            "公民身份号码第 16 位“U+200B”不正确：前 17 位只能是数字，最后一位是数字或 X。",
        ),
        (
            "110***********002X",  # a masked number typed back
            "resident_id_chars",
            "公民身份号码第 4 位“*”不正确：前 17 位只能是数字，最后一位是数字或 X。",
        ),
        (
            "11010519491231003X",
            "resident_id_check_digit",
            "公民身份号码的校验码（最后一位）不符，请逐位核对号码。",
        ),
    ],
)
def test_resident_id_refusals(given, code, message):
    assert refusal(validate_resident_id, given) == (code, message)


@pytest.mark.parametrize(
    ("birth", "code", "message"),
    [
        (
            "19990230",
            "resident_id_birth_date_invalid",
            "公民身份号码中的出生日期 19990230 不存在，请核对第 7 至 14 位。",
        ),
        (
            "19991301",
            "resident_id_birth_date_invalid",
            "公民身份号码中的出生日期 19991301 不存在，请核对第 7 至 14 位。",
        ),
        (
            "20230229",
            "resident_id_birth_date_invalid",
            "公民身份号码中的出生日期 20230229 不存在，请核对第 7 至 14 位。",
        ),
        (
            "00000000",
            "resident_id_birth_date_invalid",
            "公民身份号码中的出生日期 00000000 不存在，请核对第 7 至 14 位。",
        ),
        (
            "17991231",
            "resident_id_birth_date_too_early",
            "公民身份号码中的出生日期 17991231 早于 1800 年，请核对第 7 至 14 位。",
        ),
        (
            "20991231",
            "resident_id_birth_date_future",
            "公民身份号码中的出生日期 20991231 晚于今天，请核对第 7 至 14 位。",
        ),
    ],
)
def test_impossible_birth_dates_are_refused_even_with_a_correct_check_digit(birth, code, message):
    number = resident_id("110105" + birth + "002")
    assert refusal(validate_resident_id, number) == (code, message)


def test_born_today_is_accepted_and_tomorrow_is_not():
    today = timezone.localdate()
    born_today = resident_id("310101" + today.strftime("%Y%m%d") + "123")
    tomorrow = resident_id("310101" + (today + timedelta(days=1)).strftime("%Y%m%d") + "123")
    assert validate_resident_id(born_today) == born_today
    assert refusal(validate_resident_id, tomorrow)[0] == "resident_id_birth_date_future"


def test_leap_day_of_a_leap_year_is_a_birth_date():
    number = resident_id("310101" + "20000229" + "123")
    assert resident_id_birth_date(number) == date(2000, 2, 29)


def test_the_earliest_birth_year_is_a_setting(settings):
    settings.FAZHI_IDENTITY_EARLIEST_BIRTH_YEAR = 1900
    code, message = refusal(validate_resident_id, ID_1880)
    assert code == "resident_id_birth_date_too_early"
    assert message == "公民身份号码中的出生日期 18800101 早于 1900 年，请核对第 7 至 14 位。"
    assert validate_resident_id(ID_1949) == ID_1949


def test_birth_date_and_sex_come_from_the_number():
    assert resident_id_birth_date(ID_1949) == date(1949, 12, 31)
    assert resident_id_birth_date(ID_1880) == date(1880, 1, 1)
    assert resident_id_sex(ID_1949) == Sex.FEMALE  # sequence 002: even
    assert resident_id_sex(ID_1880) == Sex.MALE  # sequence 001: odd
    assert resident_id_sex("11010519491231002x") == Sex.FEMALE


def test_birth_date_of_an_invalid_number_is_refused():
    assert refusal(resident_id_birth_date, "11010519491231003X")[0] == "resident_id_check_digit"


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("91350100m000100y43", CREDIT),
        (" 91350100M000100Y43 ", CREDIT),
        ("９１３５０１００Ｍ０００１００Ｙ４３", CREDIT),
    ],
)
def test_credit_code_normalisation(given, normalised):
    assert validate_credit_code(given) == normalised


@pytest.mark.parametrize(
    ("given", "code", "message"),
    [
        ("", "credit_code_required", "请填写统一社会信用代码。"),
        (
            "9135 0100M000100Y43",
            "credit_code_whitespace",
            "统一社会信用代码中不能有空格，请删除空格后再提交。",
        ),
        ("91350100M000100Y4", "credit_code_length", "统一社会信用代码应为 18 位，您填写了 17 位。"),
        (
            "91350100M0001000Y43",
            "credit_code_length",
            "统一社会信用代码应为 18 位，您填写了 19 位。",
        ),
        (
            "91350100I000100Y43",
            "credit_code_forbidden_letter",
            "统一社会信用代码不使用字母 I、O、Z、S、V，第 9 位是“I”，请核对是否应为数字。",
        ),
        (
            "91350100o000100Y43",
            "credit_code_forbidden_letter",
            "统一社会信用代码不使用字母 I、O、Z、S、V，第 9 位是“O”，请核对是否应为数字。",
        ),
        (
            "Z1350100M000100Y43",
            "credit_code_forbidden_letter",
            "统一社会信用代码不使用字母 I、O、Z、S、V，第 1 位是“Z”，请核对是否应为数字。",
        ),
        (
            "91350100M000100S43",
            "credit_code_forbidden_letter",
            "统一社会信用代码不使用字母 I、O、Z、S、V，第 16 位是“S”，请核对是否应为数字。",
        ),
        (
            "91350100M000100Y4V",
            "credit_code_forbidden_letter",
            "统一社会信用代码不使用字母 I、O、Z、S、V，第 18 位是“V”，请核对是否应为数字。",
        ),
        (
            "91350100M000100Y4-",
            "credit_code_chars",
            "统一社会信用代码第 18 位“-”不正确：只能是数字或大写字母。",
        ),
        (
            "91350100M000100Y42",
            "credit_code_check_char",
            "统一社会信用代码的校验码（最后一位）不符，请逐位核对代码。",
        ),
    ],
)
def test_credit_code_refusals(given, code, message):
    assert refusal(validate_credit_code, given) == (code, message)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("+8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_mobile_accepted(given, normalised):
    assert validate_mobile(given) == normalised


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("", "mobile_required"),
        ("138 1234 5678", "mobile_whitespace"),
        ("12812345678", "mobile_format"),  # 12 is no mobile prefix
        ("1381234567", "mobile_format"),
        ("138123456789", "mobile_format"),
        ("021-12345678", "mobile_format"),
        ("+8513812345678", "mobile_format"),
        (13812345678, "mobile_type"),
    ],
)
def test_mobile_refused(given, code):
    assert refusal(validate_mobile, given)[0] == code


def test_mobile_message():
    assert refusal(validate_mobile, "12812345678") == (
        "mobile_format",
        "手机号码应为 11 位数字，以 13 至 19 开头，如 13812345678。",
    )


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("021-12345678", "02112345678"),
        ("02112345678", "02112345678"),
        ("0571-8765432", "05718765432"),
        ("０２１－１２３４５６７８", "02112345678"),
    ],
)
def test_phone_accepts_mobiles_and_landlines_with_area_code(given, normalised):
    assert validate_phone(given) == normalised


@pytest.mark.parametrize("given", ["12345678", "021-0123456", "21-12345678", "021--12345678"])
def test_phone_refused(given):
    assert refusal(validate_phone, given) == (
        "phone_format",
        "联系电话应为 11 位手机号码，或带区号的固定电话，如 021-12345678。",
    )


def test_other_documents():
    assert validate_other_id("e12345678") == "E12345678"
    assert validate_other_id("A123456(7)") == "A123456(7)"
    assert refusal(validate_other_id, "E12")[0] == "other_id_format"
    assert refusal(validate_other_id, "E1234567#")[0] == "other_id_format"


@pytest.mark.parametrize(
    ("validator", "good", "bad", "code"),
    [
        (ResidentIdValidator(), ID_1949, "11010519491231003X", "resident_id_check_digit"),
        (CreditCodeValidator(), CREDIT, "91350100M000100Y42", "credit_code_check_char"),
        (MobileValidator(), "13812345678", "12812345678", "mobile_format"),
        (PhoneValidator(), "021-12345678", "12345678", "phone_format"),
    ],
)
def test_django_validators_raise_validation_error_with_the_same_code(validator, good, bad, code):
    validator(good)
    with pytest.raises(ValidationError) as caught:
        validator(bad)
    assert caught.value.code == code
    assert caught.value.messages == [refusal(validator.function, bad)[1]]


def test_django_validators_work_on_a_plain_form_field_and_deconstruct():
    class Form(forms.Form):
        number = forms.CharField(validators=[ResidentIdValidator()])

    form = Form(data={"number": "11010519990230002X"})
    assert not form.is_valid()
    assert form.errors.as_data()["number"][0].code == "resident_id_birth_date_invalid"
    path, args, kwargs = ResidentIdValidator().deconstruct()
    assert (path, args, kwargs) == (
        "fazhi.core.identity.validators.ResidentIdValidator",
        (),
        {},
    )
    assert ResidentIdValidator() == ResidentIdValidator()
    assert ResidentIdValidator() != CreditCodeValidator()
