"""好差评: the one-time rating links, the rating itself (every channel), and texts to citizens.

Rules of the area (the bad-review loop and appeals are in `rating_followups.py`):
- `rating_invite` (called by the cases service in the transaction in which a case becomes
  已办结) issues one link per channel not yet rated: online always, SMS when the applicant's
  phone is a mainland mobile. A link is `secrets.token_urlsafe(32)`; only its SHA-256 is
  stored (`RatingToken`), valid for `services.rating_link_days` calendar days; issuing a
  channel again replaces its unused link. The SMS goes out after commit (`RatingSms`).
- `rating_submit` is the one way a rating is made, for the counter device (staff of the case's
  agency at the counter) and for both links (the token names the case and the channel). The
  case must be 已办结 or 已送达; one rating per case and channel (the unique constraint decides
  under concurrency); item, department and center are copied from the case. A bad review
  (不满意/非常不满意) opens its `BadReviewFollowUp` in the same transaction, due dates on the
  working-day calendar, and tells the department's head and clerks.
- A link works once: unknown → 404, used or expired → 410, and nothing is saved.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fazhi.celery import app
from fazhi.core import agency_settings, audit
from fazhi.core.calendar import add_workdays, format_day
from fazhi.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from fazhi.core.identity.masking import mask_phone
from fazhi.core.identity.protected import Protected
from fazhi.core.models import Membership
from fazhi.core.notify import conf as notify_conf
from fazhi.core.notify import sms
from fazhi.core.notify.delivery import SMS_MAX_CHARS, retry_delay
from fazhi.core.notify.services import notify
from fazhi.core.roles import Role
from fazhi.services.models import ServiceCase
from fazhi.services.models.ratings import (
    BAD_LEVELS,
    REASON_LABELS,
    BadReviewFollowUp,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingSms,
    RatingToken,
    reasons_for_level,
)
from fazhi.services.permissions import ratings as perms
from fazhi.services.services import _common

logger = logging.getLogger("fazhi.services.ratings")

LINK_CHANNELS = (RatingChannel.ONLINE, RatingChannel.SMS)
RATEABLE_STATES = (ServiceCase.State.CONCLUDED, ServiceCase.State.DELIVERED)
COMMENT_MAX = 500
NAME_MAX = 50
TOKEN_BYTES = 32
# A staff member may send a case's SMS link again, but not flood the applicant's phone.
SMS_LINKS_PER_DAY = 3
SWEEP_NAME = "services.bad_reviews_due"
APPEAL_EVIDENCE = "services_rating_appeal"
APPEAL_EVIDENCE_MB = 20
RATER = _lazy("评价人")


class RatingLinkUnknown(DomainError):
    """No link with this token (mistyped, or replaced by a newer one): 404."""

    code = "rating_link_unknown"
    status = 404
    default_message = _lazy("评价链接无效，请核对短信或办件回执上的链接。")


class RatingLinkGone(DomainError):
    """The link was used or has expired: 410."""

    code = "rating_link_gone"
    status = 410
    default_message = _lazy("该评价链接已失效。")


# --- Registrations --------------------------------------------------------------------------


def ready() -> None:
    """What the ratings area plugs in: the appeal evidence file use, the sweep of the loop's
    deadlines, the 待办 of departments and of the legal office, and the evaluation indicator
    `service_satisfaction`. Called once from the services app's ready()."""
    from fazhi.core.files.conf import MB
    from fazhi.core.files.uses import register_use
    from fazhi.core.notify.sweeps import register_sweep
    from fazhi.oversight.indicators import Indicator, get_indicator, register_indicator
    from fazhi.oversight.models.evaluation import UnitKind
    from fazhi.services.selectors import ratings as selectors
    from fazhi.services.services import rating_followups
    from fazhi.workspace.tasks import provider

    register_use(
        APPEAL_EVIDENCE,
        label=_lazy("差评申诉佐证材料"),
        allowed_types={"pdf", "jpeg", "png", "docx"},
        max_bytes=APPEAL_EVIDENCE_MB * MB,
        can_read=rating_followups.may_read_appeal_evidence,
    )
    register_sweep(SWEEP_NAME, rating_followups.bad_reviews_due_sweep)
    provider(selectors.rating_tasks)
    if get_indicator("service_satisfaction") is None:
        register_indicator(
            Indicator(
                key="service_satisfaction",
                label=_lazy("政务服务满意率"),
                unit_kinds=(UnitKind.DEPARTMENT, UnitKind.SUBDISTRICT),
                compute=selectors.satisfaction_indicator,
                description=_lazy(
                    "期间内的好差评（经申诉复核剔除的不计）：（非常满意＋满意＋基本满意）"
                    "÷ 评价总数 × 100；街道/镇按受理中心所在街道/镇计，网上办理无受理中心的"
                    "不计入街道/镇。"
                ),
                basis_labels={
                    "rated": _lazy("评价总数"),
                    "satisfied": _lazy("满意（含基本满意）"),
                    "bad": _lazy("差评"),
                },
            )
        )


