"""Fuzzing the API from its own OpenAPI schema (schemathesis): no input gives a 5xx.

Every operation is called anonymously and with a clerk's bearer token, with inputs generated
from the schema (valid and invalid), against the WSGI application in-process.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fazhi.api.tokens import token_create
from fazhi.core.roles import Role
from fazhi.testing.factories import user_with_role

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app is called directly (not through Django's test Client), so its end-of-request
    signal would close the test's database connection, as it does in production between
    requests. Django's test Client detaches the same receiver; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def clerk_token(db):
    clerk = user_with_role(Role.CLERK)
    return token_create(user=clerk, name="fuzz")[1]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_no_server_errors(case, clerk_token):
    for headers in ({}, {"Authorization": f"Bearer {clerk_token}"}):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
