"""Permissions of the core mechanisms."""

import rules

from fazhi.core.predicates import has_business_role, is_auditor, is_overseer, is_sysadmin

# The audit administrator reads the audit log and nothing else.
rules.add_perm("core.view_event", is_auditor)
# The organisation chart (departments, subdistricts, committees) is reference data that every
# business role needs; the system administrator maintains it in /admin/.
rules.add_perm("core.view_organisation", has_business_role | is_sysadmin)
# District overseers read across the agencies of their region.
rules.add_perm("core.view_region", is_overseer)
