"""Predicates on roles, shared by every app's permissions module."""

from __future__ import annotations

import rules

from fazhi.core.roles import ADMIN_ROLES, BUSINESS_ROLES, Role
from fazhi.core.tenancy import has_role


def role_predicate(*roles: str) -> rules.Predicate:
    name = "has_role:" + ",".join(sorted(roles))

    @rules.predicate(name=name)
    def check(user) -> bool:
        return has_role(user, *roles)

    return check


is_sysadmin = role_predicate(Role.SYSADMIN)
is_secadmin = role_predicate(Role.SECADMIN)
is_auditor = role_predicate(Role.AUDITOR)
is_overseer = role_predicate(Role.DISTRICT_OVERSEER)
is_legal_officer = role_predicate(Role.LEGAL_OFFICER)
is_leader = role_predicate(Role.LEADER)
# Anyone with a role at all may open the workspace.
has_any_role = role_predicate(*[r.value for r in Role])
has_business_role = role_predicate(*BUSINESS_ROLES)
has_admin_role = role_predicate(*ADMIN_ROLES)
