"""The encrypted model field and its lookup hash, through a real table."""

import json

import pytest
from django import forms
from django.core import serializers
from django.core.exceptions import FieldError
from django.db import connection, models

from fazhi.core.errors import InvalidInput
from fazhi.core.identity import crypto
from fazhi.core.identity.fields import (
    EncryptedIdentifierField,
    LookupHashField,
    refresh_lookup_hashes,
)
from fazhi.core.identity.forms import ProtectedTextInput, ResidentIdField
from fazhi.core.identity.kinds import Kind
from fazhi.core.identity.protected import Protected
from fazhi.core.identity.selectors import filter_by_identifier

from .conftest import OTHER_KEY, TEST_KEY
from .holder import Holder, test_apps

ID = "11010519491231002X"
OTHER_ID = "440524188001010014"


@pytest.fixture
def holders(holder_table, db):
    return Holder.objects


def stored_row(pk) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_hash, phone, phone_hash "
            "FROM identity_tests_holder WHERE id = %s",
            [pk],
        )
        return dict(
            zip(
                ["id_number", "id_number_hash", "phone", "phone_hash"],
                cursor.fetchone(),
                strict=True,
            )
        )


def test_assigned_numbers_are_normalised_encrypted_and_hashed(holders):
    holder = holders.create(name="张三", id_number="11010519491231002x", phone="021-12345678")
    row = stored_row(holder.pk)
    assert row["id_number"].startswith("v1:")
    assert ID not in json.dumps(row)
    assert "12345678" not in row["phone"]
    assert row["id_number_hash"] == crypto.lookup_hash(Kind.RESIDENT_ID, ID)
    assert row["phone_hash"] == crypto.lookup_hash(Kind.PHONE, "02112345678")
    assert crypto.decrypt(Kind.RESIDENT_ID, row["id_number"]) == ID


def test_loaded_values_read_as_masks_and_decrypt_on_request(holders):
    holders.create(name="张三", id_number=ID, phone="13812345678")
    holder = holders.get()
    assert isinstance(holder.id_number, Protected)
    assert str(holder.id_number) == "110***********002X"
    assert str(holder.phone) == "138****5678"
    assert holder.id_number.decrypt() == ID
    assert [str(phone) for phone in holders.values_list("phone", flat=True)] == ["138****5678"]


def test_a_bad_number_is_refused_on_assignment_and_nothing_is_saved(holders):
    with pytest.raises(InvalidInput) as caught:
        holders.create(name="张三", id_number="11010519491231003X")
    assert caught.value.code == "resident_id_check_digit"
    holder = holders.create(name="李四")
    with pytest.raises(InvalidInput):
        holder.phone = "12345"
    assert holders.count() == 1
    assert stored_row(holder.pk)["phone"] == ""


def test_empty_values(holders):
    holder = holders.create(name="王五", id_number="  ", phone="")
    row = stored_row(holder.pk)
    assert row == {"id_number": None, "id_number_hash": "", "phone": "", "phone_hash": ""}
    holder = holders.get()
    assert holder.id_number is None
    assert holder.phone == ""
    assert holders.filter(id_number__isnull=True).count() == 1
    assert holders.filter(phone="").count() == 1


def test_hash_follows_a_changed_number_and_a_cleared_one(holders):
    holder = holders.create(name="张三", id_number=ID)
    holder = holders.get()
    holder.id_number = OTHER_ID
    holder.save()
    assert stored_row(holder.pk)["id_number_hash"] == crypto.lookup_hash(Kind.RESIDENT_ID, OTHER_ID)
    holder.id_number = None
    holder.save(update_fields=["id_number", "id_number_hash"])
    assert stored_row(holder.pk)["id_number"] is None
    assert stored_row(holder.pk)["id_number_hash"] == ""


def test_saving_other_fields_keeps_the_number_and_its_hash(holders):
    holders.create(name="张三", id_number=ID)
    holder = holders.only("name").get()
    holder.name = "张三丰"
    holder.save()
    holder = holders.get()
    assert holder.id_number.decrypt() == ID
    assert stored_row(holder.pk)["id_number_hash"] == crypto.lookup_hash(Kind.RESIDENT_ID, ID)


