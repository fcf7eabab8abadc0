"""Reads of the appointments area."""
