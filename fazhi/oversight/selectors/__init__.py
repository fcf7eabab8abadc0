"""Reads of the oversight app, one module per area; list selectors keep a constant query count."""
