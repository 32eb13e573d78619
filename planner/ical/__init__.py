"""iCalendar output: feed items and their rendering, by the rules in shared ICAL.md."""
