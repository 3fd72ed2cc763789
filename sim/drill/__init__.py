"""Drills of emergency plans (预案演练): a drill file (spec), its injects, objectives and the
players' decisions, played on the model headless or behind a screen (session), or from a
decisions file (script)."""

from sim.drill.decisions import DECISIONS, FirePlan, StandDown
from sim.drill.injects import INJECTS, Inject
from sim.drill.objectives import MEASURES, Objective
from sim.drill.script import Script, load_script, play, play_drill
from sim.drill.session import DrillRefusal, DrillSession, LogEntry
from sim.drill.spec import Drill, drill_from_dict, load_drill

__all__ = [
    "DECISIONS",
    "INJECTS",
    "MEASURES",
    "Drill",
    "DrillRefusal",
    "DrillSession",
    "FirePlan",
    "Inject",
    "LogEntry",
    "Objective",
    "Script",
    "StandDown",
    "drill_from_dict",
    "load_drill",
    "load_script",
    "play",
    "play_drill",
]
