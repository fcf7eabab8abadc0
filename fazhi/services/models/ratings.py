"""好差评: ratings of cases, the one-time rating links, the bad-review loop and appeals.

- `Rating`: one per case and channel (counter device, online link, SMS link), five levels;
  不满意 and 非常不满意 are bad reviews (差评), which open the loop.
- `RatingToken`: a one-time link for the online or SMS channel; only the SHA-256 of the token is
  stored, so a copy of the database cannot be used to rate.
- `BadReviewFollowUp` (差评整改): call back within `callback_due_on`, verify, fix by
  `fix_due_on` (working days from the agency settings), answer the rater. A complex fix opens a
  finding in the oversight loop (`finding_ref`).
- `RatingAppeal` (申诉复核): the department asks to exclude a malicious or mistaken review; only
  an approval excludes it (`Rating.excluded`), and both steps are audit events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.models import Agency
from fazhi.core.workflow import WorkflowModel

FOLLOW_UP = "services.follow_up_rating"


class RatingChannel(models.TextChoices):
    COUNTER = "counter", _("窗口评价器")
    ONLINE = "online", _("网上评价")
    SMS = "sms", _("短信评价")


class RatingLevel(models.IntegerChoices):
    """The five national levels; 4 and 5 are bad reviews (差评), 3 is 中评, 1 and 2 好评."""

    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)
GOOD_LEVELS = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)


class Rating(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "services.ServiceCase",
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    channel = models.CharField(_("评价渠道"), max_length=20, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    # Codes of the reasons chosen from the agency's list (see services/ratings.py).
    reasons = models.JSONField(_("评价原因"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    real_name = models.BooleanField(_("实名评价"), default=False)
    rater_name = models.CharField(_("评价人"), max_length=50, blank=True)
    rater_phone = EncryptedIdentifierField(_("评价人联系电话"), kind=Kind.PHONE, blank=True)
    rater_phone_hash = LookupHashField(source="rater_phone")
    # Copied from the case: statistics per item, department, center and month need no join.
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey(
        "services.ServiceCenter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rated_on = models.DateField(_("评价日期"))
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    bad = models.BooleanField(_("差评"), default=False)
    # Set only by an approved appeal: the rating stays on record but leaves the statistics.
    excluded = models.BooleanField(_("已剔除"), default=False)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_on", "-pk"]
        indexes = [
            models.Index(fields=["agency", "rated_on"], name="services_rating_day"),
            models.Index(fields=["agency", "department", "rated_on"], name="services_rating_dept"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="services_rating_one"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="services_rating_level"
            ),
            models.CheckConstraint(
                condition=Q(bad=True, level__gte=4) | Q(bad=False, level__lte=3),
                name="services_rating_bad_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(real_name=False) | ~Q(rater_name=""),
                name="services_rating_real_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_channel_display()}"


class RatingToken(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "services.ServiceCase", on_delete=models.CASCADE, related_name="rating_tokens"
    )
    channel = models.CharField(_("评价渠道"), max_length=20, choices=RatingChannel.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价链接")
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="services_rating_token_one"),
            models.CheckConstraint(
                condition=~Q(channel="counter"), name="services_rating_token_not_counter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_channel_display()}"


class BadReviewFollowUp(WorkflowModel):
    """差评整改: one per bad review, on the working-day clock."""

    class State(models.TextChoices):
        AWAITING_CALLBACK = "awaiting_callback", _("待回访")
        VERIFYING = "verifying", _("待核实")
        RECTIFYING = "rectifying", _("整改中")
        ANSWERED = "answered", _("已反馈")

    class Verdict(models.TextChoices):
        VALID = "valid", _("情况属实，需整改")
        EXPLAINED = "explained", _("无法律依据或属误解，解释说明")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up")
    # Copied from the rating: "谁办理、谁负责" — the department that handled the case.
    department = models.ForeignKey(
        "core.Department", verbose_name=_("责任处室"), on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(
        _("状态"), default=State.AWAITING_CALLBACK, choices=State.choices, protected=True
    )
    callback_due_on = models.DateField(_("回访期限"))
    fix_due_on = models.DateField(_("整改期限"))
    called_back_on = models.DateField(_("回访日期"), null=True, blank=True)
    callback_note = models.TextField(_("回访情况"), blank=True)
    verdict = models.CharField(_("核实结论"), max_length=20, choices=Verdict.choices, blank=True)
    verification_note = models.TextField(_("核实情况"), blank=True)
    fix_note = models.TextField(_("整改情况"), blank=True)
    # "oversight.finding:<id>" when a complex fix went into the rectification loop.
    finding_ref = models.CharField(_("整改督办问题"), max_length=80, blank=True)
    answer = models.TextField(_("反馈评价人内容"), blank=True)
    answered_on = models.DateField(_("反馈日期"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["callback_due_on", "pk"]
        indexes = [models.Index(fields=["agency", "state"], name="services_followup_state")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="answered") | (~Q(answer="") & Q(answered_on__isnull=False)),
                name="services_followup_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"差评整改 {self.rating.case}"


class RatingAppeal(models.Model):
    """申诉复核: a request to exclude a malicious or mistaken review, decided with approval."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意剔除")
        REJECTED = "rejected", _("不予剔除")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    evidence = models.ManyToManyField(
        "files.StoredFile", verbose_name=_("佐证材料"), blank=True, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            # One appeal under review at a time per rating.
            models.UniqueConstraint(
                fields=["rating"], condition=Q(state="pending"), name="services_appeal_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"差评申诉 {self.rating}"
