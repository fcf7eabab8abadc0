"""The inbox pages: own notices only, newest first, htmx partials, constant query count."""

import re

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from fazhi.core.notify.models import Notification
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, UserFactory, user_with_role
from fazhi.testing.matrix import fingerprint
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

INBOX = "/staff/notifications/"


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def colleague(agency):
    return user_with_role(Role.CLERK, agency=agency)


def _notice(user, title="催办", **kwargs):
    return notify(recipients=[user], kind="urge", title=title, **kwargs)[0]


def _titles(html: str) -> list[str]:
    return re.findall(r'<div(?: class="fw-bold")?>(?:<span[^>]*>未读</span>)?([^<]+)</div>', html)


def test_the_inbox_lists_own_notices_newest_first(clerk, colleague):
    older = _notice(clerk, "较早的")
    _notice(clerk, "较新的")
    _notice(colleague, "别人的")
    Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)

    response = verified_client(clerk).get(INBOX)

    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(html) == ["较新的", "较早的"]
    assert html.count(">未读</span>") == 1
    assert "别人的" not in html


def test_the_inbox_is_paginated(clerk):
    for i in range(25):
        _notice(clerk, f"第{i}条")
    client = verified_client(clerk)

    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()

    assert _titles(first) == [f"第{i}条" for i in range(24, 4, -1)]
    assert _titles(second) == [f"第{i}条" for i in range(4, -1, -1)]
    assert "第 2 / 2 页" in second


def test_an_empty_inbox_says_so(clerk):
    html = verified_client(clerk).get(INBOX).content.decode()
    assert "暂无消息。" in html


def test_the_inbox_needs_a_signed_in_user_with_a_role(agency):
    assert Client().get(INBOX).status_code == 302
    roleless = UserFactory(home_agency=agency)
    assert verified_client(roleless).get(INBOX).status_code == 403


def test_the_workspace_menu_has_the_inbox(clerk):
    html = verified_client(clerk).get("/staff/").content.decode()
    assert f'data-nav="notifications" href="{INBOX}"' in html


def test_marking_one_read_redirects_back(clerk):
    notice = _notice(clerk)
    response = verified_client(clerk).post(f"{INBOX}{notice.pk}/read/")
    assert response.status_code == 302 and response.url == INBOX
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_htmx_gets_the_row_and_the_new_count(clerk):
    notice = _notice(clerk, "第一条")
    _notice(clerk, "第二条")

    response = verified_client(clerk).post(
        f"{INBOX}{notice.pk}/read/", headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    row = '<li class="list-group-item d-flex flex-wrap gap-2 align-items-start"'
    assert html.startswith(f'{row} id="notification-{notice.pk}">')
    assert "未读" not in html.split('id="notify-bell"')[0]
    assert 'id="notify-bell"' in html and 'hx-swap-oob="true"' in html
    assert 'aria-label="消息，1 条未读"' in html
    assert "<html" not in html


def test_opening_a_notice_marks_it_read_and_follows_its_link(clerk):
    notice = _notice(clerk, url="/staff/rules/7/")
    response = verified_client(clerk).post(f"{INBOX}{notice.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response.url == "/staff/rules/7/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_persons_notice_is_not_found_and_unchanged(clerk, colleague):
    theirs = _notice(colleague)
    before = fingerprint(["notify.Notification"])

    client = verified_client(clerk)
    assert client.post(f"{INBOX}{theirs.pk}/read/").status_code == 404
    assert client.post(f"{INBOX}{theirs.pk}/read/", {"open": "1"}).status_code == 404
    assert client.post(f"{INBOX}999999/read/").status_code == 404

    assert fingerprint(["notify.Notification"]) == before


def test_reading_needs_post(clerk):
    notice = _notice(clerk)
    client = verified_client(clerk)
    assert client.get(f"{INBOX}{notice.pk}/read/").status_code == 405
    assert client.get(f"{INBOX}read-all/").status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_touches_only_own_notices(clerk, colleague):
    for _ in range(3):
        _notice(clerk)
    theirs = _notice(colleague)

    response = verified_client(clerk).post(f"{INBOX}read-all/", follow=True)

    assert response.redirect_chain == [(INBOX, 302)]
    assert "已将 3 条消息标为已读。" in response.content.decode()
    assert not Notification.objects.filter(recipient=clerk, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_with_htmx_returns_the_list(clerk):
    _notice(clerk, "一")
    response = verified_client(clerk).post(f"{INBOX}read-all/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="notify-inbox">')
    assert ">未读</span>" not in html
    assert 'aria-label="消息，没有未读"' in html and 'hx-swap-oob="true"' in html


def test_the_inbox_query_count_does_not_grow(clerk):
    client = verified_client(clerk)
    assert_constant_queries(
        lambda: client.get(INBOX),
        lambda n: [_notice(clerk, f"第{i}条", url="/staff/x/") for i in range(n)],
    )


def test_the_template_tags_count_unread(clerk, colleague):
    _notice(clerk)
    _notice(clerk)
    _notice(colleague)
    request = RequestFactory().get("/")
    request.user = clerk

    html = Template("{% load notify_tags %}[{% unread_count %}]{% notify_bell %}").render(
        Context({"request": request, "user": clerk})
    )

    assert html.startswith("[2]")
    assert 'href="/staff/notifications/"' in html
    assert 'aria-label="消息，2 条未读"' in html
    assert (
        '<span class="badge rounded-pill text-bg-danger" id="notify-unread-count">2</span>' in html
    )
