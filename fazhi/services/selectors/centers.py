"""Reads of the centers area."""
