"""Deliveries: a failed send retries, nothing is ever sent twice, lost tasks are queued again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from fazhi.core.notify import tasks
from fazhi.core.notify.delivery import deliver_now, requeue_stale_deliveries, retry_delay
from fazhi.core.notify.models import Delivery
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db

FLAKY = "fazhi.core.notify.tests.test_delivery.FlakySmsGateway"


class FlakySmsGateway:
    """Refuses the first `failures` messages, then accepts; counts what it accepted."""

    failures = 1

    def __init__(self):
        self.calls = 0
        self.accepted: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("gateway busy")
        self.accepted.append((phone, text))
        return f"flaky-{len(self.accepted)}"


class RefusingEmailBackend(EmailBackend):
    def send_messages(self, messages):
        raise OSError("mail server down")


@pytest.fixture
def clerk():
    return user_with_role(Role.CLERK, email="clerk@example.gov.cn")


def _sms(clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[clerk],
            kind="urge",
            title="催办",
            channels=("sms",),
            phones={clerk.pk: "13912345678"},
        )
    return Delivery.objects.get()


def test_a_failed_send_is_retried_and_sent_once(
    use_gateway, django_capture_on_commit_callbacks, clerk
):
    gateway = use_gateway(FLAKY)

    # given the first attempt (right after commit) was refused
    delivery = _sms(clerk, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.attempts, delivery.error) == (
        "pending",
        1,
        "ConnectionError: gateway busy",
    )

    # when the requeue sweep runs twice, and a duplicate task arrives as well
    later = timezone.now() + timedelta(hours=1)
    assert requeue_stale_deliveries(later) == 1
    assert requeue_stale_deliveries(later) == 0
    assert tasks.deliver.delay(delivery.pk).get() == "sent"

    # then the message went out exactly once
    assert gateway.calls == 2
    assert gateway.accepted == [("13912345678", "催办")]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.message_id) == ("sent", 2, "flaky-1")
    assert delivery.error == ""
    assert delivery.address == ""


def test_a_task_run_again_after_sending_sends_nothing(
    use_gateway, django_capture_on_commit_callbacks, clerk
):
    gateway = use_gateway(FLAKY)
    gateway.failures = 0
    delivery = _sms(clerk, django_capture_on_commit_callbacks)
    assert delivery.status == "sent"

    # A redelivered task (worker lost before acknowledging) and a requeue both run again.
    assert tasks.deliver.delay(delivery.pk).get() == "sent"
    assert deliver_now(delivery.pk).status == "sent"
    assert requeue_stale_deliveries(timezone.now() + timedelta(hours=1)) == 0

    assert gateway.accepted == [("13912345678", "催办")]
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_on_a_worker_a_failed_attempt_is_retried_after_a_delay(
    monkeypatch, use_gateway, django_capture_on_commit_callbacks, clerk
):
    from celery.exceptions import Retry

    use_gateway(FLAKY).failures = 10
    with django_capture_on_commit_callbacks(execute=False):
        notify(
            recipients=[clerk],
            kind="urge",
            title="催办",
            channels=("sms",),
            phones={clerk.pk: "13912345678"},
        )
    delivery = Delivery.objects.get()
    asked = []

    def retry(**kwargs):
        asked.append(kwargs)
        return Retry(when=kwargs["countdown"])

    monkeypatch.setattr(tasks.deliver, "retry", retry)
    tasks.deliver.push_request(id="worker-task", retries=0, is_eager=False)
    try:
        with pytest.raises(Retry):
            tasks.deliver.run(delivery.pk)
    finally:
        tasks.deliver.pop_request()

    assert asked == [{"countdown": 60}]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_gives_up_after_the_last_attempt(
    settings, use_gateway, django_capture_on_commit_callbacks, clerk
):
    settings.FAZHI_NOTIFY_MAX_ATTEMPTS = 3
    gateway = use_gateway(FLAKY)
    gateway.failures = 10

    delivery = _sms(clerk, django_capture_on_commit_callbacks)
    for hours in (1, 2, 3):
        requeue_stale_deliveries(timezone.now() + timedelta(hours=hours))

    assert gateway.calls == 3 and gateway.accepted == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.error == "ConnectionError: gateway busy"
    assert delivery.sent_at is None
    # The number is kept only while it may still be needed.
    assert (delivery.address, delivery.address_masked) == ("", "139****5678")


def test_a_refusing_mail_server_is_recorded(settings, django_capture_on_commit_callbacks, clerk):
    settings.FAZHI_NOTIFY_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "fazhi.core.notify.tests.test_delivery.RefusingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[clerk], kind="urge", title="催办", channels=("inbox", "email"))

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error == "OSError: mail server down"


def test_one_attempt_leaves_a_failed_send_pending_with_a_delay(
    settings, use_gateway, django_capture_on_commit_callbacks, clerk
):
    settings.FAZHI_NOTIFY_RETRY_SECONDS = 60
    use_gateway(FLAKY)
    with django_capture_on_commit_callbacks(execute=False):
        notify(
            recipients=[clerk],
            kind="urge",
            title="催办",
            channels=("sms",),
            phones={clerk.pk: "13912345678"},
        )
    delivery = Delivery.objects.get()

    outcome = deliver_now(delivery.pk)

    assert (outcome.status, outcome.retry_in) == ("pending", 60)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.address) == (
        "pending",
        1,
        "13912345678",
    )
    assert [retry_delay(n) for n in (1, 2, 3, 6, 10)] == [60, 120, 240, 1800, 1800]


def test_a_disabled_account_gets_nothing(django_capture_on_commit_callbacks, clerk):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[clerk], kind="urge", title="催办", channels=("email",))
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    for callback in callbacks:
        callback()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error) == ("skipped", "接收人账号已停用。")
    assert mail.outbox == []


def test_a_broker_that_is_down_does_not_lose_the_notice(
    monkeypatch, caplog, django_capture_on_commit_callbacks, clerk
):
    # given the queue refuses the task after the change committed
    def refuse(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.deliver, "delay", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[clerk], kind="urge", title="催办", channels=("inbox", "email"))

    # then the notice and its pending delivery are kept, and the failure is logged
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert "Could not queue delivery" in caplog.text
    assert mail.outbox == []

    # when the requeue sweep runs later, the e-mail goes out once
    later = timezone.now() + timedelta(hours=1)
    assert requeue_stale_deliveries(later) == 1
    assert requeue_stale_deliveries(later) == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_requeue_leaves_recent_deliveries_alone(django_capture_on_commit_callbacks, clerk):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[clerk], kind="urge", title="催办", channels=("email",))

    assert requeue_stale_deliveries(timezone.now() + timedelta(minutes=10)) == 0
    assert Delivery.objects.get().status == "pending"
    assert mail.outbox == []
