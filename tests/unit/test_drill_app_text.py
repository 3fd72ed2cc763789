"""What the drill app writes on its panels: times as a day and a time of day, the KPIs and
objectives in words, the log newest first with its wall-clock time, escaped HTML."""

from __future__ import annotations

from sim.drill import DrillSession
from sim.drill.app import (
    STATUS_COLOURS,
    html_table,
    kpi_rows,
    log_rows,
    moment_text,
    objective_value,
    resources_table,
    status_badge,
)
from sim.drill.clock import parse_moment

from drill_parts import drill


def test_a_moment_reads_as_a_day_and_a_time_of_day_and_back():
    assert moment_text(0.0) == "day 0 00:00"
    assert moment_text(69.0 + 5 / 60) == "day 2 21:05"
    assert moment_text(47.9999) == "day 2 00:00"  # to the nearest minute
    for hours in (0.0, 10.5, 69.25, 77.75):
        assert parse_moment(moment_text(hours)) == hours


def test_the_kpis_objectives_and_log_of_a_session_in_words():
    session = DrillSession(drill())
    session.advance(22.0)  # the leak (20 h) has brought its checks
    session.decide("secretary", {"mobilise": "cadres", "count": 2}, name="<two>")
    state = session.state()
    rows = dict(kpi_rows(state))
    kpis = state["kpis"]
    assert rows["backlog (open closed-loop cases)"] == str(kpis["backlog"])
    screening = kpis["screening"]
    assert rows["screening coverage"] == (
        f"{screening['share']:.0%} ({screening['done']} of {screening['tasks']} households)"
    )
    checked = state["objectives"]["checked"]
    assert objective_value(checked) == f"{checked['value']:.0%}"
    assert objective_value({"value": 0.25, "unit": "h"}) == "0.25 h"
    assert objective_value({"value": None, "unit": "h"}) == "–"

    records = [entry.record() for entry in session.log]
    rows = log_rows(records)
    assert len(rows) == len(records)
    newest = rows[0]
    assert newest[0] == "day 0 22:00 (22.00 h)"
    assert newest[3] == "&lt;two&gt;: mobilise: cadres, count: 2"  # escaped
    assert newest[4] == "taken"
    assert rows[-1][3] == "line_down: hotline_outage"  # the oldest: the inject at 12 h
    assert "mobilised by hand" in resources_table(state["resources"])
    assert "<td>cadres</td><td>2 of 6</td><td>2</td><td>4</td>" in resources_table(
        state["resources"]
    )


def test_tables_and_badges():
    table = html_table(["a", "b"], [["1", "2"]], "x")
    assert table == '<table class="drill-table x"><tr><th>a</th><th>b</th></tr>' + (
        "<tr><td>1</td><td>2</td></tr></table>"
    )
    for status, colour in STATUS_COLOURS.items():
        assert colour in status_badge(status) and f">{status}<" in status_badge(status)
