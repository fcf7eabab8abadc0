"""Fazhi (法治): law-based administration for Chinese government agencies."""

__version__ = "0.1.0"
