"""notify(): inbox rows, deduplication, after-commit sending, refusals that save nothing."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from fazhi.core.errors import InvalidInput
from fazhi.core.notify import services
from fazhi.core.notify.models import Delivery, Notification
from fazhi.core.notify.selectors import inbox_for, unread_count
from fazhi.core.notify.services import (
    notification_mark_all_read,
    notification_mark_read,
    notify,
)
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, DepartmentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency, email="clerk@example.gov.cn")


@pytest.fixture
def head(agency):
    return user_with_role(Role.DEPARTMENT_HEAD, agency=agency, email="head@example.gov.cn")


def test_one_inbox_notice_per_active_recipient(agency, clerk, head):
    gone = UserFactory(home_agency=agency, is_active=False)
    department = DepartmentFactory(agency=agency, name="政策法规科")

    created = notify(
        recipients=[clerk, head, clerk, gone],
        kind="rules_submitted",
        title="规范性文件待审核",
        body="请于三个工作日内审核。",
        url="/staff/rules/7/",
        target=department,
        agency=agency,
    )

    assert [n.recipient for n in created] == [clerk, head]
    notice = Notification.objects.get(recipient=clerk)
    assert (notice.kind, notice.title, notice.body, notice.url) == (
        "rules_submitted",
        "规范性文件待审核",
        "请于三个工作日内审核。",
        "/staff/rules/7/",
    )
    assert (notice.target_type, notice.target_id, notice.target_repr) == (
        "core.department",
        str(department.pk),
        "政策法规科",
    )
    assert notice.agency == agency and notice.in_inbox and notice.read_at is None
    assert notice.dedupe_key is None
    assert not Notification.objects.filter(recipient=gone).exists()
    assert not Delivery.objects.exists()


def test_same_dedupe_key_notifies_each_person_once(clerk, head):
    first = notify(recipients=[clerk], kind="reminder", title="即将到期", dedupe_key="k:1")
    second = notify(recipients=[clerk, head], kind="reminder", title="即将到期", dedupe_key="k:1")

    assert [n.recipient for n in first] == [clerk]
    assert [n.recipient for n in second] == [head]
    assert Notification.objects.filter(dedupe_key="k:1").count() == 2
    assert Notification.objects.filter(recipient=clerk).count() == 1


def test_without_a_key_every_call_notifies(clerk):
    notify(recipients=[clerk], kind="urge", title="催办")
    notify(recipients=[clerk], kind="urge", title="催办")
    assert Notification.objects.filter(recipient=clerk).count() == 2


def test_a_notice_inserted_concurrently_is_not_duplicated(monkeypatch, clerk, head):
    # given a notice to clerk that a concurrent call inserted after our check found none
    notify(recipients=[clerk], kind="reminder", title="即将到期", dedupe_key="k:race")
    monkeypatch.setattr(services, "_already_notified", lambda ids, key: set())

    # when notify runs for both
    created = notify(
        recipients=[clerk, head],
        kind="reminder",
        title="即将到期",
        dedupe_key="k:race",
        channels=("inbox", "email"),
    )

    # then the unique constraint leaves clerk out, and only head's notice and delivery exist
    assert [n.recipient for n in created] == [head]
    assert Notification.objects.filter(dedupe_key="k:race").count() == 2
    assert list(Delivery.objects.values_list("notification__recipient", flat=True)) == [head.pk]


def test_email_goes_out_only_after_commit(django_capture_on_commit_callbacks, clerk):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[clerk],
            kind="urge",
            title="请尽快办理",
            body="申请已超过十个工作日。",
            url="/staff/disclosure/3/",
            channels=("inbox", "email"),
        )
    delivery = Delivery.objects.get()
    assert mail.outbox == []
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.address == "clerk@example.gov.cn"
    assert delivery.address_masked == "c***@example.gov.cn"

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "请尽快办理"
    assert message.to == ["clerk@example.gov.cn"]
    assert message.body == (
        "申请已超过十个工作日。\n\n查看详情：/staff/disclosure/3/\n\n"
        "此邮件由法治工作平台自动发送，请勿直接回复。"
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert delivery.message_id == message.extra_headers["Message-ID"]
    assert delivery.address == ""
    assert delivery.address_masked == "c***@example.gov.cn"


def test_email_links_are_absolute_when_the_site_url_is_set(
    settings, django_capture_on_commit_callbacks, clerk
):
    settings.FAZHI_SITE_URL = "https://fazhi.example.gov.cn/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[clerk], kind="urge", title="催办", url="/staff/x/", channels=("email",))
    assert "查看详情：https://fazhi.example.gov.cn/staff/x/" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@fazhi.example.gov.cn>")


def test_a_rolled_back_change_notifies_no_one(django_capture_on_commit_callbacks, clerk):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=[clerk], kind="urge", title="催办", channels=("inbox", "email"))
            raise RuntimeError("the caller's change failed")

    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_sms_goes_to_the_number_the_caller_gives(
    django_capture_on_commit_callbacks, sms_outbox, clerk
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[clerk],
            kind="appointment",
            title="预约已确认",
            body="11月30日上午9点",
            channels=("sms",),
            phones={clerk.pk: "13812345678"},
        )

    assert [(m.phone, m.text) for m in sms_outbox.sent] == [
        ("13812345678", "预约已确认：11月30日上午9点")
    ]
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.message_id) == ("sms", "sent", "recorded-1")
    assert (delivery.address, delivery.address_masked) == ("", "138****5678")
    # SMS only: kept as the record, not shown in the inbox.
    assert list(inbox_for(clerk)) == []


def test_missing_addresses_are_recorded_as_skipped(
    django_capture_on_commit_callbacks, sms_outbox, agency
):
    nobody = user_with_role(Role.CLERK, agency=agency, email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[nobody], kind="urge", title="催办", channels=("inbox", "email", "sms"))

    assert mail.outbox == [] and sms_outbox.sent == []
    assert sorted(Delivery.objects.values_list("channel", "status", "error")) == [
        ("email", "skipped", "未设置有效的电子邮件地址。"),
        ("sms", "skipped", "未提供手机号码。"),
    ]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"url": "https://evil.example/"}, "invalid_url"),
        ({"url": "//evil.example/x"}, "invalid_url"),
        ({"url": "javascript:alert(1)"}, "invalid_url"),
        ({"url": "/\\evil.example"}, "invalid_url"),
        ({"url": "/staff/ x"}, "invalid_url"),
        ({"title": "  "}, "invalid_title"),
        ({"title": "第一行\n第二行"}, "invalid_title"),
        ({"title": "长" * 201}, "invalid_title"),
        ({"kind": "not a slug"}, "invalid_kind"),
        ({"channels": ("inbox", "fax")}, "unknown_channel"),
        ({"channels": ()}, "unknown_channel"),
        ({"dedupe_key": ""}, "invalid_dedupe_key"),
        ({"channels": ("sms",), "phones": {1: "1234"}}, "invalid_phone"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(clerk, arguments, code):
    kwargs = {"recipients": [clerk], "kind": "urge", "title": "催办", **arguments}
    with pytest.raises(InvalidInput) as exc:
        notify(**kwargs)
    assert exc.value.code == code
    assert str(exc.value.message)
    assert not Notification.objects.exists()


def test_marking_read_counts_down_the_unread(clerk, head):
    first, _second = (
        notify(recipients=[clerk], kind="urge", title=title)[0] for title in ("一", "二")
    )
    notify(recipients=[head], kind="urge", title="别人的")
    assert unread_count(clerk) == 2

    notification_mark_read(actor=clerk, notification_id=first.pk)
    first.refresh_from_db()
    read_at = first.read_at
    notification_mark_read(actor=clerk, notification_id=first.pk)
    first.refresh_from_db()

    assert read_at is not None and first.read_at == read_at
    assert unread_count(clerk) == 1
    assert notification_mark_all_read(actor=clerk) == 1
    assert unread_count(clerk) == 0
    assert unread_count(head) == 1


def test_nobody_marks_another_persons_notice(clerk, head):
    from django.http import Http404

    notice = notify(recipients=[head], kind="urge", title="别人的")[0]
    with pytest.raises(Http404):
        notification_mark_read(actor=clerk, notification_id=notice.pk)
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_with_one_key_create_one_notice():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts are tested on PostgreSQL")
    clerk = user_with_role(Role.CLERK)
    barrier = threading.Barrier(2)
    created: list[int] = []

    def send():
        try:
            barrier.wait()
            created.append(
                len(notify(recipients=[clerk], kind="urge", title="催办", dedupe_key="k:both"))
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(created) == [0, 1]
    assert Notification.objects.filter(recipient=clerk, dedupe_key="k:both").count() == 1
