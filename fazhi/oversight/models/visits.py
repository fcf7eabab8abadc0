"""Conduct supervisors (行风政风监督员), their monthly visit plans and visits (明察暗访),
and inspections, including the third-party inspections of each subdistrict (第三方检查)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhi.core.identity.fields import EncryptedIdentifierField
from fazhi.core.identity.kinds import Kind as IdentifierKind


class Supervisor(models.Model):
    """A conduct supervisor on the roster; `user` is their account when they have one."""

    class Kind(models.TextChoices):
        DEPUTY = "deputy", _("人大代表")
        CPPCC = "cppcc", _("政协委员")
        CITIZEN = "citizen", _("特邀监督员（群众代表）")
        MEDIA = "media", _("新闻媒体代表")
        OTHER = "other", _("其他")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    workplace = models.CharField(_("工作单位及职务"), max_length=200, blank=True)
    phone = EncryptedIdentifierField(_("联系电话"), kind=IdentifierKind.PHONE, blank=True)
    term_start = models.DateField(_("聘期开始"))
    term_end = models.DateField(_("聘期结束"))
    active = models.BooleanField(_("在聘"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("行风政风监督员")
        verbose_name_plural = _("行风政风监督员")
        ordering = ["agency", "-active", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")), name="supervisor_term_order"
            ),
            models.UniqueConstraint(
                fields=["agency", "user"],
                condition=Q(user__isnull=False),
                name="supervisor_one_per_account",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VisitChecklistItem(models.Model):
    """An item a supervisor scores on a visit (e.g. 服务态度, 办事效率), 1 to `max_points`."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("评价内容"), max_length=200)
    max_points = models.PositiveSmallIntegerField(_("满分"), default=10)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("走访评价项目")
        verbose_name_plural = _("走访评价项目")
        ordering = ["agency", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "order"], name="visit_item_order"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="visit_item_points"),
        ]

    def __str__(self) -> str:
        return self.text


class Mode(models.TextChoices):
    OPEN = "open", _("明察")
    UNANNOUNCED = "unannounced", _("暗访")


class VisitPlan(models.Model):
    """A month's planned visit for one supervisor (月度走访计划)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    # The first day of the month planned.
    month = models.DateField(_("月份"))
    supervisor = models.ForeignKey(
        Supervisor, verbose_name=_("监督员"), on_delete=models.PROTECT, related_name="plans"
    )
    place = models.CharField(_("走访地点"), max_length=200)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("被走访单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        "core.Subdistrict",
        verbose_name=_("街道/镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mode = models.CharField(_("方式"), max_length=12, choices=Mode.choices, default=Mode.OPEN)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["-month", "supervisor", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="visit_plan_month_start"),
            models.UniqueConstraint(
                fields=["supervisor", "month", "place"], name="visit_plan_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} · {self.place}"


class Visit(models.Model):
    """A visit as the supervisor filed it (on a phone, usually on the spot)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        Supervisor, verbose_name=_("监督员"), on_delete=models.PROTECT, related_name="visits"
    )
    plan = models.ForeignKey(
        VisitPlan,
        verbose_name=_("走访计划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    place = models.CharField(_("走访地点"), max_length=200)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("被走访单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        "core.Subdistrict",
        verbose_name=_("街道/镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visited_on = models.DateField(_("走访日期"))
    mode = models.CharField(_("方式"), max_length=12, choices=Mode.choices)
    remarks = models.TextField(_("意见建议"), blank=True)
    # A problem the supervisor saw; when written, a finding is opened for `department`.
    problem = models.TextField(_("发现的问题"), blank=True)
    photos = models.ManyToManyField(
        "files.StoredFile", verbose_name=_("照片"), blank=True, related_name="+"
    )
    # Sum of the item scores and the most they could be, kept for lists and the evaluation.
    total_points = models.PositiveIntegerField(_("得分"), default=0)
    max_points = models.PositiveIntegerField(_("满分"), default=0)
    finding = models.OneToOneField(
        "oversight.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("明察暗访")
        verbose_name_plural = _("明察暗访")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["agency", "visited_on"], name="visit_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_points__lte=models.F("max_points")), name="visit_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.visited_on}"


class VisitScore(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(VisitChecklistItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("走访评分")
        verbose_name_plural = _("走访评分")
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="visit_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.item}"


class InspectionContract(models.Model):
    """A contract with a third-party organisation: which subdistricts, when, whose accounts."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(_("第三方机构"), max_length=200)
    contract_number = models.CharField(_("合同编号"), max_length=60, blank=True)
    scope = models.TextField(_("检查内容"))
    period_start = models.DateField(_("服务期开始"))
    period_end = models.DateField(_("服务期结束"))
    subdistricts = models.ManyToManyField(
        "core.Subdistrict", verbose_name=_("检查街道/镇"), related_name="+"
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("机构人员账号"), related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("第三方检查合同")
        verbose_name_plural = _("第三方检查合同")
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="inspection_contract_period",
            ),
        ]

    def __str__(self) -> str:
        return self.organisation


class Inspection(models.Model):
    """日常检查 / 重点抽查 by the legal office, or a third-party inspection of a subdistrict
    with its special report (专项报告)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常检查")
        TARGETED = "targeted", _("重点抽查")
        THIRD_PARTY = "third_party", _("第三方检查")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("检查类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    contract = models.ForeignKey(
        InspectionContract,
        verbose_name=_("第三方检查合同"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    subdistrict = models.ForeignKey(
        "core.Subdistrict",
        verbose_name=_("街道/镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("被检查单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspected_from = models.DateField(_("检查开始日期"))
    inspected_to = models.DateField(_("检查结束日期"))
    summary = models.TextField(_("检查情况"), blank=True)
    # 0–100 where the inspection scores the place inspected (third-party reports usually do).
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    report = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("专项报告"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-inspected_to", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspected_to__gte=models.F("inspected_from")),
                name="inspection_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(kind="third_party")
                | (Q(contract__isnull=False) & Q(subdistrict__isnull=False)),
                name="inspection_third_party_scope",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="inspection_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title
