"""Property tests (design "Tests and checks"): valid numbers pass, every single change is caught.

Valid numbers are generated from their parts; each is then mutated exhaustively, at every
position to every other allowed character. MOD 11-2 and MOD 31-3 use a prime modulus and weights
that are never 0 modulo it, so a single substitution always changes the check character.
"""

from datetime import date

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core.errors import InvalidInput
from fazhi.core.identity import masking
from fazhi.core.identity.validators import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_FORBIDDEN,
    DIGITS,
    credit_code_check_char,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_sex,
    validate_credit_code,
    validate_mobile,
    validate_phone,
    validate_resident_id,
)

STANDARD_IDS = ["11010519491231002X", "440524188001010014"]
STANDARD_CODES = ["91350100M000100Y43"]
RESIDENT_ID_ALLOWED = [DIGITS] * 17 + [DIGITS + "X"]


@st.composite
def resident_ids(draw) -> str:
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    born = draw(st.dates(min_value=date(1800, 1, 1), max_value=timezone.localdate()))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    first17 = region + born.strftime("%Y%m%d") + sequence
    return first17 + resident_id_check_char(first17)


@st.composite
def credit_codes(draw) -> str:
    first17 = draw(st.text(CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
    return first17 + credit_code_check_char(first17)


def substitutions(number: str, allowed: list[str]):
    """Every number that differs from `number` in exactly one position, by an allowed char."""
    for index, original in enumerate(number):
        for char in allowed[index]:
            if char != original:
                yield index, number[:index] + char + number[index + 1 :]


def rejected(function, value) -> str:
    with pytest.raises(InvalidInput) as caught:
        function(value)
    return caught.value.code


def fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


@pytest.mark.parametrize("number", STANDARD_IDS)
def test_every_single_substitution_of_the_standard_ids_is_refused(number):
    changes = list(substitutions(number, RESIDENT_ID_ALLOWED))
    assert len(changes) == 17 * 9 + 10
    for _index, changed in changes:
        rejected(validate_resident_id, changed)


@pytest.mark.parametrize("number", STANDARD_CODES)
def test_every_single_substitution_of_the_standard_code_is_refused(number):
    changes = list(substitutions(number, [CREDIT_CODE_ALPHABET] * 18))
    assert len(changes) == 18 * 30
    for _index, changed in changes:
        assert rejected(validate_credit_code, changed) == "credit_code_check_char"


@given(resident_ids())
def test_generated_resident_ids_are_accepted_and_keep_their_parts(number):
    assert validate_resident_id(number) == number
    assert validate_resident_id(number.lower()) == number
    assert validate_resident_id(fullwidth(number)) == number
    assert resident_id_birth_date(number).strftime("%Y%m%d") == number[6:14]
    assert resident_id_sex(number) == ("male" if int(number[16]) % 2 else "female")


@given(resident_ids())
def test_every_single_substitution_of_a_resident_id_is_refused(number):
    for index, changed in substitutions(number, RESIDENT_ID_ALLOWED):
        code = rejected(validate_resident_id, changed)
        if not 6 <= index < 14:
            # Outside the birth date only the check digit can notice the change.
            assert code == "resident_id_check_digit"


@given(resident_ids(), st.integers(0, 15))
def test_adjacent_transpositions_in_a_resident_id_are_refused(number, index):
    swapped = number[:index] + number[index + 1] + number[index] + number[index + 2 :]
    if swapped != number:
        rejected(validate_resident_id, swapped)


@given(resident_ids(), st.integers(0, 17), st.characters(codec="utf-8"))
def test_any_other_character_anywhere_is_refused(number, index, char):
    changed = number[:index] + char + number[index + 1 :]
    if validate_or_none(changed) is not None:
        # Only the same number written differently may pass (x for X, full-width forms).
        assert validate_resident_id(changed) == number
    else:
        rejected(validate_resident_id, changed)


def validate_or_none(value):
    try:
        return validate_resident_id(value)
    except InvalidInput:
        return None


@given(credit_codes())
def test_generated_credit_codes_are_accepted(code):
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code
    assert validate_credit_code(fullwidth(code)) == code


@given(credit_codes())
def test_every_single_substitution_of_a_credit_code_is_refused(code):
    for _index, changed in substitutions(code, [CREDIT_CODE_ALPHABET] * 18):
        assert rejected(validate_credit_code, changed) == "credit_code_check_char"


@given(credit_codes(), st.integers(0, 17), st.sampled_from(CREDIT_CODE_FORBIDDEN))
def test_forbidden_letters_are_named(code, index, letter):
    changed = code[:index] + letter + code[index + 1 :]
    assert rejected(validate_credit_code, changed) == "credit_code_forbidden_letter"


@given(credit_codes(), st.integers(0, 15))
def test_adjacent_transpositions_in_a_credit_code_are_refused(code, index):
    swapped = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
    if swapped != code:
        rejected(validate_credit_code, swapped)


@given(st.one_of(st.text(), st.none(), st.integers(), st.binary()))
def test_validators_never_fail_other_than_with_invalid_input(value):
    for function in (validate_resident_id, validate_credit_code, validate_mobile, validate_phone):
        try:
            result = function(value)
        except InvalidInput as exc:
            assert exc.code and str(exc.message)
        else:
            assert result.isascii() and result == result.strip()


@given(st.text(DIGITS, min_size=9, max_size=9), st.sampled_from("3456789"))
def test_mobiles_are_masked_to_three_and_four(rest, second):
    number = "1" + second + rest
    assert validate_mobile(number) == number
    assert masking.mask_phone(number) == number[:3] + "****" + number[7:]


@given(resident_ids())
def test_masks_show_three_and_four(number):
    assert masking.mask_resident_id(number) == number[:3] + "*" * 11 + number[14:]


@given(st.text())
def test_a_mask_never_shows_the_value_it_hides(value):
    for mask in (
        masking.mask_resident_id,
        masking.mask_credit_code,
        masking.mask_phone,
        masking.mask_other_id,
    ):
        masked = mask(value)
        hidden = masked.count("*")
        shown = len(masked) - hidden
        # The standard masks show at most 8 characters (credit code: 4 + 4), never all of them;
        # a short, unexpected value keeps at least half hidden.
        assert shown <= 8
        assert hidden >= 1 or masked == ""
        if len(masked) < 10:
            assert hidden >= shown
