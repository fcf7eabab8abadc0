import rules

from fazhi.core.predicates import has_any_role

# The workspace opens to anyone holding a role; what is inside depends on the role.
rules.add_perm("workspace.view", has_any_role)
