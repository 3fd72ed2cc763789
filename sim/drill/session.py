"""A drill being played: the run of its scenario, advanced by the facilitator's clock, with the
players' decisions and the facilitator's injects taken at their simulated times.

    session = DrillSession(load_drill("scenarios/drills/gas_leak.yaml"))
    session.advance(69.5)                                   # the model runs to 69.5 h
    session.decide("网格长", {"mobilise": "property_staff", "count": 4})
    session.inject("property_line_busy")                    # a listed inject, now
    session.state()                                         # JSON-able snapshot for a screen
    session.finish("runs/drill")                            # to the horizon; writes the folder

Decisions are the plans' own objects (sim.drill.decisions), applied through the operations room
exactly as a plan's; an invalid one raises `DrillRefusal`, is logged as refused, and the drill
goes on. Timed injects fire when the clock reaches them, objectives are settled at their
deadlines. Where the clock pauses never changes the run (GridModel.run_until), so the same seed
and the same decisions at the same simulated times give the same run, decided at a screen or
played from a script; with no decision and no inject it is `sim.run` of the scenario."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import TypeAdapter, ValidationError

from sim.config.incidents import Incident
from sim.drill.decisions import AnyDecision, FirePlan, StandDown, decision_problems, describe
from sim.drill.injects import AnyInject, Inject, NewIncident, Targets
from sim.drill.live import CaseView, grids, moment, screening_categories
from sim.drill.objectives import Reading, Window
from sim.drill.spec import Drill
from sim.emergency.actions import Action, Mobilise, Regroup
from sim.emergency.plans import Decision
from sim.folders import own_entries, unwritable
from sim.model import GridModel
from sim.runner import Result, fewer_collections, replace_problem, result_of, scenario_as_run

#: What `finish` writes besides the run folder (`run/`).
DRILL_FILES = (
    "drill.yaml",
    "decisions.yaml",
    "drill_log.json",
    "drill_log.csv",
    "objectives.json",
    "expectations.json",
)
#: Who fires an inject: its time in the events list came, or the facilitator by hand.
EVENTS_LIST, FACILITATOR = "events list", "facilitator"
_DECISIONS = TypeAdapter(AnyDecision)
_INJECTS = TypeAdapter(AnyInject)


class DrillRefusal(Exception):
    """A decision or inject the drill does not take; `str()` says why, for the players."""


@dataclass(frozen=True)
class LogEntry:
    """One line of the drill's log: the simulated time (hours) and the wall-clock time (UTC,
    ISO 8601); a decision or an inject; the role that decided (for an inject: who fired it);
    its name; it in words and as data; taken, refused or fired; and why refused, or what the
    inject did."""

    sim_h: float
    wall: str
    kind: str
    role: str
    name: str
    what: str
    spec: dict
    outcome: str
    detail: str

    def record(self) -> dict[str, Any]:
        """The entry as plain data."""
        return asdict(self)


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"] if not str(part)[0].isupper())
    return f"{path}: {first['msg']}" if path else str(first["msg"])


def drill_folder_problem(out: Path) -> str | None:
    """Why a drill folder cannot be written at `out`, or None: it may be new, empty, or an
    earlier drill's (it holds drill_log.json, written first), and it and its run folder must
    be writable (tried by making and removing an empty folder)."""
    if out.exists() and not out.is_dir():
        return "is a file, not a folder"
    if out.is_dir() and own_entries(out) and not (out / "drill_log.json").is_file():
        return "holds files that are not a drill's"
    problem = replace_problem(out / "run")
    if problem:
        return f"run/ {problem}"
    return unwritable(out) or (unwritable(out / "run") if (out / "run").is_dir() else None)


class DrillSession:
    """One play of a drill (see the module's docstring), with `seed` (default: the drill's)."""

    def __init__(self, drill: Drill, seed: int | None = None) -> None:
        self.drill = drill
        self.seed = drill.seed if seed is None else seed
        self.horizon = drill.horizon
        self.scenario = scenario_as_run(drill.played, days=self.horizon / 24.0)
        self.log: list[LogEntry] = []
        self._started, self._clock = datetime.now(UTC), time.perf_counter()
        with fewer_collections():
            self.model = GridModel(self.scenario, seed=self.seed)
        self.targets = Targets.of(self.model)
        self._pending = drill.timed_injects()
        self._fired: dict[str, tuple[float, Inject]] = {}  # by name: when, and what
        self._incidents: dict[str, Incident] = {}  # started by injects, with their onset
        self._actions: dict[str, str] = {}  # action decisions taken: name → action key
        self._taken: list[tuple[float, Any]] = []  # decisions taken: when, what
        self._mobilised: dict[str, int] = {}  # members mobilised by hand, by team
        self._decide_calls = 0
        self._final: dict[str, Reading] = {}
        self.finished = False
        self.advance(drill.start)

    @property
    def now(self) -> float:
        """Simulated time (hours from the run's start)."""
        return self.model.env.now

    # -- the clock ------------------------------------------------------------------------

    def advance(self, to_h: float) -> None:
        """Run to `to_h` hours (at most the horizon), firing the timed injects and settling
        the objectives whose times come on the way."""
        if self.finished:
            raise DrillRefusal("the drill is over")
        to = min(to_h, self.horizon)
        if to < self.now:
            raise ValueError(f"the clock is at {self.now:g} h: it cannot go back to {to:g} h")
        with fewer_collections():
            for stop in self._stops(to):
                self.model.run_until(stop)
                while self._pending and self._pending[0][0] <= stop:
                    _, name, inject = self._pending.pop(0)
                    self._fire(name, inject, EVENTS_LIST)
                self._settle(stop)
            self.model.run_until(to)

    def _stops(self, to: float) -> list[float]:
        deadlines = [
            objective.by
            for name, objective in self.drill.objectives.items()
            if name not in self._final
        ]
        times = {at for at, _, _ in self._pending} | set(deadlines)
        return sorted(t for t in times if t <= to)

    def _settle(self, now: float) -> None:
        """Freeze the readings of the objectives due now."""
        view = None
        for name, objective in self.drill.objectives.items():
            if name not in self._final and objective.by <= now:
                view = view or CaseView.of(self.model)
                self._final[name] = self._reading(name, view)

    # -- decisions ------------------------------------------------------------------------

    def decide(self, role: str, decision: Any, name: str | None = None) -> LogEntry:
        """Take `decision` (a decision object, or its mapping as in a decisions file) now for
        `role`; an action taken by hand stays in force as `name` (default
        `<role>/<action>/<n>`, n counting this session's decisions) until stood down.
        Returns the log entry; raises DrillRefusal (logged as refused) if it may not be taken."""
        self._decide_calls += 1
        spec, what = (decision, str(decision)) if isinstance(decision, dict) else ({}, "")
        try:
            if isinstance(decision, dict):
                try:
                    decision = _DECISIONS.validate_python(decision)
                except ValidationError as error:
                    raise DrillRefusal(_first_error(error)) from None
            spec = decision.model_dump(mode="json", exclude_defaults=True)
            what = describe(decision)
            if isinstance(decision, Action):
                name = name or f"{role}/{decision.key}/{self._decide_calls}"
            self._check(role, decision, name)
        except DrillRefusal as refusal:
            self._log("decision", role, name or "", what, spec, "refused", str(refusal))
            raise
        self._take(decision, name)
        return self._log("decision", role, name or "", what, spec, "taken", "")

    def _check(self, role: str, decision: Any, name: str | None) -> None:
        """Raise DrillRefusal if `role` may not take `decision` now."""
        drill, operations = self.drill, self.model.operations
        problems = decision_problems(
            decision, role, drill.roles, drill.resources, drill.played, "decision", self._actions
        )
        if problems:
            raise DrillRefusal(problems[0][1])
        if self.finished or self.now >= self.horizon:
            raise DrillRefusal("the drill is over")
        if isinstance(decision, FirePlan):
            if operations.plans[decision.fire].fired_at is not None:
                raise DrillRefusal(f"plan {decision.fire!r} is in force already")
            return
        if isinstance(decision, StandDown):
            if operations.plans[decision.stand_down].fired_at is None:
                raise DrillRefusal(f"{decision.stand_down!r} is not in force")
            return
        if name in operations.plans:
            raise DrillRefusal(f"the name {name!r} is taken: give another")
        if self.now + decision.delay >= self.horizon:
            raise DrillRefusal("it would come after the end of the drill")
        if isinstance(decision, Mobilise):
            self._check_resource(decision)
        if isinstance(decision, Regroup) and not decision.members(operations):
            teams = ", ".join(decision.team_names)
            raise DrillRefusal(f"no member of {teams} to {decision.key} there")

    def _wanted(self, mobilise: Mobilise) -> int:
        """Members `mobilise` would bring now (a pool's call: every place of the pool)."""
        operations = self.model.operations
        pool = operations.pools.get(mobilise.mobilise)
        return len(pool.staff) if pool else len(mobilise.members(operations))

    def _check_resource(self, mobilise: Mobilise) -> None:
        wanted = self._wanted(mobilise)
        if not wanted:
            raise DrillRefusal(f"no member of {mobilise.mobilise!r} left to mobilise there")
        limit = self.drill.resources[mobilise.mobilise].limit
        already = self._mobilised.get(mobilise.mobilise, 0)
        if limit is not None and already + wanted > limit:
            raise DrillRefusal(
                f"{mobilise.mobilise!r}: {already} mobilised by hand already, {wanted} more "
                f"would pass the limit of {limit}"
            )

    def _take(self, decision: Any, name: str | None) -> None:
        operations = self.model.operations
        now = self.now
        if isinstance(decision, FirePlan):
            operations.decide(Decision(plan=decision.fire, at=now))
        elif isinstance(decision, StandDown):
            operations.decide(Decision(plan=decision.stand_down, at=now, do="stand_down"))
        else:
            if isinstance(decision, Mobilise):
                team = decision.mobilise
                self._mobilised[team] = self._mobilised.get(team, 0) + self._wanted(decision)
            operations.take(name, decision)
            self._actions[name] = decision.key
        self._taken.append((now, decision))

    # -- injects --------------------------------------------------------------------------

    def inject(self, inject: str | Inject | dict, name: str | None = None) -> LogEntry:
        """Fire now a listed inject (by name) not fired yet, or an improvised one (an inject
        object, or its mapping as in a drill file, without `at`) as `name` (default
        `improvised-<n>`). Returns the log entry; raises DrillRefusal (logged) if it cannot
        happen."""
        try:
            name, inject = self._inject_to_fire(inject, name)
        except DrillRefusal as refusal:
            shown = inject if isinstance(inject, dict) else {"inject": str(inject)}
            self._log("inject", FACILITATOR, name or "", str(shown), shown, "refused", str(refusal))
            raise
        return self._fire(name, inject, FACILITATOR)

    def _inject_to_fire(self, inject: str | Inject | dict, name: str | None) -> tuple[str, Inject]:
        if self.finished or self.now >= self.horizon:
            raise DrillRefusal("the drill is over")
        if isinstance(inject, str):
            if inject not in self.drill.injects:
                raise DrillRefusal(f"no inject {inject!r} in the events list")
            if inject in self._fired:
                raise DrillRefusal(f"inject {inject!r} was fired at {self._fired[inject][0]:g} h")
            self._pending = [p for p in self._pending if p[1] != inject]
            return inject, self.drill.injects[inject]
        if isinstance(inject, dict):
            try:
                inject = _INJECTS.validate_python(inject)
            except ValidationError as error:
                raise DrillRefusal(_first_error(error)) from None
        if inject.at is not None:
            raise DrillRefusal("an improvised inject is fired now: give no `at`")
        name = name or f"improvised-{len(self._fired) + 1}"
        if name in self.drill.injects or name in self._fired or name in self.scenario.incidents:
            raise DrillRefusal(f"the name {name!r} is taken: give another")
        problems = self.drill.inject_problems(inject, self.scenario, "inject")
        if problems:
            raise DrillRefusal(f"{problems[0][0]}: {problems[0][1]}")
        return name, inject

    def _fire(self, name: str, inject: Inject, by: str) -> LogEntry:
        fired = inject.model_copy(deep=True)  # what it remembers to undo stays in this run
        detail = fired.fire(self.targets, name)
        self._fired[name] = (self.now, fired)
        if isinstance(fired, NewIncident):
            self._incidents[name] = fired.incident.model_copy(update={"onset": self.now})
        spec = fired.model_dump(mode="json", exclude_defaults=True)
        return self._log("inject", by, name, fired.key, spec, "fired", detail)

    def _log(
        self, kind: str, role: str, name: str, what: str, spec: dict, outcome: str, detail: str
    ) -> LogEntry:
        wall = datetime.now(UTC).isoformat(timespec="milliseconds")
        entry = LogEntry(self.now, wall, kind, role, name, what, spec, outcome, detail)
        self.log.append(entry)
        return entry

    # -- what the screens show ------------------------------------------------------------

    def objectives(self) -> dict[str, dict]:
        """Each objective now: its label, measure, deadline, value, status (met, missed, on
        track, at risk) and when it was met or missed (hours)."""
        view = CaseView.of(self.model)
        out = {}
        for name, objective in self.drill.objectives.items():
            reading = self._final.get(name) or self._reading(name, view)
            measure = objective.measure
            out[name] = {
                "label_zh": objective.label_zh,
                "measure": measure.model_dump(mode="json", exclude_defaults=True),
                "unit": measure.unit,
                "by_h": objective.by,
                "value": reading.value,
                "status": reading.status,
                "met_at_h": reading.met_at,
                "missed_at_h": reading.missed_at,
            }
        return out

    def _reading(self, name: str, view: CaseView) -> Reading:
        objective = self.drill.objectives[name]
        since = self.drill.since(objective)
        return objective.measure.reading(Window(view, self.model, self.now, since, objective.by))

    def expectations(self) -> list[dict]:
        """For each inject fired that expects a decision: what, by when (hours), the first
        matching decision taken after it (a plan fired; an action taken by hand or by firing a
        plan that takes it), and `in time`, `late`, `not taken` or `pending`."""
        out = []
        for name, (fired_at, inject) in self._fired.items():
            expects = inject.expects
            if expects is None:
                continue
            due = fired_at + expects.by
            taken = next(
                (
                    at
                    for at, decision in self._taken
                    if at >= fired_at and self._meets(decision, expects)
                ),
                None,
            )
            if taken is not None:
                outcome = "in time" if taken <= due else "late"
            else:
                outcome = "not taken" if self.now >= due else "pending"
            out.append(
                {
                    "inject": name,
                    "fired_h": fired_at,
                    "expects": expects.plan or expects.action,
                    "due_h": due,
                    "taken_h": taken,
                    "outcome": outcome,
                }
            )
        return out

    def _meets(self, decision: Any, expects: Any) -> bool:
        if expects.plan is not None:
            return isinstance(decision, FirePlan) and decision.fire == expects.plan
        if isinstance(decision, FirePlan):
            plan = self.drill.played.plans[decision.fire]
            return any(action.key == expects.action for action in plan.actions)
        return getattr(decision, "key", None) == expects.action

    def state(self) -> dict:
        """A JSON-able snapshot for a screen: the clock, the mode and the plans in force, the
        grids (for a map), the KPIs of the moment, the objectives, the injects, the
        expectations, what each role may decide, and the resources (limit, members mobilised
        by hand, members, members on call now); see the README's drill section."""
        model, now = self.model, self.now
        view = CaseView.of(model)
        incidents = {**self.scenario.incidents, **self._incidents}
        screening = screening_categories(list(incidents.values()))
        struck = np.zeros(len(model.world.grids), dtype=bool)
        for name, incident in incidents.items():
            if incident.onset <= now < incident.onset + incident.duration:
                struck |= model.incidents.masks[name]
        return {
            "drill": self.drill.name,
            "seed": self.seed,
            "sim_h": now,
            "start_h": self.drill.start,
            "horizon_h": self.horizon,
            "speed": self.drill.clock.speed,
            "finished": self.finished,
            "mode": model.operations.mode,
            "plans": {
                name: {"in_force": state.fired_at is not None, "since_h": state.fired_at}
                for name, state in model.operations.plans.items()
            },
            "grids": grids(model, view, screening, struck),
            "kpis": moment(model, view, screening),
            "objectives": self.objectives(),
            "injects": {
                name: {
                    "label_zh": inject.label_zh,
                    "message": inject.message,
                    "kind": inject.key,
                    "at_h": inject.at,
                    "fired_h": self._fired[name][0] if name in self._fired else None,
                }
                for name, inject in self.drill.injects.items()
            },
            "expectations": self.expectations(),
            "roles": {
                name: role.model_dump(mode="json") for name, role in self.drill.roles.items()
            },
            "resources": {
                name: {
                    "label_zh": resource.label_zh,
                    "limit": resource.limit,
                    "mobilised": self._mobilised.get(name, 0),
                    "members": len(model.operations.teams[name]),
                    "on_call": sum(staff.active for staff in model.operations.teams[name]),
                }
                for name, resource in self.drill.resources.items()
            },
        }

    # -- the end --------------------------------------------------------------------------

    def finish(self, out_dir: str | os.PathLike[str] | None = None) -> Result:
        """Run to the horizon and end the drill; returns the run's result and, with `out_dir`,
        writes the drill folder: the run folder `run/` (as `gridsim run` writes it) and
        DRILL_FILES (the drill, the decisions as a replayable script, the log, the
        objectives, the expectations)."""
        self.advance(self.horizon)
        with fewer_collections():
            self.model.run_model()
        self.finished = True
        result = result_of(self.model, self._started, self._clock)
        if out_dir is not None:
            self.write(Path(out_dir), result)
        return result

    def write(self, out: Path, result: Result) -> Path:
        """Write the drill folder at `out` (see `finish`): an existing one is replaced only
        if it is empty or holds an earlier drill (drill_log.json)."""
        problem = drill_folder_problem(out)
        if problem:
            raise FileExistsError(f"{out} {problem}: not replaced")
        out.mkdir(parents=True, exist_ok=True)
        records = [entry.record() for entry in self.log]

        def dump(name: str, data: Any) -> None:
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            (out / name).write_text(text, encoding="utf-8")

        # the log first: a writer killed at any later point leaves a folder that holds it,
        # which the next write may replace
        dump("drill_log.json", records)
        result.write(out / "run")
        table = pd.DataFrame(records, columns=list(LogEntry.__dataclass_fields__))
        table["spec"] = [json.dumps(spec, ensure_ascii=False) for spec in table["spec"]]
        table.to_csv(out / "drill_log.csv", index=False)
        dump("objectives.json", self.objectives())
        dump("expectations.json", self.expectations())
        drill = self.drill.model_dump(mode="json", exclude_defaults=True)
        (out / "drill.yaml").write_text(
            yaml.safe_dump(drill, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        (out / "decisions.yaml").write_text(
            yaml.safe_dump(self.script(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return out

    def script(self) -> dict:
        """The decisions taken and the injects fired by hand so far, as a decisions file that
        plays this session again (`gridsim drill DRILL --script`); refused ones change nothing
        and are left out."""
        entries = []
        for entry in self.log:
            if entry.outcome == "refused" or entry.role == EVENTS_LIST:
                continue
            if entry.kind == "decision":
                item = {"at": entry.sim_h, "role": entry.role, "decision": entry.spec}
                if entry.name:
                    item["name"] = entry.name
            elif entry.name in self.drill.injects:
                item = {"at": entry.sim_h, "inject": entry.name}
            else:
                item = {"at": entry.sim_h, "inject": entry.spec, "name": entry.name}
            entries.append(item)
        return {"drill": self.drill.name, "seed": self.seed, "decisions": entries}
