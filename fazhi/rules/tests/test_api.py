"""The document collection on the API: the same gates, the design's statuses."""

from django.test import Client

from fazhi.api.tokens import token_create
from fazhi.rules.models import NormativeDocument
from fazhi.rules.tests.test_lifecycle import decided, draft


def as_user(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)[1]}")


def test_detail_and_refused_shortcuts(office):
    document = draft(office)
    client = as_user(office["clerk"])
    body = client.get(f"/api/rules/documents/{document.pk}").json()
    assert body["state"] == "drafting" and body["fields"]["doc_number"] is None
    response = client.post(
        f"/api/rules/documents/{document.pk}/actions/submit_for_review",
        {},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "consultation_required"


def test_a_bare_issue_transition_cannot_publish(office):
    from datetime import timedelta

    from django.utils import timezone

    document = decided(office)
    today = timezone.localdate()
    # Even with every issuance field filled in, only document_issue (which numbers) publishes.
    NormativeDocument.objects.filter(pk=document.pk).update(
        published_on=today,
        effective_on=today,
        valid_until=today + timedelta(days=700),
        interpretation="解读",
    )
    response = as_user(office["officer"]).post(
        f"/api/rules/documents/{document.pk}/actions/issue", {}, content_type="application/json"
    )
    # The action's name reaches document_issue (which numbers); an empty body publishes nothing.
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert NormativeDocument.objects.get(pk=document.pk).state == "decided"


def test_other_agency_sees_nothing(office):
    from fazhi.core.roles import Role
    from fazhi.testing.factories import user_with_role

    document = draft(office)
    outsider = user_with_role(Role.LEGAL_OFFICER)
    assert as_user(outsider).get(f"/api/rules/documents/{document.pk}").status_code == 404


def test_outside_roles_of_the_agency_read_no_documents(office):
    # Given a draft, and people of the same agency whose work is not normative documents.
    from fazhi.core.roles import Role
    from fazhi.testing.factories import user_with_role

    document = draft(office)
    for role in (Role.LEGAL_ADVISER, Role.SUPERVISOR, Role.INSPECTOR):
        outsider = user_with_role(role, agency=office["agency"])
        # Then the record is refused, as on the document page.
        response = as_user(outsider).get(f"/api/rules/documents/{document.pk}")
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
