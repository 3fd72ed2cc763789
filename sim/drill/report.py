"""The after-action report of a played drill (演练总结报告; the exercise profession's
after-action report, docs/sources.md P90, and the 评估 → 总结 stages of 《突发事件应急演练指南》,
P91): one self-contained HTML file (charts embedded as base64 PNG, no external asset) and each
chart as a PNG at slide resolution beside it, built from the drill folder that
`DrillSession.finish` writes (the run folder, the log, the objectives, the expectations, the
drill and the decisions as played).

    write_report("runs/gas-drill", replays=20)   # runs/gas-drill/report.html, charts/*.png

It holds the header (drill, scenario, seed, version, command, date); the timeline (injects,
decisions taken and refused, modes, on the backlog and screening coverage curves); the
objectives; strengths and areas for improvement with an improvement-plan table; the what-if
(the plan alone against the team's decisions on the seed played); and the team's decisions and
the plan alone replayed on `replays` other seeds (sim.drill.whatif)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pandas as pd

from sim.drill import charts
from sim.drill.findings import (
    Finding,
    expectation_findings,
    objective_findings,
    refusal_findings,
    standard,
    threshold,
)
from sim.drill.injects import NewIncident
from sim.drill.labels import (
    ARMS,
    HEADLINE_KPIS,
    STATUSES,
    TITLES,
    both,
    clock_text,
    difference_text,
    named,
    value_text,
)
from sim.drill.live import screening_categories
from sim.drill.script import InjectEntry, Script, load_script
from sim.drill.spec import Drill, load_drill
from sim.drill.whatif import (
    PLAN_ALONE,
    TEAM,
    Outcome,
    Played,
    met_shares,
    outcomes_table,
    play_arm,
    replay,
    replay_seeds,
    value_differences,
)
from sim.metrics.events import mode_spans
from sim.report import html
from sim.sweep.compare import PairedDifference

REPORT, CHARTS, REPLAYS_TABLE = "report.html", "charts", "replays.csv"
#: Replays of the team's decisions and of the plan alone, by default.
DEFAULT_REPLAYS = 20


@dataclass(frozen=True)
class PlayedDrill:
    """What a drill folder holds, read back: the drill, the decisions as played and the seed,
    the log, objectives and expectations, and the run's summary, manifest and tables."""

    folder: Path
    drill: Drill
    script: Script
    seed: int
    log: list[dict]
    objectives: dict[str, dict]
    expectations: list[dict]
    summary: dict
    manifest: dict
    timeseries: pd.DataFrame
    cases: pd.DataFrame
    events: pd.DataFrame

    @classmethod
    def read(cls, folder: str | os.PathLike[str], drill: Drill | None = None) -> PlayedDrill:
        """Read a drill folder; `drill` (default: the folder's drill.yaml, with its scenario)
        is the drill played."""
        folder = Path(folder)
        drill = drill if drill is not None else load_drill(folder / "drill.yaml")

        def data(name: str) -> dict | list:
            return json.loads((folder / name).read_text(encoding="utf-8"))

        run = folder / "run"
        manifest = data("run/manifest.json")
        return cls(
            folder,
            drill,
            load_script(folder / "decisions.yaml", drill),
            int(manifest["seed"]),
            data("drill_log.json"),
            data("objectives.json"),
            data("expectations.json"),
            data("run/summary.json"),
            manifest,
            pd.read_parquet(run / "timeseries.parquet"),
            pd.read_parquet(run / "cases.parquet"),
            pd.read_parquet(run / "events.parquet"),
        )

    @property
    def window(self) -> tuple[float, float]:
        """From the players' start to the drill's end (hours)."""
        return self.drill.start, self.drill.horizon

    def screening(self) -> list[str]:
        """Categories of screening tasks: the scenario's incidents' and the injected ones'."""
        incidents = list(self.drill.played.incidents.values())
        injects = list(self.drill.injects.values()) + [
            entry.inject
            for entry in self.script.decisions
            if isinstance(entry, InjectEntry) and not isinstance(entry.inject, str)
        ]
        incidents += [inject.incident for inject in injects if isinstance(inject, NewIncident)]
        return screening_categories(incidents)

    def first_mode(self) -> str:
        """The operations' mode when the players took over."""
        rows = self.timeseries[self.timeseries["t_h"] <= self.drill.start]
        return str(rows["mode"].iloc[-1]) if len(rows) else "peacetime"

    def marks(self) -> list[charts.Mark]:
        """The log's entries, numbered in order: injects fired, decisions taken, and decisions
        or injects refused."""
        marks = []
        for number, entry in enumerate(self.log, start=1):
            fired = entry["kind"] == "inject" and entry["outcome"] == "fired"
            kind = "inject" if fired else entry["outcome"]  # a decision taken, or refused
            marks.append(charts.Mark(number, entry["sim_h"], kind))
        return marks

    def curves(self, played: Played | None = None) -> tuple[pd.Series, tuple]:
        """Backlog and screening coverage curves of the run played, or of `played`."""
        timeseries = self.timeseries if played is None else played.timeseries
        cases = self.cases if played is None else played.cases
        return charts.backlog_curve(timeseries), charts.coverage_curve(cases, self.screening())


