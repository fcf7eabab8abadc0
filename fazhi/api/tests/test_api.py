"""The API conventions: auth, error shape and statuses, tokens, the generic workflow routes."""

import pytest
from django.core.management import call_command
from django.test import Client

from fazhi.api.models import ApiToken
from fazhi.api.tokens import token_create, token_revoke
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, UserFactory, user_with_role
from fazhi.testing.workflow_app.models import Memo

pytestmark = [pytest.mark.django_db, pytest.mark.urls("fazhi.testing.workflow_app.urls")]
BASE = "/api-test/workflow-demo/memos"


def bearer(user):
    _record, token = token_create(user=user, name="测试")
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def officer(agency):
    return user_with_role(Role.LEGAL_OFFICER, agency=agency)


@pytest.fixture
def memo(agency, clerk):
    return Memo.objects.create(agency=agency, title="说明", body="正文", assignee=clerk)


def test_schema_and_docs_are_served_locally():
    client = Client()
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "法治 Fazhi API"
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/" in docs and "cdn" not in docs.lower()


def test_unauthenticated_calls_get_401_in_the_error_shape():
    response = Client().get("/api/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated" and "登录" in body["message"]


def test_token_identifies_the_user_and_revocation_ends_it(clerk):
    record, token = token_create(user=clerk, name="一网通办")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = client.get("/api/me").json()
    assert me["username"] == clerk.username and me["memberships"][0]["role"] == "clerk"
    assert ApiToken.objects.get(pk=record.pk).key_hash != token
    token_revoke(record=record)
    assert client.get("/api/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer fz_nonsense").get("/api/me").status_code == 401
    assert Event.objects.filter(verb__in=["api.token_create", "api.token_revoke"]).count() == 2


def test_token_command(clerk, capsys):
    call_command("token", "create", clerk.username, "--name", "社区通")
    token = capsys.readouterr().out.strip()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/me").status_code == 200
    call_command("token", "list", clerk.username)
    assert "有效" in capsys.readouterr().out


def test_session_auth_needs_the_second_factor_passed(agency):
    leader = user_with_role(Role.LEADER, agency=agency)
    half = Client()
    half.force_login(leader)
    assert half.get("/api/me").status_code == 401
    assert verified_client(leader).get("/api/me").status_code == 200


def test_detail_shows_state_actions_and_timeline(memo, clerk):
    body = bearer(clerk).get(f"{BASE}/{memo.pk}").json()
    assert body["state"] == "draft" and body["state_label"] == "起草"
    assert [a["name"] for a in body["available_actions"]] == ["consult", "submit", "transfer"]
    assert body["timeline"] == [] and body["fields"] == {"title": "说明"}


def test_action_endpoint_runs_the_workflow(memo, clerk, officer):
    submitted = bearer(clerk).post(
        f"{BASE}/{memo.pk}/actions/submit", {"comment": "请审核"}, content_type="application/json"
    )
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["timeline"][0]["verb"] == "workflow_demo.memo.submit"
    returned = bearer(officer).post(
        f"{BASE}/{memo.pk}/actions/send_back", {"comment": "补充"}, content_type="application/json"
    )
    assert returned.json()["state"] == "draft"


@pytest.mark.parametrize(
    ("who", "action", "payload", "status", "code"),
    [
        ("clerk", "approve", {}, 409, "state_changed"),
        ("officer", "submit", {}, 403, "not_allowed"),
        ("clerk", "fly", {}, 422, "unknown_action"),
        ("clerk", "submit", {"expected_state": "approved"}, 409, "state_changed"),
        ("clerk", "submit", {"comment": 5}, 422, "invalid_input"),
        ("clerk", "transfer", {"data": {"to_user": 999999}}, 422, "transfer_target_invalid"),
    ],
)
def test_refusals_have_status_code_and_change_nothing(
    memo, clerk, officer, who, action, payload, status, code
):
    actor = {"clerk": clerk, "officer": officer}[who]
    response = bearer(actor).post(
        f"{BASE}/{memo.pk}/actions/{action}", payload, content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Memo.objects.get(pk=memo.pk).state == "draft"
    assert not Event.objects.filter(target_type="workflow_demo.memo").exists()


def test_other_agency_and_overseer_writes_answer_404(memo, agency):
    outsider = user_with_role(Role.CLERK)
    assert bearer(outsider).get(f"{BASE}/{memo.pk}").status_code == 404
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=AgencyFactory(region=agency.region))
    client = bearer(overseer)
    response = client.post(f"{BASE}/{memo.pk}/actions/submit", {}, content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_transfer_through_the_api(memo, clerk, agency):
    colleague = user_with_role(Role.CLERK, agency=agency)
    response = bearer(clerk).post(
        f"{BASE}/{memo.pk}/actions/transfer",
        {"data": {"to_user": colleague.pk}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Memo.objects.get(pk=memo.pk).assignee == colleague


def test_disabled_user_token_stops_working(agency):
    user = UserFactory(home_agency=agency)
    client = bearer(user)
    user.is_active = False
    user.save()
    assert client.get("/api/me").status_code == 401
