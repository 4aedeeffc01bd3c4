"""Workforce science: Erlang B/C/A queueing, staffing to a target, forecast accuracy, baseline forecasts and
schedule adherence. Pure core: numpy/scipy/pandas on values passed in, plus this package's own YAML data."""
