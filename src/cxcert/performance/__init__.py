"""Performance management: the KPI catalogue as data, computed from canonical tables, judged against dated targets.

Spec (``catalogue``), compilation to Ibis (``compile``), execution (``engine``), then evaluation against targets
(``targets``, ``evaluation``), trend and control-chart rules (``trend``, ``control_charts``, ``run_rules``),
alerts that open corrective actions (``alerts``) and the standard's performance summary table
(``summary_table``). Everything here is pure: tables come in as Ibis expressions from the warehouse adapter.
"""
