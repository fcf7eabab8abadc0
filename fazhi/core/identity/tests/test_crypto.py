"""Encryption, key rotation and the keyed lookup hash."""

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from fazhi.core.identity import crypto
from fazhi.core.identity.checks import check_identity_keys
from fazhi.core.identity.kinds import Kind
from fazhi.core.identity.protected import Protected, protect, reveal

from .conftest import OTHER_KEY, TEST_KEY

ID = "11010519491231002X"


def test_encryption_round_trips_and_never_repeats():
    first = crypto.encrypt(Kind.RESIDENT_ID, ID)
    second = crypto.encrypt(Kind.RESIDENT_ID, ID)
    assert first.startswith("v1:")
    assert first != second  # a fresh nonce each time
    assert ID not in first
    assert crypto.decrypt(Kind.RESIDENT_ID, first) == ID
    assert crypto.decrypt(Kind.RESIDENT_ID, second) == ID


def test_stored_form_is_version_key_id_nonce_and_sealed_text():
    raw = base64.b64decode(crypto.encrypt(Kind.RESIDENT_ID, ID)[3:])
    assert len(raw) == 4 + 12 + len(ID) + 16


def test_an_altered_ciphertext_does_not_decrypt():
    token = crypto.encrypt(Kind.RESIDENT_ID, ID)
    raw = bytearray(base64.b64decode(token[3:]))
    raw[-1] ^= 1
    altered = "v1:" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(crypto.IdentityUnreadable) as caught:
        crypto.decrypt(Kind.RESIDENT_ID, altered)
    assert caught.value.code == "identity_unreadable"
    for garbage in [
        "",
        "v1:",
        "v1:!!!",
        "v2:" + token[3:],
        "v1:" + base64.b64encode(b"x").decode(),
    ]:
        with pytest.raises(crypto.IdentityUnreadable):
            crypto.decrypt(Kind.RESIDENT_ID, garbage)


def test_a_ciphertext_is_bound_to_its_kind():
    token = crypto.encrypt(Kind.MOBILE, "13812345678")
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.decrypt(Kind.RESIDENT_ID, token)


def test_old_keys_still_decrypt_and_new_values_use_the_current_key(settings):
    token = crypto.encrypt(Kind.RESIDENT_ID, ID)
    settings.FAZHI_IDENTITY_KEY = OTHER_KEY
    settings.FAZHI_IDENTITY_OLD_KEYS = [TEST_KEY]
    assert crypto.decrypt(Kind.RESIDENT_ID, token) == ID
    assert crypto.needs_reencryption(token)
    fresh = crypto.encrypt(Kind.RESIDENT_ID, ID)
    assert not crypto.needs_reencryption(fresh)
    settings.FAZHI_IDENTITY_OLD_KEYS = []
    with pytest.raises(crypto.IdentityUnreadable):
        crypto.decrypt(Kind.RESIDENT_ID, token)
    assert crypto.decrypt(Kind.RESIDENT_ID, fresh) == ID


def test_old_keys_may_be_a_comma_separated_string(settings):
    token = crypto.encrypt(Kind.RESIDENT_ID, ID)
    settings.FAZHI_IDENTITY_KEY = OTHER_KEY
    settings.FAZHI_IDENTITY_OLD_KEYS = f" {OTHER_KEY}, {TEST_KEY} ,"
    assert crypto.decrypt(Kind.RESIDENT_ID, token) == ID


def test_lookup_hash_is_keyed_normalised_and_distinct_from_a_plain_hash(settings):
    import hashlib

    digest = crypto.lookup_hash(Kind.RESIDENT_ID, ID)
    assert len(digest) == 64
    assert crypto.lookup_hash(Kind.RESIDENT_ID, "11010519491231002x") == digest
    assert crypto.lookup_hash(Kind.RESIDENT_ID, " １１０１０５１９４９１２３１００２Ｘ") == digest
    assert digest != hashlib.sha256(ID.encode()).hexdigest()
    assert crypto.lookup_hash(Kind.CREDIT_CODE, ID) != digest  # each kind its own domain
    settings.FAZHI_IDENTITY_KEY = OTHER_KEY
    assert crypto.lookup_hash(Kind.RESIDENT_ID, ID) != digest


def test_mobile_and_phone_share_a_hash_domain():
    assert crypto.lookup_hash(Kind.MOBILE, "13812345678") == crypto.lookup_hash(
        Kind.PHONE, "+8613812345678"
    )
    assert crypto.lookup_hash(Kind.PHONE, "021-12345678") == crypto.lookup_hash(
        Kind.PHONE, "02112345678"
    )


