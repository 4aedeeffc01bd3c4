"""The certification core: entity, people, lifecycle, assessments, decisions, calendar. Pure: no I/O."""