def write_report(
    folder: str | os.PathLike[str],
    drill: Drill | None = None,
    replays: int = DEFAULT_REPLAYS,
    workers: int = 1,
    command: str | None = None,
) -> Path:
    """Write `folder`/report.html and `folder`/charts/*.png for the drill folder `folder`
    (`drill`: the drill played, default the folder's drill.yaml), replaying the team's
    decisions and the plan alone on `replays` other seeds in `workers` processes (0: no
    replays), and their outcomes to `folder`/replays.csv; `command` is the command shown
    (default: one that plays the folder's drill and decisions again). Returns the report's
    path."""
    played = PlayedDrill.read(folder, drill)
    plan = play_arm(played.drill, played.script, played.seed, PLAN_ALONE)
    seeds = replay_seeds(played.seed, replays)
    outcomes = replay(played.drill, played.script, seeds, workers) if seeds else []
    shares = {arm: met_shares(outcomes, arm) for arm in (TEAM, PLAN_ALONE)} if outcomes else {}
    differences = value_differences(outcomes)
    pictures = _charts(played, plan, outcomes, shares)
    out = played.folder / CHARTS
    out.mkdir(exist_ok=True)
    for stale in out.glob("*.png"):
        stale.unlink()
    for name, picture in pictures.items():
        (out / f"{name}.png").write_bytes(picture)
    if outcomes:
        outcomes_table(outcomes).to_csv(played.folder / REPLAYS_TABLE, index=False)
    else:
        (played.folder / REPLAYS_TABLE).unlink(missing_ok=True)
    command = command or (
        f"gridsim drill {played.folder / 'drill.yaml'} --script "
        f"{played.folder / 'decisions.yaml'} --seed {played.seed} --replays {replays}"
    )
    page = _html(played, plan, outcomes, shares, differences, pictures, command)
    path = played.folder / REPORT
    path.write_text(page, encoding="utf-8")
    return path


# -- charts ---------------------------------------------------------------------------------


def _charts(
    played: PlayedDrill, plan: Played, outcomes: list[Outcome], shares: dict
) -> dict[str, bytes]:
    """Every chart as PNG bytes, by file name (without .png)."""
    window = played.window
    backlog, coverage = played.curves()
    spans = mode_spans(played.events, played.first_mode(), window)
    taken = [e["sim_h"] for e in played.log if e["kind"] == "decision" and e["outcome"] == "taken"]
    pictures = {
        "timeline": charts.png(
            charts.timeline_chart(backlog, coverage, played.marks(), spans, window)
        ),
        "whatif": charts.png(
            charts.whatif_chart(
                {TEAM: (backlog, coverage), PLAN_ALONE: played.curves(plan)},
                taken,
                window,
            )
        ),
    }
    if outcomes:
        objectives = played.drill.objectives
        thresholds = {name: threshold(objective.measure) for name, objective in objectives.items()}
        pictures["replays_met"] = charts.png(charts.shares_chart(shares))
        pictures["replays_values"] = charts.png(charts.values_chart(outcomes, thresholds))
    return pictures


# -- HTML -----------------------------------------------------------------------------------

#: The shared style, and the after-action report's own rules.
STYLE = (
    html.STYLE
    + """
.met, .in-time, .taken { color: #1e7b45; font-weight: bold; }
.missed, .late, .not-taken, .refused, .pending { color: #b03a2e; font-weight: bold; }
td[contenteditable] { background: #fffbe6; min-width: 8em; }
"""
)
_cell, _table, _image = html.cell, html.table, html.image


def _status(status: str) -> str:
    english, chinese = STATUSES.get(status, (status, ""))
    return f'<td class="{status.replace(" ", "-")}">{escape(english)} {escape(chinese)}</td>'


def _section(key: str, body: str) -> str:
    return html.section(key, both(key, TITLES), body)


