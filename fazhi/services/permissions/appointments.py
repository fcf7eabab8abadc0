"""Who may do what in the appointments area (`rules` predicates); see permissions/__init__.py."""
