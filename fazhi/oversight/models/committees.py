"""Committee affairs disclosure (居务 / 村务公开): what each kind of committee must post and how
often, the postings, and the scheduled check's result per committee, item and period.

Villagers' committees: general matters at least quarterly, finances monthly where transactions
are many, major matters immediately (村民委员会组织法 Art. 30, domain-rules.md §7). Residents'
committees: as the agency configures (the law fixes no frequency). Items are agency data, so
the agency can add what its city's rules require.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")
    # 随时: posted when the matter arises; nothing falls due on the calendar, so the check
    # does not count it (it is listed, and postings are kept).
    IMMEDIATELY = "immediately", _("随时")


class CommitteeDisclosureItem(models.Model):
    """A required disclosure item for one kind of committee, with its frequency."""

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    committee_kind = models.CharField(
        _("适用组织"),
        max_length=20,
        choices=[("residents", _("居委会")), ("villagers", _("村委会"))],
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("公开事项"), max_length=100)
    frequency = models.CharField(_("公开频次"), max_length=12, choices=Frequency.choices)
    # Working days after the period ends within which the posting still counts as on time.
    grace_workdays = models.PositiveSmallIntegerField(_("期满后宽限（工作日）"), default=5)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("居（村）务公开事项")
        verbose_name_plural = _("居（村）务公开事项")
        ordering = ["agency", "committee_kind", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "committee_kind", "code"], name="committee_item_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeItemOverride(models.Model):
    """A committee's own frequency for an item (e.g. finances quarterly where transactions are
    few, VCL Art. 30), or `not_required`; decided by the legal office with a reason."""

    committee = models.ForeignKey(
        "core.Committee", on_delete=models.PROTECT, related_name="disclosure_overrides"
    )
    item = models.ForeignKey(
        CommitteeDisclosureItem, on_delete=models.PROTECT, related_name="overrides"
    )
    # A Frequency value, or "" for not required.
    frequency = models.CharField(
        _("公开频次"), max_length=12, choices=Frequency.choices, blank=True
    )
    reason = models.CharField(_("理由"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公开频次调整")
        verbose_name_plural = _("公开频次调整")
        constraints = [
            models.UniqueConstraint(fields=["committee", "item"], name="committee_override_once"),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.item}"


class CommitteePosting(models.Model):
    """One posting on a committee's notice board or platform, for one item and period."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("居村委录入")
        CSV = "csv", _("CSV导入")
        API = "api", _("接口导入（社区通）")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        "core.Committee",
        verbose_name=_("居委会/村委会"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    item = models.ForeignKey(
        CommitteeDisclosureItem,
        verbose_name=_("公开事项"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    # The period the posting covers (a month, a quarter, ...); for 随时 items, the day.
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    posted_on = models.DateField(_("公开日期"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("公开内容"), blank=True)
    files = models.ManyToManyField(
        "files.StoredFile", verbose_name=_("附件或照片"), blank=True, related_name="+"
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    # The community platform's id of the posting: importing the same posting twice is a no-op.
    external_id = models.CharField(_("外部编号"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("居（村）务公开记录")
        verbose_name_plural = _("居（村）务公开记录")
        ordering = ["-posted_on", "-pk"]
        indexes = [
            models.Index(fields=["committee", "item", "period_start"], name="posting_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~Q(external_id=""),
                name="posting_external_once",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="posting_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CommitteeCheckResult(models.Model):
    """What the check found for one committee, item and period; recomputed on every run."""

    class Status(models.TextChoices):
        ON_TIME = "on_time", _("按时公开")
        LATE = "late", _("逾期公开")
        MISSING = "missing", _("未公开")
        # The period has ended but its grace has not: nothing is wrong yet.
        PENDING = "pending", _("未到期")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        "core.Committee",
        verbose_name=_("居委会/村委会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept for the table by subdistrict without a join.
    subdistrict = models.ForeignKey(
        "core.Subdistrict", verbose_name=_("街道/镇"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        CommitteeDisclosureItem,
        verbose_name=_("公开事项"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    due_on = models.DateField(_("应公开期限"))
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    posting = models.ForeignKey(
        CommitteePosting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    posted_on = models.DateField(_("公开日期"), null=True, blank=True)
    finding = models.ForeignKey(
        "oversight.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"))

    class Meta:
        verbose_name = _("居（村）务公开检查结果")
        verbose_name_plural = _("居（村）务公开检查结果")
        ordering = ["subdistrict", "committee", "item", "period_start"]
        indexes = [
            models.Index(
                fields=["agency", "period_start", "status"], name="committee_check_period"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "item", "period_start"], name="committee_check_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.item} · {self.get_status_display()}"
