"""The after-action report of a shipped drill: `gridsim drill --replays N` writes it with its
charts and the replays' outcomes; its strengths and areas for improvement follow the decisions'
timing — the same decision taken in time is a strength, taken late an area for improvement,
each sentence with its own numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim import cli
from sim.drill import Script, load_drill, play_drill
from sim.drill.report import write_report

ROOT = Path(__file__).resolve().parents[2]
GAS = ROOT / "scenarios" / "drills" / "gas_leak.yaml"


def test_gridsim_drill_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "gas"
    args = ["drill", GAS, "--script", GAS.with_suffix(".decisions.yaml"), "--out", out]
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(arg) for arg in [*args, "--replays", "2", "--workers", "1"]])
    captured = capsys.readouterr()
    assert exit_info.value.code in (0, None), captured.err
    assert f"after-action report: {out / 'report.html'}" in captured.out.replace("\n", "")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "gas-leak-channels" in html and "燃气泄漏应急演练" in html
    assert f"--out {out} --seed 1 --replays 2" in html  # the command
    assert {p.stem for p in (out / "charts").glob("*.png")} == {
        "timeline",
        "whatif",
        "replays_met",
        "replays_values",
    }
    replays = pd.read_csv(out / "replays.csv")
    assert len(replays) == 2 * 2 * 3 and set(replays.arm) == {"team", "plan alone"}
    # from the folder alone (its drill.yaml and decisions.yaml), as the app or a notebook would
    again = write_report(out, replays=0).read_text(encoding="utf-8")
    assert _findings_of(again) == _findings_of(html)


def _findings_of(html: str) -> str:
    """The findings section of a report, without the replays' sentences."""
    section = re.search(r'<section id="findings">(.*?)</section>', html, re.S).group(1)
    return re.sub(r" Replayed on .*?(?=</li>)", "", section)


def findings(folder: Path) -> tuple[str, str]:
    """The strengths and the areas for improvement of a report, as HTML."""
    section = _findings_of((folder / "report.html").read_text(encoding="utf-8"))
    strengths, areas = section.split("<h3>Areas for improvement", 1)
    return strengths, areas


def mention(part: str, subject: str) -> str | None:
    """The finding about `subject` in a list of findings, or None."""
    found = re.search(rf"<li><b>{re.escape(subject)}[^<]*</b>(.*?)</li>", part, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("late", [False, True], ids=["in time", "late"])
def test_a_late_decision_turns_a_strength_into_an_area(tmp_path: Path, late: bool) -> None:
    drill = load_drill(GAS)
    expects = drill.injects["property_staff_ill"].expects  # mobilise within 30 min of 21:15
    assert expects.action == "mobilise" and expects.by == 0.5
    at = "day 2 22:00" if late else "day 2 21:25"
    decision = {"at": at, "role": "社区书记", "decision": {"mobilise": "street_cadres", "count": 4}}
    script = Script.model_validate({"decisions": [decision]})
    play_drill(drill, script, out=tmp_path)
    write_report(tmp_path, drill, replays=0)
    strengths, areas = findings(tmp_path)
    in_strengths = mention(strengths, "property_staff_ill")
    in_areas = mention(areas, "property_staff_ill")
    if late:
        assert in_strengths is None
        assert "taken at day 2 22:00, 15 min late" in in_areas
    else:
        assert in_areas is None
        assert "taken at day 2 21:25 (10 min), 20 min to spare" in in_strengths
