"""Identifiers (core.identity): resident ID and credit code validation, masking, encryption."""
