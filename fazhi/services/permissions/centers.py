"""Who may do what in the centers area (`rules` predicates); see permissions/__init__.py."""
