"""A model used only by these tests, kept out of the project's app registry.

It lives in its own `Apps`, so `makemigrations` and every other test never see it; the table is
created by the `holder_table` fixture for the tests that need it.
"""

from django.apps.registry import Apps
from django.db import models

from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.models import Agency

test_apps = Apps()


class Holder(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=50)
    # The hash column first: it must be filled from the source whatever the field order.
    id_number_hash = LookupHashField(source="id_number")
    id_number = EncryptedIdentifierField("身份证号码", kind=Kind.RESIDENT_ID, null=True, blank=True)
    phone = EncryptedIdentifierField("联系电话", kind=Kind.PHONE, blank=True)
    phone_hash = LookupHashField(source="phone")

    class Meta:
        apps = test_apps
        app_label = "identity_tests"
        db_table = "identity_tests_holder"

    def __str__(self):
        return self.name
