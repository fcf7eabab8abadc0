"""Files (core.files): content-addressed, type-checked, permission-checked storage."""
