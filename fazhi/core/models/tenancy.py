"""Tenancy: the agency is the tenant; people hold roles in it through memberships."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhi.core.roles import Role


class Agency(models.Model):
    """One government body (机关/单位); every domain record belongs to exactly one."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    # 机关代字, e.g. 示民 in 示民规〔2026〕3号; used by numbering series.
    short_name = models.CharField(_("机关代字"), max_length=20)
    # Agencies of one region are read together by that region's district overseers.
    region = models.CharField(_("所属行政区"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机关")
        verbose_name_plural = _("机关")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A section (科室) of the agency, or a unit under it (局属单位)."""

    class Kind(models.TextChoices):
        SECTION = "section", _("科室")
        AFFILIATED = "affiliated", _("局属单位")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SECTION)
    # The legal office (办公室（法制办）) is the department whose staff hold legal_officer.
    is_legal_office = models.BooleanField(_("法制办"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        ordering = ["agency", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="department_unique_name"),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(is_legal_office=True),
                name="department_one_legal_office",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Subdistrict(models.Model):
    """The level below the district (街道/镇/园区); runs a community affairs service center."""

    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        TOWN = "town", _("镇")
        PARK = "park", _("园区")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="subdistricts")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.STREET)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("街道/镇")
        verbose_name_plural = _("街道/镇")
        ordering = ["agency", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="subdistrict_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """A grassroots self-governing committee (居委会/村委会)."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("居委会")
        VILLAGERS = "villagers", _("村委会")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="committees")
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="committees"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("居委会/村委会")
        verbose_name_plural = _("居委会/村委会")
        ordering = ["agency", "subdistrict", "name"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="committee_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True, agency__is_active=True)


class Membership(models.Model):
    """A role held by a user in an agency (and a department, for department roles).

    Granted and revoked only by the security administrator through
    `fazhi.accounts.services.membership_grant/_revoke`; revoking keeps the row (on the record).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    # For committee roles: the one committee whose affairs the holder posts.
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("居委会/村委会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["agency", "user", "role"]
        indexes = [models.Index(fields=["agency", "role"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(revoked_at__isnull=True),
                name="membership_unique_active_role",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_known_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"
