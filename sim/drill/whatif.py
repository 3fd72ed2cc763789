"""What the team's decisions changed: a finished drill played again headless, through
`DrillSession` and its saved decisions file, in two arms — with the team's decisions, and with
the plan alone (the same injects at the same times, no decision: the scenario's plans act by
themselves) — on the seed played (the what-if) and on other seeds (the replays). Both arms of a
seed use the same seed, so they face the same demand (common random numbers) and differ by what
the decisions changed.

A replay is a function of the drill, the decisions and the seed only, so the outcomes never
depend on how many worker processes ran them; how often each objective would have been met is
a binomial share with a Wilson 95 % interval (docs/sources.md Q43), and each objective's value
is compared seed by seed (a paired t interval, Q12)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy.stats import binomtest

from sim.drill.labels import HEADLINE_KPIS
from sim.drill.objectives import MET
from sim.drill.script import InjectEntry, Script, play_drill
from sim.drill.spec import Drill
from sim.rng import derive_seed
from sim.sweep.compare import PairedDifference, paired_difference

TEAM, PLAN_ALONE = "team", "plan alone"
ARMS = (TEAM, PLAN_ALONE)
#: Confidence level of the shares' intervals.
CONFIDENCE = 0.95


def plan_alone(script: Script) -> Script:
    """The decisions file without its decisions: the injects fired by hand stay, at their
    times, so the plan alone faces the same events as the team."""
    injects = [entry for entry in script.decisions if isinstance(entry, InjectEntry)]
    return script.model_copy(update={"decisions": injects})


def arm_script(script: Script, arm: str) -> Script:
    """The decisions file an arm plays."""
    return script if arm == TEAM else plan_alone(script)


def kpi(summary: dict, path: str) -> float | None:
    """The KPI at a dotted `path` of summary.json (None: absent)."""
    value: Any = summary
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return None if value is None else float(value)


@dataclass(frozen=True)
class Outcome:
    """One play of a drill: its seed and arm, each objective's status and value (by name), and
    the headline KPIs (labels.HEADLINE_KPIS, by path)."""

    seed: int
    arm: str
    statuses: dict[str, str]
    values: dict[str, float | None]
    kpis: dict[str, float | None]

    @classmethod
    def of(cls, seed: int, arm: str, objectives: dict[str, dict], summary: dict) -> Outcome:
        """From a play's objectives (`DrillSession.objectives()`) and its summary.json."""
        return cls(
            seed,
            arm,
            {name: o["status"] for name, o in objectives.items()},
            {name: o["value"] for name, o in objectives.items()},
            {path: kpi(summary, path) for path, _, _ in HEADLINE_KPIS},
        )


@dataclass(frozen=True)
class Played:
    """One arm played on one seed, with the run's tables (for the what-if's charts)."""

    outcome: Outcome
    objectives: dict[str, dict]
    summary: dict
    timeseries: pd.DataFrame
    cases: pd.DataFrame


def play_arm(drill: Drill, script: Script, seed: int, arm: str) -> Played:
    """Play `drill` headless with the decisions file of `arm` on `seed`, to the horizon."""
    session, result = play_drill(drill, arm_script(script, arm), seed)
    objectives = session.objectives()
    return Played(
        Outcome.of(seed, arm, objectives, result.summary),
        objectives,
        result.summary,
        result.timeseries,
        result.cases,
    )


def _outcome(job: tuple[Drill, Script, int, str]) -> Outcome:
    return play_arm(*job).outcome


def replay_seeds(seed: int, n: int) -> list[int]:
    """The seeds of `n` replays of a drill played on `seed`: derived from it, never `seed`."""
    return [derive_seed(seed, "drill replay", r) for r in range(n)]


def replay(drill: Drill, script: Script, seeds: list[int], workers: int = 1) -> list[Outcome]:
    """Both arms on every seed (team, then plan alone, seed by seed), in `workers` processes
    (1: in this one). The outcomes are the same whatever `workers` is."""
    jobs = [(drill, script, seed, arm) for seed in seeds for arm in ARMS]
    if workers <= 1 or len(jobs) <= 1:
        return [_outcome(job) for job in jobs]
    from sim.sweep.executors import worker_pool

    with worker_pool(min(workers, len(jobs))) as pool:  # fresh interpreters, as the sweeps use
        return list(pool.map(_outcome, jobs))


@dataclass(frozen=True)
class Share:
    """How often an objective was met: `met` of `n` plays, the share and its Wilson interval
    (`CONFIDENCE`)."""

    met: int
    n: int

    @property
    def share(self) -> float:
        """met / n."""
        return self.met / self.n

    @property
    def interval(self) -> tuple[float, float]:
        """The Wilson score interval of the share (docs/sources.md Q43)."""
        ci = binomtest(self.met, self.n).proportion_ci(CONFIDENCE, method="wilson")
        return float(ci.low), float(ci.high)


def met_shares(outcomes: list[Outcome], arm: str) -> dict[str, Share]:
    """For each objective, how often `arm` met it over `outcomes` (its plays only)."""
    plays = [outcome for outcome in outcomes if outcome.arm == arm]
    if not plays:
        return {}
    return {
        name: Share(sum(play.statuses[name] == MET for play in plays), len(plays))
        for name in plays[0].statuses
    }


def value_differences(outcomes: list[Outcome]) -> dict[str, PairedDifference]:
    """For each objective, its value with the team's decisions against the plan alone's, seed
    by seed (a paired comparison: common random numbers), over the seeds where both arms
    have a value; objectives with fewer than two such seeds are left out."""
    by_seed: dict[int, dict[str, Outcome]] = {}
    for outcome in outcomes:
        by_seed.setdefault(outcome.seed, {})[outcome.arm] = outcome
    pairs = [pair for pair in by_seed.values() if set(pair) == set(ARMS)]
    differences = {}
    for name in pairs[0][TEAM].values if pairs else {}:
        values = [(p[PLAN_ALONE].values[name], p[TEAM].values[name]) for p in pairs]
        values = [(a, b) for a, b in values if a is not None and b is not None]
        if len(values) >= 2:
            alone, team = zip(*values, strict=True)
            differences[name] = paired_difference(alone, team, CONFIDENCE)
    return differences


def outcomes_table(outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per play and objective: seed, arm, objective, status, value."""
    rows = [
        {
            "seed": outcome.seed,
            "arm": outcome.arm,
            "objective": name,
            "status": status,
            "value": outcome.values[name],
        }
        for outcome in outcomes
        for name, status in outcome.statuses.items()
    ]
    return pd.DataFrame(rows, columns=["seed", "arm", "objective", "status", "value"])
