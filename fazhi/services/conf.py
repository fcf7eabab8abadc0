"""The services app's per-agency settings (each a number the agency may change, with its source).

Registered when the app is ready (apps.py imports this module).
"""

from __future__ import annotations

from fazhi.core import agency_settings
from fazhi.core.agency_settings import Definition

WD = "个工作日"
OWN = "本系统默认（按本机关政务服务制度调整）"
# domain-rules.md §4: the national text (国办发〔2019〕51号) sets no number; 澄江 and a Sichuan
# city use 15 working days to fix, Zhejiang calls back within 1 day.
GOOD_BAD = (
    "国办发〔2019〕51号；期限为地方做法（浙江 1 日内回访、澄江 15 个工作日整改），未经国家文件确认"
)

DEFINITIONS = (
    # --- cases (办件) ---
    # Remind the handler this many working days before the promised deadline (0: no reminder).
    Definition("services.case_remind_workdays", "办件到期前提醒", 2, OWN, WD, 0, 10, False),
    # --- appointments (网上预约) ---
    # Online booking of a slot closes this many minutes before it starts (0: until it starts).
    Definition(
        "services.booking_cutoff_minutes", "网上预约截止时间", 0, OWN, "分钟", 0, 240, False
    ),
    # Booked, not yet attended appointments one person may hold at the agency's centers.
    Definition("services.max_open_bookings", "每人未办理预约上限", 3, OWN, "个", 1, 20, False),
    # --- ratings (好差评) ---
    Definition("services.callback_workdays", "差评回访期限", 1, GOOD_BAD, WD, 1, 10, False),
    Definition("services.fix_workdays", "差评整改期限", 15, GOOD_BAD, WD, 1, 60, False),
    Definition("services.rating_link_days", "评价链接有效期", 30, OWN, "天", 1, 365, False),
)

for _definition in DEFINITIONS:
    agency_settings.register(_definition)
