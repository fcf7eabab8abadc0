"""Shared mechanisms: tenancy, roles, the audit chain. Knows nothing of the domain apps."""
