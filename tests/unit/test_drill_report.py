"""The after-action report of a drill: how often an objective was met is counted from each
play's outcome, with the Wilson interval's closed form; the what-if's plan alone is `sim.run` of
the scenario on the same seed; replays give the same outcomes whatever the number of worker
processes; the report names the scenario, the seed and every objective, and embeds every chart,
each a non-blank PNG at slide resolution."""

from __future__ import annotations

import base64
import io
import json
import math
import re
from html import escape as html_escape
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

import sim
from sim.drill import DrillSession, Script, play
from sim.drill.labels import clock_text, difference_text, duration_text
from sim.drill.report import CHARTS, REPLAYS_TABLE, write_report
from sim.drill.whatif import (
    PLAN_ALONE,
    TEAM,
    Outcome,
    Share,
    met_shares,
    outcomes_table,
    plan_alone,
    play_arm,
    replay,
    replay_seeds,
    value_differences,
)

from drill_parts import drill

QUIET = {"injects": {"leak": {"at": None}, "line_down": {"at": None}}}
SCRIPT = {
    "decisions": [
        {"at": "12h", "role": "secretary", "decision": {"mobilise": "cadres", "count": 2}},
        {"at": "14h", "inject": "rumour"},
        {"at": "21h", "role": "secretary", "decision": {"mobilise": "cadres", "count": 3}},
        {"at": "22h", "role": "street", "decision": {"fire": "call"}},
    ]
}


def outcome(seed: int, arm: str, statuses: dict[str, str]) -> Outcome:
    return Outcome(seed, arm, statuses, dict.fromkeys(statuses, 0.5), {})


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval, written out (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_shares_are_counted_from_each_plays_outcome() -> None:
    def status(met: bool) -> str:
        return "met" if met else "missed"

    team = [outcome(s, TEAM, {"a": status(s < 7), "b": status(False)}) for s in range(10)]
    alone = [outcome(s, PLAN_ALONE, {"a": status(s < 2), "b": status(True)}) for s in range(10)]
    outcomes = [o for pair in zip(team, alone, strict=True) for o in pair]
    shares = met_shares(outcomes, TEAM)
    assert shares == {"a": Share(7, 10), "b": Share(0, 10)}
    assert met_shares(outcomes, PLAN_ALONE) == {"a": Share(2, 10), "b": Share(10, 10)}
    assert shares["a"].share == pytest.approx(0.7)
    for k in (0, 7, 10):
        assert Share(k, 10).interval == pytest.approx(wilson(k, 10), abs=1e-12)
    low, high = Share(0, 20).interval
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.1611, abs=1e-4)
    table = outcomes_table(outcomes)
    assert len(table) == 40
    assert ((table.arm == TEAM) & (table.objective == "a") & (table.status == "met")).sum() == 7


def test_values_are_compared_seed_by_seed() -> None:
    def play(seed: int, arm: str, value: float | None) -> Outcome:
        return Outcome(seed, arm, {"a": "missed"}, {"a": value}, {})

    outcomes = [play(s, TEAM, 2.0 * s + 1) for s in range(5)]
    outcomes += [play(s, PLAN_ALONE, 2.0 * s) for s in range(5)]
    outcomes += [play(5, TEAM, None), play(5, PLAN_ALONE, 99.0)]  # nothing to measure: left out
    paired = value_differences(outcomes)["a"]
    assert paired.n == 5 and paired.mean_a == 4.0 and paired.mean_b == 5.0
    assert paired.diff == paired.ci_low == paired.ci_high == 1.0
    assert value_differences(outcomes[:1] + outcomes[5:6]) == {}  # one pair: no interval


def test_times_and_differences_are_written_as_a_drill_file_writes_them() -> None:
    assert clock_text(69.0 + 5 / 60) == "day 2 21:05"
    assert clock_text(None) == "–"
    assert duration_text(0.5) == "30 min" and duration_text(1.5) == "1 h 30 min"
    assert duration_text(50.25) == "2 d 2 h"
    assert difference_text(-0.25, "h") == "−15 min"
    assert difference_text(0.532, "share") == "+53.2 points"


