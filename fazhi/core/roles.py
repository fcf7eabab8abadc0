"""The roles of the glossary, and the groups the security rules speak of."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The legal office (办公室（法制办）): reviews legality, supervises, keeps the records.
    LEGAL_OFFICER = "legal_officer", _("法制办")
    # Rule-of-law leading group: agency leadership.
    LEADER = "leader", _("领导")
    # A department's rule-of-law liaison.
    LIAISON = "liaison", _("法治工作联络员")
    # Department staff who handle a case.
    CLERK = "clerk", _("经办人")
    # Approves within a department.
    DEPARTMENT_HEAD = "department_head", _("科室负责人")
    # Outside lawyer giving opinions.
    LEGAL_ADVISER = "legal_adviser", _("法律顾问")
    # Outside conduct supervisor.
    SUPERVISOR = "supervisor", _("行风政风监督员")
    # Contracted third-party inspection organisation.
    INSPECTOR = "inspector", _("第三方机构")
    # The three separated administrators (三员分立).
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")
    # District oversight: reads across agencies, never writes.
    DISTRICT_OVERSEER = "district_overseer", _("依法治区办")
    # Staff of one residents' or villagers' committee: post its affairs disclosure (居务/村务公开).
    COMMITTEE_CLERK = "committee_clerk", _("居村委工作人员")


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
BUSINESS_ROLES = frozenset(set(Role) - ADMIN_ROLES)
# Roles that see every department's records of their agency.
AGENCY_WIDE_ROLES = frozenset({Role.LEGAL_OFFICER, Role.LEADER})
# Roles held by people outside the agency's staff.
OUTSIDE_ROLES = frozenset(
    {Role.LEGAL_ADVISER, Role.SUPERVISOR, Role.INSPECTOR, Role.COMMITTEE_CLERK}
)
# Roles whose membership names a department.
DEPARTMENT_ROLES = frozenset({Role.CLERK, Role.DEPARTMENT_HEAD, Role.LIAISON})
# Roles whose membership names a committee (居委会/村委会).
COMMITTEE_ROLES = frozenset({Role.COMMITTEE_CLERK})
