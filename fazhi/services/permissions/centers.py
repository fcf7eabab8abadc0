"""Who may do what with the service centers (`rules` predicates); see permissions/__init__.py.

- The legal office (法制办) creates centers, sets their hours and the items each one takes,
  with the slot length and the places per slot.
- Everyone else who works with services reads them (department staff, leaders, district
  overseers, who never write).
"""

from __future__ import annotations

import rules

from fazhi.core.tenancy import writable_agency_ids
from fazhi.services.permissions import is_any_office, is_office, works_with_services


def may_manage_centers(user, agency_id: int) -> bool:
    """The legal office of `agency_id` (a district overseer never writes)."""
    return agency_id in writable_agency_ids(user) and is_office(user, agency_id)


rules.add_perm("services.view_centers", works_with_services)
rules.add_perm("services.manage_centers", is_any_office)
