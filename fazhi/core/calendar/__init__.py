"""Working days (core.calendar): the WorkCalendar table and add_workdays/workdays_between/is_workday."""
