"""Who may maintain the working-day calendar.

The schedule is site-wide reference data (every agency counts the same State Council holidays),
so it is the system administrator's, like accounts and the organisation chart.
"""

import rules

from fazhi.core.predicates import is_sysadmin

rules.add_perm("calendar.manage_calendar", is_sysadmin)