# --- Shared helpers -------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(str(token or "").encode()).hexdigest()


def rating_path(token: str) -> str:
    return reverse("services_public:rate", args=[token])


def is_rateable(case) -> bool:
    return case.state in RATEABLE_STATES


def case_mobile(case) -> str:
    """The applicant's number when it is a mainland mobile (SMS can reach it), else ""."""
    return _mobile(case.phone)


def _mobile(value) -> str:
    if not value:
        return ""
    try:
        text = value.decrypt() if isinstance(value, Protected) else str(value)
    except DomainError:  # the key that encrypted it is gone: no SMS, nothing else breaks
        logger.warning("A stored phone number could not be read for an SMS")
        return ""
    return text if sms.is_valid_phone(text) else ""


def _rater_name() -> str:
    return str(RATER)


def _expect_rateable(case) -> None:
    if not is_rateable(case):
        raise Conflict(
            _("办件“%(number)s”当前为“%(state)s”，办结后才能评价。")
            % {"number": case.case_number, "state": case.get_state_display()},
            code="case_not_concluded",
        )


def _department_people(agency_id: int, department_id: int, roles) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(agency_id=agency_id, department_id=department_id, role__in=list(roles))
        .select_related("user")
        .order_by("pk")
    ]


# --- Links ----------------------------------------------------------------------------------