def test_lookup_hashes_cover_every_configured_key(settings):
    old = crypto.lookup_hash(Kind.RESIDENT_ID, ID)
    settings.FAZHI_IDENTITY_KEY = OTHER_KEY
    settings.FAZHI_IDENTITY_OLD_KEYS = [TEST_KEY]
    current = crypto.lookup_hash(Kind.RESIDENT_ID, ID)
    assert crypto.lookup_hashes(Kind.RESIDENT_ID, ID) == [current, old]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "FAZHI_IDENTITY_KEY is not set"),
        ("", "FAZHI_IDENTITY_KEY is not set"),
        ("not base64 at all!", "FAZHI_IDENTITY_KEY is not valid base64"),
        (base64.b64encode(b"16 bytes only!!!").decode(), "must decode to 32 bytes"),
    ],
)
def test_missing_or_malformed_keys_are_configuration_errors(settings, value, message):
    settings.FAZHI_IDENTITY_KEY = value
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.encrypt(Kind.RESIDENT_ID, ID)
    errors = check_identity_keys()
    assert [error.id for error in errors] == ["identity.E001"]
    assert message in errors[0].msg


def test_a_malformed_old_key_is_named(settings):
    settings.FAZHI_IDENTITY_OLD_KEYS = [OTHER_KEY, "short"]
    with pytest.raises(ImproperlyConfigured, match=r"FAZHI_IDENTITY_OLD_KEYS\[1\]"):
        crypto.keyring()


def test_urlsafe_base64_keys_are_accepted(settings):
    raw = bytes(range(250, 256)) + bytes(range(26))
    settings.FAZHI_IDENTITY_KEY = base64.urlsafe_b64encode(raw).decode()
    assert crypto.decrypt(Kind.PHONE, crypto.encrypt(Kind.PHONE, "13812345678")) == "13812345678"


def test_the_deploy_check_passes_with_a_good_key():
    assert check_identity_keys() == []


def test_the_deploy_check_is_registered():
    from django.core import checks

    assert check_identity_keys in checks.registry.registry.get_checks(
        include_deployment_checks=True
    )
    assert check_identity_keys not in checks.registry.registry.get_checks()


def test_protect_and_reveal_for_values_kept_outside_a_model_field():
    value = protect(Kind.CREDIT_CODE, "91350100m000100y43")
    assert value == protect(Kind.CREDIT_CODE, "91350100M000100Y43")
    assert str(value) == "9135**********0Y43"
    assert value.lookup_hash == crypto.lookup_hash(Kind.CREDIT_CODE, "91350100M000100Y43")
    assert reveal(Kind.CREDIT_CODE, value.ciphertext) == "91350100M000100Y43"


def test_a_protected_value_reads_as_its_mask_everywhere():
    import json
    import pickle

    from django.template import Context, Template

    value = protect(Kind.RESIDENT_ID, ID)
    assert str(value) == f"{value}" == "110***********002X"
    assert "号码 %s" % value == "号码 110***********002X"  # noqa: UP031 - old-style logs
    assert repr(value) == "<Protected resident_id 110***********002X>"
    assert json.dumps([value]) == '["110***********002X"]'
    assert Template("{{ v }}").render(Context({"v": value})) == "110***********002X"
    assert ID not in pickle.dumps(value).decode("latin-1")
    assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own bytes
    assert value.decrypt() == ID


def test_equality_is_by_number_not_by_mask():
    one = protect(Kind.RESIDENT_ID, ID)
    same_mask = protect(Kind.RESIDENT_ID, _another_number_with_the_mask_of(ID))
    assert str(one) == str(same_mask)
    assert one != same_mask
    assert one == protect(Kind.RESIDENT_ID, ID.lower())
    assert hash(one) == hash(protect(Kind.RESIDENT_ID, ID))
    assert one != str(one)
    assert one.matches(" 11010519491231002x")
    assert not one.matches("11010519491231003X")


def _another_number_with_the_mask_of(number: str) -> str:
    from fazhi.core.identity.validators import resident_id_check_char

    for region in range(1000):
        first17 = number[:3] + f"{region:03d}" + number[6:17]
        candidate = first17 + resident_id_check_char(first17)
        if candidate != number and candidate[-1] == number[-1]:
            return candidate
    raise AssertionError("no such number")


def test_masked_values_and_empty_values_are_not_stored_even_when_lenient():
    with pytest.raises(Exception) as caught:
        protect(Kind.RESIDENT_ID, "110***********002X", strict=False)
    assert caught.value.code == "identity_masked_value"
    with pytest.raises(Exception) as caught:
        protect(Kind.RESIDENT_ID, "  ", strict=False)
    assert caught.value.code == "identity_required"


def test_an_unreadable_value_still_loads_with_a_marker(caplog):
    token = crypto.encrypt(Kind.RESIDENT_ID, ID)
    broken = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    value = Protected.from_ciphertext(Kind.RESIDENT_ID, broken)
    assert str(value) == "[无法解密]"
    assert not value.readable
    with pytest.raises(crypto.IdentityUnreadable):
        value.decrypt()
    assert "does not decrypt" in caplog.text


def test_a_malformed_key_stops_the_start(settings):
    from django.apps import apps

    config = apps.get_app_config("identity")
    settings.FAZHI_IDENTITY_KEY = "too-short"
    with pytest.raises(ImproperlyConfigured, match="FAZHI_IDENTITY_KEY"):
        config.ready()
    # No key at all is left to the deploy check, so a fresh checkout can still migrate.
    settings.FAZHI_IDENTITY_KEY = None
    config.ready()
