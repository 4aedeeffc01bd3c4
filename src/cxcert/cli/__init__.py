"""The command line: a thin adapter over the core, stores and reports."""
