"""Emergency plans at run time: watch the triggers, take the actions (with their delays), stand
down and undo them, and write every step to the model's event log.

Time triggers and incident onsets fire exactly; backlog triggers and stand-down conditions are
checked at the end of every tick (hourly by default), which is how an operations room watches a
dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.plans import Action, Plan

if TYPE_CHECKING:
    from sim.model import GridModel


class PlanRun:
    """One plan's state: idle, fired (its actions taken or pending), standing down."""

    def __init__(self, controller: Controller, name: str, plan: Plan) -> None:
        self.controller = controller
        self.model = controller.model
        self.name = name
        self.plan = plan
        self.fired_at: float | None = None
        self.above_since: dict[int, float] = {}  # trigger index → when the backlog went above
        self.below_since: float | None = None
        self.undo: list = []
        env = self.model.env
        for i, trigger in enumerate(plan.triggers):
            at = trigger.at
            if trigger.incident is not None:
                at = self.model.scenario.incidents[trigger.incident].onset
            if at is not None:
                env.timeout(at).callbacks.append(
                    lambda _, i=i: self.fire(f"trigger {i}: {self._describe(i)}")
                )

    def _describe(self, i: int) -> str:
        trigger = self.plan.triggers[i]
        if trigger.incident is not None:
            return f"incident {trigger.incident} starts"
        if trigger.at is not None:
            return f"at {trigger.at:g} h"
        if trigger.backlog_above is not None:
            return f"backlog above {trigger.backlog_above} for {trigger.sustained:g} h"
        if trigger.wait_above is not None:
            return f"mean wait above {trigger.wait_above:g} h for {trigger.sustained:g} h"
        return "manual decision"

    def fire(self, reason: str) -> None:
        """Set the plan off (once until it stands down)."""
        if self.fired_at is not None:
            return
        model = self.model
        self.fired_at = model.env.now
        self.below_since = None
        model.log(self.name, "fired", reason)
        for action in self.plan.actions:
            if action.delay > 0:
                model.env.timeout(action.delay).callbacks.append(
                    lambda _, action=action, at=self.fired_at: self._act(action, at)
                )
            else:
                self._act(action, self.fired_at)

    def _act(self, action: Action, fired_at: float) -> None:
        if self.fired_at != fired_at:  # stood down before this delayed action came due
            return
        model = self.model
        if action.set_mode is not None:
            model.mode = (
                action.set_mode if action.level is None else (f"{action.set_mode} {action.level}")
            )
            model.log(self.name, "mode", model.mode)
        elif action.mobilise is not None:
            members = model.team_staff(action.mobilise)
            step = action.ramp / len(members) if members else 0.0
            for k, staff in enumerate(members):
                if step > 0 and k:
                    model.env.timeout(step * k).callbacks.append(
                        lambda _, staff=staff: self._mobilise(staff, fired_at)
                    )
                else:
                    staff.activate()
            model.log(self.name, "mobilise", f"{action.mobilise}: {len(members)} members")
            self.undo.append(lambda: [staff.deactivate() for staff in members])
        elif action.suspend_admin:
            model.suspend_admin(True)
            model.log(self.name, "suspend_admin", "top-down forms held")
            self.undo.append(lambda: model.suspend_admin(False))
        elif action.extend_shifts is not None:
            members = [s for team in action.teams for s in model.team_staff(team)]
            for staff in members:
                staff.extension = action.extend_shifts
            model.log(
                self.name,
                "extend_shifts",
                f"{', '.join(action.teams)}: +{action.extend_shifts:g} h",
            )
            self.undo.append(lambda: [setattr(s, "extension", 0.0) for s in members])
        elif action.pool is not None or action.split is not None:
            teams = action.pool if action.pool is not None else action.split
            members = [s for team in teams for s in model.team_staff(team)]
            own = {staff: staff.stations for staff in members}
            for staff in members:
                staff.serve(
                    model.community_stations(staff.unit)
                    if action.pool is not None
                    else [model.grid_stations[staff.unit]]
                )
            event = "pool" if action.pool is not None else "split"
            model.log(self.name, event, ", ".join(teams))
            self.undo.append(lambda: [s.serve(st) for s, st in own.items()])
        else:
            before = dict(model.priority_override)
            model.priority_override.update(action.prioritise)
            model.log(self.name, "prioritise", str(action.prioritise))
            self.undo.append(
                lambda: model.priority_override.clear() or model.priority_override.update(before)
            )

    def _mobilise(self, staff, fired_at: float) -> None:
        if self.fired_at == fired_at:
            staff.activate()

    def check(self, backlog: int) -> None:
        """End of a tick: backlog and waiting triggers, and the stand-down condition."""
        now = self.model.env.now
        if self.fired_at is None:
            for i, trigger in enumerate(self.plan.triggers):
                if trigger.backlog_above is not None:
                    above = backlog > trigger.backlog_above
                elif trigger.wait_above is not None:
                    above = self.model.mean_wait_of_unstarted() > trigger.wait_above
                else:
                    continue
                if above:
                    since = self.above_since.setdefault(i, now)
                    if now - since >= trigger.sustained:
                        self.fire(f"trigger {i}: {self._describe(i)}")
                        return
                else:
                    self.above_since.pop(i, None)
            return
        rule = self.plan.stand_down
        if rule is None or now - self.fired_at < rule.after:
            return
        if rule.backlog_below is not None:
            if backlog >= rule.backlog_below:
                self.below_since = None
                return
            self.below_since = self.below_since if self.below_since is not None else now
            if now - self.below_since < rule.sustained:
                return
        self.stand_down()

    def stand_down(self) -> None:
        """Undo the actions; recovery mode, then peacetime."""
        model = self.model
        for undo in reversed(self.undo):
            undo()
        self.undo.clear()
        self.fired_at = None
        self.above_since.clear()
        recovery = self.plan.stand_down.recovery if self.plan.stand_down else 0.0
        model.log(self.name, "stand_down", f"recovery for {recovery:g} h")
        if recovery > 0:
            model.mode = "recovery"
            model.log(self.name, "mode", "recovery")
            model.env.timeout(recovery).callbacks.append(lambda _: self._peacetime())
        else:
            self._peacetime()

    def _peacetime(self) -> None:
        if self.fired_at is None and not any(
            run.fired_at is not None for run in self.controller.runs.values()
        ):
            self.model.mode = "peacetime"
            self.model.log(self.name, "mode", "peacetime")


class Controller:
    """All the scenario's plans."""

    def __init__(self, model: GridModel) -> None:
        self.model = model
        self.runs = {name: PlanRun(self, name, plan) for name, plan in model.scenario.plans.items()}

    def tick(self, backlog: int) -> None:
        """Check backlog triggers and stand-downs at the end of a tick."""
        for run in self.runs.values():
            run.check(backlog)

    def decide(self, plan: str) -> None:
        """A manual decision (a drill): fire the plan now."""
        self.runs[plan].fire("manual decision")
