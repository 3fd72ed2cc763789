"""Peacetime/emergency switching (平战结合): incidents, and emergency plans — their triggers, their
actions, and the operations room that runs them. Their KPIs are in sim.metrics.emergency."""
