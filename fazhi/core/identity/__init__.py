"""Identifiers: validation, masking, encrypted storage and audited reveal of personal numbers.

- `validators`: `validate_resident_id`, `validate_credit_code`, `validate_mobile`,
  `validate_phone`, `resident_id_birth_date`, `resident_id_sex` and Django validator classes.
- `masking`: `mask_resident_id`, `mask_credit_code`, `mask_phone`.
- `fields`: `EncryptedIdentifierField` + `LookupHashField` for models; `protected.protect()`
  for values kept elsewhere.
- `selectors.filter_by_identifier`, `services.identity_reveal`.

See docs/mechanisms/identity.md.
"""
