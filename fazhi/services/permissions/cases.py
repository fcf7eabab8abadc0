"""Who may do what in the cases area (`rules` predicates); see permissions/__init__.py."""