def test_the_plan_alone_is_a_plain_run_of_the_scenario() -> None:
    played = drill(QUIET)
    script = Script.model_validate(SCRIPT)
    assert [e.inject for e in plan_alone(script).decisions] == ["rumour"]
    quiet = Script.model_validate({"decisions": [SCRIPT["decisions"][0]]})
    arm = play_arm(played, quiet, 6, PLAN_ALONE)
    plain = sim.run(played.played, seed=6, days=played.horizon / 24)
    pd.testing.assert_frame_equal(arm.cases, plain.cases)
    pd.testing.assert_frame_equal(arm.timeseries, plain.timeseries)
    assert json.dumps(arm.summary, sort_keys=True, default=str) == json.dumps(
        plain.summary, sort_keys=True, default=str
    )
    team = play_arm(played, quiet, 6, TEAM)
    assert not team.cases.equals(plain.cases)  # the decision changed the run


def test_replays_do_not_depend_on_the_number_of_workers() -> None:
    played = drill()
    script = Script.model_validate(SCRIPT)
    seeds = replay_seeds(3, 2)
    assert 3 not in seeds and len(set(seeds)) == 2
    serial = replay(played, script, seeds, workers=1)
    assert [(o.seed, o.arm) for o in serial] == [
        (seeds[0], TEAM),
        (seeds[0], PLAN_ALONE),
        (seeds[1], TEAM),
        (seeds[1], PLAN_ALONE),
    ]
    assert replay(played, script, seeds, workers=2) == serial
    assert serial[0] != serial[2]  # another seed, another future


def non_blank(png: bytes) -> float:
    """The pixel variance of a PNG image (0: one flat colour)."""
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    return float(np.var(pixels[..., :3]))


def test_the_report_names_the_drill_and_embeds_every_chart(tmp_path: Path) -> None:
    played = drill()
    session = DrillSession(played, 3)
    play(session, Script.model_validate(SCRIPT))
    session.finish(tmp_path)
    path = write_report(tmp_path, played, replays=2, workers=1)
    html = path.read_text(encoding="utf-8")
    assert path == tmp_path / "report.html"
    assert "drill-test" in html and "test-drill" in html  # the scenario and the drill
    assert "<th>Seed 随机种子</th><td>3</td>" in html
    for name in played.objectives:
        assert html.count(name) >= 4  # objectives, findings, what-if, replays
    refusal = "'cadres': 2 mobilised by hand already, 3 more would pass the limit of 4"
    assert html_escape(refusal) in html  # the third decision, in the log and the findings
    charts = sorted((tmp_path / CHARTS).glob("*.png"))
    assert [p.stem for p in charts] == ["replays_met", "replays_values", "timeline", "whatif"]
    for chart in charts:
        picture = chart.read_bytes()
        assert matplotlib.image.imread(chart).shape[:2] == (1080, 1920)
        assert non_blank(picture) > 1e-3, chart.name
        assert base64.b64encode(picture).decode("ascii") in html
    assert "http" not in html.replace("http-equiv", "")  # no external asset
    replays = pd.read_csv(tmp_path / REPLAYS_TABLE)
    assert len(replays) == 2 * 2 * len(played.objectives)
    again = write_report(tmp_path, played, replays=0, workers=1)
    assert not (tmp_path / REPLAYS_TABLE).exists()
    assert sorted(p.stem for p in (tmp_path / CHARTS).glob("*.png")) == ["timeline", "whatif"]
    assert "No replays were run" in again.read_text(encoding="utf-8")


def test_interactive_and_scripted_plays_give_the_same_report(tmp_path: Path) -> None:
    played = drill()
    interactive = DrillSession(played, 3)
    for t in np.arange(10.5, 12.01, 0.25):
        interactive.advance(float(t))
    interactive.decide("secretary", {"mobilise": "cadres", "count": 2})
    interactive.advance(14.0)
    interactive.inject("rumour")
    interactive.finish(tmp_path / "interactive")
    scripted = DrillSession(played, 3)
    play(scripted, Script.model_validate(interactive.script()))
    scripted.finish(tmp_path / "scripted")
    pages = []
    for name in ("interactive", "scripted"):
        html = write_report(tmp_path / name, played, replays=0).read_text(encoding="utf-8")
        pages.append(re.sub(r"<tr><th>(Command|Played on|Report written)</th>.*?</tr>", "", html))
        charts = sorted((tmp_path / name / CHARTS).glob("*.png"))
        pages.append([chart.read_bytes() for chart in charts])
    assert pages[0] == pages[2] and pages[1] == pages[3]
