"""The power list (行政权力清单) and the service guides (办事指南).

Versioning: a `PowerList` is one version of an agency's whole list (draft → published). Only
one draft per agency; a published version is frozen (the services refuse to touch its rows); a
new draft copies the last published version row by row. Powers are matched across versions by
their code (序号), which is how "what changed" is computed.

A `ServiceItem` is the stable thing citizens apply for (cases and appointments will point at
it). It belongs to a power by the power's code, so it survives new versions of the list. Its
`ServiceGuide` is versioned per item: draft → published (frozen) → superseded by the next.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import Agency, Department


class PowerKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    LEVY = "levy", _("行政征收")
    BENEFIT = "benefit", _("行政给付")
    INSPECTION = "inspection", _("行政检查")
    CONFIRMATION = "confirmation", _("行政确认")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER = "other", _("其他行政权力")


class PowerList(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="power_lists")
    version = models.PositiveIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("权力清单版本")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "version"], name="services_powerlist_version"
            ),
            models.UniqueConstraint(
                fields=["agency"], condition=Q(state="draft"), name="services_powerlist_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"权力清单第{self.version}版"

    @property
    def frozen(self) -> bool:
        return self.state == self.State.PUBLISHED


class Power(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    power_list = models.ForeignKey(PowerList, on_delete=models.CASCADE, related_name="powers")
    code = models.CharField(_("序号"), max_length=40)
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=20, choices=PowerKind.choices)
    basis = models.TextField(_("设定依据"))
    implementing_body = models.CharField(_("实施主体"), max_length=200)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任处室")
    )
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("行政权力")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["power_list", "code"], name="services_power_code"),
            models.CheckConstraint(
                condition=Q(promised_days__isnull=True)
                | Q(statutory_days__isnull=True)
                | Q(promised_days__lte=F("statutory_days")),
                name="services_power_promised_le_statutory",
            ),
        ]
        indexes = [models.Index(fields=["agency", "kind"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceItem(models.Model):
    """审批事项 / 服务事项: what a citizen applies for; cases and appointments point here."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_items")
    power_code = models.CharField(_("所属权力序号"), max_length=40)
    name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任处室")
    )
    online = models.BooleanField(_("可网上办理"), default=False)
    citywide = models.BooleanField(_("全市通办"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务事项")
        ordering = ["power_code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="services_item_name"),
        ]
        indexes = [models.Index(fields=["agency", "power_code"])]

    def __str__(self) -> str:
        return self.name


# How a material is handed in.
MATERIAL_FORMS = {"original": _("原件"), "copy": _("复印件"), "both": _("原件和复印件")}


class ServiceGuide(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版替代")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="guides")
    version = models.PositiveIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    conditions = models.TextField(_("办理条件"), blank=True)
    # [{"name", "form": original|copy|both, "count": int, "issued_by", "platform_holds": bool}]
    materials = models.JSONField(_("申请材料"), default=list, blank=True)
    # ["受理", "审查", ...] in order
    steps = models.JSONField(_("办理流程"), default=list, blank=True)
    statutory_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), null=True, blank=True
    )
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    fee = models.CharField(_("收费标准"), max_length=200, default="不收费")
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    place = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    manual = models.ForeignKey(
        "files.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("业务手册"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("办事指南")
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="services_guide_version"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(state="draft"), name="services_guide_one_draft"
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(state="published"), name="services_guide_one_published"
            ),
            models.CheckConstraint(
                condition=Q(promised_days__isnull=True)
                | Q(statutory_days__isnull=True)
                | Q(promised_days__lte=F("statutory_days")),
                name="services_guide_promised_le_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}办事指南（第{self.version}版）"
