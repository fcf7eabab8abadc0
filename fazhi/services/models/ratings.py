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
- `RatingSms`: the outbox of texts to citizens (the rating link, the answer to a bad review):
  one row per text, sent at most once after commit, retried like core notify deliveries; it
  keeps only the masked number (the full one is read from the case or the rating to send).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from fazhi.core.identity.fields import EncryptedIdentifierField, LookupHashField
from fazhi.core.identity.kinds import Kind
from fazhi.core.models import Agency
from fazhi.core.workflow import Action, Guard, Workflow, WorkflowModel

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
# 满意率 counts these as satisfied: 非常满意, 满意 and 基本满意 (中评 is not a bad review).
SATISFIED_LEVELS = (
    RatingLevel.VERY_SATISFIED,
    RatingLevel.SATISFIED,
    RatingLevel.BASICALLY_SATISFIED,
)

# The reasons a rater may tick, a fixed list per side (codes are stored in `Rating.reasons`).
# 非常满意/满意 take the good list, 不满意/非常不满意 the bad list; 基本满意 (中评) may say what
# was good and what could be better, so it takes either.
GOOD_REASONS = (
    ("attitude_good", _("服务态度热情")),
    ("efficient", _("办事效率高")),
    ("clear_guidance", _("一次告知清楚")),
    ("convenient", _("办事方便快捷")),
    ("fair", _("办事公正规范")),
    ("environment_good", _("窗口环境舒适")),
)
BAD_REASONS = (
    ("attitude_bad", _("服务态度差")),
    ("slow", _("办理时间长或超期")),
    ("unclear", _("告知不清楚，多次跑动")),
    ("too_many_materials", _("材料要求繁琐")),
    ("unreasonable_rules", _("政策规定不合理")),
    ("system_trouble", _("系统操作不便")),
    ("other", _("其他")),
)
REASON_LABELS = dict(GOOD_REASONS + BAD_REASONS)


def reasons_for_level(level: int) -> tuple:
    """The reason codes a rating of `level` may carry (see GOOD_REASONS / BAD_REASONS)."""
    good = tuple(code for code, _label in GOOD_REASONS)
    bad = tuple(code for code, _label in BAD_REASONS)
    if level in BAD_LEVELS:
        return bad
    if level in GOOD_LEVELS:
        return good
    return good + bad


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

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(code, code)) for code in self.reasons or ()]


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


_EXCLUDED = _("该差评已经申诉复核剔除，整改已终止。")


def _not_excluded(follow_up) -> bool:
    return not follow_up.rating.excluded


def _called_back(follow_up) -> bool:
    return follow_up.called_back_on is not None and bool(follow_up.callback_note.strip())


def _verified_valid(follow_up) -> bool:
    return follow_up.verdict == "valid" and bool(follow_up.verification_note.strip())


def _answered(follow_up) -> bool:
    return bool(follow_up.answer.strip()) and follow_up.answered_on is not None


def _explained(follow_up) -> bool:
    return (
        follow_up.verdict == "explained"
        and bool(follow_up.verification_note.strip())
        and _answered(follow_up)
    )


def _fixed(follow_up) -> bool:
    return bool(follow_up.fix_note.strip())


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

    OPEN_STATES = (State.AWAITING_CALLBACK, State.VERIFYING, State.RECTIFYING)

    @property
    def is_open(self) -> bool:
        return self.state != self.State.ANSWERED

    def callback_overdue(self, today) -> bool:
        """Derived (never stored): the call-back is late when it is not recorded by its day."""
        return self.state == self.State.AWAITING_CALLBACK and self.callback_due_on < today

    def fix_overdue(self, today) -> bool:
        """Derived: not answered by the day the fix was due."""
        return self.is_open and self.fix_due_on < today

    # --- transitions: the services write the fields, the guards read them ---

    @transition(
        field=state,
        source=State.AWAITING_CALLBACK,
        target=State.VERIFYING,
        permission=FOLLOW_UP,
        conditions=[
            Guard(_not_excluded, _EXCLUDED, "rating_excluded"),
            Guard(_called_back, _("请填写回访日期和回访情况。"), "callback_required"),
        ],
    )
    def record_callback(self, *, actor, comment="", **data):
        """回访: the department called the rater back (or tried to) and wrote what was said."""

    @transition(
        field=state,
        source=State.VERIFYING,
        target=State.RECTIFYING,
        permission=FOLLOW_UP,
        conditions=[
            Guard(_not_excluded, _EXCLUDED, "rating_excluded"),
            Guard(_verified_valid, _("请填写核实情况。"), "verification_required"),
        ],
    )
    def verify(self, *, actor, comment="", **data):
        """核实：情况属实 — the problem is real and must be fixed by `fix_due_on`."""

    @transition(
        field=state,
        source=State.VERIFYING,
        target=State.ANSWERED,
        permission=FOLLOW_UP,
        conditions=[
            Guard(_not_excluded, _EXCLUDED, "rating_excluded"),
            Guard(_explained, _("请填写核实情况和给评价人的解释说明。"), "explanation_required"),
        ],
    )
    def explain(self, *, actor, comment="", **data):
        """核实：无法律依据或属误解 — explained to the rater at once, nothing to fix."""

    @transition(
        field=state,
        source=State.RECTIFYING,
        target=State.ANSWERED,
        permission=FOLLOW_UP,
        conditions=[
            Guard(_not_excluded, _EXCLUDED, "rating_excluded"),
            Guard(_fixed, _("请先登记整改情况。"), "fix_required"),
            Guard(_answered, _("请填写反馈评价人的内容和日期。"), "answer_required"),
        ],
    )
    def send_answer(self, *, actor, comment="", **data):
        """整改完成，反馈评价人."""

    workflow = Workflow(
        actions=[
            Action("record_callback", _("登记回访")),
            Action("verify", _("核实：情况属实，需整改")),
            Action("explain", _("核实：解释说明并反馈")),
            Action("send_answer", _("整改完成，反馈评价人")),
        ],
    )


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


class RatingSms(models.Model):
    """One text to a citizen: the rating link (SMS channel) or the answer to a bad review.

    Sent once, after the commit that made it, by the task in services/ratings.py; a refused
    attempt is retried with the back-off of core notify deliveries, then marked failed. The
    link's text holds the one-time token, which is never stored: it travels only in the task's
    arguments, and `token_hash` ties the row to the version of the link it carries (a link
    replaced before the text went out is not sent).
    """

    class Kind(models.TextChoices):
        LINK = "link", _("评价链接短信")
        ANSWER = "answer", _("差评反馈短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("未发送")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        "services.ServiceCase", on_delete=models.CASCADE, related_name="rating_sms"
    )
    token = models.ForeignKey(
        RatingToken, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    token_hash = models.CharField(max_length=64, blank=True)
    follow_up = models.ForeignKey(
        BadReviewFollowUp,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    phone_masked = models.CharField(_("手机号码"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    # The exception's class and a short text; never the message or the number.
    error = models.CharField(_("失败原因"), max_length=200, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("好差评短信")
        verbose_name_plural = _("好差评短信")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "kind"], name="services_rating_sms_case")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & Q(token__isnull=False))
                | (Q(kind="answer") & Q(follow_up__isnull=False)),
                name="services_rating_sms_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.phone_masked}"
