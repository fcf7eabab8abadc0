"""The action buttons and timeline on a record's page, and the one POST endpoint behind them."""

import pytest

from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, user_with_role
from fazhi.testing.workflow_app.models import Memo

pytestmark = [pytest.mark.django_db, pytest.mark.urls("fazhi.testing.workflow_app.urls")]


@pytest.fixture
def setting():
    agency = AgencyFactory()
    clerk = user_with_role(Role.CLERK, agency=agency)
    officer = user_with_role(Role.LEGAL_OFFICER, agency=agency)
    memo = Memo.objects.create(agency=agency, title="说明", body="正文", assignee=clerk)
    return memo, clerk, officer


def test_page_shows_only_the_users_actions(setting):
    memo, clerk, officer = setting
    page = verified_client(clerk).get(f"/staff/memos/{memo.pk}/").content.decode()
    assert 'data-action="submit"' in page and 'data-action="approve"' not in page
    page = verified_client(officer).get(f"/staff/memos/{memo.pk}/").content.decode()
    assert "当前没有您可办理的操作" in page


def test_buttons_post_through_the_workflow(setting):
    memo, clerk, _officer = setting
    client = verified_client(clerk)
    response = client.post(
        f"/staff/workflow/workflow_demo.memo/{memo.pk}/submit/", {"expected_state": "draft"}
    )
    assert response.status_code == 302
    assert Memo.objects.get(pk=memo.pk).state == "submitted"
    page = client.get(f"/staff/memos/{memo.pk}/").content.decode()
    assert "workflow_demo.memo.submit" in page and "操作已完成" in page


def test_refusal_shows_the_reason_and_changes_nothing(setting):
    memo, clerk, officer = setting
    client = verified_client(clerk)
    client.post(f"/staff/workflow/workflow_demo.memo/{memo.pk}/submit/")
    officer_client = verified_client(officer)
    response = officer_client.post(
        f"/staff/workflow/workflow_demo.memo/{memo.pk}/send_back/", {"comment": ""}, follow=True
    )
    assert "请填写理由" in response.content.decode()
    assert Memo.objects.get(pk=memo.pk).state == "submitted"
    stale = client.post(
        f"/staff/workflow/workflow_demo.memo/{memo.pk}/submit/", {"expected_state": "draft"}
    )
    assert stale.status_code == 303
    assert Event.objects.filter(target_type="workflow_demo.memo").count() == 1


def test_unknown_model_and_other_agency_answer_404(setting):
    memo, clerk, _officer = setting
    outsider = verified_client(user_with_role(Role.CLERK))
    assert outsider.post(f"/staff/workflow/workflow_demo.memo/{memo.pk}/submit/").status_code == 404
    client = verified_client(clerk)
    assert client.post(f"/staff/workflow/core.agency/{memo.agency_id}/submit/").status_code == 404
    assert client.get(f"/staff/workflow/workflow_demo.memo/{memo.pk}/submit/").status_code == 405