def test_copying_a_number_between_rows_copies_its_hash(holders):
    first = holders.create(name="张三", id_number=ID)
    second = holders.create(name="李四")
    second.id_number = holders.get(pk=first.pk).id_number
    second.save()
    assert stored_row(second.pk)["id_number_hash"] == stored_row(first.pk)["id_number_hash"]


def test_a_mobile_moved_into_a_phone_column_is_re_encrypted_for_its_kind(holders):
    from fazhi.core.identity.protected import protect

    holder = holders.create(name="张三", phone=protect(Kind.MOBILE, "13812345678"))
    holder = holders.get()
    assert holder.phone.kind == "phone"
    assert holder.phone.decrypt() == "13812345678"


def test_find_by_number(holders):
    wanted = holders.create(name="张三", id_number=ID, phone="13812345678")
    holders.create(name="李四", id_number=OTHER_ID, phone="02112345678")
    assert list(filter_by_identifier(holders.all(), "id_number", "11010519491231002x")) == [wanted]
    assert list(filter_by_identifier(holders.all(), "phone", "+8613812345678")) == [wanted]
    assert list(filter_by_identifier(holders.all(), "id_number", "11010519491231003X")) == []
    assert list(filter_by_identifier(holders.all(), "id_number", "")) == []


def test_find_by_number_during_a_key_rotation(holders, settings):
    old_row = holders.create(name="张三", id_number=ID)
    settings.FAZHI_IDENTITY_KEY = OTHER_KEY
    settings.FAZHI_IDENTITY_OLD_KEYS = [TEST_KEY]
    new_row = holders.create(name="张三（新）", id_number=ID)
    found = filter_by_identifier(holders.order_by("pk"), "id_number", ID)
    assert list(found) == [old_row, new_row]
    # Saving the old row again moves its hash to the current key.
    reloaded = holders.get(pk=old_row.pk)
    assert reloaded.id_number.decrypt() == ID
    reloaded.save()
    assert stored_row(old_row.pk)["id_number_hash"] == stored_row(new_row.pk)["id_number_hash"]


def test_finding_on_a_field_without_hash_is_a_programming_error(holders):
    with pytest.raises(TypeError):
        filter_by_identifier(holders.all(), "name", "x")


def test_plain_values_cannot_be_compared_or_written_in_sql(holders):
    holders.create(name="张三", id_number=ID)
    with pytest.raises(TypeError, match="filter_by_identifier"):
        list(holders.filter(id_number=ID))
    with pytest.raises(FieldError):
        list(holders.filter(id_number__startswith="110"))
    with pytest.raises(TypeError):
        holders.update(id_number=ID)


def test_bulk_update_with_refreshed_hashes(holders):
    holder = holders.create(name="张三")
    holder.id_number = ID
    refresh_lookup_hashes(holder)
    holders.bulk_update([holder], ["id_number", "id_number_hash"])
    assert list(filter_by_identifier(holders.all(), "id_number", ID)) == [holder]


def test_serialisation_carries_ciphertext_only_and_loads_back(holders):
    holders.create(name="张三", id_number=ID, phone="13812345678")
    dumped = serializers.serialize("json", holders.all())
    assert ID not in dumped
    assert "13812345678" not in dumped
    holders.all().delete()
    # What loaddata does (the test model is not in the project's registry, so by hand):
    # each value through the field's to_python, then assigned and saved.
    (record,) = json.loads(dumped)
    values = {
        name: Holder._meta.get_field(name).to_python(value)
        for name, value in record["fields"].items()
    }
    Holder(pk=record["pk"], **values).save()
    holder = holders.get()
    assert holder.id_number.decrypt() == ID
    assert list(filter_by_identifier(holders.all(), "phone", "13812345678")) == [holder]


def test_full_clean_accepts_a_stored_value(holders):
    holder = holders.create(name="张三", id_number=ID)
    holder = holders.get()
    holder.full_clean()
    assert holder.id_number.decrypt() == ID


