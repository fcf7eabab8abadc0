"""Reads of the cases area."""