def _issue(case, channel: str, now: datetime) -> tuple[str, RatingToken] | None:
    """A new link for the channel (replacing an unused one); None when it was used.

    Caller holds a transaction; the token row is locked."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    days = int(agency_settings.get(case.agency, "services.rating_link_days"))
    expires_at = now + timedelta(days=days)
    row = RatingToken.objects.select_for_update().filter(case=case, channel=channel).first()
    if row is not None:
        if row.used_at is not None:
            return None
        row.token_hash = token_hash(raw)
        row.expires_at = expires_at
        row.save(update_fields=["token_hash", "expires_at"])
        return raw, row
    try:
        with transaction.atomic():
            row = RatingToken.objects.create(
                agency_id=case.agency_id,
                case=case,
                channel=channel,
                token_hash=token_hash(raw),
                expires_at=expires_at,
            )
    except IntegrityError:
        raise Conflict(
            _("评价链接正在由他人生成，请刷新后重试。"), code="rating_link_busy"
        ) from None
    return raw, row


def rating_invite(case, *, actor=None) -> dict[str, str]:
    """Issue the one-time rating links (online, SMS) of a concluded case.

    Called by the cases service when a case concludes, inside its transaction (the case row
    is locked by the caller). Returns {channel: path of the rating page} for the channels
    issued: a channel already rated gets no link, SMS only for a mainland mobile. The SMS
    itself is sent after commit.
    """
    _expect_rateable(case)
    now = timezone.now()
    links: dict[str, str] = {}
    mobile = case_mobile(case)
    with transaction.atomic():
        rated = set(Rating.objects.filter(case=case).values_list("channel", flat=True))
        for channel in LINK_CHANNELS:
            if channel in rated or (channel == RatingChannel.SMS and not mobile):
                continue
            issued = _issue(case, channel, now)
            if issued is None:
                continue
            raw, row = issued
            links[str(channel)] = rating_path(raw)
            if channel == RatingChannel.SMS:
                _queue_link_sms(case, row, raw, mobile)
        audit.record(
            "services.rating.invite",
            actor=actor,
            agency=case.agency,
            target=case,
            data={"channels": sorted(links)},
        )
    return links


def rating_link_resend(*, actor, case, channel: str, request=None) -> dict:
    """Staff issue a channel's link again (a lost receipt, an SMS not received): the unused
    link is replaced. Returns {"channel", "path"} ("path" only for the online link, which the
    staff hand over; the SMS link goes only to the applicant's phone)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perms.SEND_LINK, case):
        raise NotAllowed(_("只有本机关的窗口工作人员可以发送评价链接。"), code="not_allowed")
    if channel not in LINK_CHANNELS:
        raise InvalidInput(_("请选择网上评价或短信评价。"), code="channel_invalid")
    now = timezone.now()
    with transaction.atomic():
        locked = ServiceCase.objects.select_for_update().select_related("agency").get(pk=case.pk)
        _expect_rateable(locked)
        if Rating.objects.filter(case=locked, channel=channel).exists():
            raise Conflict(_("该渠道已评价，不能再发送评价链接。"), code="already_rated")
        mobile = ""
        if channel == RatingChannel.SMS:
            mobile = case_mobile(locked)
            if not mobile:
                raise InvalidInput(
                    _("申请人未登记手机号码，不能发送短信评价链接。"), code="no_mobile"
                )
            today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            sent_today = RatingSms.objects.filter(
                case=locked, kind=RatingSms.Kind.LINK, created_at__gte=today_start
            ).count()
            if sent_today >= SMS_LINKS_PER_DAY:
                raise Conflict(
                    _("今天已向申请人发送 %(n)d 次评价短信，请明天再试。")
                    % {"n": SMS_LINKS_PER_DAY},
                    code="sms_limit",
                )
        issued = _issue(locked, channel, now)
        if issued is None:
            raise Conflict(_("该渠道已评价，不能再发送评价链接。"), code="already_rated")
        raw, row = issued
        if channel == RatingChannel.SMS:
            _queue_link_sms(locked, row, raw, mobile)
        audit.record(
            "services.rating.link_resend",
            actor=actor,
            agency=locked.agency,
            target=locked,
            request=request,
            data={"channel": channel},
        )
    result = {"channel": channel, "path": ""}
    if channel == RatingChannel.ONLINE:
        result["path"] = rating_path(raw)
    else:
        result["sent_to"] = mask_phone(mobile)
    return result


@dataclass(frozen=True)
class LinkState:
    """What a token opens: the token row (locked when asked) or why it opens nothing."""

    token: RatingToken | None
    error: DomainError | None


def link_state(token: str, *, lock: bool = False, now: datetime | None = None) -> LinkState:
    """Resolve a token without revealing more than valid / used / expired / unknown."""
    now = now or timezone.now()
    rows = RatingToken.objects.select_related(
        "case", "case__agency", "case__item", "case__department", "case__center"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    text = str(token or "")
    row = rows.filter(token_hash=token_hash(text)).first() if 20 <= len(text) <= 100 else None
    if row is None:
        return LinkState(None, RatingLinkUnknown())
    if row.used_at is not None:
        return LinkState(
            row,
            RatingLinkGone(
                _("该评价链接已经使用过，每个链接只能评价一次。"), code="rating_link_used"
            ),
        )
    if row.expires_at <= now:
        return LinkState(
            row,
            RatingLinkGone(
                _("该评价链接已于%(day)s过期。")
                % {"day": format_day(timezone.localdate(row.expires_at))},
                code="rating_link_expired",
            ),
        )
    return LinkState(row, None)


# --- Rating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    level: int
    reasons: list[str]
    comment: str
    real_name: bool
    rater_name: str
    rater_phone: str


def _level(value) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in RatingLevel.values:
        raise InvalidInput(
            _("请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。"),
            code="level_invalid",
        )
    return value


def _reasons(value, level: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise InvalidInput(_("评价原因格式不正确。"), code="reason_invalid")
    codes = []
    for code in value:
        if not isinstance(code, str) or code not in REASON_LABELS:
            raise InvalidInput(_("评价原因不在可选范围内。"), code="reason_unknown")
        if code not in codes:
            codes.append(code)
    allowed = reasons_for_level(level)
    wrong = [code for code in codes if code not in allowed]
    if wrong:
        raise InvalidInput(
            _("“%(reason)s”与所选评价等级不符。") % {"reason": REASON_LABELS[wrong[0]]},
            code="reason_side",
        )
    return codes


def clean_rating_input(
    *, level, reasons=(), comment="", real_name=False, rater_name="", rater_phone=""
) -> RatingInput:
    """Check what a rater typed; raises InvalidInput with a Chinese message."""
    level = _level(level)
    codes = _reasons(reasons, level)
    comment = _common.text(
        comment, _("评价内容"), limit=COMMENT_MAX, code="comment", required=False
    )
    if not isinstance(real_name, bool):
        raise InvalidInput(_("请选择实名或匿名评价。"), code="real_name_invalid")
    name = phone = ""
    if real_name:
        name = _common.text(rater_name, _("评价人姓名"), limit=NAME_MAX, code="rater_name")
        phone = str(rater_phone or "").strip()
        if len(phone) > 30:
            raise InvalidInput(_("联系电话格式不正确。"), code="rater_phone_invalid")
    return RatingInput(level, codes, comment, real_name, name, phone)


def _rated_on(on, case, today: date) -> date:
    if on is None:
        return today
    if not isinstance(on, date) or isinstance(on, datetime):
        raise InvalidInput(_("评价日期格式不正确。"), code="rated_on_invalid")
    if on > today:
        raise InvalidInput(_("评价日期不能晚于今天。"), code="rated_on_future")
    if case.concluded_on and on < case.concluded_on:
        raise InvalidInput(_("评价日期不能早于办结日期。"), code="rated_on_before_concluded")
    return on


def rating_submit(
    *,
    channel: str,
    level,
    reasons=(),
    comment: str = "",
    real_name: bool = False,
    rater_name: str = "",
    rater_phone: str = "",
    case=None,
    token: str = "",
    actor=None,
    on: date | None = None,
    request=None,
) -> Rating:
    """Record one rating; returns it (with `follow_up` for a bad review).

    Counter channel: `case` and `actor` (counter staff of the case's agency) are required.
    Online and SMS: `token` names the case and the channel (the channel given must match).
    `on` is the rating day (today unless the demo rates a past day). Raises NotAllowed,
    InvalidInput, Conflict (case not concluded, channel already rated), RatingLinkUnknown
    (404) or RatingLinkGone (410); nothing is written then.
    """
    if channel not in RatingChannel.values:
        raise InvalidInput(_("评价渠道不正确。"), code="channel_invalid")
    if channel == RatingChannel.COUNTER:
        if case is None:
            raise InvalidInput(_("请选择办件。"), code="case_required")
        if not getattr(actor, "is_authenticated", False) or not actor.has_perm(
            perms.RATE_AT_COUNTER, case
        ):
            raise NotAllowed(
                _("只有本机关的窗口工作人员可以使用窗口评价器。"), code="not_counter_staff"
            )
    else:
        found = link_state(token)
        if found.error is not None:
            raise found.error
        if found.token.channel != channel:
            raise RatingLinkUnknown()
    values = clean_rating_input(
        level=level,
        reasons=reasons,
        comment=comment,
        real_name=real_name,
        rater_name=rater_name,
        rater_phone=rater_phone,
    )
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        link = None
        if channel != RatingChannel.COUNTER:
            found = link_state(token, lock=True, now=now)
            if found.error is not None:
                raise found.error
            link = found.token
            case = link.case
        locked = (
            ServiceCase.objects.select_for_update(of=("self",))
            .select_related("agency", "item", "department", "center")
            .get(pk=case.pk)
        )
        _expect_rateable(locked)
        rated_on = _rated_on(on, locked, today)
        if Rating.objects.filter(case=locked, channel=channel).exists():
            raise _already_rated(channel)
        rating = Rating(
            agency_id=locked.agency_id,
            case=locked,
            channel=channel,
            level=values.level,
            reasons=values.reasons,
            comment=values.comment,
            real_name=values.real_name,
            rater_name=values.rater_name,
            item_id=locked.item_id,
            department_id=locked.department_id,
            center_id=locked.center_id,
            rated_on=rated_on,
            bad=values.level in BAD_LEVELS,
        )
        # Assigning validates the number (InvalidInput for one that is not a phone number).
        rating.rater_phone = values.rater_phone
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError:
            # Two ratings of the same case and channel at once: the constraint let one in.
            raise _already_rated(channel) from None
        if link is not None:
            link.used_at = now
            link.save(update_fields=["used_at"])
        audit.record(
            "services.rating.submit",
            actor=actor if channel == RatingChannel.COUNTER else None,
            actor_name="" if channel == RatingChannel.COUNTER else _rater_name(),
            agency=locked.agency,
            target=rating,
            request=request,
            data={
                "case": locked.pk,
                "channel": channel,
                "level": values.level,
                "bad": rating.bad,
                "reasons": values.reasons,
                "real_name": values.real_name,
                "rated_on": rated_on.isoformat(),
            },
        )
        if rating.bad:
            rating.follow_up = _open_follow_up(rating, locked, actor, request)
    return rating


def _already_rated(channel: str) -> Conflict:
    return Conflict(
        _("该办件已通过“%(channel)s”评价过，每个渠道只能评价一次。")
        % {"channel": RatingChannel(channel).label},
        code="already_rated",
    )


def _open_follow_up(rating: Rating, case, actor, request) -> BadReviewFollowUp:
    agency = case.agency
    callback_days = int(agency_settings.get(agency, "services.callback_workdays"))
    fix_days = int(agency_settings.get(agency, "services.fix_workdays"))
    follow_up = BadReviewFollowUp.objects.create(
        agency=agency,
        rating=rating,
        department_id=rating.department_id,
        callback_due_on=add_workdays(rating.rated_on, callback_days),
        fix_due_on=add_workdays(rating.rated_on, fix_days),
    )
    audit.record(
        "services.follow_up.open",
        actor=actor if rating.channel == RatingChannel.COUNTER else None,
        actor_name="" if rating.channel == RatingChannel.COUNTER else _rater_name(),
        agency=agency,
        target=follow_up,
        to_state=follow_up.state,
        request=request,
        data={
            "rating": rating.pk,
            "department": rating.department_id,
            "callback_due_on": follow_up.callback_due_on.isoformat(),
            "fix_due_on": follow_up.fix_due_on.isoformat(),
        },
    )
    level = RatingLevel(rating.level).label
    notify(
        recipients=_department_people(
            agency.pk, rating.department_id, (Role.DEPARTMENT_HEAD, Role.CLERK)
        ),
        kind="services_bad_review",
        title=_("差评待回访：%(item)s（%(level)s），请于%(day)s前回访")
        % {
            "item": case.item.name[:60],
            "level": level,
            "day": format_day(follow_up.callback_due_on),
        },
        body=_("办件 %(number)s；评价内容：%(comment)s")
        % {"number": case.case_number, "comment": rating.comment[:300] or "—"},
        url=reverse("services:rating", args=[rating.pk]),
        target=follow_up,
        agency=agency,
        dedupe_key=f"services.follow_up.open:{follow_up.pk}",
    )
    return follow_up


# --- Texts to citizens (RatingSms) ----------------------------------------------------------


def _agency_label(agency) -> str:
    return agency.short_name or agency.name


def _link_text(case, token: str) -> str:
    days = int(agency_settings.get(case.agency, "services.rating_link_days"))
    url = notify_conf.site_url() + rating_path(token)
    return _(
        "【%(agency)s】您办理的“%(item)s”已办结，请对我们的服务作出评价：%(url)s "
        "（%(days)d天内有效，仅可评价一次）"
    ) % {
        "agency": _agency_label(case.agency),
        "item": case.item.name[:30],
        "url": url,
        "days": days,
    }


def _answer_text(follow_up) -> str:
    rating = follow_up.rating
    text = _("【%(agency)s】关于您对“%(item)s”的评价，我们的答复：%(answer)s") % {
        "agency": _agency_label(follow_up.agency),
        "item": rating.item.name[:30],
        "answer": follow_up.answer,
    }
    return text[:SMS_MAX_CHARS]


def _queue_link_sms(case, row: RatingToken, raw: str, mobile: str) -> RatingSms:
    message = RatingSms.objects.create(
        agency_id=case.agency_id,
        kind=RatingSms.Kind.LINK,
        case=case,
        token=row,
        token_hash=row.token_hash,
        phone_masked=mask_phone(mobile),
    )
    transaction.on_commit(lambda: send_rating_sms.delay(message.pk, raw))
    return message


def queue_answer_sms(follow_up) -> RatingSms | None:
    """After the answer: a text to the rater's phone when they left a mobile number."""
    rating = follow_up.rating
    mobile = _mobile(rating.rater_phone) if rating.real_name else ""
    if not mobile:
        return None
    message = RatingSms.objects.create(
        agency_id=follow_up.agency_id,
        kind=RatingSms.Kind.ANSWER,
        case_id=rating.case_id,
        follow_up=follow_up,
        phone_masked=mask_phone(mobile),
    )
    transaction.on_commit(lambda: send_rating_sms.delay(message.pk, ""))
    return message


@dataclass(frozen=True)
class SmsOutcome:
    status: str
    retry_in: int | None = None


def _compose(message: RatingSms, token: str, now: datetime) -> tuple[str, str] | None:
    """(phone, text) of the message, or None when it should no longer go out."""
    if message.kind == RatingSms.Kind.LINK:
        row = message.token
        if (
            row is None
            or row.token_hash != message.token_hash
            or token_hash(token) != message.token_hash
            or row.used_at is not None
            or row.expires_at <= now
        ):
            return None
        case = message.case
        phone = case_mobile(case)
        return (phone, _link_text(case, token)) if phone else None
    follow_up = message.follow_up
    rating = follow_up.rating
    phone = _mobile(rating.rater_phone) if rating.real_name else ""
    if not phone or not follow_up.answer:
        return None
    return phone, _answer_text(follow_up)


def sms_send_now(message_id: int, token: str = "", *, final: bool = False) -> SmsOutcome:
    """Attempt one text, at most once however often the task runs (the row is locked and
    sent only while pending). `final`: no later attempt will come (eager mode), so a refusal
    marks it failed at once. The caller must not hold a transaction."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            RatingSms.objects.select_for_update(of=("self",))
            .select_related(
                "token",
                "case",
                "case__agency",
                "case__item",
                "follow_up",
                "follow_up__agency",
                "follow_up__rating",
                "follow_up__rating__item",
            )
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != RatingSms.Status.PENDING:
            return SmsOutcome(message.status if message else "missing")
        composed = _compose(message, token, now)
        if composed is None:
            message.status = RatingSms.Status.SKIPPED
            message.save(update_fields=["status", "updated_at"])
            return SmsOutcome(message.status)
        phone, text = composed
        message.attempts += 1
        try:
            message.message_id = (sms.gateway().send(phone, text) or "")[:200]
        except Exception as exc:  # any refusal of the gateway is retried
            logger.warning(
                "Rating SMS %s to %s attempt %s failed: %s",
                message.pk,
                message.phone_masked,
                message.attempts,
                exc.__class__.__name__,
            )
            message.error = f"{exc.__class__.__name__}: {exc}"[:200]
            if final or message.attempts >= notify_conf.max_attempts():
                message.status = RatingSms.Status.FAILED
                message.save(update_fields=["status", "attempts", "error", "updated_at"])
                return SmsOutcome(message.status)
            message.save(update_fields=["attempts", "error", "updated_at"])
            return SmsOutcome(message.status, retry_in=retry_delay(message.attempts))
        message.status = RatingSms.Status.SENT
        message.sent_at = now
        message.error = ""
        message.save(
            update_fields=["status", "attempts", "message_id", "sent_at", "error", "updated_at"]
        )
        logger.info("Rating SMS %s sent to %s", message.pk, message.phone_masked)
        return SmsOutcome(message.status)


@app.task(bind=True, name="fazhi.services.rating_sms", acks_late=True, max_retries=None)
def send_rating_sms(self, message_id: int, token: str = "") -> str:
    """Send one RatingSms; on a worker a refused attempt comes back after the back-off of core
    notify deliveries. Run eagerly (one machine) there is no worker to come back later: one
    attempt, and staff see "发送失败" on the case and may send the link again."""
    eager = bool(self.request.is_eager)
    outcome = sms_send_now(message_id, token, final=eager)
    if outcome.retry_in is not None and not eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


# --- Export ---------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFINITIONS = _lazy(
    "满意率 =（非常满意＋满意＋基本满意）÷ 评价总数 × 100；差评 = 不满意＋非常不满意；"
    "差评整改率 = 已反馈评价人的差评 ÷ 差评 × 100；实名差评回访率 = 已回访的实名差评 ÷ 实名差评"
    " × 100。百分比保留两位小数（四舍五入）；经申诉复核剔除的评价不计入。"
)


def figures_export(*, actor, figures, request=None) -> bytes:
    """满意度统计 as XLSX: the rows shown on the page with the definitions; numbers as
    numbers, text cells never starting = + - @ (neutralised). Exporting is an event."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from fazhi.services.selectors.ratings import DIMENSIONS

    book = Workbook()
    sheet = book.active
    sheet.title = "满意度统计"
    bold = Font(bold=True)

    def put(row: int, column: int, value, *, strong: bool = False) -> None:
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = _common.neutralise(value)
            cell.data_type = "s"
        else:
            cell.value = float(value) if value is not None and not isinstance(value, int) else value
        if strong:
            cell.font = bold

    put(
        1,
        1,
        _("%(agency)s %(year)d年好差评满意度统计（按%(by)s）")
        % {"agency": figures.agency.name, "year": figures.year, "by": DIMENSIONS[figures.by]},
        strong=True,
    )
    put(2, 1, str(DEFINITIONS))
    header = [
        str(DIMENSIONS[figures.by]),
        _("评价总数"),
        *[str(label) for label in RatingLevel.labels],
        _("满意率（%）"),
        _("差评数"),
        _("已反馈差评"),
        _("差评整改率（%）"),
        _("实名差评"),
        _("已回访实名差评"),
        _("实名差评回访率（%）"),
    ]
    for column, text in enumerate(header, start=1):
        put(4, column, str(text), strong=True)
    for offset, row in enumerate([*figures.rows, figures.total]):
        values = [
            row.label,
            row.total,
            *row.level_counts,
            row.satisfaction_rate,
            row.bad,
            row.answered,
            row.fix_rate,
            row.real_bad,
            row.real_called,
            row.callback_rate,
        ]
        for column, value in enumerate(values, start=1):
            put(5 + offset, column, value, strong=row is figures.total)
    out = io.BytesIO()
    book.save(out)
    audit.record(
        "services.rating.export",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=figures.agency,
        request=request,
        data={"year": figures.year, "by": figures.by, "rows": len(figures.rows)},
    )
    return out.getvalue()
