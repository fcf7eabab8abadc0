"""Who may manage accounts and roles (三员分立)."""

import rules

from fazhi.core.predicates import is_secadmin, is_sysadmin

rules.add_perm("accounts.manage_accounts", is_sysadmin)
rules.add_perm("accounts.grant_roles", is_secadmin)
