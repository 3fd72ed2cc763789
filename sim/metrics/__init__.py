"""What a run records and the KPIs computed from it: run-time counters (recorder), the event log
(events), the tables of the run folder (tables), the summary KPIs (kpis), how a surge was
absorbed (emergency), censored times (censoring) and whether the run settled (steady_state)."""

from sim.metrics.kpis import summarize
from sim.metrics.recorder import Metrics
from sim.metrics.tables import cases_table, jobs_table, timeseries_table, workers_table

__all__ = [
    "Metrics",
    "cases_table",
    "jobs_table",
    "summarize",
    "timeseries_table",
    "workers_table",
]
