"""Normative documents (行政规范性文件): drafting, consultation, legality review, collective
decision, numbered issuance — with the law's gates as guards on the transitions."""
