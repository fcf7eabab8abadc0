import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from fazhi.accounts.models import User
from fazhi.accounts.passwords import character_classes

GOOD = "Huanghe-2026-liu"


def codes(password, username="wangfazhi"):
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_a_good_password_passes():
    assert codes(GOOD) == set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-short", "password_too_short"),
        ("x" * 100 + "A1-" + "y" * 30, "password_too_long"),
        ("alllowercaseletters", "password_too_simple"),
        ("ALLUPPER1234567", "password_too_simple"),
        ("woaini1314", "password_too_common"),
        ("Wangfazhi-2026", "password_contains_username"),
    ],
)
def test_policy_refusals(password, code):
    assert code in codes(password)


def test_up_to_128_characters_accepted():
    assert codes(("Aa1-" * 32)[:128]) == set()


@given(st.text(min_size=1, max_size=40))
def test_class_count_is_between_zero_and_four(text):
    assert 0 <= character_classes(text) <= 4
