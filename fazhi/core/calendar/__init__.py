"""Working days (core.calendar): the WorkCalendar table, add_workdays, workdays_between."""