def _html(
    played: PlayedDrill,
    plan: Played,
    outcomes: list[Outcome],
    shares: dict,
    differences: dict[str, PairedDifference],
    pictures: dict[str, bytes],
    command: str,
) -> str:
    drill = played.drill
    findings = (
        objective_findings(drill, played.objectives, plan.objectives, shares, differences)
        + expectation_findings(drill, played.expectations)
        + refusal_findings(played.log)
    )
    body = [
        f"<h1>{escape(both('report', TITLES))}: {escape(named(drill.name, drill.label_zh))}</h1>",
        _section("header", _header(played, command)),
        _section("timeline", _timeline(played, pictures["timeline"])),
        _section("objectives", _objectives(played)),
        _section("findings", _findings(findings)),
        _section("plan", _improvement_plan([f for f in findings if not f.strength])),
        _section("whatif", _whatif(played, plan, pictures["whatif"])),
        _section("replays", _replays(played, outcomes, shares, differences, pictures)),
    ]
    return html.page(f"{TITLES['report'][0]}: {drill.name}", body, "en", STYLE)


def _header(played: PlayedDrill, command: str) -> str:
    drill, manifest = played.drill, played.manifest
    start, horizon = played.window
    rows = [
        ("Drill 演练", named(drill.name, drill.label_zh)),
        ("What it is", drill.description),
        ("Scenario 情景", f"{drill.played.name} ({drill.scenario})"),
        ("Seed 随机种子", str(played.seed)),
        ("Played 演练时段", f"{clock_text(start)} → {clock_text(horizon)} (simulated)"),
        ("gridsim version", manifest.get("gridsim", "")),
        ("Command", command),
        ("Played on", str(manifest.get("started", ""))[:10]),
        ("Report written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    return _table(None, [f"<th>{escape(key)}</th>" + _cell(value) for key, value in rows])


def _timeline(played: PlayedDrill, picture: bytes) -> str:
    drill = played.drill
    rows: list[tuple[float, int, str]] = []
    for number, entry in enumerate(played.log, start=1):
        listed = drill.injects.get(entry["name"]) if entry["kind"] == "inject" else None
        name = named(entry["name"], listed.label_zh if listed is not None else "")
        what = _spec_text(entry["spec"]) if entry["kind"] == "decision" else entry["what"]
        if listed is not None and listed.message:
            what = listed.message
        row = (
            _cell(number, "num") + _cell(clock_text(entry["sim_h"])) + _cell(entry["kind"])
            + _cell(entry["role"]) + _cell(name) + _cell(what)
            + _status(entry["outcome"]) + _cell(entry["detail"])
        )  # fmt: skip
        rows.append((entry["sim_h"], 0, row))
    start, end = played.window
    modes = played.events[played.events["event"] == "mode"]
    for at, plan, detail in zip(modes["t_h"], modes["plan"], modes["detail"], strict=True):
        if start <= at <= end:
            row = (
                _cell("", "num") + _cell(clock_text(at)) + _cell("mode") + _cell(plan)
                + _cell(detail) + _cell("") + _cell("") + _cell("")
            )  # fmt: skip
            rows.append((at, 1, row))
    rows.sort(key=lambda r: (r[0], r[1]))
    table = _table(
        ["#", "time", "kind", "who", "name", "what", "outcome", "detail"], [r[2] for r in rows]
    )
    note = (
        '<p class="note">Numbers on the chart are the rows of the table; shaded: the mode '
        "(red: emergency, yellow: recovery). The backlog counts closed-loop cases (residents' "
        "requests and patrol finds) open at each hour's end; screening coverage is the share "
        "of incidents' screening tasks created so far that are done.</p>"
    )
    return _image(picture, "timeline", "timeline") + note + table


def _spec_text(spec: dict) -> str:
    """A decision as data, in words: `key: value` pairs, numbers to 3 significant digits."""

    def shown(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3g}"
        if isinstance(value, list):
            return ", ".join(shown(v) for v in value)
        if isinstance(value, dict):
            return "{" + _spec_text(value) + "}"
        return str(value)

    return "; ".join(f"{key}: {shown(value)}" for key, value in spec.items())


def _objectives(played: PlayedDrill) -> str:
    rows = []
    for name, objective in played.objectives.items():
        spec = played.drill.objectives[name]
        when = objective["met_at_h"] if objective["status"] == "met" else objective["missed_at_h"]
        rows.append(
            _cell(named(name, spec.label_zh)) + _cell(standard(spec.measure))
            + _cell(clock_text(objective["by_h"]))
            + _cell(value_text(objective["value"], objective["unit"]), "num")
            + _status(objective["status"]) + _cell(clock_text(when))
        )  # fmt: skip
    return _table(["objective", "asks", "deadline", "value", "status", "when"], rows)


def _findings(findings: list[Finding]) -> str:
    def items(strength: bool) -> str:
        chosen = [f for f in findings if f.strength == strength]
        if not chosen:
            return "<p>None.</p>"
        listed = "".join(f"<li><b>{escape(f.subject)}</b> — {escape(f.text)}</li>" for f in chosen)
        return f"<ul>{listed}</ul>"

    return (
        f"<h3>{escape(both('strengths', TITLES))}</h3>{items(True)}"
        f"<h3>{escape(both('areas', TITLES))}</h3>{items(False)}"
    )


def _improvement_plan(areas: list[Finding]) -> str:
    editable = "<td contenteditable></td>" * 3
    rows = [_cell(f"{f.subject}: {STATUSES[f.outcome][0]}") + editable for f in areas]
    note = (
        '<p class="note">One row per area for improvement; the recommendation, the owner and '
        "the due date are filled in at the hot wash (the cells can be typed in; save the page "
        "to keep them).</p>"
    )
    if not rows:
        return "<p>No area for improvement.</p>"
    return note + _table(["finding", "recommendation", "owner", "due date"], rows)


def _whatif(played: PlayedDrill, plan: Played, picture: bytes) -> str:
    team = Outcome.of(played.seed, TEAM, played.objectives, played.summary)
    intro = (
        f"<p>The same drill on the same seed ({played.seed}), played again headless with no "
        "decision: the scenario's plans act by themselves, and the injects fire as they did "
        "(the events list's at their times, the facilitator's at the times fired), so the "
        "difference is what the team's decisions changed.</p>"
    )
    arms = [both(TEAM, ARMS), both(PLAN_ALONE, ARMS)]
    objective_rows = []
    for name, objective in played.objectives.items():
        alone = plan.objectives[name]
        objective_rows.append(
            _cell(named(name, played.drill.objectives[name].label_zh))
            + _cell(value_text(objective["value"], objective["unit"]), "num")
            + _status(objective["status"])
            + _cell(value_text(alone["value"], alone["unit"]), "num") + _status(alone["status"])
        )  # fmt: skip
    kpi_rows = []
    for path, label, unit in HEADLINE_KPIS:
        ours, theirs = team.kpis[path], plan.outcome.kpis[path]
        if ours is None and theirs is None:
            continue
        change = "–" if ours is None or theirs is None else difference_text(ours - theirs, unit)
        kpi_rows.append(
            _cell(f"{label} ({path})") + _cell(value_text(ours, unit), "num")
            + _cell(value_text(theirs, unit), "num") + _cell(change, "num")
        )  # fmt: skip
    return (
        intro
        + _table(["objective", arms[0], "status", arms[1], "status"], objective_rows)
        + _table(["KPI (summary.json)", arms[0], arms[1], "difference"], kpi_rows)
        + _image(picture, "whatif", "what-if")
    )


def _replays(
    played: PlayedDrill,
    outcomes: list[Outcome],
    shares: dict,
    differences: dict[str, PairedDifference],
    pictures: dict[str, bytes],
) -> str:
    if not outcomes:
        return "<p>No replays were run (--replays 0).</p>"
    n = len({outcome.seed for outcome in outcomes})
    intro = (
        f"<p>The team's decisions, at the times taken, replayed headless on {n} other seeds "
        f"derived from seed {played.seed} (the same injects at the same times), and the plan "
        "alone on the same seeds: each seed's two plays face the same demand (common random "
        "numbers). For each objective, how often it would have been met, with a 95 % Wilson "
        "interval, and its mean value in each arm with the mean paired difference (team − plan "
        f"alone, 95 % t interval); every play's outcome is in {REPLAYS_TABLE}.</p>"
    )
    rows = []
    for name, spec in played.drill.objectives.items():
        cells = _cell(named(name, spec.label_zh))
        for arm in (TEAM, PLAN_ALONE):
            share = shares[arm][name]
            low, high = share.interval
            cells += _cell(f"{share.met} / {share.n}", "num") + _cell(
                f"{100 * share.share:.0f} % ({100 * low:.0f}–{100 * high:.0f} %)", "num"
            )
        paired, unit = differences.get(name), threshold(spec.measure)[1]
        if paired is None:
            cells += _cell("–") * 3
        else:
            low, high = (difference_text(b, unit) for b in (paired.ci_low, paired.ci_high))
            cells += _cell(value_text(paired.mean_b, unit), "num")
            cells += _cell(value_text(paired.mean_a, unit), "num")
            cells += _cell(f"{difference_text(paired.diff, unit)} ({low} to {high})", "num")
        rows.append(cells)
    header = ["objective", f"met: {both(TEAM, ARMS)}", "share (95 % CI)"]
    header += [f"met: {both(PLAN_ALONE, ARMS)}", "share (95 % CI)"]
    header += ["mean value: team", "plan alone", "difference (95 % CI)"]
    return (
        intro
        + _table(header, rows)
        + _image(pictures["replays_met"], "replays_met", "objectives met over the replays")
        + _image(pictures["replays_values"], "replays_values", "objective values per seed")
    )
