"""The oversight app's per-agency settings (each a number the agency may change, with its
source). None is fixed by a national rule: they are this system's defaults, marked unconfirmed
so the agency sets its own (domain-rules.md has no oversight deadlines)."""

from __future__ import annotations

from fazhi.core import agency_settings
from fazhi.core.agency_settings import Definition

WD = "个工作日"
OWN = "本系统默认（按本机关督查督办制度调整）"

DEFINITIONS = (
    # 限期整改: the deadline given to the responsible unit, by severity.
    Definition("oversight.rectify_workdays_minor", "轻微问题整改期限", 10, OWN, WD, 1, 120, False),
    Definition(
        "oversight.rectify_workdays_general", "一般问题整改期限", 20, OWN, WD, 1, 120, False
    ),
    Definition(
        "oversight.rectify_workdays_serious", "严重问题整改期限", 30, OWN, WD, 1, 120, False
    ),
    # The ladder (督办): reminder before the deadline, then after it 督办单 on the day it is
    # overdue, 约谈 and 通报 after these many working days overdue.
    Definition("oversight.reminder_workdays", "整改到期前提醒", 3, OWN, WD, 0, 30, False),
    Definition("oversight.interview_after_workdays", "逾期后约谈", 5, OWN, WD, 1, 60, False),
    Definition("oversight.circular_after_workdays", "逾期后通报", 10, OWN, WD, 1, 120, False),
    # Photos of a visit: each at most this size (the file store refuses larger).
    Definition("oversight.visit_photo_max_mb", "走访照片大小上限", 10, OWN, "MB", 1, 20, False),
)

for _definition in DEFINITIONS:
    agency_settings.register(_definition)

RECTIFY_WORKDAYS = {
    "minor": "oversight.rectify_workdays_minor",
    "general": "oversight.rectify_workdays_general",
    "serious": "oversight.rectify_workdays_serious",
}
