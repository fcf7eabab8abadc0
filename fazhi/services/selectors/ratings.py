"""Reads of the ratings area."""
