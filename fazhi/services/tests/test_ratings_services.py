"""好差评 services: the one-time links, the rating of every channel, bad input, the SMS outbox.

Dates: the case is concluded on Monday 28 September 2026 and rated on Wednesday 30 September.
The call-back is due 1 working day later: 1–7 October are the National Day holiday, so Thursday
8 October. The fix is due 15 working days later: 8, 9, 10 (Saturday, worked), 12–16, 19–23,
26 and 27 October → Tuesday 27 October.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from fazhi.core import agency_settings
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.core.models import Event
from fazhi.core.notify.delivery import retry_delay
from fazhi.core.notify.models import Notification
from fazhi.services.models.ratings import (
    BadReviewFollowUp,
    Rating,
    RatingSms,
    RatingToken,
)
from fazhi.services.services import ratings as services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    LANDLINE,
    MOBILE,
    concluded_case,
    recording_sms_fixture,
    schedule_fixture,
    token_of,
    world_fixture,
)

pytestmark = pytest.mark.django_db
RATED_ON = date(2026, 9, 30)


class FailingGateway:
    """An SMS gateway that refuses every message (the platform is down)."""

    def send(self, phone: str, text: str) -> str:
        raise ConnectionError("gateway down")


def rate_online(links, level=4, **extra):
    extra.setdefault("on", RATED_ON)
    return services.rating_submit(
        channel="online", token=token_of(links["online"]), level=level, **extra
    )


# --- Links ----------------------------------------------------------------------------------


def test_concluding_a_case_issues_an_online_and_an_sms_link(world, monkeypatch):
    # Given a fixed clock (the expiry is counted from it)
    fixed = timezone.make_aware(datetime(2026, 9, 28, 10, 0))
    monkeypatch.setattr(services.timezone, "now", lambda: fixed)
    # When a case whose applicant gave a mobile number is concluded
    case, links = concluded_case(world, phone=MOBILE)
    # Then there is one link per channel; only the SHA-256 of each token is stored
    assert sorted(links) == ["online", "sms"]
    for channel, path in links.items():
        assert path.startswith("/services/ratings/r/")
        token = token_of(path)
        row = RatingToken.objects.get(case=case, channel=channel)
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in row.token_hash
        # services.rating_link_days = 30 calendar days
        assert row.expires_at == fixed + timedelta(days=30)
        assert row.used_at is None
    assert Event.objects.filter(verb="services.rating.invite", target_id=str(case.pk)).count() == 1


def test_a_landline_gets_no_sms_link(world):
    case, links = concluded_case(world, phone=LANDLINE)
    assert sorted(links) == ["online"]
    assert not RatingSms.objects.filter(case=case).exists()


def test_the_sms_goes_out_after_commit_with_the_link_and_logs_only_the_mask(
    world, recording_sms, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.INFO, logger="fazhi.services.ratings")
    # When the case concludes (the text is sent once the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        case, links = concluded_case(world, phone=MOBILE)
    # Then one text went to the applicant's mobile with the SMS link
    assert len(recording_sms.sent) == 1
    sent = recording_sms.sent[0]
    assert sent.phone == MOBILE
    assert links["sms"] in sent.text
    assert "最低生活保障申请" in sent.text
    assert "30天内有效" in sent.text
    message = RatingSms.objects.get(case=case)
    assert (message.kind, message.status, message.attempts) == ("link", "sent", 1)
    assert message.phone_masked == "138****5678"
    # The log names the masked number only, never the number or the link
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "138****5678" in logged
    assert MOBILE not in logged
    assert token_of(links["sms"]) not in logged


def test_a_refused_sms_is_retried_with_back_off_and_sent_at_most_once(world, settings):
    settings.FAZHI_SMS_GATEWAY = "fazhi.services.tests.test_ratings_services.FailingGateway"
    case, links = concluded_case(world, phone=MOBILE)
    message = RatingSms.objects.get(case=case)
    token = token_of(links["sms"])
    # On a worker: the first refusal leaves it pending with the back-off of core deliveries
    outcome = services.sms_send_now(message.pk, token)
    assert (outcome.status, outcome.retry_in) == ("pending", retry_delay(1))
    message.refresh_from_db()
    assert (message.attempts, message.error) == (1, "ConnectionError: gateway down")
    # When the gateway is back, the retry sends it; a redelivered task sends nothing again
    settings.FAZHI_SMS_GATEWAY = "fazhi.core.notify.sms.RecordingSmsGateway"
    from fazhi.core.notify import sms

    gateway = sms.gateway()
    gateway.clear()
    assert services.sms_send_now(message.pk, token).status == "sent"
    assert services.sms_send_now(message.pk, token).status == "sent"
    assert len(gateway.sent) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_run_eagerly_a_refused_sms_fails_at_once_and_staff_may_send_again(
    world, settings, django_capture_on_commit_callbacks
):
    settings.FAZHI_SMS_GATEWAY = "fazhi.services.tests.test_ratings_services.FailingGateway"
    with django_capture_on_commit_callbacks(execute=True):
        case, _links = concluded_case(world, phone=MOBILE)
    message = RatingSms.objects.get(case=case)
    assert (message.status, message.attempts) == ("failed", 1)
    # Staff send it again: a new link and a new text
    with django_capture_on_commit_callbacks(execute=False):
        result = services.rating_link_resend(actor=world["clerk"], case=case, channel="sms")
    assert result == {"channel": "sms", "path": "", "sent_to": "138****5678"}
    assert RatingSms.objects.filter(case=case).count() == 2


def test_a_text_whose_link_was_replaced_before_sending_is_skipped(
    world, recording_sms, django_capture_on_commit_callbacks
):
    # Given the conclusion's text still queued (its callbacks not run)
    with django_capture_on_commit_callbacks(execute=False):
        case, links = concluded_case(world, phone=MOBILE)
    first = RatingSms.objects.get(case=case)
    # When staff send the link again before the first text went out
    with django_capture_on_commit_callbacks(execute=True):
        services.rating_link_resend(actor=world["clerk"], case=case, channel="sms")
    # Then the old text is not sent (its link no longer works); the new one is
    assert services.sms_send_now(first.pk, token_of(links["sms"])).status == "skipped"
    assert len(recording_sms.sent) == 1
    with pytest.raises(services.RatingLinkUnknown):
        rate_online({"online": links["sms"]})


def test_resending_the_online_link_replaces_it(world):
    case, links = concluded_case(world)
    result = services.rating_link_resend(actor=world["officer"], case=case, channel="online")
    assert result["path"] != links["online"]
    # The old link answers 404, the new one rates
    with pytest.raises(services.RatingLinkUnknown) as refused:
        rate_online(links, level=1)
    assert refused.value.status == 404
    rating = rate_online({"online": result["path"]}, level=1)
    assert rating.channel == "online"
    assert RatingToken.objects.filter(case=case, channel="online").count() == 1


def test_resending_is_refused_for_a_rated_channel_a_leader_and_too_many_texts(world):
    case, links = concluded_case(world, phone=MOBILE)
    with pytest.raises(NotAllowed):
        services.rating_link_resend(actor=world["leader"], case=case, channel="online")
    with pytest.raises(NotAllowed):
        services.rating_link_resend(actor=world["stranger"], case=case, channel="online")
    with pytest.raises(InvalidInput):
        services.rating_link_resend(actor=world["clerk"], case=case, channel="counter")
    rate_online(links, level=2)
    with pytest.raises(Conflict) as rated:
        services.rating_link_resend(actor=world["clerk"], case=case, channel="online")
    assert rated.value.code == "already_rated"
    # The conclusion's text and two more today; the fourth is refused
    for _n in range(2):
        services.rating_link_resend(actor=world["clerk"], case=case, channel="sms")
    with pytest.raises(Conflict) as limit:
        services.rating_link_resend(actor=world["clerk"], case=case, channel="sms")
    assert limit.value.code == "sms_limit"


def test_no_link_for_a_case_not_concluded(world):
    case, _links = concluded_case(world, conclude=False)
    with pytest.raises(Conflict) as refused:
        services.rating_invite(case)
    assert refused.value.code == "case_not_concluded"
    assert not RatingToken.objects.filter(case=case).exists()


# --- Rating ---------------------------------------------------------------------------------


def test_a_bad_review_by_link_opens_the_follow_up_and_tells_the_department(world):
    case, links = concluded_case(world)
    # When the applicant rates 不满意 with a reason through the online link
    rating = rate_online(links, level=4, reasons=["slow"], comment="等了很久")
    # Then the rating copies the case's item, department and center, and is bad
    assert (rating.item, rating.department, rating.center) == (
        world["item"],
        world["relief"],
        world["center"],
    )
    assert (rating.level, rating.bad, rating.reasons, rating.rated_on) == (
        4,
        True,
        ["slow"],
        RATED_ON,
    )
    assert rating.real_name is False and rating.rater_name == ""
    # The link is used
    assert RatingToken.objects.get(case=case, channel="online").used_at is not None
    # The follow-up runs on the working-day calendar
    follow_up = BadReviewFollowUp.objects.get(rating=rating)
    assert follow_up.state == "awaiting_callback"
    assert follow_up.department == world["relief"]
    assert follow_up.callback_due_on == date(2026, 10, 8)
    assert follow_up.fix_due_on == date(2026, 10, 27)
    # The head and the clerk of 社会救助科 are told; the liaison and the other section are not
    told = set(
        Notification.objects.filter(kind="services_bad_review").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {world["head"].username, world["clerk"].username}
    # Both are on the record, without personal data
    submit = Event.objects.get(verb="services.rating.submit")
    assert submit.actor_name == "评价人"
    assert submit.data["level"] == 4 and "comment" not in submit.data
    assert Event.objects.filter(verb="services.follow_up.open").count() == 1


def test_the_loop_deadlines_follow_the_agency_settings(world):
    agency_settings.setting_set(
        actor=world["officer"], agency=world["agency"], key="services.fix_workdays", value=5
    )
    _case, links = concluded_case(world)
    rating = rate_online(links, level=5)
    # 5 working days from 30 September: 8, 9, 10 (Saturday, worked), 12, 13 October
    assert BadReviewFollowUp.objects.get(rating=rating).fix_due_on == date(2026, 10, 13)


def test_a_good_review_opens_nothing(world):
    _case, links = concluded_case(world)
    rating = rate_online(links, level=1, reasons=["efficient", "attitude_good"])
    assert rating.bad is False
    assert not BadReviewFollowUp.objects.exists()
    assert not Notification.objects.filter(kind="services_bad_review").exists()


def test_a_token_works_once(world):
    _case, links = concluded_case(world)
    rate_online(links, level=2)
    with pytest.raises(services.RatingLinkGone) as gone:
        rate_online(links, level=5)
    assert (gone.value.status, gone.value.code) == (410, "rating_link_used")
    assert Rating.objects.count() == 1


def test_an_expired_token_is_gone_and_nothing_is_saved(world):
    case, links = concluded_case(world)
    RatingToken.objects.filter(case=case, channel="online").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(services.RatingLinkGone) as gone:
        rate_online(links, level=1)
    assert (gone.value.status, gone.value.code) == (410, "rating_link_expired")
    assert not Rating.objects.exists()


def test_an_unknown_token_is_not_found(world):
    concluded_case(world)
    for token in ("", "short", "x" * 43, "y" * 200):
        with pytest.raises(services.RatingLinkUnknown):
            services.rating_submit(channel="online", token=token, level=1)
    assert not Rating.objects.exists()


def test_the_sms_token_rates_only_the_sms_channel(world):
    _case, links = concluded_case(world, phone=MOBILE)
    with pytest.raises(services.RatingLinkUnknown):
        services.rating_submit(channel="online", token=token_of(links["sms"]), level=1)
    rating = services.rating_submit(channel="sms", token=token_of(links["sms"]), level=1)
    assert rating.channel == "sms"


def test_the_counter_device_for_counter_staff_of_the_agency_only(world):
    case, _links = concluded_case(world)
    # Another agency's clerk, a leader and an overseer may not use it
    for who in ("stranger", "leader", "overseer"):
        with pytest.raises(NotAllowed):
            services.rating_submit(channel="counter", case=case, actor=world[who], level=1)
    with pytest.raises(NotAllowed):
        services.rating_submit(channel="counter", case=case, actor=None, level=1)
    assert not Rating.objects.exists()
    # A clerk of another section of the same agency works the counter too
    rating = services.rating_submit(
        channel="counter", case=case, actor=world["other_clerk"], level=3, reasons=["unclear"]
    )
    assert (rating.channel, rating.level, rating.bad) == ("counter", 3, False)


def test_a_second_rating_on_the_same_channel_is_refused_another_channel_is_not(world):
    case, links = concluded_case(world)
    services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=1)
    with pytest.raises(Conflict) as again:
        services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=5)
    assert again.value.code == "already_rated"
    assert Rating.objects.filter(case=case).count() == 1
    rate_online(links, level=2)
    assert sorted(Rating.objects.filter(case=case).values_list("channel", flat=True)) == [
        "counter",
        "online",
    ]


def test_a_case_not_concluded_cannot_be_rated(world):
    case, _links = concluded_case(world, conclude=False)
    with pytest.raises(Conflict) as refused:
        services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=1)
    assert refused.value.code == "case_not_concluded"
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"level": 0}, "level_invalid"),
        ({"level": 6}, "level_invalid"),
        ({"level": "很好"}, "level_invalid"),
        ({"level": True}, "level_invalid"),
        ({"level": 1, "reasons": ["bribery"]}, "reason_unknown"),
        ({"level": 1, "reasons": "slow"}, "reason_invalid"),
        ({"level": 1, "reasons": ["slow"]}, "reason_side"),
        ({"level": 5, "reasons": ["efficient"]}, "reason_side"),
        ({"level": 2, "comment": "很" * 501}, "comment_too_long"),
        ({"level": 2, "comment": "bad\x00text"}, "comment_invalid"),
        ({"level": 2, "real_name": True}, "rater_name_required"),
        ({"level": 2, "real_name": True, "rater_name": "赵" * 51}, "rater_name_too_long"),
        ({"level": 2, "real_name": "yes"}, "real_name_invalid"),
        ({"level": 2, "real_name": True, "rater_name": "赵市民", "rater_phone": "12345"}, None),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, extra, code):
    case, links = concluded_case(world)
    with pytest.raises(InvalidInput) as refused:
        services.rating_submit(channel="online", token=token_of(links["online"]), **extra)
    if code:
        assert refused.value.code == code
    assert str(refused.value.message)
    assert not Rating.objects.exists()
    assert RatingToken.objects.get(case=case, channel="online").used_at is None


def test_the_rating_day_is_never_in_the_future_nor_before_the_conclusion(world):
    _case, links = concluded_case(world)
    with pytest.raises(InvalidInput):
        rate_online(links, on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(InvalidInput):
        services.rating_submit(
            channel="online", token=token_of(links["online"]), level=1, on=date(2026, 9, 27)
        )
    assert not Rating.objects.exists()


def test_a_real_name_rating_keeps_the_name_and_the_phone_encrypted(world):
    _case, links = concluded_case(world)
    rating = rate_online(
        links, level=5, real_name=True, rater_name=" 赵市民 ", rater_phone="13900001111"
    )
    rating.refresh_from_db()
    assert rating.real_name is True
    assert rating.rater_name == "赵市民"
    assert str(rating.rater_phone) == "139****1111"
    assert rating.rater_phone.decrypt() == "13900001111"


def test_an_anonymous_rating_keeps_no_name_or_phone(world):
    _case, links = concluded_case(world)
    rating = rate_online(links, level=1, rater_name="赵市民", rater_phone="13900001111")
    rating.refresh_from_db()
    assert (rating.real_name, rating.rater_name, rating.rater_phone) == (False, "", "")


def test_a_duplicate_slipping_past_the_check_is_stopped_by_the_constraint(world, monkeypatch):
    # Given a first counter rating, and a check that (as under a race) does not see it
    case, _links = concluded_case(world)
    services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=1)
    real_filter = Rating.objects.filter

    class Blind:
        def exists(self):
            return False

    def filter_(*args, **kwargs):
        if kwargs.get("channel") == "counter" and "case" in kwargs:
            return Blind()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Rating.objects, "filter", filter_)
    # When a second one is written, the unique constraint refuses it: 409, nothing half-saved
    with pytest.raises(Conflict) as refused:
        services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=5)
    assert refused.value.code == "already_rated"
    monkeypatch.undo()
    assert Rating.objects.filter(case=case).count() == 1
    assert not BadReviewFollowUp.objects.exists()