class HolderForm(forms.ModelForm):
    class Meta:
        model = Holder
        fields = ["name", "id_number", "phone"]


def test_model_form_validates_normalises_and_never_renders_the_number(holders):
    form = HolderForm(data={"name": "张三", "id_number": "11010519490230002X", "phone": ""})
    assert not form.is_valid()
    assert form.errors.as_data()["id_number"][0].code == "resident_id_birth_date_invalid"
    assert form.errors["id_number"] == [
        "公民身份号码中的出生日期 19490230 不存在，请核对第 7 至 14 位。"
    ]
    form = HolderForm(data={"name": "张三", "id_number": "１１０１０５１９４９１２３１００２ｘ"})
    assert form.is_valid(), form.errors
    holder = form.save()
    assert holder.id_number.decrypt() == ID
    assert isinstance(form.fields["id_number"], ResidentIdField)
    assert isinstance(form.fields["id_number"].widget, ProtectedTextInput)

    edit = HolderForm(instance=holders.get())
    html = str(edit["id_number"])
    assert ID not in html
    assert 'placeholder="110***********002X"' in html
    assert "value=" not in html


def test_an_edit_form_left_blank_keeps_the_number_and_a_new_one_replaces_it(holders):
    holder = holders.create(name="张三", id_number=ID)
    form = HolderForm(data={"name": "张三丰", "id_number": ""}, instance=holders.get())
    assert form.is_valid(), form.errors
    assert form.changed_data == ["name"]
    form.save()
    assert holders.get().id_number.decrypt() == ID
    form = HolderForm(data={"name": "张三丰", "id_number": OTHER_ID}, instance=holders.get())
    assert form.is_valid(), form.errors
    assert form.changed_data == ["id_number"]
    form.save()
    assert holders.get(pk=holder.pk).id_number.decrypt() == OTHER_ID


def test_admin_widgets_are_replaced_by_the_protected_input(holders):
    from django.contrib.admin.widgets import AdminTextareaWidget

    field = Holder._meta.get_field("id_number").formfield(widget=AdminTextareaWidget)
    assert isinstance(field.widget, ProtectedTextInput)


def test_fields_deconstruct_for_migrations():
    field = Holder._meta.get_field("id_number")
    _name, path, args, kwargs = field.deconstruct()
    assert path == "fazhi.core.identity.fields.EncryptedIdentifierField"
    assert kwargs == {
        "kind": "resident_id",
        "null": True,
        "blank": True,
        "verbose_name": "身份证号码",
    }
    assert EncryptedIdentifierField(*args, **kwargs).kind == "resident_id"
    _name, path, args, kwargs = Holder._meta.get_field("id_number_hash").deconstruct()
    assert path == "fazhi.core.identity.fields.LookupHashField"
    assert kwargs == {"source": "id_number"}
    rebuilt = LookupHashField(*args, **kwargs)
    assert (rebuilt.max_length, rebuilt.db_index, rebuilt.editable) == (64, True, False)
    lenient = EncryptedIdentifierField(kind=Kind.PHONE, strict=False)
    assert lenient.deconstruct()[3] == {"kind": "phone", "strict": False}


def test_model_checks_refuse_unique_numbers_and_dangling_hashes():
    class Bad(models.Model):
        number = EncryptedIdentifierField(kind=Kind.RESIDENT_ID, unique=True)
        number_hash = LookupHashField(source="missing")

        class Meta:
            apps = test_apps
            app_label = "identity_tests"

        def __str__(self):
            return "bad"

    ids = {error.id for error in Bad.check()}
    assert {"identity.E101", "identity.E102"} <= ids
    assert not [error for error in Holder.check() if error.id.startswith("identity.")]


def test_lenient_fields_store_numbers_that_fail_the_check():
    class Legacy(models.Model):
        number = EncryptedIdentifierField(kind=Kind.RESIDENT_ID, strict=False, blank=True)

        class Meta:
            apps = test_apps
            app_label = "identity_tests"

        def __str__(self):
            return "legacy"

    legacy = Legacy(number="11010519491231003x")
    assert legacy.number.decrypt() == "11010519491231003X"
