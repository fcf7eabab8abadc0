"""Who may do what in the ratings area (`rules` predicates); see permissions/__init__.py."""
