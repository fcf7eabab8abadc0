"""Fixed test keys: the identity tests never depend on the settings modules' key."""

import base64

import pytest
from django.db import connection

# 32 bytes each, written out so a failing test can be reproduced by hand.
TEST_KEY = base64.b64encode(b"fazhi-identity-test-key-32-bytes").decode()
OTHER_KEY = base64.b64encode(b"fazhi-identity-next-key-32-bytes").decode()


@pytest.fixture(autouse=True)
def identity_key(settings):
    settings.FAZHI_IDENTITY_KEY = TEST_KEY
    settings.FAZHI_IDENTITY_OLD_KEYS = []
    return TEST_KEY


@pytest.fixture(scope="module")
def holder_table(django_db_setup, django_db_blocker):
    """The table of the test-only `Holder` model, for the tests of one module.

    Created outside the per-test transaction: SQLite cannot change its schema inside one.
    """
    from .holder import Holder

    table = Holder._meta.db_table
    with django_db_blocker.unblock():
        if table in connection.introspection.table_names():
            # Left behind by an interrupted run on a kept (--reuse-db) database.
            with connection.schema_editor() as editor:
                editor.delete_model(Holder)
        with connection.schema_editor() as editor:
            editor.create_model(Holder)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(Holder)
